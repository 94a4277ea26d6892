<#
{{ header }}
#>
@{
    RootModule           = {{ root_module }}
    ModuleVersion        = {{ version }}
    GUID                 = {{ guid }}
    Author               = {{ author }}
    CompanyName          = {{ author }}
    Description          = {{ description }}
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FunctionsToExport    = @(
{%- for e in exports %}
        {{ e }}{% if !loop.last %},{% endif %}
{%- endfor %}
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    FileList             = @(
{%- for f in files %}
        {{ f }}{% if !loop.last %},{% endif %}
{%- endfor %}
    )
    PrivateData          = @{
        PSData = @{
            Tags = @('fixgen', 'Windows')
        }
    }
}
