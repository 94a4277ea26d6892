# True when two lists hold the same items in any order (case-insensitive).
function Test-FixgenSetEqual { param([AllowNull()][object[]]$Left, [AllowNull()][object[]]$Right)
    $l = @(); $r = @()
    if ($null -ne $Left) { $l = @(@($Left) | ForEach-Object -Process { ([string]$_).ToUpperInvariant() } | Sort-Object -Unique) }
    if ($null -ne $Right) { $r = @(@($Right) | ForEach-Object -Process { ([string]$_).ToUpperInvariant() } | Sort-Object -Unique) }
    return (Test-FixgenListEqual -Left $l -Right $r)
}
