# True when a file or folder is owned by SYSTEM or Administrators (-AllowCurrentUser: or this user); backups anyone else owns are never used.
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
# $env:ProgramData\fixgen\backup\<id> (user context: LOCALAPPDATA); -Create makes missing levels. Every level must have a trusted owner.
function Get-FixgenBackupFolder { param([string]$RecipeId, [switch]$Create, [ValidateSet('System', 'User')][string]$Context = 'System')
    $user = ($Context -eq 'User')
    $root = Join-Path -Path $(if ($user) { $env:LOCALAPPDATA } else { $env:ProgramData }) -ChildPath 'fixgen'
    $folder = $root
    foreach ($level in @('', 'backup', $RecipeId)) {
        if ($level -ne '') { $folder = Join-Path -Path $folder -ChildPath $level }
        if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
            if (-not $Create) { return $null }
            New-FixgenFolder -LiteralPath $folder -Protect:(-not $user)
        }
        if (-not (Test-FixgenTrustedOwner -LiteralPath $folder -AllowCurrentUser:$user)) { throw ($folder + ' is not owned by SYSTEM or Administrators; it is not used for backups (delete it if nobody expects it)') }
    }
    return $folder
}
