# Whether the firewall rule exists and, if so, every setting the step manages.
function Get-FixgenFirewallBackup { param([hashtable]$Step)
    $item = [ordered]@{ Kind = 'firewall'; Name = $Step.Name; Exists = $false }
    $state = Get-FixgenFirewallState -Step $Step
    if ($null -eq $state) { return $item }
    $rule = $state.Rule
    $item.Exists = $true
    foreach ($name in @('DisplayName', 'Description', 'Group')) { $item[$name] = [string]$rule.$name }
    foreach ($name in @('Enabled', 'Direction', 'Action')) { $item[$name] = $rule.$name.ToString() }
    $item.Profile = ConvertTo-FixgenProfileList -Value $rule.Profile.ToString()
    $item.Protocol = [string]$state.Ports.Protocol
    $item.LocalPort = [string[]]@($state.Ports.LocalPort)
    $item.RemotePort = [string[]]@($state.Ports.RemotePort)
    return $item
}
