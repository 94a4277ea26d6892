{%- import "ps/macros.ps1" as m -%}
#Requires -Version 5.1
{%- if requires_admin %}
#Requires -RunAsAdministrator
{%- endif %}

{% call m::help(help, "") %}{% endcall %}
[CmdletBinding(SupportsShouldProcess)]
param()

{% include "ps/libraries.ps1" %}

{% include "ps/undo_runtime.ps1" %}
{%- if relaunch %}

{% include "ps/relaunch.ps1" %}
{%- endif %}

#region undo
{%- if relaunch %}

$fixgenHostPath = Get-FixgenRelaunchHost
if ($null -ne $fixgenHostPath) {
    $fixgenArguments = Get-FixgenRelaunchArgument -ScriptPath $PSCommandPath -BoundParameters $PSBoundParameters
    & $fixgenHostPath @fixgenArguments
    exit $LASTEXITCODE
}
{%- endif %}

$FixgenRecipe = {% call m::hashtable(recipe, "") %}{% endcall %}

$FixgenUndoTargets = {% call m::steps(targets, "") %}{% endcall %}

Initialize-FixgenLog -Component $FixgenRecipe.Id
$fixgenResult = Undo-FixgenRecipe -Recipe $FixgenRecipe -Target $FixgenUndoTargets
Write-Output $fixgenResult.Summary
exit $fixgenResult.ExitCode

#endregion