# The connection by name from the all-users or the current user's phonebook, or $null.
function Get-FixgenVpnConnection { param([hashtable]$Step)
    if ([string]::IsNullOrEmpty($Step.Name)) { throw 'the VPN connection name is empty' }
    @(Get-VpnConnection -AllUserConnection:([bool]$Step.AllUserConnection) -ErrorAction SilentlyContinue) | Where-Object -FilterScript { $null -ne $_ -and $_.Name -eq $Step.Name } | Select-Object -First 1
}
# Marker file <kind>-<SHA-256 of the upper-case name>.txt in $env:ProgramData\fixgen\vpn (all-users; SYSTEM and
# Administrators only) or $env:LOCALAPPDATA\fixgen\vpn: kind psk holds the id of the key last applied, recreate the last recreation's id.
function Get-FixgenVpnMarkerPath { param([hashtable]$Step, [ValidateSet('psk', 'recreate')][string]$Kind)
    $base = $(if ($Step.AllUserConnection) { $env:ProgramData } else { $env:LOCALAPPDATA })
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { $hex = -join @($sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Step.Name.ToUpperInvariant())) | Select-Object -First 16 | ForEach-Object -Process { $_.ToString('x2') }) } finally { $sha.Dispose() }
    return (Join-Path -Path (Join-Path -Path (Join-Path -Path $base -ChildPath 'fixgen') -ChildPath 'vpn') -ChildPath ($Kind + '-' + $hex + '.txt'))
}
# True when a marker folder or file is owned by SYSTEM or Administrators (a marker a user planted never counts).
function Test-FixgenVpnMarkerOwner { param([string]$LiteralPath)
    $owner = (Get-Acl -LiteralPath $LiteralPath -ErrorAction Stop).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    return ($owner -eq 'S-1-5-18' -or $owner -eq 'S-1-5-32-544')
}
# The id in a marker, or $null (none, or, for an all-users connection, not owned by SYSTEM/Administrators).
function Read-FixgenVpnMarker { param([hashtable]$Step, [ValidateSet('psk', 'recreate')][string]$Kind)
    $path = Get-FixgenVpnMarkerPath -Step $Step -Kind $Kind
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { return $null }
    if ($Step.AllUserConnection -and @(@((Split-Path -Path $path -Parent), $path) | Where-Object -FilterScript { -not (Test-FixgenVpnMarkerOwner -LiteralPath $_) }).Count -gt 0) { return $null }
    return ([System.IO.File]::ReadAllText($path)).Trim()
}
# The key's id: PBKDF2-HMAC-SHA256 (600,000 iterations, salt 'fixgen-psk-v1|' + name, 32 bytes, hex) of the
# key when the script holds it, else the id computed at build time (detection); $null without a key.
function Get-FixgenVpnPskId { param([hashtable]$Step)
    if ($null -eq $Step.Psk) { return $Step.PskId }
    $bytes = [System.Text.Encoding]::UTF8.GetBytes([System.Net.NetworkCredential]::new('', $Step.Psk).Password)
    $kdf = [System.Security.Cryptography.Rfc2898DeriveBytes]::new($bytes, [System.Text.Encoding]::UTF8.GetBytes('fixgen-psk-v1|' + $Step.Name), 600000, [System.Security.Cryptography.HashAlgorithmName]::SHA256)
    try { return (-join @($kdf.GetBytes(32) | ForEach-Object -Process { $_.ToString('x2') })) }
    finally { $kdf.Dispose(); [System.Array]::Clear($bytes, 0, $bytes.Length) }
}
# 'SID (profile folder)' of every profile (ProfileList, read through the RegistryKey) whose
# AppData\Roaming\Microsoft\Network\Connections\Pbk\rasphone.pbk has a [name] section.
function Get-FixgenVpnPerUserEntry { param([hashtable]$Step)
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
        try { $lines = @([System.IO.File]::ReadAllLines($pbk)) } catch { continue }
        if (@($lines | Where-Object -FilterScript { [string]::Equals($_.Trim(), '[' + $Step.Name + ']', [System.StringComparison]::OrdinalIgnoreCase) }).Count -gt 0) { $sid + ' (' + $folder + ')' }
    }
}
# Compares tunnel type, authentication, encryption, options and server address. With a key: L2tpIPsecAuth
# must be Psk and the marker must hold this key's id (the key cannot be read back). With Recreate: the marker
# must hold this recreation's id. All-users: per-user entries of the same name are findings (unless -SkipPerUser).
function Test-FixgenVpnStep { param([hashtable]$Step, [switch]$SkipPerUser)
    $target = 'VPN connection ' + $Step.Name
    if ($Step.AllUserConnection) { $target = $target + ' (all users)' }
    $entries = @()
    if ($Step.AllUserConnection -and -not $SkipPerUser) { $entries = @(Get-FixgenVpnPerUserEntry -Step $Step) }
    if ($entries.Count -gt 0) { New-FixgenCompliance -Target $target -Setting 'per-user entry of the same name' -Expected 'none (Windows dials the per-user entry first; fix or remove it in the user''s context)' -Actual ($entries -join '; ') -Compliant $false }
    $c = Get-FixgenVpnConnection -Step $Step
    if ($null -eq $c) { New-FixgenCompliance -Target $target -Setting 'Exists' -Expected $true -Actual $false -Compliant $false; return }
    New-FixgenCompliance -Target $target -Setting 'TunnelType' -Expected $Step.TunnelType -Actual $c.TunnelType.ToString() -Compliant ($c.TunnelType.ToString() -eq $Step.TunnelType)
    $methods = @(@($c.AuthenticationMethod) | ForEach-Object -Process { $_.ToString() })
    if (@($Step.AuthenticationMethod).Count -gt 0) { New-FixgenCompliance -Target $target -Setting 'AuthenticationMethod' -Expected $Step.AuthenticationMethod -Actual $methods -Compliant (Test-FixgenSetEqual -Left $methods -Right $Step.AuthenticationMethod) }
    if ($null -ne $Step.EncryptionLevel) { New-FixgenCompliance -Target $target -Setting 'EncryptionLevel' -Expected $Step.EncryptionLevel -Actual $c.EncryptionLevel.ToString() -Compliant ($c.EncryptionLevel.ToString() -eq $Step.EncryptionLevel) }
    foreach ($name in @('SplitTunneling', 'RememberCredential')) {
        if ($null -ne $Step[$name]) { New-FixgenCompliance -Target $target -Setting $name -Expected $Step[$name] -Actual $c.$name -Compliant ([bool]$c.$name -eq [bool]$Step[$name]) }
    }
    if (-not [string]::IsNullOrEmpty($Step.ServerAddress)) { New-FixgenCompliance -Target $target -Setting 'ServerAddress' -Expected $Step.ServerAddress -Actual $c.ServerAddress -Compliant ([string]::Equals([string]$c.ServerAddress, [string]$Step.ServerAddress, [System.StringComparison]::OrdinalIgnoreCase)) }
    $pskId = Get-FixgenVpnPskId -Step $Step
    if ($null -ne $pskId) {
        New-FixgenCompliance -Target $target -Setting 'L2tpIPsecAuth' -Expected 'Psk' -Actual ([string]$c.L2tpIPsecAuth) -Compliant ([string]$c.L2tpIPsecAuth -eq 'Psk')
        $marker = Read-FixgenVpnMarker -Step $Step -Kind 'psk'
        $state = 'this key, applied by fixgen'
        if ($null -eq $marker) { $state = 'no record that fixgen applied this key' } elseif ($marker -ne $pskId) { $state = 'another key (fixgen applied a different one)' }
        New-FixgenCompliance -Target $target -Setting 'PreSharedKey' -Expected 'this key, applied by fixgen' -Actual $state -Compliant ($marker -eq $pskId)
    }
    if (-not [string]::IsNullOrEmpty($Step.RecreateId)) {
        $done = ((Read-FixgenVpnMarker -Step $Step -Kind 'recreate') -eq $Step.RecreateId)
        New-FixgenCompliance -Target $target -Setting 'Recreated' -Expected 'recreated by fixgen' -Actual $(if ($done) { 'recreated by fixgen' } else { 'not yet recreated by this recipe' }) -Compliant $done
    }
}
