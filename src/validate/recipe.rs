//! Recipe-level checks: the metadata, the texts and their limits, the declared params and the
//! values given for them at build time.

use super::*;

/// The id, its file name, `channels`, `title`/`summary`, references, step and param counts.
pub(super) fn metadata(cx: &mut Ctx<'_>, lr: &LoadedRecipe) {
    let r = &lr.recipe;
    if let Err(m) = names::check_kebab_id(&r.id) {
        cx.err("recipe-id", "id", m);
    } else if let Err(m) = windows::check_device_name(&r.id, "the recipe id") {
        cx.push(
            Severity::Error,
            "reserved-name",
            "id",
            m,
            Some("the id names scripts/<id>.ps1, reg/<id>.reg and intune/<id>/; choose another id"),
        );
    } else {
        let stem = file_stem(&lr.source.path);
        if stem != r.id {
            cx.push(
                Severity::Error,
                "recipe-id-file",
                "id",
                format!(
                    "the id `{}` differs from the file name `{stem}`; they must be equal",
                    r.id
                ),
                Some("rename the file or change the id"),
            );
        }
    }
    if let Some(list) = &r.channels {
        if list.is_empty() {
            cx.err(
                "channels",
                "channels",
                "`channels` is empty: the recipe would be in no build target; list at least one of scripts, module, intune, gpo, reg, or leave `channels` out for all".to_string(),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, c) in list.iter().enumerate() {
            if !seen.insert(*c) {
                cx.err(
                    "channels",
                    &format!("channels[{i}]"),
                    format!("channel `{}` is listed twice", c.name()),
                );
            }
        }
    }
    for (f, v) in [("title", &r.title), ("summary", &r.summary)] {
        if v.trim().is_empty() {
            cx.err(
                "empty-text",
                f,
                format!("`{f}` is empty; expected text for the reviewer"),
            );
        }
    }
    if r.title.contains('\n') {
        cx.err(
            "title-line",
            "title",
            "expected the title on one line".into(),
        );
    }
    for (i, u) in r.references.iter().enumerate() {
        if let Err(m) = names::check_https_url(u) {
            cx.err("reference-url", &format!("references[{i}]"), m);
        }
    }
    if r.steps.is_empty() {
        cx.err("no-steps", "steps", "expected at least one step".into());
    }
    if r.steps.len() > MAX_STEPS {
        cx.err(
            "limit-steps",
            "steps",
            format!("the recipe has {} steps; at most {MAX_STEPS} are allowed (split it into several recipes)", r.steps.len()),
        );
    }
    if r.params.len() > MAX_PARAMS {
        cx.err(
            "limit-params",
            "params",
            format!(
                "the recipe declares {} params; at most {MAX_PARAMS} are allowed",
                r.params.len()
            ),
        );
    }
}

/// Every free text of the recipe: well-formed (`uses::check_text`) and within its limit.
pub(super) fn texts(cx: &mut Ctx<'_>, r: &Recipe) {
    let mut texts: Vec<(String, &str, usize)> = vec![
        ("title".into(), r.title.as_str(), MAX_TITLE),
        ("summary".into(), r.summary.as_str(), MAX_TEXT),
    ];
    if let Some(s) = &r.symptom {
        texts.push(("symptom".into(), s, MAX_TEXT));
    }
    if let Some(s) = &r.source_step {
        texts.push(("source_step".into(), s, MAX_TEXT));
    }
    for (name, p) in &r.params {
        if let Some(d) = &p.description {
            texts.push((format!("params.{name}.description"), d, MAX_TEXT));
        }
    }
    for (i, step) in r.steps.iter().enumerate() {
        crate::model::step_kind_dispatch!(step, s => kinds::KIND::texts(i, s, &mut texts));
    }
    for (field, text, max) in texts {
        // A NUL in registry data is reported as `registry-nul`.
        let nul_in_data = field.contains(".registry.value.") && text.contains('\0');
        if let (false, Some(p)) = (nul_in_data, uses::check_text(text)) {
            cx.problem(&field, p);
        }
        let n = text.chars().count();
        if n > max {
            cx.err(
                "limit-text",
                &field,
                format!("the text is {n} characters long; at most {max} are allowed here"),
            );
        }
    }
}

/// The declared params: names, defaults.
pub(super) fn params(cx: &mut Ctx<'_>, r: &Recipe) {
    let mut lower: BTreeMap<String, &str> = BTreeMap::new();
    for (name, p) in &r.params {
        let f = format!("params.{name}");
        if let Err(m) = names::check_param_name(name) {
            cx.push_key(Severity::Error, "param-name", &f, m, None);
        } else if let Err(m) = crate::escape::PsName::param(name) {
            // The renderer's own rule (common parameters, automatic variables, `fixgen*`).
            cx.push_key(
                Severity::Error,
                "param-reserved",
                &f,
                m,
                Some("rename the param, e.g. `ServerName` instead of `Host`"),
            );
        }
        if let Some(other) = lower.insert(name.to_ascii_lowercase(), name) {
            cx.push_key(
                Severity::Error,
                "param-case",
                &f,
                format!("param `{name}` differs from param `{other}` only in case; PowerShell parameter names are case-insensitive, so the script would declare one parameter twice"),
                Some("use one spelling"),
            );
        }
        if let Some(d) = &p.default {
            let df = format!("{f}.default");
            let ok = matches!(
                (p.ty, d),
                (ParamType::String, ParamValue::String(_))
                    | (ParamType::Hostname, ParamValue::String(_))
                    | (ParamType::Int, ParamValue::Int(_))
                    | (ParamType::Bool, ParamValue::Bool(_))
            );
            if !ok {
                cx.err(
                    "param-default-type",
                    &df,
                    format!(
                        "the default does not match the param type `{}`; expected {}",
                        p.ty.name(),
                        p.ty.expected()
                    ),
                );
            } else if let (ParamType::Hostname, ParamValue::String(s), false) = (p.ty, d, p.secret)
            {
                if let Err(m) = names::check_hostname(s) {
                    cx.err("hostname", &df, m);
                }
            }
            if p.secret {
                cx.push(
                    Severity::Error,
                    "secret-default",
                    &df,
                    format!("the secret param `{name}` has a default: its value would sit in the recipe in clear"),
                    Some("remove the default and pass the value with --set or --values at build time, or as a script parameter"),
                );
            }
            if p.required {
                cx.push(
                    Severity::Warning,
                    "param-required-default",
                    &f,
                    format!(
                        "param `{name}` is required and has a default; the default is never used"
                    ),
                    Some("drop `required: true` or the default"),
                );
            }
        }
    }
}

// Values given at build time: they must parse as the param's type; a secret one needs
// --allow-embedded-secrets (generated scripts take it at run time otherwise).
// (A secret given a value without --allow-embedded-secrets is one finding for the whole
// bundle: `secret_findings`.)
pub(super) fn given_values(cx: &mut Ctx<'_>, r: &Recipe) {
    for (name, p) in &r.params {
        if let Some(text) = cx.given.values.get(name) {
            if let Err(m) = uses::parse_param_text(p.ty, text) {
                let message = if p.secret {
                    format!(
                        "the value given for secret param `{name}` is not {}",
                        p.ty.expected()
                    )
                } else {
                    m
                };
                cx.at_origin(
                    "param-value",
                    name,
                    message,
                    format!(
                        "param `{name}` of recipe `{}` has type `{}`",
                        r.id,
                        p.ty.name()
                    ),
                );
            }
        }
    }
}
