//! PowerShell renderer: standalone scripts (`scripts/<id>.ps1`, `scripts/Invoke-<Bundle>.ps1`).
//!
//! Every generated file (askama templates in `templates/ps/`): comment help, `param()`, the
//! recipe as data (`$FixgenRecipe`, `$FixgenSteps`: one hashtable per step, every value a
//! [`PsLit`] built by [`crate::render::escape`]), then the runtime blocks the file needs
//! ([`crate::render::blocks`]: the same text in every file, listed in REVIEW.md), then the main
//! call. A detection script is [`render_recipe_script`] with [`ScriptMode::Detect`]: the same
//! data, read blocks only, exit 1 when any check is not compliant.
//!
//! The parts: [`crate::render::ps_types`] (the shared model types, re-exported here),
//! [`crate::render::ps_steps`] (steps as data), [`crate::render::ps_model`] (a recipe's model and
//! help), [`crate::render::ps_module`] (the module; apart because it needs `undo`, which needs
//! this module).

use std::collections::BTreeMap;

use askama::Template;

use crate::diag::Diagnostic;
use crate::plan::Plan;
use crate::render::blocks::{self, Role};
use crate::render::escape::{PsComment, PsLit, PsName, PsText};
use crate::render::ps_types::{internal, HELP_WIDTH};
use crate::render::{Artifacts, OutputFile};

pub(crate) use crate::render::ps_model::recipe_model;
pub(crate) use crate::render::ps_types::{
    Entry, Help, HelpParam, InvokeEntry, Kinds, ParamDecl, StepData,
};
pub use crate::render::ps_types::{PsOptions, RecipeModel, ScriptMode};

#[derive(Template)]
#[template(path = "ps/script.ps1", escape = "none")]
struct ScriptTemplate<'a> {
    requires_admin: bool,
    help: &'a Help,
    params: &'a [ParamDecl],
    /// `$FixgenRecipe` as a few data lines ([`RECIPE_LINES`]); the steps stay one entry a line.
    recipe: Vec<Vec<Entry>>,
    steps: &'a [StepData],
    detect: bool,
    relaunch: bool,
    machinery: String,
}

#[derive(Template)]
#[template(path = "ps/invoke.ps1", escape = "none")]
struct InvokeTemplate<'a> {
    requires_admin: bool,
    help: &'a Help,
    params: &'a [ParamDecl],
    bundle: PsLit,
    scripts: Vec<InvokeScript>,
    relaunch: bool,
    machinery: String,
}

struct InvokeScript {
    file: PsLit,
    args: Vec<PsName>,
}

/// Render a PowerShell template straight into a [`PsText`] (checked, CRLF, trailing blanks
/// trimmed: see [`crate::render::escape::finish_ps`]): the text is never held twice.
pub(crate) fn render_ps<T: Template>(t: &T) -> Result<Vec<u8>, String> {
    render_ps_sized(t, T::SIZE_HINT.max(4096))
}

/// [`render_ps`] into a buffer of `capacity` bytes to start with.
pub(crate) fn render_ps_sized<T: Template>(t: &T, capacity: usize) -> Result<Vec<u8>, String> {
    let mut w = PsText::with_capacity(capacity);
    match t.render_into(&mut w) {
        // A write error is recorded in `w` (the character that may not be written).
        Ok(()) | Err(askama::Error::Fmt) => w.finish(),
        Err(e) => Err(format!("internal template error: {e}")),
    }
}

/// [`render_ps`], a failure reported as an internal error while making the file `what`.
pub(crate) fn finish<T: Template>(what: &str, t: &T) -> Result<Vec<u8>, Diagnostic> {
    render_ps(t).map_err(|m| internal(what, m))
}

/// The lines of a script's `$FixgenRecipe` (issue 17's size budget): what the run does, then
/// where it comes from. A key not listed here goes on the last line, so no entry is ever lost.
const RECIPE_LINES: &[&[&str]] = &[
    &["Id", "Context", "Reboot", "Needs64Bit"],
    &["Bundle", "BundleVersion"],
    &["SourceSha256"],
];

fn recipe_lines(recipe: &[Entry]) -> Vec<Vec<Entry>> {
    let shown: Vec<&Entry> = recipe
        .iter()
        .filter(|e| !matches!(e.key, "Title" | "Summary"))
        .collect();
    let mut lines: Vec<Vec<Entry>> = RECIPE_LINES
        .iter()
        .map(|keys| {
            shown
                .iter()
                .filter(|e| keys.contains(&e.key))
                .map(|e| (*e).clone())
                .collect()
        })
        .collect();
    let rest = shown
        .iter()
        .filter(|e| !RECIPE_LINES.iter().any(|keys| keys.contains(&e.key)))
        .map(|e| (*e).clone());
    if let Some(last) = lines.last_mut() {
        last.extend(rest);
    }
    lines.retain(|l| !l.is_empty());
    lines
}

/// Render one recipe as a standalone script: remediation or detection.
pub fn render_recipe_script(
    model: &RecipeModel,
    mode: ScriptMode,
    opts: &PsOptions,
) -> Result<Vec<u8>, Diagnostic> {
    let t = ScriptTemplate {
        requires_admin: model.requires_admin,
        help: &model.help,
        params: &model.params,
        // Title and Summary are the help's SYNOPSIS and DESCRIPTION; no runtime code reads them.
        recipe: recipe_lines(&model.recipe),
        steps: &model.steps,
        detect: mode == ScriptMode::Detect,
        relaunch: opts.relaunch && model.needs_64bit,
        machinery: blocks::machinery(&blocks::blocks_for(
            match mode {
                ScriptMode::Detect => Role::Detect,
                ScriptMode::Remediate => Role::Script,
            },
            &model.kinds,
            opts.relaunch && model.needs_64bit,
        )),
    };
    let what = match mode {
        ScriptMode::Detect => format!("the detection script of recipe `{}`", model.id),
        ScriptMode::Remediate => format!("scripts/{}.ps1", model.id),
    };
    finish(&what, &t)
}

/// The escaped models of every recipe, in run order; all errors of all recipes.
pub fn recipe_models(plan: &Plan, opts: &PsOptions) -> Result<Vec<RecipeModel>, Vec<Diagnostic>> {
    recipe_models_with(plan, opts, |m| m)
}

/// [`recipe_models`], keeping `keep(model)` of each (e.g. only its [`InvokeEntry`]).
pub(crate) fn recipe_models_with<R: Send>(
    plan: &Plan,
    opts: &PsOptions,
    keep: impl Fn(RecipeModel) -> R + Sync,
) -> Result<Vec<R>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut models = Vec::new();
    // Recipes are independent: on every core, a chunk at a time, in recipe order. After the
    // first error only errors are kept (a failed bundle holds no models).
    for chunk in plan.recipes.chunks(256) {
        for r in crate::par::map(chunk, |rp| recipe_model(plan, rp, opts).map(&keep)) {
            match r {
                Ok(m) if errors.is_empty() => models.push(m),
                Ok(_) => {}
                Err(e) => {
                    models = Vec::new();
                    errors.extend(e);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(models)
    } else {
        Err(errors)
    }
}

/// Union of the recipes' parameters (for `Invoke-<Bundle>`); the same name must have the same
/// type everywhere.
pub(crate) fn union_params<'a>(
    plan: &Plan,
    recipes: impl IntoIterator<Item = (&'a str, &'a [ParamDecl])>,
) -> Result<Vec<ParamDecl>, Vec<Diagnostic>> {
    let mut by_name: BTreeMap<String, ParamDecl> = BTreeMap::new();
    let mut errors = Vec::new();
    for (id, params) in recipes {
        for p in params {
            match by_name.get_mut(p.name.as_str()) {
                Some(prev) => {
                    if prev.ps_type != p.ps_type {
                        let message = format!(
                            "param `{}` is [{}] here but [{}] in another recipe of the bundle",
                            p.name, p.ps_type, prev.ps_type
                        );
                        let field = format!("params.{}", p.name);
                        errors.push(match plan.recipes.iter().find(|r| r.recipe.id == id) {
                            Some(rp) => rp.error_at_key("param-type-clash", &field, message),
                            None => plan.bundle_error("param-type-clash", "", message),
                        });
                    }
                    // Mandatory in any recipe: mandatory, with the help of that declaration
                    // (an optional one's help says "Optional.").
                    if p.mandatory && !prev.mandatory {
                        prev.help = p.help.clone();
                    }
                    prev.mandatory |= p.mandatory;
                }
                None => {
                    by_name.insert(p.name.as_str().to_string(), p.clone());
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(by_name.into_values().collect())
    } else {
        Err(errors)
    }
}

pub(crate) fn bundle_name(plan: &Plan) -> Result<PsName, Vec<Diagnostic>> {
    PsName::new(&plan.bundle.name).map_err(|m| {
        vec![plan.bundle_error(
            "bundle-name",
            "name",
            format!("bundle name: {m}; it is the PowerShell noun of Invoke-<name>"),
        )]
    })
}

pub(crate) fn invoke_help(plan: &Plan, params: &[ParamDecl], module: bool) -> Help {
    let b = &plan.bundle;
    let what = if module {
        "Runs the change function of every recipe of the bundle in order"
    } else {
        "Runs every recipe script of the bundle in order (they sit in the same folder)"
    };
    let mut description = format!(
        "{}\n\n{what}. Exit code: 1 if any recipe failed, else 3010 if any needs a restart, else 0. Never restarts the machine.",
        b.description
    );
    if let Some(s) = &b.source {
        description.push_str(&format!("\n\nSource: {}", s.title));
        if let Some(u) = &s.url {
            description.push_str(&format!(" ({u})"));
        }
    }
    let args = ParamDecl::example_args(params);
    let cmd = if module {
        format!("Invoke-{}", b.name)
    } else {
        format!(".\\Invoke-{}.ps1", b.name)
    };
    Help {
        synopsis: PsComment::text(&b.title, HELP_WIDTH),
        description: PsComment::text(&description, HELP_WIDTH),
        params: params
            .iter()
            .map(|p| HelpParam {
                name: p.name.clone(),
                help: p.help.clone(),
            })
            .collect(),
        examples: vec![
            PsComment::text(
                &format!("PS> {cmd}{args} -WhatIf\n\nShows what every recipe would change."),
                usize::MAX,
            ),
            PsComment::text(&format!("PS> {cmd}{args} -Verbose"), usize::MAX),
        ],
        notes: PsComment::text(
            &format!(
                "Bundle: {} {}\nBundle SHA-256: {}\nGenerated by fixgen {}",
                b.name,
                b.version,
                plan.bundle_sha256,
                env!("CARGO_PKG_VERSION")
            ),
            HELP_WIDTH,
        ),
    }
}

/// `scripts/<id>.ps1` for every recipe and `scripts/Invoke-<Bundle>.ps1`.
pub fn render_scripts(plan: &Plan, opts: &PsOptions) -> Result<Artifacts, Vec<Diagnostic>> {
    let models = recipe_models(plan, opts)?;
    let mut out = Artifacts::default();
    let mut errors = Vec::new();
    for m in &models {
        match script_file(m, opts) {
            Ok(f) => out.add(f),
            Err(e) => errors.push(e),
        }
    }
    let entries: Vec<InvokeEntry> = models.iter().map(RecipeModel::invoke_entry).collect();
    match invoke_file(plan, &entries, opts) {
        Ok(f) => out.add(f),
        Err(e) => errors.extend(e),
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// `scripts/<id>.ps1`: one recipe's standalone remediation script.
pub(crate) fn script_file(m: &RecipeModel, opts: &PsOptions) -> Result<OutputFile, Diagnostic> {
    let bytes = render_recipe_script(m, ScriptMode::Remediate, opts)?;
    Ok(script_output(m, bytes))
}

/// `scripts/<id>.ps1` of `m` with `bytes` (rendered from `m`, or from an equal model).
pub(crate) fn script_output(m: &RecipeModel, bytes: Vec<u8>) -> OutputFile {
    let mut f = OutputFile::new(format!("scripts/{}.ps1", m.id), bytes);
    f.holds_secret = m.holds_secret;
    f
}

/// `scripts/Invoke-<Bundle>.ps1`: runs every recipe script of the bundle in order.
pub(crate) fn invoke_file(
    plan: &Plan,
    models: &[InvokeEntry],
    opts: &PsOptions,
) -> Result<OutputFile, Vec<Diagnostic>> {
    let bundle = bundle_name(plan)?;
    let params = union_params(
        plan,
        models.iter().map(|m| (m.id.as_str(), m.params.as_slice())),
    )?;
    let t = InvokeTemplate {
        requires_admin: models.iter().any(|m| m.requires_admin),
        help: &invoke_help(plan, &params, false),
        params: &params,
        bundle: PsLit::string(&plan.bundle.name),
        scripts: models
            .iter()
            .map(|m| InvokeScript {
                file: PsLit::string(&format!("{}.ps1", m.id)),
                args: m.params.iter().map(|p| p.name.clone()).collect(),
            })
            .collect(),
        relaunch: opts.relaunch,
        machinery: blocks::machinery(&["relaunch"]),
    };
    let bytes = finish(&format!("scripts/Invoke-{bundle}.ps1"), &t).map_err(|e| vec![e])?;
    Ok(OutputFile::new(
        format!("scripts/Invoke-{bundle}.ps1"),
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use crate::registry::rules::parse_hex;

    #[test]
    fn binary_parsing() {
        assert_eq!(parse_hex("01 ff,0A:0b").unwrap(), vec![1, 255, 10, 11]);
        assert!(parse_hex("0").is_err());
        assert!(parse_hex("zz").is_err());
    }
}
