#region VPN steps

function Get-FixgenVpnConnection {
    <#
    .SYNOPSIS
    The connection by name from the all-users or the current user's phonebook, or $null.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    if ([string]::IsNullOrEmpty($Step.Name)) {
        throw 'the VPN connection name is empty'
    }
    $all = Get-VpnConnection -AllUserConnection:([bool]$Step.AllUserConnection) -ErrorAction SilentlyContinue
    foreach ($connection in @($all)) {
        if ($null -ne $connection -and $connection.Name -eq $Step.Name) { return $connection }
    }
    return $null
}

function Test-FixgenVpnStep {
    <#
    .SYNOPSIS
    Compares the connection's tunnel type, authentication, encryption and options with the
    step. The pre-shared key cannot be read back and is never compared or shown.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    $target = 'VPN connection ' + $Step.Name
    if ($Step.AllUserConnection) { $target = $target + ' (all users)' }
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
    if ($Step.Recreate -and -not [string]::IsNullOrEmpty($Step.ServerAddress)) {
        New-FixgenCompliance -Target $target -Setting 'ServerAddress' -Expected $Step.ServerAddress -Actual $connection.ServerAddress -Compliant ($connection.ServerAddress -eq $Step.ServerAddress)
    }
}

{% if !detect -%}
function Add-FixgenVpnConnection {
    <#
    .SYNOPSIS
    Adds the connection with the step's settings; the pre-shared key is converted to plain
    text only for the Add-VpnConnection call and never logged.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
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

function Set-FixgenVpnStep {
    <#
    .SYNOPSIS
    Creates a missing connection; with Recreate removes and adds a non-compliant one;
    otherwise corrects it in place with Set-VpnConnection (and the pre-shared key, when given).
    The caller has already asked ShouldProcess.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    $connection = Get-FixgenVpnConnection -Step $Step
    if ($null -eq $connection) {
        Add-FixgenVpnConnection -Step $Step
        return
    }
    if ($Step.Recreate) {
        Remove-VpnConnection -Name $Step.Name -AllUserConnection:([bool]$Step.AllUserConnection) -Force -ErrorAction Stop -Confirm:$false
        Add-FixgenVpnConnection -Step $Step
        return
    }
    $methods = [string[]]@($Step.AuthenticationMethod)
    if ($methods.Count -eq 0) { $methods = [string[]]@(@($connection.AuthenticationMethod) | ForEach-Object -Process { $_.ToString() }) }
    $encryption = $Step.EncryptionLevel
    if ($null -eq $encryption) { $encryption = $connection.EncryptionLevel.ToString() }
    $split = [bool]$connection.SplitTunneling
    if ($null -ne $Step.SplitTunneling) { $split = [bool]$Step.SplitTunneling }
    $remember = [bool]$connection.RememberCredential
    if ($null -ne $Step.RememberCredential) { $remember = [bool]$Step.RememberCredential }
    if ($null -ne $Step.Psk) {
        $plain = [System.Net.NetworkCredential]::new('', $Step.Psk).Password
        try {
            Set-VpnConnection -Name $Step.Name -TunnelType $Step.TunnelType -AuthenticationMethod $methods -EncryptionLevel $encryption -SplitTunneling $split -RememberCredential $remember -L2tpPsk $plain -AllUserConnection:([bool]$Step.AllUserConnection) -Force -ErrorAction Stop -Confirm:$false
        } finally {
            $plain = $null
        }
    } else {
        Set-VpnConnection -Name $Step.Name -TunnelType $Step.TunnelType -AuthenticationMethod $methods -EncryptionLevel $encryption -SplitTunneling $split -RememberCredential $remember -AllUserConnection:([bool]$Step.AllUserConnection) -Force -ErrorAction Stop -Confirm:$false
    }
}
{%- endif %}

#endregion
