function Format-FixgenCheck { param([object]$Check)
    return ($Check.Target + ' ' + $Check.Setting + ' is ' + (Format-FixgenValue -Value $Check.Actual) + ', expected ' + (Format-FixgenValue -Value $Check.Expected))
}
function Set-FixgenStep { param([hashtable]$Step)
    $fixgenKindCommand = Get-FixgenKindCommand -Verb 'Set' -Kind $Step.Kind -Noun 'Step'
    & $fixgenKindCommand -Step $Step
}
# Per step: read; if it differs, back up (once, before the first change), change under ShouldProcess, verify. Exit 0, 3010 or 1.
function Invoke-FixgenRecipe {
    [CmdletBinding(SupportsShouldProcess)] param([hashtable]$Recipe, [object[]]$Steps)
    $failed = 0; $changed = 0; $pending = 0; $reported = 0; $rebootNeeded = $false; $backupSaved = $false
    $reason = ''; $id = $Recipe.Id  # $reason: the first failure, for the summary line (Intune shows that line, not the log)
    Write-FixgenLog -Message ('Starting ' + $id + ' (bundle ' + $Recipe.Bundle + ' ' + $Recipe.BundleVersion + ', source sha256 ' + $Recipe.SourceSha256 + ')')
    if ($Recipe.Needs64Bit -and [System.Environment]::Is64BitOperatingSystem -and -not [System.Environment]::Is64BitProcess) {
        $reason = 'running in a 32-bit PowerShell host on 64-bit Windows; run it in 64-bit PowerShell (for Intune, set "Run script in 64 bit PowerShell host" to Yes).'
    } elseif ($Recipe.Context -eq 'System' -and -not (Test-FixgenElevation)) { $reason = 'needs an elevated session (administrator or SYSTEM).' }
    if ($reason -ne '') { Write-FixgenLog -Severity Error -Message ($id + ': ' + $reason); $failed++; $Steps = @() }
    $index = 0
    foreach ($step in $Steps) {
        $index++
        $label = $id + ' step ' + $index + ' (' + $step.Kind + ')'
        try {
            $before = @(Test-FixgenStep -Step $step | Where-Object -FilterScript { -not $_.Compliant })
            $open = @($before | Where-Object -FilterScript { -not $_.ReportOnly })
            foreach ($check in @($before | Where-Object -FilterScript { $_.ReportOnly }) + $open) { Write-FixgenLog -Severity Warning -Message ($label + ': ' + (Format-FixgenCheck -Check $check)) }
            if ($before.Count -eq 0) { Write-FixgenLog -Message ($label + ': already compliant'); continue }
            if ($open.Count -eq 0 -or $step.ReportOnly) { $reported++; Write-FixgenLog -Severity Warning -Message ($label + ': reported only; this recipe changes nothing here'); continue }
            if (-not $PSCmdlet.ShouldProcess($open[0].Target, ('Set ' + ((@($open | ForEach-Object -Process { $_.Setting }) | Select-Object -Unique) -join ', ')))) {
                $pending++; Write-FixgenLog -Message ($label + ': not changed (WhatIf or declined)'); continue
            }
            if (-not $backupSaved) {
                Save-FixgenBackup -Recipe $Recipe -Steps $Steps
                $backupSaved = $true
            }
            $result = Set-FixgenStep -Step $step
            $changed++
            $stepReboot = ($null -ne $result -and $result.RebootRequired)
            $rebootNeeded = $rebootNeeded -or $stepReboot
            $still = @(Test-FixgenStep -Step $step | Where-Object -FilterScript { -not $_.Compliant -and -not $_.ReportOnly })
            if ($still.Count -eq 0) { Write-FixgenLog -Message ($label + ': changed and verified') }
            elseif ($stepReboot) { Write-FixgenLog -Severity Warning -Message ($label + ': changed; the rest takes effect after a restart') }
            else {
                $failed++
                foreach ($check in $still) {
                    $text = 'step ' + $index + ' (' + $step.Kind + '): verification failed: ' + (Format-FixgenCheck -Check $check)
                    if ($reason -eq '') { $reason = $text }
                    Write-FixgenLog -Severity Error -Message ($id + ' ' + $text)
                }
            }
        } catch {
            $failed++
            if ($reason -eq '') { $reason = 'step ' + $index + ' (' + $step.Kind + ') failed: ' + $_.Exception.Message }
            Write-FixgenLog -Severity Error -Message ($label + ' failed: ' + $_.Exception.Message)
        }
    }
    # Only a change asks for a restart (3010); one already pending is reported, not caused here.
    $rebootNeeded = ($changed -gt 0 -and ($rebootNeeded -or $Recipe.Reboot -eq 'Required'))
    if ($changed -gt 0 -and $Recipe.Reboot -eq 'Recommended') { Write-FixgenLog -Severity Warning -Message ($id + ': a restart is recommended for the change to take full effect') }
    $exitCode = 0; $summary = $id + ': already compliant'
    if ($failed -gt 0) { $exitCode = 1; $summary = $id + ': FAILED (' + $failed + ' step(s) failed; first: ' + $reason + '; see the log)' }
    elseif ($rebootNeeded) { $exitCode = 3010; $summary = $id + ': fixed, restart required (' + $changed + ' step(s) changed)' }
    elseif ($changed -gt 0) { $summary = $id + ': fixed (' + $changed + ' step(s) changed and verified)' }
    elseif ($pending -gt 0) { $summary = $id + ': not compliant; ' + $pending + ' step(s) would change (WhatIf)' }
    elseif ($reported -gt 0) { $summary = $id + ': reported ' + $reported + ' finding(s); nothing changed' }
    Write-FixgenLog -Message ($summary + ' (exit ' + $exitCode + ')')
    [pscustomobject]@{ Recipe = $id; Changed = $changed; Failed = $failed; Pending = $pending; RebootRequired = $rebootNeeded; ExitCode = $exitCode; Summary = $summary }
}
