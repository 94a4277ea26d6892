//! The targets: which renderers run, in which order, and what `--target all` leaves out.
//!
//! [`render_with`] renders batch by batch into a callback (the build streams them to signing
//! and the writer); [`render`] collects everything in memory (tests, fuzzing, benches).

use std::borrow::Cow;

use clap::ValueEnum;

use crate::diag::{self, Diagnostic};
use crate::model::Channel;
use crate::plan::Plan;
use crate::render::gpo::{self, GpoOptions, StartupScripts};
use crate::render::powershell::{self, InvokeEntry, PsOptions, RecipeModel};
use crate::render::{undo, Artifacts, OutputFile};

use super::LeftOut;

/// What to render. `all` renders every target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Target {
    /// every target
    All,
    /// scripts/<id>.ps1 and scripts/Invoke-<Bundle>.ps1
    Scripts,
    /// module/<Bundle>/<Bundle>.psm1 and .psd1
    Module,
    /// reg/<id>.reg and reg/<Bundle>.reg (registry values and service startup types)
    Reg,
    /// gpo/: Preferences Registry.xml, Registry.pol, startup script with psscripts.ini, README
    Gpo,
    /// intune/<id>/ and intune/<Bundle>/: detect.ps1, remediate.ps1 and Graph payloads. Needs a
    /// value for every param; under `all` it is left out (with a note) when one is missing.
    Intune,
}

/// A finding as one line of the build summary (`left out: ...`), with where it is.
fn located_line(d: &Diagnostic) -> String {
    let mut line = format!("{}: ", d.location());
    if !d.field.is_empty() {
        line.push_str(&format!("{}: ", d.field));
    }
    line.push_str(&d.message);
    if let Some(h) = &d.hint {
        line.push_str(&format!(" (hint: {h})"));
    }
    line
}

/// A finding as one line naming its recipe (or the bundle): `recipe `id`: steps[0].vpn:
/// vpn.name: message; hint`. The words of the summary's `left out` lines and of gpo/README.md's
/// "No startup script" reason, which a successful build writes (so they stay as they were).
fn recipe_line(plan: &Plan, d: &Diagnostic) -> String {
    let owner = plan
        .recipe_of(&d.file)
        .map_or(plan.bundle.name.as_str(), |rp| rp.recipe.id.as_str());
    let mut line = format!("recipe `{owner}`: ");
    // `steps[0].vpn.name` -> `steps[0].vpn: vpn.name: `
    if let Some(rest) = d.field.strip_prefix("steps[") {
        if let Some((i, inner)) = rest.split_once("].") {
            let kind = inner.split('.').next().unwrap_or(inner);
            line.push_str(&format!("steps[{i}].{kind}: {inner}: "));
        }
    }
    line.push_str(&d.message);
    if let Some(h) = &d.hint {
        line.push_str(&format!("; {h}"));
    }
    line
}

/// `--target all` left a target out: why, for the summary at the end.
fn skipped(target: &'static str, diags: &[Diagnostic]) -> LeftOut {
    LeftOut {
        what: format!("{target}/"),
        target,
        because: "it cannot be built with these values",
        problems: diags.iter().map(located_line).collect(),
    }
}

/// Recipes whose per-recipe scripts go to the stream together: bounds the memory a build holds
/// (about 100 KB of scripts per recipe) whatever the size of the bundle.
const BATCH: usize = 64;

/// Why a build stopped.
#[derive(Debug)]
pub enum BuildError {
    /// Errors in the recipes (all of them, located like the validator's findings, sorted):
    /// nothing is written.
    Render(Vec<Diagnostic>),
    /// Signing or writing a finished file failed.
    Finish(crate::sign::SignError),
    /// The staging folder could not be made or put in place of `--out` ([`super::build_into`]).
    Write(crate::write::WriteError),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Render(errors) => {
                let lines: Vec<String> = errors.iter().map(located_line).collect();
                f.write_str(&lines.join("\n"))
            }
            BuildError::Finish(e) => e.fmt(f),
            BuildError::Write(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BuildError {}

/// Where rendered batches go, and the render errors found so far: once there is an error,
/// batches are dropped (nothing of a failed build is written) but rendering goes on, so every
/// error is reported.
pub(crate) struct Out<'e> {
    emit: &'e mut dyn FnMut(Artifacts) -> Result<(), crate::sign::SignError>,
    errors: Vec<Diagnostic>,
    left_out: &'e mut Vec<LeftOut>,
}

impl Out<'_> {
    fn put(&mut self, batch: Artifacts) -> Result<(), BuildError> {
        if self.errors.is_empty() {
            (self.emit)(batch).map_err(BuildError::Finish)
        } else {
            Ok(())
        }
    }

    /// Put a renderer's whole output, or keep its errors.
    fn put_rendered(&mut self, r: Result<Artifacts, Vec<Diagnostic>>) -> Result<(), BuildError> {
        match r {
            Ok(a) => self.put(a),
            Err(e) => {
                self.errors.extend(e);
                Ok(())
            }
        }
    }
}

/// Render the requested targets into memory (the library and tests; `fixgen build` streams
/// the same batches through [`render_with`]).
pub fn render(
    plan: &Plan,
    targets: &[Target],
    opts: &PsOptions,
) -> Result<Artifacts, Vec<Diagnostic>> {
    let mut out = Artifacts::default();
    let r = render_with(
        plan,
        targets,
        opts,
        &mut |batch| {
            out.extend(batch);
            Ok(())
        },
        &|| {},
        &mut Vec::new(),
    );
    match r {
        Ok(()) => Ok(out),
        Err(BuildError::Render(e)) => Err(e),
        Err(e) => Err(vec![Diagnostic::error(
            "internal-render",
            "",
            format!("internal error: {e}"),
        )]),
    }
}

/// Render the requested targets batch by batch into `emit`: the per-recipe scripts a few
/// recipes at a time (see [`BATCH`]), then each bundle-wide file or target as one batch.
/// `on_recipe` is called after each recipe's scripts (progress bar); what `--target all` left
/// out is added to `left_out`.
pub fn render_with(
    plan: &Plan,
    targets: &[Target],
    opts: &PsOptions,
    emit: &mut dyn FnMut(Artifacts) -> Result<(), crate::sign::SignError>,
    on_recipe: &dyn Fn(),
    left_out: &mut Vec<LeftOut>,
) -> Result<(), BuildError> {
    let all = targets.contains(&Target::All);
    let want = |t: Target| all || targets.contains(&t);
    let mut out = Out {
        emit,
        errors: Vec::new(),
        left_out,
    };
    // The recipes' PowerShell models, once for the scripts, the undo scripts and the module.
    let models = if want(Target::Scripts) || want(Target::Module) {
        match powershell::recipe_models(plan, opts) {
            Ok(m) => Some(m),
            Err(e) => {
                out.errors.extend(e);
                None
            }
        }
    } else {
        None
    };
    // Group Policy: a startup script runs without parameters, so its copies of the scripts
    // need every param to have a value; decided up front, because the copies are rendered
    // with the scripts.
    let gpo_opts = if want(Target::Gpo) {
        match GpoOptions::from_env() {
            Ok(o) => Some(o),
            Err(d) => {
                out.errors.push(d);
                None
            }
        }
    } else {
        None
    };
    // The module first: its text (about 6 KB per recipe) is the largest single file, so it is
    // rendered while the least else is held.
    // Never a secret in the module (issue 15 item 7): rendered as if it had no value.
    let module_secretless = want(Target::Module)
        .then(|| crate::render::secret_scope::module_without_secrets(plan, opts))
        .flatten();
    if let Some(r) = module_secretless {
        out.put_rendered(r)?;
    } else if let (Some(ms), true) = (&models, want(Target::Module)) {
        module(plan, ms, &mut out)?;
    }
    let startup_opts = PsOptions {
        allow_open_params: false,
        ..*opts
    };
    let startup = startup_entries(plan, gpo_opts.is_some(), &startup_opts);
    // The Group Policy files before the scripts: under `all`, a GPO that cannot be built is left
    // out as a whole, so whether the startup copies are wanted is known before the scripts.
    let gpo_built = match &gpo_opts {
        Some(gpo_opts) => gpo_target(plan, targets, gpo_opts, &startup, &mut out)?,
        None => false,
    };
    let scripts = models.as_deref().filter(|_| want(Target::Scripts));
    let startup_entries = startup.as_ref().ok().filter(|_| gpo_built);
    if scripts.is_some() || startup_entries.is_some() {
        let s = Scripts {
            plan,
            opts,
            startup_opts: &startup_opts,
            models: scripts,
            startup: startup_entries.map(Vec::as_slice),
        };
        s.render(on_recipe, &mut out)?;
    }
    // Every use of the models is behind: their memory is reused by the targets below.
    drop(models);
    drop(startup);
    crate::memory::release();
    // Targets that cannot take parameters: asked for by name, a problem is an error; under
    // `all`, the target is left out as a whole (never half-written) with a warning.
    if want(Target::Reg) {
        match crate::render::reg::render(&plan.for_channel(Channel::Reg)) {
            Ok(a) => out.put(a)?,
            Err(d) if targets.contains(&Target::Reg) => {
                out.errors.extend(d.into_iter().map(|d| plan.locate(d)))
            }
            Err(d) => out.left_out.push(skipped("reg", &d)),
        }
    }
    intune(&plan.for_channel(Channel::Intune), targets, opts, &mut out)?;
    if out.errors.is_empty() {
        Ok(())
    } else {
        let mut errors = out.errors;
        diag::sort(&mut errors);
        Err(BuildError::Render(errors))
    }
}

/// The bundle's module, of the recipes in the `module` channel.
fn module(plan: &Plan, ms: &[RecipeModel], out: &mut Out) -> Result<(), BuildError> {
    // A recipe's `channels` may leave it out of the module.
    match plan.for_channel(Channel::Module) {
        Cow::Borrowed(p) => out.put_rendered(crate::render::ps_module::render_module_from(p, ms)),
        Cow::Owned(p) => {
            let kept: Vec<RecipeModel> = plan
                .recipes
                .iter()
                .zip(ms.iter())
                .filter(|(rp, _)| rp.recipe.in_channel(Channel::Module))
                .map(|(_, m)| m.clone())
                .collect();
            out.put_rendered(crate::render::ps_module::render_module_from(&p, &kept))
        }
    }
}

/// The entries of the computer startup script (`gpo` wanted), or why there is none.
///
/// Checked here for every recipe, keeping only what Invoke-<Bundle>.ps1 needs; each model is
/// made again next to its script (most are equal to the script's: then its bytes are reused),
/// so a build never holds two sets of models. Only the recipes the computer startup script
/// runs: in the `gpo` channel and of system context (see gpo/README.md for the others).
fn startup_entries(
    plan: &Plan,
    gpo: bool,
    startup_opts: &PsOptions,
) -> Result<Vec<InvokeEntry>, String> {
    if !gpo {
        return Err(String::new());
    }
    let startup_plan = plan.with_recipes(
        plan.recipes
            .iter()
            // Never a secret in SYSVOL (issue 15 item 7): gpo/README.md says why.
            .filter(|rp| crate::render::secret_scope::runs_at_startup(rp))
            .cloned()
            .collect(),
    );
    if startup_plan.recipes.is_empty() {
        return Err(
            "no recipe of the bundle runs in the computer startup script (user-context recipes, recipes left out of the gpo channel and recipes that use a secret given a value are not run there)".to_string(),
        );
    }
    powershell::recipe_models_with(&startup_plan, startup_opts, |m| m.invoke_entry()).map_err(|e| {
        e.iter()
            .map(|d| recipe_line(plan, d))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// The Group Policy files; whether they were built (under `all` they may be left out).
fn gpo_target(
    plan: &Plan,
    targets: &[Target],
    gpo_opts: &GpoOptions,
    startup: &Result<Vec<InvokeEntry>, String>,
    out: &mut Out,
) -> Result<bool, BuildError> {
    let explicit = targets.contains(&Target::Gpo);
    let mut names: Vec<String> = Vec::new();
    let arg = match startup {
        Ok(ms) => {
            names.extend(ms.iter().map(|m| format!("{}.ps1", m.id)));
            names.push(format!("Invoke-{}.ps1", plan.bundle.name));
            names.sort();
            StartupScripts::Elsewhere {
                names: &names,
                holds_secret: ms.iter().any(|m| m.holds_secret),
            }
        }
        Err(why) => StartupScripts::Unavailable(why),
    };
    match gpo::render(plan, arg, gpo_opts) {
        Ok(a) => {
            if let Err(why) = startup {
                out.left_out.push(LeftOut {
                    what: "gpo/ startup script".into(),
                    target: "gpo",
                    because: "a startup script takes no parameters; see gpo/README.md",
                    problems: why.split("; recipe ").map(str::to_string).collect(),
                });
            }
            if let Some(l) = secret_left_out(plan) {
                out.left_out.push(l);
            }
            out.put(a)?;
            Ok(true)
        }
        Err(d) if explicit => {
            out.errors.extend(d.into_iter().map(|d| plan.locate(d)));
            Ok(false)
        }
        Err(d) => {
            out.left_out.push(skipped("gpo", &d));
            Ok(false)
        }
    }
}

/// The per-recipe scripts and their undo scripts, the startup copies of the GPO, and the
/// Invoke-<Bundle>.ps1 scripts.
struct Scripts<'a> {
    plan: &'a Plan,
    opts: &'a PsOptions,
    startup_opts: &'a PsOptions,
    /// The recipes' models, when the `scripts` target is wanted.
    models: Option<&'a [RecipeModel]>,
    /// The startup script's entries, when the GPO was built with one.
    startup: Option<&'a [InvokeEntry]>,
}

impl Scripts<'_> {
    fn render(&self, on_recipe: &dyn Fn(), out: &mut Out) -> Result<(), BuildError> {
        let ids: Vec<usize> = (0..self.plan.recipes.len()).collect();
        for chunk in ids.chunks(BATCH) {
            // Recipes are independent: rendered on every core, kept in recipe order.
            let rendered = crate::par::map(chunk, |&i| self.recipe_files(i));
            let mut batch = Artifacts::default();
            for files in rendered {
                for f in files {
                    match f {
                        Ok(f) => batch.add(f),
                        Err(e) => out.errors.extend(e),
                    }
                }
                on_recipe();
            }
            out.put(batch)?;
        }
        let mut batch = Artifacts::default();
        if let Some(ms) = self.models {
            let entries: Vec<_> = ms
                .iter()
                .zip(self.plan.recipes.iter())
                .filter(|(_, rp)| rp.recipe.in_channel(Channel::Scripts))
                .map(|(m, _)| m.invoke_entry())
                .collect();
            match powershell::invoke_file(self.plan, &entries, self.opts) {
                Ok(f) => batch.add(f),
                Err(e) => out.errors.extend(e),
            }
        }
        if let Some(entries) = self.startup {
            match powershell::invoke_file(self.plan, entries, self.startup_opts) {
                Ok(f) => batch.add(gpo::startup_copy(f)),
                Err(e) => out.errors.extend(e),
            }
        }
        out.put(batch)
    }

    /// Recipe `i`'s script, undo script and startup copy, as wanted.
    fn recipe_files(&self, i: usize) -> Vec<Result<OutputFile, Vec<Diagnostic>>> {
        let (plan, opts) = (self.plan, self.opts);
        let rp = &plan.recipes[i];
        let mut files = Vec::new();
        let mut script = None;
        let in_scripts = rp.recipe.in_channel(Channel::Scripts);
        if let (Some(ms), true) = (self.models, in_scripts) {
            let f = powershell::script_file(&ms[i], opts);
            if self.startup.is_some() {
                script = f.as_ref().ok().map(|f| f.bytes.clone());
            }
            files.push(f.map_err(|e| vec![e]));
            files.push(undo::undo_file(plan, rp, &ms[i], opts).map_err(|e| vec![e]));
        }
        if self.startup.is_some() && crate::render::secret_scope::runs_at_startup(rp) {
            let startup_opts = self.startup_opts;
            let copy = powershell::recipe_model(plan, rp, startup_opts).and_then(|sm| {
                match (self.models, script) {
                    // Same model, same options but one that only matters to the model: the
                    // same bytes.
                    (Some(ms), Some(bytes)) if ms[i] == sm => {
                        Ok(powershell::script_output(&sm, bytes))
                    }
                    _ => powershell::script_file(&sm, startup_opts).map_err(|e| vec![e]),
                }
            });
            files.push(copy.map(gpo::startup_copy));
        }
        files
    }
}

/// The Intune target: asked for by name, or under `all` when every param has a value.
fn intune(
    plan: &Plan,
    targets: &[Target],
    opts: &PsOptions,
    out: &mut Out,
) -> Result<(), BuildError> {
    let all = targets.contains(&Target::All);
    if targets.contains(&Target::Intune) {
        out.put_rendered(crate::render::vpn_profile::with_profile(
            plan,
            crate::render::intune::render_intune(plan, opts.allow_embedded_secrets),
        ))?;
    } else if all {
        // Intune scripts take no parameters: under `all` the target is built only when every
        // param has a value (and secrets may be embedded); otherwise say why it was left out.
        let problems = crate::render::intune::param_problems(plan, opts.allow_embedded_secrets);
        if problems.is_empty() {
            match crate::render::vpn_profile::with_profile(
                plan,
                crate::render::intune::render_intune(plan, opts.allow_embedded_secrets),
            ) {
                Ok(a) => out.put(a)?,
                // Intune's own limits (a script under 200,000 bytes), which `check` cannot
                // know without rendering: under `all` the target is left out as a whole, as
                // `gpo` and `reg` are, so `check` and `build` agree.
                Err(e) => out.left_out.push(LeftOut {
                    what: "intune/".into(),
                    target: "intune",
                    because: "it cannot be built for this bundle",
                    problems: e.iter().map(|d| recipe_line(plan, d)).collect(),
                }),
            }
        } else {
            out.left_out.push(LeftOut {
                what: "intune/".into(),
                target: "intune",
                because: "Intune scripts take no parameters",
                problems: problems.iter().map(|d| recipe_line(plan, d)).collect(),
            });
        }
    }
    Ok(())
}

/// Under `--target all`: the recipes left out of the GPO's startup script because they use a
/// secret given a value (see `render::secret_scope`), for the summary; `None` when none.
fn secret_left_out(plan: &Plan) -> Option<LeftOut> {
    let ids: Vec<&str> = plan
        .recipes
        .iter()
        .filter(|rp| {
            rp.recipe.in_startup_script() && crate::render::secret_scope::holds_given_secret(rp)
        })
        .map(|rp| rp.recipe.id.as_str())
        .collect();
    (!ids.is_empty()).then(|| LeftOut {
        what: format!("gpo/ startup script: {}", ids.join(", ")),
        target: "gpo",
        because: "a secret is never written to SYSVOL",
        problems: vec![
            "they use a secret given a value; see gpo/README.md for how to deliver it".to_string(),
        ],
    })
}
