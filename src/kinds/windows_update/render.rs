//! A Windows Update step as data for the generated PowerShell: its entries of the step hashtable
//! (`render::kinds::windows_update`, mounted by `src/render/mod.rs`; called by `ps_model::step_data` and `undo::undo_targets`).

use crate::diag::Diagnostic;
use crate::model::UpdateAction;
use crate::render::escape::PsLit;
use crate::render::ps_types::{entry, Entry};

pub(crate) fn entries(
    w: &crate::model::WindowsUpdateStep,
    e: &mut Vec<Entry>,
) -> Result<(), Diagnostic> {
    let (action, report_only) = match w.action {
        UpdateAction::Scan => ("Scan", true),
        UpdateAction::Install => ("Install", false),
    };
    e.push(entry("Action", PsLit::string(action)));
    e.push(entry("ReportOnly", PsLit::bool(report_only)));
    Ok(())
}

/// Undo's target: the action (undo has nothing to restore for a scan).
pub(crate) fn undo_target(w: &crate::model::WindowsUpdateStep, e: &mut Vec<Entry>) {
    e.push(entry(
        "Action",
        PsLit::string(match w.action {
            UpdateAction::Scan => "Scan",
            UpdateAction::Install => "Install",
        }),
    ));
}
