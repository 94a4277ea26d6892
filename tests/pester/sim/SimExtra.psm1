# Extension of the simulated Windows by helper scen2 (SIM_CONTRACT.md, "Requests from scen2", item 5),
# kept apart from SimWindows.psm1 (owned by simwin) until the sim does the same itself.
#
# PowerShell caches every type name a module resolves (System.Management.Automation.Language.TypeCache)
# and reuses the entry for later modules. SimWindows.psm1 names [System.ServiceProcess.ServiceController],
# [System.Type] and [System.Activator] in its own code, so those names are cached with the real types
# before Install-SimTypes adds the accelerators, and a generated module imported afterwards gets the real
# types instead of the sim's stand-ins. Clearing the cache after Reset-SimWindows (before the import) makes
# the next parse resolve the names again, now through the accelerators.

function Clear-SimTypeCache {
    [CmdletBinding()]
    param()
    $type = [psobject].Assembly.GetType('System.Management.Automation.Language.TypeCache')
    if ($null -eq $type) { throw 'System.Management.Automation.Language.TypeCache not found (PowerShell changed)' }
    $field = $type.GetField('s_cache', [System.Reflection.BindingFlags]'Static,NonPublic')
    if ($null -eq $field) { throw 'TypeCache.s_cache not found (PowerShell changed)' }
    $field.GetValue($null).Clear()
}

Export-ModuleMember -Function Clear-SimTypeCache
