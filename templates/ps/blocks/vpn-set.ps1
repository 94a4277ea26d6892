# Adds the connection with the step's settings; the pre-shared key is converted to plain text only for
# the Add-VpnConnection call and never logged.
function Add-FixgenVpnConnection {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step)
    if ([string]::IsNullOrEmpty($Step.ServerAddress)) {
        throw ('VPN connection ' + $Step.Name + ' does not exist and no server address was given to create it')
    }
    $methods = [string[]]@($Step.AuthenticationMethod)
    $encryption = $Step.EncryptionLevel
    if ($null -eq $encryption) { $encryption = 'Required' }
    if ($null -ne $Step.Psk) {
        $plain = [System.Net.NetworkCredential]::new('', $Step.Psk).Password
        try {
            Add-VpnConnection -Name $Step.Name -ServerAddress $Step.ServerAddress -TunnelType $Step.TunnelType -AuthenticationMethod $methods -EncryptionLevel $encryption -L2tpPsk $plain -AllUserConnection:([bool]$Step.AllUserConnection) -SplitTunneling:([bool]$Step.SplitTunneling) -RememberCredential:([bool]$Step.RememberCredential) -Force -ErrorAction Stop -Confirm:$false
        } finally {
            $plain = $null
        }
    } else {
        Add-VpnConnection -Name $Step.Name -ServerAddress $Step.ServerAddress -TunnelType $Step.TunnelType -AuthenticationMethod $methods -EncryptionLevel $encryption -AllUserConnection:([bool]$Step.AllUserConnection) -SplitTunneling:([bool]$Step.SplitTunneling) -RememberCredential:([bool]$Step.RememberCredential) -Force -ErrorAction Stop -Confirm:$false
    }
}

# Records an id in a marker file after the change it stands for succeeded. Folders fixgen creates
# under ProgramData are restricted to SYSTEM and Administrators; every level must be owned by them,
# else this throws.
function Write-FixgenVpnMarker {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step, [Parameter(Mandatory)][ValidateSet('psk', 'recreate')][string]$Kind, [Parameter(Mandatory)][string]$Value)
    $path = Get-FixgenVpnMarkerPath -Step $Step -Kind $Kind
    $folder = Split-Path -Path $path -Parent
    foreach ($level in @((Split-Path -Path $folder -Parent), $folder)) {
        if (-not (Test-Path -LiteralPath $level -PathType Container)) {
            $null = New-Item -Path $level -ItemType Directory -Force -ErrorAction Stop -WhatIf:$false -Confirm:$false
            if ($Step.AllUserConnection) {
                $acl = Get-Acl -LiteralPath $level -ErrorAction Stop
                $acl.SetAccessRuleProtection($true, $false)
                foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
                    $identity = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid
                    $rule = New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList $identity, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow'
                    $acl.SetAccessRule($rule)
                }
                Set-Acl -LiteralPath $level -AclObject $acl -ErrorAction Stop -WhatIf:$false -Confirm:$false
            }
        }
        if ($Step.AllUserConnection -and -not (Test-FixgenVpnMarkerOwner -LiteralPath $level)) {
            throw ($level + ' is not owned by SYSTEM or Administrators; it is not used for the VPN markers (delete it if nobody expects it)')
        }
    }
    [System.IO.File]::WriteAllText($path, $Value, [System.Text.Encoding]::ASCII)
}

# Creates a missing connection; with Recreate removes and adds it once (until the recreation marker
# holds this recipe's id); otherwise corrects it in place with Set-VpnConnection (the server address,
# and the pre-shared key when given). After a successful change the markers record the key's id and
# the recreation. A step whose only open finding is a per-user entry changes nothing. The caller has
# already asked ShouldProcess.
function Set-FixgenVpnStep {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step)
    $pskId = Get-FixgenVpnPskId -Step $Step
    $connection = Get-FixgenVpnConnection -Step $Step
    if ($null -eq $connection) {
        Add-FixgenVpnConnection -Step $Step
    } elseif (-not [string]::IsNullOrEmpty($Step.RecreateId) -and (Read-FixgenVpnMarker -Step $Step -Kind 'recreate') -ne $Step.RecreateId) {
        Remove-VpnConnection -Name $Step.Name -AllUserConnection:([bool]$Step.AllUserConnection) -Force -ErrorAction Stop -Confirm:$false
        Add-FixgenVpnConnection -Step $Step
    } else {
        $open = @(Test-FixgenVpnStep -Step $Step -SkipPerUser | Where-Object -FilterScript { -not $_.Compliant })
        if ($open.Count -eq 0) { return }
        $methods = [string[]]@($Step.AuthenticationMethod)
        if ($methods.Count -eq 0) { $methods = [string[]]@(@($connection.AuthenticationMethod) | ForEach-Object -Process { $_.ToString() }) }
        $encryption = $Step.EncryptionLevel
        if ($null -eq $encryption) { $encryption = $connection.EncryptionLevel.ToString() }
        $split = [bool]$connection.SplitTunneling
        if ($null -ne $Step.SplitTunneling) { $split = [bool]$Step.SplitTunneling }
        $remember = [bool]$connection.RememberCredential
        if ($null -ne $Step.RememberCredential) { $remember = [bool]$Step.RememberCredential }
        $server = [string]$connection.ServerAddress
        if (-not [string]::IsNullOrEmpty($Step.ServerAddress)) { $server = $Step.ServerAddress }
        if ($null -ne $Step.Psk) {
            $plain = [System.Net.NetworkCredential]::new('', $Step.Psk).Password
            try {
                Set-VpnConnection -Name $Step.Name -ServerAddress $server -TunnelType $Step.TunnelType -AuthenticationMethod $methods -EncryptionLevel $encryption -SplitTunneling $split -RememberCredential $remember -L2tpPsk $plain -AllUserConnection:([bool]$Step.AllUserConnection) -Force -ErrorAction Stop -Confirm:$false
            } finally {
                $plain = $null
            }
        } else {
            Set-VpnConnection -Name $Step.Name -ServerAddress $server -TunnelType $Step.TunnelType -AuthenticationMethod $methods -EncryptionLevel $encryption -SplitTunneling $split -RememberCredential $remember -AllUserConnection:([bool]$Step.AllUserConnection) -Force -ErrorAction Stop -Confirm:$false
        }
    }
    if ($null -ne $Step.Psk -and $null -ne $pskId) {
        Write-FixgenVpnMarker -Step $Step -Kind 'psk' -Value $pskId
    }
    if (-not [string]::IsNullOrEmpty($Step.RecreateId)) {
        Write-FixgenVpnMarker -Step $Step -Kind 'recreate' -Value $Step.RecreateId
    }
}
