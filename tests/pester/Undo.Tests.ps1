# scripts/Undo-<id>.ps1 of the L2TP bundle: after a recipe script changed the machine, Undo brings
# back the state before the first change (Compare-SimState of the snapshot taken before the run
# and after the undo is empty, except what the undo script documents it cannot restore: the VPN
# pre-shared key). A second undo changes nothing; -WhatIf changes nothing; a failing command gives
# exit 1 with a logged reason; no backup means nothing to undo; a backup folder not owned by
# SYSTEM or Administrators is refused.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'sim/SimWindows.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'sim/Scenario.psm1') -Force
    $script:PolicyAgentKey = 'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PolicyAgent'
    $script:NatName = 'AssumeUDPEncapsulationContextOnSendRule'

    function Set-BrokenServices {
        Set-SimService -Name IKEEXT -StartType Disabled -Status Stopped
        Set-SimService -Name PolicyAgent -StartType Manual -Status Stopped
        Set-SimService -Name RasMan -StartType Manual -Status Stopped
    }

    # Fix, then undo; returns the differences between the state before the fix and after the undo.
    function Invoke-FixAndUndo {
        param([string]$Id, [hashtable]$Parameters = @{}, [switch]$Open)
        $before = Get-SimState
        $fix = Invoke-SimScript -Path (Get-L2tpPath ('scripts/' + $Id + '.ps1') -Open:$Open) -Parameters $Parameters
        $fix.ExitCode | Should -BeIn @(0, 3010)
        Compare-SimState $before (Get-SimState) | Should -Not -BeNullOrEmpty -Because 'the fix changes something'
        $undo = Invoke-SimScript -Path (Get-L2tpPath ('scripts/Undo-' + $Id + '.ps1') -Open:$Open)
        $undo.ExitCode | Should -Be 0
        $undo.Stdout | Should -Contain ($Id + ': undone (' + (@(Get-SimLogText -Recipe $Id | Where-Object { $_ -like '*restored and verified' }).Count) + ' item(s) restored and verified)')
        , @(Compare-SimState $before (Get-SimState))
    }
}

Describe 'scripts/Undo-ipsec-services.ps1' {
    BeforeEach { Reset-SimWindows; Set-BrokenServices }

    It 'restores start types and states (Disabled/Manual, Stopped)' {
        $diff = Invoke-FixAndUndo -Id 'ipsec-services'
        $diff | Should -BeNullOrEmpty
        (Get-SimService -Name IKEEXT).StartType | Should -Be 'Disabled'
    }

    It 'restores delayed automatic start' {
        Set-SimService -Name IKEEXT -StartType Automatic -Delayed -Status Stopped
        $diff = Invoke-FixAndUndo -Id 'ipsec-services'
        $diff | Should -BeNullOrEmpty
        (Get-SimService -Name IKEEXT).Delayed | Should -BeTrue
    }

    It 'a second undo changes nothing and says so' {
        $null = Invoke-FixAndUndo -Id 'ipsec-services'
        Clear-SimChanges
        $before = Get-SimState
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1')
        $r.ExitCode | Should -Be 0
        $r.Stdout | Should -Contain 'ipsec-services: nothing to undo (already undone; every backup is marked restored)'
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
    }

    It 'undo -WhatIf changes nothing' {
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/ipsec-services.ps1')
        Clear-SimChanges
        $before = Get-SimState
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1') -WhatIf
        $r.ExitCode | Should -Be 0
        $r.Stdout | Should -Contain 'ipsec-services: 3 item(s) would be restored (WhatIf)'
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
    }

    It 'sc.exe failing during undo -> exit 1 with the reason logged, the other services still restored' {
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/ipsec-services.ps1')
        Set-SimFailure -Command 'sc.exe' -Times 1 -Message 'Access is denied.'
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1')
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe ipsec-services -Type 3) -join "`n") | Should -Match 'undo: service .* failed: sc\.exe config .* failed with exit code 5'
        $r.Stdout | Should -Contain 'ipsec-services: undo FAILED (1 item(s); see the log)'
        # items are restored in reverse order: RasMan and PolicyAgent before IKEEXT
        (Get-SimService -Name RasMan).Status | Should -Be 'Stopped'
    }

    It 'no backup -> "nothing to undo", exit 0, nothing changed' {
        $before = Get-SimState
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1')
        $r.ExitCode | Should -Be 0
        $r.Stdout | Should -Contain 'ipsec-services: nothing to undo (no backup)'
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
    }

    It 'a backup folder owned by a user is refused: exit 1, nothing restored' {
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/ipsec-services.ps1')
        Set-SimAclOwner -Path (Join-Path $env:ProgramData 'fixgen/backup') -Sid 'S-1-5-21-1-2-3-1001'
        $before = Get-SimState
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1')
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe ipsec-services -Type 3) -join "`n") | Should -Match 'not owned by SYSTEM or Administrators'
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
    }

    It 'not elevated -> exit 1, nothing restored' {
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/ipsec-services.ps1')
        Set-SimElevation -Elevated $false
        $before = Get-SimState
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1')
        $r.ExitCode | Should -Be 1
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
    }

    It '15.6 drift, rerun, undo -> the original state' {
        $original = Get-SimState
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/ipsec-services.ps1')
        Start-Sleep -Milliseconds 20
        Set-SimService -Name IKEEXT -StartType Disabled -Status Stopped
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/ipsec-services.ps1')
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1')
        $r.ExitCode | Should -Be 0
        Compare-SimState $original (Get-SimState) | Should -BeNullOrEmpty
    }

    It '15.6 an undone backup is marked restored; the next fix and undo return to the state before that fix' {
        $folder = Join-Path $env:ProgramData 'fixgen/backup/ipsec-services'
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/ipsec-services.ps1')
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1')
        @(Get-ChildItem -LiteralPath $folder -Filter '*.restored.json').Count | Should -Be 1
        @(Get-ChildItem -LiteralPath $folder -Filter '*.json' | Where-Object { $_.Name -notlike '*.restored.json' }).Count | Should -Be 0
        # The admin now sets another state by hand; a fix and an undo return to it, not to the first one.
        Set-SimService -Name PolicyAgent -StartType Manual -Status Running
        $manual = Get-SimState
        Start-Sleep -Milliseconds 20
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/ipsec-services.ps1')
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1')
        $r.ExitCode | Should -Be 0
        Compare-SimState $manual (Get-SimState) | Should -BeNullOrEmpty
    }

    It '15.6 at most 10 backups are kept, and the oldest un-restored one (the original state) stays' {
        $folder = Join-Path $env:ProgramData 'fixgen/backup/ipsec-services'
        $original = Get-SimState
        for ($i = 0; $i -lt 12; $i++) {
            $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/ipsec-services.ps1')
            Start-Sleep -Milliseconds 5
            Set-SimService -Name IKEEXT -StartType Disabled -Status Stopped
        }
        @(Get-ChildItem -LiteralPath $folder -Filter '*.json').Count | Should -Be 10
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-ipsec-services.ps1')
        $r.ExitCode | Should -Be 0
        Compare-SimState $original (Get-SimState) | Should -BeNullOrEmpty
    }
}

Describe 'scripts/Undo-nat-traversal.ps1 (<Variant>)' -ForEach @(
    @{ Variant = 'with values'; Open = $false }
    @{ Variant = 'open'; Open = $true }
) {
    BeforeEach {
        Reset-SimWindows
        Set-SimRegistryValue -Path $script:PolicyAgentKey -Name 'Start' -Kind DWord -Value 3
    }

    It 'a missing value is deleted again, the key and its other values stay' {
        $diff = Invoke-FixAndUndo -Id 'nat-traversal' -Open:$Open
        $diff | Should -BeNullOrEmpty
        Test-SimRegistryKey -Path $script:PolicyAgentKey | Should -BeTrue
    }

    It 'a DWORD 0 comes back as DWORD 0' {
        Set-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName -Kind DWord -Value 0
        (Invoke-FixAndUndo -Id 'nat-traversal' -Open:$Open) | Should -BeNullOrEmpty
    }

    It 'a REG_SZ "2" comes back as REG_SZ' {
        Set-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName -Kind String -Value '2'
        (Invoke-FixAndUndo -Id 'nat-traversal' -Open:$Open) | Should -BeNullOrEmpty
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName).Kind | Should -Be 'String'
    }

    It 'a DWORD 4294967295 (unsigned) comes back with the same bits' {
        Set-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName -Kind DWord -Value 4294967295
        (Invoke-FixAndUndo -Id 'nat-traversal' -Open:$Open) | Should -BeNullOrEmpty
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName).Value | Should -Be -1
    }

    It 'a key fixgen created is deleted again' {
        Reset-SimWindows
        New-SimRegistryKey -Path 'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services'
        (Invoke-FixAndUndo -Id 'nat-traversal' -Open:$Open) | Should -BeNullOrEmpty
        Test-SimRegistryKey -Path $script:PolicyAgentKey | Should -BeFalse
    }

    It 'deleting the value failing during undo -> exit 1 with the reason logged' {
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/nat-traversal.ps1' -Open:$Open)
        Set-SimFailure -Command 'RegistryKey.DeleteValue' -Message 'Requested registry access is not allowed.'
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-nat-traversal.ps1' -Open:$Open)
        $r.ExitCode | Should -Be 1
        ((Get-SimLogText -Recipe nat-traversal -Type 3) -join "`n") | Should -Match 'Requested registry access is not allowed'
        (Get-SimRegistryValue -Path $script:PolicyAgentKey -Name $script:NatName).Value | Should -Be 2
    }
}

Describe 'scripts/Undo-firewall-ports.ps1' {
    BeforeEach { Reset-SimWindows }

    It 'rules fixgen added are removed again' {
        (Invoke-FixAndUndo -Id 'firewall-ports') | Should -BeNullOrEmpty
        Get-SimFirewallRule -Name 'fixgen-l2tp-udp-out' | Should -BeNullOrEmpty
    }

    It 'a rule fixgen corrected gets its old settings back' {
        Add-SimFirewallRule -Name 'fixgen-l2tp-udp-out' -DisplayName 'old name' -Description 'old' -Group 'fixgen' -Enabled False -Direction Outbound -Action Block -Profile Domain -Protocol UDP -RemotePort 1702
        (Invoke-FixAndUndo -Id 'firewall-ports') | Should -BeNullOrEmpty
        (Get-SimFirewallRule -Name 'fixgen-l2tp-udp-out').RemotePort | Should -Be @('1702')
    }

    It 'a second undo changes nothing' {
        $null = Invoke-FixAndUndo -Id 'firewall-ports'
        Clear-SimChanges
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-firewall-ports.ps1')
        $r.ExitCode | Should -Be 0
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
    }
}

Describe 'scripts/Undo-vpn-security.ps1 (<Variant>)' -ForEach @(
    @{ Variant = 'with values'; Open = $false; Parameters = @{} }
    @{ Variant = 'open'; Open = $true; Parameters = @{ ConnectionName = 'Contoso VPN'; ServerAddress = 'vpn.contoso.com'; PreSharedKey = (ConvertTo-SecureString -String 'open-param-key' -AsPlainText -Force) } }
) {
    BeforeEach { Reset-SimWindows }

    It 'a connection fixgen created is removed again' {
        (Invoke-FixAndUndo -Id 'vpn-security' -Open:$Open -Parameters $Parameters) | Should -BeNullOrEmpty
        Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection | Should -BeNullOrEmpty
    }

    It 'a corrected connection gets its settings back; only the pre-shared key (documented as not restorable) differs' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType Automatic -AuthenticationMethod Pap, Chap -EncryptionLevel Optional -L2tpIPsecAuth Psk -Psk 'the-old-key'
        $diff = Invoke-FixAndUndo -Id 'vpn-security' -Open:$Open -Parameters $Parameters
        @($diff | Where-Object { $_ -notmatch '/Psk:' }) | Should -BeNullOrEmpty
        $c = Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection
        $c.TunnelType | Should -Be 'Automatic'
        $c.EncryptionLevel | Should -Be 'Optional'
        ($c.AuthenticationMethod | Sort-Object) | Should -Be @('Chap', 'Pap')
    }
}

Describe 'scripts/Undo-recreate-connection.ps1' {
    BeforeEach { Reset-SimWindows }

    It 'a connection fixgen added is removed again' {
        (Invoke-FixAndUndo -Id 'recreate-connection') | Should -BeNullOrEmpty
    }

    It 'a recreated connection gets its settings back (not its key or phonebook GUID)' {
        Add-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection -ServerAddress 'vpn.contoso.com' -TunnelType Sstp -EncryptionLevel Optional -SplitTunneling
        $diff = Invoke-FixAndUndo -Id 'recreate-connection'
        @($diff | Where-Object { $_ -notmatch '/(Psk|Guid|L2tpIPsecAuth):' }) | Should -BeNullOrEmpty
        (Get-SimVpnConnection -Name 'Contoso VPN' -AllUserConnection).TunnelType | Should -Be 'Sstp'
    }
}

Describe 'scripts/Undo-windows-update.ps1' {
    It 'the scan changes nothing, so there is nothing to undo' {
        Reset-SimWindows
        Set-SimWindowsUpdate -Updates @(@{ Title = 'KB1' })
        $null = Invoke-SimScript -Path (Get-L2tpPath 'scripts/windows-update.ps1')
        $before = Get-SimState
        $r = Invoke-SimScript -Path (Get-L2tpPath 'scripts/Undo-windows-update.ps1')
        $r.ExitCode | Should -Be 0
        $r.Stdout | Should -Contain 'windows-update: nothing to undo (no backup)'
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
    }
}
