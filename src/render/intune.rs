//! Intune target: Remediations (detection + remediation script pairs), a platform script, and
//! the Microsoft Graph payloads to upload them.
//!
//! Layout, for every recipe and once for the whole bundle:
//! - `intune/<id>/detect.ps1`: read-only; one summary line; exit 1 when anything a remediation can change is off, else 0 (report-only findings go into the line);
//! - `intune/<id>/remediate.ps1`: applies the recipe (each step read, change, read again);
//!   exit 0 when fixed or compliant, 1 on failure; a needed restart is reported, never done;
//! - `intune/<id>/deviceHealthScript.json`: the Graph `deviceHealthScript` (beta) body;
//! - `intune/<Bundle>/...`: the same for all recipes of one context together, plus
//!   `deviceManagementScript.json` (a platform script running the bundle's remediation once);
//! - `intune/README.md`: how to upload and assign them.
//!
//! The scripts are rendered by [`render_intune`] from the same data and step code as the
//! PowerShell target ([`crate::render::powershell`]); the JSON payloads and README are made
//! after Authenticode signing (the base64 in a payload is of the signed bytes) by
//! `sign::payloads`.
//!
//! Intune scripts take no parameters: every param a recipe uses needs a value at build time
//! ([`param_problems`]). An optional param left without a value means "leave as it is" (`$null`).
//! A secret is embedded only with `allow_embedded_secrets`; detection scripts never hold one.

use askama::Template;
use serde::Serialize;

use std::collections::BTreeSet;

use crate::diag::Diagnostic;
use crate::model::{Context, Step};
use crate::plan::{Binding, Plan};
use crate::render::blocks::{self, Role};
use crate::render::escape::{PsComment, PsLit, PsName};
use crate::render::powershell::{
    self, Entry, Help, Kinds, PsOptions, RecipeModel, ScriptMode, StepData,
};
use crate::render::ps_types::internal;
use crate::render::{Artifacts, OutputFile};

/// Intune accepts script files of 1 to 200,000 bytes; every script must stay under this.
const MAX_SCRIPT_BYTES: usize = 200_000;
/// Intune keeps the first 2,048 characters of a script's output; the summary line stays
/// within this many.
#[cfg(test)]
const MAX_LINE_CHARS: usize = 2000;
/// Folder of the target inside the bundle.
pub(crate) const DIR: &str = "intune";
pub(crate) const DETECT_FILE: &str = "detect.ps1";
pub(crate) const REMEDIATE_FILE: &str = "remediate.ps1";
pub(crate) const HEALTH_SCRIPT_FILE: &str = "deviceHealthScript.json";
pub(crate) const PLATFORM_SCRIPT_FILE: &str = "deviceManagementScript.json";
pub(crate) const README_FILE: &str = "intune/README.md";

const HELP_WIDTH: usize = 96;

/// Who Intune runs a package as (`runAsAccount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RunAs {
    System,
    User,
}

impl RunAs {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RunAs::System => "system",
            RunAs::User => "user",
        }
    }

    fn of(c: Context) -> RunAs {
        match c {
            Context::System => RunAs::System,
            Context::User => RunAs::User,
        }
    }
}

/// One Intune package (a detection/remediation pair and its payload). Also what the review
/// report shows: the folder, who it runs as (user-context packages need "Run this script using
/// the logged-on credentials" = Yes, which the payload's `runAsAccount` sets) and its recipes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IntunePackage {
    /// `intune/<id>` or `intune/<Bundle>`.
    pub folder: String,
    /// A recipe id, or the bundle name for the bundle package.
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub run_as: RunAs,
    /// Recipe ids in run order.
    pub recipes: Vec<String>,
    /// The bundle package (it also gets a platform script payload).
    pub is_bundle: bool,
}

impl IntunePackage {
    pub(crate) fn detect_path(&self) -> String {
        format!("{}/{DETECT_FILE}", self.folder)
    }
    pub(crate) fn remediate_path(&self) -> String {
        format!("{}/{REMEDIATE_FILE}", self.folder)
    }
    pub(crate) fn health_script_path(&self) -> String {
        format!("{}/{HEALTH_SCRIPT_FILE}", self.folder)
    }
    pub(crate) fn platform_script_path(&self) -> String {
        format!("{}/{PLATFORM_SCRIPT_FILE}", self.folder)
    }
}

/// A problem of a package as a whole: reported in its recipe's source, or in bundle.yaml for
/// the bundle package.
fn package_error(plan: &Plan, pkg: &IntunePackage, code: &str, message: String) -> Diagnostic {
    let recipe = (!pkg.is_bundle)
        .then(|| plan.recipes.iter().find(|r| r.recipe.id == pkg.name))
        .flatten();
    match recipe {
        Some(rp) => rp.error(code, message),
        None => plan.bundle_error(code, "", message),
    }
}

/// Recipes of the bundle package: all of them when they share one context; in a mixed bundle
/// the system-context ones (a user-context recipe run as SYSTEM would change SYSTEM's own
/// profile), and the user-context recipes go out only as their own packages.
fn bundle_members(plan: &Plan) -> (Vec<usize>, RunAs) {
    let system: Vec<usize> = plan
        .recipes
        .iter()
        .enumerate()
        .filter(|(_, r)| r.recipe.context == Context::System)
        .map(|(i, _)| i)
        .collect();
    if system.is_empty() {
        ((0..plan.recipes.len()).collect(), RunAs::User)
    } else {
        (system, RunAs::System)
    }
}

/// Every package the Intune target writes for `plan`, recipes in run order, then the bundle.
pub(crate) fn packages(plan: &Plan) -> Vec<IntunePackage> {
    let b = &plan.bundle;
    let mut out: Vec<IntunePackage> = plan
        .recipes
        .iter()
        .map(|rp| {
            let r = &rp.recipe;
            IntunePackage {
                folder: format!("{DIR}/{}", r.id),
                name: r.id.clone(),
                display_name: format!("{} {} - {} ({})", b.name, b.version, r.title, r.id),
                description: format!(
                    "{} Context: {}. Restart: {}. Recipe {} of bundle {} {}, source SHA-256 {}. Generated by fixgen {}.",
                    r.summary.trim(),
                    RunAs::of(r.context).as_str(),
                    r.reboot.name(),
                    r.id,
                    b.name,
                    b.version,
                    rp.source_sha256,
                    env!("CARGO_PKG_VERSION")
                ),
                run_as: RunAs::of(r.context),
                recipes: vec![r.id.clone()],
                is_bundle: false,
            }
        })
        .collect();
    let (members, run_as) = bundle_members(plan);
    if !members.is_empty() {
        let ids: Vec<String> = members
            .iter()
            .map(|&i| plan.recipes[i].recipe.id.clone())
            .collect();
        let included: std::collections::BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        let left_out: Vec<&str> = plan
            .recipes
            .iter()
            .filter(|r| !included.contains(r.recipe.id.as_str()))
            .map(|r| r.recipe.id.as_str())
            .collect();
        let mut description = format!(
            "{} Recipes, in order: {}.",
            b.description.trim(),
            ids.join(", ")
        );
        if !left_out.is_empty() {
            description.push_str(&format!(
                " Not included (they run as the signed-in user; deploy their own packages): {}.",
                left_out.join(", ")
            ));
        }
        description.push_str(&format!(
            " Bundle {} {}, SHA-256 {}. Generated by fixgen {}.",
            b.name,
            b.version,
            plan.bundle_sha256,
            env!("CARGO_PKG_VERSION")
        ));
        out.push(IntunePackage {
            folder: format!("{DIR}/{}", b.name),
            name: b.name.clone(),
            display_name: format!("{} {} - {}", b.name, b.version, b.title),
            description,
            run_as,
            recipes: ids,
            is_bundle: true,
        });
    }
    out
}

/// Why the Intune target cannot be built with these values: every param a recipe uses and
/// that is required but has no value (Intune scripts take no parameters), and every secret
/// given a value without `allow_embedded_secrets`. All of them, in recipe order; each located
/// at the param's declaration in its recipe (`params.<name>`: its type and description say
/// what value to give), with what to pass as the hint. Secret values never appear in them.
pub(crate) fn param_problems(plan: &Plan, allow_embedded_secrets: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rp in &plan.recipes {
        let id = &rp.recipe.id;
        let used = crate::model::used_params(&rp.recipe.steps);
        let strict = strict_params(&rp.recipe.steps);
        for (name, bound) in &rp.params {
            if !used.contains(name) {
                continue;
            }
            let secret = bound.decl.secret;
            match &bound.binding {
                Binding::Open if bound.decl.required || strict.contains(name) => {
                    let how = if secret {
                        format!(
                            "put `{name}: VALUE` in a --values FILE (keeps it out of the shell history; --set {name}=VALUE also works) and pass --allow-embedded-secrets"
                        )
                    } else {
                        format!("give it with --set {name}=VALUE (or in a --values FILE)")
                    };
                    out.push(
                        rp.error_at_key(
                            "intune-open-param",
                            &format!("params.{name}"),
                            format!(
                                "param `{name}` has no value, and an Intune script takes no parameters"
                            ),
                        )
                        .with_hint(how),
                    );
                }
                Binding::Value(_) if secret && !allow_embedded_secrets => {
                    out.push(rp.error_at_key(
                        "intune-embedded-secret",
                        &format!("params.{name}"),
                        format!(
                            "secret param `{name}` has a value, which an Intune script can only carry embedded in {DIR}/{id}/{REMEDIATE_FILE} (and its {HEALTH_SCRIPT_FILE}); pass --allow-embedded-secrets to allow that (the files are then marked holds_secret in manifest.json), or build without the intune target"
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    out
}

/// Params used where a value is needed even when the param is optional (a registry value, a
/// VPN connection name). The VPN server and pre-shared key may stay unset ("leave as it is").
fn strict_params(steps: &[Step]) -> BTreeSet<String> {
    steps
        .iter()
        .flat_map(Step::param_uses)
        .filter(|u| !matches!(u.field, "server" | "psk"))
        .filter_map(|u| u.value.param_name().map(str::to_string))
        .collect()
}

/// One recipe's data in an Intune script.
struct RecipeData<'a> {
    /// The recipe metadata the script uses: detection only `Id` and `Needs64Bit` (one line);
    /// remediation all but the `Summary` (it is in REVIEW.md and the payload).
    recipe: Vec<Entry>,
    steps: &'a [StepData],
}

#[derive(Template)]
#[template(path = "intune/script.ps1", escape = "none")]
struct IntuneScriptTemplate<'a> {
    requires_admin: bool,
    help: &'a Help,
    name: PsLit,
    recipes: Vec<RecipeData<'a>>,
    detect: bool,
    machinery: String,
}

fn help(plan: &Plan, pkg: &IntunePackage, mode: ScriptMode) -> Help {
    let recipes = pkg.recipes.join(", ");
    let what = match mode {
        // Report-only findings: see the comment of the intune-detect block.
        ScriptMode::Detect => format!(
            "Read-only Intune detection for {recipes} (writes nothing): one line naming each setting that is off; exit 1 when the remediation would change something, else 0."
        ),
        ScriptMode::Remediate => format!(
            "Intune remediation script for {recipes}: each step is read, changed only if it differs and read again to verify; one summary line; exit 0 when compliant or fixed, 1 when anything failed. A needed restart is reported, never done. Log (CMTrace): $env:windir\\Logs\\fixgen\\{}.log. No parameters: every value is in the recipe data below. Intune runs it in 64-bit PowerShell (runAs32Bit: false).",
            pkg.name
        ),
    };
    let context = match pkg.run_as {
        RunAs::System => "Run as SYSTEM (\"Run this script using the logged-on credentials\" = No)",
        RunAs::User => {
            "Run as the signed-in user (\"Run this script using the logged-on credentials\" = Yes)"
        }
    };
    Help {
        synopsis: PsComment::text(&pkg.display_name, HELP_WIDTH),
        description: PsComment::text(&what, HELP_WIDTH),
        params: Vec::new(),
        examples: Vec::new(),
        notes: PsComment::text(
            &format!(
                "{context}; do not edit (signed).\nBundle SHA-256 {}, fixgen {}",
                plan.bundle_sha256,
                env!("CARGO_PKG_VERSION"),
            ),
            HELP_WIDTH,
        ),
    }
}

fn render_script(
    plan: &Plan,
    pkg: &IntunePackage,
    models: &[&RecipeModel],
    mode: ScriptMode,
) -> Result<OutputFile, Diagnostic> {
    let kinds = models
        .iter()
        .fold(Kinds::default(), |k, m| k.union(&m.kinds));
    let h = help(plan, pkg, mode);
    let t = IntuneScriptTemplate {
        requires_admin: models.iter().any(|m| m.requires_admin),
        help: &h,
        name: PsLit::string(&pkg.name),
        recipes: models
            .iter()
            .map(|m| RecipeData {
                recipe: m
                    .recipe
                    .iter()
                    .filter(|e| match mode {
                        ScriptMode::Detect => {
                            matches!(e.key, "Id" | "Needs64Bit")
                        }
                        ScriptMode::Remediate => e.key != "Summary",
                    })
                    .cloned()
                    .collect(),
                steps: &m.steps,
            })
            .collect(),
        detect: mode == ScriptMode::Detect,
        machinery: blocks::machinery(&blocks::blocks_for(
            match mode {
                ScriptMode::Detect => Role::IntuneDetect,
                ScriptMode::Remediate => Role::IntuneRemediate,
            },
            &kinds,
            false,
        )),
    };
    let path = match mode {
        ScriptMode::Detect => pkg.detect_path(),
        ScriptMode::Remediate => pkg.remediate_path(),
    };
    let bytes = powershell::render_ps(&t).map_err(|m| internal(&path, m))?;
    check_size(plan, pkg, &path, bytes.len())?;
    let mut f = OutputFile::new(path, bytes);
    f.holds_secret = models.iter().any(|m| m.holds_secret);
    Ok(f)
}

/// Intune's limit on a script of package `pkg` (at `path`, `len` bytes).
pub(crate) fn check_size(
    plan: &Plan,
    pkg: &IntunePackage,
    path: &str,
    len: usize,
) -> Result<(), Diagnostic> {
    if len >= MAX_SCRIPT_BYTES {
        return Err(package_error(
            plan,
            pkg,
            "intune-script-size",
            format!(
                "{path} is {len} bytes; Intune takes scripts under {MAX_SCRIPT_BYTES} bytes. Split the recipe or the bundle"
            ),
        ));
    }
    Ok(())
}

/// Options for the scripts of the Intune target.
fn ps_options(allow_embedded_secrets: bool, mode: ScriptMode) -> PsOptions {
    PsOptions {
        allow_open_params: false,
        allow_embedded_secrets,
        // Intune runs these in 64-bit PowerShell (the payload says runAs32Bit: false): no relaunch.
        relaunch: false,
        omit_secrets: mode == ScriptMode::Detect,
    }
}

/// `intune/<id>/detect.ps1` and `remediate.ps1` for every recipe, and the bundle pair. The
/// JSON payloads and `intune/README.md` come later, from [`add_payloads`].
pub(crate) fn render_intune(
    plan: &Plan,
    allow_embedded_secrets: bool,
) -> Result<Artifacts, Vec<Diagnostic>> {
    let problems = param_problems(plan, allow_embedded_secrets);
    if !problems.is_empty() {
        return Err(problems);
    }
    let pkgs = packages(plan);
    if let Some(b) = pkgs.iter().find(|p| p.is_bundle) {
        if let Some(r) = plan
            .recipes
            .iter()
            .find(|r| r.recipe.id.eq_ignore_ascii_case(&b.name))
        {
            return Err(vec![r.error_at(
                "intune-folder-clash",
                "id",
                format!(
                    "the recipe id and the bundle name `{}` give the same folder {} (names are case-insensitive on Windows); rename one",
                    b.name, b.folder
                ),
            )]);
        }
        PsName::new(&b.name).map_err(|m| {
            vec![plan.bundle_error("bundle-name", "name", format!("bundle name: {m}"))]
        })?;
    }
    let detect = powershell::recipe_models(
        plan,
        &ps_options(allow_embedded_secrets, ScriptMode::Detect),
    )?;
    let remediate = powershell::recipe_models(
        plan,
        &ps_options(allow_embedded_secrets, ScriptMode::Remediate),
    )?;
    let index: std::collections::BTreeMap<&str, usize> = detect
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut out = Artifacts::default();
    let mut errors = Vec::new();
    for pkg in &pkgs {
        for (mode, models) in [
            (ScriptMode::Detect, &detect),
            (ScriptMode::Remediate, &remediate),
        ] {
            // In run order; a lookup by id, so the target stays linear in the bundle's size.
            let mut at: Vec<usize> = pkg
                .recipes
                .iter()
                .filter_map(|id| index.get(id.as_str()).copied())
                .collect();
            at.sort_unstable();
            at.dedup();
            let chosen: Vec<&RecipeModel> = at.iter().map(|&i| &models[i]).collect();
            match render_script(plan, pkg, &chosen, mode) {
                Ok(f) => out.add(f),
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_intune_line_limit_is_the_renderers() {
        let limit = format!("[int]$MaxLength = {MAX_LINE_CHARS})");
        assert!(blocks::block("intune-line").text.contains(&limit));
    }

    #[test]
    fn run_as_serializes_as_graph_expects() {
        assert_eq!(serde_json::to_string(&RunAs::System).unwrap(), "\"system\"");
        assert_eq!(serde_json::to_string(&RunAs::User).unwrap(), "\"user\"");
    }
}
