# Applies every recipe. ExitCode 0 when each is compliant or fixed (a restart still needed is named in the Line, never done), else 1.
function Invoke-FixgenIntuneRemediation {
    [CmdletBinding(SupportsShouldProcess)] param([string]$Name, [object[]]$Recipes)
    $failed = @(); $restart = @(); $summaries = @()
    foreach ($entry in $Recipes) {
        $result = @(Invoke-FixgenRecipe -Recipe $entry.Recipe -Steps $entry.Steps) | Select-Object -Last 1
        if ($null -eq $result) { $failed += $entry.Recipe.Id; $summaries += ($entry.Recipe.Id + ': FAILED (no result)'); continue }
        $summaries += $result.Summary
        if ($result.ExitCode -eq 3010) { $restart += $entry.Recipe.Id } elseif ($result.ExitCode -ne 0) { $failed += $entry.Recipe.Id }
    }
    $line = $summaries -join '; '
    $state = 'done'; if ($failed.Count -gt 0) { $state = 'FAILED (' + $failed.Count + ' of ' + $Recipes.Count + ' recipes)' }
    if ($Recipes.Count -gt 1) { $line = $Name + ': ' + $state + ': ' + $line }
    if ($restart.Count -gt 0) { $line = $line + '; RESTART REQUIRED to finish (' + ($restart -join ', ') + '); this script does not restart the device' }
    return [pscustomobject]@{ ExitCode = [int]($failed.Count -gt 0); Line = $line }
}
