# Value text for the log: arrays joined, bytes in hex, secrets hidden.
function Format-FixgenValue { param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return '(none)' }
    if ($Value -is [System.Security.SecureString]) { return '(secret)' }
    if ($Value -is [byte[]]) { return (($Value | ForEach-Object -Process { $_.ToString('X2') }) -join ' ') }
    if ($Value -is [System.Array]) { return ('[' + ((@($Value) | ForEach-Object -Process { [string]$_ }) -join ', ') + ']') }
    return [string]$Value
}
# One check result. ReportOnly: a finding no remediation of this recipe changes (never decides an exit code).
function New-FixgenCompliance { param([string]$Target, [string]$Setting, [AllowNull()][object]$Expected, [AllowNull()][object]$Actual, [bool]$Compliant)
    [pscustomobject]@{ Recipe = $script:FixgenLogComponent; Target = $Target; Setting = $Setting; Expected = $Expected; Actual = $Actual; Compliant = $Compliant; ReportOnly = $false }
}
function Test-FixgenListEqual { param([AllowNull()][object[]]$Left, [AllowNull()][object[]]$Right)
    $l = @(); $r = @()
    if ($null -ne $Left) { $l = @($Left) }; if ($null -ne $Right) { $r = @($Right) }
    if ($l.Count -ne $r.Count) { return $false }
    for ($i = 0; $i -lt $l.Count; $i++) { if (-not ($l[$i] -ceq $r[$i])) { return $false } }
    return $true
}
# <Verb>-Fixgen<Kind><Noun>: the function of a step kind's block that a dispatcher calls (Kind is generated data).
function Get-FixgenKindCommand { param([string]$Verb, [string]$Kind, [string]$Noun)
    if ($Kind -notmatch '^[a-z_]+$') { throw ('unknown step kind ' + $Kind) }
    return ($Verb + '-Fixgen' + ($Kind -replace '_', '') + $Noun)
}
function Test-FixgenStep { param([hashtable]$Step)
    $fixgenKindCommand = Get-FixgenKindCommand -Verb 'Test' -Kind $Step.Kind -Noun 'Step'
    & $fixgenKindCommand -Step $Step
}
