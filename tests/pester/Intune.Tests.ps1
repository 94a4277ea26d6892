# Intune Remediations packages of the L2TP bundle (intune/<id>/ and intune/L2tpIpsecFix/), run
# as Intune runs them (no parameters, 64-bit, as SYSTEM) against the simulated Windows.
# Assertions read the machine state and the journal of the sim, and the scripts' own output and
# exit codes; never the text of the generated code. Issue 13 item 4; README "Intune output".

BeforeDiscovery {
    $intune = Join-Path -Path $env:FIXGEN_L2TP_BUNDLE -ChildPath 'intune'
    # Every package the build wrote; the bundle package fixes every recipe ('all').
    $Packages = @(Get-ChildItem -LiteralPath $intune -Directory | Sort-Object -Property Name | ForEach-Object {
            $recipe = $_.Name
            if ($_.Name -eq 'L2tpIpsecFix') { $recipe = 'all' }
            @{ Package = $_.Name; Dir = $_.FullName; Recipe = $recipe }
        })
    # Packages whose remediation changes something (windows-update only reports: its own Describe).
    $Changing = @($Packages | Where-Object { $_.Package -ne 'windows-update' })
    # A command the remediation calls on the broken state, per package, to make fail.
    $FailCommand = @{
        'ipsec-services'      = 'Start-Service'
        'nat-traversal'       = 'New-ItemProperty'
        'vpn-security'        = 'Set-VpnConnection'
        'firewall-ports'      = 'New-NetFirewallRule'
        'recreate-connection' = 'Add-VpnConnection'
        # Not Set-VpnConnection: recreate-connection would then rebuild the connection and
        # leave the machine compliant (the bundle still exits 1, as a step failed).
        'L2tpIpsecFix'        = 'Start-Service'
    }
    $Failing = @($Changing | ForEach-Object { $_ + @{ Command = $FailCommand[$_.Package] } })
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'sim/SimWindows.psm1') -Force
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'sim/Scenario.psm1') -Force
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'L2tpStates.psm1') -Force
    $script:IntuneDir = Join-Path -Path $env:FIXGEN_L2TP_BUNDLE -ChildPath 'intune'

    function Get-BrokenFor([string]$Recipe) {
        # The bundle package's broken state leaves Windows Update alone: a pending update keeps
        # its detection red by design today (see the windows-update Describe).
        if ($Recipe -eq 'all') { return @('ipsec-services', 'nat-traversal', 'vpn-security', 'firewall-ports', 'recreate-connection') }
        return @($Recipe)
    }
}

Describe 'Intune package <Package>: broken -> detect 1 -> remediate 0 -> right -> detect 0' -ForEach $Changing {
    BeforeAll {
        Initialize-L2tpMachine
        foreach ($r in (Get-BrokenFor $Recipe)) { Set-L2tpBroken -Recipe $r }
        $brokenProblems = @(foreach ($r in (Get-BrokenFor $Recipe)) { Get-L2tpProblem -Recipe $r })
        $detectBroken = Invoke-Observed -Path (Join-Path $Dir 'detect.ps1') -Label 'detection on the broken state'
        $remediate = Invoke-Observed -Path (Join-Path $Dir 'remediate.ps1') -Label 'remediation'
        $problemsAfter = @(foreach ($r in (Get-BrokenFor $Recipe)) { Get-L2tpProblem -Recipe $r })
        $detectFixed = Invoke-Observed -Path (Join-Path $Dir 'detect.ps1') -Label 'detection after remediation'
        $remediateAgain = Invoke-Observed -Path (Join-Path $Dir 'remediate.ps1') -Label 'second remediation'
        $detectAgain = Invoke-Observed -Path (Join-Path $Dir 'detect.ps1') -Label 'detection after the second remediation'
        $runs = @($detectBroken, $remediate, $detectFixed, $remediateAgain, $detectAgain)
    }

    It 'the scenario starts from a broken state (the sim says so)' {
        $brokenProblems | Should -Not -BeNullOrEmpty
    }

    It 'detection exits 1 on the broken state' {
        $detectBroken.ExitCode | Should -Be 1 -Because ($detectBroken.Stdout -join ' ')
    }

    It 'remediation exits 0 (a needed restart goes into the line, never exit 3010)' {
        $remediate.ExitCode | Should -Be 0 -Because ($remediate.Stdout -join ' ')
        $remediate.Changes | Should -Not -BeNullOrEmpty
    }

    It 'the state is right after remediation' {
        $problemsAfter | Should -BeNullOrEmpty
    }

    It 'detection exits 0 after remediation' {
        $detectFixed.ExitCode | Should -Be 0 -Because ($detectFixed.Stdout -join ' ')
    }

    It 'a second remediation exits 0 and changes nothing' {
        $remediateAgain.ExitCode | Should -Be 0 -Because ($remediateAgain.Stdout -join ' ')
        (Format-SimChanges $remediateAgain.Changes) | Should -BeNullOrEmpty
        $remediateAgain.Diff | Should -BeNullOrEmpty
        $detectAgain.ExitCode | Should -Be 0
    }

    It 'detection never changes anything (journal and state)' {
        foreach ($d in @($detectBroken, $detectFixed, $detectAgain)) {
            (Format-SimChanges $d.Changes) | Should -BeNullOrEmpty -Because $d.Label
            $d.Diff | Should -BeNullOrEmpty -Because $d.Label
        }
    }

    It 'every run prints exactly one line of at most 2,048 characters and nothing else' {
        @(foreach ($run in $runs) { Get-IntuneOutputProblem -Run $run }) | Should -BeNullOrEmpty
    }
}

Describe 'Intune package <Package>: a command that fails' -ForEach $Failing {
    BeforeAll {
        $message = "simulated failure of $Command (scen2)"
        Initialize-L2tpMachine
        foreach ($r in (Get-BrokenFor $Recipe)) { Set-L2tpBroken -Recipe $r }
        Set-SimFailure -Command $Command -Message $message
        $remediate = Invoke-Observed -Path (Join-Path $Dir 'remediate.ps1') -Label "remediation with $Command failing"
        $detect = Invoke-Observed -Path (Join-Path $Dir 'detect.ps1') -Label "detection after $Command failed"
        $line = [string](@($remediate.Stdout) | Select-Object -First 1)
        $logFile = Join-Path -Path $env:windir -ChildPath ('Logs\fixgen\' + $Package + '.log')
    }

    It 'remediation exits 1' {
        $remediate.ExitCode | Should -Be 1 -Because $line
    }

    It 'detection still exits 1 (the failed change is not reported as compliant)' {
        $detect.ExitCode | Should -Be 1 -Because ([string]$detect.Stdout)
    }

    It 'both follow the Intune output rules' {
        @(Get-IntuneOutputProblem -Run $remediate; Get-IntuneOutputProblem -Run $detect) | Should -BeNullOrEmpty
    }

    It 'the log names the reason' {
        Test-Path -LiteralPath $logFile | Should -BeTrue
        (Get-Content -LiteralPath $logFile -Raw) | Should -BeLike "*$message*"
    }

    # Intune shows the output line, not the log: the line carries the first failure's reason.
    It 'the output line names the failed recipe and the reason' {
        $line | Should -BeLike "*$message*"
    }
}

Describe 'Intune package <Package>: a change that does not stick (the verifying read)' -ForEach $Failing {
    BeforeAll {
        Initialize-L2tpMachine
        foreach ($r in (Get-BrokenFor $Recipe)) { Set-L2tpBroken -Recipe $r }
        # The command reports success and changes nothing.
        Set-SimFailure -Command $Command -Silent
        $remediate = Invoke-Observed -Path (Join-Path $Dir 'remediate.ps1') -Label "remediation, $Command not sticking"
        $detect = Invoke-Observed -Path (Join-Path $Dir 'detect.ps1') -Label "detection after $Command did not stick"
    }

    It 'remediation exits 1 and detection still exits 1' {
        $remediate.ExitCode | Should -Be 1 -Because ([string]$remediate.Stdout)
        $detect.ExitCode | Should -Be 1
        @(Get-IntuneOutputProblem -Run $remediate; Get-IntuneOutputProblem -Run $detect) | Should -BeNullOrEmpty
    }
}

Describe 'Intune package L2tpIpsecFix: one recipe failing does not stop the others' {
    BeforeAll {
        $dir = Join-Path -Path $script:IntuneDir -ChildPath 'L2tpIpsecFix'
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'all'
        Set-L2tpFixed -Recipe 'windows-update'
        # Only the firewall recipe can fail: New-NetFirewallRule.
        Set-SimFailure -Command 'New-NetFirewallRule' -Message 'simulated: the firewall service refused the rule'
        $remediate = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'bundle remediation, firewall failing'
    }

    It 'exits 1 and the recipes after the failed one are still fixed' {
        $remediate.ExitCode | Should -Be 1
        Get-L2tpProblem -Recipe 'ipsec-services' | Should -BeNullOrEmpty
        Get-L2tpProblem -Recipe 'nat-traversal' | Should -BeNullOrEmpty
        Get-L2tpProblem -Recipe 'recreate-connection' | Should -BeNullOrEmpty
        Get-L2tpProblem -Recipe 'firewall-ports' | Should -Not -BeNullOrEmpty
        Get-IntuneOutputProblem -Run $remediate | Should -BeNullOrEmpty
    }
}

Describe 'Intune package firewall-ports: a very long finding' {
    BeforeAll {
        $dir = Join-Path -Path $script:IntuneDir -ChildPath 'firewall-ports'
        Initialize-L2tpMachine
        Set-L2tpFixed -Recipe 'firewall-ports'
        # Someone put a 3,000-character description on one of the rules: detection names it.
        Add-SimFirewallRule -Name 'fixgen-l2tp-udp-out' -DisplayName 'L2TP/IPsec client - L2TP (UDP 1701) out' -Description ('x' * 3000) -Group 'fixgen' -Enabled True -Direction Outbound -Action Allow -Profile 'Domain, Private, Public' -Protocol UDP -RemotePort @('1701')
        $detect = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, 3,000-character description'
    }

    It 'detection exits 1 and its one line is cut to at most 2,048 characters' {
        $detect.ExitCode | Should -Be 1
        Get-IntuneOutputProblem -Run $detect | Should -BeNullOrEmpty
        ([string]$detect.Stdout[0]) | Should -BeLike '* ...'
    }
}

Describe 'Intune package nat-traversal: the restart' {
    BeforeAll {
        $dir = Join-Path -Path $script:IntuneDir -ChildPath 'nat-traversal'
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'nat-traversal'
        $remediate = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation'
    }

    It 'exits 0 and says in its line that a restart is required, without restarting' {
        $remediate.ExitCode | Should -Be 0
        [string]$remediate.Stdout | Should -Match 'RESTART REQUIRED'
        @($remediate.Changes | Where-Object { [string]$_.Command -match 'Restart-Computer|shutdown' }) | Should -BeNullOrEmpty
    }
}

Describe 'Intune package vpn-security: connection states' {
    BeforeAll {
        $dir = Join-Path -Path $script:IntuneDir -ChildPath 'vpn-security'
        $v = Get-L2tpValue
    }

    It 'a missing connection: detection exits 1, remediation creates it with the key, detection exits 0' {
        Initialize-L2tpMachine
        $d1 = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, no connection'
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, no connection'
        $d2 = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection after creating'
        $d1.ExitCode | Should -Be 1
        $r.ExitCode | Should -Be 0
        Get-L2tpProblem -Recipe 'vpn-security' | Should -BeNullOrEmpty
        $c = Get-SimVpnConnection -Name $v.ConnectionName -AllUserConnection
        $c.ServerAddress | Should -Be $v.ServerAddress
        $adds = @($r.Changes | Where-Object { $_.Command -eq 'Add-VpnConnection' })
        $adds.Count | Should -Be 1
        @($adds[0].Arguments.Keys) | Should -Contain 'L2tpPsk'
        $d2.ExitCode | Should -Be 0
        @(Get-IntuneOutputProblem -Run $d1; Get-IntuneOutputProblem -Run $r; Get-IntuneOutputProblem -Run $d2) | Should -BeNullOrEmpty
    }

    It '15.1 existing connection, right settings, wrong PSK -> detection 1 -> remediation applies the PSK -> detection 0 -> a second remediation does not touch the connection' {
        Initialize-L2tpMachine
        Add-SimVpnConnection -Name $v.ConnectionName -AllUserConnection -ServerAddress $v.ServerAddress -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Psk -Psk 'old-key' -RememberCredential
        $d1 = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, wrong key'
        $r1 = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, wrong key'
        $d2 = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection after the key was applied'
        $r2 = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'second remediation'
        $d1.ExitCode | Should -Be 1
        [string]$d1.Stdout | Should -Match 'PreSharedKey'
        $r1.ExitCode | Should -Be 0
        $sets = @($r1.Changes | Where-Object { $_.Command -eq 'Set-VpnConnection' })
        $sets.Count | Should -Be 1
        @($sets[0].Arguments.Keys) | Should -Contain 'L2tpPsk'
        (Get-SimVpnConnection -Name $v.ConnectionName -AllUserConnection).Psk | Should -BeExactly $v.PreSharedKey
        $d2.ExitCode | Should -Be 0
        $r2.ExitCode | Should -Be 0
        @($r2.Changes) | Should -BeNullOrEmpty
        @(Get-IntuneOutputProblem -Run $d1; Get-IntuneOutputProblem -Run $r1; Get-IntuneOutputProblem -Run $d2) | Should -BeNullOrEmpty
    }

    It '15.1 a new key in a new build (another marker) makes the connection non-compliant' {
        Initialize-L2tpMachine
        $null = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation'
        # What a remediation of an earlier build with another key left: its id in the marker.
        $folder = Join-Path -Path (Join-Path -Path $env:ProgramData -ChildPath 'fixgen') -ChildPath 'vpn'
        $marker = @(Get-ChildItem -LiteralPath $folder -File -Filter 'psk-*')[0].FullName
        [System.IO.File]::WriteAllText($marker, ('0' * 64))
        $d = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, key of an earlier build'
        $d.ExitCode | Should -Be 1
        [string]$d.Stdout | Should -Match 'another key'
    }

    It '15.1 the detection script never holds the key' {
        $text = Get-Content -Raw -LiteralPath (Join-Path $dir 'detect.ps1')
        $text | Should -Not -Match ([regex]::Escape($v.PreSharedKey))
    }

    It '15.1 certificate authentication instead of the key: remediation sets the key' {
        Initialize-L2tpMachine
        Add-SimVpnConnection -Name $v.ConnectionName -AllUserConnection -ServerAddress $v.ServerAddress -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Certificate
        $null = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, certificate auth'
        Get-L2tpProblem -Recipe 'vpn-security' | Should -BeNullOrEmpty
    }

    It '15.2 wrong server address -> detection 1 -> remediation sets it (Set-VpnConnection -ServerAddress) -> detection 0' {
        Initialize-L2tpMachine
        $null = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, no connection'
        $c = Get-SimVpnConnection -Name $v.ConnectionName -AllUserConnection
        Add-SimVpnConnection -Name $v.ConnectionName -AllUserConnection -ServerAddress 'old.contoso.com' -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Psk -Psk $v.PreSharedKey -RememberCredential:([bool]$c.RememberCredential)
        $d1 = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, old server'
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, old server'
        $d2 = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection after remediation'
        $d1.ExitCode | Should -Be 1
        [string]$d1.Stdout | Should -Match 'ServerAddress'
        $sets = @($r.Changes | Where-Object { $_.Command -eq 'Set-VpnConnection' })
        $sets.Count | Should -Be 1
        $sets[0].Arguments.ServerAddress | Should -Be $v.ServerAddress
        $d2.ExitCode | Should -Be 0
    }

    It '15.3 a per-user connection of the same name is reported in the detection line' {
        Initialize-L2tpMachine
        $null = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation'
        Add-SimVpnConnection -Name $v.ConnectionName -UserSid 'S-1-5-21-1004336348-1177238915-682003330-1001' -ServerAddress $v.ServerAddress -TunnelType Automatic -AuthenticationMethod Pap -EncryptionLevel Optional -L2tpIPsecAuth Psk -Psk 'old-key'
        $d = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, broken per-user entry'
        # The user keeps dialling the broken entry: not compliant, and the line says why.
        $d.ExitCode | Should -Be 1
        [string]$d.Stdout | Should -Match 'per-user entry of the same name is S-1-5-21-1004336348-1177238915-682003330-1001'
        Get-IntuneOutputProblem -Run $d | Should -BeNullOrEmpty
        # The remediation (SYSTEM) cannot fix a user's phonebook: it changes nothing and says so.
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, broken per-user entry'
        $r.ExitCode | Should -Be 1
        @($r.Changes | Where-Object { $_.Command -like '*-VpnConnection' }) | Should -BeNullOrEmpty
        ((Get-SimLogText -Recipe vpn-security -Type 3) -join "`n") | Should -Match 'verification failed: .*per-user entry of the same name'
    }
}

Describe 'Intune package windows-update (report only)' {
    BeforeAll {
        $dir = Join-Path -Path $script:IntuneDir -ChildPath 'windows-update'
        $cumulative = New-L2tpUpdate
        $definition = New-L2tpUpdate -Definition
    }

    It 'nothing pending: detection exits 0, remediation exits 0 and changes nothing' {
        Initialize-L2tpMachine
        $d = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, nothing pending'
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, nothing pending'
        $d.ExitCode | Should -Be 0
        $r.ExitCode | Should -Be 0
        (Format-SimChanges $r.Changes) | Should -BeNullOrEmpty
        @(Get-IntuneOutputProblem -Run $d; Get-IntuneOutputProblem -Run $r) | Should -BeNullOrEmpty
    }

    It 'a pending update: remediation reports it, exits 0 and installs nothing' {
        Initialize-L2tpMachine
        Set-SimWindowsUpdate -Updates @($cumulative) -RebootRequired $false
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, one update pending'
        $r.ExitCode | Should -Be 0
        (Format-SimChanges $r.Changes) | Should -BeNullOrEmpty
        $r.Diff | Should -BeNullOrEmpty
        Get-IntuneOutputProblem -Run $r | Should -BeNullOrEmpty
    }

    It 'detection never changes anything and follows the output rules' {
        Initialize-L2tpMachine
        Set-SimWindowsUpdate -Updates @($cumulative, $definition) -RebootRequired $true
        $d = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, updates and restart pending'
        (Format-SimChanges $d.Changes) | Should -BeNullOrEmpty
        $d.Diff | Should -BeNullOrEmpty
        Get-IntuneOutputProblem -Run $d | Should -BeNullOrEmpty
    }

    # Issue 15 item 4: a report-only step must not decide the detection exit code
    It '15.4 a pending cumulative update does not keep detection red after remediation' {
        Initialize-L2tpMachine
        Set-SimWindowsUpdate -Updates @($cumulative) -RebootRequired $false
        $null = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation'
        $d = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection after remediation'
        $d.ExitCode | Should -Be 0
    }

    # Issue 15 item 4: definition updates do not count as pending
    It '15.4 a machine with only definition updates pending is compliant (detection exits 0)' {
        Initialize-L2tpMachine
        Set-SimWindowsUpdate -Updates @($definition) -RebootRequired $false
        $d = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, definition update only'
        $d.ExitCode | Should -Be 0
    }

    # Issue 15 item 4: never "fixed, restart required (0 step(s) changed)"
    It '15.4 a pending restart and no change: remediation does not claim a fix' {
        Initialize-L2tpMachine
        Set-SimWindowsUpdate -Updates @() -RebootRequired $true
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, restart pending'
        (Format-SimChanges $r.Changes) | Should -BeNullOrEmpty
        [string]$r.Stdout | Should -Not -Match '\bfixed\b'
    }

    # Issue 15 item 4: Windows Update must not keep the bundle detection red forever
    It '15.4 the bundle package with a pending cumulative update turns green after remediation' {
        $bundle = Join-Path -Path $script:IntuneDir -ChildPath 'L2tpIpsecFix'
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'all'
        $null = Invoke-Observed -Path (Join-Path $bundle 'remediate.ps1') -Label 'bundle remediation'
        $d = Invoke-Observed -Path (Join-Path $bundle 'detect.ps1') -Label 'bundle detection after remediation'
        $d.ExitCode | Should -Be 0
    }
}

Describe 'Intune package ipsec-services: a service that is not installed' {
    BeforeAll {
        $dir = Join-Path -Path $script:IntuneDir -ChildPath 'ipsec-services'
    }

    It 'IKEEXT missing: detection exits 1, remediation exits 1 and the log says the service is missing' {
        Initialize-L2tpMachine -MissingService 'IKEEXT'
        $d = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection, IKEEXT missing'
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, IKEEXT missing'
        $d.ExitCode | Should -Be 1
        (Format-SimChanges $d.Changes) | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 1
        @(Get-IntuneOutputProblem -Run $d; Get-IntuneOutputProblem -Run $r) | Should -BeNullOrEmpty
        (Get-Content -LiteralPath (Join-Path $env:windir 'Logs\fixgen\ipsec-services.log') -Raw) | Should -Match 'IKEEXT'
    }

    It '15.5 a service that must run but is not installed: remediation exits 1 and the log says it is not installed' {
        Initialize-L2tpMachine -MissingService 'IKEEXT'
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, IKEEXT missing'
        $r.ExitCode | Should -Be 1
        ((Get-Content -LiteralPath (Join-Path $env:windir 'Logs\fixgen\ipsec-services.log') -Raw) -replace '\s+', ' ') | Should -Match 'service IKEEXT is not installed'
    }

    It '15.5 a slow service start: "Waiting for service" goes to the log, never into the output line' {
        Initialize-L2tpMachine
        Set-SimService -Name 'IKEEXT' -DisplayName 'IKE and AuthIP IPsec Keying Modules' -StartType Manual -Status Stopped -SlowStart
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, IKEEXT starts slowly'
        $r.ExitCode | Should -Be 0
        (Get-SimService -Name 'IKEEXT').Status | Should -Be 'Running'
        Get-IntuneOutputProblem -Run $r | Should -BeNullOrEmpty
        (Get-Content -LiteralPath (Join-Path $env:windir 'Logs\fixgen\ipsec-services.log') -Raw) | Should -Match 'Waiting for service'
    }
}

Describe 'Intune package vpn-security built without a pre-shared key (optional: keep the key)' {
    BeforeAll {
        # Built here with FIXGEN_BIN from the recipe alone: ConnectionName and ServerAddress only.
        $out = Join-Path -Path $env:FIXGEN_TEST_TMP -ChildPath 'intune-no-psk'
        $values = Join-Path -Path $env:FIXGEN_TEST_TMP -ChildPath 'intune-no-psk.yaml'
        $v = Get-L2tpValue
        Set-Content -LiteralPath $values -Value @("ConnectionName: $($v.ConnectionName)", "ServerAddress: $($v.ServerAddress)") -Encoding utf8
        $recipe = Join-Path -Path $PSScriptRoot -ChildPath '../../recipes/l2tp/vpn-security.yaml'
        $log = & $env:FIXGEN_BIN build $recipe --values $values --target intune --out $out 2>&1
        $buildExit = $LASTEXITCODE
        $dir = Join-Path -Path $out -ChildPath 'intune/vpn-security'
    }

    It 'builds' {
        $buildExit | Should -Be 0 -Because ($log -join "`n")
        Test-Path -LiteralPath (Join-Path $dir 'remediate.ps1') | Should -BeTrue
    }

    It 'broken settings: detection 1, remediation corrects them and keeps the key the connection has, detection 0' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'vpn-security'
        $d1 = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection'
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation without a key'
        $d2 = Invoke-Observed -Path (Join-Path $dir 'detect.ps1') -Label 'detection after'
        $d1.ExitCode | Should -Be 1
        $r.ExitCode | Should -Be 0
        $d2.ExitCode | Should -Be 0
        $c = Get-SimVpnConnection -Name $v.ConnectionName -AllUserConnection
        [string]$c.TunnelType | Should -Be 'L2tp'
        [string]$c.EncryptionLevel | Should -Be 'Required'
        [string]$c.Psk | Should -Be 'old-key'
        @(Get-IntuneOutputProblem -Run $d1; Get-IntuneOutputProblem -Run $r; Get-IntuneOutputProblem -Run $d2) | Should -BeNullOrEmpty
    }

    It 'no connection and no key: remediation creates it with the settings (README) and passes no key' {
        Initialize-L2tpMachine
        $r = Invoke-Observed -Path (Join-Path $dir 'remediate.ps1') -Label 'remediation, no connection, no key'
        $r.ExitCode | Should -Be 0
        $c = Get-SimVpnConnection -Name $v.ConnectionName -AllUserConnection
        [string]$c.TunnelType | Should -Be 'L2tp'
        [string]$c.ServerAddress | Should -Be $v.ServerAddress
        $adds = @($r.Changes | Where-Object { $_.Command -eq 'Add-VpnConnection' })
        $adds.Count | Should -Be 1
        @($adds[0].Arguments.Keys) | Should -Not -Contain 'L2tpPsk'
        Get-IntuneOutputProblem -Run $r | Should -BeNullOrEmpty
    }
}
