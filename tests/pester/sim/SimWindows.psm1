# A simulated Windows for the Pester scenarios (issue 13). Every Windows-only command the
# generated scripts call is a function here, named like the real cmdlet and declared with the
# real cmdlet's parameter names and parameter sets (from Microsoft's documentation, cited above
# each function), so a wrong parameter name fails in the real PowerShell binder. Behind them,
# one in-memory machine ([SimHost]::Sim) that scenarios set up and inspect with the *-Sim* state
# functions (tests/pester/sim/README in SIM_CONTRACT.md).
#
# Windows-only .NET types are replaced through type accelerators (they win over full type names
# in code compiled afterwards, unless PowerShell has already resolved and cached that type name
# in this process; so this module never writes these names as type literals, and the
# ServiceController parameters are typed with the stand-in class, the -InputObject type of the docs): WindowsIdentity, WindowsPrincipal, SecurityIdentifier,
# FileSystemAccessRule, ServiceController, and System.Activator / System.Type for the Windows
# Update Agent COM objects ([Type]::GetTypeFromProgID returns $null on Linux). Scenario files must
# therefore not use [System.Type] / [System.Activator] themselves.

Set-StrictMode -Version 3.0

#region state

# The state lives in static properties: generated scripts run inside this module's session
# state (Invoke-SimScript), where $script: would name the script's own scope.
class SimHost {
    static [hashtable]$Sim
    static [string]$Root
    static [string[]]$VpnTunnel = @('Pptp', 'L2tp', 'Sstp', 'Ikev2', 'Automatic')
    static [string[]]$VpnEncryption = @('NoEncryption', 'Optional', 'Required', 'Maximum', 'Custom')
    static [string[]]$VpnAuth = @('Pap', 'Chap', 'MSChapv2', 'Eap', 'MachineCertificate')
}

class SimFailure {
    [string]$Command
    [int]$Times
    [string]$Message
    [bool]$Silent
}

function Get-SimStateRef { [SimHost]::Sim }

function Reset-SimWindows {
    <#
    .SYNOPSIS
    A fresh, empty machine: no registry values, services, firewall rules, VPN connections or
    updates; elevated administrator; 64-bit. Points windir, ProgramData, LOCALAPPDATA, APPDATA
    and TEMP at fresh folders.
    #>
    [CmdletBinding()]
    param()
    $base = $env:FIXGEN_TEST_TMP
    if ([string]::IsNullOrEmpty($base)) { $base = [System.IO.Path]::GetTempPath() }
    $root = Join-Path -Path $base -ChildPath ('sim-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $null = Microsoft.PowerShell.Management\New-Item -ItemType Directory -Path $root -Force
    foreach ($name in @('windir', 'ProgramData', 'LOCALAPPDATA', 'APPDATA', 'TEMP')) {
        $dir = Join-Path -Path $root -ChildPath $name
        $null = Microsoft.PowerShell.Management\New-Item -ItemType Directory -Path $dir -Force
        Set-Item -LiteralPath ('env:' + $name) -Value $dir
    }
    $env:COMPUTERNAME = 'SIMPC'
    [SimHost]::Root = $root
    [SimHost]::Sim = @{
        Registry   = [ordered]@{}
        Services   = [ordered]@{}
        Firewall   = [ordered]@{}
        Vpn        = @{ AllUsers = [ordered]@{}; Users = @{} }
        Update     = @{ Updates = @(); RebootRequired = $false; InstallResultCode = 2; InstallRebootRequired = $false }
        Searches   = 0
        Acl        = @{}
        Elevated   = $true
        UserSid    = 'S-1-5-21-1004336348-1177238915-682003330-1001'
        UserName   = 'SIMPC\admin'
        Failures   = New-Object -TypeName 'System.Collections.Generic.List[object]'
        Journal    = New-Object -TypeName 'System.Collections.Generic.List[object]'
    }
    foreach ($hive in @('HKEY_LOCAL_MACHINE', 'HKEY_CURRENT_USER', 'HKEY_USERS', 'HKEY_CLASSES_ROOT', 'HKEY_CURRENT_CONFIG')) {
        [SimHost]::Sim.Registry[$hive.ToUpperInvariant()] = @{ Path = $hive; Values = [ordered]@{} }
    }
    Install-SimTypes
}

function Get-SimRoot { [SimHost]::Root }

function Add-SimJournal {
    param([string]$Command, [hashtable]$Arguments)
    $copy = [ordered]@{}
    foreach ($k in @($Arguments.Keys | Sort-Object)) {
        $v = $Arguments[$k]
        if ($k -eq 'L2tpPsk') { $v = '(secret)' }
        $copy[$k] = $v
    }
    [SimHost]::Sim.Journal.Add([pscustomobject]@{ Command = $Command; Arguments = $copy })
}

function Get-SimChanges {
    <#
    .SYNOPSIS
    Every state-changing call since Reset-SimWindows (or since Clear-SimChanges): Command and
    Arguments (the pre-shared key shown as '(secret)').
    #>
    [CmdletBinding()]
    param()
    # one object per change (wrap the call in @() for a count)
    [SimHost]::Sim.Journal.ToArray()
}

function Clear-SimChanges {
    [CmdletBinding()]
    param()
    [SimHost]::Sim.Journal.Clear()
}

function Copy-SimDeep {
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [System.Collections.Specialized.OrderedDictionary]) {
        $o = [ordered]@{}
        foreach ($k in $Value.Keys) { $o[$k] = Copy-SimDeep $Value[$k] }
        return $o
    }
    if ($Value -is [hashtable]) {
        $o = @{}
        foreach ($k in $Value.Keys) { $o[$k] = Copy-SimDeep $Value[$k] }
        return $o
    }
    if ($Value -is [byte[]]) { return , ([byte[]]$Value.Clone()) }
    if ($Value -is [string[]]) { return , ([string[]]$Value.Clone()) }
    if ($Value -is [System.Array]) {
        $list = @(foreach ($x in $Value) { , (Copy-SimDeep $x) })
        return , $list
    }
    return $Value
}

function Get-SimState {
    <#
    .SYNOPSIS
    A deep copy of the machine state (registry, services, firewall, VPN, Windows Update, ACLs,
    elevation), for Compare-SimState. Journal and pending failures are not part of it.
    #>
    [CmdletBinding()]
    param()
    $s = [SimHost]::Sim
    return @{
        Registry = Copy-SimDeep $s.Registry
        Services = Copy-SimDeep $s.Services
        Firewall = Copy-SimDeep $s.Firewall
        Vpn      = Copy-SimDeep $s.Vpn
        Update   = Copy-SimDeep $s.Update
        Elevated = $s.Elevated
    }
}

function ConvertTo-SimComparable {
    param($Value, [string]$Path, [System.Collections.Generic.Dictionary[string, string]]$Into)
    if ($null -eq $Value) { $Into[$Path] = '(null)'; return }
    if ($Value -is [System.Collections.IDictionary]) {
        foreach ($k in $Value.Keys) { ConvertTo-SimComparable -Value $Value[$k] -Path ($Path + '/' + $k) -Into $Into }
        return
    }
    if ($Value -is [System.Array]) {
        $Into[$Path] = $Value.GetType().Name + '[' + (@($Value | ForEach-Object { [string]$_ }) -join ',') + ']'
        return
    }
    $Into[$Path] = $Value.GetType().Name + ':' + [string]$Value
}

function Compare-SimState {
    <#
    .SYNOPSIS
    The differences between two Get-SimState snapshots, one line per differing item
    ('path: before -> after'); empty when they are equal (registry kinds and value types count).
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory)] $Reference,
        [Parameter(Mandatory)] $Difference
    )
    $a = New-Object -TypeName 'System.Collections.Generic.Dictionary[string, string]'
    $b = New-Object -TypeName 'System.Collections.Generic.Dictionary[string, string]'
    ConvertTo-SimComparable -Value $Reference -Path '' -Into $a
    ConvertTo-SimComparable -Value $Difference -Path '' -Into $b
    $out = @()
    foreach ($k in @($a.Keys + $b.Keys | Sort-Object -Unique)) {
        $x = $null; $y = $null
        $hasA = $a.TryGetValue($k, [ref]$x)
        $hasB = $b.TryGetValue($k, [ref]$y)
        if (-not $hasA) { $x = '(missing)' }
        if (-not $hasB) { $y = '(missing)' }
        if ($x -cne $y) { $out += ($k + ': ' + $x + ' -> ' + $y) }
    }
    , [string[]]$out
}

function Set-SimFailure {
    <#
    .SYNOPSIS
    Makes the next call(s) of a command fail as the real one does: a non-terminating error
    (terminating under -ErrorAction Stop); for sc.exe a non-zero exit code. -Times 0 = always.
    A .NET method of a stand-in is named Type.Method, for example 'RegistryKey.DeleteValue' (it
    throws, as the real method does).
    With -Silent the command reports success but changes nothing (a change that does not stick,
    for example one a policy reverts at once): only a read after the change can notice.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Command,
        [int]$Times = 0,
        [string]$Message,
        [switch]$Silent
    )
    if ([string]::IsNullOrEmpty($Message)) { $Message = 'simulated failure of ' + $Command }
    $f = [SimFailure]::new()
    $f.Command = $Command
    $f.Times = $Times
    $f.Message = $Message
    $f.Silent = [bool]$Silent
    [SimHost]::Sim.Failures.Add($f)
}

function Get-SimFailure {
    # The failure when $Command should fail now (and counts the use), else $null.
    param([string]$Command)
    foreach ($f in [SimHost]::Sim.Failures.ToArray()) {
        if ($f.Command -eq $Command) {
            if ($f.Times -gt 0) {
                $f.Times--
                if ($f.Times -eq 0) { $null = [SimHost]::Sim.Failures.Remove($f) }
            }
            return $f
        }
    }
    return $null
}

function Write-SimError {
    # A non-terminating error through the caller's $PSCmdlet (so -ErrorAction applies as for a
    # real cmdlet: Stop makes it terminating, SilentlyContinue hides it).
    param(
        [Parameter(Mandatory)] $Cmdlet,
        [Parameter(Mandatory)][string]$Message,
        [string]$ErrorId = 'SimError',
        [System.Management.Automation.ErrorCategory]$Category = [System.Management.Automation.ErrorCategory]::NotSpecified,
        $Target = $null,
        [string]$ExceptionType = 'System.InvalidOperationException'
    )
    $ex = New-Object -TypeName $ExceptionType -ArgumentList $Message
    $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $ex, $ErrorId, $Category, $Target
    $Cmdlet.WriteError($record)
}

function Test-SimFailure {
    # True (after writing the error) when the command is set to fail now.
    param([Parameter(Mandatory)] $Cmdlet, [Parameter(Mandatory)][string]$Command)
    $f = Get-SimFailure -Command $Command
    if ($null -eq $f) { return $false }
    if (-not $f.Silent) { Write-SimError -Cmdlet $Cmdlet -Message $f.Message -ErrorId ('SimFailure,' + $Command) }
    return $true
}

function Set-SimElevation {
    [CmdletBinding()]
    param([Parameter(Mandatory)][bool]$Elevated)
    [SimHost]::Sim.Elevated = $Elevated
}

#endregion

#region .NET stand-ins (type accelerators)

class SimSecurityIdentifier {
    [string]$Value
    SimSecurityIdentifier([string]$sid) { $this.Value = $sid }
    [string] ToString() { return $this.Value }
    [bool] Equals([object]$o) { return ($null -ne $o -and [string]$o -eq $this.Value) }
    [int] GetHashCode() { return $this.Value.GetHashCode() }
}

class SimWindowsIdentity {
    [string]$Name
    [SimSecurityIdentifier]$User
    [bool]$IsSystem
    [hashtable]$State
    static [hashtable]$Machine
    static [object] GetCurrent() {
        $s = [SimWindowsIdentity]::Machine
        $id = [SimWindowsIdentity]::new()
        $id.Name = $s.UserName
        $id.User = [SimSecurityIdentifier]::new($s.UserSid)
        $id.IsSystem = ($s.UserSid -eq 'S-1-5-18')
        $id.State = $s
        return $id
    }
}

class SimWindowsPrincipal {
    [object]$Identity
    SimWindowsPrincipal([object]$identity) { $this.Identity = $identity }
    [bool] IsInRole([object]$role) {
        if ([string]$role -in @('Administrator', '544', 'S-1-5-32-544', 'BUILTIN\Administrators')) {
            return [bool]$this.Identity.State.Elevated
        }
        return $true
    }
}

class SimFileSystemAccessRule {
    [object]$IdentityReference
    [string]$FileSystemRights
    [string]$InheritanceFlags
    [string]$PropagationFlags
    [string]$AccessControlType
    SimFileSystemAccessRule([object]$identity, [object]$rights, [object]$inheritance, [object]$propagation, [object]$type) {
        $this.IdentityReference = $identity
        $this.FileSystemRights = [string]$rights
        $this.InheritanceFlags = [string]$inheritance
        $this.PropagationFlags = [string]$propagation
        $this.AccessControlType = [string]$type
    }
}

class SimAcl {
    [string]$Path
    [string]$OwnerSid
    [bool]$AreAccessRulesProtected
    [System.Collections.ArrayList]$Rules = [System.Collections.ArrayList]::new()
    [string]$Owner
    [object] GetOwner([object]$type) { return [SimSecurityIdentifier]::new($this.OwnerSid) }
    [void] SetAccessRuleProtection([bool]$isProtected, [bool]$preserveInheritance) {
        $this.AreAccessRulesProtected = $isProtected
        if ($isProtected -and -not $preserveInheritance) {
            $keep = @($this.Rules | Where-Object { -not $_.Inherited })
            $this.Rules = [System.Collections.ArrayList]::new()
            foreach ($r in $keep) { $null = $this.Rules.Add($r) }
        }
    }
    [void] SetAccessRule([object]$rule) {
        $sid = [string]$rule.IdentityReference
        $keep = @($this.Rules | Where-Object { $_.Sid -ne $sid })
        $this.Rules = [System.Collections.ArrayList]::new()
        foreach ($r in $keep) { $null = $this.Rules.Add($r) }
        $null = $this.Rules.Add([pscustomobject]@{ Sid = $sid; Rights = $rule.FileSystemRights; Inheritance = $rule.InheritanceFlags; Type = $rule.AccessControlType; Inherited = $false })
    }
}

class SimServiceController {
    [string]$ServiceName
    [string]$Name
    [string]$DisplayName
    [System.ServiceProcess.ServiceControllerStatus]$Status
    [System.ServiceProcess.ServiceStartMode]$StartType
    [string]$MachineName = '.'
    hidden [hashtable]$State
    SimServiceController([hashtable]$state, [string]$name) {
        $this.State = $state
        $this.ServiceName = $name
        $this.Name = $name
        $this.Refresh()
    }
    [void] Refresh() {
        $rec = $this.State.Services[$this.ServiceName.ToUpperInvariant()]
        if ($null -eq $rec) { throw [System.InvalidOperationException]::new('Service ' + $this.ServiceName + ' was not found on computer ''.''.') }
        $this.DisplayName = $rec.DisplayName
        $this.Status = $rec.Status
        $this.StartType = $rec.StartType
    }
    [void] WaitForStatus([System.ServiceProcess.ServiceControllerStatus]$desired) {
        $this.WaitForStatus($desired, [timespan]::MaxValue)
    }
    [void] WaitForStatus([System.ServiceProcess.ServiceControllerStatus]$desired, [timespan]$timeout) {
        $this.Refresh()
        if ($this.Status -ne $desired) {
            # Nothing moves in the simulation: a state not reached now is never reached.
            throw [System.ServiceProcess.TimeoutException]::new('Time out has expired and the operation has not been completed.')
        }
    }
    [string] ToString() { return 'System.ServiceProcess.ServiceController' }
}

# IUpdate and friends of the Windows Update Agent API
# https://learn.microsoft.com/en-us/windows/win32/api/wuapi/nn-wuapi-iupdate
class SimUpdateCollection : System.Collections.ArrayList {
    # IUpdateCollection: Count, Item(i), Add(update); enumerable like the COM collection.
}

class SimUpdateSearcher {
    [hashtable]$State
    [bool]$Online = $true
    SimUpdateSearcher([hashtable]$s) { $this.State = $s }
    # https://learn.microsoft.com/en-us/windows/win32/api/wuapi/nf-wuapi-iupdatesearcher-search
    [object] Search([string]$criteria) {
        $this.State.Searches++
        $failure = $null
        foreach ($f in $this.State.Failures.ToArray()) { if ($f.Command -eq 'IUpdateSearcher.Search') { $failure = $f } }
        if ($null -ne $failure) {
            throw [System.Runtime.InteropServices.COMException]::new($failure.Message, -2145107924)
        }
        $clauses = @($criteria -split '\s+and\s+' | ForEach-Object { $_.Trim() } | Where-Object { $_ -ne '' })
        $coll = [SimUpdateCollection]::new()
        foreach ($u in @($this.State.Update.Updates)) {
            $ok = $true
            foreach ($c in $clauses) {
                if ($c -match '^(\w+)\s*=\s*''?([^'']*)''?$') {
                    $prop = $Matches[1]; $want = $Matches[2]
                    $have = switch ($prop) {
                        'IsInstalled' { [int][bool]$u.IsInstalled }
                        'IsHidden' { [int][bool]$u.IsHidden }
                        'IsAssigned' { 1 }
                        'Type' { $u.Type }
                        'BrowseOnly' { [int][bool]$u.BrowseOnly }
                        'DeploymentAction' { 'Installation' }
                        'RebootRequired' { [int][bool]$u.RebootRequired }
                        default { throw [System.Runtime.InteropServices.COMException]::new('WU_E_INVALID_CRITERIA: ' + $prop, -2145124300) }
                    }
                    if ([string]$have -ne $want) { $ok = $false }
                } elseif ($c -match '^CategoryIDs\s+contains\s+''([^'']+)''$') {
                    $id = $Matches[1]
                    if (-not (@($u.Categories | ForEach-Object { $_.CategoryID }) -contains $id)) { $ok = $false }
                } else {
                    throw [System.Runtime.InteropServices.COMException]::new('WU_E_INVALID_CRITERIA: ' + $c, -2145124300)
                }
            }
            if ($ok) { $null = $coll.Add($u) }
        }
        return [pscustomobject]@{ ResultCode = 2; Updates = $coll; Warnings = @() }
    }
}

class SimUpdateDownloader {
    [hashtable]$State
    [object]$Updates
    SimUpdateDownloader([hashtable]$s) { $this.State = $s }
    [object] Download() {
        foreach ($u in @($this.Updates)) { $u.IsDownloaded = $true }
        return [pscustomobject]@{ ResultCode = 2; HResult = 0 }
    }
}

class SimUpdateInstaller {
    [hashtable]$State
    [object]$Updates
    SimUpdateInstaller([hashtable]$s) { $this.State = $s }
    # https://learn.microsoft.com/en-us/windows/win32/api/wuapi/nf-wuapi-iupdateinstaller-install
    [object] Install() {
        $code = [int]$this.State.Update.InstallResultCode
        $reboot = $false
        if ($code -eq 2 -or $code -eq 3) {
            foreach ($u in @($this.Updates)) {
                if (-not $u.IsDownloaded) { continue }
                $u.IsInstalled = $true
                if ($u.RebootRequired) { $reboot = $true }
            }
            if ($reboot) { $this.State.Update.RebootRequired = $true }
        }
        $this.State.Journal.Add([pscustomobject]@{ Command = 'IUpdateInstaller.Install'; Arguments = [ordered]@{ Count = $this.Updates.Count } })
        $hr = 0
        if ($code -ne 2 -and $code -ne 3) { $hr = -2145124329 }
        return [pscustomobject]@{ ResultCode = $code; RebootRequired = $reboot; HResult = $hr }
    }
}

class SimUpdateSession {
    [hashtable]$State
    [string]$ClientApplicationID
    SimUpdateSession([hashtable]$s) { $this.State = $s }
    [object] CreateUpdateSearcher() { return [SimUpdateSearcher]::new($this.State) }
    [object] CreateUpdateDownloader() { return [SimUpdateDownloader]::new($this.State) }
    [object] CreateUpdateInstaller() { return [SimUpdateInstaller]::new($this.State) }
}

class SimComType {
    [string]$ProgID
    SimComType([string]$p) { $this.ProgID = $p }
}

class SimType {
    # Replaces [System.Type] in generated scripts: only GetTypeFromProgID is used there.
    static [object] GetTypeFromProgID([string]$progID) { return [SimComType]::new($progID) }
    static [object] GetType([string]$name) { return [type]::GetType($name) }
}

class SimActivator {
    static [hashtable]$Machine
    static [object] CreateInstance([object]$type) {
        if ($type -is [SimComType]) { return [SimActivator]::NewCom($type.ProgID) }
        return [activator]::CreateInstance([type]$type)
    }
    static [object] NewCom([string]$progID) {
        $s = [SimActivator]::Machine
        switch ($progID) {
            'Microsoft.Update.Session' { return [SimUpdateSession]::new($s) }
            'Microsoft.Update.SystemInfo' { return [pscustomobject]@{ RebootRequired = [bool]$s.Update.RebootRequired } }
            'Microsoft.Update.UpdateColl' { return [SimUpdateCollection]::new() }
        }
        throw [System.Runtime.InteropServices.COMException]::new('Retrieving the COM class factory for component ' + $progID + ' failed: Class not registered', -2147221164)
    }
}

function Install-SimTypes {
    $ta = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
    $map = @{
        'System.Security.Principal.WindowsIdentity'          = [SimWindowsIdentity]
        'System.Security.Principal.WindowsPrincipal'         = [SimWindowsPrincipal]
        'System.Security.Principal.SecurityIdentifier'       = [SimSecurityIdentifier]
        'System.Security.AccessControl.FileSystemAccessRule' = [SimFileSystemAccessRule]
        'System.ServiceProcess.ServiceController'            = [SimServiceController]
        'System.Activator'                                   = [SimActivator]
        'System.Type'                                        = [SimType]
    }
    foreach ($name in $map.Keys) {
        $null = $ta::Remove($name)
        $ta::Add($name, $map[$name])
    }
    [SimWindowsIdentity]::Machine = [SimHost]::Sim
    [SimActivator]::Machine = [SimHost]::Sim
}

# At import too, so that code compiled after the import sees the stand-ins. Code compiled before
# (for example a test file's blocks, which Pester compiles at discovery) keeps the real types: use
# [scriptblock]::Create there, as the generated scripts are compiled when Invoke-SimScript runs them.
Install-SimTypes

#endregion

#region registry

function Test-SimRegistryPath {
    param([string]$Path)
    return ($Path -match '^(Microsoft\.PowerShell\.Core\\)?Registry::' -or $Path -match '^(HKLM|HKCU|HKCR|HKU|HKCC):')
}

function ConvertTo-SimKeyPath {
    # 'Registry::HKEY_LOCAL_MACHINE\X', 'HKLM:\X', 'HKLM\X' -> 'HKEY_LOCAL_MACHINE\X'
    param([string]$Path)
    $p = $Path -replace '^(Microsoft\.PowerShell\.Core\\)?Registry::', ''
    $p = $p -replace '/', '\'
    $hives = @{ HKLM = 'HKEY_LOCAL_MACHINE'; HKCU = 'HKEY_CURRENT_USER'; HKCR = 'HKEY_CLASSES_ROOT'; HKU = 'HKEY_USERS'; HKCC = 'HKEY_CURRENT_CONFIG' }
    if ($p -match '^(HKLM|HKCU|HKCR|HKU|HKCC):?(\\|$)') {
        $p = $hives[$Matches[1].ToUpperInvariant()] + $p.Substring($Matches[0].Length - $Matches[2].Length)
    }
    $p = $p.TrimEnd('\')
    while ($p.Contains('\\')) { $p = $p.Replace('\\', '\') }
    return $p
}

function Get-SimKey {
    param([string]$KeyPath)
    return [SimHost]::Sim.Registry[$KeyPath.ToUpperInvariant()]
}

function New-SimKeyInternal {
    param([string]$KeyPath)
    $parts = $KeyPath.Split('\')
    $cur = ''
    foreach ($part in $parts) {
        if ($cur -eq '') { $cur = $part } else { $cur = $cur + '\' + $part }
        if ($null -eq (Get-SimKey $cur)) {
            if (-not $cur.Contains('\')) { throw ('unknown registry hive ' + $cur) }
            [SimHost]::Sim.Registry[$cur.ToUpperInvariant()] = @{ Path = $cur; Values = [ordered]@{} }
        }
    }
    return (Get-SimKey $KeyPath)
}

function Get-SimSubKeyNames {
    param([string]$KeyPath)
    $prefix = $KeyPath.ToUpperInvariant() + '\'
    foreach ($k in @([SimHost]::Sim.Registry.Keys)) {
        if ($k.StartsWith($prefix) -and -not $k.Substring($prefix.Length).Contains('\')) {
            [SimHost]::Sim.Registry[$k].Path.Substring($prefix.Length)
        }
    }
}

function ConvertTo-SimRegistryData {
    # Data as the registry provider returns it for a kind: DWORD [int] (unsigned values wrap),
    # QWORD [long], Binary/None [byte[]], MultiString [string[]], String/ExpandString [string].
    param([string]$Kind, $Value)
    switch ($Kind) {
        'DWord' {
            if ($Value -is [uint32] -or $Value -is [uint64] -or $Value -is [long] -or $Value -is [double] -or $Value -is [decimal]) {
                if ([decimal]$Value -ge 2147483648 -and [decimal]$Value -le 4294967295) {
                    return [System.BitConverter]::ToInt32([System.BitConverter]::GetBytes([uint32]$Value), 0)
                }
            }
            return [int]$Value
        }
        'QWord' {
            if ($Value -is [uint64] -or $Value -is [double] -or $Value -is [decimal]) {
                if ([decimal]$Value -gt [long]::MaxValue) { return [System.BitConverter]::ToInt64([System.BitConverter]::GetBytes([uint64]$Value), 0) }
            }
            return [long]$Value
        }
        'Binary' { return , ([byte[]]@($Value)) }
        'None' { return , ([byte[]]@($Value)) }
        'Unknown' { return , ([byte[]]@($Value)) }
        'MultiString' { return , ([string[]]@($Value)) }
        'String' { return [string]$Value }
        'ExpandString' { return [string]$Value }
    }
    throw ('unknown registry value kind ' + $Kind)
}

function Set-SimRegistryValue {
    <#
    .SYNOPSIS
    Sets a value in the simulated registry (creating the key). Path: 'HKEY_LOCAL_MACHINE\...',
    'HKLM:\...' or 'Registry::...'. Name '' is the key's default value.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Path,
        [Parameter(Mandatory)][AllowEmptyString()][string]$Name,
        [Parameter(Mandatory)][ValidateSet('String', 'ExpandString', 'MultiString', 'DWord', 'QWord', 'Binary', 'None')][string]$Kind,
        [AllowNull()][AllowEmptyCollection()]$Value
    )
    $key = New-SimKeyInternal (ConvertTo-SimKeyPath $Path)
    Set-SimValueInternal -Key $key -Name $Name -Kind $Kind -Value $Value
}

function Set-SimValueInternal {
    param($Key, [string]$Name, [string]$Kind, $Value)
    $data = ConvertTo-SimRegistryData -Kind $Kind -Value $Value
    $existing = $null
    foreach ($k in @($Key.Values.Keys)) { if ($k -eq $Name.ToUpperInvariant()) { $existing = $Key.Values[$k] } }
    if ($null -ne $existing) {
        $existing.Kind = $Kind
        $existing.Value = $data
    } else {
        $Key.Values[$Name.ToUpperInvariant()] = @{ Name = $Name; Kind = $Kind; Value = $data }
    }
}

function Get-SimRegistryValue {
    <#
    .SYNOPSIS
    [pscustomobject]@{ Kind; Value } of a simulated registry value, or $null when absent.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][AllowEmptyString()][string]$Name)
    $key = Get-SimKey (ConvertTo-SimKeyPath $Path)
    if ($null -eq $key) { return $null }
    $v = $key.Values[$Name.ToUpperInvariant()]
    if ($null -eq $v) { return $null }
    return [pscustomobject]@{ Kind = $v.Kind; Value = (Copy-SimDeep $v.Value) }
}

function Remove-SimRegistryValue {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][AllowEmptyString()][string]$Name)
    $key = Get-SimKey (ConvertTo-SimKeyPath $Path)
    if ($null -ne $key) { $key.Values.Remove($Name.ToUpperInvariant()) }
}

function New-SimRegistryKey {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Path)
    $null = New-SimKeyInternal (ConvertTo-SimKeyPath $Path)
}

function Test-SimRegistryKey {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Path)
    return ($null -ne (Get-SimKey (ConvertTo-SimKeyPath $Path)))
}

function Get-SimRegistryValueNames {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Path)
    $key = Get-SimKey (ConvertTo-SimKeyPath $Path)
    if ($null -eq $key) { return }
    foreach ($v in @($key.Values.Values)) { $v.Name }
}

class SimRegistryKey {
    # Stands in for Microsoft.Win32.RegistryKey as the registry provider's Get-Item returns it.
    # https://learn.microsoft.com/en-us/dotnet/api/microsoft.win32.registrykey
    [string]$Name
    [string]$PSPath
    [string]$PSChildName
    [string]$PSProvider = 'Microsoft.PowerShell.Core\Registry'
    [int]$ValueCount
    [int]$SubKeyCount
    [string[]]$Property
    hidden [System.Collections.Specialized.OrderedDictionary]$Values
    hidden [string[]]$SubKeys
    hidden [bool]$Closed
    SimRegistryKey([hashtable]$key, [string[]]$subKeys) {
        $this.Name = $key.Path
        $this.PSPath = 'Microsoft.PowerShell.Core\Registry::' + $key.Path
        $this.PSChildName = $key.Path.Split('\')[-1]
        $this.Values = [ordered]@{}
        foreach ($k in $key.Values.Keys) {
            $v = $key.Values[$k]
            $this.Values[$k] = @{ Name = $v.Name; Kind = $v.Kind; Value = $v.Value }
        }
        $this.SubKeys = [string[]]@($subKeys)
        $this.ValueCount = $this.Values.Count
        $this.SubKeyCount = $this.SubKeys.Count
        $this.Property = [string[]]@($this.Values.Values | ForEach-Object { if ($_.Name -eq '') { '(default)' } else { $_.Name } })
    }
    hidden [void] Check() { if ($this.Closed) { throw [System.ObjectDisposedException]::new('RegistryKey', 'Cannot access a closed registry key.') } }
    [string[]] GetValueNames() { $this.Check(); return [string[]]@($this.Values.Values | ForEach-Object { $_.Name }) }
    [string[]] GetSubKeyNames() { $this.Check(); return $this.SubKeys }
    [Microsoft.Win32.RegistryValueKind] GetValueKind([string]$n) {
        $this.Check()
        $v = $this.Values[$n.ToUpperInvariant()]
        if ($null -eq $v) { throw [System.IO.IOException]::new('The specified registry key does not exist.') }
        return [Microsoft.Win32.RegistryValueKind]$v.Kind
    }
    [object] GetValue([string]$n) { return $this.GetValue($n, $null, [Microsoft.Win32.RegistryValueOptions]::None) }
    [object] GetValue([string]$n, [object]$default) { return $this.GetValue($n, $default, [Microsoft.Win32.RegistryValueOptions]::None) }
    [object] GetValue([string]$n, [object]$default, [Microsoft.Win32.RegistryValueOptions]$options) {
        $this.Check()
        $v = $this.Values[$n.ToUpperInvariant()]
        if ($null -eq $v) { return $default }
        if ($v.Kind -eq 'ExpandString' -and $options -ne [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames) {
            return [System.Environment]::ExpandEnvironmentVariables($v.Value)
        }
        $x = $v.Value
        # a class method returns its value as is (no pipeline unrolling, so no leading comma)
        if ($x -is [System.Array]) { return $x.Clone() }
        return $x
    }
    hidden [bool]$Writable
    # RegistryKey.OpenSubKey(name, writable): '' opens a new handle to this same key (RegOpenKeyEx
    # with an empty sub-key name); a missing sub-key gives $null.
    # https://learn.microsoft.com/en-us/dotnet/api/microsoft.win32.registrykey.opensubkey
    [SimRegistryKey] OpenSubKey([string]$n, [bool]$writable) {
        $this.Check()
        $path = if ($n -eq '') { $this.Name } else { $this.Name + '\' + $n.Trim('\') }
        $k = [SimHost]::Sim.Registry[$path.ToUpperInvariant()]
        if ($null -eq $k) { return $null }
        $subs = [string[]]@([SimHost]::Sim.Registry.Values | Where-Object { $_.Path.ToUpperInvariant().StartsWith($k.Path.ToUpperInvariant() + '\') -and -not $_.Path.Substring($k.Path.Length + 1).Contains('\') } | ForEach-Object { $_.Path.Split('\')[-1] })
        $r = [SimRegistryKey]::new($k, $subs)
        $r.Writable = $writable
        return $r
    }
    [SimRegistryKey] OpenSubKey([string]$n) { return $this.OpenSubKey($n, $false) }
    # RegistryKey.DeleteValue(name, throwOnMissingValue): the name is literal ('' = the default
    # value); only on a handle opened writable (else UnauthorizedAccessException).
    # https://learn.microsoft.com/en-us/dotnet/api/microsoft.win32.registrykey.deletevalue
    [void] DeleteValue([string]$n, [bool]$throwOnMissing) {
        $this.Check()
        if (-not $this.Writable) { throw [System.UnauthorizedAccessException]::new('Cannot write to the registry key.') }
        foreach ($f in [SimHost]::Sim.Failures.ToArray()) {
            if ($f.Command -eq 'RegistryKey.DeleteValue') {
                if ($f.Times -gt 0) {
                    $f.Times--
                    if ($f.Times -eq 0) { $null = [SimHost]::Sim.Failures.Remove($f) }
                }
                if ($f.Silent) { return }
                throw [System.Security.SecurityException]::new($f.Message)
            }
        }
        $live = [SimHost]::Sim.Registry[$this.Name.ToUpperInvariant()]
        if ($null -eq $live) { throw [System.IO.IOException]::new('Illegal operation attempted on a registry key that has been marked for deletion.') }
        $u = $n.ToUpperInvariant()
        if (-not $live.Values.Contains($u)) {
            if ($throwOnMissing) { throw [System.ArgumentException]::new('No value exists with that name.') }
            return
        }
        [SimHost]::Sim.Journal.Add([pscustomobject]@{ Command = 'RegistryKey.DeleteValue'; Arguments = [ordered]@{ Path = $live.Path; Name = $live.Values[$u].Name } })
        $live.Values.Remove($u)
        $this.Values.Remove($u)
    }
    [void] DeleteValue([string]$n) { $this.DeleteValue($n, $true) }
    [void] Close() { $this.Closed = $true }
    [void] Dispose() { $this.Closed = $true }
    [string] ToString() { return $this.Name }
}

function Resolve-SimKeys {
    # Existing keys for a -Path (wildcards) or -LiteralPath (exact) value.
    param([string]$Path, [bool]$Literal)
    $kp = ConvertTo-SimKeyPath $Path
    if ($Literal -or -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($kp)) {
        $k = Get-SimKey $kp
        if ($null -ne $k) { return , @($k) }
        return , @()
    }
    $pattern = [System.Management.Automation.WildcardPattern]::new($kp, [System.Management.Automation.WildcardOptions]::IgnoreCase)
    $depth = $kp.Split('\').Count
    return , @([SimHost]::Sim.Registry.Values | Where-Object { $_.Path.Split('\').Count -eq $depth -and $pattern.IsMatch($_.Path) })
}

function Find-SimValues {
    # Values of a key whose names match -Name. The registry provider compares -Name as plain text
    # (case-insensitive) when the path came through -LiteralPath, and as a wildcard pattern with
    # -Path (PowerShell's RegistryProvider, both 5.1 and 7; the docs only say "wildcards: true").
    # -NoDefaultToken: Remove-ItemProperty cannot reach the default value by '(default)'
    # (PowerShell issue 6243).
    param($Key, [string]$Name, [bool]$Literal, [switch]$NoDefaultToken)
    $n = $Name
    if ($n -eq '(default)' -and -not $NoDefaultToken) { $n = '' }
    if ($Literal -or -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
        $v = $Key.Values[$n.ToUpperInvariant()]
        if ($null -ne $v) { return , @($v) }
        return , @()
    }
    $pattern = [System.Management.Automation.WildcardPattern]::new($n, [System.Management.Automation.WildcardOptions]::IgnoreCase)
    return , @($Key.Values.Values | Where-Object { $pattern.IsMatch($_.Name) })
}

function Write-SimPathNotFound {
    param($Cmdlet, [string]$Path)
    Write-SimError -Cmdlet $Cmdlet -Message ("Cannot find path '" + $Path + "' because it does not exist.") -ErrorId 'PathNotFound' -Category ObjectNotFound -Target $Path -ExceptionType 'System.Management.Automation.ItemNotFoundException'
}

function Get-SimPathList {
    param([hashtable]$Bound)
    if ($Bound.ContainsKey('LiteralPath')) { return @{ Paths = @($Bound.LiteralPath); Literal = $true } }
    return @{ Paths = @($Bound.Path); Literal = $false }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/test-path
function Test-Path {
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType([bool])]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [AllowNull()][AllowEmptyCollection()][AllowEmptyString()]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [AllowNull()][AllowEmptyCollection()][AllowEmptyString()]
        [string[]]$LiteralPath,
        [string]$Filter,
        [string[]]$Include,
        [string[]]$Exclude,
        [Alias('Type')]
        [Microsoft.PowerShell.Commands.TestPathType]$PathType = 'Any',
        [switch]$IsValid,
        [Parameter(ValueFromPipelineByPropertyName)]
        [pscredential]$Credential,
        [datetime]$OlderThan,
        [datetime]$NewerThan
    )
    process {
        $p = Get-SimPathList $PSBoundParameters
        $reg = @($p.Paths | Where-Object { $null -ne $_ -and (Test-SimRegistryPath $_) })
        if ($reg.Count -eq 0) {
            return (Microsoft.PowerShell.Management\Test-Path @PSBoundParameters)
        }
        foreach ($one in $p.Paths) {
            if ($IsValid) { $true; continue }
            $keys = Resolve-SimKeys -Path $one -Literal $p.Literal
            ($keys.Count -gt 0 -and $PathType -ne 'Leaf')
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/get-item
function Get-Item {
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsTransactions)]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,
        [string]$Filter,
        [string[]]$Include,
        [string[]]$Exclude,
        [switch]$Force,
        [Parameter(ValueFromPipelineByPropertyName)]
        [pscredential]$Credential,
        [string[]]$Stream
    )
    process {
        $p = Get-SimPathList $PSBoundParameters
        $reg = @($p.Paths | Where-Object { Test-SimRegistryPath $_ })
        if ($reg.Count -eq 0) {
            return (Microsoft.PowerShell.Management\Get-Item @PSBoundParameters)
        }
        if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Get-Item') { return }
        foreach ($one in $p.Paths) {
            $keys = Resolve-SimKeys -Path $one -Literal $p.Literal
            if ($keys.Count -eq 0) { Write-SimPathNotFound -Cmdlet $PSCmdlet -Path $one; continue }
            foreach ($k in $keys) { [SimRegistryKey]::new($k, [string[]]@(Get-SimSubKeyNames $k.Path)) }
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/new-item
function New-Item {
    [CmdletBinding(DefaultParameterSetName = 'pathSet', SupportsShouldProcess, SupportsTransactions, ConfirmImpact = 'Medium')]
    param(
        [Parameter(ParameterSetName = 'nameSet', Position = 0, ValueFromPipelineByPropertyName)]
        [Parameter(ParameterSetName = 'pathSet', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'nameSet', Mandatory, ValueFromPipelineByPropertyName)]
        [AllowNull()][AllowEmptyString()]
        [string]$Name,
        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('Type')]
        [string]$ItemType,
        [Parameter(ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('Target')]
        [object]$Value,
        [switch]$Force,
        [Parameter(ValueFromPipelineByPropertyName)]
        [pscredential]$Credential
    )
    process {
        $paths = @($Path)
        if ($paths.Count -eq 0 -or $null -eq $paths[0]) { $paths = @((Get-Location).Path) }
        $reg = @($paths | Where-Object { Test-SimRegistryPath $_ })
        if ($reg.Count -eq 0) {
            return (Microsoft.PowerShell.Management\New-Item @PSBoundParameters)
        }
        foreach ($one in $paths) {
            $full = ConvertTo-SimKeyPath $one
            if ($PSCmdlet.ParameterSetName -eq 'nameSet') { $full = $full + '\' + $Name }
            if (-not $PSCmdlet.ShouldProcess(('Item: ' + $full + ' Type: Key'), 'New Item')) { continue }
            if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'New-Item') { continue }
            $existing = Get-SimKey $full
            if ($null -ne $existing -and -not $Force) {
                Write-SimError -Cmdlet $PSCmdlet -Message ('A key at this path already exists.') -ErrorId 'System.IO.IOException' -Category ResourceExists -Target $full -ExceptionType 'System.IO.IOException'
                continue
            }
            $parent = $full.Substring(0, [math]::Max(0, $full.LastIndexOf('\')))
            if ($null -eq (Get-SimKey $parent) -and -not $Force) {
                Write-SimPathNotFound -Cmdlet $PSCmdlet -Path ('Registry::' + $parent)
                continue
            }
            Add-SimJournal -Command 'New-Item' -Arguments @{ Path = $full }
            if ($null -ne $existing) {
                # -Force on an existing key: the registry provider replaces it by an empty key.
                $existing.Values.Clear()
                foreach ($sub in @(Get-SimSubKeyNames $full)) { Remove-SimKeyTree ($full + '\' + $sub) }
                $k = $existing
            } else {
                $k = New-SimKeyInternal $full
            }
            if ($PSBoundParameters.ContainsKey('Value') -and $null -ne $Value) { Set-SimValueInternal -Key $k -Name '' -Kind 'String' -Value ([string]$Value) }
            [SimRegistryKey]::new($k, [string[]]@(Get-SimSubKeyNames $k.Path))
        }
    }
}

function Remove-SimKeyTree {
    param([string]$KeyPath)
    $prefix = $KeyPath.ToUpperInvariant()
    foreach ($k in @([SimHost]::Sim.Registry.Keys)) {
        if ($k -eq $prefix -or $k.StartsWith($prefix + '\')) { [SimHost]::Sim.Registry.Remove($k) }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/remove-item
function Remove-Item {
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess, SupportsTransactions, ConfirmImpact = 'Medium')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,
        [string]$Filter,
        [string[]]$Include,
        [string[]]$Exclude,
        [switch]$Recurse,
        [switch]$Force,
        [Parameter(ValueFromPipelineByPropertyName)]
        [pscredential]$Credential,
        [string[]]$Stream
    )
    process {
        $p = Get-SimPathList $PSBoundParameters
        $reg = @($p.Paths | Where-Object { Test-SimRegistryPath $_ })
        if ($reg.Count -eq 0) {
            return (Microsoft.PowerShell.Management\Remove-Item @PSBoundParameters)
        }
        foreach ($one in $p.Paths) {
            $keys = Resolve-SimKeys -Path $one -Literal $p.Literal
            if ($keys.Count -eq 0) { Write-SimPathNotFound -Cmdlet $PSCmdlet -Path $one; continue }
            foreach ($k in $keys) {
                if (-not $PSCmdlet.ShouldProcess(('Item: ' + $k.Path), 'Remove Key')) { continue }
                if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Remove-Item') { continue }
                $subs = @(Get-SimSubKeyNames $k.Path)
                if ($subs.Count -gt 0 -and -not $Recurse) {
                    Write-SimError -Cmdlet $PSCmdlet -Message ('The item at ' + $k.Path + ' has children and the Recurse parameter was not specified.') -ErrorId 'RemoveItemUnauthorizedAccessError' -Target $k.Path
                    continue
                }
                Add-SimJournal -Command 'Remove-Item' -Arguments @{ Path = $k.Path }
                Remove-SimKeyTree $k.Path
            }
        }
    }
}

function New-SimPropertyObject {
    param($Key, [object[]]$Values)
    $o = [ordered]@{}
    foreach ($v in $Values) {
        $n = $v.Name
        if ($n -eq '') { $n = '(default)' }
        $o[$n] = Copy-SimDeep $v.Value
    }
    $o['PSPath'] = 'Microsoft.PowerShell.Core\Registry::' + $Key.Path
    $idx = $Key.Path.LastIndexOf('\')
    if ($idx -gt 0) { $o['PSParentPath'] = 'Microsoft.PowerShell.Core\Registry::' + $Key.Path.Substring(0, $idx) }
    $o['PSChildName'] = $Key.Path.Split('\')[-1]
    $o['PSProvider'] = 'Microsoft.PowerShell.Core\Registry'
    return [pscustomobject]$o
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/get-itemproperty
# -Name: "Wildcard characters are permitted."
function Get-ItemProperty {
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsTransactions)]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,
        [Parameter(Position = 1)]
        [Alias('PSProperty')]
        [string[]]$Name,
        [string]$Filter,
        [string[]]$Include,
        [string[]]$Exclude,
        [Parameter(ValueFromPipelineByPropertyName)]
        [pscredential]$Credential
    )
    process {
        $p = Get-SimPathList $PSBoundParameters
        $reg = @($p.Paths | Where-Object { Test-SimRegistryPath $_ })
        if ($reg.Count -eq 0) {
            return (Microsoft.PowerShell.Management\Get-ItemProperty @PSBoundParameters)
        }
        if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Get-ItemProperty') { return }
        foreach ($one in $p.Paths) {
            $keys = Resolve-SimKeys -Path $one -Literal $p.Literal
            if ($keys.Count -eq 0) { Write-SimPathNotFound -Cmdlet $PSCmdlet -Path $one; continue }
            foreach ($k in $keys) {
                if (-not $PSBoundParameters.ContainsKey('Name')) {
                    New-SimPropertyObject -Key $k -Values @($k.Values.Values)
                    continue
                }
                $found = @()
                foreach ($n in $Name) {
                    $m = Find-SimValues -Key $k -Name $n -Literal $p.Literal
                    if ($m.Count -eq 0 -and ($p.Literal -or -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n))) {
                        Write-SimError -Cmdlet $PSCmdlet -Message ('Property ' + $n + ' does not exist at path ' + $k.Path + '.') -ErrorId 'System.Management.Automation.PSArgumentException,Microsoft.PowerShell.Commands.GetItemPropertyCommand' -Category InvalidArgument -Target $n -ExceptionType 'System.Management.Automation.PSArgumentException'
                    }
                    $found += $m
                }
                if ($found.Count -gt 0) { New-SimPropertyObject -Key $k -Values $found }
            }
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/new-itemproperty
# -Name accepts no wildcards; -PropertyType (registry): String, ExpandString, Binary, DWord,
# MultiString, QWord, Unknown.
function New-ItemProperty {
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess, SupportsTransactions)]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,
        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [AllowEmptyString()]
        [Alias('PSProperty')]
        [string]$Name,
        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('Type')]
        [string]$PropertyType,
        [Parameter(ValueFromPipelineByPropertyName)]
        [object]$Value,
        [switch]$Force,
        [string]$Filter,
        [string[]]$Include,
        [string[]]$Exclude,
        [Parameter(ValueFromPipelineByPropertyName)]
        [pscredential]$Credential
    )
    process {
        $p = Get-SimPathList $PSBoundParameters
        $reg = @($p.Paths | Where-Object { Test-SimRegistryPath $_ })
        if ($reg.Count -eq 0) {
            return (Microsoft.PowerShell.Management\New-ItemProperty @PSBoundParameters)
        }
        $kind = $PropertyType
        if ([string]::IsNullOrEmpty($kind)) { $kind = 'String' }
        $kinds = @('String', 'ExpandString', 'Binary', 'DWord', 'MultiString', 'QWord', 'Unknown')
        if ($kinds -notcontains $kind) {
            Write-SimError -Cmdlet $PSCmdlet -Message ('The property type ' + $kind + ' is not valid for the registry provider.') -ErrorId 'System.ArgumentException' -Category InvalidArgument -ExceptionType 'System.ArgumentException'
            return
        }
        $kind = ($kinds | Where-Object { $_ -eq $kind })
        if ($kind -eq 'Unknown') { $kind = 'None' }
        foreach ($one in $p.Paths) {
            $keys = Resolve-SimKeys -Path $one -Literal $p.Literal
            if ($keys.Count -eq 0) { Write-SimPathNotFound -Cmdlet $PSCmdlet -Path $one; continue }
            foreach ($k in $keys) {
                if (-not $PSCmdlet.ShouldProcess(('Item: ' + $k.Path + ' Property: ' + $Name), 'New Property')) { continue }
                if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'New-ItemProperty') { continue }
                $n = $Name
                if ($n -eq '(default)') { $n = '' }
                if ($null -ne $k.Values[$n.ToUpperInvariant()] -and -not $Force) {
                    Write-SimError -Cmdlet $PSCmdlet -Message ('The property already exists.') -ErrorId 'System.IO.IOException,Microsoft.PowerShell.Commands.NewItemPropertyCommand' -Category ResourceExists -Target $Name -ExceptionType 'System.IO.IOException'
                    continue
                }
                try {
                    $data = ConvertTo-SimRegistryData -Kind $kind -Value $Value
                } catch {
                    Write-SimError -Cmdlet $PSCmdlet -Message ($_.Exception.Message) -ErrorId 'System.ArgumentException' -Category InvalidArgument -ExceptionType 'System.ArgumentException'
                    continue
                }
                Add-SimJournal -Command 'New-ItemProperty' -Arguments @{ Path = $k.Path; Name = $n; PropertyType = $kind; Value = $data }
                $k.Values.Remove($n.ToUpperInvariant())
                $k.Values[$n.ToUpperInvariant()] = @{ Name = $n; Kind = $kind; Value = $data }
                New-SimPropertyObject -Key $k -Values @($k.Values[$n.ToUpperInvariant()])
            }
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/set-itemproperty
# -Name accepts no wildcards. With -Type (registry dynamic parameter) the kind is set, else an
# existing value keeps its kind and a new one is a String.
function Set-ItemProperty {
    [CmdletBinding(DefaultParameterSetName = 'propertyValuePathSet', SupportsShouldProcess, SupportsTransactions)]
    param(
        [Parameter(ParameterSetName = 'propertyPSObjectPathSet', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Parameter(ParameterSetName = 'propertyValuePathSet', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'propertyValueLiteralPathSet', Mandatory, ValueFromPipelineByPropertyName)]
        [Parameter(ParameterSetName = 'propertyPSObjectLiteralPathSet', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,
        [Parameter(ParameterSetName = 'propertyValuePathSet', Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [Parameter(ParameterSetName = 'propertyValueLiteralPathSet', Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [AllowEmptyString()]
        [Alias('PSProperty')]
        [string]$Name,
        [Parameter(ParameterSetName = 'propertyValuePathSet', Position = 2, ValueFromPipelineByPropertyName)]
        [Parameter(ParameterSetName = 'propertyValueLiteralPathSet', Position = 2, ValueFromPipelineByPropertyName)]
        [AllowNull()]
        [object]$Value,
        [Parameter(ParameterSetName = 'propertyPSObjectPathSet', Mandatory, ValueFromPipeline)]
        [Parameter(ParameterSetName = 'propertyPSObjectLiteralPathSet', Mandatory, ValueFromPipeline)]
        [psobject]$InputObject,
        [switch]$PassThru,
        [switch]$Force,
        [string]$Filter,
        [string[]]$Include,
        [string[]]$Exclude,
        [Parameter(ValueFromPipelineByPropertyName)]
        [pscredential]$Credential,
        [Microsoft.Win32.RegistryValueKind]$Type
    )
    process {
        $p = Get-SimPathList $PSBoundParameters
        $reg = @($p.Paths | Where-Object { Test-SimRegistryPath $_ })
        if ($reg.Count -eq 0) {
            return (Microsoft.PowerShell.Management\Set-ItemProperty @PSBoundParameters)
        }
        foreach ($one in $p.Paths) {
            $keys = Resolve-SimKeys -Path $one -Literal $p.Literal
            if ($keys.Count -eq 0) { Write-SimPathNotFound -Cmdlet $PSCmdlet -Path $one; continue }
            foreach ($k in $keys) {
                if (-not $PSCmdlet.ShouldProcess(('Item: ' + $k.Path + ' Property: ' + $Name), 'Set Property')) { continue }
                if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Set-ItemProperty') { continue }
                $n = $Name
                if ($n -eq '(default)') { $n = '' }
                $old = $k.Values[$n.ToUpperInvariant()]
                $kind = 'String'
                if ($null -ne $old) { $kind = $old.Kind }
                if ($PSBoundParameters.ContainsKey('Type')) { $kind = $Type.ToString() }
                $data = ConvertTo-SimRegistryData -Kind $kind -Value $Value
                Add-SimJournal -Command 'Set-ItemProperty' -Arguments @{ Path = $k.Path; Name = $n; Type = $kind; Value = $data }
                Set-SimValueInternal -Key $k -Name $n -Kind $kind -Value $data
                if ($PassThru) { New-SimPropertyObject -Key $k -Values @($k.Values[$n.ToUpperInvariant()]) }
            }
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/remove-itemproperty
# -Name: "Wildcard characters are permitted." (so '*' removes every value of the key).
function Remove-ItemProperty {
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess, SupportsTransactions, ConfirmImpact = 'Medium')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,
        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [Alias('PSProperty')]
        [string[]]$Name,
        [switch]$Force,
        [string]$Filter,
        [string[]]$Include,
        [string[]]$Exclude,
        [Parameter(ValueFromPipelineByPropertyName)]
        [pscredential]$Credential
    )
    process {
        $p = Get-SimPathList $PSBoundParameters
        $reg = @($p.Paths | Where-Object { Test-SimRegistryPath $_ })
        if ($reg.Count -eq 0) {
            return (Microsoft.PowerShell.Management\Remove-ItemProperty @PSBoundParameters)
        }
        foreach ($one in $p.Paths) {
            $keys = Resolve-SimKeys -Path $one -Literal $p.Literal
            if ($keys.Count -eq 0) { Write-SimPathNotFound -Cmdlet $PSCmdlet -Path $one; continue }
            foreach ($k in $keys) {
                foreach ($n in $Name) {
                    $m = Find-SimValues -Key $k -Name $n -Literal $p.Literal -NoDefaultToken
                    if ($m.Count -eq 0) {
                        if ($p.Literal -or -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
                            Write-SimError -Cmdlet $PSCmdlet -Message ('Property ' + $n + ' does not exist at path ' + $k.Path + '.') -ErrorId 'System.Management.Automation.PSArgumentException,Microsoft.PowerShell.Commands.RemoveItemPropertyCommand' -Category InvalidArgument -Target $n -ExceptionType 'System.Management.Automation.PSArgumentException'
                        }
                        continue
                    }
                    foreach ($v in $m) {
                        if (-not $PSCmdlet.ShouldProcess(('Item: ' + $k.Path + ' Property: ' + $v.Name), 'Remove Property')) { continue }
                        if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Remove-ItemProperty') { continue }
                        Add-SimJournal -Command 'Remove-ItemProperty' -Arguments @{ Path = $k.Path; Name = $v.Name }
                        $k.Values.Remove($v.Name.ToUpperInvariant())
                    }
                }
            }
        }
    }
}

#endregion

#region services

function Set-SimService {
    <#
    .SYNOPSIS
    Installs or changes a simulated service. The start type lives in the registry as on Windows
    (HKLM\SYSTEM\CurrentControlSet\Services\<name> Start = 2/3/4, DelayedAutostart = 1).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Name,
        [string]$DisplayName,
        [ValidateSet('Automatic', 'Manual', 'Disabled')][string]$StartType = 'Manual',
        [switch]$Delayed,
        [ValidateSet('Running', 'Stopped')][string]$Status = 'Stopped',
        # CannotStart: Start-Service fails (the service terminates at start)
        [switch]$CannotStart,
        # SlowStart: Start-Service and Stop-Service take longer than two seconds; the cmdlets then
        # write "Waiting for service '<display name> (<name>)' to start..." (to stop...) to the
        # warning stream, as the real cmdlets do while they wait.
        [switch]$SlowStart
    )
    if ([string]::IsNullOrEmpty($DisplayName)) { $DisplayName = $Name }
    [SimHost]::Sim.Services[$Name.ToUpperInvariant()] = @{
        Name = $Name; DisplayName = $DisplayName; Status = $Status; StartType = $StartType; CannotStart = [bool]$CannotStart; SlowStart = [bool]$SlowStart
    }
    Set-SimServiceStart -Name $Name -StartType $StartType -Delayed ([bool]$Delayed)
}

function Set-SimServiceStart {
    param([string]$Name, [string]$StartType, [bool]$Delayed)
    $rec = [SimHost]::Sim.Services[$Name.ToUpperInvariant()]
    $rec.StartType = $StartType
    $key = New-SimKeyInternal ('HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\' + $rec.Name)
    $start = @{ Automatic = 2; Manual = 3; Disabled = 4 }[$StartType]
    Set-SimValueInternal -Key $key -Name 'Start' -Kind 'DWord' -Value $start
    if ($StartType -eq 'Automatic' -and $Delayed) {
        Set-SimValueInternal -Key $key -Name 'DelayedAutostart' -Kind 'DWord' -Value 1
    } elseif ($StartType -eq 'Automatic') {
        $key.Values.Remove('DELAYEDAUTOSTART')
    }
}

function Get-SimService {
    <#
    .SYNOPSIS
    @{ Name; StartType; Delayed; Status } of a simulated service, or $null (not installed).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Name)
    $rec = [SimHost]::Sim.Services[$Name.ToUpperInvariant()]
    if ($null -eq $rec) { return $null }
    $d = Get-SimRegistryValue -Path ('HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\' + $rec.Name) -Name 'DelayedAutostart'
    return [pscustomobject]@{
        Name      = $rec.Name
        StartType = $rec.StartType
        Delayed   = ($rec.StartType -eq 'Automatic' -and $null -ne $d -and $d.Value -eq 1)
        Status    = $rec.Status
    }
}

function Find-SimServices {
    param([string[]]$Name, $Cmdlet, [bool]$ByDisplayName)
    foreach ($n in $Name) {
        $wild = [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)
        $pattern = [System.Management.Automation.WildcardPattern]::new($n, [System.Management.Automation.WildcardOptions]::IgnoreCase)
        $hits = @([SimHost]::Sim.Services.Values | Where-Object {
                if ($ByDisplayName) { $pattern.IsMatch($_.DisplayName) } else { $pattern.IsMatch($_.Name) -or $pattern.IsMatch($_.DisplayName) }
            })
        if ($hits.Count -eq 0 -and -not $wild) {
            $what = 'name'
            if ($ByDisplayName) { $what = 'display name' }
            Write-SimError -Cmdlet $Cmdlet -Message ("Cannot find any service with service " + $what + " '" + $n + "'.") -ErrorId 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand' -Category ObjectNotFound -Target $n -ExceptionType 'System.InvalidOperationException'
        }
        foreach ($h in $hits) { $h }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/get-service
function Get-Service {
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    [OutputType('System.ServiceProcess.ServiceController')]
    param(
        [Parameter(ParameterSetName = 'Default', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('ServiceName')]
        [string[]]$Name,
        [Alias('DS')]
        [switch]$DependentServices,
        [Alias('SDO', 'ServicesDependedOn')]
        [switch]$RequiredServices,
        [Parameter(ParameterSetName = 'DisplayName', Mandatory)]
        [string[]]$DisplayName,
        [string[]]$Include,
        [string[]]$Exclude,
        [Parameter(ParameterSetName = 'InputObject', ValueFromPipeline)]
        [SimServiceController[]]$InputObject
    )
    process {
        if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Get-Service') { return }
        $recs = switch ($PSCmdlet.ParameterSetName) {
            'DisplayName' { Find-SimServices -Name $DisplayName -Cmdlet $PSCmdlet -ByDisplayName $true }
            'InputObject' { foreach ($i in $InputObject) { [SimHost]::Sim.Services[$i.ServiceName.ToUpperInvariant()] } }
            default {
                if ($null -eq $Name) { [SimHost]::Sim.Services.Values } else { Find-SimServices -Name $Name -Cmdlet $PSCmdlet -ByDisplayName $false }
            }
        }
        foreach ($r in @($recs)) {
            if ($null -eq $r) { continue }
            [SimServiceController]::new([SimHost]::Sim, $r.Name)
        }
    }
}

function Resolve-SimServiceArgs {
    param([hashtable]$Bound, $Cmdlet)
    if ($Bound.ContainsKey('InputObject')) { return @($Bound.InputObject | ForEach-Object { [SimHost]::Sim.Services[$_.ServiceName.ToUpperInvariant()] }) }
    if ($Bound.ContainsKey('DisplayName')) { return @(Find-SimServices -Name $Bound.DisplayName -Cmdlet $Cmdlet -ByDisplayName $true) }
    return @(Find-SimServices -Name $Bound.Name -Cmdlet $Cmdlet -ByDisplayName $false)
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/start-service
function Start-Service {
    [CmdletBinding(DefaultParameterSetName = 'InputObject', SupportsShouldProcess)]
    param(
        [Parameter(ParameterSetName = 'InputObject', Mandatory, Position = 0, ValueFromPipeline)]
        [SimServiceController[]]$InputObject,
        [Parameter(ParameterSetName = 'Default', Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('ServiceName')]
        [string[]]$Name,
        [Parameter(ParameterSetName = 'DisplayName', Mandatory)]
        [string[]]$DisplayName,
        [switch]$PassThru,
        [string[]]$Include,
        [string[]]$Exclude
    )
    process {
        foreach ($r in (Resolve-SimServiceArgs $PSBoundParameters $PSCmdlet)) {
            if ($null -eq $r) { continue }
            if (-not $PSCmdlet.ShouldProcess(($r.DisplayName + ' (' + $r.Name + ')'), 'Start-Service')) { continue }
            if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Start-Service') { continue }
            if ($r.Status -eq 'Running') { continue }
            if ($r.StartType -eq 'Disabled' -or $r.CannotStart) {
                Write-SimError -Cmdlet $PSCmdlet -Message ("Service '" + $r.DisplayName + ' (' + $r.Name + ")' cannot be started due to the following error: Cannot start service " + $r.Name + " on computer '.'.") -ErrorId 'CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand' -Category OpenError -Target $r.Name -ExceptionType 'System.InvalidOperationException'
                continue
            }
            if ($r.SlowStart) { $PSCmdlet.WriteWarning("Waiting for service '" + $r.DisplayName + ' (' + $r.Name + ")' to start...") }
            Add-SimJournal -Command 'Start-Service' -Arguments @{ Name = $r.Name }
            $r.Status = 'Running'
            if ($PassThru) { [SimServiceController]::new([SimHost]::Sim, $r.Name) }
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/stop-service
function Stop-Service {
    [CmdletBinding(DefaultParameterSetName = 'InputObject', SupportsShouldProcess)]
    param(
        [Parameter(ParameterSetName = 'InputObject', Mandatory, Position = 0, ValueFromPipeline)]
        [SimServiceController[]]$InputObject,
        [Parameter(ParameterSetName = 'Default', Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('ServiceName')]
        [string[]]$Name,
        [Parameter(ParameterSetName = 'DisplayName', Mandatory)]
        [string[]]$DisplayName,
        [switch]$Force,
        [switch]$NoWait,
        [switch]$PassThru,
        [string[]]$Include,
        [string[]]$Exclude
    )
    process {
        foreach ($r in (Resolve-SimServiceArgs $PSBoundParameters $PSCmdlet)) {
            if ($null -eq $r) { continue }
            if (-not $PSCmdlet.ShouldProcess(($r.DisplayName + ' (' + $r.Name + ')'), 'Stop-Service')) { continue }
            if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Stop-Service') { continue }
            if ($r.Status -eq 'Stopped') { continue }
            if ($r.SlowStart) { $PSCmdlet.WriteWarning("Waiting for service '" + $r.DisplayName + ' (' + $r.Name + ")' to stop...") }
            Add-SimJournal -Command 'Stop-Service' -Arguments @{ Name = $r.Name }
            $r.Status = 'Stopped'
            if ($PassThru) { [SimServiceController]::new([SimHost]::Sim, $r.Name) }
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/set-service
function Set-Service {
    [CmdletBinding(DefaultParameterSetName = 'Name', SupportsShouldProcess)]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ServiceName', 'SN')]
        [string]$Name,
        [Parameter(ParameterSetName = 'InputObject', Mandatory, Position = 0, ValueFromPipeline)]
        [SimServiceController]$InputObject,
        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('DN')]
        [string]$DisplayName,
        [pscredential]$Credential,
        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Description,
        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('StartMode', 'SM', 'ST', 'StartType')]
        [ValidateSet('Automatic', 'Manual', 'Disabled', 'AutomaticDelayedStart', 'Boot', 'System')]
        [string]$StartupType,
        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateSet('Running', 'Stopped', 'Paused')]
        [string]$Status,
        [string]$SecurityDescriptorSddl,
        [switch]$Force,
        [switch]$PassThru
    )
    process {
        $n = $Name
        if ($PSCmdlet.ParameterSetName -eq 'InputObject') { $n = $InputObject.ServiceName }
        $r = @(Find-SimServices -Name @($n) -Cmdlet $PSCmdlet -ByDisplayName $false) | Select-Object -First 1
        if ($null -eq $r) { return }
        if (-not $PSCmdlet.ShouldProcess(($r.DisplayName + ' (' + $r.Name + ')'), 'Set-Service')) { return }
        if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Set-Service') { return }
        if ($StartupType) {
            Add-SimJournal -Command 'Set-Service' -Arguments @{ Name = $r.Name; StartupType = $StartupType }
            if ($StartupType -eq 'AutomaticDelayedStart') { Set-SimServiceStart -Name $r.Name -StartType 'Automatic' -Delayed $true }
            else { Set-SimServiceStart -Name $r.Name -StartType $StartupType -Delayed $false }
        }
        if ($Status -eq 'Running' -and $r.Status -ne 'Running') { Start-Service -Name $r.Name -ErrorAction $ErrorActionPreference }
        if ($Status -eq 'Stopped' -and $r.Status -ne 'Stopped') { Stop-Service -Name $r.Name -ErrorAction $ErrorActionPreference }
        if ($PassThru) { [SimServiceController]::new([SimHost]::Sim, $r.Name) }
    }
}

# sc.exe config <service> start= <boot|system|auto|demand|disabled|delayed-auto>
# https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/sc-config
# Exit code 0 on success, 1060 (ERROR_SERVICE_DOES_NOT_EXIST) for a missing service.
function sc.exe {
    $argv = @($args | ForEach-Object { [string]$_ })
    $global:LASTEXITCODE = 0
    if ($argv.Count -lt 1) { 'DESCRIPTION: SC is a command line program used for communicating with the Service Control Manager and services.'; return }
    $verb = $argv[0].ToLowerInvariant()
    if ($verb -ne 'config' -and $verb -ne 'qc') {
        $global:LASTEXITCODE = 1639
        '[SC] sc.exe simulation: unsupported command ' + $argv[0]
        return
    }
    $name = $argv[1]
    $rec = [SimHost]::Sim.Services[([string]$name).ToUpperInvariant()]
    if ($null -eq $rec) {
        $global:LASTEXITCODE = 1060
        '[SC] OpenService FAILED 1060:'
        ''
        'The specified service does not exist as an installed service.'
        return
    }
    if ($verb -eq 'qc') {
        '[SC] QueryServiceConfig SUCCESS'
        return
    }
    $failure = Get-SimFailure -Command 'sc.exe'
    if ($null -ne $failure -and $failure.Silent) {
        '[SC] ChangeServiceConfig SUCCESS'
        return
    }
    if ($null -ne $failure) {
        $global:LASTEXITCODE = 5
        '[SC] ChangeServiceConfig FAILED 5:'
        ''
        $failure.Message
        return
    }
    $mode = $null
    for ($i = 2; $i -lt $argv.Count; $i++) {
        if ($argv[$i].ToLowerInvariant() -eq 'start=' -and $i + 1 -lt $argv.Count) { $mode = $argv[$i + 1].ToLowerInvariant() }
        elseif ($argv[$i].ToLowerInvariant().StartsWith('start=') -and $argv[$i].Length -gt 6) {
            # 'start=auto' without the space is not accepted by sc.exe
            $global:LASTEXITCODE = 1639
            '[SC] ChangeServiceConfig FAILED 1639: invalid command line (sc.exe needs a space after start=)'
            return
        }
    }
    $map = @{ 'auto' = @('Automatic', $false); 'delayed-auto' = @('Automatic', $true); 'demand' = @('Manual', $false); 'disabled' = @('Disabled', $false) }
    if ($null -eq $mode -or -not $map.ContainsKey($mode)) {
        $global:LASTEXITCODE = 1639
        '[SC] ChangeServiceConfig FAILED 1639: invalid start= option'
        return
    }
    [SimHost]::Sim.Journal.Add([pscustomobject]@{ Command = 'sc.exe'; Arguments = [ordered]@{ Verb = 'config'; Name = $rec.Name; Start = $mode } })
    Set-SimServiceStart -Name $rec.Name -StartType $map[$mode][0] -Delayed $map[$mode][1]
    '[SC] ChangeServiceConfig SUCCESS'
}

#endregion

#region firewall (NetSecurity module; the CDXML enums re-created with the documented names)

# https://learn.microsoft.com/en-us/powershell/module/netsecurity/new-netfirewallrule
[Flags()] enum SimNetFirewallProfile { Any = 0; Domain = 1; Private = 2; Public = 4; NotApplicable = 65535 }
enum SimNetFirewallDirection { Inbound = 1; Outbound = 2 }
enum SimNetFirewallAction { NotConfigured = 0; Allow = 2; Block = 4 }
enum SimNetFirewallEnabled { True = 1; False = 2 }

function Add-SimFirewallRule {
    <#
    .SYNOPSIS
    Puts a rule in the simulated firewall (same settings as New-NetFirewallRule).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Name,
        [string]$DisplayName,
        [string]$Description = '',
        [string]$Group = '',
        [SimNetFirewallEnabled]$Enabled = 'True',
        [SimNetFirewallDirection]$Direction = 'Inbound',
        [SimNetFirewallAction]$Action = 'Allow',
        [SimNetFirewallProfile]$Profile = 'Any',
        [string]$Protocol = 'Any',
        [string[]]$LocalPort = @('Any'),
        [string[]]$RemotePort = @('Any')
    )
    if ([string]::IsNullOrEmpty($DisplayName)) { $DisplayName = $Name }
    [SimHost]::Sim.Firewall[$Name.ToUpperInvariant()] = @{
        Name = $Name; DisplayName = $DisplayName; Description = $Description; Group = $Group
        Enabled = $Enabled.ToString(); Direction = $Direction.ToString(); Action = $Action.ToString(); Profile = $Profile.ToString()
        Protocol = $Protocol; LocalPort = [string[]]@($LocalPort); RemotePort = [string[]]@($RemotePort)
    }
}

function Get-SimFirewallRule {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Name)
    $r = [SimHost]::Sim.Firewall[$Name.ToUpperInvariant()]
    if ($null -eq $r) { return $null }
    return [pscustomobject](Copy-SimDeep $r)
}

function ConvertTo-SimRuleObject {
    param($Rule)
    [pscustomobject]@{
        PSTypeName   = 'Microsoft.Management.Infrastructure.CimInstance#root/standardcimv2/MSFT_NetFirewallRule'
        Name         = $Rule.Name
        ID           = $Rule.Name
        DisplayName  = $Rule.DisplayName
        Description  = $Rule.Description
        Group        = $Rule.Group
        DisplayGroup = $Rule.Group
        Enabled      = [SimNetFirewallEnabled]$Rule.Enabled
        Direction    = [SimNetFirewallDirection]$Rule.Direction
        Action       = [SimNetFirewallAction]$Rule.Action
        Profile      = [SimNetFirewallProfile]$Rule.Profile
        PolicyStoreSource = 'PersistentStore'
    }
}

function Find-SimFirewallRules {
    param([hashtable]$Bound, $Cmdlet, [string]$Verb)
    if ($Bound.ContainsKey('InputObject')) { return @($Bound.InputObject | ForEach-Object { [SimHost]::Sim.Firewall[$_.Name.ToUpperInvariant()] } | Where-Object { $null -ne $_ }) }
    $by = 'Name'; $values = $Bound.Name
    if ($Bound.ContainsKey('DisplayName')) { $by = 'DisplayName'; $values = $Bound.DisplayName }
    if ($null -eq $values) { return @([SimHost]::Sim.Firewall.Values) }
    $out = @()
    foreach ($v in $values) {
        $pattern = [System.Management.Automation.WildcardPattern]::new($v, [System.Management.Automation.WildcardOptions]::IgnoreCase)
        $hits = @([SimHost]::Sim.Firewall.Values | Where-Object { $pattern.IsMatch($_[$by]) })
        if ($hits.Count -eq 0) {
            Write-SimError -Cmdlet $Cmdlet -Message ("No MSFT_NetFirewallRule objects found with property '" + $by + "' equal to '" + $v + "'.  Verify the value of the property and retry.") -ErrorId ('CmdletizationQuery_NotFound_' + $by + ',' + $Verb) -Category ObjectNotFound -Target $v -ExceptionType 'Microsoft.PowerShell.Cmdletization.Cim.CimJobException'
        }
        $out += $hits
    }
    return $out
}

# https://learn.microsoft.com/en-us/powershell/module/netsecurity/get-netfirewallrule
# (sets GetAll, ByName, ByDisplayName, ByQuery; the ByAssociated* sets take CimInstances of the
# filters and are not modelled)
function Get-NetFirewallRule {
    [CmdletBinding(DefaultParameterSetName = 'GetAll')]
    param(
        [Parameter(ParameterSetName = 'GetAll')][switch]$All,
        [Parameter(ParameterSetName = 'ByName', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ID')][string[]]$Name,
        [Parameter(ParameterSetName = 'ByDisplayName', Mandatory, ValueFromPipelineByPropertyName)]
        [string[]]$DisplayName,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$Description,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$DisplayGroup,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$Group,
        [Parameter(ParameterSetName = 'ByQuery')][SimNetFirewallEnabled[]]$Enabled,
        [Parameter(ParameterSetName = 'ByQuery')][SimNetFirewallDirection[]]$Direction,
        [Parameter(ParameterSetName = 'ByQuery')][SimNetFirewallAction[]]$Action,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$EdgeTraversalPolicy,
        [Parameter(ParameterSetName = 'ByQuery')][bool[]]$LooseSourceMapping,
        [Parameter(ParameterSetName = 'ByQuery')][bool[]]$LocalOnlyMapping,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$Owner,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$PrimaryStatus,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$Status,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$PolicyStoreSource,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$PolicyStoreSourceType,
        [string]$PolicyStore,
        [switch]$TracePolicyStore,
        [string]$GPOSession,
        [Alias('Session')][object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob
    )
    if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Get-NetFirewallRule') { return }
    $rules = Find-SimFirewallRules -Bound $PSBoundParameters -Cmdlet $PSCmdlet -Verb 'Get-NetFirewallRule'
    if ($PSCmdlet.ParameterSetName -eq 'ByQuery') {
        if ($Group) { $rules = @($rules | Where-Object { $Group -contains $_.Group }) }
        if ($Direction) { $rules = @($rules | Where-Object { @($Direction | ForEach-Object ToString) -contains $_.Direction }) }
    }
    foreach ($r in $rules) { ConvertTo-SimRuleObject $r }
}

# https://learn.microsoft.com/en-us/powershell/module/netsecurity/get-netfirewallportfilter
# (sets GetAll, ByQuery, ByAssociatedNetFirewallRule, ByAssociatedNetIPsecRule;
# -AssociatedNetFirewallRule is a CimInstance of MSFT_NetFirewallRule on Windows)
function Get-NetFirewallPortFilter {
    [CmdletBinding(DefaultParameterSetName = 'GetAll')]
    param(
        [Parameter(ParameterSetName = 'GetAll')][switch]$All,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$Protocol,
        [Parameter(ParameterSetName = 'ByQuery')][string[]]$DynamicTarget,
        [Parameter(ParameterSetName = 'ByAssociatedNetFirewallRule', Mandatory, ValueFromPipeline)]
        [psobject]$AssociatedNetFirewallRule,
        [Parameter(ParameterSetName = 'ByAssociatedNetIPsecRule', Mandatory, ValueFromPipeline)]
        [psobject]$AssociatedNetIPsecRule,
        [string]$PolicyStore,
        [string]$GPOSession,
        [Alias('Session')][object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob
    )
    process {
        if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Get-NetFirewallPortFilter') { return }
        $rules = @([SimHost]::Sim.Firewall.Values)
        if ($PSCmdlet.ParameterSetName -eq 'ByAssociatedNetFirewallRule') {
            $rules = @([SimHost]::Sim.Firewall[$AssociatedNetFirewallRule.Name.ToUpperInvariant()])
        }
        if ($PSCmdlet.ParameterSetName -eq 'ByAssociatedNetIPsecRule') { $rules = @() }
        if ($PSCmdlet.ParameterSetName -eq 'ByQuery' -and $Protocol) { $rules = @($rules | Where-Object { $Protocol -contains $_.Protocol }) }
        foreach ($r in $rules) {
            if ($null -eq $r) { continue }
            [pscustomobject]@{
                PSTypeName    = 'Microsoft.Management.Infrastructure.CimInstance#root/standardcimv2/MSFT_NetProtocolPortFilter'
                InstanceID    = $r.Name
                Protocol      = $r.Protocol
                LocalPort     = Copy-SimDeep $r.LocalPort
                RemotePort    = Copy-SimDeep $r.RemotePort
                IcmpType      = 'Any'
                DynamicTarget = 'Any'
            }
        }
    }
}

function Set-SimRuleSettings {
    param($Rule, [hashtable]$Bound)
    foreach ($p in @('Description', 'Group')) { if ($Bound.ContainsKey($p)) { $Rule[$p] = [string]$Bound[$p] } }
    foreach ($p in @('Enabled', 'Direction', 'Action', 'Profile')) { if ($Bound.ContainsKey($p)) { $Rule[$p] = $Bound[$p].ToString() } }
    if ($Bound.ContainsKey('Protocol')) {
        $proto = [string]$Bound.Protocol
        $known = @('TCP', 'UDP', 'ICMPv4', 'ICMPv6', 'Any')
        $k = $known | Where-Object { $_ -eq $proto }
        if ($k) { $proto = $k }
        $Rule.Protocol = $proto
    }
    foreach ($p in @('LocalPort', 'RemotePort')) {
        if ($Bound.ContainsKey($p)) {
            if ($Rule.Protocol -ne 'TCP' -and $Rule.Protocol -ne 'UDP' -and (@($Bound[$p]) -join ',') -ne 'Any') {
                throw ('The port ' + $p + ' can only be specified with the TCP or UDP protocol.')
            }
            $Rule[$p] = [string[]]@($Bound[$p] | ForEach-Object { [string]$_ })
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/netsecurity/new-netfirewallrule
function New-NetFirewallRule {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Alias('ID')][string]$Name,
        [Parameter(Mandatory)][string]$DisplayName,
        [string]$Description,
        [string]$Group,
        [SimNetFirewallEnabled]$Enabled,
        [SimNetFirewallProfile]$Profile,
        [string[]]$Platform,
        [SimNetFirewallDirection]$Direction,
        [SimNetFirewallAction]$Action,
        [string]$EdgeTraversalPolicy,
        [bool]$LooseSourceMapping,
        [bool]$LocalOnlyMapping,
        [string]$Owner,
        [string[]]$LocalAddress,
        [string[]]$RemoteAddress,
        [string]$Protocol,
        [string[]]$LocalPort,
        [string[]]$RemotePort,
        [string[]]$IcmpType,
        [string]$DynamicTarget,
        [string]$Program,
        [string]$Package,
        [string]$Service,
        [string[]]$InterfaceAlias,
        [string]$InterfaceType,
        [string]$LocalUser,
        [string]$RemoteUser,
        [string]$RemoteMachine,
        [string]$Authentication,
        [string]$Encryption,
        [bool]$OverrideBlockRules,
        [string]$PolicyStore,
        [string]$GPOSession,
        [Alias('Session')][object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob
    )
    if (-not $PSCmdlet.ShouldProcess($DisplayName, 'New-NetFirewallRule')) { return }
    if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'New-NetFirewallRule') { return }
    if ([string]::IsNullOrEmpty($Name)) { $Name = '{' + [guid]::NewGuid().ToString() + '}' }
    if ([SimHost]::Sim.Firewall.Contains($Name.ToUpperInvariant())) {
        Write-SimError -Cmdlet $PSCmdlet -Message 'Cannot create a file when that file already exists.' -ErrorId 'Windows System Error 183,New-NetFirewallRule' -Category ResourceExists -Target $Name
        return
    }
    $rule = @{ Name = $Name; DisplayName = $DisplayName; Description = ''; Group = ''; Enabled = 'True'; Direction = 'Inbound'; Action = 'Allow'; Profile = 'Any'; Protocol = 'Any'; LocalPort = [string[]]@('Any'); RemotePort = [string[]]@('Any') }
    try { Set-SimRuleSettings -Rule $rule -Bound $PSBoundParameters } catch {
        Write-SimError -Cmdlet $PSCmdlet -Message $_.Exception.Message -ErrorId 'Windows System Error 87,New-NetFirewallRule' -Category InvalidArgument
        return
    }
    Add-SimJournal -Command 'New-NetFirewallRule' -Arguments $PSBoundParameters
    [SimHost]::Sim.Firewall[$Name.ToUpperInvariant()] = $rule
    ConvertTo-SimRuleObject $rule
}

# https://learn.microsoft.com/en-us/powershell/module/netsecurity/set-netfirewallrule
function Set-NetFirewallRule {
    [CmdletBinding(DefaultParameterSetName = 'GetByName', SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(ParameterSetName = 'GetByName', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ID')][string[]]$Name,
        [Parameter(ParameterSetName = 'GetByDisplayName', Mandatory, ValueFromPipelineByPropertyName)]
        [string[]]$DisplayName,
        [Parameter(ParameterSetName = 'InputObject (cdxml)', Mandatory, ValueFromPipeline)]
        [psobject[]]$InputObject,
        [string]$NewDisplayName,
        [string]$Description,
        [SimNetFirewallEnabled]$Enabled,
        [SimNetFirewallProfile]$Profile,
        [string[]]$Platform,
        [SimNetFirewallDirection]$Direction,
        [SimNetFirewallAction]$Action,
        [string]$EdgeTraversalPolicy,
        [bool]$LooseSourceMapping,
        [bool]$LocalOnlyMapping,
        [string]$Owner,
        [string[]]$LocalAddress,
        [string[]]$RemoteAddress,
        [string]$Protocol,
        [string[]]$LocalPort,
        [string[]]$RemotePort,
        [string[]]$IcmpType,
        [string]$DynamicTarget,
        [string]$Program,
        [string]$Package,
        [string]$Service,
        [string[]]$InterfaceAlias,
        [string]$InterfaceType,
        [string]$LocalUser,
        [string]$RemoteUser,
        [string]$RemoteMachine,
        [string]$Authentication,
        [string]$Encryption,
        [bool]$OverrideBlockRules,
        [string]$PolicyStore,
        [string]$GPOSession,
        [Alias('Session')][object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob,
        [switch]$PassThru
    )
    process {
        $bound = @{} + $PSBoundParameters
        $bound.Remove('DisplayName')
        $rules = Find-SimFirewallRules -Bound $PSBoundParameters -Cmdlet $PSCmdlet -Verb 'Set-NetFirewallRule'
        foreach ($r in $rules) {
            if (-not $PSCmdlet.ShouldProcess($r.Name, 'Set-NetFirewallRule')) { continue }
            if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Set-NetFirewallRule') { continue }
            $copy = Copy-SimDeep $r
            try { Set-SimRuleSettings -Rule $copy -Bound $bound } catch {
                Write-SimError -Cmdlet $PSCmdlet -Message $_.Exception.Message -ErrorId 'Windows System Error 87,Set-NetFirewallRule' -Category InvalidArgument
                continue
            }
            if ($bound.ContainsKey('NewDisplayName')) { $copy.DisplayName = $NewDisplayName }
            Add-SimJournal -Command 'Set-NetFirewallRule' -Arguments $PSBoundParameters
            foreach ($k in @($copy.Keys)) { $r[$k] = $copy[$k] }
            if ($PassThru) { ConvertTo-SimRuleObject $r }
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/netsecurity/remove-netfirewallrule
function Remove-NetFirewallRule {
    [CmdletBinding(DefaultParameterSetName = 'GetByName', SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(ParameterSetName = 'GetByName', Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ID')][string[]]$Name,
        [Parameter(ParameterSetName = 'GetByDisplayName', Mandatory, ValueFromPipelineByPropertyName)]
        [string[]]$DisplayName,
        [Parameter(ParameterSetName = 'InputObject (cdxml)', Mandatory, ValueFromPipeline)]
        [psobject[]]$InputObject,
        [string]$PolicyStore,
        [string]$GPOSession,
        [Alias('Session')][object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob,
        [switch]$PassThru
    )
    process {
        $rules = Find-SimFirewallRules -Bound $PSBoundParameters -Cmdlet $PSCmdlet -Verb 'Remove-NetFirewallRule'
        foreach ($r in $rules) {
            if (-not $PSCmdlet.ShouldProcess($r.Name, 'Remove-NetFirewallRule')) { continue }
            if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Remove-NetFirewallRule') { continue }
            Add-SimJournal -Command 'Remove-NetFirewallRule' -Arguments @{ Name = $r.Name }
            [SimHost]::Sim.Firewall.Remove($r.Name.ToUpperInvariant())
        }
    }
}

#endregion

#region VPN (VpnClient module)

function Get-SimPhonebook {
    param([bool]$AllUsers, [string]$UserSid)
    if ($AllUsers) { return [SimHost]::Sim.Vpn.AllUsers }
    if ([string]::IsNullOrEmpty($UserSid)) { $UserSid = [SimHost]::Sim.UserSid }
    if (-not [SimHost]::Sim.Vpn.Users.ContainsKey($UserSid)) { [SimHost]::Sim.Vpn.Users[$UserSid] = [ordered]@{} }
    return [SimHost]::Sim.Vpn.Users[$UserSid]
}

function Add-SimVpnConnection {
    <#
    .SYNOPSIS
    Puts a connection in the all-users phonebook (-AllUserConnection) or a user's (-UserSid;
    default: the current user's).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Name,
        [switch]$AllUserConnection,
        [string]$UserSid,
        [string]$ServerAddress = 'vpn.example.com',
        [ValidateSet('Pptp', 'L2tp', 'Sstp', 'Ikev2', 'Automatic')][string]$TunnelType = 'Automatic',
        [string[]]$AuthenticationMethod = @('MSChapv2'),
        [ValidateSet('NoEncryption', 'Optional', 'Required', 'Maximum', 'Custom')][string]$EncryptionLevel = 'Optional',
        [ValidateSet('Psk', 'Certificate')][string]$L2tpIPsecAuth = 'Certificate',
        [string]$Psk,
        [switch]$SplitTunneling,
        [switch]$RememberCredential,
        [string]$ConnectionStatus = 'Disconnected'
    )
    $book = Get-SimPhonebook -AllUsers ([bool]$AllUserConnection) -UserSid $UserSid
    $book[$Name.ToUpperInvariant()] = @{
        Name = $Name; ServerAddress = $ServerAddress; TunnelType = $TunnelType
        AuthenticationMethod = [string[]]@($AuthenticationMethod); EncryptionLevel = $EncryptionLevel
        L2tpIPsecAuth = $L2tpIPsecAuth; Psk = $Psk; SplitTunneling = [bool]$SplitTunneling
        RememberCredential = [bool]$RememberCredential; ConnectionStatus = $ConnectionStatus
        Guid = '{' + [guid]::NewGuid().ToString().ToUpperInvariant() + '}'
    }
    if (-not $AllUserConnection) { Add-SimUserPhonebookEntry -Name $Name -UserSid $UserSid }
}

function Add-SimUserPhonebookEntry {
    <#
    .SYNOPSIS
    What Windows keeps for a per-user connection, as the scripts read it (issue 15 item 3): the
    user's profile in HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList\<SID>
    (ProfileImagePath) and a [Name] section in
    <profile>\AppData\Roaming\Microsoft\Network\Connections\Pbk\rasphone.pbk.
    #>
    param([string]$Name, [string]$UserSid)
    if ([string]::IsNullOrEmpty($UserSid)) { $UserSid = [SimHost]::Sim.UserSid }
    $profile = Join-Path -Path (Join-Path -Path ([SimHost]::Root) -ChildPath 'Users') -ChildPath ($UserSid.Split('-')[-1])
    Set-SimRegistryValue -Path ('HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList\' + $UserSid) -Name 'ProfileImagePath' -Kind ExpandString -Value $profile
    $dir = Join-Path -Path $profile -ChildPath 'AppData/Roaming/Microsoft/Network/Connections/Pbk'
    $null = Microsoft.PowerShell.Management\New-Item -ItemType Directory -Path $dir -Force
    $pbk = Join-Path -Path $dir -ChildPath 'rasphone.pbk'
    [System.IO.File]::AppendAllText($pbk, "[" + $Name + "]`r`nEncoding=1`r`nPBVersion=8`r`nType=2`r`n`r`n")
}

function Get-SimVpnConnection {
    <#
    .SYNOPSIS
    The simulated connection (with the Psk last set, for assertions), or $null.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Name, [switch]$AllUserConnection, [string]$UserSid)
    $book = Get-SimPhonebook -AllUsers ([bool]$AllUserConnection) -UserSid $UserSid
    $c = $book[$Name.ToUpperInvariant()]
    if ($null -eq $c) { return $null }
    return [pscustomobject](Copy-SimDeep $c)
}

function ConvertTo-SimVpnObject {
    param($Conn, [bool]$AllUsers)
    # https://learn.microsoft.com/en-us/previous-versions/windows/desktop/vpnclientpsprov/vpnconnection
    [pscustomobject]@{
        PSTypeName            = 'Microsoft.Management.Infrastructure.CimInstance#root/Microsoft/Windows/RemoteAccess/Client/VpnConnection'
        Name                  = $Conn.Name
        ServerAddress         = $Conn.ServerAddress
        AllUserConnection     = $AllUsers
        Guid                  = $Conn.Guid
        TunnelType            = $Conn.TunnelType
        AuthenticationMethod  = [string[]]@($Conn.AuthenticationMethod)
        EncryptionLevel       = $Conn.EncryptionLevel
        L2tpIPsecAuth         = $Conn.L2tpIPsecAuth
        UseWinlogonCredential = $false
        EapConfigXmlStream    = $null
        ConnectionStatus      = $Conn.ConnectionStatus
        RememberCredential    = [bool]$Conn.RememberCredential
        SplitTunneling        = [bool]$Conn.SplitTunneling
        DnsSuffix             = ''
        IdleDisconnectSeconds = 0
    }
}

function Write-SimVpnNotFound {
    param($Cmdlet, [string]$Name)
    Write-SimError -Cmdlet $Cmdlet -Message ('VPN connection ' + $Name + ' cannot be found.') -ErrorId 'VPN 1,Get-VpnConnection' -Category ObjectNotFound -Target $Name -ExceptionType 'Microsoft.Management.Infrastructure.CimException'
}

# https://learn.microsoft.com/en-us/powershell/module/vpnclient/get-vpnconnection
function Get-VpnConnection {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ConnectionName')][string[]]$Name,
        [Parameter(Position = 1, ValueFromPipelineByPropertyName)]
        [switch]$AllUserConnection,
        [Alias('Session')][object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob
    )
    process {
        if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Get-VpnConnection') { return }
        $book = Get-SimPhonebook -AllUsers ([bool]$AllUserConnection)
        if ($null -eq $Name) {
            foreach ($c in @($book.Values)) { ConvertTo-SimVpnObject $c ([bool]$AllUserConnection) }
            return
        }
        foreach ($n in $Name) {
            $c = $book[$n.ToUpperInvariant()]
            if ($null -eq $c) { Write-SimVpnNotFound -Cmdlet $PSCmdlet -Name $n; continue }
            ConvertTo-SimVpnObject $c ([bool]$AllUserConnection)
        }
    }
}


function Test-SimVpnArgs {
    param([hashtable]$Bound)
    if ($Bound.ContainsKey('TunnelType') -and [SimHost]::VpnTunnel -notcontains $Bound.TunnelType) { throw ('The TunnelType ' + $Bound.TunnelType + ' is not valid.') }
    if ($Bound.ContainsKey('EncryptionLevel') -and [SimHost]::VpnEncryption -notcontains $Bound.EncryptionLevel) { throw ('The EncryptionLevel ' + $Bound.EncryptionLevel + ' is not valid.') }
    foreach ($m in @($Bound.AuthenticationMethod)) { if ($null -ne $m -and [SimHost]::VpnAuth -notcontains $m) { throw ('The AuthenticationMethod ' + $m + ' is not valid.') } }
}

function Set-SimVpnSettings {
    param($Conn, [hashtable]$Bound)
    foreach ($p in @('ServerAddress')) { if ($Bound.ContainsKey($p)) { $Conn[$p] = [string]$Bound[$p] } }
    if ($Bound.ContainsKey('TunnelType')) { $Conn.TunnelType = [SimHost]::VpnTunnel | Where-Object { $_ -eq $Bound.TunnelType } }
    if ($Bound.ContainsKey('EncryptionLevel')) { $Conn.EncryptionLevel = [SimHost]::VpnEncryption | Where-Object { $_ -eq $Bound.EncryptionLevel } }
    if ($Bound.ContainsKey('AuthenticationMethod')) { $Conn.AuthenticationMethod = [string[]]@($Bound.AuthenticationMethod | ForEach-Object { $m = $_; [SimHost]::VpnAuth | Where-Object { $_ -eq $m } }) }
    foreach ($p in @('SplitTunneling', 'RememberCredential')) { if ($Bound.ContainsKey($p)) { $Conn[$p] = [bool]$Bound[$p] } }
    if ($Bound.ContainsKey('L2tpPsk')) {
        $Conn.Psk = [string]$Bound.L2tpPsk
        $Conn.L2tpIPsecAuth = 'Psk'
    }
}

# https://learn.microsoft.com/en-us/powershell/module/vpnclient/add-vpnconnection
# (SplitTunneling, AllUserConnection, RememberCredential, UseWinlogonCredential are switches here)
function Add-VpnConnection {
    [CmdletBinding(DefaultParameterSetName = 'Profile', SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)][string]$Name,
        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)][string]$ServerAddress,
        [Parameter(ParameterSetName = 'Profile', Position = 2, ValueFromPipelineByPropertyName)][string]$TunnelType,
        [Parameter(ParameterSetName = 'Profile', Position = 3, ValueFromPipelineByPropertyName)][string]$EncryptionLevel,
        [Parameter(ParameterSetName = 'Profile', Position = 4, ValueFromPipelineByPropertyName)][string[]]$AuthenticationMethod,
        [Parameter(Position = 5, ValueFromPipelineByPropertyName)][switch]$SplitTunneling,
        [Parameter(Position = 6, ValueFromPipelineByPropertyName)][switch]$AllUserConnection,
        [Parameter(ParameterSetName = 'Profile', Position = 7, ValueFromPipelineByPropertyName)][string]$L2tpPsk,
        [Parameter(Position = 8, ValueFromPipelineByPropertyName)][switch]$RememberCredential,
        [Parameter(ParameterSetName = 'Profile', Position = 9, ValueFromPipelineByPropertyName)][switch]$UseWinlogonCredential,
        [Parameter(ParameterSetName = 'Profile', Position = 10, ValueFromPipelineByPropertyName)][xml]$EapConfigXmlStream,
        [Parameter(ParameterSetName = 'ThirdParty', Mandatory)][switch]$ThirdPartyVpn,
        [Parameter(ParameterSetName = 'ThirdParty')][string]$PlugInApplicationID,
        [Parameter(ParameterSetName = 'ThirdParty')][xml]$CustomConfiguration,
        [string]$DnsSuffix,
        [uint32]$IdleDisconnectSeconds,
        [Parameter(ParameterSetName = 'Profile')][string[]]$MachineCertificateEKUFilter,
        [Parameter(ParameterSetName = 'Profile')][object]$MachineCertificateIssuerFilter,
        [object[]]$ServerList,
        [switch]$Force,
        [switch]$PassThru,
        [Alias('Session')][object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob
    )
    if (-not $PSCmdlet.ShouldProcess($Name, 'Add-VpnConnection')) { return }
    if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Add-VpnConnection') { return }
    if (-not $AllUserConnection -and [SimHost]::Sim.UserSid -eq 'S-1-5-18') {
        Write-SimError -Cmdlet $PSCmdlet -Message 'A per-user VPN connection cannot be created by the SYSTEM account.' -ErrorId 'VPN 1,Add-VpnConnection' -Category InvalidOperation -Target $Name
        return
    }
    $book = Get-SimPhonebook -AllUsers ([bool]$AllUserConnection)
    if ($book.Contains($Name.ToUpperInvariant())) {
        Write-SimError -Cmdlet $PSCmdlet -Message ('A VPN connection with the name ' + $Name + ' already exists.') -ErrorId 'VPN 183,Add-VpnConnection' -Category ResourceExists -Target $Name -ExceptionType 'Microsoft.Management.Infrastructure.CimException'
        return
    }
    try { Test-SimVpnArgs $PSBoundParameters } catch {
        Write-SimError -Cmdlet $PSCmdlet -Message $_.Exception.Message -ErrorId 'VPN 87,Add-VpnConnection' -Category InvalidArgument -Target $Name
        return
    }
    $conn = @{
        Name = $Name; ServerAddress = $ServerAddress; TunnelType = 'Automatic'; AuthenticationMethod = [string[]]@('MSChapv2')
        EncryptionLevel = 'Required'; L2tpIPsecAuth = 'Certificate'; Psk = $null; SplitTunneling = $false; RememberCredential = $false
        ConnectionStatus = 'Disconnected'; Guid = '{' + [guid]::NewGuid().ToString().ToUpperInvariant() + '}'
    }
    Set-SimVpnSettings -Conn $conn -Bound $PSBoundParameters
    Add-SimJournal -Command 'Add-VpnConnection' -Arguments $PSBoundParameters
    $book[$Name.ToUpperInvariant()] = $conn
    if ($PassThru) { ConvertTo-SimVpnObject $conn ([bool]$AllUserConnection) }
}

# https://learn.microsoft.com/en-us/powershell/module/vpnclient/set-vpnconnection
# (SplitTunneling, RememberCredential, UseWinlogonCredential are [bool] here; AllUserConnection a switch)
function Set-VpnConnection {
    [CmdletBinding(DefaultParameterSetName = 'InboxProfile', SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)][string]$Name,
        [Parameter(Position = 1, ValueFromPipelineByPropertyName)][string]$ServerAddress,
        [Parameter(ParameterSetName = 'InboxProfile', Position = 2, ValueFromPipelineByPropertyName)][string]$TunnelType,
        [Parameter(ParameterSetName = 'InboxProfile', Position = 3, ValueFromPipelineByPropertyName)][string]$EncryptionLevel,
        [Parameter(ParameterSetName = 'InboxProfile', Position = 4, ValueFromPipelineByPropertyName)][string[]]$AuthenticationMethod,
        [Parameter(Position = 5, ValueFromPipelineByPropertyName)][bool]$SplitTunneling,
        [Parameter(Position = 6, ValueFromPipelineByPropertyName)][switch]$AllUserConnection,
        [Parameter(ParameterSetName = 'InboxProfile', Position = 7, ValueFromPipelineByPropertyName)][string]$L2tpPsk,
        [Parameter(Position = 8, ValueFromPipelineByPropertyName)][bool]$RememberCredential,
        [Parameter(ParameterSetName = 'InboxProfile', Position = 9, ValueFromPipelineByPropertyName)][bool]$UseWinlogonCredential,
        [Parameter(ParameterSetName = 'InboxProfile', Position = 10, ValueFromPipelineByPropertyName)][xml]$EapConfigXmlStream,
        [Parameter(ParameterSetName = 'ThirdParty', Mandatory)][switch]$ThirdPartyVpn,
        [Parameter(ParameterSetName = 'ThirdParty')][string]$PlugInApplicationID,
        [Parameter(ParameterSetName = 'ThirdParty')][xml]$CustomConfiguration,
        [string]$DnsSuffix,
        [uint32]$IdleDisconnectSeconds,
        [Parameter(ParameterSetName = 'InboxProfile')][string[]]$MachineCertificateEKUFilter,
        [Parameter(ParameterSetName = 'InboxProfile')][object]$MachineCertificateIssuerFilter,
        [object[]]$ServerList,
        [switch]$Force,
        [switch]$PassThru,
        [Alias('Session')][object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob
    )
    if (-not $PSCmdlet.ShouldProcess($Name, 'Set-VpnConnection')) { return }
    if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Set-VpnConnection') { return }
    $book = Get-SimPhonebook -AllUsers ([bool]$AllUserConnection)
    $conn = $book[$Name.ToUpperInvariant()]
    if ($null -eq $conn) { Write-SimVpnNotFound -Cmdlet $PSCmdlet -Name $Name; return }
    try { Test-SimVpnArgs $PSBoundParameters } catch {
        Write-SimError -Cmdlet $PSCmdlet -Message $_.Exception.Message -ErrorId 'VPN 87,Set-VpnConnection' -Category InvalidArgument -Target $Name
        return
    }
    Add-SimJournal -Command 'Set-VpnConnection' -Arguments $PSBoundParameters
    Set-SimVpnSettings -Conn $conn -Bound $PSBoundParameters
    if ($PassThru) { ConvertTo-SimVpnObject $conn ([bool]$AllUserConnection) }
}

# https://learn.microsoft.com/en-us/powershell/module/vpnclient/remove-vpnconnection
function Remove-VpnConnection {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ConnectionName')][string[]]$Name,
        [Parameter(Position = 1, ValueFromPipelineByPropertyName)][switch]$AllUserConnection,
        [switch]$Force,
        [switch]$PassThru,
        [Alias('Session')][object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob
    )
    process {
        $book = Get-SimPhonebook -AllUsers ([bool]$AllUserConnection)
        foreach ($n in $Name) {
            if (-not $PSCmdlet.ShouldProcess($n, 'Remove-VpnConnection')) { continue }
            if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Remove-VpnConnection') { continue }
            $conn = $book[$n.ToUpperInvariant()]
            if ($null -eq $conn) { Write-SimVpnNotFound -Cmdlet $PSCmdlet -Name $n; continue }
            Add-SimJournal -Command 'Remove-VpnConnection' -Arguments @{ Name = $conn.Name; AllUserConnection = [bool]$AllUserConnection }
            $book.Remove($n.ToUpperInvariant())
        }
    }
}

#endregion

#region Windows Update

function Set-SimWindowsUpdate {
    <#
    .SYNOPSIS
    The updates the Windows Update Agent finds (each @{ Title; Categories (names); IsDownloaded;
    KBArticleIDs; Type = 'Software'; IsInstalled; IsHidden; RebootRequired }), whether a restart
    is pending (Microsoft.Update.SystemInfo.RebootRequired) and the ResultCode Install returns
    (2 succeeded, 3 succeeded with errors, 4 failed, 5 aborted).
    #>
    [CmdletBinding()]
    param(
        [AllowEmptyCollection()][object[]]$Updates = @(),
        [bool]$RebootRequired = $false,
        [int]$InstallResultCode = 2
    )
    $catIds = @{ 'Definition Updates' = 'e0789628-ce08-4437-be74-2495b842f43b'; 'Security Updates' = '0fa1201d-4330-4fa8-8ae9-b877473b6441'; 'Critical Updates' = 'e6cf1350-c01b-414d-a61f-263d14d133b4'; 'Updates' = 'cd5ffd1e-e932-4e3a-bf74-18bf0b1bbd83' }
    $list = @()
    foreach ($in in $Updates) {
        $u = @{}
        if ($in -is [System.Collections.IDictionary]) { foreach ($k in $in.Keys) { $u[[string]$k] = $in[$k] } }
        else { foreach ($p in $in.PSObject.Properties) { $u[$p.Name] = $p.Value } }
        $cats = @(foreach ($c in @($u['Categories'])) {
                if ($null -eq $c) { continue }
                $id = $catIds[[string]$c]
                if ($null -eq $id) { $id = [guid]::NewGuid().ToString() }
                [pscustomobject]@{ Name = [string]$c; CategoryID = $id; Type = 'UpdateClassification' }
            })
        $type = 'Software'
        if ($u['Type']) { $type = [string]$u['Type'] }
        $update = [pscustomobject]@{
            Title = [string]$u['Title']
            Categories = [SimUpdateCollection]::new()
            KBArticleIDs = [string[]]@(@($u['KBArticleIDs']) | Where-Object { $null -ne $_ })
            IsDownloaded = [bool]$u['IsDownloaded']
            IsInstalled = [bool]$u['IsInstalled']
            IsHidden = [bool]$u['IsHidden']
            Type = $type
            RebootRequired = [bool]$u['RebootRequired']
            EulaAccepted = $true
            BrowseOnly = [bool]$u['BrowseOnly']
            InstallationBehavior = [pscustomobject]@{ CanRequestUserInput = [bool]$u['CanRequestUserInput']; RebootBehavior = 0 }
        }
        foreach ($c in $cats) { $null = $update.Categories.Add($c) }
        $update | Add-Member -MemberType ScriptMethod -Name AcceptEula -Value { $this.EulaAccepted = $true }
        $list += $update
    }
    [SimHost]::Sim.Update.Updates = $list
    [SimHost]::Sim.Update.RebootRequired = $RebootRequired
    [SimHost]::Sim.Update.InstallResultCode = $InstallResultCode
}

function Get-SimWindowsUpdate {
    [CmdletBinding()]
    param()
    [pscustomobject]@{
        Updates        = @([SimHost]::Sim.Update.Updates | ForEach-Object { [pscustomobject]@{ Title = $_.Title; IsInstalled = $_.IsInstalled; IsDownloaded = $_.IsDownloaded } })
        RebootRequired = [bool][SimHost]::Sim.Update.RebootRequired
        Searches       = [SimHost]::Sim.Searches
    }
}

# New-Object -ComObject works only on Windows; the COM classes of the Windows Update Agent come
# from the simulation, -TypeName goes to the real cmdlet.
# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.utility/new-object
function New-Object {
    [CmdletBinding(DefaultParameterSetName = 'Net')]
    param(
        [Parameter(ParameterSetName = 'Net', Mandatory, Position = 0)]
        [string]$TypeName,
        [Parameter(ParameterSetName = 'Com', Mandatory, Position = 0)]
        [string]$ComObject,
        [Parameter(ParameterSetName = 'Net', Position = 1)]
        [Alias('Args')]
        [object[]]$ArgumentList,
        [Parameter(ParameterSetName = 'Com')]
        [switch]$Strict,
        [System.Collections.IDictionary]$Property
    )
    if ($PSCmdlet.ParameterSetName -eq 'Com') {
        $PSCmdlet.WriteObject([SimActivator]::NewCom($ComObject), $false)
        return
    }
    # WriteObject without enumeration, as the cmdlet does (an empty List stays a List).
    $PSCmdlet.WriteObject((Microsoft.PowerShell.Utility\New-Object @PSBoundParameters), $false)
}

#endregion

#region ACLs (only the owner and the explicit rules fixgen sets)

function Set-SimAclOwner {
    <#
    .SYNOPSIS
    The owner SID of a file or folder as Get-Acl reports it (default: Administrators,
    S-1-5-32-544, as for anything an elevated administrator creates).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][string]$Sid)
    $full = [System.IO.Path]::GetFullPath($Path)
    $acl = Get-SimAclRecord $full
    $acl.OwnerSid = $Sid
}

function Get-SimAclRecord {
    param([string]$FullPath)
    $key = $FullPath.TrimEnd('/', '\')
    if (-not [SimHost]::Sim.Acl.ContainsKey($key)) {
        $owner = 'S-1-5-32-544'
        if (-not [SimHost]::Sim.Elevated) { $owner = [SimHost]::Sim.UserSid }
        [SimHost]::Sim.Acl[$key] = @{ OwnerSid = $owner; Protected = $false; Rules = @() }
    }
    return [SimHost]::Sim.Acl[$key]
}

function Get-SimAcl {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Path)
    $full = [System.IO.Path]::GetFullPath($Path).TrimEnd('/', '\')
    if (-not [SimHost]::Sim.Acl.ContainsKey($full)) { return $null }
    return [pscustomobject](Copy-SimDeep [SimHost]::Sim.Acl[$full])
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.security/get-acl
function Get-Acl {
    [CmdletBinding(DefaultParameterSetName = 'ByPath')]
    param(
        [Parameter(ParameterSetName = 'ByPath', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'ByInputObject', Mandatory, ValueFromPipelineByPropertyName)]
        [psobject]$InputObject,
        [Parameter(ParameterSetName = 'ByLiteralPath', ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,
        [switch]$Audit,
        [switch]$AllCentralAccessPolicies,
        [string]$Filter,
        [string[]]$Include,
        [string[]]$Exclude
    )
    process {
        $paths = @($Path)
        if ($PSCmdlet.ParameterSetName -eq 'ByLiteralPath') { $paths = @($LiteralPath) }
        foreach ($one in $paths) {
            if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Get-Acl') { continue }
            if ($PSCmdlet.ParameterSetName -eq 'ByLiteralPath') { $exists = Microsoft.PowerShell.Management\Test-Path -LiteralPath $one }
            else { $exists = Microsoft.PowerShell.Management\Test-Path -Path $one }
            if (-not $exists) { Write-SimPathNotFound -Cmdlet $PSCmdlet -Path $one; continue }
            $full = [System.IO.Path]::GetFullPath($one)
            $rec = Get-SimAclRecord $full
            $acl = [SimAcl]::new()
            $acl.Path = $full
            $acl.OwnerSid = $rec.OwnerSid
            $acl.Owner = $rec.OwnerSid
            $acl.AreAccessRulesProtected = $rec.Protected
            foreach ($r in @($rec.Rules)) { $null = $acl.Rules.Add([pscustomobject]@{ Sid = $r.Sid; Rights = $r.Rights; Inheritance = $r.Inheritance; Type = $r.Type; Inherited = $false }) }
            $acl
        }
    }
}

# https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.security/set-acl
function Set-Acl {
    [CmdletBinding(DefaultParameterSetName = 'ByPath', SupportsShouldProcess, SupportsTransactions)]
    param(
        [Parameter(ParameterSetName = 'ByPath', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string[]]$Path,
        [Parameter(ParameterSetName = 'ByInputObject', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [psobject]$InputObject,
        [Parameter(ParameterSetName = 'ByLiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,
        [Parameter(Mandatory, Position = 1, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [object]$AclObject,
        [Parameter(ParameterSetName = 'ByPath')]
        [Parameter(ParameterSetName = 'ByLiteralPath')]
        [switch]$ClearCentralAccessPolicy,
        [switch]$Passthru,
        [string]$Filter,
        [string[]]$Include,
        [string[]]$Exclude
    )
    process {
        $paths = @($Path)
        if ($PSCmdlet.ParameterSetName -eq 'ByLiteralPath') { $paths = @($LiteralPath) }
        foreach ($one in $paths) {
            if (-not $PSCmdlet.ShouldProcess($one, 'Set-Acl')) { continue }
            if (Test-SimFailure -Cmdlet $PSCmdlet -Command 'Set-Acl') { continue }
            if (-not (Microsoft.PowerShell.Management\Test-Path -LiteralPath $one)) { Write-SimPathNotFound -Cmdlet $PSCmdlet -Path $one; continue }
            $rec = Get-SimAclRecord ([System.IO.Path]::GetFullPath($one))
            $rec.Protected = [bool]$AclObject.AreAccessRulesProtected
            $rec.Rules = @($AclObject.Rules | ForEach-Object { @{ Sid = $_.Sid; Rights = $_.Rights; Inheritance = $_.Inheritance; Type = $_.Type } })
            Add-SimJournal -Command 'Set-Acl' -Arguments @{ Path = $one }
            if ($Passthru) { $AclObject }
        }
    }
}

#endregion

#region running a script

function Invoke-SimScript {
    <#
    .SYNOPSIS
    Runs a generated script in this process (so it sees the simulated Windows) with the
    preferences of a fresh powershell.exe, capturing every stream. `exit N` becomes ExitCode;
    an uncaught terminating error gives ExitCode 1 (as powershell.exe -File does).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Path,
        [hashtable]$Parameters = @{},
        [switch]$WhatIf
    )
    if (-not (Microsoft.PowerShell.Management\Test-Path -LiteralPath $Path)) { throw ('no script at ' + $Path) }
    $params = @{} + $Parameters
    if ($WhatIf) { $params['WhatIf'] = $true }
    $stdout = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $stderr = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $warnings = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $verbose = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $information = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $ErrorActionPreference = 'Continue'
    $WarningPreference = 'Continue'
    $VerbosePreference = 'SilentlyContinue'
    $InformationPreference = 'SilentlyContinue'
    $WhatIfPreference = $false
    $ConfirmPreference = 'High'
    Set-StrictMode -Off
    $global:LASTEXITCODE = 0
    $terminated = $null
    try {
        $items = & $Path @params *>&1
    } catch {
        $terminated = $_
        $items = @()
    }
    $exit = $global:LASTEXITCODE
    foreach ($item in @($items)) {
        if ($item -is [System.Management.Automation.ErrorRecord]) { $stderr.Add([string]$item) }
        elseif ($item -is [System.Management.Automation.WarningRecord]) { $warnings.Add($item.Message) }
        elseif ($item -is [System.Management.Automation.VerboseRecord]) { $verbose.Add($item.Message) }
        elseif ($item -is [System.Management.Automation.DebugRecord]) { $verbose.Add($item.Message) }
        elseif ($item -is [System.Management.Automation.InformationRecord]) {
            $information.Add([string]$item.MessageData)
            # Write-Host text reaches stdout in a console host.
            if (@($item.Tags) -contains 'PSHOST') { $stdout.Add([string]$item.MessageData) }
        } else { $stdout.Add(($item | Out-String).TrimEnd("`r", "`n")) }
    }
    if ($null -ne $terminated) {
        $stderr.Add([string]$terminated)
        $exit = 1
    }
    [pscustomobject]@{
        ExitCode    = [int]$exit
        Stdout      = [string[]]$stdout.ToArray()
        Stderr      = [string[]]$stderr.ToArray()
        Warnings    = [string[]]$warnings.ToArray()
        Verbose     = [string[]]$verbose.ToArray()
        Information = [string[]]$information.ToArray()
        Terminated  = $terminated
    }
}

function Get-SimLog {
    <#
    .SYNOPSIS
    The CMTrace log of a recipe under %windir%\Logs\fixgen as objects: Message, Type (1 info,
    2 warning, 3 error), Component.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Recipe)
    $file = Join-Path -Path (Join-Path -Path (Join-Path -Path $env:windir -ChildPath 'Logs') -ChildPath 'fixgen') -ChildPath ($Recipe + '.log')
    if (-not (Microsoft.PowerShell.Management\Test-Path -LiteralPath $file)) { return }
    foreach ($line in [System.IO.File]::ReadAllLines($file)) {
        if ($line -match '^<!\[LOG\[(.*)\]LOG\]!><time="[^"]*" date="[^"]*" component="([^"]*)" context="[^"]*" type="(\d)"') {
            [pscustomobject]@{ Message = $Matches[1]; Component = $Matches[2]; Type = [int]$Matches[3] }
        }
    }
}

#endregion

Export-ModuleMember -Function @(
    'Reset-SimWindows', 'Get-SimRoot', 'Get-SimChanges', 'Clear-SimChanges', 'Get-SimState', 'Compare-SimState',
    'Set-SimFailure', 'Set-SimElevation',
    'Set-SimRegistryValue', 'Get-SimRegistryValue', 'Remove-SimRegistryValue', 'New-SimRegistryKey', 'Test-SimRegistryKey', 'Get-SimRegistryValueNames',
    'Set-SimService', 'Get-SimService',
    'Add-SimFirewallRule', 'Get-SimFirewallRule',
    'Add-SimVpnConnection', 'Get-SimVpnConnection',
    'Set-SimWindowsUpdate', 'Get-SimWindowsUpdate',
    'Set-SimAclOwner', 'Get-SimAcl',
    'Invoke-SimScript', 'Get-SimLog',
    'Test-Path', 'Get-Item', 'New-Item', 'Remove-Item', 'Get-ItemProperty', 'New-ItemProperty', 'Set-ItemProperty', 'Remove-ItemProperty',
    'Get-Service', 'Start-Service', 'Stop-Service', 'Set-Service', 'sc.exe',
    'Get-NetFirewallRule', 'Get-NetFirewallPortFilter', 'New-NetFirewallRule', 'Set-NetFirewallRule', 'Remove-NetFirewallRule',
    'Get-VpnConnection', 'Add-VpnConnection', 'Set-VpnConnection', 'Remove-VpnConnection',
    'New-Object', 'Get-Acl', 'Set-Acl'
)
