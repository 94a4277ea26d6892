#region Windows Update steps

function Find-FixgenPendingUpdate {
    <#
    .SYNOPSIS
    Searches through the Windows Update Agent COM API for software updates that apply, are
    not installed and are not hidden.
    #>
    [CmdletBinding()]
    param()
    # Activator rather than New-Object: detection scripts call no New- command.
    $session = [System.Activator]::CreateInstance([System.Type]::GetTypeFromProgID('Microsoft.Update.Session'))
    $searcher = $session.CreateUpdateSearcher()
    $result = $searcher.Search("IsInstalled=0 and Type='Software' and IsHidden=0")
    [pscustomobject]@{
        Session = $session
        Updates = $result.Updates
    }
}

function Test-FixgenRebootPending {
    <#
    .SYNOPSIS
    True when Windows Update reports that a restart is pending.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()
    $info = [System.Activator]::CreateInstance([System.Type]::GetTypeFromProgID('Microsoft.Update.SystemInfo'))
    return [bool]$info.RebootRequired
}

function Test-FixgenWindowsUpdateStep {
    <#
    .SYNOPSIS
    Lists pending software updates and whether a restart is pending. Definition updates
    (classification "Definition Updates", CategoryID E0789628-CE08-4437-BE74-2495B842F43B: the
    Defender intelligence updates Windows installs by itself every few hours) are not counted.
    With action Scan both results are report-only; with action Install the pending updates
    decide compliance and a pending restart is report-only (this script never restarts).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
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

{% if !detect -%}
function Set-FixgenWindowsUpdateStep {
    <#
    .SYNOPSIS
    With action Install: downloads and installs the pending updates and reports whether a
    restart is needed. With action Scan: changes nothing and reports a pending restart.
    Never restarts the machine.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    if ($Step.Action -ne 'Install') {
        return [pscustomobject]@{ RebootRequired = (Test-FixgenRebootPending) }
    }
    $found = Find-FixgenPendingUpdate
    $collection = New-Object -ComObject 'Microsoft.Update.UpdateColl'
    for ($i = 0; $i -lt $found.Updates.Count; $i++) {
        $update = $found.Updates.Item($i)
        if ($update.InstallationBehavior.CanRequestUserInput) {
            Write-FixgenLog -Severity Warning -Message ('skipped (needs user input): ' + $update.Title)
            continue
        }
        if (-not $update.EulaAccepted) { $update.AcceptEula() }
        $null = $collection.Add($update)
    }
    if ($collection.Count -eq 0) {
        return [pscustomobject]@{ RebootRequired = (Test-FixgenRebootPending) }
    }
    $downloader = $found.Session.CreateUpdateDownloader()
    $downloader.Updates = $collection
    $null = $downloader.Download()
    $installer = $found.Session.CreateUpdateInstaller()
    $installer.Updates = $collection
    $result = $installer.Install()
    Write-FixgenLog -Message ('Windows Update install result code ' + $result.ResultCode + ' for ' + $collection.Count + ' update(s)')
    if ($result.ResultCode -ne 2 -and $result.ResultCode -ne 3) {
        throw ('Windows Update installation failed with result code ' + $result.ResultCode + ' (HRESULT ' + $result.HResult + ')')
    }
    return [pscustomobject]@{ RebootRequired = ([bool]$result.RebootRequired -or (Test-FixgenRebootPending)) }
}
{%- endif %}

#endregion
