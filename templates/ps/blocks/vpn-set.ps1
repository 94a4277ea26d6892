# Records an id in a marker after the change it stands for succeeded; the marker folder (all-users: protected)
# must be owned by SYSTEM or Administrators (per-user: or this user), else this throws.
function Write-FixgenVpnMarker { param([hashtable]$Step, [ValidateSet('psk', 'recreate')][string]$Kind, [string]$Value)
    $null = Get-FixgenFolder -Levels @('vpn') -Context $(if ($Step.AllUserConnection) { 'System' } else { 'User' }) -Create
    [System.IO.File]::WriteAllText((Get-FixgenVpnMarkerPath -Step $Step -Kind $Kind), $Value, [System.Text.Encoding]::ASCII)
}
# Adds a missing connection; with Recreate removes and adds it once (until the recreation marker holds
# this recipe's id); else corrects it in place with Set-VpnConnection (also the server and the key when
# given). The key is plain text only inside the Add-/Set-VpnConnection call. Then the markers record the
# key's id and the recreation. Only per-user findings: nothing changed. The caller has asked ShouldProcess.
function Set-FixgenVpnStep { param([hashtable]$Step)
    $pskId = Get-FixgenVpnPskId -Step $Step
    $c = Get-FixgenVpnConnection -Step $Step
    $key = @{}
    $all = [bool]$Step.AllUserConnection
    $recreate = ($null -ne $c -and -not [string]::IsNullOrEmpty($Step.RecreateId) -and (Read-FixgenVpnMarker -Step $Step -Kind 'recreate') -ne $Step.RecreateId)
    if ($null -ne $c -and -not $recreate -and @(Test-FixgenVpnStep -Step $Step -SkipPerUser | Where-Object -FilterScript { -not $_.Compliant }).Count -eq 0) { return }
    try {
        if ($null -ne $Step.Psk) { $key.L2tpPsk = [System.Net.NetworkCredential]::new('', $Step.Psk).Password }
        if ($null -eq $c -or $recreate) {
            if ([string]::IsNullOrEmpty($Step.ServerAddress)) { throw ('VPN connection ' + $Step.Name + ' does not exist and no server address was given to create it') }
            if ($recreate) { Remove-VpnConnection -Name $Step.Name -AllUserConnection:$all -Force -ErrorAction Stop -Confirm:$false }
            $encryption = $Step.EncryptionLevel; if ($null -eq $encryption) { $encryption = 'Required' }
            Add-VpnConnection -Name $Step.Name -ServerAddress $Step.ServerAddress -TunnelType $Step.TunnelType -AuthenticationMethod ([string[]]@($Step.AuthenticationMethod)) -EncryptionLevel $encryption @key -AllUserConnection:$all -SplitTunneling:([bool]$Step.SplitTunneling) -RememberCredential:([bool]$Step.RememberCredential) -Force -ErrorAction Stop -Confirm:$false
        } else {
            # Settings the step leaves open keep their current value.
            $methods = [string[]]@($Step.AuthenticationMethod); if ($methods.Count -eq 0) { $methods = [string[]]@(@($c.AuthenticationMethod) | ForEach-Object -Process { $_.ToString() }) }
            $encryption = $Step.EncryptionLevel; if ($null -eq $encryption) { $encryption = $c.EncryptionLevel.ToString() }
            $split = [bool]$c.SplitTunneling; if ($null -ne $Step.SplitTunneling) { $split = [bool]$Step.SplitTunneling }
            $remember = [bool]$c.RememberCredential; if ($null -ne $Step.RememberCredential) { $remember = [bool]$Step.RememberCredential }
            $server = [string]$c.ServerAddress; if (-not [string]::IsNullOrEmpty($Step.ServerAddress)) { $server = $Step.ServerAddress }
            Set-VpnConnection -Name $Step.Name -ServerAddress $server -TunnelType $Step.TunnelType -AuthenticationMethod $methods -EncryptionLevel $encryption -SplitTunneling $split -RememberCredential $remember @key -AllUserConnection:$all -Force -ErrorAction Stop -Confirm:$false
        }
    } finally { $key.Clear() }
    if ($null -ne $Step.Psk -and $null -ne $pskId) { Write-FixgenVpnMarker -Step $Step -Kind 'psk' -Value $pskId }
    if (-not [string]::IsNullOrEmpty($Step.RecreateId)) { Write-FixgenVpnMarker -Step $Step -Kind 'recreate' -Value $Step.RecreateId }
}
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
