# Searches through the Windows Update Agent COM API for software updates that apply, are not installed
# and are not hidden.
function Find-FixgenPendingUpdate {
    [CmdletBinding()] param()
    # Activator rather than New-Object: detection scripts call no New- command.
    $session = [System.Activator]::CreateInstance([System.Type]::GetTypeFromProgID('Microsoft.Update.Session'))
    $searcher = $session.CreateUpdateSearcher()
    $result = $searcher.Search("IsInstalled=0 and Type='Software' and IsHidden=0")
    [pscustomobject]@{
        Session = $session
        Updates = $result.Updates
    }
}

# True when Windows Update reports that a restart is pending.
function Test-FixgenRebootPending {
    [CmdletBinding()] [OutputType([bool])] param()
    $info = [System.Activator]::CreateInstance([System.Type]::GetTypeFromProgID('Microsoft.Update.SystemInfo'))
    return [bool]$info.RebootRequired
}

# Lists pending software updates and whether a restart is pending. Definition updates (classification
# "Definition Updates", CategoryID E0789628-CE08-4437-BE74-2495B842F43B: the Defender intelligence
# updates Windows installs by itself every few hours) are not counted. With action Scan both results
# are report-only; with action Install the pending updates decide compliance and a pending restart is
# report-only (this script never restarts).
function Test-FixgenWindowsUpdateStep {
    [CmdletBinding()] [OutputType([pscustomobject])] param([Parameter(Mandatory)][hashtable]$Step)
    $definitionUpdates = 'E0789628-CE08-4437-BE74-2495B842F43B'
    $found = Find-FixgenPendingUpdate
    $titles = @()
    for ($i = 0; $i -lt $found.Updates.Count; $i++) {
        $update = $found.Updates.Item($i)
        $definition = $false
        foreach ($category in @($update.Categories)) {
            if ($null -ne $category -and ([string]$category.CategoryID) -eq $definitionUpdates) { $definition = $true }
        }
        if ($definition) {
            Write-Verbose -Message ('not counted (definition update): ' + [string]$update.Title)
            continue
        }
        $titles += [string]$update.Title
    }
    $pendingCheck = New-FixgenCompliance -Target 'Windows Update' -Setting 'PendingUpdates' -Expected 0 -Actual $titles -Compliant ($titles.Count -eq 0)
    if ($Step.ReportOnly) { $pendingCheck.ReportOnly = $true }
    $pendingCheck
    $rebootPending = Test-FixgenRebootPending
    $rebootCheck = New-FixgenCompliance -Target 'Windows Update' -Setting 'RebootRequired' -Expected $false -Actual $rebootPending -Compliant (-not $rebootPending)
    $rebootCheck.ReportOnly = $true
    $rebootCheck
}
