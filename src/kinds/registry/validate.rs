//! A registry step: its rules in the validator, and the value it writes for the checks across
//! steps ([`value_sets`]) (`validate::kinds::registry`, mounted by `src/validate/mod.rs`).

use super::super::*;
use crate::validate::writes::{val_data, Data, ValueSet};

/// A registry step: key, value name, `ensure` and the data (see [`registry_key`] and
/// [`registry_value`]), the catalogue of known values, and the context lints.
pub(in crate::validate) fn check(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    base: &str,
    s: &crate::model::RegistryStep,
    steps: &mut Steps,
) {
    let used = &mut steps.used;
    let keyf = format!("{base}.key");
    let path = registry_key(cx, base, s);
    let vf = format!("{base}.value");
    let data = registry_value(cx, r, &vf, s, used);
    let Some(path) = path else { return };
    if let Some(d) = &data {
        for fd in registry::check_catalogue(&path, &s.name, d, &vf) {
            cx.finding(fd);
        }
    }
    // Context lints.
    match (r.context, path.hive) {
        (Context::System, Hive::CurrentUser) => cx.push(
            Severity::Warning,
            "context-hkcu",
            &keyf,
            "HKCU in a `system` recipe writes SYSTEM's own profile (HKU\\S-1-5-18), not the signed-in user's".into(),
            Some("use `context: user` for per-user settings, or an HKLM policy key"),
        ),
        (Context::User, Hive::LocalMachine) => cx.push(
            Severity::Warning,
            "context-hklm-user",
            &keyf,
            "a `user` recipe runs as the signed-in user, who usually cannot write HKLM".into(),
            Some("use `context: system` for machine-wide settings"),
        ),
        _ => {}
    }
    if path.is_wow64_redirected() {
        cx.push(
            Severity::Info,
            "wow64",
            &keyf,
            format!("{} is redirected to WOW6432Node for 32-bit processes; generated scripts relaunch in 64-bit PowerShell so the 64-bit view is written", path.short()),
            None,
        );
    }
}

/// The key path (and its limits) and the value name; the parsed path when it is usable.
fn registry_key(cx: &mut Ctx<'_>, base: &str, s: &crate::model::RegistryStep) -> Option<RegPath> {
    let keyf = format!("{base}.key");
    let path = match RegPath::parse(&s.key) {
        Ok(p) => Some(p),
        Err(e) => {
            cx.push(Severity::Error, "registry-path", &keyf, format!("invalid registry key: {e}"), Some(r"write the key as HIVE\path, e.g. HKLM\SYSTEM\CurrentControlSet\Services\PolicyAgent"));
            None
        }
    };
    let path = match path.as_ref().map(registry_path_limits) {
        Some(Err((code, m))) => {
            cx.err(code, &keyf, m);
            None
        }
        _ => path,
    };
    if let Some(p) = &path {
        let n = p.long().chars().count();
        if n > MAX_KEY_NAME_DOC {
            cx.push(
                Severity::Warning,
                "registry-path-long",
                &keyf,
                format!("the key path is {n} characters long; Microsoft's registry size limits give 255 characters for a key name including its absolute path (HKEY_...), and some tools refuse longer ones"),
                None,
            );
        }
    }
    if let Err(m) = registry::check_value_name(&s.name) {
        cx.err("registry-value-name", &format!("{base}.name"), m);
    } else if let Some((i, c)) = s
        .name
        .chars()
        .enumerate()
        .find(|(_, c)| (*c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}'))
    {
        cx.push(
            Severity::Error,
            "registry-value-name",
            &format!("{base}.name"),
            format!(
                "the value name contains the control character U+{:04X} at position {}; a .reg file cannot carry a line break in a name and Group Policy's Registry.xml no control character",
                c as u32,
                i + 1
            ),
            None,
        );
    }
    path
}

/// `ensure` against `value`, and the data with its param uses; the data as the catalogue
/// checks it.
fn registry_value<'s>(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    vf: &str,
    s: &'s crate::model::RegistryStep,
    used: &mut BTreeSet<String>,
) -> Option<RegData<'s>> {
    let base = &vf[..vf.len() - ".value".len()];
    match (s.ensure, &s.value) {
        (Ensure::Present, None) => cx.push(
            Severity::Error,
            "registry-value-missing",
            base,
            "`ensure: present` needs a `value`".into(),
            Some("add e.g. `value: { dword: 1 }`, or `ensure: absent` to delete the value"),
        ),
        (Ensure::Absent, Some(_)) => cx.push(
            Severity::Error,
            "registry-value-absent",
            vf,
            "`ensure: absent` deletes the value, so `value` must not be given".into(),
            Some("remove `value`, or drop `ensure: absent`"),
        ),
        _ => {}
    }
    s.value.as_ref().map(|v| match v {
        RegValue::String(x) => {
            let f = format!("{vf}.string");
            val_use(cx, r, &f, x, Want::RegistryText, used);
            match x {
                Val::Lit(t) => {
                    for p in uses::check_text_use(uses::Use::RegistryText, t) {
                        cx.problem(&f, p);
                    }
                    RegData::String(t)
                }
                Val::Param(_) => RegData::Param("string"),
            }
        }
        RegValue::ExpandString(x) => {
            let f = format!("{vf}.expand_string");
            val_use(cx, r, &f, x, Want::RegistryText, used);
            match x {
                Val::Lit(t) => {
                    for p in uses::check_text_use(uses::Use::RegistryText, t) {
                        cx.problem(&f, p);
                    }
                    RegData::ExpandString(t)
                }
                Val::Param(_) => RegData::Param("expand_string"),
            }
        }
        RegValue::MultiString(items) => {
            for fd in registry::check_multi_string(items, &format!("{vf}.multi_string")) {
                cx.finding(fd);
            }

            RegData::MultiString(items)
        }
        RegValue::Dword(x) => {
            val_use(cx, r, &format!("{vf}.dword"), x, Want::Unsigned(32), used);
            match x {
                Val::Lit(n) => RegData::Dword(*n),
                Val::Param(_) => RegData::Param("dword"),
            }
        }
        RegValue::Qword(x) => {
            val_use(cx, r, &format!("{vf}.qword"), x, Want::Unsigned(64), used);
            match x {
                Val::Lit(n) => RegData::Qword(*n),
                Val::Param(_) => RegData::Param("qword"),
            }
        }
        RegValue::Binary(h) => {
            if let Err(m) = h.parsed() {
                cx.err("registry-binary", &format!("{vf}.binary"), m.to_string());
            }
            RegData::Binary(&[])
        }
    })
}

/// The documented 255-character key name (see [`registry_path_limits`]).
const MAX_KEY_NAME_DOC: usize = 255;

/// Longest key path, in UTF-16 code units of its long form (`HKEY_...\...`): the kernel takes
/// a key path as a UNICODE_STRING of at most 32,767 code units, which also holds the native
/// root (`\REGISTRY\USER\<SID>_Classes\` for HKCU classes, up to about 200 characters), so
/// 255 are kept for it.
const MAX_KEY_PATH: usize = 32_767 - 255;

/// Limits of a parsed key beyond its syntax: no `.` or `..` segment (PowerShell's registry
/// provider resolves them as parent and current key, a .reg file and the registry API take
/// them as names, so the targets would write different keys) and the whole path within
/// [`MAX_KEY_PATH`].
fn registry_path_limits(p: &RegPath) -> Result<(), (&'static str, String)> {
    for (i, seg) in p.subkey.split('\\').enumerate() {
        if seg == "." || seg == ".." {
            return Err((
                "registry-path",
                format!("invalid registry key: segment {} of the key path is `{seg}`; PowerShell would read it as a relative path (the key or its parent) while a .reg file creates a key with that name", i + 1),
            ));
        }
    }
    let n: usize = p.long().encode_utf16().count();
    if n > MAX_KEY_PATH {
        return Err((
            "registry-path",
            format!("invalid registry key: the key path is {n} UTF-16 code units long; Windows takes at most {MAX_KEY_PATH} (a UNICODE_STRING of 32,767 with room for the native root)"),
        ));
    }
    Ok(())
}

/// The value a registry step writes, for the checks across steps (`cross::changes`): none when
/// its key does not parse or a present value has no data (reported by [`check`]).
pub(in crate::validate) fn value_sets(i: usize, s: &crate::model::RegistryStep) -> Vec<ValueSet> {
    let Ok(path) = RegPath::parse(&s.key) else {
        return Vec::new();
    };
    let data = match (s.ensure, &s.value) {
        (Ensure::Absent, _) => Data::Absent,
        (Ensure::Present, Some(v)) => reg_data(v),
        (Ensure::Present, None) => return Vec::new(),
    };
    vec![(
        path,
        s.name.clone(),
        data,
        format!("steps[{i}].registry.name"),
    )]
}

fn reg_data(v: &RegValue) -> Data {
    match v {
        RegValue::String(x) => val_data("string", x),
        RegValue::ExpandString(x) => val_data("expand_string", x),
        RegValue::MultiString(items) => Data::Lit("multi_string", items.join("\n")),
        RegValue::Dword(x) => val_data("dword", x),
        RegValue::Qword(x) => val_data("qword", x),
        RegValue::Binary(h) => Data::Lit(
            "binary",
            h.parsed()
                .map(hex::encode)
                .unwrap_or_else(|_| h.text().to_string()),
        ),
    }
}

/// The free texts of a `multi_string` value and their limit, for `recipe::texts` (`string` and
/// `expand_string` literals are checked with their use, `uses`).
pub(in crate::validate) fn texts<'r>(
    i: usize,
    rs: &'r crate::model::RegistryStep,
    texts: &mut Vec<(String, &'r str, usize)>,
) {
    if let Some(RegValue::MultiString(items)) = &rs.value {
        for (j, t) in items.iter().enumerate() {
            texts.push((
                format!("steps[{i}].registry.value.multi_string[{j}]"),
                t,
                MAX_REG_TEXT,
            ));
        }
    }
}
