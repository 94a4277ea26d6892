//! Review stage: what a bundle reads and changes, for the admin who approves it.
//!
//! - [`PlanReport`]: the typed, deterministic review of a [`Plan`] (every change with target,
//!   setting, new value, context and reboot; what is read; validator warnings; open params).
//!   `fixgen plan` prints it as text ([`text`]) or JSON (stable, `format: fixgen-plan/1`).
//! - [`markdown`]: `REVIEW.md`, written into every bundle after signing (so it lists the final
//!   bytes) and before the manifest stage (so `SHA256SUMS` and `manifest.json` list it).
//! - [`drift`]: `fixgen build --check`, comparing a fresh in-memory build with a folder.
//!
//! Secrets: a value bound to a `secret: true` param is never copied into a report. Every place
//! that shows a param value goes through [`shown_value`], which returns `<secret: Name>` for
//! secret params, so the value cannot reach the report even by mistake in a renderer.

pub(crate) mod drift;
pub(crate) mod files;
pub(crate) mod markdown;
pub(crate) mod runtime;
pub(crate) mod text;

/// The rows of each step kind, one file per kind: `src/kinds/<kind>/review.rs`.
#[path = "../kinds"]
mod kinds {
    #[path = "firewall/review.rs"]
    pub(super) mod firewall;
    #[path = "registry/review.rs"]
    pub(super) mod registry;
    #[path = "service/review.rs"]
    pub(super) mod service;
    #[path = "vpn/review.rs"]
    pub(super) mod vpn;
    #[path = "windows_update/review.rs"]
    pub(super) mod windows_update;
}

/// A row of the change table: target, setting, value, and when it is changed (VPN rows).
type Row = (String, String, String, Option<String>);

use serde::Serialize;

use crate::diag::{Diagnostic, Severity};
use crate::model::{
    Direction, Encryption, Ensure, FirewallAction, ParamValue, Port, Protocol, RegValue,
    ServiceState, Startup, Step, UpdateAction, Val,
};
use crate::plan::{Binding, FromParamValue, ParamValues, Plan, RecipePlan, Resolved};
use crate::registry::RegPath;

/// Format tag of the JSON report; bumped on an incompatible change.
const PLAN_FORMAT: &str = "fixgen-plan/1";

/// The whole review of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanReport {
    pub format: &'static str,
    pub fixgen_version: &'static str,
    pub bundle: BundleSummary,
    /// Recipes in run order.
    pub recipes: Vec<RecipeReport>,
    /// Every change of every recipe in run order (the table an admin scans).
    pub changes: Vec<Change>,
    /// Validator warnings and notes (errors stop the plan before it is made).
    pub warnings: Vec<Warning>,
    /// Every declared param with where its value comes from.
    pub params: Vec<ParamReport>,
    /// Names of params still open (given at run time as script parameters).
    pub open_params: Vec<String>,
    /// Notes about the options (for example a secret given a value at build time).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleSummary {
    pub name: String,
    pub version: String,
    pub title: String,
    pub description: String,
    pub publisher: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// SHA-256 of bundle.yaml.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipeReport {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The step of the source article this recipe implements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symptom: Option<String>,
    /// `system` or `user`.
    pub context: &'static str,
    /// `none`, `recommended` or `required`.
    pub reboot: &'static str,
    /// The build targets that carry this recipe (`scripts`, `module`, `intune`, `gpo`, `reg`),
    /// and whether the GPO's computer startup script runs it.
    pub channels: Vec<&'static str>,
    /// Whether the recipe lists its `channels` (else the default).
    pub channels_given: bool,
    pub gpo_startup: bool,
    pub source: String,
    pub source_sha256: String,
    pub references: Vec<String>,
    /// What the scripts read before deciding to change anything.
    pub reads: Vec<String>,
    /// The changes of this recipe (also in [`PlanReport::changes`]).
    pub changes: Vec<Change>,
    /// How this recipe is undone (or why it cannot be).
    pub undo: String,
    /// Params of this recipe still open.
    pub open_params: Vec<String>,
}

/// One row of the change table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub recipe: String,
    pub target: String,
    pub setting: String,
    /// The new value as text; `<secret: Name>` for secrets, `<param Name>` for open params.
    pub new_value: String,
    /// When the change is made, in words (issue 15 item 1); absent for a setting that is
    /// simply set when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    pub context: &'static str,
    pub reboot: &'static str,
}

impl Change {
    /// The new value followed by its condition, for the review tables.
    pub fn value_and_condition(&self) -> String {
        match &self.condition {
            Some(c) => format!("{} ({c})", self.new_value),
            None => self.new_value.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// `warning` or `info`.
    pub severity: &'static str,
    pub code: String,
    /// `file:line:column` (or the file).
    pub location: String,
    pub field: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamReport {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub secret: bool,
    pub required: bool,
    /// `set` (--set/--values), `default` (the recipe's default) or `open` (run time).
    pub source: &'static str,
    /// The value; `<secret: Name>` for secrets; absent when open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Recipes that declare it, in run order.
    pub recipes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Text that stands for a secret's value everywhere.
pub(crate) fn secret_mask(name: &str) -> String {
    format!("<secret: {name}>")
}

fn param_text(v: &ParamValue) -> String {
    match v {
        ParamValue::Bool(b) => b.to_string(),
        ParamValue::Int(i) => i.to_string(),
        ParamValue::String(s) => s.clone(),
    }
}

/// How a param's value is shown: the value, `<secret: Name>` or `<param Name>` when open.
fn shown_value(rp: &RecipePlan, name: &str) -> String {
    match rp.params.get(name) {
        Some(b) if b.decl.secret => secret_mask(name),
        Some(b) => match &b.binding {
            Binding::Value(v) => param_text(v),
            Binding::Open => format!("<param {name}>"),
        },
        None => format!("<param {name}>"),
    }
}

/// A step value as text: a literal through `lit`, a bound param's value (never a secret's),
/// or `<param Name>` when open.
fn val_text<T: FromParamValue>(rp: &RecipePlan, v: &Val<T>, lit: impl Fn(&T) -> String) -> String {
    match v {
        Val::Lit(t) => lit(t),
        Val::Param(p) => {
            if rp.is_secret(&p.param) {
                return secret_mask(&p.param);
            }
            match rp.params.get(&p.param).map(|b| &b.binding) {
                Some(Binding::Value(_)) => match rp.resolve(v) {
                    Resolved::Known { value, .. } => lit(&value),
                    Resolved::Open { param, .. } => format!("<param {param}>"),
                },
                _ => format!("<param {}>", p.param),
            }
        }
    }
}

/// Reads, changes and the undo note of one step.
fn step_rows(rp: &RecipePlan, step: &Step, reads: &mut Vec<String>, rows: &mut Vec<Row>) {
    crate::model::step_kind_dispatch!(step, s => kinds::KIND::rows(rp, s, reads, rows))
}

fn undo_text(bundle: &str, rp: &RecipePlan) -> String {
    let r = &rp.recipe;
    let installs = r.steps.iter().any(Step::installs_updates);
    let only_updates =
        !r.steps.is_empty() && r.steps.iter().all(|s| matches!(s, Step::WindowsUpdate(_)));
    let has_vpn = r.steps.iter().any(|s| matches!(s, Step::Vpn(_)));
    let mut t = if only_updates && !installs {
        "Nothing to undo: this recipe only reports pending updates.".to_string()
    } else if only_updates {
        "Cannot be undone: installed Windows updates are not rolled back by fixgen (uninstall them through Windows Update history if needed).".to_string()
    } else {
        format!(
            "scripts/Undo-{}.ps1 (or Undo-{bundle} -Recipe {} in the module) restores, per item, the state saved before the first change not yet undone (the oldest un-restored backup in %ProgramData%\\fixgen\\backup\\{}\\), then marks those backups restored.",
            r.id, r.id, r.id
        )
    };
    if has_vpn {
        t.push_str(" The VPN pre-shared key is never saved, so undo cannot put an old key back; a connection that undo has to add again gets its other settings but no key.");
    }
    if installs && !only_updates {
        t.push_str(" Windows updates it installed are not rolled back.");
    }
    t
}

fn warning(d: &Diagnostic) -> Option<Warning> {
    let severity = match d.severity {
        Severity::Error => return None,
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    Some(Warning {
        severity,
        code: d.code.clone(),
        location: d.location(),
        field: d.field.clone(),
        message: d.message.clone(),
        hint: d.hint.clone(),
    })
}

/// The params across the bundle, by name (the same name is one value for every recipe).
fn param_reports(plan: &Plan, given: &ParamValues) -> Vec<ParamReport> {
    let mut params: std::collections::BTreeMap<String, ParamReport> = Default::default();
    for rp in &plan.recipes {
        for (name, b) in &rp.params {
            let (source, value) = match &b.binding {
                Binding::Open => ("open", None),
                Binding::Value(_) => (
                    if given.contains_key(name) {
                        "set"
                    } else {
                        "default"
                    },
                    Some(shown_value(rp, name)),
                ),
            };
            let e = params.entry(name.clone()).or_insert_with(|| ParamReport {
                name: name.clone(),
                ty: b.decl.ty.name(),
                secret: b.decl.secret,
                required: b.decl.required,
                source,
                value: value.clone(),
                recipes: Vec::new(),
                description: b.decl.description.clone(),
            });
            e.secret |= b.decl.secret;
            e.required |= b.decl.required;
            if e.secret {
                e.value = e.value.as_ref().map(|_| secret_mask(name));
            }
            if e.description.is_none() {
                e.description = b.decl.description.clone();
            }
            e.recipes.push(rp.recipe.id.clone());
        }
    }
    params.into_values().collect()
}

impl PlanReport {
    /// The review of `plan`; `diagnostics` are the validator's findings (warnings and infos are
    /// kept, errors never reach a plan).
    /// `given` are the values from `--set`/`--values` (only their names are used).
    pub fn new(plan: &Plan, diagnostics: &[Diagnostic], given: &ParamValues) -> PlanReport {
        let mut recipes = Vec::new();
        let mut all_changes = Vec::new();
        for rp in &plan.recipes {
            let r = &rp.recipe;
            let context = r.context.name();
            let reboot = r.reboot.name();
            let mut reads = Vec::new();
            let mut rows = Vec::new();
            for s in &r.steps {
                step_rows(rp, s, &mut reads, &mut rows);
            }
            reads.dedup();
            let changes: Vec<Change> = rows
                .into_iter()
                .map(|(target, setting, new_value, condition)| Change {
                    recipe: r.id.clone(),
                    target,
                    setting,
                    new_value,
                    condition,
                    context,
                    reboot,
                })
                .collect();
            all_changes.extend(changes.iter().cloned());
            recipes.push(RecipeReport {
                id: r.id.clone(),
                title: r.title.clone(),
                summary: r.summary.clone(),
                source_step: r.source_step.clone(),
                symptom: r.symptom.clone(),
                context,
                reboot,
                channels: [
                    crate::model::Channel::Scripts,
                    crate::model::Channel::Module,
                    crate::model::Channel::Intune,
                    crate::model::Channel::Gpo,
                    crate::model::Channel::Reg,
                ]
                .into_iter()
                .filter(|c| r.in_channel(*c))
                .map(crate::model::Channel::name)
                .collect(),
                channels_given: r.channels.is_some(),
                gpo_startup: r.in_startup_script(),
                source: rp.source_file_name().to_string(),
                source_sha256: rp.source_sha256.clone(),
                references: r.references.clone(),
                reads,
                changes,
                undo: undo_text(&plan.bundle.name, rp),
                open_params: rp.open_params().map(|(n, _)| n.to_string()).collect(),
            });
        }
        let params = param_reports(plan, given);
        let open_params = params
            .iter()
            .filter(|p| p.source == "open")
            .map(|p| p.name.clone())
            .collect();
        let notes = params
            .iter()
            .filter(|p| p.secret && p.source == "set")
            .map(|p| {
                format!(
                    "secret param {} was given a value: `fixgen build` bakes it into the scripts only with --allow-embedded-secrets (and marks those files); otherwise leave it unset and give it at run time",
                    p.name
                )
            })
            .collect();
        let mut diags = diagnostics.to_vec();
        crate::diag::sort(&mut diags);
        let b = &plan.bundle;
        PlanReport {
            format: PLAN_FORMAT,
            fixgen_version: env!("CARGO_PKG_VERSION"),
            bundle: BundleSummary {
                name: b.name.clone(),
                version: b.version.clone(),
                title: b.title.clone(),
                description: b.description.clone(),
                publisher: b.publisher.clone(),
                source_title: b.source.as_ref().map(|s| s.title.clone()),
                source_url: b.source.as_ref().and_then(|s| s.url.clone()),
                sha256: plan.bundle_sha256.clone(),
            },
            recipes,
            changes: all_changes,
            warnings: diags.iter().filter_map(warning).collect(),
            params,
            open_params,
            notes,
        }
    }

    /// The JSON form: pretty-printed, fields in declaration order, ending in a newline.
    pub fn to_json(&self) -> String {
        // Plain structs of strings, numbers and bools always serialize.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Recipes run in a user context.
    pub fn user_context_recipes(&self) -> Vec<&RecipeReport> {
        self.recipes
            .iter()
            .filter(|r| r.context == "user")
            .collect()
    }
}
