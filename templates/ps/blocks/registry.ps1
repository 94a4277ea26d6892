# Data as the registry provider stores it: DWORD/QWORD as their signed bit pattern (4294967295 is -1).
function ConvertTo-FixgenRegistryData { param([string]$Type, [AllowNull()][object]$Value)
    if ($Type -eq 'DWord') { return [System.BitConverter]::ToInt32([System.BitConverter]::GetBytes([uint32]$Value), 0) }
    if ($Type -eq 'QWord') { return [System.BitConverter]::ToInt64([System.BitConverter]::GetBytes([uint64]$Value), 0) }
    if ($Type -eq 'MultiString') { return ,([string[]]@($Value)) }
    if ($Type -eq 'Binary') { return ,([byte[]]@($Value)) }
    return [string]$Value
}
# Reads the value through its RegistryKey (the name taken literally, never a wildcard) and compares kind and data, or absence.
function Test-FixgenRegistryStep { param([hashtable]$Step)
    $target = $Step.Path + '\' + $Step.Name
    $kind = $null; $actual = $null
    $key = Get-Item -LiteralPath $Step.Path -ErrorAction SilentlyContinue
    if ($null -ne $key) {
        try { if ($key.GetValueNames() -contains $Step.Name) { $kind = $key.GetValueKind($Step.Name).ToString(); $actual = $key.GetValue($Step.Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames) } }
        finally { $key.Close() }
    }
    if ($Step.Ensure -eq 'Absent') { New-FixgenCompliance -Target $target -Setting 'Ensure' -Expected 'Absent' -Actual $(if ($null -eq $kind) { 'Absent' } else { 'Present' }) -Compliant ($null -eq $kind); return }
    $expected = ConvertTo-FixgenRegistryData -Type $Step.Type -Value $Step.Value
    New-FixgenCompliance -Target $target -Setting 'Type' -Expected $Step.Type -Actual $kind -Compliant ($kind -eq $Step.Type)
    $same = ($kind -eq $Step.Type) -and $(if ($Step.Type -eq 'MultiString' -or $Step.Type -eq 'Binary') { Test-FixgenListEqual -Left $actual -Right $expected } else { $actual -ceq $expected })
    New-FixgenCompliance -Target $target -Setting 'Data' -Expected $expected -Actual $actual -Compliant $same
}
