# Names the log component. A detection script only reads: it writes no log file, and its messages
# go to the verbose stream (-Quiet: warnings too, so the only output is the caller's one line).
function Initialize-FixgenLog {
    [CmdletBinding()] param([Parameter(Mandatory)][string]$Component, [switch]$Quiet)
    $script:FixgenLogComponent = $Component
    $script:FixgenLogQuiet = [bool]$Quiet
    $script:FixgenLogPath = $null
}

# Writes a message to the verbose stream (warnings and errors to the warning stream unless -Quiet).
function Write-FixgenLog {
    [CmdletBinding()] param([Parameter(Mandatory)][AllowEmptyString()][string]$Message, [ValidateSet('Info', 'Warning', 'Error')][string]$Severity = 'Info')
    if ($Severity -eq 'Info' -or $script:FixgenLogQuiet) { Write-Verbose -Message $Message }
    elseif ($Severity -eq 'Warning') { Write-Warning -Message $Message }
    else { Write-Warning -Message ('ERROR: ' + $Message) }
}
