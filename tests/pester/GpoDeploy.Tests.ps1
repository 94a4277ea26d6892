# Scenarios for gpo/Deploy-<Bundle>Gpo.ps1 (issue 18) against the simulated GroupPolicy and
# ActiveDirectory cmdlets of sim/SimGroupPolicy.psm1: a new GPO, an update of a GPO that has
# other extensions, -WhatIf, a second run that changes nothing, -LinkTo, and the merge of
# extension names on its own.
#
# Needs FIXGEN_L2TP_BUNDLE (the L2TP bundle built with values, all targets: see
# ../../SIM_CONTRACT.md or tests/pester.rs) and FIXGEN_TEST_TMP.

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'sim/SimGroupPolicy.psm1') -Force
    $script:Bundle = $env:FIXGEN_L2TP_BUNDLE
    $script:Deploy = Join-Path -Path $script:Bundle -ChildPath 'gpo/Deploy-L2tpIpsecFixGpo.ps1'
    $script:Tmp = $env:FIXGEN_TEST_TMP
    if (-not (Test-Path -LiteralPath $script:Deploy)) { throw "no deploy script at $script:Deploy" }

    # The script's own functions, defined here from its syntax tree (the script body is not run).
    $errs = $null; $toks = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($script:Deploy, [ref]$toks, [ref]$errs)
    foreach ($f in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false)) {
        . ([scriptblock]::Create($f.Extent.Text))
    }

    function Invoke-Deploy {
        param([hashtable]$Parameters = @{})
        # Script output (one line per change) as strings.
        return @(& $script:Deploy @Parameters 6>$null | ForEach-Object { [string]$_ })
    }

    function Get-Brackets([string]$Names) {
        return @([regex]::Matches($Names, '\[[^\]]*\]') | ForEach-Object { $_.Value })
    }

    # GUIDs from the standards assignments: [MS-GPSCR] 1.9 (scripts), [MS-GPPREF] 1.9
    # (Registry preferences), [MS-GPREG] 1.9 (Administrative Templates), [MS-GPSB] 1.9 (security).
    $script:ScriptsBracket = '[{42B5FAAE-6536-11D2-AE5A-0000F87571E3}{40B6664F-4972-11D1-A7CA-0000F87571E3}]'
    $script:PrefBracket = '[{B087BE9D-ED37-454F-AF9C-04291E351182}{BEE07A6A-EC9F-4659-B8C9-0B1937907C83}]'
    $script:RegistryBracket = '[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]'
    $script:SecurityBracket = '[{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]'
}

Describe 'Deploy-L2tpIpsecFixGpo.ps1' {
    BeforeEach {
        Reset-SimGroupPolicy -Root (Join-Path -Path $script:Tmp -ChildPath 'sysvol')
    }

    It 'creates a new GPO with every value once, the startup script, the scripts extension and the version' {
        $out = Invoke-Deploy -Parameters @{ Name = 'L2TP fix' }
        ($out -join "`n") | Should -Match 'created GPO L2TP fix \{'
        $g = Get-GPO -Name 'L2TP fix'
        $g | Should -Not -BeNullOrEmpty

        # The five HKLM values outside the Policies keys: one preference item each.
        $items = @(Get-GPPrefRegistryValue -Guid $g.Id -Context Computer -Key 'HKLM\SYSTEM\CurrentControlSet\Services\PolicyAgent')
        $items.Count | Should -Be 3
        $nat = @($items | Where-Object ValueName -eq 'AssumeUDPEncapsulationContextOnSendRule')
        $nat.Count | Should -Be 1
        $nat[0].Action | Should -Be 'Update'
        [string]$nat[0].Type | Should -Be 'DWord'
        $nat[0].Value | Should -Be 2
        @(Get-GPPrefRegistryValue -Guid $g.Id -Context Computer -Key 'HKLM\SYSTEM\CurrentControlSet\Services\IKEEXT').Count | Should -Be 2
        # No value under a Policies key in this bundle: nothing through Set-GPRegistryValue.
        (Get-SimGpChanges) -match '^Set-GPRegistryValue' | Should -BeNullOrEmpty

        # Startup files byte for byte, psscripts.ini included.
        $folder = Get-SimGpoFolder -Name 'L2TP fix'
        $src = Join-Path -Path $script:Bundle -ChildPath 'gpo/Machine/Scripts'
        $files = @(Get-ChildItem -LiteralPath $src -Recurse -File)
        $files.Count | Should -BeGreaterThan 2
        foreach ($f in $files) {
            $rel = $f.FullName.Substring($src.Length)
            $copy = Join-Path -Path $folder -ChildPath ('Machine/Scripts' + $rel)
            (Get-FileHash -LiteralPath $copy).Hash | Should -Be (Get-FileHash -LiteralPath $f.FullName).Hash
        }

        # Extension names: one bracket per CSE, sorted, the scripts CSE with its tool GUID.
        $names = Get-SimGpoAttribute -Name 'L2TP fix' -Attribute 'gPCMachineExtensionNames'
        $b = Get-Brackets $names
        $b | Should -Contain $script:ScriptsBracket
        $b | Should -Contain $script:PrefBracket
        $cses = @($b | ForEach-Object { $_.Substring(1, 38).ToUpperInvariant() })
        ($cses | Select-Object -Unique).Count | Should -Be $cses.Count
        ($cses -join ',') | Should -BeExactly (@($cses | Sort-Object -CaseSensitive) -join ',')

        # Version: AD and GPT.ini agree; the computer half moved past what the cmdlets left.
        $v = [long](Get-SimGpoAttribute -Name 'L2TP fix' -Attribute 'versionNumber')
        ($v -band 0xFFFF) | Should -BeGreaterThan 5
        (Get-Content -LiteralPath (Join-Path $folder 'GPT.ini')) | Should -Contain ('Version=' + $v)
        # Never linked without -LinkTo.
        (Get-SimGpChanges) -match '^New-GPLink' | Should -BeNullOrEmpty
    }

    It 'updates an existing GPO that has other extensions, keeping them and the user version' {
        $g = New-GPO -Name 'L2TP fix'
        Set-SimGpoAttribute -Name 'L2TP fix' -Attribute 'gPCMachineExtensionNames' -Value ($script:RegistryBracket + $script:SecurityBracket)
        Set-SimGpoAttribute -Name 'L2TP fix' -Attribute 'versionNumber' -Value (5 * 65536 + 3)
        # A preference item for the same value with other data: replaced by one right item.
        Set-GPPrefRegistryValue -Guid $g.Id -Context Computer -Action Update -Key 'HKLM\SYSTEM\CurrentControlSet\Services\PolicyAgent' -ValueName 'AssumeUDPEncapsulationContextOnSendRule' -Type DWord -Value 0 | Out-Null
        Clear-SimGpChanges

        $out = Invoke-Deploy -Parameters @{ Name = 'L2TP fix' }
        ($out -join "`n") | Should -Not -Match 'created GPO'
        (Get-SimGpChanges) -match '^New-GPO' | Should -BeNullOrEmpty
        $nat = @(Get-GPPrefRegistryValue -Guid $g.Id -Context Computer -Key 'HKLM\SYSTEM\CurrentControlSet\Services\PolicyAgent' -ValueName 'AssumeUDPEncapsulationContextOnSendRule')
        $nat.Count | Should -Be 1
        $nat[0].Value | Should -Be 2

        $b = Get-Brackets (Get-SimGpoAttribute -Name 'L2TP fix' -Attribute 'gPCMachineExtensionNames')
        $b | Should -Contain $script:RegistryBracket
        $b | Should -Contain $script:SecurityBracket
        $b | Should -Contain $script:ScriptsBracket
        @($b | Where-Object { $_.StartsWith('[{42B5FAAE') }).Count | Should -Be 1
        $cses = @($b | ForEach-Object { $_.Substring(1, 38).ToUpperInvariant() })
        ($cses -join ',') | Should -BeExactly (@($cses | Sort-Object -CaseSensitive) -join ',')

        $v = [long](Get-SimGpoAttribute -Name 'L2TP fix' -Attribute 'versionNumber')
        ($v -shr 16) | Should -Be 5 -Because 'only computer settings changed'
        ($v -band 0xFFFF) | Should -BeGreaterThan 3
        (Get-Content -LiteralPath (Join-Path (Get-SimGpoFolder -Name 'L2TP fix') 'GPT.ini')) | Should -Contain ('Version=' + $v)
    }

    It 'changes nothing with -WhatIf, for a new GPO' {
        $out = Invoke-Deploy -Parameters @{ Name = 'L2TP fix'; WhatIf = $true }
        ($out -join "`n") | Should -Match 'would create GPO L2TP fix'
        Get-SimGpChanges | Should -BeNullOrEmpty
        Get-GPO -Name 'L2TP fix' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf, for a GPO that needs changes' {
        Invoke-Deploy -Parameters @{ Name = 'L2TP fix' } | Out-Null
        $g = Get-GPO -Name 'L2TP fix'
        # Drift: one preference item gone, a startup file changed, the scripts bracket gone.
        Remove-GPPrefRegistryValue -Guid $g.Id -Context Computer -Key 'HKLM\SYSTEM\CurrentControlSet\Services\IKEEXT' -ValueName 'Start' | Out-Null
        Set-Content -LiteralPath (Join-Path (Get-SimGpoFolder -Name 'L2TP fix') 'Machine/Scripts/Startup/nat-traversal.ps1') -Value 'changed'
        Set-SimGpoAttribute -Name 'L2TP fix' -Attribute 'gPCMachineExtensionNames' -Value $script:PrefBracket
        $before = Get-SimGpoState
        Clear-SimGpChanges

        Invoke-Deploy -Parameters @{ Name = 'L2TP fix'; WhatIf = $true; LinkTo = 'OU=Workstations,DC=contoso,DC=com' } | Out-Null
        Get-SimGpChanges | Should -BeNullOrEmpty
        Get-SimGpoState | Should -BeExactly $before

        # Without -WhatIf the same run repairs all three.
        $out = Invoke-Deploy -Parameters @{ Name = 'L2TP fix' }
        ($out -join "`n") | Should -Match 'IKEEXT\\Start: Update'
        ($out -join "`n") | Should -Match 'nat-traversal.ps1: copied'
        Get-Brackets (Get-SimGpoAttribute -Name 'L2TP fix' -Attribute 'gPCMachineExtensionNames') | Should -Contain $script:ScriptsBracket
    }

    It 'changes nothing on a second run' {
        Invoke-Deploy -Parameters @{ Name = 'L2TP fix'; LinkTo = 'OU=Workstations,DC=contoso,DC=com' } | Out-Null
        $before = Get-SimGpoState
        Clear-SimGpChanges
        $out = Invoke-Deploy -Parameters @{ Name = 'L2TP fix'; LinkTo = 'OU=Workstations,DC=contoso,DC=com' }
        Get-SimGpChanges | Should -BeNullOrEmpty
        Get-SimGpoState | Should -BeExactly $before
        $out | Should -Be @('GPO L2TP fix: nothing to change')
    }

    It 'links only when -LinkTo is given, once' {
        Invoke-Deploy -Parameters @{ Name = 'L2TP fix' } | Out-Null
        (Get-GPInheritance -Target 'OU=Workstations,DC=contoso,DC=com').GpoLinks | Should -BeNullOrEmpty
        $out = Invoke-Deploy -Parameters @{ Name = 'L2TP fix'; LinkTo = 'OU=Workstations,DC=contoso,DC=com' }
        ($out -join "`n") | Should -Match 'linked to OU=Workstations'
        $links = @((Get-GPInheritance -Target 'OU=Workstations,DC=contoso,DC=com').GpoLinks)
        $links.Count | Should -Be 1
        $links[0].GpoId | Should -Be (Get-GPO -Name 'L2TP fix').Id
    }
}

Describe 'Deploy script of a bundle with values under the Policies keys' {
    BeforeAll {
        # A bundle built here with the binary under test (FIXGEN_BIN): three values under
        # SOFTWARE\Policies (one deleted), one elsewhere.
        $dir = Join-Path -Path $script:Tmp -ChildPath 'policy-bundle'
        New-Item -Path $dir -ItemType Directory -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $dir 'bundle.yaml') -Value @(
            'name: PolicyFix', 'title: Policy values', 'version: 1.0.0', 'description: Values under the Policies keys.',
            'publisher: fixgen tests', 'recipes: [policy-values]')
        Set-Content -LiteralPath (Join-Path $dir 'policy-values.yaml') -Value @(
            'id: policy-values', 'title: Policy values', 'summary: Values under the Policies keys and one elsewhere.',
            'context: system', 'reboot: none', 'steps:',
            '  - registry: { key: ''HKLM\SOFTWARE\Policies\FixgenTest'', name: Level, value: { dword: 3 } }',
            '  - registry: { key: ''HKLM\SOFTWARE\Policies\FixgenTest'', name: Servers, value: { multi_string: [a, b] } }',
            '  - registry: { key: ''HKLM\SOFTWARE\Policies\FixgenTest'', name: Old, ensure: absent }',
            '  - registry: { key: ''HKLM\SOFTWARE\FixgenTest'', name: Plain, value: { string: x } }')
        $out = Join-Path -Path $script:Tmp -ChildPath 'policy-dist'
        & $env:FIXGEN_BIN build $dir --target gpo --out $out 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "fixgen build failed: $LASTEXITCODE" }
        $script:PolicyDeploy = Join-Path -Path $out -ChildPath 'gpo/Deploy-PolicyFixGpo.ps1'
    }

    BeforeEach {
        Reset-SimGroupPolicy -Root (Join-Path -Path $script:Tmp -ChildPath 'sysvol')
    }

    It 'sets the Policies values with Set-GPRegistryValue, the other with Set-GPPrefRegistryValue, idempotently' {
        & $script:PolicyDeploy | Out-Null
        $g = Get-GPO -Name 'PolicyFix'
        $level = Get-GPRegistryValue -Guid $g.Id -Key 'HKLM\SOFTWARE\Policies\FixgenTest' -ValueName 'Level'
        [string]$level.Type | Should -Be 'DWord'
        $level.Value | Should -Be 3
        $servers = Get-GPRegistryValue -Guid $g.Id -Key 'HKLM\SOFTWARE\Policies\FixgenTest' -ValueName 'Servers'
        [string]$servers.Type | Should -Be 'MultiString'
        @($servers.Value) | Should -Be @('a', 'b')
        (Get-GPRegistryValue -Guid $g.Id -Key 'HKLM\SOFTWARE\Policies\FixgenTest' -ValueName 'Old').PolicyState | Should -Be 'Delete'
        # One mechanism per value.
        Get-GPPrefRegistryValue -Guid $g.Id -Context Computer -Key 'HKLM\SOFTWARE\Policies\FixgenTest' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-GPRegistryValue -Guid $g.Id -Key 'HKLM\SOFTWARE\FixgenTest' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        @(Get-GPPrefRegistryValue -Guid $g.Id -Context Computer -Key 'HKLM\SOFTWARE\FixgenTest' -ValueName 'Plain').Count | Should -Be 1
        # A second run changes nothing.
        $before = Get-SimGpoState
        Clear-SimGpChanges
        $again = @(& $script:PolicyDeploy)
        Get-SimGpChanges | Should -BeNullOrEmpty
        Get-SimGpoState | Should -BeExactly $before
        $again[-1] | Should -Be 'GPO PolicyFix: nothing to change'
    }
}

Describe 'Merge-FixgenExtensionNames' {
    It 'adds a new CSE as its own bracket, in CSE order' {
        Merge-FixgenExtensionNames -Existing $script:RegistryBracket -Add @(, @('{42B5FAAE-6536-11D2-AE5A-0000F87571E3}', '{40B6664F-4972-11D1-A7CA-0000F87571E3}')) |
            Should -BeExactly ($script:RegistryBracket + $script:ScriptsBracket)
        Merge-FixgenExtensionNames -Existing '' -Add @(, @('{42B5FAAE-6536-11D2-AE5A-0000F87571E3}', '{40B6664F-4972-11D1-A7CA-0000F87571E3}')) |
            Should -BeExactly $script:ScriptsBracket
        Merge-FixgenExtensionNames -Existing $null -Add @() | Should -BeExactly ''
    }

    It 'adds a tool of a CSE that is there inside its bracket, sorted, never a second bracket' {
        $r = Merge-FixgenExtensionNames -Existing $script:RegistryBracket -Add @(, @('{35378EAC-683F-11D2-A89A-00C04FBBCFA2}', '{0F6B957D-509E-11D1-A7CC-0000F87571E3}'))
        $r | Should -BeExactly '[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{0F6B957D-509E-11D1-A7CC-0000F87571E3}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]'
    }

    It 'keeps what is there: merging twice (or in other case) gives the same value' {
        $once = Merge-FixgenExtensionNames -Existing ($script:SecurityBracket + $script:RegistryBracket) -Add @(, @('{42B5FAAE-6536-11D2-AE5A-0000F87571E3}', '{40B6664F-4972-11D1-A7CA-0000F87571E3}'))
        $once | Should -BeExactly ($script:RegistryBracket + $script:ScriptsBracket + $script:SecurityBracket)
        Merge-FixgenExtensionNames -Existing $once -Add @(, @('{42b5faae-6536-11d2-ae5a-0000f87571e3}', '{40b6664f-4972-11d1-a7ca-0000f87571e3}')) |
            Should -BeExactly $once
        # Duplicated brackets for one CSE (a naive merge) fold into one.
        Merge-FixgenExtensionNames -Existing ($script:ScriptsBracket + $script:ScriptsBracket) -Add @() | Should -BeExactly $script:ScriptsBracket
    }

    It 'refuses a value that is not a list of brackets of GUIDs' {
        { Merge-FixgenExtensionNames -Existing '[{not-a-guid}]' -Add @() } | Should -Throw
        { Merge-FixgenExtensionNames -Existing '[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}' -Add @() } | Should -Throw
    }
}

Describe 'Get-FixgenNextVersion' {
    It 'raises the computer half and keeps the user half ([MS-GPOL] 3.3.4.5)' {
        Get-FixgenNextVersion -Version 0 | Should -Be 1
        Get-FixgenNextVersion -Version (5 * 65536 + 3) | Should -Be (5 * 65536 + 4)
        # A computer version that would become 0 is set to 1.
        Get-FixgenNextVersion -Version (2 * 65536 + 65535) | Should -Be (2 * 65536 + 1)
    }
}
