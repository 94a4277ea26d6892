//! A Windows Update step in REVIEW.md and `fixgen plan`: its rows of the change table and what the script
//! reads first (`review::kinds::windows_update`, mounted by `src/review/mod.rs`).

use super::super::*;

/// Windows Update: scan or install.
pub(in crate::review) fn rows(
    _rp: &RecipePlan,
    w: &crate::model::WindowsUpdateStep,
    reads: &mut Vec<String>,
    rows: &mut Vec<Row>,
) {
    let mut row = |t: &str, s: &str, v: String| rows.push((t.to_string(), s.to_string(), v, None));
    reads.push(
            "Windows Update Agent: applicable software updates not yet installed, definition updates (category E0789628-CE08-4437-BE74-2495B842F43B) not counted; whether a restart is pending".into(),
        );
    match w.action {
            UpdateAction::Scan => row(
                "Windows Update",
                "pending updates",
                "reported only (scan): named in the output line, never decides the exit code; nothing installed".into(),
            ),
            UpdateAction::Install => row(
                "Windows Update",
                "pending updates",
                "when any is pending: downloaded and installed (cannot be undone); never restarts (a restart already pending is reported, never exit 3010 without a change)".into(),
            ),
        }
}

/// What undo cannot restore for this kind: its line in REVIEW.md's undo section.
pub(in crate::review) const UNDO_LIMITS: &str =
    "- windows_update: Windows Update installs cannot be undone (installed updates are not rolled back).\n";
