//! The runtime blocks of every generated PowerShell file (issue 17: "review once").
//!
//! A generated script is: comment help, `param()`, the recipe as data (`$FixgenRecipe`,
//! `$FixgenSteps`: what the script does, every value a [`crate::render::escape::PsLit`]), then the
//! machinery as named blocks, then the main call. Each block is one file under
//! `templates/ps/blocks/`, plain PowerShell with no template syntax: its text is the same in every
//! file that carries it, fenced by [`begin_marker`] / [`end_marker`] lines, and REVIEW.md lists each
//! block once with its SHA-256 (`crate::review::runtime`). A file carries only the blocks its
//! recipe's step kinds and its role need ([`blocks_for`]); dispatch to a step kind is by name
//! (`Test-Fixgen<Kind>Step`, `Set-Fixgen<Kind>Step` or, for a step with `Ensure = 'Absent'`,
//! `Remove-Fixgen<Kind>Step`, `Get-Fixgen<Kind>Backup`,
//! `Compare-/Restore-Fixgen<Kind>Item`), and [`STEP_KINDS`] is the one list of kinds that picks
//! the blocks. One exception: the shared `undo` block still names kinds in four small functions
//! (a backup item's identity, whether it is a target of the recipe, its label, and Windows
//! Update having nothing to restore); a new kind with an undo adds its branch there.

use crate::render::ps_types::Kinds;

/// One runtime block: its name (used in the fence lines) and its text (LF line ends; the
/// PowerShell writer turns them into CRLF like everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    pub name: &'static str,
    pub purpose: &'static str,
    pub text: &'static str,
}

macro_rules! block {
    ($name:literal, $purpose:literal) => {
        Block {
            name: $name,
            purpose: $purpose,
            text: include_str!(concat!("../../templates/ps/blocks/", $name, ".ps1")),
        }
    };
}

/// Every block, in the order files carry them.
pub(crate) const BLOCKS: &[Block] = &[
    block!(
        "core",
        "compliance objects, value formatting, dispatch to a step kind"
    ),
    block!(
        "check",
        "the read-only check of every step (detection, the module's Test- functions)"
    ),
    block!("sets", "set comparison (firewall and VPN steps)"),
    block!(
        "files",
        "fixgen's files on the machine: CMTrace log, elevation check; folders (backups, VPN markers) owned by SYSTEM/Administrators"
    ),
    block!(
        "log-read",
        "logging of a detection script (no file; not in an Intune detection)"
    ),
    block!(
        "run",
        "read, back up (prior state saved before the first change), change under ShouldProcess, verify; exit code"
    ),
    block!("registry", "registry step: read and compare"),
    block!(
        "registry-set",
        "registry step: write a value; its prior state"
    ),
    block!(
        "registry-delete",
        "registry step: delete a value (an absent step, the undo of a value that did not exist)"
    ),
    block!("service", "service step: read and compare"),
    block!(
        "service-set",
        "service step: startup type (sc.exe), start/stop"
    ),
    block!("firewall", "firewall step: read and compare"),
    block!(
        "firewall-set",
        "firewall step: create, correct or replace the rule; its prior state"
    ),
    block!(
        "vpn",
        "VPN step: read and compare (key marker, per-user phonebooks)"
    ),
    block!(
        "vpn-set",
        "VPN step: add, correct, recreate; key marker; its prior state"
    ),
    block!(
        "windows-update",
        "Windows Update step: search pending updates, pending restart"
    ),
    block!(
        "windows-update-set",
        "Windows Update step: download and install; its backup item (nothing to save)"
    ),
    block!("backup-service", "prior state of a service"),
    block!(
        "undo",
        "restore per item the oldest backup not yet restored"
    ),
    block!("undo-registry", "undo of a registry value"),
    block!("undo-service", "undo of a service"),
    block!("undo-firewall", "undo of a firewall rule"),
    block!("undo-vpn", "undo of a VPN connection"),
    block!(
        "relaunch",
        "run again in 64-bit PowerShell from a 32-bit host"
    ),
    block!("intune-line", "the one output line Intune keeps"),
    block!(
        "intune-detect",
        "Intune detection: exit 1 when a remediation is needed"
    ),
    block!(
        "intune-remediate",
        "Intune remediation: every recipe, one line"
    ),
];

/// A step kind's blocks. `kind` is the `Kind` value in the step data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepKind {
    pub kind: &'static str,
    pub test: &'static str,
    pub set: &'static str,
    /// The block with `Get-Fixgen<Kind>Backup` (the prior state saved before the first change):
    /// the set block when both always travel together, else its own block (the service undo
    /// needs the set block but not the backup).
    pub backup: &'static str,
    /// The block with `Remove-Fixgen<Kind>Step`, which `Set-FixgenStep` calls for a step with
    /// `Ensure = 'Absent'` and the kind's undo calls too: carried only by files that can call it.
    pub delete: Option<&'static str>,
    /// The undo block and whether it calls the kind's set block; `None`: nothing to undo.
    pub undo: Option<(&'static str, bool)>,
    /// Its read block compares lists as sets (block `sets`).
    pub sets: bool,
}

/// The one list of step kinds: every kind dispatch in the generated code follows from it.
const STEP_KINDS: &[StepKind] = &[
    StepKind {
        kind: "registry",
        test: "registry",
        set: "registry-set",
        backup: "registry-set",
        delete: Some("registry-delete"),
        undo: Some(("undo-registry", true)),
        sets: false,
    },
    StepKind {
        kind: "service",
        test: "service",
        set: "service-set",
        backup: "backup-service",
        delete: None,
        undo: Some(("undo-service", true)),
        sets: false,
    },
    StepKind {
        kind: "firewall",
        test: "firewall",
        set: "firewall-set",
        backup: "firewall-set",
        delete: None,
        undo: Some(("undo-firewall", false)),
        sets: true,
    },
    StepKind {
        kind: "vpn",
        test: "vpn",
        set: "vpn-set",
        backup: "vpn-set",
        delete: None,
        undo: Some(("undo-vpn", false)),
        sets: true,
    },
    StepKind {
        kind: "windows_update",
        test: "windows-update",
        set: "windows-update-set",
        backup: "windows-update-set",
        delete: None,
        undo: None,
        sets: false,
    },
];

/// What a file does, which decides its blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// `scripts/<id>.ps1` (and its GPO copy): read, change, verify.
    Script,
    /// A read-only detection script.
    Detect,
    /// `scripts/Undo-<id>.ps1`.
    Undo,
    /// The module: everything, each block once.
    Module,
    /// `intune/*/detect.ps1`.
    IntuneDetect,
    /// `intune/*/remediate.ps1`.
    IntuneRemediate,
}

/// The kinds whose steps have something to undo.
pub(crate) fn undoable(kinds: &Kinds) -> bool {
    STEP_KINDS
        .iter()
        .any(|k| kinds.has(k.kind) && k.undo.is_some())
}

/// The block names a file carries, in order.
pub(crate) fn blocks_for(role: Role, kinds: &Kinds, relaunch: bool) -> Vec<&'static str> {
    let used: Vec<&StepKind> = STEP_KINDS.iter().filter(|k| kinds.has(k.kind)).collect();
    let mut out = vec!["core"];
    let read_only = matches!(role, Role::Detect | Role::IntuneDetect);
    if read_only || role == Role::Module {
        out.push("check");
    }
    // An Intune detection logs nothing: its one output line names every finding.
    match role {
        Role::Detect => out.push("log-read"),
        Role::IntuneDetect => {}
        // The log and the backup folder: every role that changes or undoes something.
        _ => out.push("files"),
    }
    let changes = matches!(role, Role::Script | Role::Module | Role::IntuneRemediate);
    if changes {
        out.push("run");
    }
    let undo = matches!(role, Role::Undo | Role::Module);
    let tested = |k: &StepKind| changes || read_only || (undo && k.undo.is_some());
    if used.iter().any(|k| k.sets && tested(k)) {
        out.push("sets");
    }
    for k in &used {
        let undo_uses = undo && k.undo.is_some();
        if changes || read_only || undo_uses {
            out.push(k.test);
        }
        if changes || (undo_uses && k.undo.is_some_and(|(_, set)| set)) {
            out.push(k.set);
        }
        if let Some(d) = k.delete {
            if (changes && kinds.has_absent(k.kind)) || undo_uses {
                out.push(d);
            }
        }
    }
    for k in &used {
        if changes && k.backup != k.set {
            out.push(k.backup);
        }
    }
    if undo {
        out.push("undo");
        out.extend(used.iter().filter_map(|k| k.undo.map(|(b, _)| b)));
    }
    if relaunch && matches!(role, Role::Script | Role::Undo | Role::Detect) {
        out.push("relaunch");
    }
    match role {
        Role::IntuneDetect => out.extend(["intune-line", "intune-detect"]),
        Role::IntuneRemediate => out.extend(["intune-line", "intune-remediate"]),
        _ => {}
    }
    out
}

/// The block named `name` (every name [`blocks_for`] returns is in [`BLOCKS`]).
pub(crate) fn block(name: &str) -> &'static Block {
    BLOCKS
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("internal error: no runtime block {name}"))
}

/// The line that opens block `name` in a generated file.
pub(crate) fn begin_marker(name: &str) -> String {
    format!("#region fixgen block {name} (same text in every file; SHA-256 in REVIEW.md)")
}

/// The line that closes block `name`.
pub(crate) fn end_marker(name: &str) -> String {
    format!("#endregion fixgen block {name}")
}

/// The fenced machinery of a file: each block between its markers (which say where to review it).
pub(crate) fn machinery(names: &[&str]) -> String {
    let mut out = String::new();
    for name in names {
        out.push_str(&begin_marker(name));
        out.push('\n');
        out.push_str(block(name).text);
        out.push_str(&end_marker(name));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_block_is_plain_text_and_listed_once() {
        let mut names: Vec<&str> = BLOCKS.iter().map(|b| b.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), BLOCKS.len());
        for b in BLOCKS {
            assert!(
                !b.text.contains("{{") && !b.text.contains("{%"),
                "{}",
                b.name
            );
            assert!(
                b.text.ends_with('\n') && !b.text.starts_with('\n'),
                "{}",
                b.name
            );
        }
        for k in STEP_KINDS {
            for n in [k.test, k.set, k.backup] {
                block(n);
            }
        }
    }
}
