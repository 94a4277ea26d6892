#region 64-bit relaunch

function ConvertTo-FixgenPsLiteral {
    <#
    .SYNOPSIS
    A single-quoted PowerShell literal for a string (all five single-quote characters doubled).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [string]$Text
    )
    return ("'" + ($Text -replace '[\u0027\u2018\u2019\u201A\u201B]', '$0$0') + "'")
}

function ConvertTo-FixgenArgument {
    <#
    .SYNOPSIS
    One bound parameter as PowerShell source for the relaunched script. A SecureString crosses
    the process boundary only as its DPAPI-protected form (ConvertFrom-SecureString), which
    only the same user account on the same machine can decrypt; its plain text never appears
    on a command line.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string]$Name,

        [AllowNull()]
        [object]$Value
    )
    $prefix = '-' + $Name
    if ($null -eq $Value) { return ($prefix + ':$null') }
    if ($Value -is [System.Management.Automation.SwitchParameter] -or $Value -is [bool]) {
        if ([bool]$Value) { return ($prefix + ':$true') }
        return ($prefix + ':$false')
    }
    if ($Value -is [System.Security.SecureString]) {
        $protected = ConvertFrom-SecureString -SecureString $Value
        return ($prefix + ' (ConvertTo-SecureString -String ' + (ConvertTo-FixgenPsLiteral -Text $protected) + ')')
    }
    if ($Value -is [int] -or $Value -is [long]) {
        return ($prefix + ' ' + $Value.ToString([System.Globalization.CultureInfo]::InvariantCulture))
    }
    return ($prefix + ' ' + (ConvertTo-FixgenPsLiteral -Text ([string]$Value)))
}

function Get-FixgenRelaunchHost {
    <#
    .SYNOPSIS
    The 64-bit Windows PowerShell to run this script again in when it runs in a 32-bit host on
    64-bit Windows (through sysnative); $null when no relaunch is needed.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if (-not [System.Environment]::Is64BitOperatingSystem -or [System.Environment]::Is64BitProcess) {
        return $null
    }
    $hostPath = Join-Path -Path $env:windir -ChildPath 'sysnative\WindowsPowerShell\v1.0\powershell.exe'
    if (-not (Test-Path -LiteralPath $hostPath)) {
        return $null
    }
    return $hostPath
}

function Get-FixgenRelaunchArgument {
    <#
    .SYNOPSIS
    The arguments for the 64-bit host: the script and its bound parameters as one
    -EncodedCommand (UTF-16, base64), so no quoting rule of the command line can change a
    value. -NonInteractive unless -Confirm was asked for.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory)]
        [string]$ScriptPath,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [System.Collections.IDictionary]$BoundParameters
    )
    $command = '& ' + (ConvertTo-FixgenPsLiteral -Text $ScriptPath)
    foreach ($name in @($BoundParameters.Keys | Sort-Object)) {
        $command = $command + ' ' + (ConvertTo-FixgenArgument -Name $name -Value $BoundParameters[$name])
    }
    $command = $command + '; exit $LASTEXITCODE'
    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($command))
    $arguments = @('-NoProfile', '-ExecutionPolicy', 'Bypass')
    if (@($BoundParameters.Keys) -notcontains 'Confirm') {
        $arguments += '-NonInteractive'
    }
    $arguments += @('-EncodedCommand', $encoded)
    return ,([string[]]$arguments)
}

#endregion
