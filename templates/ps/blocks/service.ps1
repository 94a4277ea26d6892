# The startup type as the recipe names it: Automatic, AutomaticDelayed, Manual or Disabled (delayed
# start read from the service's DelayedAutostart registry value).
function Get-FixgenServiceStartup {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][System.ServiceProcess.ServiceController]$Service)
    $startType = $Service.StartType.ToString()
    if ($startType -ne 'Automatic') { return $startType }
    $keyPath = 'Registry::HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\' + $Service.ServiceName
    $delayed = Get-ItemProperty -LiteralPath $keyPath -Name 'DelayedAutostart' -ErrorAction SilentlyContinue
    if ($null -ne $delayed -and $delayed.DelayedAutostart -eq 1) { return 'AutomaticDelayed' }
    return 'Automatic'
}

# Reads a service's startup type and state and compares them with the step. A service that is not
# installed satisfies a step that only disables and/or stops it (the normal state of many optional
# services); for any other step it is not compliant, and the check says so.
function Test-FixgenServiceStep {
    [CmdletBinding()] [OutputType([pscustomobject])] param([Parameter(Mandatory)][hashtable]$Step)
    $target = 'service ' + $Step.Name
    $service = Get-Service -Name $Step.Name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        $absentIsFine = ($null -ne $Step.Startup -or $null -ne $Step.State) -and
            ($null -eq $Step.Startup -or $Step.Startup -eq 'Disabled') -and
            ($null -eq $Step.State -or $Step.State -eq 'Stopped')
        if ($absentIsFine) {
            Write-Verbose -Message ($target + ' is not installed, which satisfies ' + ((@($Step.Startup, $Step.State) | Where-Object { $null -ne $_ }) -join '/'))
            New-FixgenCompliance -Target $target -Setting 'Installed' -Expected 'True (or not installed: enough for disabled/stopped)' -Actual $false -Compliant $true
        } else {
            New-FixgenCompliance -Target $target -Setting 'Installed' -Expected $true -Actual $false -Compliant $false
        }
        return
    }
    if ($null -ne $Step.Startup) {
        $startup = Get-FixgenServiceStartup -Service $service
        New-FixgenCompliance -Target $target -Setting 'StartupType' -Expected $Step.Startup -Actual $startup -Compliant ($startup -eq $Step.Startup)
    }
    if ($null -ne $Step.State) {
        $status = $service.Status.ToString()
        New-FixgenCompliance -Target $target -Setting 'Status' -Expected $Step.State -Actual $status -Compliant ($status -eq $Step.State)
    }
}
