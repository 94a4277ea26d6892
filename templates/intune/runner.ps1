#region Intune runner (one summary line, Intune exit codes)

function Limit-FixgenLine {
    <#
    .SYNOPSIS
    The one output line Intune shows: line breaks and other control characters become spaces;
    longer than MaxLength characters (Intune keeps 2,048), it is cut, never inside a surrogate
    pair, and ends with ' ...'.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [string]$Text,

        [ValidateRange(16, 2047)]
        [int]$MaxLength = {{ max_line }}
    )
    $line = $Text -replace '[\x00-\x1F\x7F]+', ' '
    if ($line.Length -le $MaxLength) { return $line }
    $cut = $MaxLength - 4
    if ([char]::IsHighSurrogate($line[$cut - 1])) { $cut-- }
    return ($line.Substring(0, $cut) + ' ...')
}
{%- if detect %}

function Get-FixgenIntuneDetection {
    <#
    .SYNOPSIS
    Runs the read-only checks of every recipe. Returns ExitCode 1 when any check that a
    remediation can change is not compliant (Intune then runs the remediation script), else 0
    (report-only findings are named in the line but never decide the exit code), and one Line naming every
    setting that is off: target, setting, actual and expected value (secrets never shown).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$Name,

        [Parameter(Mandatory)]
        [object[]]$Recipes
    )
    $total = 0
    $findings = @()
    $notes = @()
    foreach ($entry in $Recipes) {
        $checks = @(Test-FixgenRecipe -Recipe $entry.Recipe -Steps $entry.Steps)
        $total += $checks.Count
        foreach ($check in $checks) {
            if ($check.Compliant) { continue }
            $text = $check.Target + ' ' + $check.Setting + ' is ' + (Format-FixgenValue -Value $check.Actual) + ', expected ' + (Format-FixgenValue -Value $check.Expected)
            if ($Recipes.Count -gt 1) { $text = $entry.Recipe.Id + ': ' + $text }
            Write-FixgenLog -Severity Warning -Message $text
            # Report-only findings (pending updates under action scan, a pending restart) go
            # into the line; no remediation of this package changes them, so they never make
            # detection exit 1.
            if ($check.ReportOnly) {
                $notes += $text
            } else {
                $findings += $text
            }
        }
    }
    $reported = ''
    if ($notes.Count -gt 0) { $reported = '; reported, not remediated here: ' + ($notes -join '; ') }
    if ($findings.Count -gt 0) {
        return [pscustomobject]@{
            ExitCode = 1
            Line     = ($Name + ': NOT COMPLIANT (' + $findings.Count + ' of ' + $total + ' checks): ' + ($findings -join '; ') + $reported)
        }
    }
    return [pscustomobject]@{
        ExitCode = 0
        Line     = ($Name + ': compliant (' + $total + ' checks)' + $reported)
    }
}
{%- else %}

function Invoke-FixgenIntuneRemediation {
    <#
    .SYNOPSIS
    Applies every recipe (each step: read, change if different, read again and verify).
    Returns ExitCode 0 when every recipe is compliant or fixed (a restart still needed is
    reported in the Line, never done), 1 when any recipe failed, and one Line with each
    recipe's result.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$Name,

        [Parameter(Mandatory)]
        [object[]]$Recipes
    )
    $failed = @()
    $restart = @()
    $summaries = @()
    foreach ($entry in $Recipes) {
        $result = @(Invoke-FixgenRecipe -Recipe $entry.Recipe -Steps $entry.Steps) | Select-Object -Last 1
        if ($null -eq $result) {
            $failed += $entry.Recipe.Id
            $summaries += ($entry.Recipe.Id + ': FAILED (no result)')
            continue
        }
        $summaries += $result.Summary
        if ($result.ExitCode -eq 3010) {
            $restart += $entry.Recipe.Id
        } elseif ($result.ExitCode -ne 0) {
            $failed += $entry.Recipe.Id
        }
    }
    $line = $summaries -join '; '
    if ($Recipes.Count -gt 1) {
        $state = 'done'
        if ($failed.Count -gt 0) { $state = 'FAILED (' + $failed.Count + ' of ' + $Recipes.Count + ' recipes)' }
        $line = $Name + ': ' + $state + ': ' + $line
    }
    if ($restart.Count -gt 0) {
        $line = $line + '; RESTART REQUIRED to finish (' + ($restart -join ', ') + '); this script does not restart the device'
    }
    $exitCode = 0
    if ($failed.Count -gt 0) { $exitCode = 1 }
    return [pscustomobject]@{
        ExitCode = $exitCode
        Line     = $line
    }
}
{%- endif %}

#endregion
