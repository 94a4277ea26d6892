//! Param uses in steps: each `{ param: Name }` is declared, and its value (given at build time,
//! or the default) is checked as a literal in its place would be.

use super::*;

/// What a step field expects from a param.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    /// Text that may be shown and logged (names).
    Text,
    /// A host name or address.
    Host,
    /// A secret (pre-shared key): must be a secret param.
    Secret,
    /// Text written to the registry in clear.
    RegistryText,
    /// A whole number of this many bits, unsigned.
    Unsigned(u32),
}

/// Record a param use and check it is declared and has a fitting type.
pub(super) fn val_use<T>(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    field: &str,
    v: &Val<T>,
    want: Want,
    used: &mut BTreeSet<String>,
) {
    let Some(name) = v.param_name() else { return };
    let pf = format!("{field}.param");
    used.insert(name.to_string());
    let Some(p) = r.params.get(name) else {
        let known: Vec<&str> = r.params.keys().map(String::as_str).collect();
        cx.push(
            Severity::Error,
            "param-undeclared",
            &pf,
            format!("param `{name}` is not declared in `params`"),
            Some(&if known.is_empty() {
                format!("declare it: `params: {{ {name}: {{ type: string }} }}`")
            } else {
                format!("declared params: {}", known.join(", "))
            }),
        );
        return;
    };
    let ty = p.ty.name();
    let bad_type = match want {
        Want::Text | Want::Secret | Want::RegistryText => {
            !matches!(p.ty, ParamType::String | ParamType::Hostname)
        }
        Want::Host => !matches!(p.ty, ParamType::Hostname | ParamType::String),
        Want::Unsigned(_) => p.ty != ParamType::Int,
    };
    if bad_type {
        let expected = match want {
            Want::Unsigned(32) => "an `int` param (a REG_DWORD)",
            Want::Unsigned(_) => "an `int` param (a REG_QWORD)",
            Want::Host => "a `hostname` param",
            _ => "a `string` param",
        };
        cx.err(
            "param-type",
            &pf,
            format!("param `{name}` has type `{ty}`; this field expects {expected}"),
        );
        return;
    }
    bound_use(cx, r, name, p, field, want);
    match want {
        Want::Secret if !p.secret => cx.push(
            Severity::Error,
            "secret-param",
            &pf,
            format!("the pre-shared key comes from param `{name}`, which is not `secret: true`; its value could be logged or shown"),
            Some("add `secret: true` to the param"),
        ),
        Want::RegistryText | Want::Text | Want::Host if p.secret => cx.push(
            Severity::Error,
            "secret-in-clear",
            &pf,
            if want == Want::RegistryText {
                format!("secret param `{name}` would be written to the registry in clear")
            } else {
                format!("secret param `{name}` is used where its value is shown and logged")
            },
            Some("use secrets only for a VPN pre-shared key"),
        ),
        _ => {}
    }
    if want == Want::Host && p.ty == ParamType::String {
        cx.push(
            Severity::Warning,
            "param-hostname",
            &pf,
            format!("param `{name}` is a server address but has type `string`; with `hostname` its value is checked"),
            Some("declare it as `type: hostname`"),
        );
    }
}

/// Check the value a param has at build time (given with `--set`/`--values`, else its
/// default) exactly as a literal at `field` is checked.
fn bound_use(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    name: &str,
    p: &crate::model::Param,
    field: &str,
    want: Want,
) {
    let u = match want {
        Want::Text => uses::Use::VpnName,
        Want::Host => uses::Use::Host,
        Want::Secret => uses::Use::Psk,
        Want::RegistryText => uses::Use::RegistryText,
        Want::Unsigned(bits) => uses::Use::Unsigned(bits),
    };
    // A secret anywhere but the pre-shared key is already an error (`secret-in-clear`).
    if p.secret && u != uses::Use::Psk {
        return;
    }
    if let Some(text) = cx.given.values.get(name) {
        let Ok(v) = uses::parse_param_text(p.ty, text) else {
            return; // reported once, as `param-value`
        };
        for pr in uses::check_value_use(u, &v) {
            cx.at_origin(
                pr.code,
                name,
                pr.message,
                format!(
                    "the value of param `{name}` is used at {field} in recipe `{}`",
                    r.id
                ),
            );
        }
    } else if let Some(d) = &p.default {
        let typed = matches!(
            (p.ty, d),
            (
                ParamType::String | ParamType::Hostname,
                ParamValue::String(_)
            ) | (ParamType::Int, ParamValue::Int(_))
                | (ParamType::Bool, ParamValue::Bool(_))
        );
        if typed {
            for pr in uses::check_value_use(u, d) {
                cx.problem(&format!("params.{name}.default"), pr);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::SourceFile;

    /// The validator checks a param use in exactly the fields `Step::param_uses` walks (the one
    /// walk binding and the scripts use): a field walked but not validated would go out
    /// unchecked, a field validated but not walked would never be bound.
    #[test]
    fn the_validator_checks_exactly_the_fields_param_uses_walks() {
        let steps = [
            "  - registry:\n      key: HKLM\\SOFTWARE\\Vendor\n      name: A\n      value: { string: { param: Missing } }\n",
            "  - registry:\n      key: HKLM\\SOFTWARE\\Vendor\n      name: A\n      value: { expand_string: { param: Missing } }\n",
            "  - registry:\n      key: HKLM\\SOFTWARE\\Vendor\n      name: A\n      value: { dword: { param: Missing } }\n",
            "  - registry:\n      key: HKLM\\SOFTWARE\\Vendor\n      name: A\n      value: { qword: { param: Missing } }\n",
            "  - vpn:\n      name: { param: Missing }\n      server: { param: Missing }\n      tunnel: l2tp\n      psk: { param: Missing }\n",
        ];
        for step in steps {
            let text = format!("id: uses\ntitle: t\nsummary: s\nsteps:\n{step}");
            let source = SourceFile {
                path: "uses.yaml".into(),
                text,
            };
            let parsed = crate::load::parse(std::slice::from_ref(&source));
            let recipe = &parsed.recipes[0].recipe;
            let walked: std::collections::BTreeSet<String> = recipe.steps[0]
                .param_uses()
                .iter()
                .map(|u| format!("steps[0].{}.{}", recipe.steps[0].kind(), u.field))
                .collect();
            assert!(!walked.is_empty(), "{step}");
            let report = crate::validate::check(crate::load::Inputs::from_sources(vec![source]));
            let checked: std::collections::BTreeSet<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.code == "param-undeclared")
                // located at the `param:` key inside the field
                .map(|d| d.field.trim_end_matches(".param").to_string())
                .collect();
            assert_eq!(checked, walked, "{step}\n{:#?}", report.diagnostics);
        }
    }
}
