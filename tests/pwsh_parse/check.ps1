# Parses PowerShell files with the real parser and walks their ASTs for constructs that Windows
# PowerShell 5.1 cannot run. Used by tests/pwsh_parse.rs, which runs it in PowerShell 7 (one
# process for every file). Input: a text file with one path per line. Output, one line each:
#   PARSE <file>:<line>:<column>: <error id>: <message>
#   PS51 <file>:<line>:<column>: <rule>: <text of the offending node>
#   CHECKED <number of files parsed>
# The rules and the reason for each are listed in tests/pwsh_parse.rs (PS51_RULES); every rule id
# printed here must be one of them (the test checks that both lists agree).
param(
    [Parameter(Mandatory)]
    [string]$ListFile,

    [string]$ManifestListFile
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# Commands and parameters that do not exist in Windows PowerShell 5.1 (rule id, command names
# (aliases included), parameter name). A parameter given as an unambiguous prefix counts too.
$parameterRules = @(
    @{ Rule = 'foreach-parallel'; Commands = @('ForEach-Object', 'foreach', '%'); Parameter = 'Parallel' }
    @{ Rule = 'convertfrom-json-ashashtable'; Commands = @('ConvertFrom-Json'); Parameter = 'AsHashtable' }
    @{ Rule = 'convertfrom-json-depth'; Commands = @('ConvertFrom-Json'); Parameter = 'Depth' }
    @{ Rule = 'convertfrom-json-noenumerate'; Commands = @('ConvertFrom-Json'); Parameter = 'NoEnumerate' }
    @{ Rule = 'convertto-json-asarray'; Commands = @('ConvertTo-Json'); Parameter = 'AsArray' }
    @{ Rule = 'convertto-json-escapehandling'; Commands = @('ConvertTo-Json'); Parameter = 'EscapeHandling' }
    @{ Rule = 'join-path-additionalchildpath'; Commands = @('Join-Path'); Parameter = 'AdditionalChildPath' }
    @{ Rule = 'content-asbytestream'; Commands = @('Get-Content', 'gc', 'cat', 'type', 'Set-Content', 'sc', 'Add-Content', 'ac'); Parameter = 'AsByteStream' }
    @{ Rule = 'split-path-leafbase'; Commands = @('Split-Path'); Parameter = 'LeafBase' }
    @{ Rule = 'split-path-extension'; Commands = @('Split-Path'); Parameter = 'Extension' }
    @{ Rule = 'get-date-asutc'; Commands = @('Get-Date'); Parameter = 'AsUTC' }
    @{ Rule = 'get-date-unixtimeseconds'; Commands = @('Get-Date'); Parameter = 'UnixTimeSeconds' }
    @{ Rule = 'test-connection-targetname'; Commands = @('Test-Connection'); Parameter = 'TargetName' }
    @{ Rule = 'web-skipcertificatecheck'; Commands = @('Invoke-WebRequest', 'iwr', 'Invoke-RestMethod', 'irm'); Parameter = 'SkipCertificateCheck' }
    @{ Rule = 'select-string-raw'; Commands = @('Select-String', 'sls'); Parameter = 'Raw' }
    @{ Rule = 'start-process-environment'; Commands = @('Start-Process', 'saps', 'start'); Parameter = 'Environment' }
)

# Commands that Windows PowerShell 5.1 does not have at all.
$commandRules = @{
    'Join-String'           = 'join-string'
    'Test-Json'             = 'test-json'
    'Get-Error'             = 'get-error'
    'Remove-Alias'          = 'remove-alias'
    'Remove-Service'        = 'remove-service'
    'Get-Uptime'            = 'get-uptime'
    'ConvertFrom-Markdown'  = 'markdown-cmdlets'
    'Show-Markdown'         = 'markdown-cmdlets'
    'Get-SecureRandom'      = 'get-securerandom'
    'ConvertTo-CliXml'      = 'clixml-string-cmdlets'
    'ConvertFrom-CliXml'    = 'clixml-string-cmdlets'
    'Start-ThreadJob'       = 'start-threadjob'
}

# -Encoding values that 5.1's FileSystemCmdletProviderEncoding (and Out-File's list) lack.
$newEncodings = @('utf8NoBOM', 'utf8BOM', 'ansi')

# Automatic variables added after 5.1 (in 5.1 they are simply $null, so a test of them is
# silently false).
$newVariables = @{
    'PSStyle'                                  = 'variable-psstyle'
    'IsWindows'                                = 'variable-isplatform'
    'IsLinux'                                  = 'variable-isplatform'
    'IsMacOS'                                  = 'variable-isplatform'
    'IsCoreCLR'                                = 'variable-isplatform'
    'PSNativeCommandArgumentPassing'           = 'variable-psnativecommand'
    'PSNativeCommandUseErrorActionPreference'  = 'variable-psnativecommand'
    'EnabledExperimentalFeatures'              = 'variable-experimentalfeatures'
}

# Cmdlets whose -Name (the property name) accepts wildcard characters per Microsoft's reference
# ("Accept wildcard characters: True"): Get-ItemProperty, Get-ItemPropertyValue,
# Remove-ItemProperty, Clear-ItemProperty. Copy-, Move- and Rename-ItemProperty name one
# property but are listed too: fixgen never needs them, so any use is worth a look.
$wildcardNameCommands = @(
    'Get-ItemProperty', 'gp', 'Get-ItemPropertyValue', 'gpv', 'Remove-ItemProperty', 'rp',
    'Clear-ItemProperty', 'clp', 'Copy-ItemProperty', 'cpp', 'Move-ItemProperty', 'mp',
    'Rename-ItemProperty', 'rnp'
)

function Get-Position {
    param($Path, $Extent)
    return ('{0}:{1}:{2}' -f $Path, $Extent.StartLineNumber, $Extent.StartColumnNumber)
}

function Get-Snippet {
    param($Extent)
    $text = $Extent.Text -replace '\s+', ' '
    if ($text.Length -gt 80) { $text = $text.Substring(0, 80) + '...' }
    return $text
}

function Test-ParameterMatch {
    param([string]$Given, [string]$Full)
    if ($Given.Length -lt 3) { return ($Given -eq $Full) }
    return $Full.StartsWith($Given, [System.StringComparison]::OrdinalIgnoreCase)
}

# The argument bound to -Name: named (-Name x, -Name:x, or an unambiguous prefix such as -Na),
# else the second positional argument. $null when there is none.
function Get-NameArgument {
    param($CommandAst)
    $elements = $CommandAst.CommandElements
    $positional = @()
    for ($i = 1; $i -lt $elements.Count; $i++) {
        $e = $elements[$i]
        if ($e -is [System.Management.Automation.Language.CommandParameterAst]) {
            if ($e.ParameterName.Length -ge 2 -and 'Name'.StartsWith($e.ParameterName, [System.StringComparison]::OrdinalIgnoreCase)) {
                if ($null -ne $e.Argument) { return $e.Argument }
                if ($i + 1 -lt $elements.Count) { return $elements[$i + 1] }
                return $null
            }
            # Switches take no argument; every other parameter of these cmdlets takes one.
            if (@('Force', 'PassThru', 'WhatIf', 'Confirm', 'UseTransaction') -notcontains $e.ParameterName -and $null -eq $e.Argument) { $i++ }
            continue
        }
        $positional += $e
    }
    if ($positional.Count -ge 2) { return $positional[1] }
    return $null
}

function Find-Ps51Problem {
    param([string]$Path, $Ast, $Tokens)
    $found = New-Object System.Collections.Generic.List[string]
    $add = {
        param($rule, $node)
        $found.Add(('PS51 {0}: {1}: {2}' -f (Get-Position $Path $node.Extent), $rule, (Get-Snippet $node.Extent)))
    }
    $nodes = $Ast.FindAll({ $true }, $true)
    foreach ($n in $nodes) {
        $lang = [System.Management.Automation.Language.TokenKind]
        if ($n -is [System.Management.Automation.Language.TernaryExpressionAst]) {
            & $add 'ternary' $n
        } elseif ($n -is [System.Management.Automation.Language.PipelineChainAst]) {
            & $add 'pipeline-chain' $n
        } elseif ($n -is [System.Management.Automation.Language.BinaryExpressionAst]) {
            if ($n.Operator -eq $lang::QuestionQuestion) { & $add 'null-coalescing' $n }
        } elseif ($n -is [System.Management.Automation.Language.AssignmentStatementAst]) {
            if ($n.Operator -eq $lang::QuestionQuestionEquals) { & $add 'null-coalescing-assignment' $n }
        } elseif ($n -is [System.Management.Automation.Language.MemberExpressionAst]) {
            if ($n.NullConditional) { & $add 'null-conditional-member' $n }
        } elseif ($n -is [System.Management.Automation.Language.IndexExpressionAst]) {
            if ($n.NullConditional) { & $add 'null-conditional-index' $n }
        } elseif ($n -is [System.Management.Automation.Language.ScriptBlockAst]) {
            if ($null -ne $n.CleanBlock) { & $add 'clean-block' $n.CleanBlock }
        } elseif ($n -is [System.Management.Automation.Language.PipelineAst]) {
            if ($n.Background) { & $add 'background-operator' $n }
        } elseif ($n -is [System.Management.Automation.Language.TypeDefinitionAst]) {
            if ($n.IsEnum -and $n.BaseTypes.Count -gt 0) { & $add 'enum-underlying-type' $n }
        } elseif ($n -is [System.Management.Automation.Language.VariableExpressionAst]) {
            $name = $n.VariablePath.UserPath
            if ($newVariables.ContainsKey($name)) { & $add $newVariables[$name] $n }
        } elseif ($n -is [System.Management.Automation.Language.CommandAst]) {
            $command = $n.GetCommandName()
            if ($null -eq $command) { continue }
            if ($wildcardNameCommands -contains $command) {
                $nameArgument = Get-NameArgument $n
                $safe = $nameArgument -is [System.Management.Automation.Language.StringConstantExpressionAst] -and
                    -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($nameArgument.Value) -and
                    $nameArgument.Value.IndexOf([char]96) -lt 0
                if (-not $safe) {
                    $found.Add(('WILDNAME {0}: {1}: {2}' -f (Get-Position $Path $n.Extent), $command, (Get-Snippet $n.Extent)))
                }
            }
            if ($commandRules.ContainsKey($command)) {
                & $add $commandRules[$command] $n
            }
            $elements = $n.CommandElements
            for ($i = 1; $i -lt $elements.Count; $i++) {
                $e = $elements[$i]
                if ($e -isnot [System.Management.Automation.Language.CommandParameterAst]) { continue }
                foreach ($r in $parameterRules) {
                    if (($r.Commands -contains $command) -and (Test-ParameterMatch $e.ParameterName $r.Parameter)) {
                        & $add $r.Rule $n
                    }
                }
                if (Test-ParameterMatch $e.ParameterName 'Encoding') {
                    $value = $e.Argument
                    if ($null -eq $value -and $i + 1 -lt $elements.Count) { $value = $elements[$i + 1] }
                    if ($value -is [System.Management.Automation.Language.StringConstantExpressionAst] -and ($newEncodings -contains $value.Value)) {
                        & $add 'encoding-name' $n
                    } elseif ($value -is [System.Management.Automation.Language.ConstantExpressionAst] -and $value.StaticType -ne [string]) {
                        & $add 'encoding-codepage' $n
                    }
                }
            }
        }
    }
    foreach ($t in $Tokens) {
        if ($t.Kind -eq [System.Management.Automation.Language.TokenKind]::Number) {
            if ($t.Text -match '^(?i)0b[01]') {
                & $add 'binary-literal' $t
            } elseif ($t.Text -match '(?i)[0-9.](?:y|uy|s|us|u|ul|n)(?:kb|mb|gb|tb|pb)?$' -and $t.Text -notmatch '^(?i)0x') {
                & $add 'number-suffix' $t
            }
        }
        if ($t -is [System.Management.Automation.Language.StringExpandableToken] -or $t.Kind -eq [System.Management.Automation.Language.TokenKind]::StringExpandable) {
            if ($t.Text -match '`u\{') { & $add 'unicode-escape' $t }
        }
    }
    return $found
}

function Get-RegistryStepName {
    param([string]$Path, $Ast)
    $tables = $Ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.HashtableAst] }, $true)
    foreach ($t in $tables) {
        $entries = @{}
        foreach ($pair in $t.KeyValuePairs) {
            if ($pair.Item1 -is [System.Management.Automation.Language.StringConstantExpressionAst]) {
                $entries[$pair.Item1.Value] = $pair.Item2
            }
        }
        if (-not ($entries.ContainsKey('Kind') -and $entries.ContainsKey('Name') -and $entries.ContainsKey('Path'))) { continue }
        try {
            $kind = $entries['Kind'].SafeGetValue()
            $keyPath = $entries['Path'].SafeGetValue()
            $name = $entries['Name'].SafeGetValue()
        } catch {
            continue
        }
        if ($kind -ne 'registry' -or $keyPath -isnot [string] -or $name -isnot [string]) { continue }
        Write-Output ('REGSTEP {0}: {1}' -f $Path, (ConvertTo-Json -InputObject $name -Compress))
    }
}

$files = @(Get-Content -LiteralPath $ListFile | Where-Object { $_ -ne '' })
$checked = 0
foreach ($file in $files) {
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref]$tokens, [ref]$errors)
    foreach ($e in $errors) {
        Write-Output ('PARSE {0}: {1}: {2}' -f (Get-Position $file $e.Extent), $e.ErrorId, $e.Message)
    }
    foreach ($line in (Find-Ps51Problem -Path $file -Ast $ast -Tokens $tokens)) {
        Write-Output $line
    }
    Get-RegistryStepName -Path $file -Ast $ast
    $checked++
}
Write-Output ('CHECKED {0}' -f $checked)

if ($ManifestListFile) {
    $manifests = @(Get-Content -LiteralPath $ManifestListFile | Where-Object { $_ -ne '' })
    $modules = 0
    foreach ($psd1 in $manifests) {
        try {
            $listed = @((Import-PowerShellDataFile -LiteralPath $psd1).FunctionsToExport | Sort-Object)
            Write-Output ('MANIFEST-EXPORTS {0}: {1}' -f $psd1, ($listed -join ','))
            $tested = Test-ModuleManifest -Path $psd1 -ErrorAction Stop
            $root = Join-Path (Split-Path -Parent $psd1) $tested.RootModule
            $tokens = $null
            $errors = $null
            $moduleAst = [System.Management.Automation.Language.Parser]::ParseFile($root, [ref]$tokens, [ref]$errors)
            foreach ($statement in $moduleAst.EndBlock.Statements) {
                if ($statement -is [System.Management.Automation.Language.FunctionDefinitionAst]) { continue }
                if ($statement -is [System.Management.Automation.Language.PipelineAst] -and
                    $statement.PipelineElements.Count -eq 1 -and
                    $statement.PipelineElements[0] -is [System.Management.Automation.Language.CommandAst] -and
                    $statement.PipelineElements[0].GetCommandName() -eq 'Export-ModuleMember') { continue }
                Write-Output ('TOPLEVEL {0}: {1}' -f (Get-Position $root $statement.Extent), (Get-Snippet $statement.Extent))
            }
            $module = Import-Module -Name $psd1 -PassThru -Force -ErrorAction Stop
            $exported = @($module.ExportedFunctions.Keys | Sort-Object)
            Write-Output ('MODULE-EXPORTS {0}: {1}' -f $psd1, ($exported -join ','))
            Remove-Module -ModuleInfo $module -Force
        } catch {
            Write-Output ('MODULE-ERROR {0}: {1}' -f $psd1, ($_.Exception.Message -replace '\s+', ' '))
        }
        $modules++
    }
    Write-Output ('MODULES {0}' -f $modules)
}
