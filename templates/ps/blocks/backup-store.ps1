# True when a file or folder is owned by SYSTEM or Administrators (or, -AllowCurrentUser, this user):
# backups are restored as SYSTEM, so one anyone else owns is never used.
function Test-FixgenTrustedOwner { param([string]$LiteralPath, [switch]$AllowCurrentUser)
    $owner = (Get-Acl -LiteralPath $LiteralPath -ErrorAction Stop).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    if ($owner -eq 'S-1-5-18' -or $owner -eq 'S-1-5-32-544') { return $true }
    return ($AllowCurrentUser -and $owner -eq [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value)
}
# Creates a folder; -Protect restricts it to SYSTEM and Administrators (full control, inherited by its
# files; inheritance from ProgramData, where users may create files, removed).
function New-FixgenFolder { param([string]$LiteralPath, [switch]$Protect)
    $null = New-Item -Path $LiteralPath -ItemType Directory -Force -ErrorAction Stop -WhatIf:$false -Confirm:$false
    if (-not $Protect) { return }
    $acl = Get-Acl -LiteralPath $LiteralPath -ErrorAction Stop
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $identity = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid
        $acl.SetAccessRule((New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList $identity, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow'))
    }
    Set-Acl -LiteralPath $LiteralPath -AclObject $acl -ErrorAction Stop -WhatIf:$false -Confirm:$false
}
# $env:ProgramData\fixgen\backup\<recipe id> (LOCALAPPDATA for user context). -Create makes missing levels
# (protected under ProgramData). Every level must have a trusted owner, else this throws. Without -Create:
# $null when the folder does not exist.
function Get-FixgenBackupFolder { param([string]$RecipeId, [switch]$Create, [ValidateSet('System', 'User')][string]$Context = 'System')
    $user = ($Context -eq 'User')
    $root = Join-Path -Path $(if ($user) { $env:LOCALAPPDATA } else { $env:ProgramData }) -ChildPath 'fixgen'
    $backup = Join-Path -Path $root -ChildPath 'backup'
    foreach ($level in @($root, $backup, ($folder = Join-Path -Path $backup -ChildPath $RecipeId))) {
        if (-not (Test-Path -LiteralPath $level -PathType Container)) {
            if (-not $Create) { return $null }
            New-FixgenFolder -LiteralPath $level -Protect:(-not $user)
        }
        if (-not (Test-FixgenTrustedOwner -LiteralPath $level -AllowCurrentUser:$user)) { throw ($level + ' is not owned by SYSTEM or Administrators; it is not used for backups (delete it if nobody expects it)') }
    }
    return $folder
}
