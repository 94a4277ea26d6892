# Creates the rule in the group 'fixgen', or corrects it in place; a rule with the name but in another
# group or with another protocol is replaced. The caller has already asked ShouldProcess.
function Set-FixgenFirewallStep {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step)
    $state = Get-FixgenFirewallState -Step $Step
    # Another group, or another protocol (ports cannot be changed across protocols in place):
    # replace the rule.
    if ($null -ne $state -and ($state.Rule.Group -cne 'fixgen' -or [string]$state.Ports.Protocol -ne $Step.Protocol)) {
        Remove-NetFirewallRule -Name $Step.Name -ErrorAction Stop -Confirm:$false
        $state = $null
    }
    $ported = ($Step.Protocol -eq 'TCP' -or $Step.Protocol -eq 'UDP')
    if ($null -eq $state) {
        if ($ported) {
            $null = New-NetFirewallRule -Name $Step.Name -DisplayName $Step.DisplayName -Description $Step.Description -Group 'fixgen' -Enabled True -Direction $Step.Direction -Action $Step.Action -Profile $Step.Profile -Protocol $Step.Protocol -LocalPort $Step.LocalPort -RemotePort $Step.RemotePort -ErrorAction Stop -Confirm:$false
        } else {
            $null = New-NetFirewallRule -Name $Step.Name -DisplayName $Step.DisplayName -Description $Step.Description -Group 'fixgen' -Enabled True -Direction $Step.Direction -Action $Step.Action -Profile $Step.Profile -Protocol $Step.Protocol -ErrorAction Stop -Confirm:$false
        }
        return
    }
    if ($ported) {
        Set-NetFirewallRule -Name $Step.Name -NewDisplayName $Step.DisplayName -Description $Step.Description -Enabled True -Direction $Step.Direction -Action $Step.Action -Profile $Step.Profile -Protocol $Step.Protocol -LocalPort $Step.LocalPort -RemotePort $Step.RemotePort -ErrorAction Stop -Confirm:$false
    } else {
        Set-NetFirewallRule -Name $Step.Name -NewDisplayName $Step.DisplayName -Description $Step.Description -Enabled True -Direction $Step.Direction -Action $Step.Action -Profile $Step.Profile -Protocol $Step.Protocol -ErrorAction Stop -Confirm:$false
    }
}
