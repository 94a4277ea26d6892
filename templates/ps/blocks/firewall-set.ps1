# Creates the rule in group 'fixgen' or corrects it in place; a rule of that name in another group or with
# another protocol (ports cannot change across protocols in place) is replaced. The caller has asked ShouldProcess.
function Set-FixgenFirewallStep { param([hashtable]$Step)
    $state = Get-FixgenFirewallState -Step $Step
    if ($null -ne $state -and ($state.Rule.Group -cne 'fixgen' -or [string]$state.Ports.Protocol -ne $Step.Protocol)) {
        Remove-NetFirewallRule -Name $Step.Name -ErrorAction Stop -Confirm:$false
        $state = $null
    }
    $ports = @{}
    if ($Step.Protocol -eq 'TCP' -or $Step.Protocol -eq 'UDP') { $ports = @{ LocalPort = $Step.LocalPort; RemotePort = $Step.RemotePort } }
    if ($null -eq $state) {
        $null = New-NetFirewallRule -Name $Step.Name -DisplayName $Step.DisplayName -Description $Step.Description -Group 'fixgen' -Enabled True -Direction $Step.Direction -Action $Step.Action -Profile $Step.Profile -Protocol $Step.Protocol @ports -ErrorAction Stop -Confirm:$false
    } else {
        Set-NetFirewallRule -Name $Step.Name -NewDisplayName $Step.DisplayName -Description $Step.Description -Enabled True -Direction $Step.Direction -Action $Step.Action -Profile $Step.Profile -Protocol $Step.Protocol @ports -ErrorAction Stop -Confirm:$false
    }
}
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
