//! A firewall step as data for the generated PowerShell: its entries of the step hashtable
//! (`render::kinds::firewall`, mounted by `src/render/mod.rs`; called by `ps_model::step_data` and `undo::undo_targets`);
//! and its line among what a `.reg` file cannot express ([`reg`], called by `render::reg`).

use crate::diag::Diagnostic;
use crate::model::{Direction, FirewallAction, Port, Profile};
use crate::plan::RecipePlan;
use crate::render::escape::PsLit;
use crate::render::ps_steps::Binder;
use crate::render::ps_types::{entry, Entry};
use crate::render::reg_types::RegSink;

fn profile_name(p: Profile) -> &'static str {
    match p {
        Profile::Domain => "Domain",
        Profile::Private => "Private",
        Profile::Public => "Public",
    }
}

fn port_texts(ports: &[Port]) -> Vec<String> {
    if ports.is_empty() {
        return vec!["Any".to_string()];
    }
    ports.iter().map(Port::to_string).collect()
}

pub(crate) fn entries(
    _b: &mut Binder<'_>,
    f: &crate::model::FirewallStep,
    e: &mut Vec<Entry>,
) -> Result<(), Diagnostic> {
    e.push(entry("Name", PsLit::string(&f.id)));
    e.push(entry("DisplayName", PsLit::string(&f.display_name)));
    e.push(entry(
        "Description",
        PsLit::string(f.description.as_deref().unwrap_or("")),
    ));
    e.push(entry(
        "Direction",
        PsLit::string(match f.direction {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }),
    ));
    e.push(entry("Protocol", PsLit::string(f.protocol.cmdlet_name())));
    e.push(entry(
        "LocalPort",
        PsLit::string_array(&port_texts(&f.local_ports)),
    ));
    e.push(entry(
        "RemotePort",
        PsLit::string_array(&port_texts(&f.remote_ports)),
    ));
    e.push(entry(
        "Action",
        PsLit::string(match f.action {
            FirewallAction::Allow => "Allow",
            FirewallAction::Block => "Block",
        }),
    ));
    let mut profiles: Vec<Profile> = f.profiles.clone();
    profiles.sort();
    profiles.dedup();
    let names: Vec<&str> = if profiles.is_empty() {
        vec!["Any"]
    } else {
        profiles.iter().map(|p| profile_name(*p)).collect()
    };
    e.push(entry("Profile", PsLit::string_array(&names)));
    Ok(())
}

/// Undo's target: the rule's stable name.
pub(crate) fn undo_target(_rp: &RecipePlan, f: &crate::model::FirewallStep, e: &mut Vec<Entry>) {
    e.push(entry("Name", PsLit::string(&f.id)));
}

/// For a `.reg` file and Group Policy: a rule is for the scripts only.
pub(crate) fn reg(out: &mut RegSink<'_>, _i: usize, f: &crate::model::FirewallStep) {
    out.script_only.push(format!(
        "Windows Defender Firewall rule {} ({})",
        f.id, f.display_name
    ));
}

/// Whether the step needs the 64-bit view (`ps_model::needs_64bit`): yes; the NetSecurity module is not verified in a 32-bit host, so it keeps to 64-bit.
pub(crate) fn needs_64bit(_s: &crate::model::FirewallStep) -> bool {
    true
}
