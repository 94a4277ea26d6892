# The settings in which a firewall rule differs from its backup (presence first).
function Compare-FixgenFirewallItem {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][object]$Item)
    $state = Get-FixgenFirewallState -Step @{ Name = [string]$Item.Name }
    if (-not $Item.Exists) {
        if ($null -ne $state) { 'Exists' }
        return
    }
    if ($null -eq $state) {
        'Exists'
        return
    }
    $rule = $state.Rule
    if (-not ([string]$rule.Group -ceq [string]$Item.Group)) { 'Group' }
    if (-not ([string]$rule.DisplayName -ceq [string]$Item.DisplayName)) { 'DisplayName' }
    if (-not ([string]$rule.Description -ceq [string]$Item.Description)) { 'Description' }
    if ($rule.Enabled.ToString() -ne $Item.Enabled) { 'Enabled' }
    if ($rule.Direction.ToString() -ne $Item.Direction) { 'Direction' }
    if ($rule.Action.ToString() -ne $Item.Action) { 'Action' }
    $profiles = ConvertTo-FixgenProfileList -Value $rule.Profile.ToString()
    if (-not (Test-FixgenSetEqual -Left $profiles -Right @($Item.Profile))) { 'Profile' }
    if ([string]$state.Ports.Protocol -ne $Item.Protocol) { 'Protocol' }
    if (-not (Test-FixgenSetEqual -Left @($state.Ports.LocalPort) -Right @($Item.LocalPort))) { 'LocalPort' }
    if (-not (Test-FixgenSetEqual -Left @($state.Ports.RemotePort) -Right @($Item.RemotePort))) { 'RemotePort' }
}

# Removes a rule that did not exist before, or puts the saved settings back (adding the rule again in
# its saved group when it is missing or in another group).
function Restore-FixgenFirewallItem {
    [CmdletBinding()] param([Parameter(Mandatory)][object]$Item)
    $current = Get-NetFirewallRule -Name $Item.Name -ErrorAction SilentlyContinue
    if (-not $Item.Exists) {
        if ($null -ne $current) {
            Remove-NetFirewallRule -Name $Item.Name -ErrorAction Stop -Confirm:$false
        }
        return
    }
    $profiles = (@($Item.Profile) -join ',')
    $local = [string[]]@($Item.LocalPort)
    $remote = [string[]]@($Item.RemotePort)
    $ported = ($Item.Protocol -eq 'TCP' -or $Item.Protocol -eq 'UDP')
    if ($null -ne $current -and -not ([string]$current.Group -ceq [string]$Item.Group)) {
        Remove-NetFirewallRule -Name $Item.Name -ErrorAction Stop -Confirm:$false
        $current = $null
    }
    if ($null -eq $current) {
        $grouped = -not [string]::IsNullOrEmpty([string]$Item.Group)
        if ($ported -and $grouped) {
            $null = New-NetFirewallRule -Name $Item.Name -DisplayName $Item.DisplayName -Description $Item.Description -Group $Item.Group -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -LocalPort $local -RemotePort $remote -ErrorAction Stop -Confirm:$false
        } elseif ($ported) {
            $null = New-NetFirewallRule -Name $Item.Name -DisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -LocalPort $local -RemotePort $remote -ErrorAction Stop -Confirm:$false
        } elseif ($grouped) {
            $null = New-NetFirewallRule -Name $Item.Name -DisplayName $Item.DisplayName -Description $Item.Description -Group $Item.Group -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -ErrorAction Stop -Confirm:$false
        } else {
            $null = New-NetFirewallRule -Name $Item.Name -DisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -ErrorAction Stop -Confirm:$false
        }
        return
    }
    if ($ported) {
        Set-NetFirewallRule -Name $Item.Name -NewDisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -LocalPort $local -RemotePort $remote -ErrorAction Stop -Confirm:$false
    } else {
        Set-NetFirewallRule -Name $Item.Name -NewDisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile $profiles -Protocol $Item.Protocol -ErrorAction Stop -Confirm:$false
    }
}
