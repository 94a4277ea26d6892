//! The registry changes of a plan, as the `.reg` renderer ([`super::reg`]) and the Group Policy
//! renderer ([`super::gpo`]) take them, and [`RegSink`], which each step kind's `reg` function
//! (`src/kinds/<kind>/render.rs`) fills for one recipe. Kept apart from `reg.rs` so the kind
//! files can import these types without importing the renderer that calls them.

use crate::diag::Diagnostic;
use crate::model::{Reboot, Startup};
use crate::plan::{RecipePlan, Resolved};
use crate::regfile::RegData;
use crate::registry::RegPath;

/// Where a registry change comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A `registry` step.
    Registry,
    /// A `service` step's startup type.
    ServiceStartup { service: String, startup: Startup },
}

/// One registry value to set or delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegChange {
    /// Index of the step in its recipe.
    pub step: usize,
    pub path: RegPath,
    /// Value name; empty for the key's default value.
    pub name: String,
    /// `Some(data)` to set the value, `None` to delete it (`ensure: absent`).
    pub data: Option<RegData>,
    pub origin: Origin,
}

/// A recipe's registry changes and the steps a registry file cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecipeChanges {
    pub recipe_id: String,
    pub title: String,
    pub summary: String,
    pub reboot: Reboot,
    pub source_path: String,
    /// File name only, for generated headers (machine-independent output).
    pub source_name: String,
    pub source_sha256: String,
    pub changes: Vec<RegChange>,
    /// One line per step (or part of a step) that needs the recipe's script.
    pub script_only: Vec<String>,
}

impl RecipeChanges {
    /// `scripts/<id>.ps1`, the script that performs every step of the recipe.
    pub(crate) fn script_path(&self) -> String {
        format!("scripts/{}.ps1", self.recipe_id)
    }
}

/// What one recipe's steps give a registry file, step by step: the values to set or delete,
/// the lines for what only the script does, and the errors (an open param, a secret).
pub(crate) struct RegSink<'a> {
    pub rp: &'a RecipePlan,
    /// The output named in messages ("a .reg file", "Group Policy").
    pub target: &'a str,
    pub changes: Vec<RegChange>,
    pub script_only: Vec<String>,
    pub errors: &'a mut Vec<Diagnostic>,
}

impl<'a> RegSink<'a> {
    /// A located `render-registry` error for `field` of this recipe.
    pub(crate) fn error(&mut self, field: String, message: String, hint: Option<String>) {
        let d = Diagnostic::error("render-registry", self.rp.source_path.clone(), message)
            .with_field(field);
        self.errors.push(match hint {
            Some(h) => d.with_hint(h),
            None => d,
        });
    }

    /// A value the registry file needs at build time: an open param or a secret is an error.
    pub(crate) fn known<T>(&mut self, r: Resolved<'_, T>, field: &str) -> Option<T> {
        let target = self.target;
        match r {
            Resolved::Known { value, param } => {
                if let Some(p) = param.filter(|p| self.rp.is_secret(p)) {
                    self.error(
                        field.to_string(),
                        format!(
                            "the value comes from the secret param `{p}`; {target} would hold it in clear text"
                        ),
                        Some("leave this recipe out of the target, or do not take the value from a secret".into()),
                    );
                    return None;
                }
                Some(value)
            }
            Resolved::Open { param, .. } => {
                self.error(
                    field.to_string(),
                    format!("param `{param}` has no value, and {target} cannot take parameters"),
                    Some(format!(
                        "give it with --set {param}=VALUE (or in a --values file)"
                    )),
                );
                None
            }
        }
    }
}
