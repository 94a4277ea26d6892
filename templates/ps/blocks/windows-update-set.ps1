# Action Install: downloads and installs the pending updates (skipping those that need user input) and
# reports whether a restart is needed. Action Scan: changes nothing, reports a pending restart. Never restarts.
function Set-FixgenWindowsUpdateStep { param([hashtable]$Step)
    if ($Step.Action -ne 'Install') { return [pscustomobject]@{ RebootRequired = (Test-FixgenRebootPending) } }
    $found = Find-FixgenPendingUpdate
    $collection = New-Object -ComObject 'Microsoft.Update.UpdateColl'
    for ($i = 0; $i -lt $found.Updates.Count; $i++) {
        $update = $found.Updates.Item($i)
        if ($update.InstallationBehavior.CanRequestUserInput) { Write-FixgenLog -Severity Warning -Message ('skipped (needs user input): ' + $update.Title); continue }
        if (-not $update.EulaAccepted) { $update.AcceptEula() }
        $null = $collection.Add($update)
    }
    if ($collection.Count -eq 0) { return [pscustomobject]@{ RebootRequired = (Test-FixgenRebootPending) } }
    $downloader = $found.Session.CreateUpdateDownloader()
    $downloader.Updates = $collection
    $null = $downloader.Download()
    $installer = $found.Session.CreateUpdateInstaller()
    $installer.Updates = $collection
    $result = $installer.Install()
    Write-FixgenLog -Message ('Windows Update install result code ' + $result.ResultCode + ' for ' + $collection.Count + ' update(s)')
    if ($result.ResultCode -ne 2 -and $result.ResultCode -ne 3) { throw ('Windows Update installation failed with result code ' + $result.ResultCode + ' (HRESULT ' + $result.HResult + ')') }
    return [pscustomobject]@{ RebootRequired = ([bool]$result.RebootRequired -or (Test-FixgenRebootPending)) }
}
# A Windows Update step has no prior state to save; its item only records the action.
function Get-FixgenWindowsUpdateBackup { param([hashtable]$Step)
    return [ordered]@{ Kind = 'windows_update'; Action = $Step.Action }
}
