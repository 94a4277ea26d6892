# Data as the registry provider stores it: DWORD/QWORD as their signed bit pattern (4294967295 is -1).
function ConvertTo-FixgenRegistryData { param([string]$Type, [AllowNull()][object]$Value)
    if ($Type -eq 'DWord') { return [System.BitConverter]::ToInt32([System.BitConverter]::GetBytes([uint32]$Value), 0) }
    if ($Type -eq 'QWord') { return [System.BitConverter]::ToInt64([System.BitConverter]::GetBytes([uint64]$Value), 0) }
    if ($Type -eq 'MultiString') { return ,([string[]]@($Value)) }
    if ($Type -eq 'Binary') { return ,([byte[]]@($Value)) }
    return [string]$Value
}
# The key and value as they are, read through the RegistryKey (the name taken literally, never a wildcard).
function Read-FixgenRegistryValue { param([string]$Path, [AllowEmptyString()][string]$Name)
    $state = @{ KeyExists = $false; KeyEmpty = $false; Kind = $null; Raw = $null }
    $key = Get-Item -LiteralPath $Path -ErrorAction SilentlyContinue
    if ($null -eq $key) { return $state }
    try {
        $state.KeyExists = $true; $state.KeyEmpty = ($key.ValueCount -eq 0 -and $key.SubKeyCount -eq 0)
        if ($key.GetValueNames() -contains $Name) { $state.Kind = $key.GetValueKind($Name).ToString(); $state.Raw = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames) }
    } finally { $key.Close() }
    return $state
}
function Test-FixgenRegistryStep { param([hashtable]$Step)
    $target = $Step.Path + '\' + $Step.Name
    $now = Read-FixgenRegistryValue -Path $Step.Path -Name $Step.Name
    if ($Step.Ensure -eq 'Absent') { New-FixgenCompliance -Target $target -Setting 'Ensure' -Expected 'Absent' -Actual $(if ($null -eq $now.Kind) { 'Absent' } else { 'Present' }) -Compliant ($null -eq $now.Kind); return }
    $expected = ConvertTo-FixgenRegistryData -Type $Step.Type -Value $Step.Value
    New-FixgenCompliance -Target $target -Setting 'Type' -Expected $Step.Type -Actual $now.Kind -Compliant ($now.Kind -eq $Step.Type)
    $same = ($now.Kind -eq $Step.Type) -and $(if ($Step.Type -eq 'MultiString' -or $Step.Type -eq 'Binary') { Test-FixgenListEqual -Left $now.Raw -Right $expected } else { $now.Raw -ceq $expected })
    New-FixgenCompliance -Target $target -Setting 'Data' -Expected $expected -Actual $now.Raw -Compliant $same
}
