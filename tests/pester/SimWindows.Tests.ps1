# The .NET stand-ins are checked in the module's own context (& (Get-Module SimWindows) {...}),
# where Invoke-SimScript runs the generated scripts: PowerShell caches a type name resolved in
# a context before the accelerators were added (here: the test file's).
#
# The simulated Windows itself: its commands bind like the real cmdlets (parameter names and sets
# compared with the real cmdlets where PowerShell 7 on Linux has them), and the documented
# behaviours the scenarios rely on (errors, wildcards, -LiteralPath, registry kinds).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'sim/SimWindows.psm1') -Force
    $script:Key = 'Registry::HKEY_LOCAL_MACHINE\SOFTWARE\SimTest'
}

Describe 'shadowed cmdlets have the real parameters' {
    It '<Name> has the parameter names and sets of the real cmdlet' -ForEach @(
        @{ Name = 'Test-Path'; Module = 'Microsoft.PowerShell.Management'; WindowsOnly = @() }
        @{ Name = 'Get-Item'; Module = 'Microsoft.PowerShell.Management'; WindowsOnly = @('Stream') }
        @{ Name = 'New-Item'; Module = 'Microsoft.PowerShell.Management'; WindowsOnly = @() }
        @{ Name = 'Remove-Item'; Module = 'Microsoft.PowerShell.Management'; WindowsOnly = @('Stream') }
        @{ Name = 'Get-ItemProperty'; Module = 'Microsoft.PowerShell.Management'; WindowsOnly = @() }
        @{ Name = 'New-ItemProperty'; Module = 'Microsoft.PowerShell.Management'; WindowsOnly = @() }
        @{ Name = 'Set-ItemProperty'; Module = 'Microsoft.PowerShell.Management'; WindowsOnly = @('Type') }
        @{ Name = 'Remove-ItemProperty'; Module = 'Microsoft.PowerShell.Management'; WindowsOnly = @() }
        @{ Name = 'New-Object'; Module = 'Microsoft.PowerShell.Utility'; WindowsOnly = @('ComObject') }
    ) {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $real = Get-Command -Name ($Module + '\' + $Name)
        $sim = Get-Command -Name ('SimWindows\' + $Name)
        $sim.CommandType | Should -Be 'Function'
        $realNames = @($real.Parameters.Keys | Where-Object { $common -notcontains $_ } | Sort-Object)
        $simNames = @($sim.Parameters.Keys | Where-Object { $common -notcontains $_ -and $WindowsOnly -notcontains $_ } | Sort-Object)
        $simNames | Should -Be $realNames
        @($sim.ParameterSets.Name | Sort-Object) | Should -Be @($real.ParameterSets.Name | Sort-Object)
        foreach ($p in $realNames) {
            @($sim.Parameters[$p].Aliases | Sort-Object) | Should -Be @($real.Parameters[$p].Aliases | Sort-Object) -Because ('aliases of -' + $p)
        }
    }

    It 'a wrong parameter name fails in the binder (<Command>)' -ForEach @(
        @{ Command = { Set-VpnConnection -Name x -PreSharedKey y } }
        @{ Command = { Get-NetFirewallRule -Id2 x } }
        @{ Command = { Get-Service -ServiceNames x } }
        @{ Command = { Add-VpnConnection -Name x -ServerAddress y -SplitTunneling:$true -RememberCredentials } }
    ) {
        Reset-SimWindows
        { & $Command } | Should -Throw -ErrorId 'NamedParameterNotFound*'
    }
}

Describe 'documented behaviours' {
    BeforeEach { Reset-SimWindows }

    It 'Get-VpnConnection -Name missing -ErrorAction Stop throws; without it, a non-terminating error' {
        { Get-VpnConnection -Name 'missing' -ErrorAction Stop } | Should -Throw '*cannot be found*'
        $e = $null
        $out = Get-VpnConnection -Name 'missing' -ErrorAction SilentlyContinue -ErrorVariable e
        $out | Should -BeNullOrEmpty
        $e.Count | Should -Be 1
    }

    It 'Get-Service -Name missing writes a non-terminating error; with wildcards, no error' {
        $e = $null
        Get-Service -Name 'NoSuchService' -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e.Count | Should -Be 1
        $e2 = $null
        Get-Service -Name 'NoSuch*' -ErrorVariable e2 | Should -BeNullOrEmpty
        $e2.Count | Should -Be 0
        { Get-Service -Name 'NoSuchService' -ErrorAction Stop } | Should -Throw
    }

    It 'Get-Service returns a ServiceController-typed object (the [System.ServiceProcess.ServiceController] constraint binds)' {
        Set-SimService -Name 'Svc' -StartType Automatic -Status Running
        $s = Get-Service -Name 'svc'
        $s.ServiceName | Should -Be 'Svc'
        $s.Status.ToString() | Should -Be 'Running'
        $typed = [scriptblock]::Create('param([System.ServiceProcess.ServiceController]$Service) $Service.StartType.ToString()')
        & (Get-Module SimWindows) $typed -Service $s | Should -Be 'Automatic'
    }

    It 'sc.exe config sets the start type (delayed-auto too) and exits 1060 for a missing service' {
        Set-SimService -Name 'Svc' -StartType Manual
        $null = sc.exe config Svc start= delayed-auto
        $LASTEXITCODE | Should -Be 0
        (Get-SimService -Name Svc).Delayed | Should -BeTrue
        (Get-SimRegistryValue -Path 'HKLM\SYSTEM\CurrentControlSet\Services\Svc' -Name 'Start').Value | Should -Be 2
        $null = sc.exe config Missing start= auto
        $LASTEXITCODE | Should -Be 1060
        $null = sc.exe config Svc start=auto
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'registry kinds keep their .NET types (DWORD wraps to [int], QWORD [long], Binary [byte[]], MultiString [string[]])' {
        New-SimRegistryKey -Path $script:Key
        $null = New-ItemProperty -LiteralPath $script:Key -Name d -PropertyType DWord -Value ([System.BitConverter]::ToInt32([System.BitConverter]::GetBytes([uint32]4294967295), 0))
        $null = New-ItemProperty -LiteralPath $script:Key -Name q -PropertyType QWord -Value 5
        $null = New-ItemProperty -LiteralPath $script:Key -Name b -PropertyType Binary -Value ([byte[]](1, 2, 255))
        $null = New-ItemProperty -LiteralPath $script:Key -Name m -PropertyType MultiString -Value @('x', 'y')
        $k = Get-Item -LiteralPath $script:Key
        $k.GetValue('d') | Should -BeOfType [int]
        $k.GetValue('d') | Should -Be -1
        $k.GetValue('q') | Should -BeOfType [long]
        , $k.GetValue('b') | Should -BeOfType [byte[]]
        , $k.GetValue('m') | Should -BeOfType [string[]]
        $k.GetValueKind('m').ToString() | Should -Be 'MultiString'
        Set-SimRegistryValue -Path $script:Key -Name big -Kind DWord -Value 4294967295
        (Get-SimRegistryValue -Path $script:Key -Name big).Value | Should -Be -1
    }

    It 'Get-ItemProperty and Remove-ItemProperty take wildcards in -Name with -Path; a literal name that is missing is an error' {
        Set-SimRegistryValue -Path $script:Key -Name 'ab' -Kind String -Value 'x'
        Set-SimRegistryValue -Path $script:Key -Name 'ac' -Kind String -Value 'y'
        @((Get-ItemProperty -Path $script:Key -Name 'a*').PSObject.Properties.Name | Where-Object { $_ -notlike 'PS*' }) | Should -Be @('ab', 'ac')
        { Get-ItemProperty -Path $script:Key -Name 'zz' -ErrorAction Stop } | Should -Throw '*does not exist*'
        Remove-ItemProperty -Path $script:Key -Name 'a?'
        @(Get-SimRegistryValueNames -Path $script:Key).Count | Should -Be 0
    }

    It 'with -LiteralPath, -Name is plain text (the registry provider compares it literally)' {
        Set-SimRegistryValue -Path $script:Key -Name 'ab' -Kind String -Value 'x'
        Set-SimRegistryValue -Path $script:Key -Name '*' -Kind String -Value 'star'
        @((Get-ItemProperty -LiteralPath $script:Key -Name '*').PSObject.Properties.Name | Where-Object { $_ -notlike 'PS*' }) | Should -Be @('*')
        { Get-ItemProperty -LiteralPath $script:Key -Name 'a?' -ErrorAction Stop } | Should -Throw '*does not exist*'
        Remove-ItemProperty -LiteralPath $script:Key -Name '*'
        @(Get-SimRegistryValueNames -Path $script:Key) | Should -Be @('ab')
    }

    It 'a key from Get-Item opened writable deletes exactly the named value; a read-only handle cannot' {
        Set-SimRegistryValue -Path $script:Key -Name 'ab' -Kind String -Value 'x'
        Set-SimRegistryValue -Path $script:Key -Name '*' -Kind String -Value 'star'
        Set-SimRegistryValue -Path $script:Key -Name '' -Kind String -Value 'default'
        $k = Get-Item -LiteralPath $script:Key
        { $k.DeleteValue('*', $false) } | Should -Throw '*Cannot write*'
        $w = $k.OpenSubKey('', $true)
        $w.DeleteValue('*', $false)
        $w.DeleteValue('', $false)
        $w.DeleteValue('missing', $false)
        { $w.DeleteValue('missing', $true) } | Should -Throw '*No value exists*'
        $w.Close(); $k.Close()
        @(Get-SimRegistryValueNames -Path $script:Key) | Should -Be @('ab')
        @(Get-SimChanges | Where-Object Command -EQ 'RegistryKey.DeleteValue').Count | Should -Be 2
    }

    It '-Path takes wildcards in the key path, -LiteralPath does not' {
        New-SimRegistryKey -Path 'HKLM\SOFTWARE\Sim[1]'
        Test-Path -LiteralPath 'Registry::HKEY_LOCAL_MACHINE\SOFTWARE\Sim[1]' | Should -BeTrue
        Test-Path -Path 'Registry::HKEY_LOCAL_MACHINE\SOFTWARE\Sim[1]' | Should -BeFalse
        Test-Path -Path 'Registry::HKEY_LOCAL_MACHINE\SOFTWARE\Sim*' | Should -BeTrue
    }

    It 'a non-registry path goes to the real cmdlet' {
        Test-Path -LiteralPath $env:windir -PathType Container | Should -BeTrue
        (Get-Item -LiteralPath $env:windir).PSIsContainer | Should -BeTrue
    }

    It 'elevation and the Windows Update Agent are simulated through the .NET type names the scripts use' {
        $elevated = [scriptblock]::Create('(New-Object -TypeName System.Security.Principal.WindowsPrincipal -ArgumentList ([System.Security.Principal.WindowsIdentity]::GetCurrent())).IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)')
        & (Get-Module SimWindows) $elevated | Should -BeTrue
        Set-SimElevation -Elevated $false
        & (Get-Module SimWindows) $elevated | Should -BeFalse
        Set-SimWindowsUpdate -Updates @(@{ Title = 'KB1' }, @{ Title = 'KB2'; IsInstalled = $true }) -RebootRequired $true
        $code = '$s = [System.Activator]::CreateInstance([System.Type]::GetTypeFromProgID(''Microsoft.Update.Session'')); $s.CreateUpdateSearcher().Search("IsInstalled=0 and Type=''Software'' and IsHidden=0").Updates'
        $found = @(& (Get-Module SimWindows) ([scriptblock]::Create($code)))
        $found.Count | Should -Be 1
        $found[0].Title | Should -Be 'KB1'
        (& (Get-Module SimWindows) ([scriptblock]::Create('[System.Activator]::CreateInstance([System.Type]::GetTypeFromProgID(''Microsoft.Update.SystemInfo'')).RebootRequired'))) | Should -BeTrue
    }

    It 'Set-SimFailure: non-terminating by default, terminating under -ErrorAction Stop, -Times counts' {
        Set-SimService -Name 'Svc' -StartType Manual
        Set-SimFailure -Command 'Start-Service' -Times 2 -Message 'boom'
        $e = $null
        Start-Service -Name Svc -ErrorAction SilentlyContinue -ErrorVariable e
        $e.Count | Should -Be 1
        { Start-Service -Name Svc -ErrorAction Stop } | Should -Throw '*boom*'
        Start-Service -Name Svc -ErrorAction Stop
        (Get-SimService -Name Svc).Status | Should -Be 'Running'
    }
}
