# Whether the firewall rule exists and, if so, every setting the step manages.
function Get-FixgenFirewallBackup {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step)
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
