# The settings in which a VPN connection differs from its backup (presence first). The pre-shared key
# is never compared: it cannot be read back and was never saved.
function Compare-FixgenVpnItem {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][object]$Item)
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

# Removes a connection that did not exist before, or puts the saved settings back (adding the
# connection again when it is missing: without a pre-shared key, which was never saved).
function Restore-FixgenVpnItem {
    [CmdletBinding()] param([Parameter(Mandatory)][object]$Item)
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
