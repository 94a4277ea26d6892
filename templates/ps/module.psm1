{%- import "ps/macros.ps1" as m -%}
#Requires -Version 5.1

<#
{{ header }}
#>

{%- for r in recipes %}

#region recipe {{ r.noun }}

# The recipe: what Test-/{{ r.verb }}-{{ bundle_name }}{{ r.noun }} check and set (internal; not exported).
function Get-{{ bundle_name }}{{ r.noun }}Definition {
    {% call m::param_block(r.params.as_slice(), "    ") %}{% endcall %}
    $fixgenRecipe = {% call m::hashtable(r.recipe.as_slice(), "    ") %}{% endcall %}
    $fixgenSteps = {% call m::steps(r.steps.as_slice(), "    ") %}{% endcall %}
    return @{ Recipe = $fixgenRecipe; Steps = $fixgenSteps }
}

function Test-{{ bundle_name }}{{ r.noun }} {
{% call m::help(r.test_help, "    ") %}{% endcall %}
    [CmdletBinding()] [OutputType([pscustomobject])]
    {% call m::param_block(r.params.as_slice(), "    ") %}{% endcall %}
    $fixgenDefinition = Get-{{ bundle_name }}{{ r.noun }}Definition{% for p in r.params %} -{{ p.name }} ${{ p.name }}{% endfor %}
    Test-FixgenRecipe -Recipe $fixgenDefinition.Recipe -Steps $fixgenDefinition.Steps
}

function {{ r.verb }}-{{ bundle_name }}{{ r.noun }} {
{% call m::help(r.help, "    ") %}{% endcall %}
    [CmdletBinding(SupportsShouldProcess)] [OutputType([pscustomobject])]
    {% call m::param_block(r.params.as_slice(), "    ") %}{% endcall %}
    $fixgenDefinition = Get-{{ bundle_name }}{{ r.noun }}Definition{% for p in r.params %} -{{ p.name }} ${{ p.name }}{% endfor %}
    Initialize-FixgenLog -Component $fixgenDefinition.Recipe.Id
    Invoke-FixgenRecipe -Recipe $fixgenDefinition.Recipe -Steps $fixgenDefinition.Steps
}

#endregion
{%- endfor %}

function Invoke-{{ bundle_name }} {
{% call m::help(invoke_help, "    ") %}{% endcall %}
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    {% call m::param_block(invoke_params, "    ") %}{% endcall %}
    $fixgenResults = @()
{%- for r in recipes %}
    $fixgenResults += {{ r.verb }}-{{ bundle_name }}{{ r.noun }}{% for p in r.params %} -{{ p.name }} ${{ p.name }}{% endfor %}
{%- endfor %}
    $fixgenExitCode = 0
    if (@($fixgenResults | Where-Object -FilterScript { $_.ExitCode -ne 0 -and $_.ExitCode -ne 3010 }).Count -gt 0) {
        $fixgenExitCode = 1
    } elseif (@($fixgenResults | Where-Object -FilterScript { $_.ExitCode -eq 3010 }).Count -gt 0) {
        $fixgenExitCode = 3010
    }
    [pscustomobject]@{
        Results  = $fixgenResults
        ExitCode = $fixgenExitCode
    }
}

{% include "ps/undo_module.ps1" %}

{{ machinery }}

Export-ModuleMember -Function @(
{%- for e in exports %}
    {{ e }}{% if !loop.last %},{% endif %}
{%- endfor %}
)
