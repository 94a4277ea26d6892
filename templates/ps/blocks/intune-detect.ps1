# Runs the read-only checks of every recipe. Returns ExitCode 1 when any check that a remediation can
# change is not compliant (Intune then runs the remediation script), else 0 (report-only findings are
# named in the line but never decide the exit code), and one Line naming every setting that is off:
# target, setting, actual and expected value (secrets never shown).
function Get-FixgenIntuneDetection {
    [CmdletBinding()] [OutputType([pscustomobject])] param([Parameter(Mandatory)][string]$Name, [Parameter(Mandatory)][object[]]$Recipes)
    if ([System.Environment]::Is64BitOperatingSystem -and -not [System.Environment]::Is64BitProcess) {
        # The package says runAs32Bit: false; a 32-bit host would read the redirected registry view.
        return [pscustomobject]@{ ExitCode = 1; Line = ($Name + ': ERROR: running in a 32-bit PowerShell host on 64-bit Windows; set "Run script in 64 bit PowerShell host" to Yes') }
    }
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
