# The prior startup type and status of a service (only the settings the step manages).
function Get-FixgenServiceBackup { param([hashtable]$Step)
    $item = [ordered]@{ Kind = 'service'; Name = $Step.Name; Exists = $false; Startup = $null; Status = $null }
    $service = Get-Service -Name $Step.Name -ErrorAction SilentlyContinue
    if ($null -eq $service) { return $item }
    $item.Exists = $true
    if ($null -ne $Step.Startup) { $item.Startup = Get-FixgenServiceStartup -Service $service }
    if ($null -ne $Step.State) { $item.Status = $service.Status.ToString() }
    return $item
}
