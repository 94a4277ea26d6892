# Standalone recipe scripts (scripts/<id>.ps1) of the L2TP bundle, run against the simulated
# Windows: broken state -> run -> state right; a second run changes nothing; -WhatIf changes
# nothing; a failing command gives exit 1 with a logged reason.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'sim/SimWindows.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'sim/Scenario.psm1') -Force
    $script:PolicyAgentKey = 'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PolicyAgent'
}

Describe 'scripts/nat-traversal.ps1' {
    BeforeEach {
        Reset-SimWindows
        $script:Script = Get-L2tpPath 'scripts/nat-traversal.ps1'
    }

    It 'sets AssumeUDPEncapsulationContextOnSendRule to DWORD 2 and exits 3010 (restart required)' {
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 3010
        $v = Get-SimRegistryValue -Path $script:PolicyAgentKey -Name 'AssumeUDPEncapsulationContextOnSendRule'
        $v.Kind | Should -Be 'DWord'
        $v.Value | Should -Be 2
        $v.Value | Should -BeOfType [int]
        $r.Stdout | Should -Contain 'nat-traversal: fixed, restart required (1 step(s) changed)'
    }

    It 'a second run changes nothing, says "already compliant" and exits 0' {
        $null = Invoke-SimScript -Path $script:Script
        Clear-SimChanges
        $before = Get-SimState
        $r = Invoke-SimScript -Path $script:Script
        $r.ExitCode | Should -Be 0
        (Format-SimChanges (Get-SimChanges)) | Should -BeNullOrEmpty
        Compare-SimState $before (Get-SimState) | Should -BeNullOrEmpty
        $r.Stdout | Should -Contain 'nat-traversal: already compliant'
    }
}
