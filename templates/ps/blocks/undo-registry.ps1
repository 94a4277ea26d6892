# The backup's text form of registry data as the registry provider writes it.
function ConvertFrom-FixgenBackupData {
    [CmdletBinding()] param([Parameter(Mandatory)][string]$Type, [AllowNull()][object]$Data)
    if ($Type -eq 'Binary' -or $Type -eq 'None') {
        $hex = [string]$Data
        if ($hex -eq '') { return ,([byte[]]@()) }
        return ,([byte[]]@($hex -split '-' | ForEach-Object -Process { [System.Convert]::ToByte($_, 16) }))
    }
    if ($Type -eq 'MultiString') {
        return ,([string[]]@($Data))
    }
    return (ConvertTo-FixgenRegistryData -Type $Type -Value $Data)
}

# The settings in which a registry value differs from its backup.
function Compare-FixgenRegistryItem {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][object]$Item)
    $state = Get-FixgenRegistryState -Path $Item.Path -Name $Item.Name
    if (-not $Item.Exists) {
        if ($state.Exists) { 'Exists' }
        return
    }
    if (-not $state.Exists) {
        'Exists'
        return
    }
    if ($state.Type -ne $Item.Type) { 'Type' }
    if ($Item.Type -eq 'MultiString') {
        if (-not (Test-FixgenListEqual -Left $state.Data -Right @($Item.Data))) { 'Data' }
    } elseif (-not ([string]$state.Data -ceq [string]$Item.Data)) {
        'Data'
    }
}

# Writes a registry value back with its saved kind and data, or deletes it when it did not exist (and
# deletes its key when fixgen created it and it is now empty).
function Restore-FixgenRegistryItem {
    [CmdletBinding()] param([Parameter(Mandatory)][object]$Item)
    $name = [string]$Item.Name
    if ($name -eq '') { $name = '(default)' }
    if (-not $Item.Exists) {
        $state = Get-FixgenRegistryState -Path $Item.Path -Name $Item.Name
        if ($state.Exists) {
            Remove-FixgenRegistryValue -Path $Item.Path -Name ([string]$Item.Name)
        }
        $state = Get-FixgenRegistryState -Path $Item.Path -Name $Item.Name
        if (-not $Item.KeyExists -and $state.KeyExists -and $state.KeyEmpty) {
            Remove-Item -LiteralPath $Item.Path -Force -ErrorAction Stop -Confirm:$false
        }
        return
    }
    if ($Item.Type -notin @('String', 'ExpandString', 'MultiString', 'DWord', 'QWord', 'Binary')) {
        throw ('the saved value has kind ' + $Item.Type + ', which the registry provider cannot write back; restore it by hand from the backup file')
    }
    if (-not (Test-Path -LiteralPath $Item.Path)) {
        $null = New-Item -Path $Item.Path -Force -ErrorAction Stop -Confirm:$false
    }
    $data = ConvertFrom-FixgenBackupData -Type $Item.Type -Data $Item.Data
    $null = New-ItemProperty -LiteralPath $Item.Path -Name $name -PropertyType $Item.Type -Value $data -Force -ErrorAction Stop -Confirm:$false
}
