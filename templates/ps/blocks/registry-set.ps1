# Deletes a value by its literal name ('' is the default value) through the key opened writable: Remove-ItemProperty's -Name is a wildcard and cannot delete the default value.
function Remove-FixgenRegistryValue { param([string]$Path, [AllowEmptyString()][string]$Name)
    $key = Get-Item -LiteralPath $Path -ErrorAction Stop
    try {
        $writable = $key.OpenSubKey('', $true)
        if ($null -eq $writable) { throw ('cannot open ' + $Path + ' for writing') }
        try { $writable.DeleteValue($Name, $false) } finally { $writable.Close() }
    } finally { $key.Close() }
}
# Writes the value (creating missing keys) or deletes it; the caller has asked ShouldProcess.
function Set-FixgenRegistryStep { param([hashtable]$Step)
    if ($Step.Ensure -eq 'Absent') { if (Test-Path -LiteralPath $Step.Path) { Remove-FixgenRegistryValue -Path $Step.Path -Name $Step.Name }; return }
    if (-not (Test-Path -LiteralPath $Step.Path)) { $null = New-Item -Path $Step.Path -Force -ErrorAction Stop -Confirm:$false }
    $name = $Step.Name; if ($name -eq '') { $name = '(default)' }
    $data = ConvertTo-FixgenRegistryData -Type $Step.Type -Value $Step.Value
    $null = New-ItemProperty -LiteralPath $Step.Path -Name $name -PropertyType $Step.Type -Value $data -Force -ErrorAction Stop -Confirm:$false
}
