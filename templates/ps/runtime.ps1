#region fixgen runtime (logging, compliance objects, the step runner)

function Initialize-FixgenLog {
    <#
    .SYNOPSIS
{%- if detect %}
    Names the log component. A detection script only reads: it writes no log file, and its
    messages go to the verbose stream.
{%- else %}
    Chooses the CMTrace log file: $env:windir\Logs\fixgen\<id>.log, or the user's
    LOCALAPPDATA when that folder cannot be written (user-context recipes).
{%- endif %}
    With -Quiet, warnings and errors go to the verbose stream too, so the only output is the
    caller's own (Intune keeps one summary line).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$Component,

        [switch]$Quiet
    )
    $script:FixgenLogComponent = $Component
    $script:FixgenLogQuiet = [bool]$Quiet
    $script:FixgenLogPath = $null
{%- if !detect %}
    $folders = @(
        (Join-Path -Path $env:windir -ChildPath 'Logs\fixgen'),
        (Join-Path -Path $env:LOCALAPPDATA -ChildPath 'fixgen\Logs')
    )
    foreach ($folder in $folders) {
        try {
            if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
                $null = New-Item -Path $folder -ItemType Directory -Force -ErrorAction Stop -WhatIf:$false -Confirm:$false
            }
            $file = Join-Path -Path $folder -ChildPath ($Component + '.log')
            $item = Get-Item -LiteralPath $file -ErrorAction SilentlyContinue
            if ($null -ne $item -and $item.Length -gt 5MB) {
                Move-Item -LiteralPath $file -Destination ($file.Substring(0, $file.Length - 1) + '_') -Force -ErrorAction Stop -WhatIf:$false -Confirm:$false
            }
            Add-Content -LiteralPath $file -Value '' -Encoding UTF8 -ErrorAction Stop -WhatIf:$false -Confirm:$false
            $script:FixgenLogPath = $file
            return
        } catch {
            Write-Verbose -Message ('Cannot write a log in ' + $folder + ': ' + $_.Exception.Message)
        }
    }
{%- endif %}
}

function Write-FixgenLog {
    <#
    .SYNOPSIS
    Writes one CMTrace-format line to the log file and the message to the verbose stream
    (warnings and errors to the warning stream, unless the log was initialized -Quiet).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string]$Message,

        [ValidateSet('Info', 'Warning', 'Error')]
        [string]$Severity = 'Info'
    )
    $type = 1
    if ($Severity -eq 'Warning') { $type = 2 }
    if ($Severity -eq 'Error') { $type = 3 }
{%- if !detect %}
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $now = Get-Date
    $bias = [int][System.TimeZoneInfo]::Local.GetUtcOffset($now).TotalMinutes
    $text = ($Message -replace '\]LOG\]!>', '] LOG]!>') -replace '[\r\n]+', ' '
    $line = '<![LOG[' + $text + ']LOG]!><time="' + $now.ToString('HH:mm:ss.fff', $invariant) +
        $bias.ToString('+000;-000', $invariant) + '" date="' + $now.ToString('MM-dd-yyyy', $invariant) +
        '" component="' + $script:FixgenLogComponent + '" context="" type="' + $type + '" thread="' + $PID +
        '" file="' + $script:FixgenLogComponent + '">'
    if ($null -ne $script:FixgenLogPath) {
        try {
            Add-Content -LiteralPath $script:FixgenLogPath -Value $line -Encoding UTF8 -ErrorAction Stop -WhatIf:$false -Confirm:$false
        } catch {
            Write-Verbose -Message ('Cannot write the log: ' + $_.Exception.Message)
        }
    }
{%- endif %}
    if ($type -eq 1 -or $script:FixgenLogQuiet) {
        Write-Verbose -Message $Message
    } elseif ($type -eq 2) {
        Write-Warning -Message $Message
    } else {
        Write-Warning -Message ('ERROR: ' + $Message)
    }
}

function Format-FixgenValue {
    <#
    .SYNOPSIS
    Text for a value in a log line: arrays joined, bytes in hex, secrets hidden.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowNull()]
        [object]$Value
    )
    if ($null -eq $Value) { return '(none)' }
    if ($Value -is [System.Security.SecureString]) { return '(secret)' }
    if ($Value -is [byte[]]) {
        return (($Value | ForEach-Object -Process { $_.ToString('X2') }) -join ' ')
    }
    if ($Value -is [System.Array]) {
        return ('[' + ((@($Value) | ForEach-Object -Process { [string]$_ }) -join ', ') + ']')
    }
    return [string]$Value
}

function New-FixgenCompliance {
    <#
    .SYNOPSIS
    One compliance result: what was checked, the expected and the actual value. ReportOnly
    marks a finding that no remediation of this recipe changes (a pending Windows update under
    action scan, a pending restart): it is reported, and never decides an exit code.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$Target,

        [Parameter(Mandatory)]
        [string]$Setting,

        [AllowNull()]
        [object]$Expected,

        [AllowNull()]
        [object]$Actual,

        [Parameter(Mandatory)]
        [bool]$Compliant
    )
    [pscustomobject]@{
        Recipe    = $script:FixgenLogComponent
        Target    = $Target
        Setting   = $Setting
        Expected  = $Expected
        Actual    = $Actual
        Compliant = $Compliant
        ReportOnly = $false
    }
}

function Test-FixgenListEqual {
    <#
    .SYNOPSIS
    True when two lists hold the same items in the same order (strings compared case-sensitively).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [AllowNull()]
        [object[]]$Left,

        [AllowNull()]
        [object[]]$Right
    )
    $l = @()
    $r = @()
    if ($null -ne $Left) { $l = @($Left) }
    if ($null -ne $Right) { $r = @($Right) }
    if ($l.Count -ne $r.Count) { return $false }
    for ($i = 0; $i -lt $l.Count; $i++) {
        if (-not ($l[$i] -ceq $r[$i])) { return $false }
    }
    return $true
}

function Test-FixgenSetEqual {
    <#
    .SYNOPSIS
    True when two lists hold the same items in any order (case-insensitive).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [AllowNull()]
        [object[]]$Left,

        [AllowNull()]
        [object[]]$Right
    )
    $l = @()
    $r = @()
    if ($null -ne $Left) { $l = @(@($Left) | ForEach-Object -Process { ([string]$_).ToUpperInvariant() } | Sort-Object -Unique) }
    if ($null -ne $Right) { $r = @(@($Right) | ForEach-Object -Process { ([string]$_).ToUpperInvariant() } | Sort-Object -Unique) }
    return (Test-FixgenListEqual -Left $l -Right $r)
}

{% if !detect -%}
function Test-FixgenElevation {
    <#
    .SYNOPSIS
    True when the process runs elevated (as an administrator or SYSTEM).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object -TypeName System.Security.Principal.WindowsPrincipal -ArgumentList $identity
    return $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

{% endif -%}
function Test-FixgenRecipe {
    <#
    .SYNOPSIS
    Runs the read-only check of every step and returns its compliance objects. Changes nothing.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Recipe,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$Steps
    )
    $index = 0
    foreach ($step in $Steps) {
        $index++
        try {
            $checks = @(Test-FixgenStep -Step $step)
        } catch {
            $checks = @(New-FixgenCompliance -Target ('step ' + $index + ' (' + $step.Kind + ')') -Setting 'Check' -Expected 'readable' -Actual ('check failed: ' + $_.Exception.Message) -Compliant $false)
        }
        foreach ($check in $checks) {
            $check.Recipe = $Recipe.Id
            $check
        }
    }
}

{% if !detect -%}
function Invoke-FixgenRecipe {
    <#
    .SYNOPSIS
    For each step: read the current state; if it differs, change it under ShouldProcess; read
    it again and verify. Returns one result object with the exit code (0, 3010 or 1).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Recipe,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$Steps
    )
    $failed = 0
    $changed = 0
    $pending = 0
    $reported = 0
    $rebootNeeded = $false
    $backupSaved = $false
    # The first failure's reason goes into the summary line: Intune shows that line, not the log.
    $reason = ''
    $id = $Recipe.Id
    Write-FixgenLog -Message ('Starting ' + $id + ' (bundle ' + $Recipe.Bundle + ' ' + $Recipe.BundleVersion + ', source sha256 ' + $Recipe.SourceSha256 + ')')
    if ([System.Environment]::Is64BitOperatingSystem -and -not [System.Environment]::Is64BitProcess) {
        $reason = 'running in a 32-bit PowerShell host on 64-bit Windows; run it in 64-bit PowerShell (for Intune, set "Run script in 64 bit PowerShell host" to Yes).'
        Write-FixgenLog -Severity Error -Message ($id + ': ' + $reason)
        $failed++
    } elseif ($Recipe.Context -eq 'System' -and -not (Test-FixgenElevation)) {
        $reason = 'needs an elevated session (administrator or SYSTEM).'
        Write-FixgenLog -Severity Error -Message ($id + ': ' + $reason)
        $failed++
    } else {
        $index = 0
        foreach ($step in $Steps) {
            $index++
            $label = $id + ' step ' + $index + ' (' + $step.Kind + ')'
            try {
                $before = @(Test-FixgenStep -Step $step)
                $notes = @($before | Where-Object -FilterScript { -not $_.Compliant -and $_.ReportOnly })
                $open = @($before | Where-Object -FilterScript { -not $_.Compliant -and -not $_.ReportOnly })
                foreach ($check in @($notes) + @($open)) {
                    Write-FixgenLog -Severity Warning -Message ($label + ': ' + $check.Target + ' ' + $check.Setting + ' is ' + (Format-FixgenValue -Value $check.Actual) + ', expected ' + (Format-FixgenValue -Value $check.Expected))
                }
                if ($open.Count -eq 0 -and $notes.Count -eq 0) {
                    Write-FixgenLog -Message ($label + ': already compliant')
                    continue
                }
                if ($open.Count -eq 0 -or $step.ReportOnly) {
                    # Report-only findings (a pending update under action scan, a pending
                    # restart): reported, nothing changed, no exit code of their own.
                    $reported++
                    Write-FixgenLog -Severity Warning -Message ($label + ': reported only; this recipe changes nothing here')
                    continue
                }
                $settings = (@($open | ForEach-Object -Process { $_.Setting }) | Select-Object -Unique) -join ', '
                if (-not $PSCmdlet.ShouldProcess($open[0].Target, ('Set ' + $settings))) {
                    $pending++
                    Write-FixgenLog -Message ($label + ': not changed (WhatIf or declined)')
                    continue
                }
                if (-not $backupSaved) {
                    Save-FixgenBackup -Recipe $Recipe -Steps $Steps
                    $backupSaved = $true
                }
                $result = Set-FixgenStep -Step $step
                $changed++
                $stepReboot = ($null -ne $result -and $result.RebootRequired)
                if ($stepReboot) { $rebootNeeded = $true }
                $after = @(Test-FixgenStep -Step $step)
                $still = @($after | Where-Object -FilterScript { -not $_.Compliant -and -not $_.ReportOnly })
                if ($still.Count -eq 0) {
                    Write-FixgenLog -Message ($label + ': changed and verified')
                } elseif ($stepReboot) {
                    Write-FixgenLog -Severity Warning -Message ($label + ': changed; the rest takes effect after a restart')
                } else {
                    foreach ($check in $still) {
                        $text = 'step ' + $index + ' (' + $step.Kind + '): verification failed: ' + $check.Target + ' ' + $check.Setting + ' is ' + (Format-FixgenValue -Value $check.Actual) + ', expected ' + (Format-FixgenValue -Value $check.Expected)
                        if ($reason -eq '') { $reason = $text }
                        Write-FixgenLog -Severity Error -Message ($id + ' ' + $text)
                    }
                    $failed++
                }
            } catch {
                if ($reason -eq '') { $reason = 'step ' + $index + ' (' + $step.Kind + ') failed: ' + $_.Exception.Message }
                Write-FixgenLog -Severity Error -Message ($label + ' failed: ' + $_.Exception.Message)
                $failed++
            }
        }
    }
    if ($changed -gt 0 -and $Recipe.Reboot -eq 'Required') { $rebootNeeded = $true }
    # A run that changed nothing never asks for a restart (3010): a restart that was already
    # pending is reported, not caused here.
    if ($changed -eq 0) { $rebootNeeded = $false }
    if ($changed -gt 0 -and $Recipe.Reboot -eq 'Recommended') {
        Write-FixgenLog -Severity Warning -Message ($id + ': a restart is recommended for the change to take full effect')
    }
    $exitCode = 0
    if ($failed -gt 0) {
        $exitCode = 1
        $summary = $id + ': FAILED (' + $failed + ' step(s) failed; first: ' + $reason + '; see the log)'
    } elseif ($rebootNeeded) {
        $exitCode = 3010
        $summary = $id + ': fixed, restart required (' + $changed + ' step(s) changed)'
    } elseif ($changed -gt 0) {
        $summary = $id + ': fixed (' + $changed + ' step(s) changed and verified)'
    } elseif ($pending -gt 0) {
        $summary = $id + ': not compliant; ' + $pending + ' step(s) would change (WhatIf)'
    } elseif ($reported -gt 0) {
        $summary = $id + ': reported ' + $reported + ' finding(s); nothing changed'
    } else {
        $summary = $id + ': already compliant'
    }
    Write-FixgenLog -Message ($summary + ' (exit ' + $exitCode + ')')
    [pscustomobject]@{
        Recipe         = $id
        Changed        = $changed
        Failed         = $failed
        Pending        = $pending
        RebootRequired = $rebootNeeded
        ExitCode       = $exitCode
        Summary        = $summary
    }
}
{%- endif %}

#endregion
