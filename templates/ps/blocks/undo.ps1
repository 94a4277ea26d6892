# Every backup of a recipe not yet restored (file names <UTC time>-<n>.json; a restored one is renamed
# to <UTC time>-<n>.restored.json), parsed, oldest first; none when there is none. The folder chain
# and each file must be owned by SYSTEM or Administrators, and each file must be a fixgen backup of
# this recipe; otherwise this throws.
function Get-FixgenOpenBackup {
    [CmdletBinding()] param([Parameter(Mandatory)][string]$RecipeId, [ValidateSet('System', 'User')][string]$Context = 'System')
    $folder = Get-FixgenBackupFolder -RecipeId $RecipeId -Context $Context
    if ($null -eq $folder) { return }
    $files = @([System.IO.Directory]::GetFiles($folder, '*.json') | Where-Object -FilterScript { -not $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) } | Sort-Object)
    foreach ($file in $files) {
        if (-not (Test-FixgenTrustedOwner -LiteralPath $file -AllowCurrentUser:($Context -eq 'User'))) {
            throw ($file + ' is not owned by SYSTEM or Administrators; it is not restored')
        }
        $document = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($file))
        if ($document.Format -ne 'fixgen-backup/1' -or $document.Recipe -ne $RecipeId) {
            throw ($file + ' is not a fixgen backup of ' + $RecipeId)
        }
        [pscustomobject]@{
            File     = $file
            Document = $document
        }
    }
}

# What a backup item is about, as one case-insensitive key (kind and identity).
function Get-FixgenBackupItemKey {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][object]$Item)
    $key = [string]$Item.Kind + '|' + [string]$Item.Name
    if ($Item.Kind -eq 'registry') { $key = $key + '|' + [string]$Item.Path }
    if ($Item.Kind -eq 'vpn') { $key = $key + '|' + [string][bool]$Item.AllUserConnection }
    return $key.ToUpperInvariant()
}

# Per item (registry value, service, rule, connection), the state before the FIRST change not yet
# undone: the item from the oldest un-restored backup that holds it. A later run after a drift saves
# the already-fixed values of the other items; those are never restored.
function Get-FixgenUndoItem {
    [CmdletBinding()] param([Parameter(Mandatory)][AllowEmptyCollection()][object[]]$Backups)
    $seen = @{}
    foreach ($backup in $Backups) {
        foreach ($item in @($backup.Document.Items)) {
            if ($null -eq $item) { continue }
            $key = Get-FixgenBackupItemKey -Item $item
            if ($seen.ContainsKey($key)) { continue }
            $seen[$key] = $true
            $item
        }
    }
}

# Marks a backup as restored: <name>.json becomes <name>.restored.json. Undo never reads it again; the
# next changing run saves a new backup.
function Set-FixgenBackupRestored {
    [CmdletBinding()] param([Parameter(Mandatory)][string]$File)
    $target = $File.Substring(0, $File.Length - 5) + '.restored.json'
    [System.IO.File]::Move($File, $target)
    Write-FixgenLog -Message ('backup marked as restored: ' + $target)
}

# True when a backup item is about something this recipe changes (same kind and the same registry
# value, service, firewall rule or VPN connection). Undo restores nothing else, even from a backup
# file that was edited.
function Test-FixgenUndoTarget {
    [CmdletBinding()] [OutputType([bool])] param([Parameter(Mandatory)][object]$Item, [Parameter(Mandatory)][AllowEmptyCollection()][object[]]$Target)
    foreach ($t in $Target) {
        if ($t.Kind -ne $Item.Kind) { continue }
        if ($t.Kind -eq 'registry' -and $t.Path -eq $Item.Path -and $t.Name -eq $Item.Name) { return $true }
        if (($t.Kind -eq 'service' -or $t.Kind -eq 'firewall') -and $t.Name -eq $Item.Name) { return $true }
        if ($t.Kind -eq 'vpn' -and [bool]$t.AllUserConnection -eq [bool]$Item.AllUserConnection) {
            if ([string]::IsNullOrEmpty($t.Name) -or $t.Name -eq $Item.Name) { return $true }
        }
        if ($t.Kind -eq 'windows_update') { return $true }
    }
    return $false
}

# The settings in which the current state differs from a backup item (none: as it was), and
# putting it back (the caller has asked ShouldProcess): Compare-/Restore-Fixgen<Kind>Item from the
# kind's undo block. A Windows Update item has nothing to compare or restore.
function Compare-FixgenBackupItem {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][object]$Item)
    if ($Item.Kind -ne 'windows_update') { & ('Compare-Fixgen' + $Item.Kind + 'Item') -Item $Item }
}

function Restore-FixgenBackupItem {
    [CmdletBinding()] param([Parameter(Mandatory)][object]$Item)
    if ($Item.Kind -ne 'windows_update') { & ('Restore-Fixgen' + $Item.Kind + 'Item') -Item $Item }
}

# What a backup item is about, for log lines.
function Get-FixgenBackupItemLabel {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][object]$Item)
    if ($Item.Kind -eq 'registry') { return ('registry value ' + $Item.Path + '\' + $Item.Name) }
    if ($Item.Kind -eq 'service') { return ('service ' + $Item.Name) }
    if ($Item.Kind -eq 'firewall') { return ('firewall rule ' + $Item.Name) }
    if ($Item.Kind -eq 'vpn') { return ('VPN connection ' + $Item.Name) }
    return [string]$Item.Kind
}

# Restores, per item, the oldest backup not yet restored (the state before the first change since the
# last undo), item by item in reverse order: each item is compared with the current state, changed
# under ShouldProcess only when it differs, then compared again. When every item is as before, the
# backups used are marked as restored, so a second run changes nothing. Returns one result object
# (exit code 0 or 1).
function Undo-FixgenRecipe {
    [CmdletBinding(SupportsShouldProcess)] [OutputType([pscustomobject])] param([Parameter(Mandatory)][hashtable]$Recipe, [Parameter(Mandatory)][AllowEmptyCollection()][object[]]$Target)
    $id = $Recipe.Id
    $failed = 0
    $restored = 0
    $pending = 0
    $same = 0
    $source = $null
    $allRestored = $false
    Write-FixgenLog -Message ('Undo ' + $id + ' (bundle ' + $Recipe.Bundle + ' ' + $Recipe.BundleVersion + ')')
    foreach ($t in $Target) {
        if ($t.Kind -eq 'windows_update' -and $t.Action -eq 'Install') {
            Write-FixgenLog -Severity Warning -Message ($id + ': Windows Update installs cannot be undone; updates this recipe installed stay installed')
        }
    }
    if ([System.Environment]::Is64BitOperatingSystem -and -not [System.Environment]::Is64BitProcess) {
        Write-FixgenLog -Severity Error -Message ($id + ': running in a 32-bit PowerShell host on 64-bit Windows; run it in 64-bit PowerShell.')
        $failed++
    } elseif ($Recipe.Context -eq 'System' -and -not (Test-FixgenElevation)) {
        Write-FixgenLog -Severity Error -Message ($id + ': undo needs an elevated session (administrator or SYSTEM): backups are kept in a folder only they can read.')
        $failed++
    } else {
        try {
            $backups = @(Get-FixgenOpenBackup -RecipeId $id -Context $Recipe.Context)
            if ($backups.Count -eq 0) {
                $folder = Get-FixgenBackupFolder -RecipeId $id -Context $Recipe.Context
                if ($null -ne $folder -and @([System.IO.Directory]::GetFiles($folder, '*.restored.json')).Count -gt 0) {
                    $allRestored = $true
                    Write-FixgenLog -Message ($id + ': every backup is already restored; this recipe has changed nothing here since the last undo, so there is nothing to undo')
                } else {
                    Write-FixgenLog -Message ($id + ': no backup found; this recipe has changed nothing here, so there is nothing to undo')
                }
            } else {
                $source = $backups[0].File
                foreach ($backup in $backups) {
                    Write-FixgenLog -Message ($id + ': reading ' + $backup.File + ' (saved ' + $backup.Document.Created + ')')
                }
                Write-FixgenLog -Message ($id + ': restoring per item the oldest of ' + $backups.Count + ' backup(s) not yet restored, from ' + $source)
                $items = @(Get-FixgenUndoItem -Backups $backups)
                [System.Array]::Reverse($items)
                foreach ($item in $items) {
                    $label = $id + ' undo: ' + (Get-FixgenBackupItemLabel -Item $item)
                    try {
                        if (-not (Test-FixgenUndoTarget -Item $item -Target $Target)) {
                            Write-FixgenLog -Severity Error -Message ($label + ': not something this recipe changes; skipped')
                            $failed++
                            continue
                        }
                        $differs = @(Compare-FixgenBackupItem -Item $item)
                        if ($differs.Count -eq 0) {
                            $same++
                            Write-FixgenLog -Message ($label + ': already as before')
                            continue
                        }
                        if (-not $PSCmdlet.ShouldProcess((Get-FixgenBackupItemLabel -Item $item), ('Restore ' + ($differs -join ', ')))) {
                            $pending++
                            Write-FixgenLog -Message ($label + ': not restored (WhatIf or declined); differs in ' + ($differs -join ', '))
                            continue
                        }
                        Restore-FixgenBackupItem -Item $item
                        $still = @(Compare-FixgenBackupItem -Item $item)
                        if ($still.Count -eq 0) {
                            $restored++
                            Write-FixgenLog -Message ($label + ': restored and verified')
                        } else {
                            $failed++
                            Write-FixgenLog -Severity Error -Message ($label + ': restore could not be verified; still differs in ' + ($still -join ', '))
                        }
                    } catch {
                        $failed++
                        Write-FixgenLog -Severity Error -Message ($label + ' failed: ' + $_.Exception.Message)
                    }
                }
                # Every item is as before: these backups are used up. After a failure or under
                # WhatIf they stay, so the next undo tries again from the same state.
                if ($failed -eq 0 -and $pending -eq 0 -and -not $WhatIfPreference) {
                    foreach ($backup in $backups) {
                        Set-FixgenBackupRestored -File $backup.File
                    }
                }
            }
        } catch {
            $failed++
            Write-FixgenLog -Severity Error -Message ($id + ' undo failed: ' + $_.Exception.Message)
        }
    }
    $exitCode = 0
    if ($failed -gt 0) {
        $exitCode = 1
        $summary = $id + ': undo FAILED (' + $failed + ' item(s); see the log)'
    } elseif ($restored -gt 0) {
        $summary = $id + ': undone (' + $restored + ' item(s) restored and verified)'
    } elseif ($pending -gt 0) {
        $summary = $id + ': ' + $pending + ' item(s) would be restored (WhatIf)'
    } elseif ($null -eq $source) {
        $summary = $id + ': nothing to undo (no backup)'
        if ($allRestored) { $summary = $id + ': nothing to undo (already undone; every backup is marked restored)' }
    } else {
        $summary = $id + ': already as before the change (' + $same + ' item(s) checked)'
    }
    Write-FixgenLog -Message ($summary + ' (exit ' + $exitCode + ')')
    [pscustomobject]@{
        Recipe   = $id
        Restored = $restored
        Failed   = $failed
        Pending  = $pending
        Backup   = $source
        ExitCode = $exitCode
        Summary  = $summary
    }
}
