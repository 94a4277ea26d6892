{%- import "ps/macros.ps1" as m -%}
#Requires -Version 5.1

<#
{{ header }}
#>

{% include "ps/libraries.ps1" %}
{%- for r in recipes %}

#region recipe {{ r.id }}

function Get-{{ bundle_name }}{{ r.noun }}Definition {
    <#
    .SYNOPSIS
    The recipe's metadata and steps as data (internal; not exported).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    {% call m::param_block(r.params.as_slice(), "    ") %}{% endcall %}
    $recipe = {% call m::hashtable(r.recipe.as_slice(), "    ") %}{% endcall %}
    $steps = {% call m::steps(r.steps.as_slice(), "    ") %}{% endcall %}
    return @{
        Recipe = $recipe
        Steps  = $steps
    }
}

function Test-{{ bundle_name }}{{ r.noun }} {
{% call m::help(r.test_help, "    ") %}{% endcall %}
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    {% call m::param_block(r.params.as_slice(), "    ") %}{% endcall %}
    $definition = Get-{{ bundle_name }}{{ r.noun }}Definition{% for p in r.params %} -{{ p.name }} ${{ p.name }}{% endfor %}
    Initialize-FixgenLog -Component $definition.Recipe.Id
    Test-FixgenRecipe -Recipe $definition.Recipe -Steps $definition.Steps
}

function {{ r.verb }}-{{ bundle_name }}{{ r.noun }} {
{% call m::help(r.help, "    ") %}{% endcall %}
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    {% call m::param_block(r.params.as_slice(), "    ") %}{% endcall %}
    $definition = Get-{{ bundle_name }}{{ r.noun }}Definition{% for p in r.params %} -{{ p.name }} ${{ p.name }}{% endfor %}
    Initialize-FixgenLog -Component $definition.Recipe.Id
    Invoke-FixgenRecipe -Recipe $definition.Recipe -Steps $definition.Steps
}

#endregion
{%- endfor %}

function Invoke-{{ bundle_name }} {
{% call m::help(invoke_help, "    ") %}{% endcall %}
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    {% call m::param_block(invoke_params, "    ") %}{% endcall %}
    $results = @()
{%- for r in recipes %}
    $results += {{ r.verb }}-{{ bundle_name }}{{ r.noun }}{% for p in r.params %} -{{ p.name }} ${{ p.name }}{% endfor %}
{%- endfor %}
    $exitCode = 0
    if (@($results | Where-Object -FilterScript { $_.ExitCode -ne 0 -and $_.ExitCode -ne 3010 }).Count -gt 0) {
        $exitCode = 1
    } elseif (@($results | Where-Object -FilterScript { $_.ExitCode -eq 3010 }).Count -gt 0) {
        $exitCode = 3010
    }
    [pscustomobject]@{
        Results  = $results
        ExitCode = $exitCode
    }
}

Export-ModuleMember -Function @(
{%- for e in exports %}
    {{ e }}{% if !loop.last %},{% endif %}
{%- endfor %}
)
