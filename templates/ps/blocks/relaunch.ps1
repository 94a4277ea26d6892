# In a 32-bit host on 64-bit Windows: the 64-bit Windows PowerShell (sysnative) to run this script
# again in, else $null. The bound parameters travel as one -EncodedCommand, each re-quoted as a
# literal (all five single quotes doubled); a SecureString only as its DPAPI form
# (ConvertFrom-SecureString: same user, same machine), never as plain text on a command line.
function Get-FixgenRelaunchHost {
    if (-not [System.Environment]::Is64BitOperatingSystem -or [System.Environment]::Is64BitProcess) { return $null }
    $hostPath = Join-Path -Path $env:windir -ChildPath 'sysnative\WindowsPowerShell\v1.0\powershell.exe'
    if (-not (Test-Path -LiteralPath $hostPath)) { return $null }
    return $hostPath
}
function ConvertTo-FixgenPsLiteral { param([AllowEmptyString()][string]$Text)
    return ("'" + ($Text -replace '[\u0027\u2018\u2019\u201A\u201B]', '$0$0') + "'")
}
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
    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($command + '; exit $LASTEXITCODE'))
    $arguments = @('-NoProfile', '-ExecutionPolicy', 'Bypass')
    if (@($BoundParameters.Keys) -notcontains 'Confirm') { $arguments += '-NonInteractive' }
    return ,([string[]]($arguments + @('-EncodedCommand', $encoded)))
}
