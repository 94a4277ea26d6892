//! The data every PowerShell renderer shares: a recipe's escaped model ([`RecipeModel`]: its
//! metadata and steps as [`Entry`]/[`StepData`] of [`PsLit`]s, its parameters and help), the
//! options and [`internal`] errors. No rendering here; `powershell` re-exports these types.

use crate::diag::Diagnostic;
use crate::model::Step;
use crate::render::escape::{PsComment, PsLit, PsName};

/// Width of wrapped help text.
pub(crate) const HELP_WIDTH: usize = 96;
/// Seconds a service step waits for Running/Stopped.
pub(crate) const SERVICE_TIMEOUT_SECONDS: u64 = 60;

/// What a rendered script does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptMode {
    /// Read, change under ShouldProcess, verify; exit 0, 3010 or 1.
    Remediate,
    /// Read only: compliance checks, one summary line, exit 0 (compliant) or 1 (not).
    Detect,
}

/// Options of the PowerShell renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PsOptions {
    /// A param without a value becomes a script parameter. When false (Intune), an open param
    /// is an error.
    pub allow_open_params: bool,
    /// A secret param given a value at build time is baked into the script (the file is marked
    /// `holds_secret`). When false, that is an error.
    pub allow_embedded_secrets: bool,
    /// Include the 64-bit relaunch through sysnative.
    pub relaunch: bool,
    /// Leave secret values out (`$null`) whatever their binding: for read-only scripts
    /// (Intune detection) that never use them, so they never hold a secret.
    pub omit_secrets: bool,
}

impl Default for PsOptions {
    fn default() -> Self {
        PsOptions {
            allow_open_params: true,
            allow_embedded_secrets: false,
            relaunch: true,
            omit_secrets: false,
        }
    }
}

/// One `Key = value` line of a generated hashtable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: &'static str,
    pub value: PsLit,
}

pub(crate) fn entry(key: &'static str, value: PsLit) -> Entry {
    Entry { key, value }
}

/// One step as data: `@{ Kind = 'registry'; ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepData {
    pub kind: &'static str,
    pub entries: Vec<Entry>,
}

/// A generated script/function parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamDecl {
    pub name: PsName,
    /// `string`, `long`, `bool` or `SecureString`.
    pub ps_type: &'static str,
    pub mandatory: bool,
    pub secret: bool,
    pub help: PsComment,
}

impl ParamDecl {
    /// The mandatory params as an `.EXAMPLE` passes them: ` -Name <string>`, a secret read with
    /// `Read-Host -AsSecureString`.
    pub(crate) fn example_args(params: &[ParamDecl]) -> String {
        params
            .iter()
            .filter(|p| p.mandatory)
            .map(|p| {
                if p.secret {
                    format!(" -{} (Read-Host -AsSecureString)", p.name)
                } else {
                    format!(" -{} <{}>", p.name, p.ps_type)
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpParam {
    pub name: PsName,
    pub help: PsComment,
}

/// Comment-based help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Help {
    pub synopsis: PsComment,
    pub description: PsComment,
    pub params: Vec<HelpParam>,
    pub examples: Vec<PsComment>,
    pub notes: PsComment,
}

/// Which step kinds a file needs code for, by kind name (`Step::kind`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kinds {
    present: std::collections::BTreeSet<&'static str>,
    /// Kinds with a step that removes what it names (`ensure: absent`; the file carries
    /// `Remove-Fixgen<Kind>Step`).
    absent: std::collections::BTreeSet<&'static str>,
}

impl Kinds {
    pub(crate) fn add(&mut self, step: &Step) {
        self.present.insert(step.kind());
        if step.removes() {
            self.absent.insert(step.kind());
        }
    }

    /// Whether a step of `kind` (the `Kind` value of the step data) is present.
    pub fn has(&self, kind: &str) -> bool {
        self.present.contains(kind)
    }

    /// Whether a step of `kind` has `Ensure = 'Absent'` (set by `Remove-Fixgen<Kind>Step`).
    pub fn has_absent(&self, kind: &str) -> bool {
        self.absent.contains(kind)
    }

    pub fn union(mut self, o: &Kinds) -> Kinds {
        self.present.extend(&o.present);
        self.absent.extend(&o.absent);
        self
    }
}

/// Everything a template needs about one recipe, all escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipeModel {
    pub id: String,
    /// PascalCase noun from the id, `NatTraversal`.
    pub noun: PsName,
    /// Approved verb of the module's change function.
    pub verb: &'static str,
    pub requires_admin: bool,
    pub params: Vec<ParamDecl>,
    pub recipe: Vec<Entry>,
    pub steps: Vec<StepData>,
    pub kinds: Kinds,
    /// Some step needs the 64-bit view of Windows ([`needs_64bit`]): the scripts relaunch in, and
    /// the runtime insists on, 64-bit PowerShell.
    pub needs_64bit: bool,
    pub holds_secret: bool,
    /// Help for the script / change function.
    pub help: Help,
    /// Help for the module's `Test-` function.
    pub test_help: Help,
}

/// What `Invoke-<Bundle>.ps1` needs of one recipe (a small part of its [`RecipeModel`], so a
/// build can keep one per recipe without keeping the models).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeEntry {
    pub id: String,
    pub params: Vec<ParamDecl>,
    pub requires_admin: bool,
    pub holds_secret: bool,
}

impl RecipeModel {
    pub fn invoke_entry(&self) -> InvokeEntry {
        InvokeEntry {
            id: self.id.clone(),
            params: self.params.clone(),
            requires_admin: self.requires_admin,
            holds_secret: self.holds_secret,
        }
    }
}

/// A renderer's own failure (a template that did not render, a character a generated file
/// may not hold): not the recipe's fault, so not located in it. `what` names the file that was
/// being made.
pub(crate) fn internal(what: &str, message: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        "internal-template",
        what,
        format!("internal error while rendering {what}: {message}"),
    )
}
