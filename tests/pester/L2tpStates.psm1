# Machine states of the embedded L2TP bundle for the scenario files of helper scen2
# (Module.Tests.ps1, Intune.Tests.ps1, Gpo.Tests.ps1): a broken and a fixed state per recipe, built
# with the simulated Windows (sim/SimWindows.psm1), and checks that read the state back through the
# sim's own state functions (never the generated code's text). The values are those the runner
# builds FIXGEN_L2TP_BUNDLE with (SIM_CONTRACT.md).

Set-StrictMode -Version 3.0

$script:ConnectionName = 'Contoso VPN'
$script:ServerAddress = 'vpn.contoso.com'
$script:PreSharedKey = 'correct-horse-battery'
$script:ServicesKey = 'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services'
$script:NatKey = 'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PolicyAgent'
$script:NatValue = 'AssumeUDPEncapsulationContextOnSendRule'

# Recipes of the bundle in run order (bundle.yaml).
$script:Recipes = @('ipsec-services', 'nat-traversal', 'vpn-security', 'firewall-ports', 'recreate-connection', 'windows-update')

# The firewall rules firewall-ports.yaml asks for.
$script:Rules = @(
    @{ Name = 'fixgen-l2tp-ipsec-udp-out'; DisplayName = 'L2TP/IPsec client - IKE and NAT-T (UDP 500, 4500) out'; Description = 'Added by fixgen for the L2TP/IPsec client. IKE and IPsec NAT traversal.'; RemotePort = @('500', '4500') },
    @{ Name = 'fixgen-l2tp-udp-out'; DisplayName = 'L2TP/IPsec client - L2TP (UDP 1701) out'; Description = 'Added by fixgen for the L2TP/IPsec client. L2TP control and data.'; RemotePort = @('1701') }
)

function Get-L2tpValue {
    <# The values the bundle was built with. #>
    [pscustomobject]@{
        ConnectionName = $script:ConnectionName
        ServerAddress  = $script:ServerAddress
        PreSharedKey   = $script:PreSharedKey
    }
}

function Get-L2tpRecipe {
    <# The recipe ids of the bundle in run order. #>
    , $script:Recipes
}

function ConvertTo-L2tpPascal {
    <# ipsec-services -> IpsecServices (the noun the module uses). #>
    param([Parameter(Mandatory)][string]$Id)
    (($Id -split '-') | ForEach-Object { $_.Substring(0, 1).ToUpperInvariant() + $_.Substring(1) }) -join ''
}

function Initialize-L2tpMachine {
    <#
    A fresh machine with what every Windows client has before any recipe ran: the three services
    (IKEEXT automatic, PolicyAgent and RasMan manual; all running; -MissingService leaves some out) and
    the PolicyAgent key. No VPN connection, no firewall rule of fixgen, no pending update.
    #>
    param([string[]]$MissingService = @())
    Reset-SimWindows
    $services = @(
        @{ Name = 'IKEEXT'; DisplayName = 'IKE and AuthIP IPsec Keying Modules'; StartType = 'Automatic' },
        @{ Name = 'PolicyAgent'; DisplayName = 'IPsec Policy Agent'; StartType = 'Manual' },
        @{ Name = 'RasMan'; DisplayName = 'Remote Access Connection Manager'; StartType = 'Manual' }
    )
    foreach ($s in $services) {
        if ($MissingService -contains $s.Name) { continue }
        Set-SimService -Name $s.Name -DisplayName $s.DisplayName -StartType $s.StartType -Status Running
    }
    New-SimRegistryKey -Path $script:NatKey
    Set-SimWindowsUpdate -Updates @() -RebootRequired $false
}

function Set-L2tpBroken {
    <#
    Breaks what one recipe fixes, on top of the current state (call Initialize-L2tpMachine first).
    -Recipe all breaks every recipe (a consistent machine: one VPN connection broken in the ways
    both VPN recipes check).
    #>
    param([Parameter(Mandatory)][string]$Recipe)
    $ids = @($Recipe)
    if ($Recipe -eq 'all') { $ids = $script:Recipes }
    foreach ($id in $ids) {
        switch ($id) {
            'ipsec-services' {
                Set-SimService -Name 'IKEEXT' -DisplayName 'IKE and AuthIP IPsec Keying Modules' -StartType Disabled -Status Stopped
                Set-SimService -Name 'PolicyAgent' -DisplayName 'IPsec Policy Agent' -StartType Manual -Status Stopped
                Set-SimService -Name 'RasMan' -DisplayName 'Remote Access Connection Manager' -StartType Manual -Status Stopped
            }
            'nat-traversal' {
                # Present with a wrong kind and data: both Type and Data are off.
                Set-SimRegistryValue -Path $script:NatKey -Name $script:NatValue -Kind String -Value '0'
            }
            'vpn-security' {
                # Automatic tunnel, PAP, optional encryption, an old key.
                Add-SimVpnConnection -Name $script:ConnectionName -AllUserConnection -ServerAddress 'old.contoso.com' -TunnelType Automatic -AuthenticationMethod Pap -EncryptionLevel Optional -L2tpIPsecAuth Psk -Psk 'old-key' -SplitTunneling
            }
            'firewall-ports' {
                # One of the two rules exists but is disabled and has the wrong ports; the other is missing.
                # (Profile as the fix writes it: undo treats Any and all three profiles as the same.)
                $r = $script:Rules[0]
                Add-SimFirewallRule -Name $r.Name -DisplayName $r.DisplayName -Description $r.Description -Group 'fixgen' -Enabled False -Direction Outbound -Action Allow -Profile 'Domain, Private, Public' -Protocol UDP -RemotePort @('500')
            }
            'recreate-connection' {
                if ($null -eq (Get-SimVpnConnection -Name $script:ConnectionName -AllUserConnection)) {
                    # Right protocol settings, but split tunnelling on, no remembered credentials,
                    # an old server and an old key.
                    Add-SimVpnConnection -Name $script:ConnectionName -AllUserConnection -ServerAddress 'old.contoso.com' -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Psk -Psk 'old-key' -SplitTunneling
                }
            }
            'windows-update' {
                Set-SimWindowsUpdate -Updates @(New-L2tpUpdate) -RebootRequired $false
            }
            default { throw "unknown recipe $id" }
        }
    }
}

function Set-L2tpFixed {
    <# Puts the state one recipe (or all) asks for, on top of the current state. #>
    param([Parameter(Mandatory)][string]$Recipe)
    $ids = @($Recipe)
    if ($Recipe -eq 'all') { $ids = $script:Recipes }
    foreach ($id in $ids) {
        switch ($id) {
            'ipsec-services' {
                Set-SimService -Name 'IKEEXT' -DisplayName 'IKE and AuthIP IPsec Keying Modules' -StartType Automatic -Status Running
                Set-SimService -Name 'PolicyAgent' -DisplayName 'IPsec Policy Agent' -StartType Automatic -Status Running
                Set-SimService -Name 'RasMan' -DisplayName 'Remote Access Connection Manager' -StartType Manual -Status Running
            }
            'nat-traversal' { Set-SimRegistryValue -Path $script:NatKey -Name $script:NatValue -Kind DWord -Value 2 }
            { $_ -eq 'vpn-security' -or $_ -eq 'recreate-connection' } {
                Add-SimVpnConnection -Name $script:ConnectionName -AllUserConnection -ServerAddress $script:ServerAddress -TunnelType L2tp -AuthenticationMethod MSChapv2 -EncryptionLevel Required -L2tpIPsecAuth Psk -Psk $script:PreSharedKey -RememberCredential
                Set-L2tpVpnMarker -Recreated:($_ -eq 'recreate-connection')
            }
            'firewall-ports' {
                foreach ($r in $script:Rules) {
                    Add-SimFirewallRule -Name $r.Name -DisplayName $r.DisplayName -Description $r.Description -Group 'fixgen' -Enabled True -Direction Outbound -Action Allow -Profile 'Domain, Private, Public' -Protocol UDP -RemotePort $r.RemotePort
                }
            }
            'windows-update' { Set-SimWindowsUpdate -Updates @() -RebootRequired $false }
            default { throw "unknown recipe $id" }
        }
    }
}

function Set-L2tpVpnMarker {
    <#
    The markers an earlier fixgen run leaves after applying the bundle's key (and, -Recreated,
    after recreate-connection rebuilt the connection), as README "The pre-shared key marker"
    specifies them: in ProgramData\fixgen\vpn, psk-<hash>.txt holds PBKDF2-HMAC-SHA256 of the
    key (salt 'fixgen-psk-v1|' + name, 600,000 iterations, 32 bytes, hex) and
    recreate-<hash>.txt the first 16 bytes of SHA-256 of the recipe id, name and server.
    #>
    param([switch]$Recreated)
    $utf8 = [System.Text.Encoding]::UTF8
    $sha = [System.Security.Cryptography.SHA256]::Create()
    $hex = { param([byte[]]$b) -join @($b | ForEach-Object { $_.ToString('x2') }) }
    $nameHash = & $hex ($sha.ComputeHash($utf8.GetBytes($script:ConnectionName.ToUpperInvariant())) | Select-Object -First 16)
    $folder = Join-Path -Path (Join-Path -Path $env:ProgramData -ChildPath 'fixgen') -ChildPath 'vpn'
    $null = Microsoft.PowerShell.Management\New-Item -ItemType Directory -Path $folder -Force
    $kdf = [System.Security.Cryptography.Rfc2898DeriveBytes]::new($utf8.GetBytes($script:PreSharedKey), $utf8.GetBytes('fixgen-psk-v1|' + $script:ConnectionName), 600000, [System.Security.Cryptography.HashAlgorithmName]::SHA256)
    [System.IO.File]::WriteAllText((Join-Path $folder ('psk-' + $nameHash + '.txt')), (& $hex $kdf.GetBytes(32)))
    $kdf.Dispose()
    if ($Recreated) {
        $bytes = New-Object -TypeName System.Collections.Generic.List[byte]
        foreach ($part in @('fixgen-recreate-v1', 'recreate-connection', $script:ConnectionName, $script:ServerAddress)) {
            $bytes.AddRange($utf8.GetBytes($part)); $bytes.Add(0)
        }
        $id = & $hex ($sha.ComputeHash($bytes.ToArray()) | Select-Object -First 16)
        [System.IO.File]::WriteAllText((Join-Path $folder ('recreate-' + $nameHash + '.txt')), $id)
    }
    $sha.Dispose()
}

function New-L2tpUpdate {
    <#
    One update for Set-SimWindowsUpdate, with every field it reads: a cumulative (security)
    update by default, or -Definition for a Defender definition update.
    #>
    param([switch]$Definition, [switch]$RebootRequired)
    $u = @{
        Title = '2026-11 Cumulative Update for Windows 11 (KB5050001)'; Categories = @('Security Updates'); KBArticleIDs = @('5050001')
        IsDownloaded = $false; IsInstalled = $false; IsHidden = $false; Type = 'Software'; RebootRequired = [bool]$RebootRequired
        BrowseOnly = $false; CanRequestUserInput = $false
    }
    if ($Definition) {
        $u.Title = 'Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.421.1)'
        $u.Categories = @('Definition Updates')
        $u.KBArticleIDs = @('2267602')
    }
    $u
}

function Get-L2tpProblem {
    <#
    What is not as recipe -Recipe (or all) wants it, read from the simulated machine: one string per
    difference, nothing when the state is right. -Bundle: the VPN connection as the whole bundle
    leaves it (vpn-security then recreate-connection).
    #>
    param([Parameter(Mandatory)][string]$Recipe)
    $ids = @($Recipe)
    if ($Recipe -eq 'all') { $ids = $script:Recipes }
    foreach ($id in $ids) {
        switch ($id) {
            'ipsec-services' {
                foreach ($name in @('IKEEXT', 'PolicyAgent')) {
                    $s = Get-SimService -Name $name
                    if ($null -eq $s) { "service $name is missing"; continue }
                    if ([string]$s.StartType -ne 'Automatic' -or [bool]$s.Delayed) { "service $name starts $($s.StartType) (delayed $($s.Delayed)), expected Automatic" }
                    if ([string]$s.Status -ne 'Running') { "service $name is $($s.Status), expected Running" }
                }
                $s = Get-SimService -Name 'RasMan'
                if ($null -eq $s) { 'service RasMan is missing' }
                elseif ([string]$s.Status -ne 'Running') { "service RasMan is $($s.Status), expected Running" }
            }
            'nat-traversal' {
                $v = Get-SimRegistryValue -Path $script:NatKey -Name $script:NatValue
                if ($null -eq $v) { "$($script:NatValue) is missing" }
                elseif ([string]$v.Kind -ne 'DWord' -or [int64]$v.Value -ne 2) { "$($script:NatValue) is $($v.Kind) $($v.Value), expected DWord 2" }
            }
            { $_ -eq 'vpn-security' -or $_ -eq 'recreate-connection' } {
                $c = Get-SimVpnConnection -Name $script:ConnectionName -AllUserConnection
                if ($null -eq $c) { "VPN connection $($script:ConnectionName) (all users) is missing"; continue }
                if ([string]$c.TunnelType -ne 'L2tp') { "$id`: TunnelType is $($c.TunnelType), expected L2tp" }
                $methods = @(@($c.AuthenticationMethod) | ForEach-Object { [string]$_ })
                if ($methods.Count -ne 1 -or $methods[0] -ne 'MSChapv2') { "$id`: AuthenticationMethod is $($methods -join ','), expected MSChapv2" }
                if ([string]$c.EncryptionLevel -ne 'Required') { "$id`: EncryptionLevel is $($c.EncryptionLevel), expected Required" }
                if ([string]$c.L2tpIPsecAuth -ne 'Psk') { "$id`: L2tpIPsecAuth is $($c.L2tpIPsecAuth), expected Psk" }
                if ([string]$c.Psk -cne $script:PreSharedKey) { "$id`: the pre-shared key last set is not the bundle's key" }
                if ($id -eq 'recreate-connection') {
                    if ([string]$c.ServerAddress -ne $script:ServerAddress) { "$id`: ServerAddress is $($c.ServerAddress), expected $($script:ServerAddress)" }
                    if ([bool]$c.SplitTunneling) { "$id`: SplitTunneling is on, expected off" }
                    if (-not [bool]$c.RememberCredential) { "$id`: RememberCredential is off, expected on" }
                }
            }
            'firewall-ports' {
                foreach ($r in $script:Rules) {
                    $f = Get-SimFirewallRule -Name $r.Name
                    if ($null -eq $f) { "firewall rule $($r.Name) is missing"; continue }
                    if ([string]$f.Enabled -ne 'True') { "firewall rule $($r.Name) is not enabled" }
                    if ([string]$f.Direction -ne 'Outbound') { "firewall rule $($r.Name) direction $($f.Direction)" }
                    if ([string]$f.Action -ne 'Allow') { "firewall rule $($r.Name) action $($f.Action)" }
                    if ([string]$f.Protocol -ne 'UDP') { "firewall rule $($r.Name) protocol $($f.Protocol)" }
                    if ([string]$f.Group -cne 'fixgen') { "firewall rule $($r.Name) group $($f.Group)" }
                    $ports = @(@($f.RemotePort) | ForEach-Object { [string]$_ } | Sort-Object)
                    if (($ports -join ',') -ne ((@($r.RemotePort) | Sort-Object) -join ',')) { "firewall rule $($r.Name) remote ports $($ports -join ','), expected $($r.RemotePort -join ',')" }
                    $profiles = @(@($f.Profile) | ForEach-Object { ([string]$_) -split ',\s*' } | Where-Object { $_ } | Sort-Object -Unique)
                    if ($profiles -contains 'Any') { $profiles = @('Domain', 'Private', 'Public') }
                    if (($profiles -join ',') -ne 'Domain,Private,Public') { "firewall rule $($r.Name) profiles $($profiles -join ',')" }
                }
            }
            'windows-update' {
                $u = Get-SimWindowsUpdate
                $pending = @($u.Updates | Where-Object { -not $_.IsInstalled })
                if ($pending.Count -gt 0) { "$($pending.Count) update(s) pending" }
                if ([bool]$u.RebootRequired) { 'a restart is pending' }
            }
            default { throw "unknown recipe $id" }
        }
    }
}

function Compare-L2tpState {
    <#
    Compare-SimState without the sim's count of Windows Update searches (a search reads; it
    changes nothing on the machine).
    #>
    param([Parameter(Mandatory)]$Reference, [Parameter(Mandatory)]$Difference, [switch]$ExceptUnrestorable)
    # Compare-SimState returns its lines as one array object: enumerate it.
    $lines = Compare-SimState -Reference $Reference -Difference $Difference
    foreach ($line in @($lines)) {
        if ($line -like '/Update/Searches:*') { continue }
        if ($ExceptUnrestorable -and (Test-L2tpUnrestorable -Difference $line)) { continue }
        $line
    }
}

function Test-L2tpUnrestorable {
    <#
    True for a state difference that undo documents it cannot restore (README "Undo"): the
    pre-shared key of a VPN connection (never saved), and the phonebook entry's identity (a
    connection that was removed and added again is a new entry).
    #>
    param([Parameter(Mandatory)][string]$Difference)
    return ($Difference -like '/Vpn/*/Psk:*' -or $Difference -like '/Vpn/*/Guid:*')
}

function Get-SimChangeList {
    <# The journal as a flat array (Get-SimChanges returns it as one object). #>
    $all = Get-SimChanges
    if ($null -eq $all) { return , @() }
    , @($all | ForEach-Object { $_ })
}

function Get-SimChangeCount {
    <# How many state-changing calls the journal holds. #>
    (Get-SimChangeList).Count
}

function Invoke-Observed {
    <#
    Runs a script with Invoke-SimScript and adds what the run did to the machine: the journal
    entries it added (Changes) and the differences between the state before and after (Diff).
    #>
    param(
        [Parameter(Mandatory)][string]$Path,
        [hashtable]$Parameters = @{},
        [switch]$WhatIf,
        [string]$Label = ''
    )
    $before = Get-SimState
    $n = Get-SimChangeCount
    $run = Invoke-SimScript -Path $Path -Parameters $Parameters -WhatIf:$WhatIf
    $all = Get-SimChangeList
    $changes = @()
    if ($all.Count -gt $n) { $changes = @($all[$n..($all.Count - 1)]) }
    $diff = @(Compare-L2tpState -Reference $before -Difference (Get-SimState))
    $run | Add-Member -NotePropertyName Changes -NotePropertyValue $changes -Force
    $run | Add-Member -NotePropertyName Diff -NotePropertyValue $diff -Force
    $run | Add-Member -NotePropertyName Label -NotePropertyValue $Label -Force
    $run
}

function Measure-SimEffect {
    <#
    Runs a script block in the caller's scope and returns its output (Output), the journal
    entries it added (Changes) and the state differences it made (Diff).
    #>
    param([Parameter(Mandatory)][scriptblock]$Body)
    $before = Get-SimState
    $n = Get-SimChangeCount
    $output = @(& $Body)
    $all = Get-SimChangeList
    $changes = @()
    if ($all.Count -gt $n) { $changes = @($all[$n..($all.Count - 1)]) }
    [pscustomobject]@{
        Output  = $output
        Changes = $changes
        Diff    = @(Compare-L2tpState -Reference $before -Difference (Get-SimState))
    }
}

function Get-IntuneOutputProblem {
    <#
    What breaks Intune's output rules in one run: exactly one line of at most 2,048 characters on
    stdout (Invoke-SimScript counts Write-Host text as stdout, as a console host writes it there);
    nothing on stderr (error records, an uncaught error), and nothing in the warning stream, which
    powershell.exe also writes into the output Intune keeps. Verbose and non-host information
    records are not shown by powershell.exe with its default preferences.
    #>
    param([Parameter(Mandatory)][object]$Run)
    $label = $Run.Label
    $out = @($Run.Stdout)
    if ($out.Count -ne 1) { "$label`: $($out.Count) stdout line(s), expected 1: $($out -join ' | ')" }
    foreach ($line in $out) {
        if ([string]$line -match '[\r\n]') { "$label`: a stdout line holds a line break" }
        if (([string]$line).Length -gt 2048) { "$label`: stdout line of $(([string]$line).Length) characters" }
    }
    foreach ($stream in @('Stderr', 'Warnings')) {
        if ($Run.PSObject.Properties.Name -contains $stream) {
            $items = @($Run.$stream | Where-Object { $null -ne $_ -and [string]$_ -ne '' })
            if ($items.Count -gt 0) { "$label`: $stream holds: $(($items | ForEach-Object { [string]$_ }) -join ' | ')" }
        }
    }
}

Export-ModuleMember -Function *
