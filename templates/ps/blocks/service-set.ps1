# Sets the startup type with sc.exe (the one tool that sets delayed automatic start on Windows
# PowerShell 5.1 and 7 alike), then starts or stops the service and waits for the new state with a
# timeout. The caller has already asked ShouldProcess.
function Set-FixgenServiceStep {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step)
    $service = Get-Service -Name $Step.Name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        $wanted = (@($Step.Startup, $Step.State) | Where-Object { $null -ne $_ }) -join ' and '
        throw ('service ' + $Step.Name + ' is not installed on this machine, so it cannot be made ' + $wanted + '; install the Windows feature or component that provides it, or leave this step out for such machines')
    }
    if ($null -ne $Step.Startup -and (Get-FixgenServiceStartup -Service $service) -ne $Step.Startup) {
        $mode = 'auto'
        if ($Step.Startup -eq 'AutomaticDelayed') { $mode = 'delayed-auto' }
        if ($Step.Startup -eq 'Manual') { $mode = 'demand' }
        if ($Step.Startup -eq 'Disabled') { $mode = 'disabled' }
        $output = & sc.exe 'config' $service.ServiceName 'start=' $mode 2>&1
        if ($LASTEXITCODE -ne 0) {
            throw ('sc.exe config ' + $service.ServiceName + ' start= ' + $mode + ' failed with exit code ' + $LASTEXITCODE + ': ' + (($output | Out-String).Trim()))
        }
    }
    if ($null -ne $Step.State) {
        $service.Refresh()
        $timeout = [System.TimeSpan]::FromSeconds($Step.TimeoutSeconds)
        if ($Step.State -eq 'Running' -and $service.Status.ToString() -ne 'Running') {
            # Start-Service writes "Waiting for service ... to start..." to the warning stream
            # while it waits: into the log, never into the one output line (Intune).
            $waitWarnings = $null
            Start-Service -Name $service.ServiceName -ErrorAction Stop -Confirm:$false -WarningAction SilentlyContinue -WarningVariable waitWarnings
            foreach ($warning in @($waitWarnings)) { Write-FixgenLog -Message ('Start-Service: ' + [string]$warning) }
            try {
                $service.WaitForStatus([System.ServiceProcess.ServiceControllerStatus]::Running, $timeout)
            } catch {
                throw ('service ' + $service.ServiceName + ' did not reach Running within ' + $Step.TimeoutSeconds + ' seconds')
            }
        }
        if ($Step.State -eq 'Stopped' -and $service.Status.ToString() -ne 'Stopped') {
            $waitWarnings = $null
            Stop-Service -Name $service.ServiceName -ErrorAction Stop -Confirm:$false -WarningAction SilentlyContinue -WarningVariable waitWarnings
            foreach ($warning in @($waitWarnings)) { Write-FixgenLog -Message ('Stop-Service: ' + [string]$warning) }
            try {
                $service.WaitForStatus([System.ServiceProcess.ServiceControllerStatus]::Stopped, $timeout)
            } catch {
                throw ('service ' + $service.ServiceName + ' did not reach Stopped within ' + $Step.TimeoutSeconds + ' seconds')
            }
        }
    }
}
