# CMTrace log $env:windir\Logs\fixgen\<id>.log (else LOCALAPPDATA), rolled at 5 MB; -Quiet: warnings to the verbose stream too.
function Initialize-FixgenLog { param([string]$Component, [switch]$Quiet)
    $script:FixgenLogComponent = $Component; $script:FixgenLogQuiet = [bool]$Quiet; $script:FixgenLogPath = $null
    foreach ($folder in @((Join-Path -Path $env:windir -ChildPath 'Logs\fixgen'), (Join-Path -Path $env:LOCALAPPDATA -ChildPath 'fixgen\Logs'))) {
        try {
            if (-not (Test-Path -LiteralPath $folder -PathType Container)) { $null = New-Item -Path $folder -ItemType Directory -Force -ErrorAction Stop -WhatIf:$false -Confirm:$false }
            $file = Join-Path -Path $folder -ChildPath ($Component + '.log')
            $item = Get-Item -LiteralPath $file -ErrorAction SilentlyContinue
            if ($null -ne $item -and $item.Length -gt 5MB) { Move-Item -LiteralPath $file -Destination ($file.Substring(0, $file.Length - 1) + '_') -Force -ErrorAction Stop -WhatIf:$false -Confirm:$false }
            Add-Content -LiteralPath $file -Value '' -Encoding UTF8 -ErrorAction Stop -WhatIf:$false -Confirm:$false
            $script:FixgenLogPath = $file; return
        } catch { Write-Verbose -Message ('Cannot write a log in ' + $folder + ': ' + $_.Exception.Message) }
    }
}
function Write-FixgenLog { param([AllowEmptyString()][string]$Message, [ValidateSet('Info', 'Warning', 'Error')][string]$Severity = 'Info')
    $type = @{ Info = 1; Warning = 2; Error = 3 }[$Severity]
    $inv = [System.Globalization.CultureInfo]::InvariantCulture
    $now = Get-Date
    $bias = [int][System.TimeZoneInfo]::Local.GetUtcOffset($now).TotalMinutes
    $text = ($Message -replace '\]LOG\]!>', '] LOG]!>') -replace '[\r\n]+', ' '
    $line = '<![LOG[' + $text + ']LOG]!><time="' + $now.ToString('HH:mm:ss.fff', $inv) + $bias.ToString('+000;-000', $inv) + '" date="' + $now.ToString('MM-dd-yyyy', $inv) +
        '" component="' + $script:FixgenLogComponent + '" context="" type="' + $type + '" thread="' + $PID + '" file="' + $script:FixgenLogComponent + '">'
    if ($null -ne $script:FixgenLogPath) {
        try { Add-Content -LiteralPath $script:FixgenLogPath -Value $line -Encoding UTF8 -ErrorAction Stop -WhatIf:$false -Confirm:$false }
        catch { Write-Verbose -Message ('Cannot write the log: ' + $_.Exception.Message) }
    }
    if ($type -eq 1 -or $script:FixgenLogQuiet) { Write-Verbose -Message $Message } elseif ($type -eq 2) { Write-Warning -Message $Message } else { Write-Warning -Message ('ERROR: ' + $Message) }
}
function Test-FixgenElevation {
    return (New-Object -TypeName System.Security.Principal.WindowsPrincipal -ArgumentList ([System.Security.Principal.WindowsIdentity]::GetCurrent())).IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}
# True when a file or folder is owned by SYSTEM or Administrators (-AllowCurrentUser: or this user); folders and backups anyone else owns are never used.
function Test-FixgenTrustedOwner { param([string]$LiteralPath, [switch]$AllowCurrentUser)
    $owner = (Get-Acl -LiteralPath $LiteralPath -ErrorAction Stop).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    return ($owner -eq 'S-1-5-18' -or $owner -eq 'S-1-5-32-544' -or ($AllowCurrentUser -and $owner -eq [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value))
}
# Creates a folder; -Protect: SYSTEM and Administrators only (inheritance from ProgramData, where users may write, removed).
function New-FixgenFolder { param([string]$LiteralPath, [switch]$Protect)
    $null = New-Item -Path $LiteralPath -ItemType Directory -Force -ErrorAction Stop -WhatIf:$false -Confirm:$false
    if (-not $Protect) { return }
    $acl = Get-Acl -LiteralPath $LiteralPath -ErrorAction Stop
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $acl.SetAccessRule((New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList (New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid), 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow'))
    }
    Set-Acl -LiteralPath $LiteralPath -AclObject $acl -ErrorAction Stop -WhatIf:$false -Confirm:$false
}
# $env:ProgramData\fixgen\<levels> (user context: LOCALAPPDATA), e.g. backup\<id> or vpn; -Create makes missing levels. Every level must have a trusted owner.
function Get-FixgenFolder { param([string[]]$Levels, [switch]$Create, [ValidateSet('System', 'User')][string]$Context = 'System')
    $user = ($Context -eq 'User')
    $root = Join-Path -Path $(if ($user) { $env:LOCALAPPDATA } else { $env:ProgramData }) -ChildPath 'fixgen'
    $folder = $root
    foreach ($level in @('') + $Levels) {
        if ($level -ne '') { $folder = Join-Path -Path $folder -ChildPath $level }
        if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
            if (-not $Create) { return $null }
            New-FixgenFolder -LiteralPath $folder -Protect:(-not $user)
        }
        if (-not (Test-FixgenTrustedOwner -LiteralPath $folder -AllowCurrentUser:$user)) { throw ($folder + ' is not owned by SYSTEM or Administrators; fixgen does not use it (delete it if nobody expects it)') }
    }
    return $folder
}
