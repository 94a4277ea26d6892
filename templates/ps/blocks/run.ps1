function Format-FixgenCheck { param([object]$Check)
    return ($Check.Target + ' ' + $Check.Setting + ' is ' + (Format-FixgenValue -Value $Check.Actual) + ', expected ' + (Format-FixgenValue -Value $Check.Expected))
}
function Set-FixgenStep { param([hashtable]$Step)
    $fixgenKindCommand = Get-FixgenKindCommand -Verb $(if ($Step.Ensure -eq 'Absent') { 'Remove' } else { 'Set' }) -Kind $Step.Kind -Noun 'Step'
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
function Get-FixgenStepBackup { param([hashtable]$Step)
    $fixgenKindCommand = Get-FixgenKindCommand -Verb 'Get' -Kind $Step.Kind -Noun 'Backup'
    & $fixgenKindCommand -Step $Step
}
# Saves the prior state of every step as JSON (<backup folder>\<UTC time>-<n>.json); throws when it cannot, so nothing
# changes without a backup. Keeps 10 files: restored ones go first, then all but the oldest (the state undo restores).
function Save-FixgenBackup { param([hashtable]$Recipe, [object[]]$Steps)
    $inv = [System.Globalization.CultureInfo]::InvariantCulture
    $now = (Get-Date).ToUniversalTime()
    $items = @(); foreach ($step in $Steps) { $items += ,(Get-FixgenStepBackup -Step $step) }
    $document = [ordered]@{ Format = 'fixgen-backup/1'; Recipe = $Recipe.Id; Bundle = $Recipe.Bundle; BundleVersion = $Recipe.BundleVersion; SourceSha256 = $Recipe.SourceSha256; Created = $now.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', $inv); Computer = $env:COMPUTERNAME; Items = $items }
    $json = ConvertTo-Json -InputObject $document -Depth 8
    $folder = Get-FixgenFolder -Levels @('backup', $Recipe.Id) -Context $Recipe.Context -Create
    $n = 0
    while (Test-Path -LiteralPath ($file = Join-Path -Path $folder -ChildPath ($now.ToString('yyyyMMddTHHmmssfffffffZ', $inv) + '-' + $n + '.json'))) { $n++ }
    [System.IO.File]::WriteAllText($file + '.tmp', $json, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
    [System.IO.File]::Move($file + '.tmp', $file)
    Write-FixgenLog -Message ($Recipe.Id + ': prior state saved to ' + $file)
    $all = @([System.IO.Directory]::GetFiles($folder, '*.json') | Sort-Object)
    $restored = @($all | Where-Object -FilterScript { $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) })
    $open = @($all | Where-Object -FilterScript { $restored -notcontains $_ } | Select-Object -Skip 1)
    foreach ($old in @(@($restored) + $open | Select-Object -First ([System.Math]::Max(0, $all.Count - 10)))) {
        [System.IO.File]::Delete($old)
        Write-FixgenLog -Message ($Recipe.Id + ': old backup removed (at most 10 are kept): ' + $old)
    }
}
