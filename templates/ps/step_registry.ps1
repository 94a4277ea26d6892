#region registry steps

function ConvertTo-FixgenRegistryData {
    <#
    .SYNOPSIS
    The data as the registry provider stores it: DWORD and QWORD as their signed bit pattern
    (4294967295 is -1), multi-strings as [string[]], binary as [byte[]].
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$Type,

        [AllowNull()]
        [object]$Value
    )
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

function Test-FixgenRegistryStep {
    <#
    .SYNOPSIS
    Reads one registry value and compares kind and data (or absence) with the step.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
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

{% if !detect -%}
function Remove-FixgenRegistryValue {
    <#
    .SYNOPSIS
    Deletes one registry value, its name taken literally ('' is the key's default value). Not
    Remove-ItemProperty: its -Name is a wildcard pattern (with -Path), and it cannot delete the
    default value. The caller has already asked ShouldProcess.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$Path,

        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string]$Name
    )
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

function Set-FixgenRegistryStep {
    <#
    .SYNOPSIS
    Writes (creating missing keys) or deletes one registry value. The caller has already
    asked ShouldProcess.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
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
{%- endif %}

#endregion
