# The prior state of what one step may change (Get-Fixgen<Kind>Backup from the kind's backup block).
function Get-FixgenStepBackup {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Step)
    & ('Get-Fixgen' + ($Step.Kind -replace '_', '') + 'Backup') -Step $Step
}

# Saves the prior state of everything the steps may change as JSON in <backup folder>\<UTC
# time>-<n>.json, once per run just before the first change; throws when it cannot (nothing is
# changed without a backup). Keeps at most 10 files: restored ones go first, then un-restored ones
# except the oldest (the state before the first change, which undo restores).
function Save-FixgenBackup {
    [CmdletBinding()] param([Parameter(Mandatory)][hashtable]$Recipe, [Parameter(Mandatory)][AllowEmptyCollection()][object[]]$Steps)
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $items = @()
    foreach ($step in $Steps) { $items += ,(Get-FixgenStepBackup -Step $step) }
    $now = (Get-Date).ToUniversalTime()
    $document = [ordered]@{
        Format        = 'fixgen-backup/1'
        Recipe        = $Recipe.Id
        Bundle        = $Recipe.Bundle
        BundleVersion = $Recipe.BundleVersion
        SourceSha256  = $Recipe.SourceSha256
        Created       = $now.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', $invariant)
        Computer      = $env:COMPUTERNAME
        Items         = $items
    }
    $json = ConvertTo-Json -InputObject $document -Depth 8
    $folder = Get-FixgenBackupFolder -RecipeId $Recipe.Id -Context $Recipe.Context -Create
    $stamp = $now.ToString('yyyyMMddTHHmmssfffffffZ', $invariant)
    $n = 0
    $file = Join-Path -Path $folder -ChildPath ($stamp + '-0.json')
    while (Test-Path -LiteralPath $file) {
        $n++
        $file = Join-Path -Path $folder -ChildPath ($stamp + '-' + $n + '.json')
    }
    $temporary = $file + '.tmp'
    [System.IO.File]::WriteAllText($temporary, $json, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
    [System.IO.File]::Move($temporary, $file)
    Write-FixgenLog -Message ($Recipe.Id + ': prior state saved to ' + $file)
    $all = @([System.IO.Directory]::GetFiles($folder, '*.json') | Sort-Object)
    $excess = $all.Count - 10
    if ($excess -gt 0) {
        $restored = @($all | Where-Object -FilterScript { $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) })
        $open = @($all | Where-Object -FilterScript { -not $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) })
        $candidates = @($restored) + @($open | Select-Object -Skip 1)
        foreach ($old in @($candidates | Select-Object -First $excess)) {
            [System.IO.File]::Delete($old)
            Write-FixgenLog -Message ($Recipe.Id + ': old backup removed (at most 10 are kept): ' + $old)
        }
    }
}
