//! A registry step as data for the generated PowerShell: its entries of the step hashtable
//! (`render::kinds::registry`, mounted by `src/render/mod.rs`; called by `ps_model::step_data` and `undo::undo_targets`).

use crate::diag::Diagnostic;
use crate::model::{Ensure, RegValue};
use crate::registry::RegPath;
use crate::render::escape::PsLit;
use crate::render::ps_steps::Binder;
use crate::render::ps_types::{entry, Entry};

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

/// Undo's target: the value's provider path and name, never its data.
pub(crate) fn undo_target(r: &crate::model::RegistryStep, e: &mut Vec<Entry>) {
    let path = RegPath::parse(&r.key)
        .map(|p| p.provider_path())
        .unwrap_or_default();
    e.push(entry("Path", PsLit::string(&path)));
    e.push(entry("Name", PsLit::string(&r.name)));
}
