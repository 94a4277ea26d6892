# Text for a value in a log line: arrays joined, bytes in hex, secrets hidden.
function Format-FixgenValue {
    [CmdletBinding()] [OutputType([string])] param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return '(none)' }
    if ($Value -is [System.Security.SecureString]) { return '(secret)' }
    if ($Value -is [byte[]]) { return (($Value | ForEach-Object -Process { $_.ToString('X2') }) -join ' ') }
    if ($Value -is [System.Array]) { return ('[' + ((@($Value) | ForEach-Object -Process { [string]$_ }) -join ', ') + ']') }
    return [string]$Value
}

# One compliance result: what was checked, the expected and the actual value. ReportOnly marks a
# finding no remediation of this recipe changes (a pending update under action scan, a pending
# restart): reported, never deciding an exit code.
function New-FixgenCompliance {
    [CmdletBinding()] [OutputType([pscustomobject])] param([Parameter(Mandatory)][string]$Target, [Parameter(Mandatory)][string]$Setting, [AllowNull()][object]$Expected, [AllowNull()][object]$Actual, [Parameter(Mandatory)][bool]$Compliant)
    [pscustomobject]@{ Recipe = $script:FixgenLogComponent; Target = $Target; Setting = $Setting; Expected = $Expected; Actual = $Actual; Compliant = $Compliant; ReportOnly = $false }
}

# "<target> <setting> is <actual>, expected <expected>" for a log line.
function Format-FixgenCheck {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][object]$Check)
    return ($Check.Target + ' ' + $Check.Setting + ' is ' + (Format-FixgenValue -Value $Check.Actual) + ', expected ' + (Format-FixgenValue -Value $Check.Expected))
}

# True when two lists hold the same items in the same order (strings compared case-sensitively).
function Test-FixgenListEqual {
    [CmdletBinding()] [OutputType([bool])] param([AllowNull()][object[]]$Left, [AllowNull()][object[]]$Right)
    $l = @(); $r = @()
    if ($null -ne $Left) { $l = @($Left) }
    if ($null -ne $Right) { $r = @($Right) }
    if ($l.Count -ne $r.Count) { return $false }
    for ($i = 0; $i -lt $l.Count; $i++) { if (-not ($l[$i] -ceq $r[$i])) { return $false } }
    return $true
}

# True when two lists hold the same items in any order (case-insensitive).
function Test-FixgenSetEqual {
    [CmdletBinding()] [OutputType([bool])] param([AllowNull()][object[]]$Left, [AllowNull()][object[]]$Right)
    $l = @(); $r = @()
    if ($null -ne $Left) { $l = @(@($Left) | ForEach-Object -Process { ([string]$_).ToUpperInvariant() } | Sort-Object -Unique) }
    if ($null -ne $Right) { $r = @(@($Right) | ForEach-Object -Process { ([string]$_).ToUpperInvariant() } | Sort-Object -Unique) }
    return (Test-FixgenListEqual -Left $l -Right $r)
}

# The read-only check of one step: Test-Fixgen<Kind>Step from the step kind's block.
function Test-FixgenStep {
    [CmdletBinding()] [OutputType([pscustomobject])] param([Parameter(Mandatory)][hashtable]$Step)
    & ('Test-Fixgen' + ($Step.Kind -replace '_', '') + 'Step') -Step $Step
}

# Runs the read-only check of every step and returns its compliance objects. Changes nothing.
function Test-FixgenRecipe {
    [CmdletBinding()] [OutputType([pscustomobject])] param([Parameter(Mandatory)][hashtable]$Recipe, [Parameter(Mandatory)][AllowEmptyCollection()][object[]]$Steps)
    $index = 0
    foreach ($step in $Steps) {
        $index++
        try {
            $checks = @(Test-FixgenStep -Step $step)
        } catch {
            $checks = @(New-FixgenCompliance -Target ('step ' + $index + ' (' + $step.Kind + ')') -Setting 'Check' -Expected 'readable' -Actual ('check failed: ' + $_.Exception.Message) -Compliant $false)
        }
        foreach ($check in $checks) { $check.Recipe = $Recipe.Id; $check }
    }
}
