# Writes the value, creating missing keys (an 'Absent' step goes to Remove-FixgenRegistryStep, block registry-delete); the caller has asked ShouldProcess.
function Set-FixgenRegistryStep { param([hashtable]$Step)
    if (-not (Test-Path -LiteralPath $Step.Path)) { $null = New-Item -Path $Step.Path -Force -ErrorAction Stop -Confirm:$false }
    $name = $Step.Name; if ($name -eq '') { $name = '(default)' }
    $data = ConvertTo-FixgenRegistryData -Type $Step.Type -Value $Step.Value
    $null = New-ItemProperty -LiteralPath $Step.Path -Name $name -PropertyType $Step.Type -Value $data -Force -ErrorAction Stop -Confirm:$false
}
# The value in the backup's text form: DWORD/QWORD as unsigned decimal text, binary and REG_NONE as hex pairs (01-FF).
function Get-FixgenRegistryState { param([string]$Path, [AllowEmptyString()][string]$Name)
    $now = Read-FixgenRegistryValue -Path $Path -Name $Name
    $state = [ordered]@{ KeyExists = $now.KeyExists; KeyEmpty = $now.KeyEmpty; Exists = ($null -ne $now.Kind); Type = $now.Kind; Data = $null }
    $raw = $now.Raw; $inv = [System.Globalization.CultureInfo]::InvariantCulture
    if ($null -eq $raw) { return $state }
    if ($now.Kind -eq 'DWord') { $state.Data = [System.BitConverter]::ToUInt32([System.BitConverter]::GetBytes([int32]$raw), 0).ToString($inv) }
    elseif ($now.Kind -eq 'QWord') { $state.Data = [System.BitConverter]::ToUInt64([System.BitConverter]::GetBytes([int64]$raw), 0).ToString($inv) }
    elseif ($now.Kind -eq 'MultiString') { $state.Data = [string[]]@($raw) }
    elseif ($now.Kind -eq 'Binary' -or $now.Kind -eq 'None') { $state.Data = [System.BitConverter]::ToString([byte[]]@($raw)) }
    else { $state.Data = [string]$raw }
    return $state
}
function Get-FixgenRegistryBackup { param([hashtable]$Step)
    $state = Get-FixgenRegistryState -Path $Step.Path -Name $Step.Name
    return [ordered]@{ Kind = 'registry'; Path = $Step.Path; Name = $Step.Name; KeyExists = $state.KeyExists; Exists = $state.Exists; Type = $state.Type; Data = $state.Data }
}
