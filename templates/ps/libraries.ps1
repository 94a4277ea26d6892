{% include "ps/runtime.ps1" %}
{%- if kinds.registry %}

{% include "ps/step_registry.ps1" %}
{%- endif %}
{%- if kinds.service %}

{% include "ps/step_service.ps1" %}
{%- endif %}
{%- if kinds.firewall %}

{% include "ps/step_firewall.ps1" %}
{%- endif %}
{%- if kinds.vpn %}

{% include "ps/step_vpn.ps1" %}
{%- endif %}
{%- if kinds.windows_update %}

{% include "ps/step_windows_update.ps1" %}
{%- endif %}

function Test-FixgenStep {
    <#
    .SYNOPSIS
    Runs the read-only check for one step and returns its compliance objects.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    switch ($Step.Kind) {
{%- if kinds.registry %}
        'registry' { Test-FixgenRegistryStep -Step $Step }
{%- endif %}
{%- if kinds.service %}
        'service' { Test-FixgenServiceStep -Step $Step }
{%- endif %}
{%- if kinds.firewall %}
        'firewall' { Test-FixgenFirewallStep -Step $Step }
{%- endif %}
{%- if kinds.vpn %}
        'vpn' { Test-FixgenVpnStep -Step $Step }
{%- endif %}
{%- if kinds.windows_update %}
        'windows_update' { Test-FixgenWindowsUpdateStep -Step $Step }
{%- endif %}
        default { throw ('unknown step kind ' + $Step.Kind) }
    }
}
{%- if !detect %}

function Set-FixgenStep {
    <#
    .SYNOPSIS
    Changes one step to its expected state. The caller asks ShouldProcess first.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [hashtable]$Step
    )
    switch ($Step.Kind) {
{%- if kinds.registry %}
        'registry' { Set-FixgenRegistryStep -Step $Step }
{%- endif %}
{%- if kinds.service %}
        'service' { Set-FixgenServiceStep -Step $Step }
{%- endif %}
{%- if kinds.firewall %}
        'firewall' { Set-FixgenFirewallStep -Step $Step }
{%- endif %}
{%- if kinds.vpn %}
        'vpn' { Set-FixgenVpnStep -Step $Step }
{%- endif %}
{%- if kinds.windows_update %}
        'windows_update' { Set-FixgenWindowsUpdateStep -Step $Step }
{%- endif %}
        default { throw ('unknown step kind ' + $Step.Kind) }
    }
}
{%- endif %}
{%- if !detect %}

{% include "ps/backup.ps1" %}
{%- endif %}
