# The connection by name from the all-users or the current user's phonebook, or $null.
function Get-FixgenVpnConnection {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step)
    if ([string]::IsNullOrEmpty($Step.Name)) {
        throw 'the VPN connection name is empty'
    }
    $all = Get-VpnConnection -AllUserConnection:([bool]$Step.AllUserConnection) -ErrorAction SilentlyContinue
    foreach ($connection in @($all)) {
        if ($null -ne $connection -and $connection.Name -eq $Step.Name) { return $connection }
    }
    return $null
}

# The marker file of a connection: <kind>-<SHA-256 of the upper-case name>.txt in
# $env:ProgramData\fixgen\vpn (all-users connections; SYSTEM and Administrators only) or
# $env:LOCALAPPDATA\fixgen\vpn (the current user's). Kind psk holds the id of the pre-shared key last
# applied, kind recreate the id of the last recreation.
function Get-FixgenVpnMarkerPath {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][hashtable]$Step, [Parameter(Mandatory)][ValidateSet('psk', 'recreate')][string]$Kind)
    $base = $env:LOCALAPPDATA
    if ($Step.AllUserConnection) { $base = $env:ProgramData }
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        $digest = $sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Step.Name.ToUpperInvariant()))
    } finally {
        $sha.Dispose()
    }
    $hex = -join @($digest | Select-Object -First 16 | ForEach-Object -Process { $_.ToString('x2') })
    return (Join-Path -Path (Join-Path -Path (Join-Path -Path $base -ChildPath 'fixgen') -ChildPath 'vpn') -ChildPath ($Kind + '-' + $hex + '.txt'))
}

# True when a marker folder or file of an all-users connection is owned by SYSTEM or the
# Administrators group (a marker a user planted never counts).
function Test-FixgenVpnMarkerOwner {
    [CmdletBinding()] [OutputType([bool])] param([Parameter(Mandatory)][string]$LiteralPath)
    $owner = (Get-Acl -LiteralPath $LiteralPath -ErrorAction Stop).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    return ($owner -eq 'S-1-5-18' -or $owner -eq 'S-1-5-32-544')
}

# The id recorded in a marker, or $null (no marker, or one not owned by SYSTEM/Administrators).
function Read-FixgenVpnMarker {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][hashtable]$Step, [Parameter(Mandatory)][ValidateSet('psk', 'recreate')][string]$Kind)
    $path = Get-FixgenVpnMarkerPath -Step $Step -Kind $Kind
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { return $null }
    if ($Step.AllUserConnection) {
        foreach ($level in @((Split-Path -Path $path -Parent), $path)) {
            if (-not (Test-FixgenVpnMarkerOwner -LiteralPath $level)) { return $null }
        }
    }
    $text = [System.IO.File]::ReadAllText($path)
    return $text.Trim()
}

# The id of the step's pre-shared key: PBKDF2-HMAC-SHA256 (600,000 iterations, salt 'fixgen-psk-v1|' +
# connection name, 32 bytes, hex), computed from the key when the script holds it, else the id
# computed at build time (detection scripts); $null when no key is given.
function Get-FixgenVpnPskId {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][hashtable]$Step)
    if ($null -eq $Step.Psk) { return $Step.PskId }
    $plain = [System.Net.NetworkCredential]::new('', $Step.Psk).Password
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($plain)
    $plain = $null
    $salt = [System.Text.Encoding]::UTF8.GetBytes('fixgen-psk-v1|' + $Step.Name)
    $kdf = [System.Security.Cryptography.Rfc2898DeriveBytes]::new($bytes, $salt, 600000, [System.Security.Cryptography.HashAlgorithmName]::SHA256)
    try {
        return (-join @($kdf.GetBytes(32) | ForEach-Object -Process { $_.ToString('x2') }))
    } finally {
        $kdf.Dispose()
        [System.Array]::Clear($bytes, 0, $bytes.Length)
    }
}

# Per-user phonebook entries with the step's name: for every profile in the ProfileList registry key,
# a [name] section in <profile>\AppData\Roaming\Microsoft\Network\Connections\Pbk\rasphone.pbk.
# Returns 'SID (profile folder)' strings.
function Get-FixgenVpnPerUserEntry {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][hashtable]$Step)
    $section = '[' + $Step.Name + ']'
    # Subkeys and values read through the RegistryKey (no Get-ItemProperty: see README
    # "Registry value names are literal"); ProfileImagePath is expanded by GetValue.
    $listPath = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList'
    $list = Get-Item -LiteralPath $listPath -ErrorAction SilentlyContinue
    if ($null -eq $list) { return }
    try { $sids = @($list.GetSubKeyNames()) } finally { $list.Close() }
    foreach ($sid in $sids) {
        $key = Get-Item -LiteralPath ($listPath + '\' + $sid) -ErrorAction SilentlyContinue
        if ($null -eq $key) { continue }
        try { $folder = [string]$key.GetValue('ProfileImagePath') } finally { $key.Close() }
        if ([string]::IsNullOrEmpty($folder)) { continue }
        $pbk = $folder
        foreach ($part in @('AppData', 'Roaming', 'Microsoft', 'Network', 'Connections', 'Pbk', 'rasphone.pbk')) { $pbk = Join-Path -Path $pbk -ChildPath $part }
        if (-not (Test-Path -LiteralPath $pbk -PathType Leaf)) { continue }
        $lines = @()
        try { $lines = @([System.IO.File]::ReadAllLines($pbk)) } catch { continue }
        foreach ($line in $lines) {
            if ([string]::Equals($line.Trim(), $section, [System.StringComparison]::OrdinalIgnoreCase)) {
                $sid + ' (' + $folder + ')'
                break
            }
        }
    }
}

# Compares the connection's tunnel type, authentication, encryption, options and server address with
# the step. When a pre-shared key is given: L2tpIPsecAuth must be Psk and the marker must record this
# key's id (the key itself cannot be read back and is never shown). With Recreate: the marker must
# record this recreation's id. For an all-users connection, per-user phonebook entries of the same
# name are reported (unless -SkipPerUser).
function Test-FixgenVpnStep {
    [CmdletBinding()] [OutputType([pscustomobject])] param([Parameter(Mandatory)][hashtable]$Step, [switch]$SkipPerUser)
    $target = 'VPN connection ' + $Step.Name
    if ($Step.AllUserConnection) { $target = $target + ' (all users)' }
    if ($Step.AllUserConnection -and -not $SkipPerUser) {
        $entries = @(Get-FixgenVpnPerUserEntry -Step $Step)
        if ($entries.Count -gt 0) {
            New-FixgenCompliance -Target $target -Setting 'per-user entry of the same name' -Expected 'none (Windows dials the per-user entry first; fix or remove it in the user''s context)' -Actual ($entries -join '; ') -Compliant $false
        }
    }
    $connection = Get-FixgenVpnConnection -Step $Step
    if ($null -eq $connection) {
        New-FixgenCompliance -Target $target -Setting 'Exists' -Expected $true -Actual $false -Compliant $false
        return
    }
    New-FixgenCompliance -Target $target -Setting 'TunnelType' -Expected $Step.TunnelType -Actual $connection.TunnelType.ToString() -Compliant ($connection.TunnelType.ToString() -eq $Step.TunnelType)
    if (@($Step.AuthenticationMethod).Count -gt 0) {
        $methods = @(@($connection.AuthenticationMethod) | ForEach-Object -Process { $_.ToString() })
        New-FixgenCompliance -Target $target -Setting 'AuthenticationMethod' -Expected $Step.AuthenticationMethod -Actual $methods -Compliant (Test-FixgenSetEqual -Left $methods -Right $Step.AuthenticationMethod)
    }
    if ($null -ne $Step.EncryptionLevel) {
        New-FixgenCompliance -Target $target -Setting 'EncryptionLevel' -Expected $Step.EncryptionLevel -Actual $connection.EncryptionLevel.ToString() -Compliant ($connection.EncryptionLevel.ToString() -eq $Step.EncryptionLevel)
    }
    if ($null -ne $Step.SplitTunneling) {
        New-FixgenCompliance -Target $target -Setting 'SplitTunneling' -Expected $Step.SplitTunneling -Actual $connection.SplitTunneling -Compliant ([bool]$connection.SplitTunneling -eq [bool]$Step.SplitTunneling)
    }
    if ($null -ne $Step.RememberCredential) {
        New-FixgenCompliance -Target $target -Setting 'RememberCredential' -Expected $Step.RememberCredential -Actual $connection.RememberCredential -Compliant ([bool]$connection.RememberCredential -eq [bool]$Step.RememberCredential)
    }
    if (-not [string]::IsNullOrEmpty($Step.ServerAddress)) {
        New-FixgenCompliance -Target $target -Setting 'ServerAddress' -Expected $Step.ServerAddress -Actual $connection.ServerAddress -Compliant ([string]::Equals([string]$connection.ServerAddress, [string]$Step.ServerAddress, [System.StringComparison]::OrdinalIgnoreCase))
    }
    $pskId = Get-FixgenVpnPskId -Step $Step
    if ($null -ne $pskId) {
        $auth = [string]$connection.L2tpIPsecAuth
        New-FixgenCompliance -Target $target -Setting 'L2tpIPsecAuth' -Expected 'Psk' -Actual $auth -Compliant ($auth -eq 'Psk')
        $marker = Read-FixgenVpnMarker -Step $Step -Kind 'psk'
        $state = 'this key, applied by fixgen'
        if ($null -eq $marker) { $state = 'no record that fixgen applied this key' }
        elseif ($marker -ne $pskId) { $state = 'another key (fixgen applied a different one)' }
        New-FixgenCompliance -Target $target -Setting 'PreSharedKey' -Expected 'this key, applied by fixgen' -Actual $state -Compliant ($marker -eq $pskId)
    }
    if (-not [string]::IsNullOrEmpty($Step.RecreateId)) {
        $recreated = Read-FixgenVpnMarker -Step $Step -Kind 'recreate'
        $state = 'recreated by fixgen'
        if ($recreated -ne $Step.RecreateId) { $state = 'not yet recreated by this recipe' }
        New-FixgenCompliance -Target $target -Setting 'Recreated' -Expected 'recreated by fixgen' -Actual $state -Compliant ($recreated -eq $Step.RecreateId)
    }
}
