# Read-only checks of every recipe: ExitCode 1 when a check a remediation can change is off, else 0; Line names each setting that is off (report-only findings too: never exit 1).
function Get-FixgenIntuneDetection { param([string]$Name, [object[]]$Recipes)
    if ([System.Environment]::Is64BitOperatingSystem -and -not [System.Environment]::Is64BitProcess -and @($Recipes | Where-Object -FilterScript { $_.Recipe.Needs64Bit }).Count -gt 0) {
        return [pscustomobject]@{ ExitCode = 1; Line = ($Name + ': ERROR: running in a 32-bit PowerShell host on 64-bit Windows; set "Run script in 64 bit PowerShell host" to Yes') }
    }
    $total = 0; $findings = @(); $notes = @()
    foreach ($entry in $Recipes) {
        $checks = @(Test-FixgenRecipe -Recipe $entry.Recipe -Steps $entry.Steps)
        $total += $checks.Count
        foreach ($check in @($checks | Where-Object -FilterScript { -not $_.Compliant })) {
            $text = $check.Target + ' ' + $check.Setting + ' is ' + (Format-FixgenValue -Value $check.Actual) + ', expected ' + (Format-FixgenValue -Value $check.Expected)
            if ($Recipes.Count -gt 1) { $text = $entry.Recipe.Id + ': ' + $text }
            if ($check.ReportOnly) { $notes += $text } else { $findings += $text }
        }
    }
    $line = $Name + ': compliant (' + $total + ' checks)'
    if ($findings.Count -gt 0) { $line = $Name + ': NOT COMPLIANT (' + $findings.Count + ' of ' + $total + ' checks): ' + ($findings -join '; ') }
    if ($notes.Count -gt 0) { $line = $line + '; reported, not remediated here: ' + ($notes -join '; ') }
    return [pscustomobject]@{ ExitCode = [int]($findings.Count -gt 0); Line = $line }
}
