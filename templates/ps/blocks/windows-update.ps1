# Software updates that apply, are not installed and are not hidden (Windows Update Agent COM API;
# Activator, not New-Object: a detection script calls no New- command).
function Find-FixgenPendingUpdate {
    $session = [System.Activator]::CreateInstance([System.Type]::GetTypeFromProgID('Microsoft.Update.Session'))
    [pscustomobject]@{ Session = $session; Updates = $session.CreateUpdateSearcher().Search("IsInstalled=0 and Type='Software' and IsHidden=0").Updates }
}
function Test-FixgenRebootPending { return [bool]([System.Activator]::CreateInstance([System.Type]::GetTypeFromProgID('Microsoft.Update.SystemInfo'))).RebootRequired }
# Pending software updates, not counting definition updates (CategoryID E0789628-CE08-4437-BE74-2495B842F43B,
# which Windows installs by itself), and a pending restart. Action Scan: both report-only; action Install:
# the updates decide compliance, a pending restart is report-only (nothing here restarts).
function Test-FixgenWindowsUpdateStep { param([hashtable]$Step)
    $found = Find-FixgenPendingUpdate
    $titles = @()
    for ($i = 0; $i -lt $found.Updates.Count; $i++) {
        $update = $found.Updates.Item($i)
        if (@(@($update.Categories) | Where-Object -FilterScript { $null -ne $_ -and ([string]$_.CategoryID) -eq 'E0789628-CE08-4437-BE74-2495B842F43B' }).Count -gt 0) {
            Write-Verbose -Message ('not counted (definition update): ' + [string]$update.Title)
        } else { $titles += [string]$update.Title }
    }
    $pendingCheck = New-FixgenCompliance -Target 'Windows Update' -Setting 'PendingUpdates' -Expected 0 -Actual $titles -Compliant ($titles.Count -eq 0)
    $pendingCheck.ReportOnly = [bool]$Step.ReportOnly
    $pendingCheck
    $rebootPending = Test-FixgenRebootPending
    $rebootCheck = New-FixgenCompliance -Target 'Windows Update' -Setting 'RebootRequired' -Expected $false -Actual $rebootPending -Compliant (-not $rebootPending)
    $rebootCheck.ReportOnly = $true
    $rebootCheck
}
