# Simulated Group Policy for the scenarios of gpo/Deploy-<Bundle>Gpo.ps1 (issue 18).
#
# Fakes of the GroupPolicy cmdlets with the parameter names and parameter sets of Microsoft's
# documentation (learn.microsoft.com/powershell/module/grouppolicy/<cmdlet>: New-GPO, Get-GPO,
# Set-GPRegistryValue, Get-GPRegistryValue, Set-GPPrefRegistryValue, Get-GPPrefRegistryValue,
# Remove-GPPrefRegistryValue, New-GPLink, Get-GPInheritance) and of the ActiveDirectory cmdlets
# Get-ADObject and Set-ADObject (learn.microsoft.com/powershell/module/activedirectory/), plus
# an in-memory Active Directory (the groupPolicyContainer attributes versionNumber,
# gPCFileSysPath, gPCMachineExtensionNames, gPCUserExtensionNames) and a SYSVOL Policies folder
# on disk (one folder per GPO with GPT.ini, as New-GPO leaves it).
#
# Behaviour copied from the cmdlets' documentation: Set-GPRegistryValue and
# Set-GPPrefRegistryValue add or change one setting and (like every change made with the Group
# Policy tools, [MS-GPOL] 3.3.4.5) raise the GPO version of the side they touch in versionNumber
# and GPT.ini and register their client-side extension; Set-GPPrefRegistryValue adds an item
# each time it is called; "not found" is a non-terminating error, so -ErrorAction
# SilentlyContinue gives $null.
#
# State functions for the scenarios: Reset-SimGroupPolicy, Get-SimGpoState (a comparable text
# snapshot), Get-SimGpChanges / Clear-SimGpChanges (journal of state-changing calls),
# Set-SimGpoAttribute, Get-SimGpoAttribute, Get-SimGpoFolder.

Set-StrictMode -Version 3.0

$script:Sim = $null

# Client-side extensions the fakes register ([MS-GPREG] 1.9, [MS-GPPREF] 1.9).
$script:CseRegistry = '{35378EAC-683F-11D2-A89A-00C04FBBCFA2}'
$script:ToolRegistryMachine = '{D02B1F72-3407-48AE-BA88-E8213C6761F1}'
$script:ToolRegistryUser = '{D02B1F73-3407-48AE-BA88-E8213C6761F1}'
$script:CsePrefRegistry = '{B087BE9D-ED37-454F-AF9C-04291E351182}'
$script:ToolPrefRegistry = '{BEE07A6A-EC9F-4659-B8C9-0B1937907C83}'

function Reset-SimGroupPolicy {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Root,
        [string]$DomainName = 'contoso.com'
    )
    $policies = Join-Path -Path $Root -ChildPath 'Policies'
    if (Test-Path -LiteralPath $Root) { Remove-Item -LiteralPath $Root -Recurse -Force }
    New-Item -Path $policies -ItemType Directory -Force | Out-Null
    foreach ($m in 'GroupPolicy', 'ActiveDirectory') {
        if (-not (Get-Module -Name $m)) {
            New-Module -Name $m -ScriptBlock { } | Import-Module -Global
        }
    }
    $dc = ($DomainName.Split('.') | ForEach-Object { 'DC=' + $_ }) -join ','
    $script:Sim = @{
        Domain   = $DomainName
        DomainDN = $dc
        Policies = $policies
        Gpos     = [System.Collections.Generic.List[object]]::new()
        Ad       = @{}
        Policy   = @{}
        Prefs    = @{}
        Links    = @{}
        Journal  = [System.Collections.Generic.List[string]]::new()
    }
}

function Write-SimJournal([string]$Text) { $script:Sim.Journal.Add($Text) }

function Get-SimGpChanges { [CmdletBinding()] param() ,@($script:Sim.Journal) }

function Clear-SimGpChanges { [CmdletBinding()] param() $script:Sim.Journal.Clear() }

function Find-SimGpo {
    param($Guid, [string]$Name)
    if ($Guid) { return $script:Sim.Gpos | Where-Object { $_.Id -eq [guid]$Guid } | Select-Object -First 1 }
    return $script:Sim.Gpos | Where-Object { $_.DisplayName -eq $Name } | Select-Object -First 1
}

function Get-SimGpoFolder {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Name)
    $g = Find-SimGpo -Name $Name
    return $script:Sim.Ad[$g.Path.ToLowerInvariant()].gPCFileSysPath
}

function Get-SimGpoAttribute {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Name, [Parameter(Mandatory)][string]$Attribute)
    $g = Find-SimGpo -Name $Name
    return $script:Sim.Ad[$g.Path.ToLowerInvariant()][$Attribute]
}

function Set-SimGpoAttribute {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Name, [Parameter(Mandatory)][string]$Attribute, $Value)
    $g = Find-SimGpo -Name $Name
    $script:Sim.Ad[$g.Path.ToLowerInvariant()][$Attribute] = $Value
    if ($Attribute -eq 'versionNumber') { Write-SimGptIni -Gpo $g -Version $Value }
}

function Write-SimGptIni($Gpo, [long]$Version) {
    $folder = $script:Sim.Ad[$Gpo.Path.ToLowerInvariant()].gPCFileSysPath
    [System.IO.File]::WriteAllText((Join-Path -Path $folder -ChildPath 'GPT.ini'), "[General]`r`nVersion=$Version`r`n")
}

# What a Group Policy tool does after changing one side of a GPO: version of that side + 1 in
# AD and GPT.ini ([MS-GPOL] 3.3.4.5), its extension registered (a bracket appended when the CSE
# is not there yet, then the brackets sorted).
function Update-SimGpoAfterEdit($Gpo, [string]$Side, [string]$Cse, [string]$Tool) {
    $o = $script:Sim.Ad[$Gpo.Path.ToLowerInvariant()]
    $v = [long]$o.versionNumber
    if ($Side -eq 'Computer') {
        $c = (($v -band 0xFFFF) + 1) -band 0xFFFF; if ($c -eq 0) { $c = 1 }
        $v = ($v -band 0xFFFF0000) -bor $c
        $attr = 'gPCMachineExtensionNames'
    } else {
        $u = ((($v -shr 16) -band 0xFFFF) + 1) -band 0xFFFF; if ($u -eq 0) { $u = 1 }
        $v = ($u -shl 16) -bor ($v -band 0xFFFF)
        $attr = 'gPCUserExtensionNames'
    }
    $o.versionNumber = $v
    Write-SimGptIni -Gpo $Gpo -Version $v
    $names = [string]$o[$attr]
    if ($names.IndexOf($Cse, [System.StringComparison]::OrdinalIgnoreCase) -lt 0) {
        $brackets = @([regex]::Matches($names + '[' + $Cse + $Tool + ']', '\[[^\]]*\]') | ForEach-Object { $_.Value })
        $o[$attr] = (@($brackets | Sort-Object -Property { $_.ToUpperInvariant() } -CaseSensitive) -join '')
    }
}

function Get-SimGpoState {
    <#
    .SYNOPSIS
    Everything the fakes hold, as one text: GPOs, AD attributes, policy settings, preference
    items, links and the files of every GPO folder with their SHA-256.
    #>
    [CmdletBinding()]
    param()
    $lines = [System.Collections.Generic.List[string]]::new()
    foreach ($g in $script:Sim.Gpos) {
        $lines.Add("gpo $($g.DisplayName) $($g.Id)")
        $o = $script:Sim.Ad[$g.Path.ToLowerInvariant()]
        foreach ($k in @($o.Keys | Sort-Object)) { $lines.Add("  ad $k=$($o[$k])") }
        foreach ($s in $script:Sim.Policy[$g.Id.ToString()]) { $lines.Add("  policy $($s.FullKeyPath)|$($s.ValueName)|$($s.Type)|$(@($s.Value) -join ',')|$($s.PolicyState)") }
        foreach ($s in $script:Sim.Prefs[$g.Id.ToString()]) { $lines.Add("  pref $($s.Context)|$($s.FullKeyPath)|$($s.ValueName)|$($s.Action)|$($s.Type)|$(@($s.Value) -join ',')|$($s.Order)") }
        $folder = $o.gPCFileSysPath
        foreach ($f in @(Get-ChildItem -LiteralPath $folder -Recurse -File | Sort-Object -Property FullName)) {
            $lines.Add("  file $($f.FullName.Substring($folder.Length)) $((Get-FileHash -LiteralPath $f.FullName -Algorithm SHA256).Hash)")
        }
    }
    foreach ($t in @($script:Sim.Links.Keys | Sort-Object)) { $lines.Add("link $t " + ($script:Sim.Links[$t] -join ',')) }
    return ($lines -join "`n")
}

# ---- GroupPolicy ------------------------------------------------------------------------------

# https://learn.microsoft.com/powershell/module/grouppolicy/new-gpo
function New-GPO {
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'ByName')]
    param(
        [Parameter(Mandatory, Position = 0)][Alias('DisplayName')][string]$Name,
        [string]$Comment,
        [Alias('DomainName')][string]$Domain,
        [Alias('DC')][string]$Server,
        [Parameter(ParameterSetName = 'ByStarterGpoGuid')][Guid]$StarterGpoGuid,
        [Parameter(ParameterSetName = 'ByStarterGpoName')][string]$StarterGpoName
    )
    if (Find-SimGpo -Name $Name) { throw "A GPO named '$Name' already exists in the domain $($script:Sim.Domain)." }
    if (-not $PSCmdlet.ShouldProcess($Name, 'New-GPO')) { return }
    $id = [guid]::NewGuid()
    $braced = '{' + $id.ToString().ToUpperInvariant() + '}'
    $dn = "cn=$braced,cn=policies,cn=system,$($script:Sim.DomainDN)"
    $folder = Join-Path -Path $script:Sim.Policies -ChildPath $braced
    New-Item -Path (Join-Path $folder 'Machine') -ItemType Directory -Force | Out-Null
    New-Item -Path (Join-Path $folder 'User') -ItemType Directory -Force | Out-Null
    $gpo = [pscustomobject]@{ Id = $id; DisplayName = $Name; DomainName = $script:Sim.Domain; Path = $dn; Description = $Comment }
    $script:Sim.Gpos.Add($gpo)
    $script:Sim.Ad[$dn.ToLowerInvariant()] = @{ versionNumber = 0; gPCFileSysPath = $folder; gPCMachineExtensionNames = $null; gPCUserExtensionNames = $null; displayName = $Name }
    $script:Sim.Policy[$id.ToString()] = [System.Collections.Generic.List[object]]::new()
    $script:Sim.Prefs[$id.ToString()] = [System.Collections.Generic.List[object]]::new()
    Write-SimGptIni -Gpo $gpo -Version 0
    Write-SimJournal "New-GPO $Name"
    return $gpo
}

# https://learn.microsoft.com/powershell/module/grouppolicy/get-gpo
function Get-GPO {
    [CmdletBinding(DefaultParameterSetName = 'ByGUID')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ByGUID')][Alias('Id')][Guid]$Guid,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ByName')][Alias('DisplayName')][string]$Name,
        [Alias('DomainName')][string]$Domain,
        [Alias('DC')][string]$Server,
        [Parameter(ParameterSetName = 'GetAll')][switch]$All
    )
    if ($All) { return $script:Sim.Gpos.ToArray() }
    $g = Find-SimGpo -Guid $Guid -Name $Name
    if (-not $g) {
        Write-Error -Message "A GPO with the name '$Name$Guid' was not found in the $($script:Sim.Domain) domain." -Category ObjectNotFound
        return
    }
    return $g
}

function Resolve-SimGpo($Guid, $Name) {
    $g = Find-SimGpo -Guid $Guid -Name $Name
    if (-not $g) { throw "GPO '$Name$Guid' was not found." }
    return $g
}

function Split-SimKey([string]$Key) {
    $hive, $rest = $Key.Split('\', 2)
    $side = switch ($hive.ToUpperInvariant()) {
        { $_ -in 'HKLM', 'HKEY_LOCAL_MACHINE' } { 'Computer' }
        { $_ -in 'HKCU', 'HKEY_CURRENT_USER' } { 'User' }
        default { throw "The key $Key is not in HKLM or HKCU." }
    }
    return @($side, $rest)
}

# https://learn.microsoft.com/powershell/module/grouppolicy/set-gpregistryvalue
function Set-GPRegistryValue {
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'ByGUID')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ByGUID')][Alias('Id')][Guid]$Guid,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ByName')][Alias('DisplayName')][string]$Name,
        [Parameter(Mandatory)][Alias('FullKeyPath')][string]$Key,
        [string[]]$ValueName,
        [psobject]$Value,
        [Microsoft.Win32.RegistryValueKind]$Type,
        [Alias('DomainName')][string]$Domain,
        [Alias('DC')][string]$Server,
        [switch]$Additive,
        [switch]$Disable,
        [string]$ValuePrefix
    )
    $g = Resolve-SimGpo $Guid $Name
    $side, $sub = Split-SimKey $Key
    if (-not $PSCmdlet.ShouldProcess($Key, 'Set-GPRegistryValue')) { return }
    $list = $script:Sim.Policy[$g.Id.ToString()]
    foreach ($n in @($ValueName)) {
        $old = @($list | Where-Object { $_.FullKeyPath -eq $Key -and $_.ValueName -eq $n })
        foreach ($o in $old) { [void]$list.Remove($o) }
        $list.Add([pscustomobject]@{
            FullKeyPath = $Key; KeyPath = $sub; Hive = $side; ValueName = $n
            Type = $(if ($Disable) { [Microsoft.Win32.RegistryValueKind]::String } else { $Type })
            Value = $(if ($Disable) { $null } else { $Value })
            PolicyState = $(if ($Disable) { 'Delete' } else { 'Set' })
            HasValue = -not $Disable
        })
    }
    $tool = if ($side -eq 'Computer') { $script:ToolRegistryMachine } else { $script:ToolRegistryUser }
    Update-SimGpoAfterEdit $g $side $script:CseRegistry $tool
    Write-SimJournal "Set-GPRegistryValue $Key $($ValueName -join ',') $(@($Value) -join ',') Disable=$Disable"
    return $g
}

# https://learn.microsoft.com/powershell/module/grouppolicy/get-gpregistryvalue
function Get-GPRegistryValue {
    [CmdletBinding(DefaultParameterSetName = 'ByGUID')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ByGUID')][Alias('Id')][Guid]$Guid,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ByName')][Alias('DisplayName')][string]$Name,
        [Parameter(Mandatory)][Alias('FullKeyPath')][string]$Key,
        [string]$ValueName,
        [Alias('DomainName')][string]$Domain,
        [Alias('DC')][string]$Server
    )
    $g = Resolve-SimGpo $Guid $Name
    $found = @($script:Sim.Policy[$g.Id.ToString()] | Where-Object { $_.FullKeyPath -eq $Key -and ($null -eq $ValueName -or $ValueName -eq '' -or $_.ValueName -eq $ValueName) })
    if ($found.Count -eq 0) {
        Write-Error -Message "The following key or value was not found: $Key $ValueName" -Category ObjectNotFound
        return
    }
    return $found
}

# https://learn.microsoft.com/powershell/module/grouppolicy/set-gpprefregistryvalue
function Set-GPPrefRegistryValue {
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'ByGUID')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ByGUID')][Alias('Id')][Guid]$Guid,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ByName')][Alias('DisplayName')][string]$Name,
        [Parameter(Mandatory)][ValidateSet('User', 'Computer')][string]$Context,
        [Parameter(Mandatory)][Alias('FullKeyPath')][string]$Key,
        [Parameter(Mandatory)][ValidateSet('Create', 'Replace', 'Update', 'Delete')][string]$Action,
        [string]$ValueName,
        [psobject]$Value,
        [Microsoft.Win32.RegistryValueKind]$Type,
        [int]$Order,
        [Alias('DomainName')][string]$Domain,
        [Alias('DC')][string]$Server,
        [switch]$Disable
    )
    $g = Resolve-SimGpo $Guid $Name
    if (-not $PSCmdlet.ShouldProcess($Key, 'Set-GPPrefRegistryValue')) { return }
    $list = $script:Sim.Prefs[$g.Id.ToString()]
    # Each call adds an item (the documented behaviour: a new Registry preference item).
    $list.Add([pscustomobject]@{
        Context = $Context; FullKeyPath = $Key; Key = $Key; ValueName = $ValueName; Action = $Action
        Type = $Type; Value = $Value; Order = $list.Count + 1; Disabled = [bool]$Disable
    })
    Update-SimGpoAfterEdit $g $Context $script:CsePrefRegistry $script:ToolPrefRegistry
    Write-SimJournal "Set-GPPrefRegistryValue $Context $Key $ValueName $Action $(@($Value) -join ',')"
    return $g
}

# https://learn.microsoft.com/powershell/module/grouppolicy/get-gpprefregistryvalue
function Get-GPPrefRegistryValue {
    [CmdletBinding(DefaultParameterSetName = 'ByGUID')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ByGUID')][Alias('Id')][Guid]$Guid,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ByName')][Alias('DisplayName')][string]$Name,
        [Parameter(Mandatory)][ValidateSet('User', 'Computer')][string]$Context,
        [Parameter(Mandatory)][Alias('FullKeyPath')][string]$Key,
        [string]$ValueName,
        [int]$Order,
        [Alias('DomainName')][string]$Domain,
        [Alias('DC')][string]$Server
    )
    $g = Resolve-SimGpo $Guid $Name
    $found = @($script:Sim.Prefs[$g.Id.ToString()] | Where-Object { $_.Context -eq $Context -and $_.FullKeyPath -eq $Key -and (-not $PSBoundParameters.ContainsKey('ValueName') -or $_.ValueName -eq $ValueName) })
    if ($found.Count -eq 0) {
        Write-Error -Message "There are no Registry preference items for $Key $ValueName" -Category ObjectNotFound
        return
    }
    return $found
}

# https://learn.microsoft.com/powershell/module/grouppolicy/remove-gpprefregistryvalue
function Remove-GPPrefRegistryValue {
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'ByGUID')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ByGUID')][Alias('Id')][Guid]$Guid,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ByName')][Alias('DisplayName')][string]$Name,
        [Parameter(Position = 1)][Alias('DC')][string]$Server,
        [Parameter(Mandatory)][ValidateSet('User', 'Computer')][string]$Context,
        [Parameter(Mandatory)][Alias('FullKeyPath')][string]$Key,
        [string]$ValueName,
        [int]$Order,
        [Alias('DomainName')][string]$Domain
    )
    $g = Resolve-SimGpo $Guid $Name
    if (-not $PSCmdlet.ShouldProcess($Key, 'Remove-GPPrefRegistryValue')) { return }
    $list = $script:Sim.Prefs[$g.Id.ToString()]
    $gone = @($list | Where-Object { $_.Context -eq $Context -and $_.FullKeyPath -eq $Key -and (-not $PSBoundParameters.ContainsKey('ValueName') -or $_.ValueName -eq $ValueName) })
    foreach ($o in $gone) { [void]$list.Remove($o) }
    Update-SimGpoAfterEdit $g $Context $script:CsePrefRegistry $script:ToolPrefRegistry
    Write-SimJournal "Remove-GPPrefRegistryValue $Context $Key $ValueName"
    return $g
}

# https://learn.microsoft.com/powershell/module/grouppolicy/new-gplink
function New-GPLink {
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'LinkbyGUID')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'LinkbyGUID')][Alias('Id')][Guid]$Guid,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'LinkbyName')][Alias('DisplayName')][string]$Name,
        [Parameter(Mandatory)][string]$Target,
        [ValidateSet('Unspecified', 'No', 'Yes')][string]$LinkEnabled,
        [int]$Order,
        [Alias('DomainName')][string]$Domain,
        [Alias('DC')][string]$Server,
        [ValidateSet('Unspecified', 'No', 'Yes')][string]$Enforced
    )
    $g = Resolve-SimGpo $Guid $Name
    $key = $Target.ToLowerInvariant()
    if (-not $script:Sim.Links.ContainsKey($key)) { $script:Sim.Links[$key] = [System.Collections.Generic.List[string]]::new() }
    if ($script:Sim.Links[$key] -contains $g.Id.ToString()) { throw "The GPO $($g.DisplayName) is already linked to $Target." }
    if (-not $PSCmdlet.ShouldProcess($Target, 'New-GPLink')) { return }
    $script:Sim.Links[$key].Add($g.Id.ToString())
    Write-SimJournal "New-GPLink $($g.DisplayName) $Target"
    return [pscustomobject]@{ GpoId = $g.Id; DisplayName = $g.DisplayName; Enabled = $true; Enforced = $false; Target = $Target; Order = $script:Sim.Links[$key].Count }
}

# https://learn.microsoft.com/powershell/module/grouppolicy/get-gpinheritance
function Get-GPInheritance {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)][Alias('Path')][string]$Target,
        [Alias('DomainName')][string]$Domain,
        [Alias('DC')][string]$Server
    )
    $ids = @()
    if ($script:Sim.Links.ContainsKey($Target.ToLowerInvariant())) { $ids = @($script:Sim.Links[$Target.ToLowerInvariant()]) }
    $links = @($ids | ForEach-Object { $g = Find-SimGpo -Guid $_; [pscustomobject]@{ GpoId = $g.Id; DisplayName = $g.DisplayName; Enabled = $true; Enforced = $false; Target = $Target } })
    return [pscustomobject]@{ Name = $Target; Path = $Target; GpoLinks = $links; InheritedGpoLinks = $links; GpoInheritanceBlocked = $false }
}

# ---- ActiveDirectory --------------------------------------------------------------------------

# https://learn.microsoft.com/powershell/module/activedirectory/get-adobject
function Get-ADObject {
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Identity')][object]$Identity,
        [Parameter(Mandatory, ParameterSetName = 'Filter')][string]$Filter,
        [Parameter(Mandatory, ParameterSetName = 'LdapFilter')][string]$LDAPFilter,
        [Alias('Property')][string[]]$Properties,
        [Parameter(ParameterSetName = 'Filter')][Parameter(ParameterSetName = 'LdapFilter')][string]$SearchBase,
        [Parameter(ParameterSetName = 'Filter')][Parameter(ParameterSetName = 'LdapFilter')][string]$SearchScope,
        [string]$Server,
        [pscredential]$Credential,
        [string]$Partition,
        [ValidateSet('Negotiate', 'Basic')][string]$AuthType
    )
    $o = $script:Sim.Ad[([string]$Identity).ToLowerInvariant()]
    if (-not $o) { throw "Cannot find an object with identity: '$Identity'." }
    $r = [ordered]@{ DistinguishedName = [string]$Identity; ObjectClass = 'groupPolicyContainer' }
    foreach ($p in @($Properties)) { $r[$p] = $o[$p] }
    return [pscustomobject]$r
}

# https://learn.microsoft.com/powershell/module/activedirectory/set-adobject
function Set-ADObject {
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Identity')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Identity')][object]$Identity,
        [hashtable]$Replace,
        [hashtable]$Add,
        [hashtable]$Remove,
        [string[]]$Clear,
        [string]$Server,
        [pscredential]$Credential,
        [string]$Partition,
        [switch]$PassThru,
        [ValidateSet('Negotiate', 'Basic')][string]$AuthType
    )
    $o = $script:Sim.Ad[([string]$Identity).ToLowerInvariant()]
    if (-not $o) { throw "Cannot find an object with identity: '$Identity'." }
    if (-not $PSCmdlet.ShouldProcess([string]$Identity, 'Set')) { return }
    if ($Replace) {
        foreach ($k in $Replace.Keys) { $o[$k] = $Replace[$k] }
        Write-SimJournal ("Set-ADObject $Identity " + (@($Replace.Keys | Sort-Object | ForEach-Object { "$_=$($Replace[$_])" }) -join ' '))
    }
}

Export-ModuleMember -Function @(
    'Reset-SimGroupPolicy', 'Get-SimGpChanges', 'Clear-SimGpChanges', 'Get-SimGpoState',
    'Get-SimGpoFolder', 'Get-SimGpoAttribute', 'Set-SimGpoAttribute',
    'New-GPO', 'Get-GPO', 'Set-GPRegistryValue', 'Get-GPRegistryValue', 'Set-GPPrefRegistryValue',
    'Get-GPPrefRegistryValue', 'Remove-GPPrefRegistryValue', 'New-GPLink', 'Get-GPInheritance',
    'Get-ADObject', 'Set-ADObject'
)
