# A service step with the saved startup type and status (only values fixgen sets: the four startup
# types, Running and Stopped); compared and applied with the service step's own functions.
function Get-FixgenServiceRestoreStep { param([object]$Item)
    $startup = $null; $state = $null
    if ($Item.Startup -in @('Automatic', 'AutomaticDelayed', 'Manual', 'Disabled')) { $startup = [string]$Item.Startup }
    if ($Item.Status -in @('Running', 'Stopped')) { $state = [string]$Item.Status }
    return @{ Kind = 'service'; Name = [string]$Item.Name; Startup = $startup; State = $state; TimeoutSeconds = 60 }
}
function Compare-FixgenServiceItem { param([object]$Item)
    if ($Item.Exists) { @(Test-FixgenServiceStep -Step (Get-FixgenServiceRestoreStep -Item $Item)) | Where-Object -FilterScript { -not $_.Compliant } | ForEach-Object -Process { $_.Setting } }
}
function Restore-FixgenServiceItem { param([object]$Item)
    if ($Item.Exists) { Set-FixgenServiceStep -Step (Get-FixgenServiceRestoreStep -Item $Item) }
}
