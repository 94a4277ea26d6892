# The data as the registry provider stores it: DWORD and QWORD as their signed bit pattern (4294967295
# is -1), multi-strings as [string[]], binary as [byte[]].
function ConvertTo-FixgenRegistryData {
    [CmdletBinding()] param([Parameter(Mandatory)][string]$Type, [AllowNull()][object]$Value)
    if ($Type -eq 'DWord') {
        return [System.BitConverter]::ToInt32([System.BitConverter]::GetBytes([uint32]$Value), 0)
    }
    if ($Type -eq 'QWord') {
        return [System.BitConverter]::ToInt64([System.BitConverter]::GetBytes([uint64]$Value), 0)
    }
    if ($Type -eq 'MultiString') {
        return ,([string[]]@($Value))
    }
    if ($Type -eq 'Binary') {
        return ,([byte[]]@($Value))
    }
    return [string]$Value
}

# Reads one registry value and compares kind and data (or absence) with the step.
function Test-FixgenRegistryStep {
    [CmdletBinding()] [OutputType([pscustomobject])] param([Parameter(Mandatory)][hashtable]$Step)
    $target = $Step.Path + '\' + $Step.Name
    $actualKind = $null
    $actual = $null
    $key = Get-Item -LiteralPath $Step.Path -ErrorAction SilentlyContinue
    if ($null -ne $key) {
        try {
            if ($key.GetValueNames() -contains $Step.Name) {
                $actualKind = $key.GetValueKind($Step.Name).ToString()
                $actual = $key.GetValue($Step.Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
            }
        } finally {
            $key.Close()
        }
    }
    if ($Step.Ensure -eq 'Absent') {
        New-FixgenCompliance -Target $target -Setting 'Ensure' -Expected 'Absent' -Actual $(if ($null -eq $actualKind) { 'Absent' } else { 'Present' }) -Compliant ($null -eq $actualKind)
        return
    }
    $expected = ConvertTo-FixgenRegistryData -Type $Step.Type -Value $Step.Value
    New-FixgenCompliance -Target $target -Setting 'Type' -Expected $Step.Type -Actual $actualKind -Compliant ($actualKind -eq $Step.Type)
    $same = $false
    if ($actualKind -eq $Step.Type) {
        if ($Step.Type -eq 'MultiString' -or $Step.Type -eq 'Binary') {
            $same = Test-FixgenListEqual -Left $actual -Right $expected
        } else {
            $same = ($actual -ceq $expected)
        }
    }
    New-FixgenCompliance -Target $target -Setting 'Data' -Expected $expected -Actual $actual -Compliant $same
}
