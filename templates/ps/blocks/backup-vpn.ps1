# Whether the VPN connection exists and, if so, its settings. The pre-shared key cannot be read back
# and is never saved.
function Get-FixgenVpnBackup {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step)
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
