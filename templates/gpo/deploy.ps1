#Requires -Version 5.1

<#
.SYNOPSIS
{{ synopsis }}

.DESCRIPTION
Run by a domain admin on a machine with the GroupPolicy and ActiveDirectory modules (RSAT:
Group Policy Management Tools, AD DS tools). Creates the GPO (-Name) if it does not exist and
fills it through documented interfaces:
- registry values under the Policies keys: Set-GPRegistryValue (Administrative Templates,
  Registry.pol);
- every other registry value: Set-GPPrefRegistryValue (Preferences registry items);
- the startup script: the files of Machine\Scripts next to this script copied to the GPO's
  folder (gPCFileSysPath) with psscripts.ini, the scripts client-side extension registered in
  gPCMachineExtensionNames ([MS-GPSCR] 1.9; one bracket per extension, sorted, [MS-GPOL] 1.8)
  and the computer version raised in versionNumber and GPT.ini ([MS-GPOL] 3.3.4.5).
Each registry value goes through one of the two mechanisms, never both. A value already as
wanted is left alone, so a second run changes nothing. Supports -WhatIf and -Confirm. Prints
one line per change. Links the GPO only when -LinkTo is given.

Set-GPPrefRegistryValue has no parameter for "Remove this item when it is no longer applied"
(removePolicy): the Preferences items this script creates stay on the clients after the GPO
stops applying. Copy Machine\Preferences\Registry\Registry.xml by hand (README.md) for items
that carry removePolicy="1".

.PARAMETER Name
Display name of the GPO to create or update.

.PARAMETER LinkTo
Distinguished name of an OU (or the domain) to link the GPO to, e.g.
OU=Workstations,DC=contoso,DC=com. Without it the GPO is not linked.

.PARAMETER Domain
The domain (FQDN) of the GPO; default: the domain of the user running the script.

.PARAMETER Server
A domain controller to make every change on (GroupPolicy and ActiveDirectory cmdlets).

.EXAMPLE
{{ example_whatif }}

.EXAMPLE
{{ example_link }}
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [ValidateNotNullOrEmpty()]
    [string]$Name = {{ default_name }},

    [string]$LinkTo,

    [string]$Domain,

    [string]$Server
)

$ErrorActionPreference = 'Stop'

#region Data (generated from the recipes)

# Values under the Policies keys: Set-GPRegistryValue. Delete = the policy deletes the value.
$fixgenPolicyValues = @(
{%- for v in policy %}
    @{ Key = {{ v.key }}; ValueName = {{ v.name }}; Type = '{{ v.kind }}'; Value = {{ v.value }}; Delete = {{ v.delete }} }
{%- endfor %}
)

# Every other value: Set-GPPrefRegistryValue (Action Update, or Delete for ensure: absent).
$fixgenPreferenceValues = @(
{%- for v in prefs %}
    @{ Context = '{{ v.context }}'; Key = {{ v.key }}; ValueName = {{ v.name }}; Type = '{{ v.kind }}'; Value = {{ v.value }}; Action = '{{ v.action }}' }
{%- endfor %}
)

# Files of Machine\Scripts (relative to it) for the startup script; empty without one.
$fixgenStartupFiles = @(
{%- for f in startup_files %}
    {{ f }}
{%- endfor %}
)

# [MS-GPSCR] 1.9: scripts CSE GUID and computer tool extension GUID.
$fixgenScriptsCse = '{{ cse_scripts }}'
$fixgenScriptsTool = '{{ tool_scripts }}'

#endregion

function Merge-FixgenExtensionNames {
    <#
    .SYNOPSIS
    Adds (CSE GUID, tool GUID) pairs to a gPCMachineExtensionNames / gPCUserExtensionNames
    value: one [{CSE}{tool}...] bracket per client-side extension, brackets in ascending order
    of CSE GUID, tool GUIDs ascending inside each (GUIDs compared as upper-case text, ordinal).
    Entries already there are kept; adding them again changes nothing. Throws on a value that
    is not a list of brackets of GUIDs.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [AllowNull()]
        [string]$Existing,

        [object[]]$Add
    )
    $guid = '\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}'
    $map = New-Object -TypeName 'System.Collections.Generic.SortedDictionary[string,object]' -ArgumentList ([System.StringComparer]::Ordinal)
    $text = ''
    if ($null -ne $Existing) { $text = $Existing.Trim() }
    if ($text -ne '' -and $text -notmatch ('^(\[(' + $guid + ')+\])+$')) {
        throw ('not an extension-names value: ' + $text)
    }
    $pairs = New-Object -TypeName 'System.Collections.Generic.List[string[]]'
    foreach ($bracket in [regex]::Matches($text, '\[([^\]]*)\]')) {
        $guids = @([regex]::Matches($bracket.Groups[1].Value, $guid) | ForEach-Object -Process { $_.Value })
        if ($guids.Count -eq 1) { $pairs.Add(@($guids[0], $null)) }
        for ($i = 1; $i -lt $guids.Count; $i++) { $pairs.Add(@($guids[0], $guids[$i])) }
    }
    foreach ($p in $Add) { $pairs.Add(@($p[0], $p[1])) }
    foreach ($p in $pairs) {
        $cse = $p[0].ToUpperInvariant()
        if (-not $map.ContainsKey($cse)) {
            $tools = New-Object -TypeName 'System.Collections.Generic.SortedDictionary[string,string]' -ArgumentList ([System.StringComparer]::Ordinal)
            $map[$cse] = @{ Cse = $p[0]; Tools = $tools }
        }
        if (-not [string]::IsNullOrEmpty($p[1])) {
            $tool = $p[1].ToUpperInvariant()
            if (-not $map[$cse].Tools.ContainsKey($tool)) { $map[$cse].Tools[$tool] = $p[1] }
        }
    }
    $out = New-Object -TypeName 'System.Text.StringBuilder'
    foreach ($entry in $map.Values) {
        [void]$out.Append('[').Append($entry.Cse)
        foreach ($t in $entry.Tools.Values) { [void]$out.Append($t) }
        [void]$out.Append(']')
    }
    return $out.ToString()
}

function Get-FixgenNextVersion {
    <#
    .SYNOPSIS
    The GPO version after a change of the computer settings ([MS-GPOL] 3.3.4.5): the lower 16
    bits (computer version) plus 1, set to 1 when that gives 0; the upper 16 bits (user version)
    kept.
    #>
    [CmdletBinding()]
    [OutputType([long])]
    param([long]$Version)
    $user = ($Version -shr 16) -band 0xFFFF
    $computer = (($Version -band 0xFFFF) + 1) -band 0xFFFF
    if ($computer -eq 0) { $computer = 1 }
    return (($user -shl 16) -bor $computer)
}

function Test-FixgenSameValue {
    <#
    .SYNOPSIS
    True when a value read back from the GPO has the wanted type and data.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param($Current, [string]$Type, $Wanted)
    if ([string]$Current.Type -ne $Type) { return $false }
    $a = @($Current.Value | ForEach-Object -Process { [string]$_ }) -join [char]10
    $b = @($Wanted | ForEach-Object -Process { [string]$_ }) -join [char]10
    return ($a -ceq $b)
}

function Get-FixgenGpoArgument {
    <#
    .SYNOPSIS
    -Domain and -Server for the GroupPolicy cmdlets, as given to the script.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([string]$Domain, [string]$Server)
    $a = @{}
    if ($Domain) { $a['Domain'] = $Domain }
    if ($Server) { $a['Server'] = $Server }
    return $a
}

foreach ($module in @('GroupPolicy', 'ActiveDirectory')) {
    if (-not (Get-Module -Name $module)) { Import-Module -Name $module -ErrorAction Stop }
}
$gp = Get-FixgenGpoArgument -Domain $Domain -Server $Server
$ad = @{}
if ($Server) { $ad['Server'] = $Server }
$changes = 0

# The GPO: found by name, or created.
# "Not found" from the GroupPolicy cmdlets is an error; whether it is terminating is not
# documented, so every lookup is in try/catch.
$gpo = $null
try { $gpo = Get-GPO -Name $Name @gp -ErrorAction SilentlyContinue } catch { $gpo = $null }
if (-not $gpo) {
    if (-not $PSCmdlet.ShouldProcess($Name, 'Create the GPO')) {
        Write-Output ('would create GPO ' + $Name + ' and fill it with ' + $fixgenPolicyValues.Count + ' policy values, ' + $fixgenPreferenceValues.Count + ' preference items and ' + $fixgenStartupFiles.Count + ' startup script files')
        return
    }
    $gpo = New-GPO -Name $Name @gp -Comment 'fixgen: see README.md of the bundle'
    Write-Output ('created GPO ' + $Name + ' {' + $gpo.Id + '}')
    $changes++
}

# Registry values under the Policies keys (Registry.pol).
foreach ($v in $fixgenPolicyValues) {
    $shown = $v.Key + '\' + $v.ValueName
    $cur = $null
    try { $cur = Get-GPRegistryValue -Guid $gpo.Id @gp -Key $v.Key -ValueName $v.ValueName -ErrorAction SilentlyContinue } catch { $cur = $null }
    if ($v.Delete) {
        if ($cur -and [string]$cur.PolicyState -eq 'Delete') { continue }
        if ($PSCmdlet.ShouldProcess($shown, 'Policy: delete the value')) {
            Set-GPRegistryValue -Guid $gpo.Id @gp -Key $v.Key -ValueName $v.ValueName -Disable | Out-Null
            Write-Output ('policy ' + $shown + ': deleted')
            $changes++
        }
        continue
    }
    if ($cur -and [string]$cur.PolicyState -ne 'Delete' -and (Test-FixgenSameValue -Current $cur -Type $v.Type -Wanted $v.Value)) { continue }
    if ($PSCmdlet.ShouldProcess($shown, 'Policy: set ' + $v.Type)) {
        Set-GPRegistryValue -Guid $gpo.Id @gp -Key $v.Key -ValueName $v.ValueName -Type $v.Type -Value $v.Value | Out-Null
        Write-Output ('policy ' + $shown + ': set')
        $changes++
    }
}

# Every other registry value (Preferences registry items).
foreach ($v in $fixgenPreferenceValues) {
    $shown = $v.Key + '\' + $v.ValueName
    $cur = @()
    try { $cur = @(Get-GPPrefRegistryValue -Guid $gpo.Id @gp -Context $v.Context -Key $v.Key -ValueName $v.ValueName -ErrorAction SilentlyContinue) } catch { $cur = @() }
    $same = @($cur | Where-Object -FilterScript { [string]$_.Action -eq $v.Action -and ($v.Action -eq 'Delete' -or (Test-FixgenSameValue -Current $_ -Type $v.Type -Wanted $v.Value)) })
    if ($cur.Count -eq 1 -and $same.Count -eq 1) { continue }
    if ($PSCmdlet.ShouldProcess($shown, 'Preference: ' + $v.Action)) {
        if ($cur.Count -gt 0) {
            # Items for this value that differ (or several): replaced by one item.
            Remove-GPPrefRegistryValue -Guid $gpo.Id @gp -Context $v.Context -Key $v.Key -ValueName $v.ValueName | Out-Null
        }
        Set-GPPrefRegistryValue -Guid $gpo.Id @gp -Context $v.Context -Action $v.Action -Key $v.Key -ValueName $v.ValueName -Type $v.Type -Value $v.Value | Out-Null
        Write-Output ('preference ' + $shown + ': ' + $v.Action)
        $changes++
    }
}

# The startup script: files, extension names, version.
if ($fixgenStartupFiles.Count -gt 0) {
    $props = Get-ADObject -Identity $gpo.Path @ad -Properties 'gPCFileSysPath', 'gPCMachineExtensionNames', 'versionNumber'
    $scriptsDir = Join-Path -Path $props.gPCFileSysPath -ChildPath 'Machine\Scripts'
    $source = Join-Path -Path $PSScriptRoot -ChildPath 'Machine\Scripts'
    $filesChanged = $false
    foreach ($f in $fixgenStartupFiles) {
        $from = Join-Path -Path $source -ChildPath $f
        $to = Join-Path -Path $scriptsDir -ChildPath $f
        if ((Test-Path -LiteralPath $to -PathType Leaf) -and (Get-FileHash -LiteralPath $to -Algorithm SHA256).Hash -eq (Get-FileHash -LiteralPath $from -Algorithm SHA256).Hash) { continue }
        if ($PSCmdlet.ShouldProcess($to, 'Copy the startup script file')) {
            $dir = Split-Path -Path $to -Parent
            if (-not (Test-Path -LiteralPath $dir -PathType Container)) { New-Item -Path $dir -ItemType Directory -Force | Out-Null }
            Copy-Item -LiteralPath $from -Destination $to -Force
            Write-Output ('startup script file ' + $to + ': copied')
            $filesChanged = $true
            $changes++
        }
    }
    $names = Merge-FixgenExtensionNames -Existing $props.gPCMachineExtensionNames -Add @(, @($fixgenScriptsCse, $fixgenScriptsTool))
    $namesChanged = $names -cne [string]$props.gPCMachineExtensionNames
    if (($filesChanged -or $namesChanged) -and $PSCmdlet.ShouldProcess($gpo.Path, 'Register the scripts extension and raise the computer version')) {
        # Read again: the cmdlets above raised the version themselves.
        $props = Get-ADObject -Identity $gpo.Path @ad -Properties 'gPCFileSysPath', 'gPCMachineExtensionNames', 'versionNumber'
        $version = Get-FixgenNextVersion -Version ([long]$props.versionNumber)
        Set-ADObject -Identity $gpo.Path @ad -Replace @{ gPCMachineExtensionNames = $names; versionNumber = $version }
        $gptIni = Join-Path -Path $props.gPCFileSysPath -ChildPath 'GPT.ini'
        $lines = @()
        if (Test-Path -LiteralPath $gptIni -PathType Leaf) { $lines = @(Get-Content -LiteralPath $gptIni -Encoding ASCII) }
        $lines = @($lines | Where-Object -FilterScript { $_ -notmatch '^\s*Version\s*=' })
        if (-not ($lines | Where-Object -FilterScript { $_ -match '^\s*\[General\]\s*$' })) { $lines = @('[General]') + $lines }
        $out = New-Object -TypeName 'System.Collections.Generic.List[string]'
        foreach ($l in $lines) {
            $out.Add($l)
            if ($l -match '^\s*\[General\]\s*$') { $out.Add('Version=' + $version) }
        }
        Set-Content -LiteralPath $gptIni -Value $out -Encoding ASCII
        if ($namesChanged) { Write-Output ('gPCMachineExtensionNames: ' + $names) }
        Write-Output ('version: ' + $version + ' (versionNumber and GPT.ini)')
        $changes++
    }
}

# The link, only when asked for.
if ($LinkTo) {
    $linked = @((Get-GPInheritance -Target $LinkTo @gp).GpoLinks | Where-Object -FilterScript { $_.GpoId -eq $gpo.Id })
    if ($linked.Count -eq 0 -and $PSCmdlet.ShouldProcess($LinkTo, 'Link the GPO ' + $Name)) {
        New-GPLink -Guid $gpo.Id -Target $LinkTo @gp | Out-Null
        Write-Output ('linked to ' + $LinkTo)
        $changes++
    }
}

if ($changes -eq 0) {
    Write-Output ('GPO ' + $Name + ': nothing to change')
} else {
    Write-Output ('GPO ' + $Name + ': ' + $changes + ' change(s)')
}
