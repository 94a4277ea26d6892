//! Undo scripts (`scripts/Undo-<id>.ps1`) and the data of the module's `Undo-<Bundle>`.
//!
//! The generated remediation code saves the prior state of everything a recipe touches before
//! its first change (`templates/ps/backup.ps1`); undo restores, per item, the oldest backup not yet restored
//! (`templates/ps/undo_runtime.ps1`). Undo restores only *targets* of the recipe: each script
//! carries the list of what its recipe may change (registry value, service, firewall rule, VPN
//! connection), without any value, so an edited backup file cannot make undo write anything
//! else, and no secret reaches an undo script.

use askama::Template;

use super::blocks::{self, Role};
use super::escape::{PsComment, PsLit};
use super::powershell::{Entry, Help, PsOptions, RecipeModel, StepData};
use super::{kinds, OutputFile};
use crate::diag::Diagnostic;
use crate::model::{Step, UpdateAction};
use crate::plan::{Plan, RecipePlan};

const HELP_WIDTH: usize = 96;

/// One recipe as `Undo-<Bundle>` and `Undo-<id>.ps1` need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UndoRecipe {
    pub id: PsLit,
    /// The recipe hashtable: id, context and bundle.
    pub recipe: Vec<Entry>,
    /// What the recipe may change, without values.
    pub targets: Vec<StepData>,
}

fn e(key: &'static str, value: PsLit) -> Entry {
    Entry { key, value }
}

/// The targets of a recipe's steps: identity only, never a value.
pub(crate) fn undo_targets(rp: &RecipePlan) -> Vec<StepData> {
    rp.recipe
        .steps
        .iter()
        .map(|s| {
            let kind = s.kind();
            let mut entries = vec![e("Kind", PsLit::string(kind))];
            match s {
                Step::Registry(r) => kinds::registry::undo_target(r, &mut entries),
                Step::Service(sv) => kinds::service::undo_target(sv, &mut entries),
                Step::Firewall(f) => kinds::firewall::undo_target(f, &mut entries),
                Step::Vpn(v) => kinds::vpn::undo_target(rp, v, &mut entries),
                Step::WindowsUpdate(w) => kinds::windows_update::undo_target(w, &mut entries),
            }
            StepData { kind, entries }
        })
        .collect()
}

/// The recipe hashtable undo needs: id, context and bundle (no title or summary).
fn undo_recipe_entries(m: &RecipeModel) -> Vec<Entry> {
    m.recipe
        .iter()
        .filter(|x| {
            matches!(
                x.key,
                "Id" | "Context" | "Bundle" | "BundleVersion" | "Needs64Bit"
            )
        })
        .cloned()
        .collect()
}

/// Every recipe's undo data, in reverse run order (undo goes backwards).
pub(crate) fn undo_recipes(plan: &Plan, models: &[RecipeModel]) -> Vec<UndoRecipe> {
    let mut out: Vec<UndoRecipe> = plan
        .recipes
        .iter()
        .zip(models)
        .map(|(rp, m)| UndoRecipe {
            id: PsLit::string(&m.id),
            recipe: undo_recipe_entries(m),
            targets: undo_targets(rp),
        })
        .collect();
    out.reverse();
    out
}

const UNDO_TEXT: &str = "Restores, per item, the state saved before the recipe's first change not yet undone: the oldest backup not yet restored in $env:ProgramData\\fixgen\\backup\\<id>\\ (user-context recipes: $env:LOCALAPPDATA\\fixgen\\backup\\<id>\\), written by the recipe's script just before it changed anything. Registry values get their saved kind and data back (or are deleted when they did not exist), services their startup type and status, firewall rules their settings (or are removed when fixgen added them), VPN connections their settings (or are removed when fixgen added them). The VPN pre-shared key is never saved and cannot be restored. Windows Update installs cannot be undone.\n\nEach item is compared with the current state and changed (under ShouldProcess, so -WhatIf and -Confirm work) only when it differs, then compared again. When every item is as before, the backups used are renamed <name>.restored.json, so a second run changes nothing. Only what the recipe itself changes is restored, and only from a backup folder and file owned by SYSTEM or Administrators.";

fn undo_script_help(plan: &Plan, rp: &RecipePlan) -> Help {
    let r = &rp.recipe;
    let mut description = format!("{UNDO_TEXT}\n\nRecipe: {}", r.title);
    if r.steps
        .iter()
        .any(|s| matches!(s, Step::WindowsUpdate(w) if w.action == UpdateAction::Install))
    {
        description.push_str(
            "\n\nThis recipe installs Windows updates: they cannot be undone and stay installed.",
        );
    }
    Help {
        synopsis: PsComment::text(&format!("Undo: {}", r.title), HELP_WIDTH),
        description: PsComment::text(&description, HELP_WIDTH),
        params: Vec::new(),
        examples: vec![
            PsComment::text(
                &format!(
                    "PS> .\\Undo-{}.ps1 -WhatIf\n\nShows what would be restored, changing nothing.",
                    r.id
                ),
                usize::MAX,
            ),
            PsComment::text(&format!("PS> .\\Undo-{}.ps1 -Verbose", r.id), usize::MAX),
        ],
        notes: PsComment::text(
            &format!(
                "Recipe: {}\nBundle: {} {}\nGenerated by fixgen {}\nExit codes: 0 restored, already as before, or nothing to undo; 1 failed.\nLog (CMTrace format): $env:windir\\Logs\\fixgen\\{}.log",
                r.id,
                plan.bundle.name,
                plan.bundle.version,
                env!("CARGO_PKG_VERSION"),
                r.id
            ),
            HELP_WIDTH,
        ),
    }
}

/// Help of the module's `Undo-<Bundle>`.
pub(crate) fn undo_module_help(plan: &Plan) -> Help {
    Help {
        synopsis: PsComment::text(
            &format!("Undo: {} (every recipe, or those given with -Recipe)", plan.bundle.title),
            HELP_WIDTH,
        ),
        description: PsComment::text(
            &format!("{UNDO_TEXT}\n\nRecipes are undone in reverse run order. Exit code (ExitCode of the result): 1 if any recipe failed, else 0."),
            HELP_WIDTH,
        ),
        params: super::escape::PsName::new("Recipe")
            .ok()
            .into_iter()
            .map(|name| super::powershell::HelpParam {
                name,
                help: PsComment::text(
                    "Recipe ids to undo; all recipes of the bundle when omitted.",
                    HELP_WIDTH,
                ),
            })
            .collect(),
        examples: vec![
            PsComment::text(
                &format!(
                    "PS> Undo-{} -WhatIf\n\nShows what every recipe's undo would restore.",
                    plan.bundle.name
                ),
                usize::MAX,
            ),
            PsComment::text(
                &format!(
                    "PS> Undo-{} -Recipe {} -Verbose",
                    plan.bundle.name,
                    plan.recipes
                        .first()
                        .map(|r| r.recipe.id.as_str())
                        .unwrap_or("recipe-id")
                ),
                usize::MAX,
            ),
        ],
        notes: PsComment::text(
            &format!(
                "Bundle: {} {}\nGenerated by fixgen {}",
                plan.bundle.name,
                plan.bundle.version,
                env!("CARGO_PKG_VERSION")
            ),
            HELP_WIDTH,
        ),
    }
}

#[derive(Template)]
#[template(path = "ps/undo.ps1", escape = "none")]
struct UndoTemplate<'a> {
    requires_admin: bool,
    help: &'a Help,
    recipe: &'a [Entry],
    targets: &'a [StepData],
    relaunch: bool,
    machinery: String,
    /// Nothing of the recipe can be undone (only Windows Update steps): no runtime at all.
    nothing: bool,
    install: bool,
}

/// Whether a recipe has anything to undo: not when it has only Windows Update steps (installed
/// updates stay installed, and a scan changes nothing). Its undo script is then a few lines that
/// say so, with no runtime blocks.
fn has_undo(m: &RecipeModel) -> bool {
    blocks::undoable(m.kinds)
}

/// `scripts/Undo-<id>.ps1` for one recipe (`m` is its model).
pub(crate) fn undo_file(
    plan: &Plan,
    rp: &RecipePlan,
    m: &RecipeModel,
    opts: &PsOptions,
) -> Result<OutputFile, Diagnostic> {
    let targets = undo_targets(rp);
    let help = undo_script_help(plan, rp);
    let t = UndoTemplate {
        requires_admin: m.requires_admin,
        help: &help,
        recipe: &undo_recipe_entries(m),
        targets: &targets,
        relaunch: opts.relaunch && m.needs_64bit,
        machinery: blocks::machinery(&blocks::blocks_for(
            Role::Undo,
            m.kinds,
            opts.relaunch && m.needs_64bit,
        )),
        nothing: !has_undo(m),
        install: rp
            .recipe
            .steps
            .iter()
            .any(|s| matches!(s, Step::WindowsUpdate(w) if w.action == UpdateAction::Install)),
    };
    let path = format!("scripts/Undo-{}.ps1", m.id);
    let bytes = super::powershell::finish(&path, &t)?;
    Ok(OutputFile::new(path, bytes))
}
