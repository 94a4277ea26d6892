# Registry value names made of wildcard characters ('*', '?', '[a]'): a registry step touches
# exactly the value it names, never the other values of the key that the name would match as a
# wildcard pattern (Get-ItemProperty and Remove-ItemProperty take wildcards in -Name, issue 14
# item 2). The recipes are built here with FIXGEN_BIN.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'sim/SimWindows.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'sim/Scenario.psm1') -Force
    $script:Key = 'HKEY_LOCAL_MACHINE\SOFTWARE\FixgenNames'

    $src = Join-Path $env:FIXGEN_TEST_TMP 'names-src'
    $null = New-Item -ItemType Directory -Path $src -Force
    $files = @{
        'names-present.yaml' = @'
id: names-present
title: Values named with wildcard characters are written
summary: Writes the values named star, question mark and bracket-a, and nothing else.
context: system
reboot: none
steps:
  - registry: { key: HKLM\SOFTWARE\FixgenNames, name: '*', value: { string: star } }
  - registry: { key: HKLM\SOFTWARE\FixgenNames, name: '?', value: { dword: 7 } }
  - registry: { key: HKLM\SOFTWARE\FixgenNames, name: '[a]', value: { string: bracket } }
'@
        'names-absent.yaml'  = @'
id: names-absent
title: Values named with wildcard characters are deleted
summary: Deletes the values named star, question mark and bracket-a, and nothing else.
context: system
reboot: none
steps:
  - registry: { key: HKLM\SOFTWARE\FixgenNames, name: '*', ensure: absent }
  - registry: { key: HKLM\SOFTWARE\FixgenNames, name: '?', ensure: absent }
  - registry: { key: HKLM\SOFTWARE\FixgenNames, name: '[a]', ensure: absent }
'@
    }
    foreach ($name in $files.Keys) {
        [System.IO.File]::WriteAllText((Join-Path $src $name), $files[$name])
    }
    # One bundle each: in one bundle the validator refuses a value that one recipe sets and the
    # other deletes (registry-conflict). The standalone scripts go to one folder.
    $script:Out = Join-Path $env:FIXGEN_TEST_TMP 'names-out'
    $null = New-Item -ItemType Directory -Path (Join-Path $script:Out 'scripts') -Force
    foreach ($id in @('names-present', 'names-absent')) {
        $one = Join-Path $env:FIXGEN_TEST_TMP ('out-' + $id)
        $output = & $env:FIXGEN_BIN build (Join-Path $src ($id + '.yaml')) --target scripts --out $one 2>&1
        if ($LASTEXITCODE -ne 0) { throw ('fixgen build failed: ' + ($output -join "`n")) }
        Copy-Item -Path (Join-Path $one 'scripts/*.ps1') -Destination (Join-Path $script:Out 'scripts')
    }

    # The other values of the key: names the wildcards would match.
    function Set-OtherValues {
        Set-SimRegistryValue -Path $script:Key -Name 'a' -Kind String -Value 'keep a'
        Set-SimRegistryValue -Path $script:Key -Name 'b' -Kind DWord -Value 1
        Set-SimRegistryValue -Path $script:Key -Name 'zz' -Kind MultiString -Value @('keep', 'zz')
        Set-SimRegistryValue -Path $script:Key -Name '' -Kind String -Value 'default value'
    }

    function Get-OtherValues {
        foreach ($n in @('a', 'b', 'zz', '')) {
            $v = Get-SimRegistryValue -Path $script:Key -Name $n
            if ($null -eq $v) { $n + '=(gone)' } else { $n + '=' + $v.Kind + ':' + (@($v.Value) -join ',') }
        }
    }
}

Describe 'registry value names with wildcard characters' {
    BeforeEach {
        Reset-SimWindows
        Set-OtherValues
        $script:Others = @(Get-OtherValues)
    }

    It 'ensure present: writes "*", "?" and "[a]" and leaves the other values alone' {
        $r = Invoke-SimScript -Path (Join-Path $script:Out 'scripts/names-present.ps1')
        $r.ExitCode | Should -Be 0
        (Get-SimRegistryValue -Path $script:Key -Name '*').Value | Should -BeExactly 'star'
        (Get-SimRegistryValue -Path $script:Key -Name '?').Value | Should -Be 7
        (Get-SimRegistryValue -Path $script:Key -Name '[a]').Value | Should -BeExactly 'bracket'
        @(Get-OtherValues) | Should -Be $script:Others
    }

    It 'ensure present: a second run changes nothing' {
        $null = Invoke-SimScript -Path (Join-Path $script:Out 'scripts/names-present.ps1')
        Clear-SimChanges
        $r = Invoke-SimScript -Path (Join-Path $script:Out 'scripts/names-present.ps1')
        $r.ExitCode | Should -Be 0
        $r.Stdout | Should -Contain 'names-present: already compliant'
        Format-SimChanges (Get-SimChanges) | Should -BeNullOrEmpty
    }

    It 'ensure present when only "a" exists: "?" and "[a]" are not taken for "a" (detection is literal)' {
        $r = Invoke-SimScript -Path (Join-Path $script:Out 'scripts/names-present.ps1') -WhatIf
        $r.Stdout | Should -Contain 'names-present: not compliant; 3 step(s) would change (WhatIf)'
    }

    It 'ensure absent: deletes exactly "*", "?" and "[a]", the other values stay' {
        Set-SimRegistryValue -Path $script:Key -Name '*' -Kind String -Value 'x'
        Set-SimRegistryValue -Path $script:Key -Name '?' -Kind String -Value 'x'
        Set-SimRegistryValue -Path $script:Key -Name '[a]' -Kind String -Value 'x'
        $r = Invoke-SimScript -Path (Join-Path $script:Out 'scripts/names-absent.ps1')
        $r.ExitCode | Should -Be 0
        foreach ($n in @('*', '?', '[a]')) { Get-SimRegistryValue -Path $script:Key -Name $n | Should -BeNullOrEmpty }
        @(Get-OtherValues) | Should -Be $script:Others
    }

    It 'ensure absent when the named values do not exist: nothing is deleted' {
        $before = Get-SimState
        $r = Invoke-SimScript -Path (Join-Path $script:Out 'scripts/names-absent.ps1')
        $r.ExitCode | Should -Be 0
        $r.Stdout | Should -Contain 'names-absent: already compliant'
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
    }

    It 'undo of ensure present: "*" etc. deleted again, the other values stay' {
        $null = Invoke-SimScript -Path (Join-Path $script:Out 'scripts/names-present.ps1')
        $r = Invoke-SimScript -Path (Join-Path $script:Out 'scripts/Undo-names-present.ps1')
        $r.ExitCode | Should -Be 0
        foreach ($n in @('*', '?', '[a]')) { Get-SimRegistryValue -Path $script:Key -Name $n | Should -BeNullOrEmpty }
        @(Get-OtherValues) | Should -Be $script:Others
    }
}
