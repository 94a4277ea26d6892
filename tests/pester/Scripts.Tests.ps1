# The standalone recipe scripts (scripts/<id>.ps1) of the L2TP bundle, built with values
# (FIXGEN_L2TP_BUNDLE) and without (FIXGEN_L2TP_OPEN, open parameters passed as script
# parameters, the key as a SecureString), run against the simulated Windows. For each recipe:
# broken state -> run -> exit 0/3010 -> state right; a second run changes nothing and says so;
# -WhatIf changes nothing; a failing command gives exit 1, a logged reason, and the steps after
# it still run (runtime.ps1: a failed step counts, the loop goes on).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'sim/SimWindows.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'sim/Scenario.psm1') -Force
    $script:PolicyAgentKey = 'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PolicyAgent'
    $script:NatName = 'AssumeUDPEncapsulationContextOnSendRule'
    $script:Psk = 'correct-horse-battery'

    function Set-BrokenServices {
        Set-SimService -Name IKEEXT -DisplayName 'IKE and AuthIP IPsec Keying Modules' -StartType Disabled -Status Stopped
        Set-SimService -Name PolicyAgent -DisplayName 'IPsec Policy Agent' -StartType Manual -Status Stopped
        Set-SimService -Name RasMan -DisplayName 'Remote Access Connection Manager' -StartType Manual -Status Stopped
    }

    # Runs a script twice-safe: the second run must change nothing and say so.
    function Assert-SecondRunQuiet {
        param([string]$Path, [string]$Id, [hashtable]$Parameters = @{})
        Clear-SimChanges
        $before = Get-SimState
        $r = Invoke-SimScript -Path $Path -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
        $r.Stdout | Should -Contain ($Id + ': already compliant')
    }

    function Assert-WhatIfQuiet {
        param([string]$Path, [string]$Id, [hashtable]$Parameters = @{})
        Clear-SimChanges
        $before = Get-SimState
        $r = Invoke-SimScript -Path $Path -Parameters $Parameters -WhatIf
        $r.ExitCode | Should -Be 0
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
        @($r.Stdout | Where-Object { $_ -like ($Id + ': not compliant; * step(s) would change (WhatIf)') }).Count | Should -Be 1
        # no backup is written under -WhatIf either
        Join-Path $env:ProgramData 'fixgen' | Should -Not -Exist
    }
}

Describe 'scripts/ipsec-services.ps1' {
    BeforeEach {
        Reset-SimWindows
        Set-BrokenServices
        $script:Script = Get-L2tpPath 'scripts/ipsec-services.ps1'
    }

    It 'broken services -> exit 0 -> IKEEXT and PolicyAgent Automatic and Running, RasMan Running with its start type kept' {
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 0
        foreach ($name in @('IKEEXT', 'PolicyAgent')) {
            $s = Get-SimService -Name $name
            $s.StartType | Should -Be 'Automatic'
            $s.Delayed | Should -BeFalse
            $s.Status | Should -Be 'Running'
        }
        (Get-SimService -Name RasMan).Status | Should -Be 'Running'
        (Get-SimService -Name RasMan).StartType | Should -Be 'Manual'
        $r.Stdout | Should -Contain 'ipsec-services: fixed (3 step(s) changed and verified)'
        @(Get-SimLogText -Recipe ipsec-services -Type 3).Count | Should -Be 0
    }

    It 'a second run changes nothing and says "already compliant"' {
        $null = Invoke-SimScript -Path $script:Script
        Assert-SecondRunQuiet -Path $script:Script -Id 'ipsec-services'
    }

    It '-WhatIf changes nothing' {
        Assert-WhatIfQuiet -Path $script:Script -Id 'ipsec-services'
    }

    It 'delayed automatic start is not "Automatic": it becomes plain Automatic' {
        Set-SimService -Name IKEEXT -StartType Automatic -Delayed -Status Running
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 0
        (Get-SimService -Name IKEEXT).Delayed | Should -BeFalse
        (Get-SimService -Name IKEEXT).StartType | Should -Be 'Automatic'
    }

    It 'Start-Service failing for IKEEXT -> exit 1 with the reason logged; PolicyAgent and RasMan are still fixed' {
        Set-SimFailure -Command 'Start-Service' -Times 1 -Message 'The service did not respond to the start request'
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        $errors = Get-SimLogText -Recipe ipsec-services -Type 3
        ($errors -join "`n") | Should -Match 'step 1 \(service\) failed: .*did not respond to the start request'
        (Get-SimService -Name PolicyAgent).Status | Should -Be 'Running'
        (Get-SimService -Name RasMan).Status | Should -Be 'Running'
        $r.Stdout | Should -Contain 'ipsec-services: FAILED (1 step(s) failed; first: step 1 (service) failed: The service did not respond to the start request; see the log)'
    }

    It 'sc.exe failing -> exit 1 with its exit code and output in the log' {
        Set-SimFailure -Command 'sc.exe' -Times 1 -Message 'Access is denied.'
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe ipsec-services -Type 3) -join "`n") | Should -Match 'sc\.exe config IKEEXT start= auto failed with exit code 5: .*Access is denied'
        (Get-SimService -Name IKEEXT).StartType | Should -Be 'Disabled'
        (Get-SimService -Name PolicyAgent).StartType | Should -Be 'Automatic'
    }

    It 'sc.exe reporting success without changing the start type -> exit 1, "verification failed" logged' {
        Set-SimService -Name IKEEXT -StartType Automatic -Status Stopped
        Set-SimFailure -Command 'sc.exe' -Times 1 -Silent
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe ipsec-services -Type 3) -join "`n") | Should -Match 'step 2 \(service\): verification failed: service PolicyAgent StartupType is Manual, expected Automatic'
        (Get-SimService -Name PolicyAgent).Status | Should -Be 'Running'
    }

    It 'a service that cannot start -> exit 1, "did not reach Running" or the start error logged' {
        Set-SimService -Name PolicyAgent -StartType Manual -Status Stopped -CannotStart
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe ipsec-services -Type 3) -join "`n") | Should -Match 'step 2 \(service\) failed: .*PolicyAgent'
        (Get-SimService -Name RasMan).Status | Should -Be 'Running'
    }

    It 'a slow service: Start-Service waits (its warning goes to the log, not stdout nor the warning stream), exit 0' {
        Set-SimService -Name IKEEXT -DisplayName 'IKE and AuthIP IPsec Keying Modules' -StartType Disabled -Status Stopped -SlowStart
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 0
        @($r.Warnings | Where-Object { $_ -like 'Waiting for service*' }) | Should -BeNullOrEmpty
        ((Get-SimLogText -Recipe ipsec-services) -join "`n") | Should -BeLike "*Waiting for service 'IKE and AuthIP IPsec Keying Modules (IKEEXT)' to start...*"
        @($r.Stdout) | Should -Be @('ipsec-services: fixed (3 step(s) changed and verified)')
    }

    It 'a missing service that must run -> exit 1 and the log says it is not installed' {
        Reset-SimWindows
        Set-SimService -Name PolicyAgent -StartType Automatic -Status Running
        Set-SimService -Name RasMan -StartType Manual -Status Running
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe ipsec-services) -join "`n") | Should -Match 'service IKEEXT Installed is False'
        ((Get-SimLogText -Recipe ipsec-services -Type 3) -join "`n") | Should -Match 'service IKEEXT is not installed on this machine, so it cannot be made Automatic and Running'
        (Get-SimService -Name IKEEXT) | Should -BeNullOrEmpty
        @(Get-SimChanges | Where-Object Command -NE 'Set-Acl').Count | Should -Be 0
    }

    It 'not elevated -> exit 1, "needs an elevated session", nothing changed' {
        Set-SimElevation -Elevated $false
        $before = Get-SimState
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe ipsec-services -Type 3) -join "`n") | Should -Match 'needs an elevated session'
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
    }
}

Describe 'scripts/nat-traversal.ps1 (<Variant>)' -ForEach @(
    @{ Variant = 'with values'; Open = $false }
    @{ Variant = 'open'; Open = $true }
) {
    BeforeEach {
        Reset-SimWindows
        $script:Script = Get-L2tpPath 'scripts/nat-traversal.ps1' -Open:$Open
        # other values of the key must survive
        Set-SimRegistryValue -Path $script:PolicyAgentKey -Name 'Start' -Kind DWord -Value 3
        Set-SimRegistryValue -Path $script:PolicyAgentKey -Name 'ImagePath' -Kind ExpandString -Value '%SystemRoot%\system32\svchost.exe -k NetworkServiceNetworkRestricted -p'
    }

    It 'missing value -> exit 3010 -> DWORD 2, the other values untouched' {
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 3010
        $v = Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName
        $v.Kind | Should -Be 'DWord'
        $v.Value | Should -BeOfType [int]
        $v.Value | Should -Be 2
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name 'Start').Value | Should -Be 3
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name 'ImagePath').Kind | Should -Be 'ExpandString'
        @(Get-SimRegistryValueNames -Path $script:PolicyAgentKey).Count | Should -Be 3
        $r.Stdout | Should -Contain 'nat-traversal: fixed, restart required (1 step(s) changed)'
    }

    It 'wrong kind (REG_SZ "2") -> rewritten as DWORD 2' {
        Set-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName -Kind String -Value '2'
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 3010
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName).Kind | Should -Be 'DWord'
    }

    It 'wrong data (DWORD 0) -> 2' {
        Set-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName -Kind DWord -Value 0
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 3010
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName).Value | Should -Be 2
    }

    It 'missing key -> created' {
        Reset-SimWindows
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 3010
        Test-SimRegistryKey -Path $script:PolicyAgentKey | Should -BeTrue
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName).Value | Should -Be 2
    }

    It 'a second run changes nothing, says "already compliant" and exits 0' {
        $null = Invoke-SimScript -Path $script:Script
        Assert-SecondRunQuiet -Path $script:Script -Id 'nat-traversal'
    }

    It '-WhatIf changes nothing' {
        Assert-WhatIfQuiet -Path $script:Script -Id 'nat-traversal'
    }

    It 'a write that does not stick -> exit 1 (not 3010), "verification failed" logged' {
        Set-SimFailure -Command 'New-ItemProperty' -Silent
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe nat-traversal -Type 3) -join "`n") | Should -Match 'verification failed: .*AssumeUDPEncapsulationContextOnSendRule Data is \(none\), expected 2'
    }

    It 'New-ItemProperty failing -> exit 1 (not 3010), reason logged, value unchanged' {
        Set-SimFailure -Command 'New-ItemProperty' -Message 'Requested registry access is not allowed.'
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe nat-traversal -Type 3) -join "`n") | Should -Match 'step 1 \(registry\) failed: Requested registry access is not allowed'
        Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName | Should -BeNullOrEmpty
    }
}

Describe 'scripts/firewall-ports.ps1' {
    BeforeEach {
        Reset-SimWindows
        $script:Script = Get-L2tpPath 'scripts/firewall-ports.ps1'
    }

    It 'no rules -> exit 0 -> two outbound UDP allow rules in group fixgen on every profile' {
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 0
        $a = Get-SimFirewallRule -Name 'fixgen-l2tp-ipsec-udp-out'
        $b = Get-SimFirewallRule -Name 'fixgen-l2tp-udp-out'
        foreach ($rule in @($a, $b)) {
            $rule.Group | Should -BeExactly 'fixgen'
            $rule.Direction | Should -Be 'Outbound'
            $rule.Action | Should -Be 'Allow'
            $rule.Enabled | Should -Be 'True'
            $rule.Protocol | Should -Be 'UDP'
            $rule.Profile | Should -Be 'Domain, Private, Public'
            $rule.LocalPort | Should -Be @('Any')
        }
        ($a.RemotePort | Sort-Object) | Should -Be @('4500', '500')
        $b.RemotePort | Should -Be @('1701')
        $a.DisplayName | Should -BeExactly 'L2TP/IPsec client - IKE and NAT-T (UDP 500, 4500) out'
    }

    It 'a changed rule (disabled, other port, inbound, block) is corrected in place' {
        $null = Invoke-SimScript -Path $script:Script
        $fixed = Get-SimState
        Add-SimFirewallRule -Name 'fixgen-l2tp-udp-out' -DisplayName 'x' -Description 'Added by fixgen for the L2TP/IPsec client. L2TP control and data.' -Group 'fixgen' -Enabled False -Direction Inbound -Action Block -Profile Public -Protocol UDP -RemotePort 1702
        Clear-SimChanges
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 0
        Compare-SimState $fixed (Get-SimState) | Should -BeNullOrEmpty
        @(Get-SimChanges | ForEach-Object Command) | Should -Be @('Set-NetFirewallRule')
    }

    It 'a rule of that name in another group or with another protocol is replaced' {
        Add-SimFirewallRule -Name 'fixgen-l2tp-udp-out' -DisplayName 'L2TP/IPsec client - L2TP (UDP 1701) out' -Group 'other' -Direction Outbound -Protocol TCP -RemotePort 1701
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 0
        $rule = Get-SimFirewallRule -Name 'fixgen-l2tp-udp-out'
        $rule.Group | Should -BeExactly 'fixgen'
        $rule.Protocol | Should -Be 'UDP'
        (Get-SimChanges | ForEach-Object Command) | Should -Contain 'Remove-NetFirewallRule'
    }

    It 'a second run changes nothing and says "already compliant"' {
        $null = Invoke-SimScript -Path $script:Script
        Assert-SecondRunQuiet -Path $script:Script -Id 'firewall-ports'
    }

    It '-WhatIf changes nothing' {
        Assert-WhatIfQuiet -Path $script:Script -Id 'firewall-ports'
    }

    It 'Set-NetFirewallRule not taking effect -> exit 1, "verification failed" logged' {
        Add-SimFirewallRule -Name 'fixgen-l2tp-udp-out' -Group 'fixgen' -Direction Outbound -Protocol UDP -RemotePort 1702
        Set-SimFailure -Command 'Set-NetFirewallRule' -Silent
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe firewall-ports -Type 3) -join "`n") | Should -Match 'step 2 \(firewall\): verification failed: .*RemotePort'
    }

    It 'New-NetFirewallRule failing for the first rule -> exit 1, reason logged, the second rule still added' {
        Set-SimFailure -Command 'New-NetFirewallRule' -Times 1 -Message 'Access is denied.'
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe firewall-ports -Type 3) -join "`n") | Should -Match 'step 1 \(firewall\) failed: Access is denied'
        Get-SimFirewallRule -Name 'fixgen-l2tp-ipsec-udp-out' | Should -BeNullOrEmpty
        Get-SimFirewallRule -Name 'fixgen-l2tp-udp-out' | Should -Not -BeNullOrEmpty
    }
}

Describe 'scripts/vpn-security.ps1 (<Variant>)' -ForEach @(
    @{ Variant = 'with values'; Open = $false; Key = 'correct-horse-battery'; Parameters = @{} }
    @{ Variant = 'open, key as SecureString'; Open = $true; Key = 'open-param-key'; Parameters = @{ ConnectionName = 'Contoso VPN'; ServerAddress = 'vpn.contoso.com'; PreSharedKey = (ConvertTo-SecureString -String 'open-param-key' -AsPlainText -Force) } }
) {
    BeforeEach {
        Reset-SimWindows
        $script:Script = Get-L2tpPath 'scripts/vpn-security.ps1' -Open:$Open
    }

    It 'an all-users connection on automatic tunnel, PAP, optional encryption -> L2TP, MS-CHAP v2, Required, the key applied' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType Automatic -AuthenticationMethod Pap -EncryptionLevel Optional
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        $c = Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection
        $c.TunnelType | Should -Be 'L2tp'
        $c.AuthenticationMethod | Should -Be @('MSChapv2')
        $c.EncryptionLevel | Should -Be 'Required'
        $c.L2tpIPsecAuth | Should -Be 'Psk'
        $c.Psk | Should -BeExactly $Key
    }

    It 'a missing connection is created with the server address and the key' {
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        $c = Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection
        $c.ServerAddress | Should -Be 'vpn.contoso.com'
        $c.Psk | Should -BeExactly $Key
        $c.TunnelType | Should -Be 'L2tp'
    }

    It 'the key never reaches the log, stdout or warnings' {
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        $log = Get-Content -Raw -LiteralPath (Join-Path $env:windir 'Logs/fixgen/vpn-security.log')
        $log | Should -Not -Match ([regex]::Escape($Key))
        ($r.Stdout + $r.Warnings + $r.Stderr + $r.Verbose) -join "`n" | Should -Not -Match ([regex]::Escape($Key))
        Get-ChildItem -Recurse -File (Join-Path $env:ProgramData 'fixgen') | ForEach-Object { Get-Content -Raw -LiteralPath $_.FullName } | Should -Not -Match ([regex]::Escape($Key))
    }

    It 'a second run changes nothing and says "already compliant"' {
        $null = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        Assert-SecondRunQuiet -Path $script:Script -Id 'vpn-security' -Parameters $Parameters
    }

    It '-WhatIf changes nothing' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -TunnelType Automatic
        Assert-WhatIfQuiet -Path $script:Script -Id 'vpn-security' -Parameters $Parameters
    }

    It 'Set-VpnConnection not taking effect -> exit 1, "verification failed" logged' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -TunnelType Automatic
        Set-SimFailure -Command 'Set-VpnConnection' -Silent
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe vpn-security -Type 3) -join "`n") | Should -Match 'verification failed: .*TunnelType is Automatic, expected L2tp'
    }

    It 'Set-VpnConnection failing -> exit 1 with the reason logged' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -TunnelType Automatic
        Set-SimFailure -Command 'Set-VpnConnection' -Message 'The remote access phonebook is locked.'
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe vpn-security -Type 3) -join "`n") | Should -Match 'step 1 \(vpn\) failed: The remote access phonebook is locked'
        (Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection).TunnelType | Should -Be 'Automatic'
    }

    It 'issue 15.1: right settings but a wrong pre-shared key -> the key is applied; a second run does not touch the connection' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Psk -Psk 'an-old-wrong-key'
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        (Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection).Psk | Should -BeExactly $Key
        Clear-SimChanges
        $again = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $again.ExitCode | Should -Be 0
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
    }

    It 'issue 15.1: the key marker is in a folder only SYSTEM and Administrators can open, and holds no key' {
        $null = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $folder = Join-Path -Path (Join-Path -Path $env:ProgramData -ChildPath 'fixgen') -ChildPath 'vpn'
        $acl = Get-Acl -LiteralPath $folder
        $acl.AreAccessRulesProtected | Should -BeTrue
        @($acl.Rules | ForEach-Object { [string]$_.Sid } | Sort-Object) | Should -Be @('S-1-5-18', 'S-1-5-32-544')
        $files = @(Get-ChildItem -LiteralPath $folder -File)
        $files.Count | Should -Be 1
        $text = Get-Content -Raw -LiteralPath $files[0].FullName
        $text | Should -Match '^[0-9a-f]{64}$'
        $text | Should -Not -Match ([regex]::Escape($Key))
    }

    It 'issue 15.1: a marker planted by a user (folder not owned by SYSTEM/Administrators) does not count' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Psk -Psk 'an-old-wrong-key'
        $null = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $folder = Join-Path -Path (Join-Path -Path $env:ProgramData -ChildPath 'fixgen') -ChildPath 'vpn'
        Set-SimAclOwner -Path $folder -Sid 'S-1-5-21-1-2-3-1001'
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe vpn-security) -join "`n") | Should -Match 'no record that fixgen applied this key'
    }

    It 'issue 15.1: certificate authentication where a key is given -> L2tpIPsecAuth Psk' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Certificate
        $null = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        (Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection).L2tpIPsecAuth | Should -Be 'Psk'
    }

    It 'issue 15.2: a wrong server address is corrected with Set-VpnConnection -ServerAddress' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'old.contoso.com' -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Psk -Psk $Key
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        (Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection).ServerAddress | Should -Be 'vpn.contoso.com'
        $sets = @(Get-SimChanges | Where-Object { $_.Command -eq 'Set-VpnConnection' })
        $sets.Count | Should -Be 1
        $sets[0].Arguments.ServerAddress | Should -Be 'vpn.contoso.com'
    }

    It 'issue 15.3: a per-user connection of the same name is reported in the log (SID and profile), exit 1' {
        Add-SimVpnConnection -Name 'Contoso VPN' -UserSid 'S-1-5-21-1-2-3-1001' -TunnelType Automatic
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $log = (Get-SimLogText -Recipe vpn-security) -join "`n"
        $log | Should -Match 'per-user entry of the same name is S-1-5-21-1-2-3-1001 \('
        $r.ExitCode | Should -Be 1
        # The all-users entry is still created and right.
        (Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection).TunnelType | Should -Be 'L2tp'
    }

    It 'issue 15.3: a per-user connection of another name is not reported' {
        Add-SimVpnConnection -Name 'Other VPN' -UserSid 'S-1-5-21-1-2-3-1001' -TunnelType Automatic
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        ((Get-SimLogText -Recipe vpn-security) -join "`n") | Should -Not -Match 'per-user'
    }
}

Describe 'scripts/recreate-connection.ps1 (<Variant>)' -ForEach @(
    @{ Variant = 'with values'; Open = $false; Key = 'correct-horse-battery'; Parameters = @{} }
    @{ Variant = 'open, key as SecureString'; Open = $true; Key = 'open-param-key'; Parameters = @{ ConnectionName = 'Contoso VPN'; ServerAddress = 'vpn.contoso.com'; PreSharedKey = (ConvertTo-SecureString -String 'open-param-key' -AsPlainText -Force) } }
) {
    BeforeEach {
        Reset-SimWindows
        $script:Script = Get-L2tpPath 'scripts/recreate-connection.ps1' -Open:$Open
    }

    It 'a connection with other settings is removed and added again with the key' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType Sstp -EncryptionLevel Optional -SplitTunneling
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        # Set-Acl: the backup folders, then the marker folder (issue 15.1).
        @(Get-SimChanges | ForEach-Object Command) | Should -Be @('Set-Acl', 'Set-Acl', 'Set-Acl', 'Remove-VpnConnection', 'Add-VpnConnection', 'Set-Acl')
        $c = Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection
        $c.TunnelType | Should -Be 'L2tp'
        $c.SplitTunneling | Should -BeFalse
        $c.RememberCredential | Should -BeTrue
        $c.Psk | Should -BeExactly $Key
    }

    It 'a missing connection is added' {
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        (Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection).Psk | Should -BeExactly $Key
    }

    It 'a second run changes nothing and says "already compliant"' {
        $null = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        Assert-SecondRunQuiet -Path $script:Script -Id 'recreate-connection' -Parameters $Parameters
    }

    It '-WhatIf changes nothing' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -TunnelType Sstp
        Assert-WhatIfQuiet -Path $script:Script -Id 'recreate-connection' -Parameters $Parameters
    }

    It 'Add-VpnConnection failing after the removal -> exit 1 with the reason logged' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -TunnelType Sstp
        Set-SimFailure -Command 'Add-VpnConnection' -Message 'The phone book is corrupted.'
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe recreate-connection -Type 3) -join "`n") | Should -Match 'failed: The phone book is corrupted'
    }

    It 'issue 15.1: a damaged entry with the right settings and a wrong key is recreated with the key' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Psk -Psk 'an-old-wrong-key' -RememberCredential
        $null = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        @(Get-SimChanges | Where-Object { $_.Command -eq 'Remove-VpnConnection' }).Count | Should -Be 1
        (Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection).Psk | Should -BeExactly $Key
    }

    It 'issue 15.1: recreation is one-shot: after drift a second run corrects in place and never removes again' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType Sstp
        $null = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        # Drift after the recreation: the same entry with split tunnelling and optional encryption.
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Optional -L2tpIPsecAuth Psk -Psk $Key -SplitTunneling -RememberCredential
        Clear-SimChanges
        $r = Invoke-SimScript -Path $script:Script -Parameters $Parameters
        $r.ExitCode | Should -Be 0
        @(Get-SimChanges | ForEach-Object Command) | Should -Not -Contain 'Remove-VpnConnection'
        @(Get-SimChanges | ForEach-Object Command) | Should -Contain 'Set-VpnConnection'
        $c = Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection
        $c.SplitTunneling | Should -BeFalse
        $c.EncryptionLevel | Should -Be 'Required'
    }
}

Describe 'scripts/windows-update.ps1' {
    BeforeEach {
        Reset-SimWindows
        $script:Script = Get-L2tpPath 'scripts/windows-update.ps1'
    }

    It 'no pending update and no pending restart -> exit 0, "already compliant", one search' {
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 0
        $r.Stdout | Should -Contain 'windows-update: already compliant'
        (Get-SimWindowsUpdate).Searches | Should -Be 1
    }

    It 'a pending software update -> reported (title in the log), nothing installed, exit 0' {
        Set-SimWindowsUpdate -Updates @(@{ Title = '2026-11 Cumulative Update (KB5099999)'; Categories = @('Security Updates'); KBArticleIDs = @('5099999') })
        $before = Get-SimState
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 0
        $r.Stdout | Should -Contain 'windows-update: reported 1 finding(s); nothing changed'
        ((Get-SimLogText -Recipe windows-update) -join "`n") | Should -Match 'KB5099999'
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
    }

    It 'installed and hidden updates are not pending' {
        Set-SimWindowsUpdate -Updates @(@{ Title = 'A'; IsInstalled = $true }, @{ Title = 'B'; IsHidden = $true }, @{ Title = 'C'; Type = 'Driver' })
        $r = Invoke-SimScript -Path $script:Script
        $r.Stdout | Should -Contain 'windows-update: already compliant'
    }

    It 'the search failing -> exit 1 with the reason logged' {
        Set-SimFailure -Command 'IUpdateSearcher.Search' -Message 'Windows Update service is not running (0x8024A005)'
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe windows-update -Type 3) -join "`n") | Should -Match '0x8024A005'
    }

    It '15.4 a machine with only definition updates pending is compliant' {
        Set-SimWindowsUpdate -Updates @(@{ Title = 'Security Intelligence Update for Microsoft Defender Antivirus - KB2267602'; Categories = @('Definition Updates') })
        $r = Invoke-SimScript -Path $script:Script
        $r.Stdout | Should -Contain 'windows-update: already compliant'
    }

    It '15.4 a run that changed nothing never exits 3010 ("0 step(s) changed")' {
        Set-SimWindowsUpdate -RebootRequired $true
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Not -Be 3010
        ($r.Stdout -join "`n") | Should -Not -Match '0 step\(s\) changed'
    }
}

Describe 'a recipe script that disables and stops a service (built here with FIXGEN_BIN)' {
    BeforeAll {
        $src = Join-Path $env:FIXGEN_TEST_TMP 'svc-src'
        $null = New-Item -ItemType Directory -Path $src -Force
        [System.IO.File]::WriteAllText((Join-Path $src 'bundle.yaml'), "name: SvcFix`ntitle: Services`nversion: 1.0.0`ndescription: Disable a service.`npublisher: fixgen tests`nrecipes: [svc-off]`n")
        [System.IO.File]::WriteAllText((Join-Path $src 'svc-off.yaml'), @'
id: svc-off
title: Disable the Routing and Remote Access service
summary: Sets RemoteAccess to Disabled and stops it; keeps IKEEXT on delayed automatic start.
context: system
reboot: none
steps:
  - service: { name: RemoteAccess, startup: disabled, state: stopped }
  - service: { name: IKEEXT, startup: automatic_delayed }
'@)
        $out = Join-Path $env:FIXGEN_TEST_TMP 'svc-out'
        $output = & $env:FIXGEN_BIN build $src --target scripts --out $out 2>&1
        if ($LASTEXITCODE -ne 0) { throw ('fixgen build failed: ' + ($output -join "`n")) }
        $script:SvcScript = Join-Path $out 'scripts/svc-off.ps1'
    }
    BeforeEach {
        Reset-SimWindows
        Set-SimService -Name IKEEXT -StartType Manual -Status Running
    }

    It 'a running automatic service -> Disabled and Stopped; delayed automatic start set; exit 0' {
        Set-SimService -Name RemoteAccess -StartType Automatic -Status Running
        $r = Invoke-SimScript -Path $script:SvcScript
        $r.ExitCode | Should -Be 0
        (Get-SimService -Name RemoteAccess).StartType | Should -Be 'Disabled'
        (Get-SimService -Name RemoteAccess).Status | Should -Be 'Stopped'
        (Get-SimService -Name IKEEXT).Delayed | Should -BeTrue
        (Get-SimService -Name IKEEXT).StartType | Should -Be 'Automatic'
        @(Get-SimChanges | ForEach-Object Command) | Should -Contain 'Stop-Service'
    }

    It 'a second run changes nothing' {
        Set-SimService -Name RemoteAccess -StartType Automatic -Status Running
        $null = Invoke-SimScript -Path $script:SvcScript
        Assert-SecondRunQuiet -Path $script:SvcScript -Id 'svc-off'
    }

    It 'Stop-Service failing -> exit 1 with the reason logged, the next step still runs' {
        Set-SimService -Name RemoteAccess -StartType Automatic -Status Running
        Set-SimFailure -Command 'Stop-Service' -Message 'The service cannot accept control messages at this time.'
        $r = Invoke-SimScript -Path $script:SvcScript
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe svc-off -Type 3) -join "`n") | Should -Match 'cannot accept control messages'
        (Get-SimService -Name IKEEXT).Delayed | Should -BeTrue
    }

    It '15.5 a service that is not installed satisfies disabled/stopped (exit 0, nothing changed)' {
        $r = Invoke-SimScript -Path $script:SvcScript
        $r.ExitCode | Should -Be 0
        @(Get-SimChanges | Where-Object { $_.Arguments.Name -eq 'RemoteAccess' -or [string]$_.Arguments.Values -match 'RemoteAccess' }) | Should -BeNullOrEmpty
        $second = Invoke-SimScript -Path $script:SvcScript
        $second.ExitCode | Should -Be 0
        $second.Stdout | Should -Contain 'svc-off: already compliant'
    }
}

Describe 'a recipe script that installs Windows updates (built here with FIXGEN_BIN)' {
    BeforeAll {
        $src = Join-Path $env:FIXGEN_TEST_TMP 'wu-src'
        $null = New-Item -ItemType Directory -Path $src -Force
        [System.IO.File]::WriteAllText((Join-Path $src 'bundle.yaml'), "name: WuFix`ntitle: Updates`nversion: 1.0.0`ndescription: Install updates.`npublisher: fixgen tests`nrecipes: [wu-install]`n")
        [System.IO.File]::WriteAllText((Join-Path $src 'wu-install.yaml'), @'
id: wu-install
title: Install pending Windows updates
summary: Downloads and installs the pending software updates; never restarts.
context: system
reboot: none
steps:
  - windows_update: { action: install }
'@)
        $out = Join-Path $env:FIXGEN_TEST_TMP 'wu-out'
        $output = & $env:FIXGEN_BIN build $src --target scripts --out $out 2>&1
        if ($LASTEXITCODE -ne 0) { throw ('fixgen build failed: ' + ($output -join "`n")) }
        $script:WuScript = Join-Path $out 'scripts/wu-install.ps1'
    }
    BeforeEach { Reset-SimWindows }

    It 'pending updates are downloaded and installed; one needs a restart -> exit 3010' {
        Set-SimWindowsUpdate -Updates @(@{ Title = 'KB1'; RebootRequired = $true }, @{ Title = 'KB2' })
        $r = Invoke-SimScript -Path $script:WuScript
        $r.ExitCode | Should -Be 3010
        $u = Get-SimWindowsUpdate
        @($u.Updates | Where-Object { -not $_.IsInstalled }).Count | Should -Be 0
        $u.RebootRequired | Should -BeTrue
        @(Get-SimChanges | ForEach-Object Command) | Should -Contain 'IUpdateInstaller.Install'
    }

    It 'updates without a restart -> exit 0, and a second run finds nothing' {
        Set-SimWindowsUpdate -Updates @(@{ Title = 'KB2' })
        (Invoke-SimScript -Path $script:WuScript).ExitCode | Should -Be 0
        Assert-SecondRunQuiet -Path $script:WuScript -Id 'wu-install'
    }

    It 'an update that needs user input is skipped (logged), the others installed' {
        Set-SimWindowsUpdate -Updates @(@{ Title = 'Interactive'; CanRequestUserInput = $true }, @{ Title = 'KB2' })
        $null = Invoke-SimScript -Path $script:WuScript
        ((Get-SimLogText -Recipe wu-install) -join "`n") | Should -Match 'skipped \(needs user input\): Interactive'
        @((Get-SimWindowsUpdate).Updates | Where-Object { $_.IsInstalled } | ForEach-Object Title) | Should -Be @('KB2')
    }

    It 'the install failing (ResultCode 4) -> exit 1 with the result code logged' {
        Set-SimWindowsUpdate -Updates @(@{ Title = 'KB3' }) -InstallResultCode 4
        $r = Invoke-SimScript -Path $script:WuScript
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe wu-install -Type 3) -join "`n") | Should -Match 'installation failed with result code 4'
    }

    It '-WhatIf installs nothing' {
        Set-SimWindowsUpdate -Updates @(@{ Title = 'KB1' })
        Assert-WhatIfQuiet -Path $script:WuScript -Id 'wu-install'
        @((Get-SimWindowsUpdate).Updates | Where-Object { $_.IsInstalled }).Count | Should -Be 0
    }
}
