//! A service step in REVIEW.md and `fixgen plan`: its rows of the change table and what the script
//! reads first (`review::kinds::service`, mounted by `src/review/mod.rs`).

use super::super::*;

/// A service: startup type and status, and whether a missing service is compliant.
pub(in crate::review) fn rows(
    _rp: &RecipePlan,
    s: &crate::model::ServiceStep,
    reads: &mut Vec<String>,
    rows: &mut Vec<Row>,
) {
    let mut row = |t: &str, s: &str, v: String| rows.push((t.to_string(), s.to_string(), v, None));
    let t = format!("service {}", s.name);
    // Issue 15 item 5: a service that is not installed satisfies a step that only
    // disables and/or stops it; any other step fails there and says so.
    let absent_ok = (s.startup.is_some() || s.state.is_some())
        && matches!(s.startup, None | Some(Startup::Disabled))
        && matches!(s.state, None | Some(ServiceState::Stopped));
    reads.push(format!(
        "service {}: {}; {}",
        s.name,
        if s.startup.is_some() {
            "startup type and status"
        } else {
            "status"
        },
        if absent_ok {
            "not installed counts as compliant (nothing to disable or stop)"
        } else {
            "not installed is an error that says so (nothing is installed)"
        }
    ));
    if let Some(st) = s.startup {
        row(&t, "startup type", startup_str(st).into());
    }
    if let Some(st) = s.state {
        row(
            &t,
            "status",
            match st {
                ServiceState::Running => "Running (started now)",
                ServiceState::Stopped => "Stopped (stopped now)",
            }
            .into(),
        );
    }
}

/// What undo cannot restore for this kind: its line in REVIEW.md's undo section.
pub(in crate::review) const UNDO_LIMITS: &str =
    "- service: only the startup types Automatic, AutomaticDelayed, Manual, Disabled and the states Running, Stopped; services started as dependencies stay running; a service not installed at backup time is left as it is.\n";

fn startup_str(s: Startup) -> &'static str {
    match s {
        Startup::Automatic => "Automatic",
        Startup::AutomaticDelayed => "Automatic (delayed start)",
        Startup::Manual => "Manual",
        Startup::Disabled => "Disabled",
    }
}
