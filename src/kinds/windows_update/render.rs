//! A Windows Update step as data for the generated PowerShell: its entries of the step hashtable
//! (`render::kinds::windows_update`, mounted by `src/render/mod.rs`; called by `ps_model::step_data` and `undo::undo_targets`);
//! and its line among what a `.reg` file cannot express ([`reg`], called by `render::reg`).

use crate::diag::Diagnostic;
use crate::model::UpdateAction;
use crate::plan::RecipePlan;
use crate::render::escape::PsLit;
use crate::render::ps_steps::Binder;
use crate::render::ps_types::{entry, Entry};
use crate::render::reg_types::RegSink;

pub(crate) fn entries(
    _b: &mut Binder<'_>,
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
pub(crate) fn undo_target(
    _rp: &RecipePlan,
    w: &crate::model::WindowsUpdateStep,
    e: &mut Vec<Entry>,
) {
    e.push(entry(
        "Action",
        PsLit::string(match w.action {
            UpdateAction::Scan => "Scan",
            UpdateAction::Install => "Install",
        }),
    ));
}

/// For a `.reg` file and Group Policy: Windows Update is for the scripts only.
pub(crate) fn reg(out: &mut RegSink<'_>, _i: usize, w: &crate::model::WindowsUpdateStep) {
    out.script_only.push(match w.action {
        UpdateAction::Scan => "Windows Update: search for pending updates".to_string(),
        UpdateAction::Install => "Windows Update: download and install pending updates".to_string(),
    });
}

/// Whether the step needs the 64-bit view (`ps_model::needs_64bit`): yes; the Windows Update COM classes are not verified in a 32-bit host, so it keeps to 64-bit.
pub(crate) fn needs_64bit(_s: &crate::model::WindowsUpdateStep) -> bool {
    true
}
