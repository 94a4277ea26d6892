# A Windows Update step has no prior state to save; its item only records the action.
function Get-FixgenWindowsUpdateBackup { param([hashtable]$Step)
    return [ordered]@{ Kind = 'windows_update'; Action = $Step.Action }
}
