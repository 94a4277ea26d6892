function Get-FixgenStepBackup { param([hashtable]$Step)
    $fixgenKindCommand = Get-FixgenKindCommand -Verb 'Get' -Kind $Step.Kind -Noun 'Backup'
    & $fixgenKindCommand -Step $Step
}
# Saves the prior state of every step as JSON (<backup folder>\<UTC time>-<n>.json); throws when it cannot, so nothing
# changes without a backup. Keeps 10 files: restored ones go first, then all but the oldest (the state undo restores).
function Save-FixgenBackup { param([hashtable]$Recipe, [object[]]$Steps)
    $inv = [System.Globalization.CultureInfo]::InvariantCulture
    $now = (Get-Date).ToUniversalTime()
    $items = @(); foreach ($step in $Steps) { $items += ,(Get-FixgenStepBackup -Step $step) }
    $document = [ordered]@{ Format = 'fixgen-backup/1'; Recipe = $Recipe.Id; Bundle = $Recipe.Bundle; BundleVersion = $Recipe.BundleVersion; SourceSha256 = $Recipe.SourceSha256; Created = $now.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', $inv); Computer = $env:COMPUTERNAME; Items = $items }
    $json = ConvertTo-Json -InputObject $document -Depth 8
    $folder = Get-FixgenBackupFolder -RecipeId $Recipe.Id -Context $Recipe.Context -Create
    $n = 0
    while (Test-Path -LiteralPath ($file = Join-Path -Path $folder -ChildPath ($now.ToString('yyyyMMddTHHmmssfffffffZ', $inv) + '-' + $n + '.json'))) { $n++ }
    [System.IO.File]::WriteAllText($file + '.tmp', $json, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
    [System.IO.File]::Move($file + '.tmp', $file)
    Write-FixgenLog -Message ($Recipe.Id + ': prior state saved to ' + $file)
    $all = @([System.IO.Directory]::GetFiles($folder, '*.json') | Sort-Object)
    $restored = @($all | Where-Object -FilterScript { $_.EndsWith('.restored.json', [System.StringComparison]::OrdinalIgnoreCase) })
    $open = @($all | Where-Object -FilterScript { $restored -notcontains $_ } | Select-Object -Skip 1)
    foreach ($old in @(@($restored) + $open | Select-Object -First ([System.Math]::Max(0, $all.Count - 10)))) {
        [System.IO.File]::Delete($old)
        Write-FixgenLog -Message ($Recipe.Id + ': old backup removed (at most 10 are kept): ' + $old)
    }
}
