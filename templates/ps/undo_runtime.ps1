#region fixgen undo (restores, per item, the state before the first change not yet undone)

function Get-FixgenOpenBackup {
    <#
    .SYNOPSIS
    Every backup of a recipe not yet restored (file names <UTC time>-<n>.json; a restored one
    is renamed to <UTC time>-<n>.restored.json), parsed, oldest first; none when there is none.
    The folder chain and each file must be owned by SYSTEM or Administrators, and each file
    must be a fixgen backup of this recipe; otherwise this throws.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$RecipeId,

        [ValidateSet('System', 'User')]
        [string]$Context = 'System'
    )
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

function Get-FixgenBackupItemKey {
    <#
    .SYNOPSIS
    What a backup item is about, as one case-insensitive key (kind and identity).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    $key = [string]$Item.Kind + '|' + [string]$Item.Name
    if ($Item.Kind -eq 'registry') { $key = $key + '|' + [string]$Item.Path }
    if ($Item.Kind -eq 'vpn') { $key = $key + '|' + [string][bool]$Item.AllUserConnection }
    return $key.ToUpperInvariant()
}

function Get-FixgenUndoItem {
    <#
    .SYNOPSIS
    Per item (registry value, service, rule, connection), the state before the FIRST change not
    yet undone: the item from the oldest un-restored backup that holds it. A later run after a
    drift saves the already-fixed values of the other items; those are never restored.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$Backups
    )
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

function Set-FixgenBackupRestored {
    <#
    .SYNOPSIS
    Marks a backup as restored: <name>.json becomes <name>.restored.json. Undo never reads it
    again; the next changing run saves a new backup.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$File
    )
    $target = $File.Substring(0, $File.Length - 5) + '.restored.json'
    [System.IO.File]::Move($File, $target)
    Write-FixgenLog -Message ('backup marked as restored: ' + $target)
}

function Test-FixgenUndoTarget {
    <#
    .SYNOPSIS
    True when a backup item is about something this recipe changes (same kind and the same
    registry value, service, firewall rule or VPN connection). Undo restores nothing else, even
    from a backup file that was edited.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [object]$Item,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$Target
    )
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
{%- if kinds.registry %}

function Compare-FixgenRegistryItem {
    <#
    .SYNOPSIS
    The settings in which a registry value differs from its backup.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    $state = Get-FixgenRegistryState -Path $Item.Path -Name $Item.Name
    if (-not $Item.Exists) {
        if ($state.Exists) { 'Exists' }
        return
    }
    if (-not $state.Exists) {
        'Exists'
        return
    }
    if ($state.Type -ne $Item.Type) { 'Type' }
    if ($Item.Type -eq 'MultiString') {
        if (-not (Test-FixgenListEqual -Left $state.Data -Right @($Item.Data))) { 'Data' }
    } elseif (-not ([string]$state.Data -ceq [string]$Item.Data)) {
        'Data'
    }
}

function Restore-FixgenRegistryItem {
    <#
    .SYNOPSIS
    Writes a registry value back with its saved kind and data, or deletes it when it did not
    exist (and deletes its key when fixgen created it and it is now empty).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    $name = [string]$Item.Name
    if ($name -eq '') { $name = '(default)' }
    if (-not $Item.Exists) {
        $state = Get-FixgenRegistryState -Path $Item.Path -Name $Item.Name
        if ($state.Exists) {
            Remove-FixgenRegistryValue -Path $Item.Path -Name ([string]$Item.Name)
        }
        $state = Get-FixgenRegistryState -Path $Item.Path -Name $Item.Name
        if (-not $Item.KeyExists -and $state.KeyExists -and $state.KeyEmpty) {
            Remove-Item -LiteralPath $Item.Path -Force -ErrorAction Stop -Confirm:$false
        }
        return
    }
    if ($Item.Type -notin @('String', 'ExpandString', 'MultiString', 'DWord', 'QWord', 'Binary')) {
        throw ('the saved value has kind ' + $Item.Type + ', which the registry provider cannot write back; restore it by hand from the backup file')
    }
    if (-not (Test-Path -LiteralPath $Item.Path)) {
        $null = New-Item -Path $Item.Path -Force -ErrorAction Stop -Confirm:$false
    }
    $data = ConvertFrom-FixgenBackupData -Type $Item.Type -Data $Item.Data
    $null = New-ItemProperty -LiteralPath $Item.Path -Name $name -PropertyType $Item.Type -Value $data -Force -ErrorAction Stop -Confirm:$false
}
{%- endif %}
{%- if kinds.service %}

function Get-FixgenServiceRestoreStep {
    <#
    .SYNOPSIS
    A service step that sets the saved startup type and status (only values fixgen can set:
    the four startup types, Running and Stopped).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    $startup = $null
    if ($Item.Startup -in @('Automatic', 'AutomaticDelayed', 'Manual', 'Disabled')) { $startup = [string]$Item.Startup }
    $state = $null
    if ($Item.Status -in @('Running', 'Stopped')) { $state = [string]$Item.Status }
    return @{
        Kind           = 'service'
        Name           = [string]$Item.Name
        Startup        = $startup
        State          = $state
        TimeoutSeconds = 60
    }
}

function Compare-FixgenServiceItem {
    <#
    .SYNOPSIS
    The settings in which a service differs from its backup.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    if (-not $Item.Exists) { return }
    $step = Get-FixgenServiceRestoreStep -Item $Item
    foreach ($check in @(Test-FixgenServiceStep -Step $step)) {
        if (-not $check.Compliant) { $check.Setting }
    }
}

function Restore-FixgenServiceItem {
    <#
    .SYNOPSIS
    Sets a service's startup type and status back to the saved ones.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    if (-not $Item.Exists) { return }
    Set-FixgenServiceStep -Step (Get-FixgenServiceRestoreStep -Item $Item)
}
{%- endif %}
{%- if kinds.firewall %}

function Compare-FixgenFirewallItem {
    <#
    .SYNOPSIS
    The settings in which a firewall rule differs from its backup (presence first).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    $state = Get-FixgenFirewallState -Step @{ Name = [string]$Item.Name }
    if (-not $Item.Exists) {
        if ($null -ne $state) { 'Exists' }
        return
    }
    if ($null -eq $state) {
        'Exists'
        return
    }
    $rule = $state.Rule
    if (-not ([string]$rule.Group -ceq [string]$Item.Group)) { 'Group' }
    if (-not ([string]$rule.DisplayName -ceq [string]$Item.DisplayName)) { 'DisplayName' }
    if (-not ([string]$rule.Description -ceq [string]$Item.Description)) { 'Description' }
    if ($rule.Enabled.ToString() -ne $Item.Enabled) { 'Enabled' }
    if ($rule.Direction.ToString() -ne $Item.Direction) { 'Direction' }
    if ($rule.Action.ToString() -ne $Item.Action) { 'Action' }
    $profiles = ConvertTo-FixgenProfileList -Value $rule.Profile.ToString()
    if (-not (Test-FixgenSetEqual -Left $profiles -Right @($Item.Profile))) { 'Profile' }
    if ([string]$state.Ports.Protocol -ne $Item.Protocol) { 'Protocol' }
    if (-not (Test-FixgenSetEqual -Left @($state.Ports.LocalPort) -Right @($Item.LocalPort))) { 'LocalPort' }
    if (-not (Test-FixgenSetEqual -Left @($state.Ports.RemotePort) -Right @($Item.RemotePort))) { 'RemotePort' }
}

function Restore-FixgenFirewallItem {
    <#
    .SYNOPSIS
    Removes a rule that did not exist before, or puts the saved settings back (adding the rule
    again in its saved group when it is missing or in another group).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    $current = Get-NetFirewallRule -Name $Item.Name -ErrorAction SilentlyContinue
    if (-not $Item.Exists) {
        if ($null -ne $current) {
            Remove-NetFirewallRule -Name $Item.Name -ErrorAction Stop -Confirm:$false
        }
        return
    }
    $profiles = (@($Item.Profile) -join ',')
    $local = [string[]]@($Item.LocalPort)
    $remote = [string[]]@($Item.RemotePort)
    $ported = ($Item.Protocol -eq 'TCP' -or $Item.Protocol -eq 'UDP')
    if ($null -ne $current -and -not ([string]$current.Group -ceq [string]$Item.Group)) {
        Remove-NetFirewallRule -Name $Item.Name -ErrorAction Stop -Confirm:$false
        $current = $null
    }
    if ($null -eq $current) {
        $grouped = -not [string]::IsNullOrEmpty([string]$Item.Group)
        if ($ported -and $grouped) {
            $null = New-NetFirewallRule -Name $Item.Name -DisplayName $Item.DisplayName -Description $Item.Description -Group $Item.Group -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -LocalPort $local -RemotePort $remote -ErrorAction Stop -Confirm:$false
        } elseif ($ported) {
            $null = New-NetFirewallRule -Name $Item.Name -DisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -LocalPort $local -RemotePort $remote -ErrorAction Stop -Confirm:$false
        } elseif ($grouped) {
            $null = New-NetFirewallRule -Name $Item.Name -DisplayName $Item.DisplayName -Description $Item.Description -Group $Item.Group -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -ErrorAction Stop -Confirm:$false
        } else {
            $null = New-NetFirewallRule -Name $Item.Name -DisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -ErrorAction Stop -Confirm:$false
        }
        return
    }
    if ($ported) {
        Set-NetFirewallRule -Name $Item.Name -NewDisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -LocalPort $local -RemotePort $remote -ErrorAction Stop -Confirm:$false
    } else {
        Set-NetFirewallRule -Name $Item.Name -NewDisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -ErrorAction Stop -Confirm:$false
    }
}
{%- endif %}
{%- if kinds.vpn %}

function Compare-FixgenVpnItem {
    <#
    .SYNOPSIS
    The settings in which a VPN connection differs from its backup (presence first). The
    pre-shared key is never compared: it cannot be read back and was never saved.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    $connection = Get-FixgenVpnConnection -Step @{ Name = [string]$Item.Name; AllUserConnection = [bool]$Item.AllUserConnection }
    if (-not $Item.Exists) {
        if ($null -ne $connection) { 'Exists' }
        return
    }
    if ($null -eq $connection) {
        'Exists'
        return
    }
    if ([string]$connection.ServerAddress -ne [string]$Item.ServerAddress) { 'ServerAddress' }
    if ($connection.TunnelType.ToString() -ne $Item.TunnelType) { 'TunnelType' }
    $methods = @(@($connection.AuthenticationMethod) | ForEach-Object -Process { $_.ToString() })
    if (-not (Test-FixgenSetEqual -Left $methods -Right @($Item.AuthenticationMethod))) { 'AuthenticationMethod' }
    if ($connection.EncryptionLevel.ToString() -ne $Item.EncryptionLevel) { 'EncryptionLevel' }
    if ([bool]$connection.SplitTunneling -ne [bool]$Item.SplitTunneling) { 'SplitTunneling' }
    if ([bool]$connection.RememberCredential -ne [bool]$Item.RememberCredential) { 'RememberCredential' }
}

function Restore-FixgenVpnItem {
    <#
    .SYNOPSIS
    Removes a connection that did not exist before, or puts the saved settings back (adding
    the connection again when it is missing: without a pre-shared key, which was never saved).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    $all = [bool]$Item.AllUserConnection
    $connection = Get-FixgenVpnConnection -Step @{ Name = [string]$Item.Name; AllUserConnection = $all }
    if (-not $Item.Exists) {
        if ($null -ne $connection) {
            Remove-VpnConnection -Name $Item.Name -AllUserConnection:$all -Force -ErrorAction Stop -Confirm:$false
        }
        return
    }
    $methods = [string[]]@($Item.AuthenticationMethod)
    if ($null -eq $connection) {
        Write-FixgenLog -Severity Warning -Message ('VPN connection ' + $Item.Name + ' is added again without its pre-shared key (fixgen never saves it); enter the key in the connection settings')
        Add-VpnConnection -Name $Item.Name -ServerAddress $Item.ServerAddress -TunnelType $Item.TunnelType -AuthenticationMethod $methods -EncryptionLevel $Item.EncryptionLevel -AllUserConnection:$all -SplitTunneling:([bool]$Item.SplitTunneling) -RememberCredential:([bool]$Item.RememberCredential) -Force -ErrorAction Stop -Confirm:$false
        return
    }
    Set-VpnConnection -Name $Item.Name -ServerAddress $Item.ServerAddress -TunnelType $Item.TunnelType -AuthenticationMethod $methods -EncryptionLevel $Item.EncryptionLevel -SplitTunneling ([bool]$Item.SplitTunneling) -RememberCredential ([bool]$Item.RememberCredential) -AllUserConnection:$all -Force -ErrorAction Stop -Confirm:$false
}
{%- endif %}

function Compare-FixgenBackupItem {
    <#
    .SYNOPSIS
    The settings in which the current state differs from a backup item; none means it is
    already as it was.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    switch ($Item.Kind) {
{%- if kinds.registry %}
        'registry' { Compare-FixgenRegistryItem -Item $Item }
{%- endif %}
{%- if kinds.service %}
        'service' { Compare-FixgenServiceItem -Item $Item }
{%- endif %}
{%- if kinds.firewall %}
        'firewall' { Compare-FixgenFirewallItem -Item $Item }
{%- endif %}
{%- if kinds.vpn %}
        'vpn' { Compare-FixgenVpnItem -Item $Item }
{%- endif %}
        'windows_update' { }
        default { throw ('unknown backup item kind ' + $Item.Kind) }
    }
}

function Restore-FixgenBackupItem {
    <#
    .SYNOPSIS
    Puts one backup item back. The caller has already asked ShouldProcess.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    switch ($Item.Kind) {
{%- if kinds.registry %}
        'registry' { Restore-FixgenRegistryItem -Item $Item }
{%- endif %}
{%- if kinds.service %}
        'service' { Restore-FixgenServiceItem -Item $Item }
{%- endif %}
{%- if kinds.firewall %}
        'firewall' { Restore-FixgenFirewallItem -Item $Item }
{%- endif %}
{%- if kinds.vpn %}
        'vpn' { Restore-FixgenVpnItem -Item $Item }
{%- endif %}
        'windows_update' { }
        default { throw ('unknown backup item kind ' + $Item.Kind) }
    }
}

function Get-FixgenBackupItemLabel {
    <#
    .SYNOPSIS
    What a backup item is about, for log lines.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [object]$Item
    )
    if ($Item.Kind -eq 'registry') { return ('registry value ' + $Item.Path + '\' + $Item.Name) }
    if ($Item.Kind -eq 'service') { return ('service ' + $Item.Name) }
    if ($Item.Kind -eq 'firewall') { return ('firewall rule ' + $Item.Name) }
    if ($Item.Kind -eq 'vpn') { return ('VPN connection ' + $Item.Name) }
    return [string]$Item.Kind
}

function Undo-FixgenRecipe {
    <#
    .SYNOPSIS
    Restores, per item, the oldest backup not yet restored (the state before the first change
    since the last undo), item by item in reverse order: each item is compared with the
    current state, changed under ShouldProcess only when it differs, then compared again. When
    every item is as before, the backups used are marked as restored, so a second run changes
    nothing. Returns one result object (exit code 0 or 1).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Recipe,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$Target
    )
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

#endregion