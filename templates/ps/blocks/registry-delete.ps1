# Deletes a value by its literal name ('' is the default value) through the key opened writable: Remove-ItemProperty's -Name is a wildcard and cannot delete the default value.
function Remove-FixgenRegistryValue { param([string]$Path, [AllowEmptyString()][string]$Name)
    $key = Get-Item -LiteralPath $Path -ErrorAction Stop
    try {
        $writable = $key.OpenSubKey('', $true)
        if ($null -eq $writable) { throw ('cannot open ' + $Path + ' for writing') }
        try { $writable.DeleteValue($Name, $false) } finally { $writable.Close() }
    } finally { $key.Close() }
}
# An 'Absent' step (Set-FixgenStep dispatches here): deletes the value if its key exists; the caller has asked ShouldProcess.
function Remove-FixgenRegistryStep { param([hashtable]$Step)
    if (Test-Path -LiteralPath $Step.Path) { Remove-FixgenRegistryValue -Path $Step.Path -Name $Step.Name }
}
