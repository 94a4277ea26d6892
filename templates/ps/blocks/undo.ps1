# Every backup of the recipe not yet restored (<UTC time>-<n>.json; restored ones are renamed
# *.restored.json), oldest first. Each file must have a trusted owner and be a backup of this recipe, else this throws.
function Get-FixgenOpenBackup { param([string]$RecipeId, [ValidateSet('System', 'User')][string]$Context = 'System')
    $folder = Get-FixgenFolder -Levels @('backup', $RecipeId) -Context $Context
    if ($null -eq $folder) { return }
    foreach ($file in @([System.IO.Directory]::GetFiles($folder, '*.json') | Where-Object -FilterScript { -not $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) } | Sort-Object)) {
        if (-not (Test-FixgenTrustedOwner -LiteralPath $file -AllowCurrentUser:($Context -eq 'User'))) { throw ($file + ' is not owned by SYSTEM or Administrators; it is not restored') }
        $document = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($file))
        if ($document.Format -ne 'fixgen-backup/1' -or $document.Recipe -ne $RecipeId) { throw ($file + ' is not a fixgen backup of ' + $RecipeId) }
        [pscustomobject]@{ File = $file; Document = $document }
    }
}
# Per item (registry value, service, rule, connection) the state before the FIRST change not yet undone:
# the item from the oldest un-restored backup that holds it (later backups hold already-fixed values).
function Get-FixgenUndoItem { param([object[]]$Backups)
    $seen = @{}
    foreach ($item in @($Backups | ForEach-Object -Process { @($_.Document.Items) } | Where-Object -FilterScript { $null -ne $_ })) {
        $key = [string]$item.Kind + '|' + [string]$item.Name
        if ($item.Kind -eq 'registry') { $key = $key + '|' + [string]$item.Path }
        if ($item.Kind -eq 'vpn') { $key = $key + '|' + [string][bool]$item.AllUserConnection }
        if (-not $seen.ContainsKey($key.ToUpperInvariant())) { $seen[$key.ToUpperInvariant()] = $true; $item }
    }
}
# True when a backup item is about something this recipe changes; undo restores nothing else, even from an edited backup.
function Test-FixgenUndoTarget { param([object]$Item, [object[]]$Target)
    foreach ($t in @($Target | Where-Object -FilterScript { $_.Kind -eq $Item.Kind })) {
        if ($t.Kind -eq 'registry' -and $t.Path -eq $Item.Path -and $t.Name -eq $Item.Name) { return $true }
        if (($t.Kind -eq 'service' -or $t.Kind -eq 'firewall') -and $t.Name -eq $Item.Name) { return $true }
        if ($t.Kind -eq 'vpn' -and [bool]$t.AllUserConnection -eq [bool]$Item.AllUserConnection -and ([string]::IsNullOrEmpty($t.Name) -or $t.Name -eq $Item.Name)) { return $true }
        if ($t.Kind -eq 'windows_update') { return $true }
    }
    return $false
}
# Compare-Fixgen<Kind>Item: the settings that differ from the backup item (none: as it was);
# Restore-Fixgen<Kind>Item puts it back (the caller has asked ShouldProcess). A Windows Update item has neither.
function Compare-FixgenBackupItem { param([object]$Item)
    if ($Item.Kind -eq 'windows_update') { return }
    $fixgenKindCommand = Get-FixgenKindCommand -Verb 'Compare' -Kind $Item.Kind -Noun 'Item'
    & $fixgenKindCommand -Item $Item
}
function Restore-FixgenBackupItem { param([object]$Item)
    if ($Item.Kind -eq 'windows_update') { return }
    $fixgenKindCommand = Get-FixgenKindCommand -Verb 'Restore' -Kind $Item.Kind -Noun 'Item'
    & $fixgenKindCommand -Item $Item
}
function Get-FixgenBackupItemLabel { param([object]$Item)
    $what = @{ registry = 'registry value '; service = 'service '; firewall = 'firewall rule '; vpn = 'VPN connection ' }[[string]$Item.Kind]
    if ($null -eq $what) { return [string]$Item.Kind }
    if ($Item.Kind -eq 'registry') { return ($what + $Item.Path + '\' + $Item.Name) }
    return ($what + $Item.Name)
}
# Restores per item the oldest backup not yet restored, items in reverse order: compare with the current
# state, restore under ShouldProcess only what differs, compare again. When every item is as before, the
# backups used are renamed *.restored.json, so a second run changes nothing. Exit code 0 or 1.
function Undo-FixgenRecipe {
    [CmdletBinding(SupportsShouldProcess)] param([hashtable]$Recipe, [object[]]$Target)
    $id = $Recipe.Id
    $failed = 0; $restored = 0; $pending = 0; $same = 0; $source = $null; $allRestored = $false
    Write-FixgenLog -Message ('Undo ' + $id + ' (bundle ' + $Recipe.Bundle + ' ' + $Recipe.BundleVersion + ')')
    if (@($Target | Where-Object -FilterScript { $_.Kind -eq 'windows_update' -and $_.Action -eq 'Install' }).Count -gt 0) {
        Write-FixgenLog -Severity Warning -Message ($id + ': Windows Update installs cannot be undone; updates this recipe installed stay installed')
    }
    $problem = $null
    if ($Recipe.Needs64Bit -and [System.Environment]::Is64BitOperatingSystem -and -not [System.Environment]::Is64BitProcess) { $problem = 'running in a 32-bit PowerShell host on 64-bit Windows; run it in 64-bit PowerShell.' }
    elseif ($Recipe.Context -eq 'System' -and -not (Test-FixgenElevation)) { $problem = 'undo needs an elevated session (administrator or SYSTEM): backups are kept in a folder only they can read.' }
    if ($null -ne $problem) { Write-FixgenLog -Severity Error -Message ($id + ': ' + $problem); $failed++ }
    else {
        try {
            $backups = @(Get-FixgenOpenBackup -RecipeId $id -Context $Recipe.Context)
            if ($backups.Count -eq 0) {
                $folder = Get-FixgenFolder -Levels @('backup', $id) -Context $Recipe.Context
                $allRestored = ($null -ne $folder -and @([System.IO.Directory]::GetFiles($folder, '*.restored.json')).Count -gt 0)
                if ($allRestored) { Write-FixgenLog -Message ($id + ': every backup is already restored; this recipe has changed nothing here since the last undo, so there is nothing to undo') }
                else { Write-FixgenLog -Message ($id + ': no backup found; this recipe has changed nothing here, so there is nothing to undo') }
            } else {
                $source = $backups[0].File
                foreach ($backup in $backups) { Write-FixgenLog -Message ($id + ': reading ' + $backup.File + ' (saved ' + $backup.Document.Created + ')') }
                Write-FixgenLog -Message ($id + ': restoring per item the oldest of ' + $backups.Count + ' backup(s) not yet restored, from ' + $source)
                $items = @(Get-FixgenUndoItem -Backups $backups)
                [System.Array]::Reverse($items)
                foreach ($item in $items) {
                    $what = Get-FixgenBackupItemLabel -Item $item
                    $label = $id + ' undo: ' + $what
                    try {
                        if (-not (Test-FixgenUndoTarget -Item $item -Target $Target)) { Write-FixgenLog -Severity Error -Message ($label + ': not something this recipe changes; skipped'); $failed++; continue }
                        $differs = @(Compare-FixgenBackupItem -Item $item)
                        if ($differs.Count -eq 0) { $same++; Write-FixgenLog -Message ($label + ': already as before'); continue }
                        if (-not $PSCmdlet.ShouldProcess($what, ('Restore ' + ($differs -join ', ')))) {
                            $pending++; Write-FixgenLog -Message ($label + ': not restored (WhatIf or declined); differs in ' + ($differs -join ', ')); continue
                        }
                        Restore-FixgenBackupItem -Item $item
                        $still = @(Compare-FixgenBackupItem -Item $item)
                        if ($still.Count -eq 0) { $restored++; Write-FixgenLog -Message ($label + ': restored and verified') }
                        else { $failed++; Write-FixgenLog -Severity Error -Message ($label + ': restore could not be verified; still differs in ' + ($still -join ', ')) }
                    } catch { $failed++; Write-FixgenLog -Severity Error -Message ($label + ' failed: ' + $_.Exception.Message) }
                }
                # All as before: these backups are used up. After a failure or under WhatIf they stay for the next undo.
                if ($failed -eq 0 -and $pending -eq 0 -and -not $WhatIfPreference) {
                    foreach ($backup in $backups) {
                        $done = $backup.File.Substring(0, $backup.File.Length - 5) + '.restored.json'
                        [System.IO.File]::Move($backup.File, $done)
                        Write-FixgenLog -Message ('backup marked as restored: ' + $done)
                    }
                }
            }
        } catch { $failed++; Write-FixgenLog -Severity Error -Message ($id + ' undo failed: ' + $_.Exception.Message) }
    }
    $exitCode = 0
    if ($failed -gt 0) { $exitCode = 1; $summary = $id + ': undo FAILED (' + $failed + ' item(s); see the log)' }
    elseif ($restored -gt 0) { $summary = $id + ': undone (' + $restored + ' item(s) restored and verified)' }
    elseif ($pending -gt 0) { $summary = $id + ': ' + $pending + ' item(s) would be restored (WhatIf)' }
    elseif ($allRestored) { $summary = $id + ': nothing to undo (already undone; every backup is marked restored)' }
    elseif ($null -eq $source) { $summary = $id + ': nothing to undo (no backup)' }
    else { $summary = $id + ': already as before the change (' + $same + ' item(s) checked)' }
    Write-FixgenLog -Message ($summary + ' (exit ' + $exitCode + ')')
    [pscustomobject]@{ Recipe = $id; Restored = $restored; Failed = $failed; Pending = $pending; Backup = $source; ExitCode = $exitCode; Summary = $summary }
}
