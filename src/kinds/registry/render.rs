//! A registry step as data for the generated PowerShell: its entries of the step hashtable
//! (`render::kinds::registry`, mounted by `src/render/mod.rs`; called by `ps_model::step_data` and `undo::undo_targets`);
//! and as a value in a `.reg` file and Group Policy ([`reg`], called by `reg::registry_changes`).

use crate::diag::Diagnostic;
use crate::model::{Ensure, RegValue};
use crate::plan::RecipePlan;
use crate::regfile::RegData;
use crate::registry::RegPath;
use crate::render::escape::PsLit;
use crate::render::ps_steps::Binder;
use crate::render::ps_types::{entry, Entry};
use crate::render::reg_types::{Origin, RegChange, RegSink};

pub(crate) fn entries<'a>(
    b: &mut Binder<'a>,
    r: &'a crate::model::RegistryStep,
    e: &mut Vec<Entry>,
) -> Result<(), Diagnostic> {
    let path = RegPath::parse(&r.key).map_err(|m| {
        b.error(
            "registry-key",
            "registry.key",
            format!("registry key `{}`: {m}", r.key),
        )
    })?;
    e.push(entry("Path", PsLit::string(&path.provider_path())));
    e.push(entry("Name", PsLit::string(&r.name)));
    match (r.ensure, &r.value) {
        (Ensure::Absent, _) => e.push(entry("Ensure", PsLit::string("Absent"))),
        (Ensure::Present, None) => {
            return Err(b.error(
                "registry-value",
                "registry.name",
                format!("registry value `{}` has no `value`", r.name),
            ))
        }
        (Ensure::Present, Some(v)) => {
            e.push(entry("Ensure", PsLit::string("Present")));
            let (ty, lit) = match v {
                RegValue::String(s) => (
                    "String",
                    b.value(s, |x: &String| PsLit::string(x), "registry.value.string")?,
                ),
                RegValue::ExpandString(s) => (
                    "ExpandString",
                    b.value(
                        s,
                        |x: &String| PsLit::string(x),
                        "registry.value.expand_string",
                    )?,
                ),
                RegValue::MultiString(items) => ("MultiString", PsLit::string_array(items)),
                RegValue::Dword(d) => (
                    "DWord",
                    b.value(
                        d,
                        |x: &u32| PsLit::uint(u64::from(*x)),
                        "registry.value.dword",
                    )?,
                ),
                RegValue::Qword(q) => (
                    "QWord",
                    b.value(q, |x: &u64| PsLit::uint(*x), "registry.value.qword")?,
                ),
                RegValue::Binary(h) => (
                    "Binary",
                    PsLit::bytes(
                        h.parsed()
                            .map_err(|m| b.error("registry-binary", "registry.value.binary", m))?,
                    ),
                ),
            };
            e.push(entry("Type", PsLit::string(ty)));
            e.push(entry("Value", lit));
        }
    }
    Ok(())
}

/// Whether the step needs the 64-bit view (`ps_model::needs_64bit`): a value under a key WOW64
/// redirects (`HKLM\SOFTWARE`), or a key that does not parse (kept to 64-bit).
pub(crate) fn needs_64bit(r: &crate::model::RegistryStep) -> bool {
    RegPath::parse(&r.key).map_or(true, |p| p.is_wow64_redirected())
}

/// Undo's target: the value's provider path and name, never its data.
pub(crate) fn undo_target(_rp: &RecipePlan, r: &crate::model::RegistryStep, e: &mut Vec<Entry>) {
    let path = RegPath::parse(&r.key)
        .map(|p| p.provider_path())
        .unwrap_or_default();
    e.push(entry("Path", PsLit::string(&path)));
    e.push(entry("Name", PsLit::string(&r.name)));
}

/// For a `.reg` file and Group Policy: the value to set, or to delete (`ensure: absent`).
pub(crate) fn reg(out: &mut RegSink<'_>, i: usize, s: &crate::model::RegistryStep) {
    let field = format!("steps[{i}].registry");
    let path = match RegPath::parse(&s.key) {
        Ok(p) => p,
        Err(e) => {
            out.error(format!("{field}.key"), e.to_string(), None);
            return;
        }
    };
    let data = match (s.ensure, &s.value) {
        (Ensure::Absent, _) => None,
        (Ensure::Present, Some(v)) => match reg_data(out, v, &format!("{field}.value")) {
            Some(d) => Some(d),
            None => return,
        },
        (Ensure::Present, None) => {
            out.error(
                format!("{field}.value"),
                "a registry step with ensure: present needs a value".into(),
                None,
            );
            return;
        }
    };
    out.changes.push(RegChange {
        step: i,
        path,
        name: s.name.clone(),
        data,
        origin: Origin::Registry,
    });
}

/// The data of a value, known at build time.
fn reg_data(out: &mut RegSink<'_>, v: &RegValue, field: &str) -> Option<RegData> {
    let rp = out.rp;
    Some(match v {
        RegValue::String(s) => RegData::Sz(out.known(rp.resolve(s), field)?),
        RegValue::ExpandString(s) => RegData::ExpandSz(out.known(rp.resolve(s), field)?),
        RegValue::MultiString(items) => RegData::MultiSz(items.clone()),
        RegValue::Dword(d) => RegData::Dword(out.known(rp.resolve(d), field)?),
        RegValue::Qword(q) => RegData::Qword(out.known(rp.resolve(q), field)?),
        RegValue::Binary(h) => match h.parsed() {
            Ok(b) => RegData::Binary(b.to_vec()),
            Err(m) => {
                out.error(field.to_string(), m.to_string(), None);
                return None;
            }
        },
    })
}
