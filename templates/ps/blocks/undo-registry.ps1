# The settings in which a registry value differs from its backup (presence first).
function Compare-FixgenRegistryItem { param([object]$Item)
    $state = Get-FixgenRegistryState -Path $Item.Path -Name $Item.Name
    if (-not $Item.Exists) { if ($state.Exists) { 'Exists' }; return }
    if (-not $state.Exists) { 'Exists'; return }
    if ($state.Type -ne $Item.Type) { 'Type' }
    if ($Item.Type -eq 'MultiString') { if (-not (Test-FixgenListEqual -Left $state.Data -Right @($Item.Data))) { 'Data' } }
    elseif (-not ([string]$state.Data -ceq [string]$Item.Data)) { 'Data' }
}
# Writes the value back with its saved kind and data (from the backup's text form), or deletes it when it
# did not exist (and its key, when fixgen created it and it is now empty).
function Restore-FixgenRegistryItem { param([object]$Item)
    if (-not $Item.Exists) {
        if ((Get-FixgenRegistryState -Path $Item.Path -Name $Item.Name).Exists) { Remove-FixgenRegistryValue -Path $Item.Path -Name ([string]$Item.Name) }
        $state = Get-FixgenRegistryState -Path $Item.Path -Name $Item.Name
        if (-not $Item.KeyExists -and $state.KeyExists -and $state.KeyEmpty) { Remove-Item -LiteralPath $Item.Path -Force -ErrorAction Stop -Confirm:$false }
        return
    }
    if ($Item.Type -notin @('String', 'ExpandString', 'MultiString', 'DWord', 'QWord', 'Binary')) {
        throw ('the saved value has kind ' + $Item.Type + ', which the registry provider cannot write back; restore it by hand from the backup file')
    }
    if (-not (Test-Path -LiteralPath $Item.Path)) { $null = New-Item -Path $Item.Path -Force -ErrorAction Stop -Confirm:$false }
    if ($Item.Type -eq 'Binary') { $data = [byte[]]@(([string]$Item.Data -split '-') | Where-Object -FilterScript { $_ -ne '' } | ForEach-Object -Process { [System.Convert]::ToByte($_, 16) }) }
    else { $data = ConvertTo-FixgenRegistryData -Type $Item.Type -Value $Item.Data }
    $name = [string]$Item.Name
    if ($name -eq '') { $name = '(default)' }
    $null = New-ItemProperty -LiteralPath $Item.Path -Name $name -PropertyType $Item.Type -Value $data -Force -ErrorAction Stop -Confirm:$false
}
