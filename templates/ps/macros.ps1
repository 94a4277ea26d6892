{%- macro help(h, indent) -%}
{{ indent }}<#
{{ indent }}.SYNOPSIS
{{ h.synopsis.indented(indent) }}

{{ indent }}.DESCRIPTION
{{ h.description.indented(indent) }}
{% for p in h.params %}
{{ indent }}.PARAMETER {{ p.name }}
{{ p.help.indented(indent) }}
{% endfor %}
{%- for e in h.examples %}
{{ indent }}.EXAMPLE
{{ e.indented(indent) }}
{% endfor %}
{{ indent }}.NOTES
{{ h.notes.indented(indent) }}
{{ indent }}#>
{%- endmacro -%}

{%- macro param_block(params, indent) -%}
{%- if params.is_empty() -%}
{{ indent }}param()
{%- else -%}
{{ indent }}param(
{%- for p in params %}
{{ indent }}    {% if p.mandatory %}[Parameter(Mandatory)][ValidateNotNullOrEmpty()]{% endif %}[{{ p.ps_type }}]${{ p.name }}{% if !loop.last %},{% endif %}
{%- endfor %}
{{ indent }})
{%- endif -%}
{%- endmacro -%}

{%- macro hashtable(entries, indent) -%}
@{
{%- for e in entries %}
{{ indent }}    {{ e.key }} = {{ e.value }}
{%- endfor %}
{{ indent }}}
{%- endmacro -%}

{%- macro steps(list, indent) -%}
@(
{%- for s in list %}
{{ indent }}    @{
{%- for e in s.entries %}
{{ indent }}        {{ e.key }} = {{ e.value }}
{%- endfor %}
{{ indent }}    }{% if !loop.last %},{% endif %}
{%- endfor %}
{{ indent }})
{%- endmacro -%}


{%- macro hashtable_lines(lines, indent) -%}
@{ {% for l in lines %}{% if !loop.first %}
{{ indent }}    {% endif %}{% for e in l %}{{ e.key }} = {{ e.value }}{% if !loop.last %}; {% endif %}{% endfor %}{% endfor %} }
{%- endmacro -%}

{%- macro hashtable_inline(entries) -%}
@{ {% for e in entries %}{{ e.key }} = {{ e.value }}{% if !loop.last %}; {% endif %}{% endfor %} }
{%- endmacro -%}

{%- macro steps_inline(list, indent) -%}
@(
{%- for s in list %}
{{ indent }}    @{ {% for e in s.entries %}{{ e.key }} = {{ e.value }}{% if !loop.last %}; {% endif %}{% endfor %} }{% if !loop.last %},{% endif %}
{%- endfor %}
{{ indent }})
{%- endmacro -%}
