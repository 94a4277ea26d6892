{%- import "ps/macros.ps1" as m -%}
#Requires -Version 5.1
{%- if requires_admin %}
#Requires -RunAsAdministrator
{%- endif %}

{% call m::help(help, "") %}{% endcall %}
[CmdletBinding(SupportsShouldProcess)]
{% call m::param_block(params, "") %}{% endcall %}

#region recipe: what this script checks{% if !detect %} and sets{% endif %} (compare with REVIEW.md)
$FixgenRecipe = {% call m::hashtable_lines(recipe, "") %}{% endcall %}
$FixgenSteps = {% call m::steps(steps, "") %}{% endcall %}
#endregion recipe

{{ machinery }}
#region main
{%- if relaunch %}
$fixgenHostPath = Get-FixgenRelaunchHost  # 32-bit host on 64-bit Windows: run again in 64-bit PowerShell
if ($null -ne $fixgenHostPath) { $fixgenArguments = Get-FixgenRelaunchArgument -ScriptPath $PSCommandPath -BoundParameters $PSBoundParameters; & $fixgenHostPath @fixgenArguments; exit $LASTEXITCODE }
{%- endif %}
Initialize-FixgenLog -Component $FixgenRecipe.Id
{%- if detect %}
$fixgenChecks = @(Test-FixgenRecipe -Recipe $FixgenRecipe -Steps $FixgenSteps)
$fixgenOpen = @($fixgenChecks | Where-Object -FilterScript { -not $_.Compliant -and -not $_.ReportOnly })
foreach ($fixgenCheck in @($fixgenChecks | Where-Object -FilterScript { -not $_.Compliant })) {
    Write-FixgenLog -Severity Warning -Message ($fixgenCheck.Target + ' ' + $fixgenCheck.Setting + ' is ' + (Format-FixgenValue -Value $fixgenCheck.Actual) + ', expected ' + (Format-FixgenValue -Value $fixgenCheck.Expected))
}
if ($fixgenOpen.Count -gt 0) {
    Write-Output ($FixgenRecipe.Id + ': not compliant (' + $fixgenOpen.Count + ' of ' + $fixgenChecks.Count + ' checks)')
    exit 1
}
Write-Output ($FixgenRecipe.Id + ': compliant (' + $fixgenChecks.Count + ' checks)')
exit 0
{%- else %}
$fixgenResult = Invoke-FixgenRecipe -Recipe $FixgenRecipe -Steps $FixgenSteps
Write-Output $fixgenResult.Summary
exit $fixgenResult.ExitCode
{%- endif %}
#endregion main
