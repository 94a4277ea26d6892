# The one line Intune shows: control characters become spaces; over MaxLength (Intune keeps 2,048) it is cut, never inside a surrogate pair.
function Limit-FixgenLine { param([AllowEmptyString()][string]$Text, [ValidateRange(16, 2047)][int]$MaxLength = 2000)
    $line = $Text -replace '[\x00-\x1F\x7F]+', ' '
    if ($line.Length -le $MaxLength) { return $line }
    $cut = $MaxLength - 4
    if ([char]::IsHighSurrogate($line[$cut - 1])) { $cut-- }
    return ($line.Substring(0, $cut) + ' ...')
}
