# scripts/Invoke-L2tpIpsecFix.ps1: runs every recipe script of the bundle in order and exits 1
# if any failed, else 3010 if any needs a restart, else 0. Every mix of recipe exit codes is
# driven through the simulated machine: nat-traversal gives 3010 when it changes the value, a
# service that cannot start makes ipsec-services give 1, everything else gives 0.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'sim/SimWindows.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'sim/Scenario.psm1') -Force
    $script:PolicyAgentKey = 'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PolicyAgent'
    $script:NatName = 'AssumeUDPEncapsulationContextOnSendRule'
    $script:Recipes = @('ipsec-services', 'nat-traversal', 'vpn-security', 'firewall-ports', 'recreate-connection', 'windows-update')

    function Set-BrokenMachine {
        Reset-SimWindows
        Set-SimService -Name IKEEXT -StartType Disabled -Status Stopped
        Set-SimService -Name PolicyAgent -StartType Manual -Status Stopped
        Set-SimService -Name RasMan -StartType Manual -Status Stopped
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType Automatic -AuthenticationMethod Pap -EncryptionLevel Optional
    }

    # A machine the bundle has fixed once: every recipe compliant, the journal empty.
    function Set-FixedMachine {
        param([string]$Bundle)
        Set-BrokenMachine
        $r = Invoke-SimScript -Path $Bundle
        $r.ExitCode | Should -Be 3010
        Clear-SimChanges
    }

    # The exit code each recipe script reported, from its summary line on stdout.
    function Get-RecipeExitCodes {
        param($Result)
        $codes = [ordered]@{}
        foreach ($id in $script:Recipes) {
            $line = @($Result.Stdout | Where-Object { $_ -like ($id + ': *') })
            $line.Count | Should -Be 1 -Because ('one summary line of ' + $id)
            $log = @(Get-SimLogText -Recipe $id | Where-Object { $_ -match '\(exit (\d+)\)$' })
            $codes[$id] = [int]([regex]::Match($log[-1], '\(exit (\d+)\)$').Groups[1].Value)
        }
        return $codes
    }
}

Describe 'scripts/Invoke-L2tpIpsecFix.ps1' {
    BeforeAll {
        $script:Bundle = Get-L2tpPath 'scripts/Invoke-L2tpIpsecFix.ps1'
    }

    It 'a broken machine -> every recipe runs in bundle order -> exit 3010 (nat-traversal needs a restart) and everything fixed' {
        Set-BrokenMachine
        $r = Invoke-SimScript -Path $script:Bundle
        $r.ExitCode | Should -Be 3010
        $r.Stdout[-1] | Should -Be 'L2tpIpsecFix: 6 recipe(s) run, exit 3010'
        $order = @($r.Stdout | Select-Object -First 6 | ForEach-Object { ($_ -split ':')[0] })
        $order | Should -Be $script:Recipes
        (Get-SimService -Name IKEEXT).Status | Should -Be 'Running'
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName).Value | Should -Be 2
        (Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection).TunnelType | Should -Be 'L2tp'
        Get-SimFirewallRule -Name 'fixgen-l2tp-udp-out' | Should -Not -BeNullOrEmpty
    }

    It 'mix {0}: a fixed machine -> exit 0, nothing changed, every recipe "already compliant"' {
        Set-FixedMachine -Bundle $script:Bundle
        $before = Get-SimState
        $r = Invoke-SimScript -Path $script:Bundle
        $r.ExitCode | Should -Be 0
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
        foreach ($id in $script:Recipes) { $r.Stdout | Should -Contain ($id + ': already compliant') }
        $r.Stdout[-1] | Should -Be 'L2tpIpsecFix: 6 recipe(s) run, exit 0'
    }

    It 'mix {0, 3010}: only the NAT-T value missing -> exit 3010' {
        Set-FixedMachine -Bundle $script:Bundle
        Remove-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName
        $r = Invoke-SimScript -Path $script:Bundle
        $codes = Get-RecipeExitCodes $r
        @($codes.Values | Sort-Object -Unique) | Should -Be @(0, 3010)
        $codes['nat-traversal'] | Should -Be 3010
        $r.ExitCode | Should -Be 3010
    }

    It 'mix {0, 1}: a service that cannot start -> exit 1, the other recipes still run' {
        Set-FixedMachine -Bundle $script:Bundle
        Set-SimService -Name PolicyAgent -StartType Automatic -Status Stopped -CannotStart
        $r = Invoke-SimScript -Path $script:Bundle
        $codes = Get-RecipeExitCodes $r
        @($codes.Values | Sort-Object -Unique) | Should -Be @(0, 1)
        $codes['ipsec-services'] | Should -Be 1
        $r.ExitCode | Should -Be 1
        $r.Stdout[-1] | Should -Be 'L2tpIpsecFix: 6 recipe(s) run, exit 1'
    }

    It 'mix {0, 1, 3010}: a failing service and the NAT-T value missing -> exit 1 (a failure wins over a restart)' {
        Set-FixedMachine -Bundle $script:Bundle
        Set-SimService -Name PolicyAgent -StartType Automatic -Status Stopped -CannotStart
        Remove-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName
        $r = Invoke-SimScript -Path $script:Bundle
        $codes = Get-RecipeExitCodes $r
        @($codes.Values | Sort-Object -Unique) | Should -Be @(0, 1, 3010)
        $r.ExitCode | Should -Be 1
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName).Value | Should -Be 2
    }

    It 'mix {1, 3010} without 0: nothing compliant but NAT-T and a broken service -> exit 1' {
        Set-FixedMachine -Bundle $script:Bundle
        Set-SimFailure -Command 'Get-NetFirewallRule' -Message 'The RPC server is unavailable.'
        Set-SimFailure -Command 'Get-VpnConnection' -Message 'The RPC server is unavailable.'
        Set-SimFailure -Command 'IUpdateSearcher.Search' -Message 'The RPC server is unavailable.'
        Set-SimService -Name PolicyAgent -StartType Automatic -Status Stopped -CannotStart
        Remove-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName
        $r = Invoke-SimScript -Path $script:Bundle
        $codes = Get-RecipeExitCodes $r
        @($codes.Values | Sort-Object -Unique) | Should -Be @(1, 3010)
        $r.ExitCode | Should -Be 1
    }

    It '-WhatIf reaches every recipe script and changes nothing' {
        Set-BrokenMachine
        $before = Get-SimState
        $r = Invoke-SimScript -Path $script:Bundle -WhatIf
        $r.ExitCode | Should -Be 0
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
        @($r.Stdout | Where-Object { $_ -like '*step(s) would change (WhatIf)' }).Count | Should -Be 5
    }

    It 'a recipe script that is missing counts as a failure (exit 1), the others still run' {
        Set-BrokenMachine
        $copy = Join-Path $env:TEMP 'scripts'
        Copy-Item -Recurse -LiteralPath (Split-Path -Parent $script:Bundle) -Destination $copy
        Microsoft.PowerShell.Management\Remove-Item -LiteralPath (Join-Path $copy 'vpn-security.ps1')
        $r = Invoke-SimScript -Path (Join-Path $copy 'Invoke-L2tpIpsecFix.ps1')
        $r.ExitCode | Should -Be 1
        ($r.Warnings -join "`n") | Should -Match 'vpn-security\.ps1 failed'
        Get-SimFirewallRule -Name 'fixgen-l2tp-udp-out' | Should -Not -BeNullOrEmpty
    }
}

Describe 'scripts/Invoke-L2tpIpsecFix.ps1 (open parameters)' {
    It 'passes the parameters on: the connection is created with the key given as a SecureString' {
        Set-BrokenMachine
        $key = ConvertTo-SecureString -String 'bundle-open-key' -AsPlainText -Force
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Invoke-L2tpIpsecFix.ps1' -Open) -Parameters @{ ConnectionName = 'Contoso VPN'; ServerAddress = 'vpn.contoso.com'; PreSharedKey = $key }
        $r.ExitCode | Should -Be 3010
        $c = Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection
        $c.Psk | Should -BeExactly 'bundle-open-key'
        $c.TunnelType | Should -Be 'L2tp'
        ($r.Stdout + $r.Warnings) -join "`n" | Should -Not -Match 'bundle-open-key'
    }
}
