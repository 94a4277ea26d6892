//! A service step: its rules in the validator, and the value its startup type writes for the
//! checks across steps ([`value_sets`]) (`validate::kinds::service`, mounted by `src/validate/mod.rs`).

use super::super::*;
use crate::validate::writes::{Data, ValueSet};

/// A service step: its name, that it changes something, and warnings for services Windows
/// needs or that are server-side.
pub(in crate::validate) fn check(
    cx: &mut Ctx<'_>,
    _r: &Recipe,
    base: &str,
    s: &crate::model::ServiceStep,
    _steps: &mut Steps,
) {
    if let Err(m) = names::check_service_name(&s.name) {
        let hint = names::service_key_for_display_name(&s.name).map(|k| {
            format!(
                "`{}` is the display name; the service name is `{k}`",
                s.name
            )
        });
        cx.push(
            Severity::Error,
            "service-name",
            &format!("{base}.name"),
            m,
            hint.as_deref(),
        );
    }
    if s.startup.is_none() && s.state.is_none() {
        cx.push(
            Severity::Error,
            "service-empty",
            base,
            "the service step sets neither `startup` nor `state`; expected at least one".into(),
            None,
        );
    }
    if s.startup == Some(Startup::Disabled) && s.state == Some(ServiceState::Running) {
        cx.err(
            "service-contradiction",
            &format!("{base}.state"),
            "a disabled service cannot be running; expected `state: stopped` with `startup: disabled`".into(),
        );
    }
    let stops = s.startup == Some(Startup::Disabled) || s.state == Some(ServiceState::Stopped);
    if let (true, Some(display)) = (stops, windows::essential_service(&s.name)) {
        cx.push(
            Severity::Warning,
            "service-essential",
            &format!("{base}.name"),
            format!(
                "{} ({display}) is a service Windows cannot run without: stopping or disabling it breaks the machine and may leave it unable to start or to be managed remotely",
                s.name
            ),
            Some("remove this step unless breaking the machine is intended"),
        );
    }
    if s.name.eq_ignore_ascii_case("RemoteAccess") {
        cx.push(
            Severity::Warning,
            "service-server-side",
            &format!("{base}.name"),
            "RemoteAccess (Routing and Remote Access) is the VPN server service; VPN clients do not need it".into(),
            Some("for the client use RasMan (Remote Access Connection Manager)"),
        );
    }
}

/// The startup type is the `Start` value of the service's key, for the checks across steps
/// (`cross::changes`; the service's own settings are compared by `cross::service_settings`).
/// None for a service name the step's own check refuses.
pub(in crate::validate) fn value_sets(i: usize, s: &crate::model::ServiceStep) -> Vec<ValueSet> {
    if names::check_service_name(&s.name).is_err() {
        return Vec::new();
    }
    let base = format!("steps[{i}].service");
    match (s.startup, crate::registry::service_key(&s.name)) {
        (Some(st), Ok(path)) => vec![(
            path,
            "Start".into(),
            Data::Lit("dword", st.start_value().to_string()),
            format!("{base}.startup"),
        )],
        _ => Vec::new(),
    }
}

/// No free text beyond what [`check`] checks with its use (`recipe::texts`).
pub(in crate::validate) fn texts<'r>(
    _i: usize,
    _s: &'r crate::model::ServiceStep,
    _texts: &mut Vec<(String, &'r str, usize)>,
) {
}
