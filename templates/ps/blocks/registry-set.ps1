# Deletes one registry value, its name taken literally ('' is the key's default value). Not
# Remove-ItemProperty: its -Name is a wildcard pattern (with -Path), and it cannot delete the default
# value. The caller has already asked ShouldProcess.
function Remove-FixgenRegistryValue {
    [CmdletBinding()] param([Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][AllowEmptyString()][string]$Name)
    $key = Get-Item -LiteralPath $Path -ErrorAction Stop
    try {
        $writable = $key.OpenSubKey('', $true)
        if ($null -eq $writable) { throw ('cannot open ' + $Path + ' for writing') }
        try {
            $writable.DeleteValue($Name, $false)
        } finally {
            $writable.Close()
        }
    } finally {
        $key.Close()
    }
}

# Writes (creating missing keys) or deletes one registry value. The caller has already asked
# ShouldProcess.
function Set-FixgenRegistryStep {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step)
    $name = $Step.Name
    if ($name -eq '') { $name = '(default)' }
    if ($Step.Ensure -eq 'Absent') {
        if (Test-Path -LiteralPath $Step.Path) {
            Remove-FixgenRegistryValue -Path $Step.Path -Name $Step.Name
        }
        return
    }
    if (-not (Test-Path -LiteralPath $Step.Path)) {
        $null = New-Item -Path $Step.Path -Force -ErrorAction Stop -Confirm:$false
    }
    $data = ConvertTo-FixgenRegistryData -Type $Step.Type -Value $Step.Value
    $null = New-ItemProperty -LiteralPath $Step.Path -Name $name -PropertyType $Step.Type -Value $data -Force -ErrorAction Stop -Confirm:$false
}
