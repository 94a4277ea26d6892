# Startup type with sc.exe (the one tool that sets delayed automatic start on 5.1 and 7 alike), then
# Start-/Stop-Service and a wait for the state (timeout). Their "Waiting for service ..." warnings go to
# the log, never into the one output line. The caller has asked ShouldProcess.
function Set-FixgenServiceStep { param([hashtable]$Step)
    $service = Get-Service -Name $Step.Name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        throw ('service ' + $Step.Name + ' is not installed on this machine, so it cannot be made ' + ((@($Step.Startup, $Step.State) | Where-Object { $null -ne $_ }) -join ' and ') + '; install the Windows feature or component that provides it, or leave this step out for such machines')
    }
    if ($null -ne $Step.Startup -and (Get-FixgenServiceStartup -Service $service) -ne $Step.Startup) {
        $mode = @{ Automatic = 'auto'; AutomaticDelayed = 'delayed-auto'; Manual = 'demand'; Disabled = 'disabled' }[[string]$Step.Startup]
        $output = & sc.exe 'config' $service.ServiceName 'start=' $mode 2>&1
        if ($LASTEXITCODE -ne 0) { throw ('sc.exe config ' + $service.ServiceName + ' start= ' + $mode + ' failed with exit code ' + $LASTEXITCODE + ': ' + (($output | Out-String).Trim())) }
    }
    if ($null -eq $Step.State) { return }
    $service.Refresh()
    if ($service.Status.ToString() -eq $Step.State) { return }
    $waitWarnings = $null
    if ($Step.State -eq 'Running') {
        Start-Service -Name $service.ServiceName -ErrorAction Stop -Confirm:$false -WarningAction SilentlyContinue -WarningVariable waitWarnings
        foreach ($warning in @($waitWarnings)) { Write-FixgenLog -Message ('Start-Service: ' + [string]$warning) }
    } else {
        Stop-Service -Name $service.ServiceName -ErrorAction Stop -Confirm:$false -WarningAction SilentlyContinue -WarningVariable waitWarnings
        foreach ($warning in @($waitWarnings)) { Write-FixgenLog -Message ('Stop-Service: ' + [string]$warning) }
    }
    try { $service.WaitForStatus([System.ServiceProcess.ServiceControllerStatus]$Step.State, [System.TimeSpan]::FromSeconds($Step.TimeoutSeconds)) }
    catch { throw ('service ' + $service.ServiceName + ' did not reach ' + $Step.State + ' within ' + $Step.TimeoutSeconds + ' seconds') }
}
