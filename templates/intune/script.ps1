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

#region recipe: what this script checks{% if !detect %} and sets{% endif %} (compare with REVIEW.md)
$FixgenName = {{ name }}
$FixgenRecipes = @(
{%- for r in recipes %}
    @{
        Recipe = {% if detect %}{% call m::hashtable_inline(r.recipe.as_slice()) %}{% endcall %}{% else %}{% call m::hashtable(r.recipe.as_slice(), "        ") %}{% endcall %}{% endif %}
        Steps = {% call m::steps(r.steps, "        ") %}{% endcall %}
    }{% if !loop.last %},{% endif %}
{%- endfor %}
)
#endregion recipe

{{ machinery }}
#region main
$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'
try { {% if detect %}$fixgenResult = Get-FixgenIntuneDetection -Name $FixgenName -Recipes $FixgenRecipes{% else %}Initialize-FixgenLog -Component $FixgenName -Quiet; $fixgenResult = Invoke-FixgenIntuneRemediation -Name $FixgenName -Recipes $FixgenRecipes{% endif %} }
catch { $fixgenResult = [pscustomobject]@{ ExitCode = 1; Line = ($FixgenName + ': ERROR: ' + $_.Exception.Message) } }
Write-Output (Limit-FixgenLine -Text $fixgenResult.Line)
if ($fixgenResult.ExitCode -eq 0) { exit 0 } else { exit 1 }
#endregion main
