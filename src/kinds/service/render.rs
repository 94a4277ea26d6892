//! A service step as data for the generated PowerShell: its entries of the step hashtable
//! (`render::kinds::service`, mounted by `src/render/mod.rs`; called by `ps_model::step_data` and `undo::undo_targets`).

use crate::diag::Diagnostic;
use crate::model::Startup;
use crate::render::escape::PsLit;
use crate::render::ps_types::{entry, Entry, SERVICE_TIMEOUT_SECONDS};

fn startup_name(s: Startup) -> &'static str {
    match s {
        Startup::Automatic => "Automatic",
        Startup::AutomaticDelayed => "AutomaticDelayed",
        Startup::Manual => "Manual",
        Startup::Disabled => "Disabled",
    }
}

pub(crate) fn entries(s: &crate::model::ServiceStep, e: &mut Vec<Entry>) -> Result<(), Diagnostic> {
    e.push(entry("Name", PsLit::string(&s.name)));
    e.push(entry(
        "Startup",
        s.startup
            .map(|x| PsLit::string(startup_name(x)))
            .unwrap_or_else(PsLit::null),
    ));
    e.push(entry(
        "State",
        s.state
            .map(|x| {
                PsLit::string(match x {
                    crate::model::ServiceState::Running => "Running",
                    crate::model::ServiceState::Stopped => "Stopped",
                })
            })
            .unwrap_or_else(PsLit::null),
    ));
    e.push(entry(
        "TimeoutSeconds",
        PsLit::uint(SERVICE_TIMEOUT_SECONDS),
    ));
    Ok(())
}

/// Undo's target: the service name.
pub(crate) fn undo_target(s: &crate::model::ServiceStep, e: &mut Vec<Entry>) {
    e.push(entry("Name", PsLit::string(&s.name)));
}
