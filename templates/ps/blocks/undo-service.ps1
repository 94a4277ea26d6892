# A service step that sets the saved startup type and status (only values fixgen can set: the four
# startup types, Running and Stopped).
function Get-FixgenServiceRestoreStep {
    [CmdletBinding()] [OutputType([hashtable])] param([Parameter(Mandatory)][object]$Item)
    $startup = $null
    if ($Item.Startup -in @('Automatic', 'AutomaticDelayed', 'Manual', 'Disabled')) { $startup = [string]$Item.Startup }
    $state = $null
    if ($Item.Status -in @('Running', 'Stopped')) { $state = [string]$Item.Status }
    return @{
        Kind           = 'service'
        Name           = [string]$Item.Name
        Startup        = $startup
        State          = $state
        TimeoutSeconds = 60
    }
}

# The settings in which a service differs from its backup.
function Compare-FixgenServiceItem {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][object]$Item)
    if (-not $Item.Exists) { return }
    $step = Get-FixgenServiceRestoreStep -Item $Item
    foreach ($check in @(Test-FixgenServiceStep -Step $step)) {
        if (-not $check.Compliant) { $check.Setting }
    }
}

# Sets a service's startup type and status back to the saved ones.
function Restore-FixgenServiceItem {
    [CmdletBinding()] param([Parameter(Mandatory)][object]$Item)
    if (-not $Item.Exists) { return }
    Set-FixgenServiceStep -Step (Get-FixgenServiceRestoreStep -Item $Item)
}
