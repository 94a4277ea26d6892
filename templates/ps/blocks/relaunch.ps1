# A 32-bit host on 64-bit Windows: the 64-bit Windows PowerShell (sysnative) to run this script again in, else $null.
function Get-FixgenRelaunchHost {
    $hostPath = Join-Path -Path $env:windir -ChildPath 'sysnative\WindowsPowerShell\v1.0\powershell.exe'
    if ([System.Environment]::Is64BitOperatingSystem -and -not [System.Environment]::Is64BitProcess -and (Test-Path -LiteralPath $hostPath)) { return $hostPath }
    return $null
}
function ConvertTo-FixgenPsLiteral { param([AllowEmptyString()][string]$Text)
    return ("'" + ($Text -replace '[\u0027\u2018\u2019\u201A\u201B]', '$0$0') + "'")
}
# Arguments for the 64-bit host: the script and its bound parameters as one -EncodedCommand, each value re-quoted as a
# literal (no command-line quoting rule can change it); a SecureString only in its DPAPI form (same user, same machine).
function Get-FixgenRelaunchArgument { param([string]$ScriptPath, [System.Collections.IDictionary]$BoundParameters)
    $command = '& ' + (ConvertTo-FixgenPsLiteral -Text $ScriptPath)
    foreach ($name in @($BoundParameters.Keys | Sort-Object)) {
        $value = $BoundParameters[$name]
        if ($null -eq $value) { $text = ':$null' }
        elseif ($value -is [System.Management.Automation.SwitchParameter] -or $value -is [bool]) { $text = ':$' + ([bool]$value).ToString().ToLowerInvariant() }
        elseif ($value -is [System.Security.SecureString]) { $text = ' (ConvertTo-SecureString -String ' + (ConvertTo-FixgenPsLiteral -Text (ConvertFrom-SecureString -SecureString $value)) + ')' }
        elseif ($value -is [int] -or $value -is [long]) { $text = ' ' + $value.ToString([System.Globalization.CultureInfo]::InvariantCulture) }
        else { $text = ' ' + (ConvertTo-FixgenPsLiteral -Text ([string]$value)) }
        $command = $command + ' -' + $name + $text
    }
    $arguments = @('-NoProfile', '-ExecutionPolicy', 'Bypass')
    if (@($BoundParameters.Keys) -notcontains 'Confirm') { $arguments += '-NonInteractive' }
    return ,([string[]]($arguments + @('-EncodedCommand', [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($command + '; exit $LASTEXITCODE')))))
}
