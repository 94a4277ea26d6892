# Whether the VPN connection exists and, if so, its settings; never the key (it cannot be read back).
function Get-FixgenVpnBackup { param([hashtable]$Step)
    $item = [ordered]@{ Kind = 'vpn'; Name = [string]$Step.Name; AllUserConnection = [bool]$Step.AllUserConnection; Exists = $false }
    $c = Get-FixgenVpnConnection -Step $Step
    if ($null -eq $c) { return $item }
    $item.Exists = $true
    $item.ServerAddress = [string]$c.ServerAddress
    $item.TunnelType = $c.TunnelType.ToString()
    $item.AuthenticationMethod = [string[]]@(@($c.AuthenticationMethod) | ForEach-Object -Process { $_.ToString() })
    $item.EncryptionLevel = $c.EncryptionLevel.ToString()
    $item.SplitTunneling = [bool]$c.SplitTunneling
    $item.RememberCredential = [bool]$c.RememberCredential
    return $item
}
