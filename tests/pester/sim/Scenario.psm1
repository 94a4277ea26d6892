# Shared helpers for the scenario files (issue 13). Import after SimWindows.psm1.
#
# Known failures: tag the It with 'KnownFailure:<issue>' (for example -Tag 'KnownFailure:15').
# The runner (tests/pester.rs) inverts such a test: it passes when the body fails (the fault is
# still there) and fails with "now passes: remove the known-failure mark" when the body passes.

function Get-L2tpPath {
    <#
    .SYNOPSIS
    A file of the L2TP bundle built with values (default) or without (-Open).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Relative, [switch]$Open)
    $root = $env:FIXGEN_L2TP_BUNDLE
    if ($Open) { $root = $env:FIXGEN_L2TP_OPEN }
    if ([string]::IsNullOrEmpty($root)) { throw 'FIXGEN_L2TP_BUNDLE / FIXGEN_L2TP_OPEN is not set (run through cargo test --test pester)' }
    $path = Join-Path -Path $root -ChildPath $Relative
    if (-not (Microsoft.PowerShell.Management\Test-Path -LiteralPath $path)) { throw ('not in the bundle: ' + $path) }
    return $path
}

function Format-SimChanges {
    <#
    .SYNOPSIS
    The journal as text, for failure messages.
    #>
    param([AllowNull()][AllowEmptyCollection()][object[]]$Changes)
    (@($Changes) | Where-Object { $null -ne $_ } | ForEach-Object { $_.Command + ' ' + (($_.Arguments.GetEnumerator() | ForEach-Object { $_.Key + '=' + [string]$_.Value }) -join ' ') }) -join '; '
}

function Get-SimLogText {
    param([Parameter(Mandatory)][string]$Recipe, [int]$Type = 0)
    @(Get-SimLog -Recipe $Recipe | Where-Object { $Type -eq 0 -or $_.Type -eq $Type } | ForEach-Object { $_.Message })
}

Export-ModuleMember -Function Get-L2tpPath, Format-SimChanges, Get-SimLogText
