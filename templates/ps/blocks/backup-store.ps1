# True when a file or folder is owned by SYSTEM or Administrators (or, with -AllowCurrentUser, by
# this user). Backups are restored as SYSTEM, so one anyone else owns is never used.
function Test-FixgenTrustedOwner {
    [CmdletBinding()] [OutputType([bool])] param([Parameter(Mandatory)][string]$LiteralPath, [switch]$AllowCurrentUser)
    $owner = (Get-Acl -LiteralPath $LiteralPath -ErrorAction Stop).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    if ($owner -eq 'S-1-5-18' -or $owner -eq 'S-1-5-32-544') { return $true }
    return ($AllowCurrentUser -and $owner -eq [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value)
}

# $env:ProgramData\fixgen\backup\<recipe id> ($env:LOCALAPPDATA for user-context recipes). With
# -Create, missing folders are created, under ProgramData restricted to SYSTEM and Administrators
# (full control, inheritance from ProgramData removed). Every level must have a trusted owner, else
# this throws. Without -Create, $null when the folder does not exist.
function Get-FixgenBackupFolder {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)][string]$RecipeId, [switch]$Create, [ValidateSet('System', 'User')][string]$Context = 'System')
    $user = ($Context -eq 'User')
    $base = $env:ProgramData
    if ($user) { $base = $env:LOCALAPPDATA }
    $root = Join-Path -Path $base -ChildPath 'fixgen'
    $backup = Join-Path -Path $root -ChildPath 'backup'
    $folder = Join-Path -Path $backup -ChildPath $RecipeId
    foreach ($level in @($root, $backup, $folder)) {
        if (-not (Test-Path -LiteralPath $level -PathType Container)) {
            if (-not $Create) { return $null }
            $null = New-Item -Path $level -ItemType Directory -Force -ErrorAction Stop -WhatIf:$false -Confirm:$false
            if (-not $user) {
                $acl = Get-Acl -LiteralPath $level -ErrorAction Stop
                $acl.SetAccessRuleProtection($true, $false)
                foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
                    $identity = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid
                    $acl.SetAccessRule((New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList $identity, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow'))
                }
                Set-Acl -LiteralPath $level -AclObject $acl -ErrorAction Stop -WhatIf:$false -Confirm:$false
            }
        }
        if (-not (Test-FixgenTrustedOwner -LiteralPath $level -AllowCurrentUser:$user)) {
            throw ($level + ' is not owned by SYSTEM or Administrators; it is not used for backups (delete it if nobody expects it)')
        }
    }
    return $folder
}
