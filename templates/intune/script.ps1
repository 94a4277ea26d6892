{%- import "ps/macros.ps1" as m -%}
#Requires -Version 5.1
{%- if requires_admin %}
#Requires -RunAsAdministrator
{%- endif %}

{% call m::help(help, "") %}{% endcall %}
{% if detect -%}
[CmdletBinding()]
{% else -%}
[CmdletBinding(SupportsShouldProcess)]
{% endif -%}
param()

{% include "ps/libraries.ps1" %}

{% include "intune/runner.ps1" %}

{% include "ps/relaunch.ps1" %}

#region {% if detect %}detection{% else %}remediation{% endif %}

$fixgenHostPath = Get-FixgenRelaunchHost
if ($null -ne $fixgenHostPath) {
    $fixgenArguments = Get-FixgenRelaunchArgument -ScriptPath $PSCommandPath -BoundParameters $PSBoundParameters
    & $fixgenHostPath @fixgenArguments
    exit $LASTEXITCODE
}

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$FixgenName = {{ name }}

$FixgenRecipes = @(
{%- for r in recipes %}
    @{
        Recipe = {% call m::hashtable(r.recipe, "        ") %}{% endcall %}
        Steps = {% call m::steps(r.steps, "        ") %}{% endcall %}
    }{% if !loop.last %},{% endif %}
{%- endfor %}
)

try {
    Initialize-FixgenLog -Component $FixgenName -Quiet
{%- if detect %}
    $fixgenResult = Get-FixgenIntuneDetection -Name $FixgenName -Recipes $FixgenRecipes
{%- else %}
    $fixgenResult = Invoke-FixgenIntuneRemediation -Name $FixgenName -Recipes $FixgenRecipes
{%- endif %}
} catch {
    $fixgenResult = [pscustomobject]@{
        ExitCode = 1
        Line     = ($FixgenName + ': ERROR: ' + $_.Exception.Message)
    }
}
Write-Output (Limit-FixgenLine -Text $fixgenResult.Line)
if ($fixgenResult.ExitCode -eq 0) {
    exit 0
}
exit 1

#endregion
