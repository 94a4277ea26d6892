//! A firewall step in REVIEW.md and `fixgen plan`: its rows of the change table and what the script
//! reads first (`review::kinds::firewall`, mounted by `src/review/mod.rs`).

use super::super::*;

/// A firewall rule: its settings as the firewall console shows them.
pub(in crate::review) fn rows(
    _rp: &RecipePlan,
    f: &crate::model::FirewallStep,
    reads: &mut Vec<String>,
    rows: &mut Vec<Row>,
) {
    let mut row = |t: &str, s: &str, v: String| rows.push((t.to_string(), s.to_string(), v, None));
    let t = format!("firewall rule {}", f.id);
    reads.push(format!(
        "firewall rule {} (by its Name) and its port filter",
        f.id
    ));
    row(&t, "rule", "present, enabled, group fixgen".into());
    row(&t, "display name", f.display_name.clone());
    row(
        &t,
        "direction, action",
        format!(
            "{}, {}",
            match f.direction {
                Direction::Inbound => "Inbound",
                Direction::Outbound => "Outbound",
            },
            match f.action {
                FirewallAction::Allow => "Allow",
                FirewallAction::Block => "Block",
            }
        ),
    );
    row(&t, "protocol", f.protocol.cmdlet_name().into());
    if matches!(f.protocol, Protocol::Tcp | Protocol::Udp) {
        row(&t, "local ports", ports_str(&f.local_ports));
        row(&t, "remote ports", ports_str(&f.remote_ports));
    }
    let mut profiles = f.profiles.clone();
    profiles.sort();
    profiles.dedup();
    let p = if profiles.is_empty() {
        "Any".to_string()
    } else {
        profiles
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    row(&t, "profiles", p);
}

/// What undo cannot restore for this kind: its line in REVIEW.md's undo section.
pub(in crate::review) const UNDO_LIMITS: &str =
    "- firewall: only the settings the step manages; a rule fixgen added is removed.\n";

fn ports_str(ports: &[Port]) -> String {
    if ports.is_empty() {
        return "Any".into();
    }
    ports
        .iter()
        .map(Port::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
