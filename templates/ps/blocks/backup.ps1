# The prior state of what one step may change (Get-Fixgen<Kind>Backup, from the kind's backup block).
function Get-FixgenStepBackup { param([hashtable]$Step)
    $fixgenKindCommand = Get-FixgenKindCommand -Verb 'Get' -Kind $Step.Kind -Noun 'Backup'
    & $fixgenKindCommand -Step $Step
}
# Saves the prior state of every step as JSON (<backup folder>\<UTC time>-<n>.json), once, just before the
# first change; throws when it cannot, so nothing changes without a backup. At most 10 files are kept:
# restored ones go first, then un-restored ones except the oldest (the state undo restores).
function Save-FixgenBackup { param([hashtable]$Recipe, [object[]]$Steps)
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $items = @()
    foreach ($step in $Steps) { $items += ,(Get-FixgenStepBackup -Step $step) }
    $now = (Get-Date).ToUniversalTime()
    $document = [ordered]@{ Format = 'fixgen-backup/1'; Recipe = $Recipe.Id; Bundle = $Recipe.Bundle; BundleVersion = $Recipe.BundleVersion; SourceSha256 = $Recipe.SourceSha256
        Created = $now.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', $invariant); Computer = $env:COMPUTERNAME; Items = $items }
    $json = ConvertTo-Json -InputObject $document -Depth 8
    $folder = Get-FixgenBackupFolder -RecipeId $Recipe.Id -Context $Recipe.Context -Create
    $stamp = $now.ToString('yyyyMMddTHHmmssfffffffZ', $invariant)
    $n = 0
    while (Test-Path -LiteralPath ($file = Join-Path -Path $folder -ChildPath ($stamp + '-' + $n + '.json'))) { $n++ }
    [System.IO.File]::WriteAllText($file + '.tmp', $json, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
    [System.IO.File]::Move($file + '.tmp', $file)
    Write-FixgenLog -Message ($Recipe.Id + ': prior state saved to ' + $file)
    $all = @([System.IO.Directory]::GetFiles($folder, '*.json') | Sort-Object)
    $restored = @($all | Where-Object -FilterScript { $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) })
    $open = @($all | Where-Object -FilterScript { -not $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) })
    foreach ($old in @(@($restored) + @($open | Select-Object -Skip 1) | Select-Object -First ([System.Math]::Max(0, $all.Count - 10)))) {
        [System.IO.File]::Delete($old)
        Write-FixgenLog -Message ($Recipe.Id + ': old backup removed (at most 10 are kept): ' + $old)
    }
}
