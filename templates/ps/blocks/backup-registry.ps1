# Whether a registry key and value exist, and the value's kind and data in the backup's text form:
# DWORD and QWORD as unsigned decimal text, binary and REG_NONE as hex pairs (01-FF), multi-strings
# as a list, strings as they are.
function Get-FixgenRegistryState { param([string]$Path, [AllowEmptyString()][string]$Name)
    $state = [ordered]@{ KeyExists = $false; KeyEmpty = $false; Exists = $false; Type = $null; Data = $null }
    $key = Get-Item -LiteralPath $Path -ErrorAction SilentlyContinue
    if ($null -eq $key) { return $state }
    try {
        $state.KeyExists = $true
        $state.KeyEmpty = ($key.ValueCount -eq 0 -and $key.SubKeyCount -eq 0)
        if ($key.GetValueNames() -contains $Name) {
            $kind = $key.GetValueKind($Name).ToString()
            $raw = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
            $invariant = [System.Globalization.CultureInfo]::InvariantCulture
            $state.Exists = $true
            $state.Type = $kind
            if ($null -eq $raw) { $state.Data = $null }
            elseif ($kind -eq 'DWord') { $state.Data = [System.BitConverter]::ToUInt32([System.BitConverter]::GetBytes([int32]$raw), 0).ToString($invariant) }
            elseif ($kind -eq 'QWord') { $state.Data = [System.BitConverter]::ToUInt64([System.BitConverter]::GetBytes([int64]$raw), 0).ToString($invariant) }
            elseif ($kind -eq 'MultiString') { $state.Data = [string[]]@($raw) }
            elseif ($kind -eq 'Binary' -or $kind -eq 'None') { $state.Data = [System.BitConverter]::ToString([byte[]]@($raw)) }
            else { $state.Data = [string]$raw }
        }
    } finally {
        $key.Close()
    }
    return $state
}
# The prior state of one registry value: its kind and data, or its absence.
function Get-FixgenRegistryBackup { param([hashtable]$Step)
    $state = Get-FixgenRegistryState -Path $Step.Path -Name $Step.Name
    return [ordered]@{ Kind = 'registry'; Path = $Step.Path; Name = $Step.Name; KeyExists = $state.KeyExists; Exists = $state.Exists; Type = $state.Type; Data = $state.Data }
}
