# The settings in which a VPN connection differs from its backup (presence first; never the key, which
# cannot be read back and was never saved).
function Compare-FixgenVpnItem { param([object]$Item)
    $c = Get-FixgenVpnConnection -Step @{ Name = [string]$Item.Name; AllUserConnection = [bool]$Item.AllUserConnection }
    if (-not $Item.Exists) { if ($null -ne $c) { 'Exists' }; return }
    if ($null -eq $c) { 'Exists'; return }
    if ([string]$c.ServerAddress -ne [string]$Item.ServerAddress) { 'ServerAddress' }
    if ($c.TunnelType.ToString() -ne $Item.TunnelType) { 'TunnelType' }
    if (-not (Test-FixgenSetEqual -Left @(@($c.AuthenticationMethod) | ForEach-Object -Process { $_.ToString() }) -Right @($Item.AuthenticationMethod))) { 'AuthenticationMethod' }
    if ($c.EncryptionLevel.ToString() -ne $Item.EncryptionLevel) { 'EncryptionLevel' }
    foreach ($name in @('SplitTunneling', 'RememberCredential')) { if ([bool]$c.$name -ne [bool]$Item.$name) { $name } }
}
# Removes a connection that did not exist before, or puts the saved settings back (adding it again when
# missing: without a pre-shared key, which was never saved).
function Restore-FixgenVpnItem { param([object]$Item)
    $all = [bool]$Item.AllUserConnection
    $c = Get-FixgenVpnConnection -Step @{ Name = [string]$Item.Name; AllUserConnection = $all }
    if (-not $Item.Exists) { if ($null -ne $c) { Remove-VpnConnection -Name $Item.Name -AllUserConnection:$all -Force -ErrorAction Stop -Confirm:$false }; return }
    $methods = [string[]]@($Item.AuthenticationMethod)
    if ($null -ne $c) {
        Set-VpnConnection -Name $Item.Name -ServerAddress $Item.ServerAddress -TunnelType $Item.TunnelType -AuthenticationMethod $methods -EncryptionLevel $Item.EncryptionLevel -SplitTunneling ([bool]$Item.SplitTunneling) -RememberCredential ([bool]$Item.RememberCredential) -AllUserConnection:$all -Force -ErrorAction Stop -Confirm:$false
        return
    }
    Write-FixgenLog -Severity Warning -Message ('VPN connection ' + $Item.Name + ' is added again without its pre-shared key (fixgen never saves it); enter the key in the connection settings')
    Add-VpnConnection -Name $Item.Name -ServerAddress $Item.ServerAddress -TunnelType $Item.TunnelType -AuthenticationMethod $methods -EncryptionLevel $Item.EncryptionLevel -AllUserConnection:$all -SplitTunneling:([bool]$Item.SplitTunneling) -RememberCredential:([bool]$Item.RememberCredential) -Force -ErrorAction Stop -Confirm:$false
}
