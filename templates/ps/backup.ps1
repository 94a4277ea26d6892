#region fixgen backup (prior state, saved before the first change; read by the undo scripts)

function Test-FixgenTrustedOwner {
    <#
    .SYNOPSIS
    True when a file or folder is owned by SYSTEM or the Administrators group (or, with
    -AllowCurrentUser, by the user running the script). Backups are restored as SYSTEM, so a
    backup folder or file anyone else owns (for example one a user created in ProgramData
    before fixgen did) is never used.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)]
        [string]$LiteralPath,

        [switch]$AllowCurrentUser
    )
    $acl = Get-Acl -LiteralPath $LiteralPath -ErrorAction Stop
    $owner = $acl.GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    if ($owner -eq 'S-1-5-18' -or $owner -eq 'S-1-5-32-544') { return $true }
    if ($AllowCurrentUser) {
        return ($owner -eq [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value)
    }
    return $false
}

function Protect-FixgenFolder {
    <#
    .SYNOPSIS
    Restricts a folder fixgen created to SYSTEM and Administrators (full control, inherited by
    its files; inheritance from ProgramData, which lets users create files, is removed).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$LiteralPath
    )
    $acl = Get-Acl -LiteralPath $LiteralPath -ErrorAction Stop
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $identity = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid
        $rule = New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList $identity, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow'
        $acl.SetAccessRule($rule)
    }
    Set-Acl -LiteralPath $LiteralPath -AclObject $acl -ErrorAction Stop -WhatIf:$false -Confirm:$false
}

function Get-FixgenBackupFolder {
    <#
    .SYNOPSIS
    $env:ProgramData\fixgen\backup\<recipe id> (user-context recipes:
    $env:LOCALAPPDATA\fixgen\backup\<recipe id>). With -Create, missing folders are created;
    under ProgramData they are restricted to SYSTEM and Administrators. Every level must be
    owned by SYSTEM or Administrators (or, for user context, the user), else this throws.
    Without -Create, $null when the folder does not exist.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string]$RecipeId,

        [switch]$Create,

        [ValidateSet('System', 'User')]
        [string]$Context = 'System'
    )
    $user = ($Context -eq 'User')
    $base = $env:ProgramData
    if ($user) { $base = $env:LOCALAPPDATA }
    $root = Join-Path -Path $base -ChildPath 'fixgen'
    $backup = Join-Path -Path $root -ChildPath 'backup'
    $folder = Join-Path -Path $backup -ChildPath $RecipeId
    foreach ($level in @($root, $backup, $folder)) {
        if (-not (Test-Path -LiteralPath $level -PathType Container)) {
            if (-not $Create) { return $null }
            $null = New-Item -Path $level -ItemType Directory -Force -ErrorAction Stop -WhatIf:$false -Confirm:$false
            if (-not $user) { Protect-FixgenFolder -LiteralPath $level }
        }
        if (-not (Test-FixgenTrustedOwner -LiteralPath $level -AllowCurrentUser:$user)) {
            throw ($level + ' is not owned by SYSTEM or Administrators; it is not used for backups (delete it if nobody expects it)')
        }
    }
    return $folder
}
{%- if kinds.registry %}

function ConvertTo-FixgenBackupData {
    <#
    .SYNOPSIS
    Registry data in the backup's text form: DWORD and QWORD as unsigned decimal text, binary
    and REG_NONE as hex pairs (01-FF), multi-strings as a list, strings as they are.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$Type,

        [AllowNull()]
        [object]$Value
    )
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    if ($null -eq $Value) { return $null }
    if ($Type -eq 'DWord') {
        return [System.BitConverter]::ToUInt32([System.BitConverter]::GetBytes([int32]$Value), 0).ToString($invariant)
    }
    if ($Type -eq 'QWord') {
        return [System.BitConverter]::ToUInt64([System.BitConverter]::GetBytes([int64]$Value), 0).ToString($invariant)
    }
    if ($Type -eq 'MultiString') {
        return ,([string[]]@($Value))
    }
    if ($Type -eq 'Binary' -or $Type -eq 'None') {
        return [System.BitConverter]::ToString([byte[]]@($Value))
    }
    return [string]$Value
}

function ConvertFrom-FixgenBackupData {
    <#
    .SYNOPSIS
    The backup's text form of registry data as the registry provider writes it.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$Type,

        [AllowNull()]
        [object]$Data
    )
    if ($Type -eq 'Binary' -or $Type -eq 'None') {
        $hex = [string]$Data
        if ($hex -eq '') { return ,([byte[]]@()) }
        return ,([byte[]]@($hex -split '-' | ForEach-Object -Process { [System.Convert]::ToByte($_, 16) }))
    }
    if ($Type -eq 'MultiString') {
        return ,([string[]]@($Data))
    }
    return (ConvertTo-FixgenRegistryData -Type $Type -Value $Data)
}

function Get-FixgenRegistryState {
    <#
    .SYNOPSIS
    Whether a registry key and value exist, and the value's kind and data in the backup's
    text form.
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [string]$Path,

        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string]$Name
    )
    $state = [ordered]@{
        KeyExists = $false
        KeyEmpty  = $false
        Exists    = $false
        Type      = $null
        Data      = $null
    }
    $key = Get-Item -LiteralPath $Path -ErrorAction SilentlyContinue
    if ($null -eq $key) { return $state }
    try {
        $state.KeyExists = $true
        $state.KeyEmpty = ($key.ValueCount -eq 0 -and $key.SubKeyCount -eq 0)
        if ($key.GetValueNames() -contains $Name) {
            $kind = $key.GetValueKind($Name).ToString()
            $raw = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
            $state.Exists = $true
            $state.Type = $kind
            $state.Data = ConvertTo-FixgenBackupData -Type $kind -Value $raw
        }
    } finally {
        $key.Close()
    }
    return $state
}

function Get-FixgenRegistryBackup {
    <#
    .SYNOPSIS
    The prior state of one registry value: its kind and data, or its absence.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    $state = Get-FixgenRegistryState -Path $Step.Path -Name $Step.Name
    return [ordered]@{
        Kind      = 'registry'
        Path      = $Step.Path
        Name      = $Step.Name
        KeyExists = $state.KeyExists
        Exists    = $state.Exists
        Type      = $state.Type
        Data      = $state.Data
    }
}
{%- endif %}
{%- if kinds.service %}

function Get-FixgenServiceBackup {
    <#
    .SYNOPSIS
    The prior startup type and status of a service (only the settings the step manages).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    $item = [ordered]@{
        Kind    = 'service'
        Name    = $Step.Name
        Exists  = $false
        Startup = $null
        Status  = $null
    }
    $service = Get-Service -Name $Step.Name -ErrorAction SilentlyContinue
    if ($null -ne $service) {
        $item.Exists = $true
        if ($null -ne $Step.Startup) { $item.Startup = Get-FixgenServiceStartup -Service $service }
        if ($null -ne $Step.State) { $item.Status = $service.Status.ToString() }
    }
    return $item
}
{%- endif %}
{%- if kinds.firewall %}

function Get-FixgenFirewallBackup {
    <#
    .SYNOPSIS
    Whether the firewall rule exists and, if so, every setting the step manages.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    $item = [ordered]@{
        Kind   = 'firewall'
        Name   = $Step.Name
        Exists = $false
    }
    $state = Get-FixgenFirewallState -Step $Step
    if ($null -ne $state) {
        $item.Exists = $true
        $item.DisplayName = [string]$state.Rule.DisplayName
        $item.Description = [string]$state.Rule.Description
        $item.Group = [string]$state.Rule.Group
        $item.Enabled = $state.Rule.Enabled.ToString()
        $item.Direction = $state.Rule.Direction.ToString()
        $item.Action = $state.Rule.Action.ToString()
        $item.Profile = ConvertTo-FixgenProfileList -Value $state.Rule.Profile.ToString()
        $item.Protocol = [string]$state.Ports.Protocol
        $item.LocalPort = [string[]]@($state.Ports.LocalPort)
        $item.RemotePort = [string[]]@($state.Ports.RemotePort)
    }
    return $item
}
{%- endif %}
{%- if kinds.vpn %}

function Get-FixgenVpnBackup {
    <#
    .SYNOPSIS
    Whether the VPN connection exists and, if so, its settings. The pre-shared key cannot be
    read back and is never saved.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    $item = [ordered]@{
        Kind              = 'vpn'
        Name              = [string]$Step.Name
        AllUserConnection = [bool]$Step.AllUserConnection
        Exists            = $false
    }
    $connection = Get-FixgenVpnConnection -Step $Step
    if ($null -ne $connection) {
        $item.Exists = $true
        $item.ServerAddress = [string]$connection.ServerAddress
        $item.TunnelType = $connection.TunnelType.ToString()
        $item.AuthenticationMethod = [string[]]@(@($connection.AuthenticationMethod) | ForEach-Object -Process { $_.ToString() })
        $item.EncryptionLevel = $connection.EncryptionLevel.ToString()
        $item.SplitTunneling = [bool]$connection.SplitTunneling
        $item.RememberCredential = [bool]$connection.RememberCredential
    }
    return $item
}
{%- endif %}

function Get-FixgenStepBackup {
    <#
    .SYNOPSIS
    The prior state of what one step may change, as an ordered dictionary for the backup.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    switch ($Step.Kind) {
{%- if kinds.registry %}
        'registry' { Get-FixgenRegistryBackup -Step $Step }
{%- endif %}
{%- if kinds.service %}
        'service' { Get-FixgenServiceBackup -Step $Step }
{%- endif %}
{%- if kinds.firewall %}
        'firewall' { Get-FixgenFirewallBackup -Step $Step }
{%- endif %}
{%- if kinds.vpn %}
        'vpn' { Get-FixgenVpnBackup -Step $Step }
{%- endif %}
        'windows_update' { [ordered]@{ Kind = 'windows_update'; Action = $Step.Action } }
        default { throw ('unknown step kind ' + $Step.Kind) }
    }
}

function Save-FixgenBackup {
    <#
    .SYNOPSIS
    Saves the prior state of everything the recipe's steps may change as JSON in
    $env:ProgramData\fixgen\backup\<id>\<UTC time>-<n>.json (file names sort by time). Undo
    restores per item the OLDEST backup not yet restored (the state before the first change),
    then renames the backups it used to <UTC time>-<n>.restored.json. At most 10 backup files
    are kept per recipe: beyond that, restored ones go first (oldest first), then un-restored
    ones except the oldest (which holds the state before the first change).
    Called once per run, just before the first change; throws when it cannot save, so nothing
    is changed without a backup.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Recipe,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$Steps
    )
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $items = @()
    foreach ($step in $Steps) {
        $items += ,(Get-FixgenStepBackup -Step $step)
    }
    $now = (Get-Date).ToUniversalTime()
    $document = [ordered]@{
        Format        = 'fixgen-backup/1'
        Recipe        = $Recipe.Id
        Bundle        = $Recipe.Bundle
        BundleVersion = $Recipe.BundleVersion
        SourceSha256  = $Recipe.SourceSha256
        Created       = $now.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', $invariant)
        Computer      = $env:COMPUTERNAME
        Items         = $items
    }
    $json = ConvertTo-Json -InputObject $document -Depth 8
    $folder = Get-FixgenBackupFolder -RecipeId $Recipe.Id -Context $Recipe.Context -Create
    $stamp = $now.ToString('yyyyMMddTHHmmssfffffffZ', $invariant)
    $n = 0
    $file = Join-Path -Path $folder -ChildPath ($stamp + '-0.json')
    while (Test-Path -LiteralPath $file) {
        $n++
        $file = Join-Path -Path $folder -ChildPath ($stamp + '-' + $n + '.json')
    }
    $temporary = $file + '.tmp'
    [System.IO.File]::WriteAllText($temporary, $json, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
    [System.IO.File]::Move($temporary, $file)
    Write-FixgenLog -Message ($Recipe.Id + ': prior state saved to ' + $file)
    $all = @([System.IO.Directory]::GetFiles($folder, '*.json') | Sort-Object)
    $excess = $all.Count - 10
    if ($excess -gt 0) {
        $restored = @($all | Where-Object -FilterScript { $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) })
        $open = @($all | Where-Object -FilterScript { -not $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) })
        $candidates = @($restored) + @($open | Select-Object -Skip 1)
        foreach ($old in @($candidates | Select-Object -First $excess)) {
            [System.IO.File]::Delete($old)
            Write-FixgenLog -Message ($Recipe.Id + ': old backup removed (at most 10 are kept): ' + $old)
        }
    }
}

#endregion