# Applies every recipe (each step: read, change if different, read again and verify). Returns ExitCode
# 0 when every recipe is compliant or fixed (a restart still needed is reported in the Line, never
# done), 1 when any recipe failed, and one Line with each recipe's result.
function Invoke-FixgenIntuneRemediation {
    [CmdletBinding(SupportsShouldProcess)] [OutputType([pscustomobject])] param([Parameter(Mandatory)][string]$Name, [Parameter(Mandatory)][object[]]$Recipes)
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
