# The rule with the step's stable -Name and its port filter, or $null.
function Get-FixgenFirewallState { param([hashtable]$Step)
    $rule = Get-NetFirewallRule -Name $Step.Name -ErrorAction SilentlyContinue
    if ($null -eq $rule) { return $null }
    [pscustomobject]@{ Rule = $rule; Ports = (Get-NetFirewallPortFilter -AssociatedNetFirewallRule $rule -ErrorAction Stop) }
}
# A profile value (Any, or 'Domain, Private, Public') as a list of profile names.
function ConvertTo-FixgenProfileList { param([AllowNull()][object]$Value)
    $names = @(@($Value) | ForEach-Object -Process { ([string]$_) -split ',\s*' } | Where-Object -FilterScript { $_ -ne '' })
    if ($names -contains 'Any') { $names = @('Domain', 'Private', 'Public') }
    return ,([string[]]$names)
}
# Finds the rule by its stable name and compares every setting with the step.
function Test-FixgenFirewallStep { param([hashtable]$Step)
    $target = 'firewall rule ' + $Step.Name
    $state = Get-FixgenFirewallState -Step $Step
    if ($null -eq $state) { New-FixgenCompliance -Target $target -Setting 'Exists' -Expected $true -Actual $false -Compliant $false; return }
    $rule = $state.Rule
    $ports = $state.Ports
    New-FixgenCompliance -Target $target -Setting 'Group' -Expected 'fixgen' -Actual $rule.Group -Compliant ($rule.Group -ceq 'fixgen')
    New-FixgenCompliance -Target $target -Setting 'DisplayName' -Expected $Step.DisplayName -Actual $rule.DisplayName -Compliant ($rule.DisplayName -ceq $Step.DisplayName)
    New-FixgenCompliance -Target $target -Setting 'Description' -Expected $Step.Description -Actual $rule.Description -Compliant ([string]$rule.Description -ceq $Step.Description)
    New-FixgenCompliance -Target $target -Setting 'Enabled' -Expected 'True' -Actual $rule.Enabled.ToString() -Compliant ($rule.Enabled.ToString() -eq 'True')
    New-FixgenCompliance -Target $target -Setting 'Direction' -Expected $Step.Direction -Actual $rule.Direction.ToString() -Compliant ($rule.Direction.ToString() -eq $Step.Direction)
    New-FixgenCompliance -Target $target -Setting 'Action' -Expected $Step.Action -Actual $rule.Action.ToString() -Compliant ($rule.Action.ToString() -eq $Step.Action)
    $profiles = ConvertTo-FixgenProfileList -Value $rule.Profile.ToString()
    $wanted = ConvertTo-FixgenProfileList -Value $Step.Profile
    New-FixgenCompliance -Target $target -Setting 'Profile' -Expected $wanted -Actual $profiles -Compliant (Test-FixgenSetEqual -Left $profiles -Right $wanted)
    New-FixgenCompliance -Target $target -Setting 'Protocol' -Expected $Step.Protocol -Actual $ports.Protocol -Compliant ([string]$ports.Protocol -eq $Step.Protocol)
    if ($Step.Protocol -eq 'TCP' -or $Step.Protocol -eq 'UDP') {
        $local = @($ports.LocalPort)
        $remote = @($ports.RemotePort)
        New-FixgenCompliance -Target $target -Setting 'LocalPort' -Expected $Step.LocalPort -Actual $local -Compliant (Test-FixgenSetEqual -Left $local -Right $Step.LocalPort)
        New-FixgenCompliance -Target $target -Setting 'RemotePort' -Expected $Step.RemotePort -Actual $remote -Compliant (Test-FixgenSetEqual -Left $remote -Right $Step.RemotePort)
    }
}
