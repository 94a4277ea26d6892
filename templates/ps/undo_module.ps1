function Undo-{{ bundle_name }} {
{% call m::help(undo_help, "    ") %}{% endcall %}
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [ValidateSet({% for u in undo %}{{ u.id }}{% if !loop.last %}, {% endif %}{% endfor %})]
        [string[]]$Recipe
    )
    $fixgenUndo = @(
{%- for u in undo %}
        @{ Recipe = {% call m::hashtable_inline(u.recipe.as_slice()) %}{% endcall %}; Targets = {% call m::steps_inline(u.targets.as_slice(), "        ") %}{% endcall %} }{% if !loop.last %},{% endif %}
{%- endfor %}
    )
    $fixgenResults = @()
    foreach ($fixgenEntry in $fixgenUndo) {
        if ($null -ne $Recipe -and $Recipe.Count -gt 0 -and $Recipe -notcontains $fixgenEntry.Recipe.Id) { continue }
        Initialize-FixgenLog -Component $fixgenEntry.Recipe.Id
        $fixgenResults += Undo-FixgenRecipe -Recipe $fixgenEntry.Recipe -Target $fixgenEntry.Targets
    }
    $fixgenExitCode = 0
    if (@($fixgenResults | Where-Object -FilterScript { $_.ExitCode -ne 0 }).Count -gt 0) {
        $fixgenExitCode = 1
    }
    [pscustomobject]@{
        Results  = $fixgenResults
        ExitCode = $fixgenExitCode
    }
}