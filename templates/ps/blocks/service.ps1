# The startup type as the recipe names it: Automatic, AutomaticDelayed (the service's DelayedAutostart value), Manual or Disabled.
function Get-FixgenServiceStartup { param([System.ServiceProcess.ServiceController]$Service)
    $startType = $Service.StartType.ToString()
    if ($startType -ne 'Automatic') { return $startType }
    $delayed = Get-ItemProperty -LiteralPath ('Registry::HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\' + $Service.ServiceName) -Name 'DelayedAutostart' -ErrorAction SilentlyContinue
    if ($null -ne $delayed -and $delayed.DelayedAutostart -eq 1) { return 'AutomaticDelayed' }
    return 'Automatic'
}
# Compares startup type and state. A service that is not installed satisfies a step that only disables
# and/or stops it; for any other step it is not compliant.
function Test-FixgenServiceStep { param([hashtable]$Step)
    $target = 'service ' + $Step.Name
    $service = Get-Service -Name $Step.Name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        $wanted = @(@($Step.Startup, $Step.State) | Where-Object -FilterScript { $null -ne $_ })
        if ($wanted.Count -gt 0 -and @($wanted | Where-Object -FilterScript { $_ -ne 'Disabled' -and $_ -ne 'Stopped' }).Count -eq 0) {
            Write-Verbose -Message ($target + ' is not installed, which satisfies ' + ($wanted -join '/'))
            New-FixgenCompliance -Target $target -Setting 'Installed' -Expected 'True (or not installed: enough for disabled/stopped)' -Actual $false -Compliant $true
        } else { New-FixgenCompliance -Target $target -Setting 'Installed' -Expected $true -Actual $false -Compliant $false }
        return
    }
    if ($null -ne $Step.Startup) {
        $startup = Get-FixgenServiceStartup -Service $service
        New-FixgenCompliance -Target $target -Setting 'StartupType' -Expected $Step.Startup -Actual $startup -Compliant ($startup -eq $Step.Startup)
    }
    if ($null -ne $Step.State) { New-FixgenCompliance -Target $target -Setting 'Status' -Expected $Step.State -Actual $service.Status.ToString() -Compliant ($service.Status.ToString() -eq $Step.State) }
}
