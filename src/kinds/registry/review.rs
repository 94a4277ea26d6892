//! A registry step in REVIEW.md and `fixgen plan`: its rows of the change table and what the script
//! reads first (`review::kinds::registry`, mounted by `src/review/mod.rs`).

use super::super::*;

/// A registry value: set (with its kind and data) or deleted.
pub(in crate::review) fn rows(
    rp: &RecipePlan,
    r: &crate::model::RegistryStep,
    reads: &mut Vec<String>,
    rows: &mut Vec<Row>,
) {
    let mut row = |t: &str, s: &str, v: String| rows.push((t.to_string(), s.to_string(), v, None));
    let key = RegPath::parse(&r.key)
        .map(|p| p.short())
        .unwrap_or_else(|_| r.key.clone());
    let name = if r.name.is_empty() {
        "(default)".to_string()
    } else {
        r.name.clone()
    };
    reads.push(format!(
        "registry value {key}\\{name}: kind and data, or absence"
    ));
    match (r.ensure, &r.value) {
        (Ensure::Absent, _) => row(&key, &name, "deleted (value removed)".into()),
        (Ensure::Present, Some(v)) => row(&key, &name, reg_value_text(rp, v)),
        (Ensure::Present, None) => {}
    }
}

/// What undo cannot restore for this kind: its line in REVIEW.md's undo section.
pub(in crate::review) const UNDO_LIMITS: &str =
    "- registry: data of a kind the registry provider cannot write (REG_NONE, the resource kinds) is refused with an error; a key fixgen created is removed only when empty; key ACLs are not kept.\n";

fn reg_value_text(rp: &RecipePlan, v: &RegValue) -> String {
    match v {
        RegValue::String(s) => format!("REG_SZ {}", val_text(rp, s, |x| format!("{x:?}"))),
        RegValue::ExpandString(s) => {
            format!("REG_EXPAND_SZ {}", val_text(rp, s, |x| format!("{x:?}")))
        }
        RegValue::MultiString(items) => format!("REG_MULTI_SZ {items:?}"),
        RegValue::Dword(d) => format!(
            "REG_DWORD {}",
            val_text(rp, d, |x: &u32| format!("{x} (0x{x:08x})"))
        ),
        RegValue::Qword(q) => format!(
            "REG_QWORD {}",
            val_text(rp, q, |x: &u64| format!("{x} (0x{x:016x})"))
        ),
        RegValue::Binary(h) => {
            let bytes = h.parsed().unwrap_or_default();
            let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("REG_BINARY {}", hex.join(" "))
        }
    }
}
