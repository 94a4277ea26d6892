# The settings in which a firewall rule differs from its backup (presence first).
function Compare-FixgenFirewallItem { param([object]$Item)
    $state = Get-FixgenFirewallState -Step @{ Name = [string]$Item.Name }
    if (-not $Item.Exists) { if ($null -ne $state) { 'Exists' }; return }
    if ($null -eq $state) { 'Exists'; return }
    $rule = $state.Rule
    foreach ($name in @('Group', 'DisplayName', 'Description')) { if (-not ([string]$rule.$name -ceq [string]$Item.$name)) { $name } }
    foreach ($name in @('Enabled', 'Direction', 'Action')) { if ($rule.$name.ToString() -ne $Item.$name) { $name } }
    if (-not (Test-FixgenSetEqual -Left (ConvertTo-FixgenProfileList -Value $rule.Profile.ToString()) -Right @($Item.Profile))) { 'Profile' }
    if ([string]$state.Ports.Protocol -ne $Item.Protocol) { 'Protocol' }
    foreach ($name in @('LocalPort', 'RemotePort')) { if (-not (Test-FixgenSetEqual -Left @($state.Ports.$name) -Right @($Item.$name))) { $name } }
}
# Removes a rule that did not exist before, or puts the saved settings back (adding it again in its saved
# group when it is missing or in another group).
function Restore-FixgenFirewallItem { param([object]$Item)
    $current = Get-NetFirewallRule -Name $Item.Name -ErrorAction SilentlyContinue
    if ($null -ne $current -and (-not $Item.Exists -or -not ([string]$current.Group -ceq [string]$Item.Group))) {
        Remove-NetFirewallRule -Name $Item.Name -ErrorAction Stop -Confirm:$false
        $current = $null
    }
    if (-not $Item.Exists) { return }
    $more = @{}
    if ($Item.Protocol -eq 'TCP' -or $Item.Protocol -eq 'UDP') { $more = @{ LocalPort = [string[]]@($Item.LocalPort); RemotePort = [string[]]@($Item.RemotePort) } }
    if ($null -ne $current) {
        Set-NetFirewallRule -Name $Item.Name -NewDisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile (@($Item.Profile) -join ',') -Protocol $Item.Protocol @more -ErrorAction Stop -Confirm:$false
        return
    }
    if (-not [string]::IsNullOrEmpty([string]$Item.Group)) { $more.Group = $Item.Group }
    $null = New-NetFirewallRule -Name $Item.Name -DisplayName $Item.DisplayName -Description $Item.Description -Enabled $Item.Enabled -Direction $Item.Direction -Action $Item.Action -Profile (@($Item.Profile) -join ',') -Protocol $Item.Protocol @more -ErrorAction Stop -Confirm:$false
}
