# The read-only check of every step (a check that throws is one non-compliant result).
function Test-FixgenRecipe { param([hashtable]$Recipe, [object[]]$Steps)
    $index = 0
    foreach ($step in $Steps) {
        $index++
        try { $checks = @(Test-FixgenStep -Step $step) }
        catch { $checks = @(New-FixgenCompliance -Target ('step ' + $index + ' (' + $step.Kind + ')') -Setting 'Check' -Expected 'readable' -Actual ('check failed: ' + $_.Exception.Message) -Compliant $false) }
        foreach ($check in $checks) { $check.Recipe = $Recipe.Id; $check }
    }
}
