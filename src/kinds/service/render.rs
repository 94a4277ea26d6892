//! A service step as data for the generated PowerShell: its entries of the step hashtable
//! (`render::kinds::service`, mounted by `src/render/mod.rs`; called by `ps_model::step_data` and `undo::undo_targets`);
//! and its startup type as the `Services\<name>` values of a `.reg` file and Group Policy
//! ([`reg`] and [`reg_comment`], called by `render::reg`).

use crate::diag::Diagnostic;
use crate::model::{ServiceState, Startup};
use crate::plan::RecipePlan;
use crate::regfile::write::RegWriter;
use crate::regfile::RegData;
use crate::render::escape::PsLit;
use crate::render::ps_steps::Binder;
use crate::render::ps_types::{entry, Entry, SERVICE_TIMEOUT_SECONDS};
use crate::render::reg_types::{Origin, RegChange, RegSink};

fn startup_name(s: Startup) -> &'static str {
    match s {
        Startup::Automatic => "Automatic",
        Startup::AutomaticDelayed => "AutomaticDelayed",
        Startup::Manual => "Manual",
        Startup::Disabled => "Disabled",
    }
}

pub(crate) fn entries(
    _b: &mut Binder<'_>,
    s: &crate::model::ServiceStep,
    e: &mut Vec<Entry>,
) -> Result<(), Diagnostic> {
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
pub(crate) fn undo_target(_rp: &RecipePlan, s: &crate::model::ServiceStep, e: &mut Vec<Entry>) {
    e.push(entry("Name", PsLit::string(&s.name)));
}

/// For a `.reg` file and Group Policy: the startup type as the `Start` (and `DelayedAutostart`)
/// values of the service's key; starting or stopping it is for the scripts only.
pub(crate) fn reg(out: &mut RegSink<'_>, i: usize, s: &crate::model::ServiceStep) {
    if let Some(startup) = s.startup {
        let path = match crate::registry::service_key(&s.name) {
            Ok(p) => p,
            Err(m) => {
                out.error(format!("steps[{i}].service.name"), m, None);
                return;
            }
        };
        let origin = Origin::ServiceStartup {
            service: s.name.clone(),
            startup,
        };
        out.changes.push(RegChange {
            step: i,
            path: path.clone(),
            name: "Start".into(),
            data: Some(RegData::Dword(startup.start_value())),
            origin: origin.clone(),
        });
        let delayed = match startup {
            Startup::Automatic => Some(0),
            Startup::AutomaticDelayed => Some(1),
            Startup::Manual | Startup::Disabled => None,
        };
        if let Some(d) = delayed {
            out.changes.push(RegChange {
                step: i,
                path,
                name: "DelayedAutostart".into(),
                data: Some(RegData::Dword(d)),
                origin,
            });
        }
    }
    match s.state {
        Some(ServiceState::Running) => out.script_only.push(format!(
            "start service {} now and check it is running",
            s.name
        )),
        Some(ServiceState::Stopped) => out.script_only.push(format!("stop service {} now", s.name)),
        None => {}
    }
}

fn startup_label(s: Startup) -> &'static str {
    match s {
        Startup::Automatic => "Automatic",
        Startup::AutomaticDelayed => "Automatic (Delayed Start)",
        Startup::Manual => "Manual",
        Startup::Disabled => "Disabled",
    }
}

/// The `.reg` file's comment above a service's startup values.
pub(crate) fn reg_comment(
    w: &mut RegWriter,
    recipe_id: &str,
    step: usize,
    service: &str,
    startup: Startup,
) {
    w.comment(&format!(
        "{} steps[{}]: service {} startup type {} (Start = {}{}).",
        recipe_id,
        step,
        service,
        startup_label(startup),
        startup.start_value(),
        match startup {
            Startup::Automatic => ", DelayedAutostart = 0",
            Startup::AutomaticDelayed => ", DelayedAutostart = 1",
            _ => "",
        }
    ));
    w.comment(
        "The Service Control Manager reads these at boot: the startup type takes effect after a restart.",
    );
    w.comment(&format!(
        "If {service} is not installed, importing creates an incomplete service key; check with: sc.exe qc {service}"
    ));
}

/// Whether the step needs the 64-bit view (`ps_model::needs_64bit`): no; Get-Service, sc.exe and the shared `Services` key work the same in both views.
pub(crate) fn needs_64bit(_s: &crate::model::ServiceStep) -> bool {
    false
}
