{%- import "ps/macros.ps1" as m -%}
#Requires -Version 5.1
{%- if requires_admin %}
#Requires -RunAsAdministrator
{%- endif %}

{% call m::help(help, "") %}{% endcall %}
[CmdletBinding(SupportsShouldProcess)]
{% call m::param_block(params, "") %}{% endcall %}
{%- if relaunch %}

{{ machinery }}

$fixgenHostPath = Get-FixgenRelaunchHost  # 32-bit host on 64-bit Windows: run again in 64-bit PowerShell
if ($null -ne $fixgenHostPath) { $fixgenArguments = Get-FixgenRelaunchArgument -ScriptPath $PSCommandPath -BoundParameters $PSBoundParameters; & $fixgenHostPath @fixgenArguments; exit $LASTEXITCODE }
{%- endif %}

$fixgenBundle = {{ bundle }}
$fixgenExitCodes = New-Object -TypeName 'System.Collections.Generic.List[int]'
{%- for s in scripts %}

$fixgenScript = Join-Path -Path $PSScriptRoot -ChildPath {{ s.file }}
try {
    $global:LASTEXITCODE = 0
    & $fixgenScript{% for a in s.args %} -{{ a }} ${{ a }}{% endfor %} -WhatIf:$WhatIfPreference
    $fixgenExitCodes.Add([int]$LASTEXITCODE)
} catch {
    Write-Warning -Message ('ERROR: ' + $fixgenScript + ' failed: ' + $_.Exception.Message)
    $fixgenExitCodes.Add(1)
}
{%- endfor %}

$fixgenExitCode = 0
if (@($fixgenExitCodes | Where-Object -FilterScript { $_ -ne 0 -and $_ -ne 3010 }).Count -gt 0) {
    $fixgenExitCode = 1
} elseif ($fixgenExitCodes.Contains(3010)) {
    $fixgenExitCode = 3010
}
Write-Output ($fixgenBundle + ': ' + $fixgenExitCodes.Count + ' recipe(s) run, exit ' + $fixgenExitCode)
exit $fixgenExitCode
