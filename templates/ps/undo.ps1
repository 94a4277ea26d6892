{%- import "ps/macros.ps1" as m -%}
#Requires -Version 5.1
{%- if requires_admin %}
#Requires -RunAsAdministrator
{%- endif %}

{% call m::help(help, "") %}{% endcall %}
[CmdletBinding(SupportsShouldProcess)]
param()

#region recipe: what this script may restore (compare with REVIEW.md)
$FixgenRecipe = {% call m::hashtable_inline(recipe) %}{% endcall %}
$FixgenUndoTargets = {% call m::steps_inline(targets, "") %}{% endcall %}
#endregion recipe

{%- if nothing %}
#region main
# Nothing this recipe does can be undone ({% if install %}installed updates are not rolled back{% else %}a scan changes nothing and saves no backup{% endif %}), so this script carries no runtime.
{%- if install %}
Write-Output ($FixgenRecipe.Id + ': nothing to undo (Windows Update installs cannot be undone; updates this recipe installed stay installed)')
{%- else %}
Write-Output ($FixgenRecipe.Id + ': nothing to undo (no backup)')
{%- endif %}
exit 0
#endregion main
{%- else %}
{{ machinery }}
#region main
{%- if relaunch %}
$fixgenHostPath = Get-FixgenRelaunchHost  # 32-bit host on 64-bit Windows: run again in 64-bit PowerShell
if ($null -ne $fixgenHostPath) { $fixgenArguments = Get-FixgenRelaunchArgument -ScriptPath $PSCommandPath -BoundParameters $PSBoundParameters; & $fixgenHostPath @fixgenArguments; exit $LASTEXITCODE }
{%- endif %}
Initialize-FixgenLog -Component $FixgenRecipe.Id
$fixgenResult = Undo-FixgenRecipe -Recipe $FixgenRecipe -Target $FixgenUndoTargets
Write-Output $fixgenResult.Summary
exit $fixgenResult.ExitCode
#endregion main
{%- endif %}
