# The generated module (module/L2tpIpsecFix/L2tpIpsecFix.psd1) of FIXGEN_L2TP_BUNDLE (values built
# in, but never the pre-shared key: issue 15 item 7, the commands take it at run time) and FIXGEN_L2TP_OPEN (open parameters), imported into this session and run against the
# simulated Windows: Test-* read-only and right, each change function fixes, a second call and
# -WhatIf change nothing, Invoke-L2tpIpsecFix aggregates, Undo-L2tpIpsecFix restores.
# Assertions read the sim's state and journal and the functions' result objects. Issue 13 item 4.

BeforeDiscovery {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'L2tpStates.psm1') -Force
    $manifest = Import-PowerShellDataFile -LiteralPath (Join-Path -Path $env:FIXGEN_L2TP_BUNDLE -ChildPath 'module/L2tpIpsecFix/L2tpIpsecFix.psd1')
    $exported = @($manifest.FunctionsToExport)
    # What each recipe's Test- function reports as not compliant on Set-L2tpBroken's state:
    # target (its end), setting, and the actual value shown.
    $BrokenChecks = @{
        'ipsec-services'      = @(
            @('service IKEEXT', 'StartupType', 'Disabled'), @('service IKEEXT', 'Status', 'Stopped'),
            @('service PolicyAgent', 'StartupType', 'Manual'), @('service PolicyAgent', 'Status', 'Stopped'),
            @('service RasMan', 'Status', 'Stopped'))
        'nat-traversal'       = @(@('AssumeUDPEncapsulationContextOnSendRule', 'Type', 'String'), @('AssumeUDPEncapsulationContextOnSendRule', 'Data', '0'))
        # Issue 15 items 1 and 2: the server address, and no record that this key was applied.
        'vpn-security'        = @(@('Contoso VPN (all users)', 'TunnelType', 'Automatic'), @('Contoso VPN (all users)', 'AuthenticationMethod', 'Pap'), @('Contoso VPN (all users)', 'EncryptionLevel', 'Optional'), @('Contoso VPN (all users)', 'ServerAddress', 'old.contoso.com'), @('Contoso VPN (all users)', 'PreSharedKey', 'no record that fixgen applied this key'))
        'firewall-ports'      = @(@('fixgen-l2tp-ipsec-udp-out', 'Enabled', 'False'), @('fixgen-l2tp-ipsec-udp-out', 'RemotePort', '500'), @('fixgen-l2tp-udp-out', 'Exists', 'False'))
        'recreate-connection' = @(@('Contoso VPN (all users)', 'SplitTunneling', 'True'), @('Contoso VPN (all users)', 'RememberCredential', 'False'), @('Contoso VPN (all users)', 'ServerAddress', 'old.contoso.com'), @('Contoso VPN (all users)', 'PreSharedKey', 'no record that fixgen applied this key'), @('Contoso VPN (all users)', 'Recreated', 'not yet recreated by this recipe'))
        'windows-update'      = @(, @('Windows Update', 'PendingUpdates', '2026-11 Cumulative Update for Windows 11 (KB5050001)'))
    }
    $Recipes = @(foreach ($id in (Get-L2tpRecipe)) {
            $noun = 'L2tpIpsecFix' + (ConvertTo-L2tpPascal -Id $id)
            $change = @($exported | Where-Object { $_ -like "*-$noun" -and $_ -notlike 'Test-*' })
            @{
                Id       = $id
                TestFn   = "Test-$noun"
                ChangeFn = [string]($change | Select-Object -First 1)
                Checks   = $BrokenChecks[$id]
                Reboot   = ($id -eq 'nat-traversal')
            }
        })
    $Changing = @($Recipes | Where-Object { $_.Id -ne 'windows-update' })
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'sim/SimWindows.psm1') -Force
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'sim/Scenario.psm1') -Force
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'L2tpStates.psm1') -Force
    $script:BundlePsd1 = Join-Path -Path $env:FIXGEN_L2TP_BUNDLE -ChildPath 'module/L2tpIpsecFix/L2tpIpsecFix.psd1'
    $script:OpenPsd1 = Join-Path -Path $env:FIXGEN_L2TP_OPEN -ChildPath 'module/L2tpIpsecFix/L2tpIpsecFix.psd1'

    function Import-Generated([string]$Psd1) {
        # The sim's .NET stand-ins (type accelerators) must exist before the module is parsed.
        Reset-SimWindows
        Get-Module -Name 'L2tpIpsecFix' | Remove-Module -Force
        Import-Module -Name $Psd1 -Force -PassThru -ErrorAction Stop
    }

    function Get-BackupFile {
        $root = Join-Path -Path $env:ProgramData -ChildPath 'fixgen\backup'
        if (-not (Test-Path -LiteralPath $root)) { return @() }
        @(Get-ChildItem -LiteralPath $root -Recurse -File -Filter '*.json')
    }

    function Format-Check($Check) {
        $actual = $Check.Actual
        if ($actual -is [System.Array]) { $actual = ($actual | ForEach-Object { [string]$_ }) -join ',' }
        '{0} | {1} | {2}' -f $Check.Target, $Check.Setting, [string]$actual
    }

    # Issue 15 item 7: the bundle's module holds no key; a command that uses it takes it at run time.
    $script:BundleKey = ConvertTo-SecureString -String (Get-L2tpValue).PreSharedKey -AsPlainText -Force
    function Get-KeyArgs([string]$Name) {
        <# @{ PreSharedKey = the key } for a command that takes it, @{} otherwise. #>
        $a = @{}
        if ((Get-Command -Name $Name).Parameters.ContainsKey('PreSharedKey')) { $a['PreSharedKey'] = $script:BundleKey }
        $a
    }
}

AfterAll {
    Get-Module -Name 'L2tpIpsecFix' | Remove-Module -Force
}

Describe 'Module of the bundle build: import' {
    It 'imports, and exports exactly the functions its manifest lists' {
        $module = Import-Generated $script:BundlePsd1
        $manifest = Import-PowerShellDataFile -LiteralPath $script:BundlePsd1
        @($module.ExportedFunctions.Keys | Sort-Object) | Should -Be @($manifest.FunctionsToExport | Sort-Object)
        @($module.ExportedCmdlets.Keys) | Should -BeNullOrEmpty
    }

    It 'has a Test- and a change function for every recipe, plus Invoke- and Undo-' -ForEach $Recipes {
        $module = Import-Generated $script:BundlePsd1
        $module.ExportedFunctions.Keys | Should -Contain $TestFn
        $ChangeFn | Should -Not -BeNullOrEmpty
        $module.ExportedFunctions.Keys | Should -Contain 'Invoke-L2tpIpsecFix'
        $module.ExportedFunctions.Keys | Should -Contain 'Undo-L2tpIpsecFix'
    }

    # Issue 15 item 7: a module is copied to shared module paths; the key is never baked in.
    It '15.7 the module holds no key: the commands of the VPN recipes take -PreSharedKey as a SecureString' {
        $module = Import-Generated $script:BundlePsd1
        $text = [System.IO.File]::ReadAllText($module.Path)
        $text.Contains((Get-L2tpValue).PreSharedKey) | Should -BeFalse
        foreach ($name in @('Invoke-L2tpIpsecFix', 'Test-L2tpIpsecFixVpnSecurity', 'Test-L2tpIpsecFixRecreateConnection')) {
            (Get-Command -Name $name).Parameters['PreSharedKey'].ParameterType | Should -Be ([System.Security.SecureString]) -Because $name
        }
        (Get-Command -Name 'Test-L2tpIpsecFixNatTraversal').Parameters.ContainsKey('PreSharedKey') | Should -BeFalse
    }
}

Describe 'Module <Id>: Test-, -WhatIf, change, second change' -ForEach $Changing {
    BeforeAll {
        $null = Import-Generated $script:BundlePsd1
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe $Id
        $broken = Get-SimState
        $brokenProblems = @(Get-L2tpProblem -Recipe $Id)
        $testKey = Get-KeyArgs $TestFn
        $changeKey = Get-KeyArgs $ChangeFn
        $testBroken = Measure-SimEffect { & $TestFn @testKey }
        $whatIf = Measure-SimEffect { & $ChangeFn @changeKey -WhatIf }
        $backupsAfterWhatIf = @(Get-BackupFile)
        $first = Measure-SimEffect { & $ChangeFn @changeKey }
        $problemsAfter = @(Get-L2tpProblem -Recipe $Id)
        $backupsAfterFirst = @(Get-BackupFile)
        $testFixed = Measure-SimEffect { & $TestFn @testKey }
        $second = Measure-SimEffect { & $ChangeFn @changeKey }
        $backupsAfterSecond = @(Get-BackupFile)
    }

    It 'the scenario starts from a broken state (the sim says so)' {
        $brokenProblems | Should -Not -BeNullOrEmpty
    }

    It 'Test- changes nothing (journal and state)' {
        foreach ($m in @($testBroken, $testFixed)) {
            (Format-SimChanges $m.Changes) | Should -BeNullOrEmpty
            $m.Diff | Should -BeNullOrEmpty
        }
    }

    It 'Test- on the broken state: each object names the recipe, the broken settings (only) are not compliant' {
        $testBroken.Output | Should -Not -BeNullOrEmpty
        foreach ($o in $testBroken.Output) { $o.Recipe | Should -Be $Id }
        $off = @($testBroken.Output | Where-Object { -not $_.Compliant } | ForEach-Object { Format-Check $_ } | Sort-Object)
        $want = @($Checks | ForEach-Object { $t = $_; @($testBroken.Output | Where-Object { $_.Target -like ('*' + $t[0]) -and $_.Setting -eq $t[1] }) } | ForEach-Object { Format-Check $_ } | Sort-Object)
        $want.Count | Should -Be $Checks.Count -Because 'every expected check is reported once'
        $off | Should -Be $want
        foreach ($t in $Checks) {
            $o = @($testBroken.Output | Where-Object { $_.Target -like ('*' + $t[0]) -and $_.Setting -eq $t[1] })
            (Format-Check $o[0]) | Should -BeLike ('*| ' + $t[2])
            $o[0].Compliant | Should -BeFalse
        }
    }

    It 'Test- on the fixed state: every check compliant, Actual equal to Expected' {
        $testFixed.Output | Should -Not -BeNullOrEmpty
        @($testFixed.Output | Where-Object { -not $_.Compliant } | ForEach-Object { Format-Check $_ }) | Should -BeNullOrEmpty
        foreach ($o in $testFixed.Output) {
            ((@($o.Actual) | ForEach-Object { ([string]$_).ToUpperInvariant() } | Sort-Object) -join ',') | Should -Be ((@($o.Expected) | ForEach-Object { ([string]$_).ToUpperInvariant() } | Sort-Object) -join ',') -Because "$($o.Target) $($o.Setting)"
        }
    }

    It '-WhatIf changes nothing and writes no backup' {
        (Format-SimChanges $whatIf.Changes) | Should -BeNullOrEmpty
        $whatIf.Diff | Should -BeNullOrEmpty
        $backupsAfterWhatIf | Should -BeNullOrEmpty
        $r = $whatIf.Output | Select-Object -Last 1
        $r.Changed | Should -Be 0
        $r.Pending | Should -BeGreaterThan 0
    }

    It 'the change function fixes the broken state' {
        $r = $first.Output | Select-Object -Last 1
        $expected = 0
        if ($Reboot) { $expected = 3010 }
        $r.ExitCode | Should -Be $expected -Because $r.Summary
        $r.Changed | Should -BeGreaterThan 0
        $first.Changes | Should -Not -BeNullOrEmpty
        $problemsAfter | Should -BeNullOrEmpty
    }

    It 'the first change saved one backup' {
        $backupsAfterFirst.Count | Should -Be 1
    }

    It 'a second call changes nothing and says so' {
        $r = $second.Output | Select-Object -Last 1
        $r.ExitCode | Should -Be 0 -Because $r.Summary
        $r.Changed | Should -Be 0
        (Format-SimChanges $second.Changes) | Should -BeNullOrEmpty
        $second.Diff | Should -BeNullOrEmpty
        $backupsAfterSecond.Count | Should -Be $backupsAfterFirst.Count
    }

    It 'Undo-L2tpIpsecFix -Recipe <Id> restores the state before the first change' {
        $u = Measure-SimEffect { Undo-L2tpIpsecFix -Recipe $Id }
        ($u.Output | Select-Object -Last 1).ExitCode | Should -Be 0
        $diff = @(Compare-L2tpState -Reference $broken -Difference (Get-SimState) -ExceptUnrestorable)
        $diff | Should -BeNullOrEmpty
        $again = Measure-SimEffect { Undo-L2tpIpsecFix -Recipe $Id }
        (Format-SimChanges $again.Changes) | Should -BeNullOrEmpty
    }
}

Describe 'Module windows-update: report only' {
    BeforeAll {
        $null = Import-Generated $script:BundlePsd1
    }

    It 'Test- lists the pending update as not compliant and changes nothing' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'windows-update'
        $m = Measure-SimEffect { Test-L2tpIpsecFixWindowsUpdate }
        (Format-SimChanges $m.Changes) | Should -BeNullOrEmpty
        $off = @($m.Output | Where-Object { -not $_.Compliant })
        $off.Count | Should -Be 1
        $off[0].Setting | Should -Be 'PendingUpdates'
        @($off[0].Actual) | Should -Contain '2026-11 Cumulative Update for Windows 11 (KB5050001)'
    }

    It 'Find- reports, installs nothing, exits 0; -WhatIf the same' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'windows-update'
        foreach ($w in @($false, $true)) {
            $m = Measure-SimEffect { Find-L2tpIpsecFixWindowsUpdate -WhatIf:$w }
            (Format-SimChanges $m.Changes) | Should -BeNullOrEmpty
            $m.Diff | Should -BeNullOrEmpty
            ($m.Output | Select-Object -Last 1).ExitCode | Should -Be 0
        }
    }
}

Describe 'Module: Invoke-L2tpIpsecFix and Undo-L2tpIpsecFix on a machine where every recipe is off' {
    BeforeAll {
        $null = Import-Generated $script:BundlePsd1
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'all'
        Set-L2tpFixed -Recipe 'windows-update'
        $before = Get-SimState
        $invokeKey = Get-KeyArgs 'Invoke-L2tpIpsecFix'
        $invoke = Measure-SimEffect { Invoke-L2tpIpsecFix @invokeKey }
        $problemsAfter = @(Get-L2tpProblem -Recipe 'all')
        $invokeAgain = Measure-SimEffect { Invoke-L2tpIpsecFix @invokeKey }
        $undoWhatIf = Measure-SimEffect { Undo-L2tpIpsecFix -WhatIf }
        $undo = Measure-SimEffect { Undo-L2tpIpsecFix }
        $afterUndo = Get-SimState
        $undoAgain = Measure-SimEffect { Undo-L2tpIpsecFix }
    }

    It 'Invoke- fixes every recipe and returns 3010 (nat-traversal needs a restart)' {
        $r = $invoke.Output | Select-Object -Last 1
        @($r.Results).Count | Should -Be (Get-L2tpRecipe).Count
        $r.ExitCode | Should -Be 3010
        $problemsAfter | Should -BeNullOrEmpty
    }

    It 'a second Invoke- changes nothing and returns 0' {
        $r = $invokeAgain.Output | Select-Object -Last 1
        $r.ExitCode | Should -Be 0
        (Format-SimChanges $invokeAgain.Changes) | Should -BeNullOrEmpty
        $invokeAgain.Diff | Should -BeNullOrEmpty
    }

    It 'Undo- -WhatIf changes nothing' {
        (Format-SimChanges $undoWhatIf.Changes) | Should -BeNullOrEmpty
        $undoWhatIf.Diff | Should -BeNullOrEmpty
    }

    It 'Undo- restores the state before the first change (except what undo documents it cannot: the pre-shared key)' {
        ($undo.Output | Select-Object -Last 1).ExitCode | Should -Be 0
        @(Compare-L2tpState -Reference $before -Difference $afterUndo -ExceptUnrestorable) | Should -BeNullOrEmpty
    }

    # Issue 15 item 6: vpn-security and recreate-connection back up the same connection; the
    # first undo marks their backups restored, so the second restores nothing.
    It '15.6 a second Undo- changes nothing' {
        ($undoAgain.Output | Select-Object -Last 1).ExitCode | Should -Be 0
        (Format-SimChanges $undoAgain.Changes) | Should -BeNullOrEmpty
    }
}

Describe 'Module: the aggregate exit code of Invoke-L2tpIpsecFix' {
    BeforeAll {
        $null = Import-Generated $script:BundlePsd1
        $invokeKey = Get-KeyArgs 'Invoke-L2tpIpsecFix'
    }

    It 'all compliant -> 0' {
        Initialize-L2tpMachine
        Set-L2tpFixed -Recipe 'all'
        $m = Measure-SimEffect { Invoke-L2tpIpsecFix @invokeKey }
        ($m.Output | Select-Object -Last 1).ExitCode | Should -Be 0
        (Format-SimChanges $m.Changes) | Should -BeNullOrEmpty
    }

    It 'only changes without a restart -> 0' {
        Initialize-L2tpMachine
        Set-L2tpFixed -Recipe 'all'
        Set-L2tpBroken -Recipe 'firewall-ports'
        $m = Measure-SimEffect { Invoke-L2tpIpsecFix @invokeKey }
        ($m.Output | Select-Object -Last 1).ExitCode | Should -Be 0
        Get-L2tpProblem -Recipe 'firewall-ports' | Should -BeNullOrEmpty
    }

    It 'a change that needs a restart -> 3010' {
        Initialize-L2tpMachine
        Set-L2tpFixed -Recipe 'all'
        Set-L2tpBroken -Recipe 'nat-traversal'
        $m = Measure-SimEffect { Invoke-L2tpIpsecFix @invokeKey }
        ($m.Output | Select-Object -Last 1).ExitCode | Should -Be 3010
    }

    It 'a failure and a restart -> 1, and the other recipes are still fixed' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'all'
        Set-L2tpFixed -Recipe 'windows-update'
        Set-SimFailure -Command 'New-NetFirewallRule' -Message 'simulated: rule refused'
        $m = Measure-SimEffect { Invoke-L2tpIpsecFix @invokeKey }
        $r = $m.Output | Select-Object -Last 1
        $r.ExitCode | Should -Be 1
        (@($r.Results) | Where-Object { $_.Recipe -eq 'firewall-ports' }).ExitCode | Should -Be 1
        (@($r.Results) | Where-Object { $_.Recipe -eq 'nat-traversal' }).ExitCode | Should -Be 3010
        Get-L2tpProblem -Recipe 'ipsec-services' | Should -BeNullOrEmpty
        Get-L2tpProblem -Recipe 'recreate-connection' | Should -BeNullOrEmpty
        Get-L2tpProblem -Recipe 'firewall-ports' | Should -Not -BeNullOrEmpty
    }
}

Describe 'Module: failures' {
    BeforeAll {
        $null = Import-Generated $script:BundlePsd1
    }

    It 'not elevated: a change function changes nothing and returns 1' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'nat-traversal'
        Set-SimElevation -Elevated $false
        $m = Measure-SimEffect { Set-L2tpIpsecFixNatTraversal }
        ($m.Output | Select-Object -Last 1).ExitCode | Should -Be 1
        (Format-SimChanges $m.Changes) | Should -BeNullOrEmpty
    }

    It 'a failing command: exit 1, the reason in the recipe log, the other steps still run' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'ipsec-services'
        # Only the first Start-Service fails (IKEEXT); PolicyAgent and RasMan are started after it.
        Set-SimFailure -Command 'Start-Service' -Times 1 -Message 'simulated: the service did not start'
        $m = Measure-SimEffect { Enable-L2tpIpsecFixIpsecServices }
        $r = $m.Output | Select-Object -Last 1
        $r.ExitCode | Should -Be 1
        $r.Failed | Should -Be 1
        (Get-SimService -Name 'PolicyAgent').Status | Should -Be 'Running'
        (Get-SimService -Name 'RasMan').Status | Should -Be 'Running'
        (Get-Content -LiteralPath (Join-Path $env:windir 'Logs\fixgen\ipsec-services.log') -Raw) | Should -BeLike '*simulated: the service did not start*'
    }
}

Describe 'Module: undo after a partial drift and a second run (issue 15 item 6)' {
    BeforeAll {
        $null = Import-Generated $script:BundlePsd1
    }

    # Issue 15 item 6: undo restores per item the oldest un-restored backup, not the newest
    It '15.6 drift, rerun, Undo- -> the state before the first change' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'ipsec-services'
        $original = Get-SimState
        $null = Enable-L2tpIpsecFixIpsecServices
        # Drift: someone disables IKEEXT again; PolicyAgent stays fixed.
        Set-SimService -Name 'IKEEXT' -DisplayName 'IKE and AuthIP IPsec Keying Modules' -StartType Disabled -Status Stopped
        $null = Enable-L2tpIpsecFixIpsecServices
        $null = Undo-L2tpIpsecFix -Recipe 'ipsec-services'
        @(Compare-L2tpState -Reference $original -Difference (Get-SimState) -ExceptUnrestorable) | Should -BeNullOrEmpty
    }
}

Describe 'Module of the open build: parameters' {
    BeforeAll {
        $null = Import-Generated $script:OpenPsd1
        $v = Get-L2tpValue
        $key = ConvertTo-SecureString -String $v.PreSharedKey -AsPlainText -Force
        $params = @{ ConnectionName = $v.ConnectionName; ServerAddress = $v.ServerAddress }
    }

    AfterAll {
        $null = Import-Generated $script:BundlePsd1
    }

    It 'Test-L2tpIpsecFixVpnSecurity -ConnectionName is read-only and names what is off' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'vpn-security'
        $m = Measure-SimEffect { Test-L2tpIpsecFixVpnSecurity @params }
        (Format-SimChanges $m.Changes) | Should -BeNullOrEmpty
        @($m.Output | Where-Object { -not $_.Compliant } | ForEach-Object { $_.Setting } | Sort-Object) | Should -Be @('AuthenticationMethod', 'EncryptionLevel', 'ServerAddress', 'TunnelType')
    }

    It 'Set-L2tpIpsecFixVpnSecurity with the key fixes the connection and sets the key; -WhatIf and a second call change nothing' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'vpn-security'
        $w = Measure-SimEffect { Set-L2tpIpsecFixVpnSecurity @params -PreSharedKey $key -WhatIf }
        (Format-SimChanges $w.Changes) | Should -BeNullOrEmpty
        $first = Measure-SimEffect { Set-L2tpIpsecFixVpnSecurity @params -PreSharedKey $key }
        ($first.Output | Select-Object -Last 1).ExitCode | Should -Be 0
        Get-L2tpProblem -Recipe 'vpn-security' | Should -BeNullOrEmpty
        $second = Measure-SimEffect { Set-L2tpIpsecFixVpnSecurity @params -PreSharedKey $key }
        (Format-SimChanges $second.Changes) | Should -BeNullOrEmpty
    }

    It 'Set-L2tpIpsecFixVpnSecurity without the key keeps the key the connection has' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'vpn-security'
        $null = Set-L2tpIpsecFixVpnSecurity @params
        $c = Get-SimVpnConnection -Name $v.ConnectionName -AllUserConnection
        [string]$c.TunnelType | Should -Be 'L2tp'
        [string]$c.Psk | Should -Be 'old-key'
    }

    It 'Invoke-L2tpIpsecFix with the parameters fixes every recipe; Undo- restores (except the key)' {
        Initialize-L2tpMachine
        Set-L2tpBroken -Recipe 'all'
        Set-L2tpFixed -Recipe 'windows-update'
        $before = Get-SimState
        $r = Invoke-L2tpIpsecFix @params -PreSharedKey $key
        $r.ExitCode | Should -Be 3010
        Get-L2tpProblem -Recipe 'all' | Should -BeNullOrEmpty
        $u = Undo-L2tpIpsecFix
        $u.ExitCode | Should -Be 0
        @(Compare-L2tpState -Reference $before -Difference (Get-SimState) -ExceptUnrestorable) | Should -BeNullOrEmpty
    }
}
