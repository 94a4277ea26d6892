# A detection script only reads: no log file; messages go to the verbose stream (-Quiet: warnings too).
function Initialize-FixgenLog { param([string]$Component, [switch]$Quiet)
    $script:FixgenLogComponent = $Component; $script:FixgenLogQuiet = [bool]$Quiet; $script:FixgenLogPath = $null
}
function Write-FixgenLog { param([AllowEmptyString()][string]$Message, [ValidateSet('Info', 'Warning', 'Error')][string]$Severity = 'Info')
    if ($Severity -eq 'Info' -or $script:FixgenLogQuiet) { Write-Verbose -Message $Message } elseif ($Severity -eq 'Warning') { Write-Warning -Message $Message } else { Write-Warning -Message ('ERROR: ' + $Message) }
}
