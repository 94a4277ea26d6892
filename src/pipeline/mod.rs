//! The build pipeline as a library: every stage of `fixgen build` is called from here, in the
//! order `src/lib.rs` states (load -> validate -> plan -> render -> review -> sign -> write).
//!
//! - [`build`] is `fixgen build` in one call ([`run`]): a [`Request`] in, findings and
//!   progress to an [`Observer`], a [`Done`] report or a [`Stop`] out;
//! - [`inputs`] reads the recipe files (or the embedded bundle); [`check`] validates them
//!   (with what the targets refuse); [`plan`] binds the parameter values;
//! - [`render`] / [`render_with`] run the renderers of the requested [`Target`]s ([`targets`]);
//! - [`Build::run`] streams the rendered batches through the finishing stages ([`finish`]:
//!   Authenticode signing and the Intune payloads per batch, then REVIEW.md and the manifest)
//!   into a [`Sink`] (the writer's staging folder, or nothing for `--check`);
//! - [`build_into`] builds a plan already made into a folder (tests, benches);
//! - [`resign_bundle`] signs a built bundle again with the same finishing code.
//!
//! `cli/build.rs` checks its arguments (values, `--out`, signing material), turns them into one
//! [`build`] call and prints what it reports.

pub mod finish;
pub mod parts;
mod resign;
mod run;
mod secrets;
mod targets;

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::load::{Bundle, Inputs, LoadError};
use crate::model::ParamValues;
use crate::plan::{Plan, PlanError};
use crate::render::powershell::PsOptions;
use crate::render::Artifacts;
use crate::review::PlanReport;
use crate::sign::{SignError, Signer};
use crate::validate::uses::Given;
use crate::write::{Sink, Staging, WriteOptions, WriteReport};

pub use finish::{Finished, Stream};
pub use resign::{resign_bundle, ResignError, Resigned};
pub use run::{build, Dest, Done, Observer, Request, Stop};
pub use targets::{render, render_with, BuildError, Target};

/// A target (or part of one) that `--target all` left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// What is missing, as the user sees it in the folder (`intune/`, `gpo/ startup script`).
    pub what: String,
    /// The target to name with `--target` to see every reason as an error.
    pub target: &'static str,
    /// Why, one short clause (`Intune scripts take no parameters`).
    pub because: &'static str,
    /// Every problem found, in full (the first is shown when no param is open).
    pub problems: Vec<String>,
}

/// Load: the files and folders in `paths`, or the embedded L2TP bundle when there are none.
pub fn inputs(paths: &[PathBuf]) -> Result<Inputs, LoadError> {
    if paths.is_empty() {
        Ok(Inputs::embedded())
    } else {
        crate::load::read_paths(paths)
    }
}

/// Validate: the recipes, the bundle and the given values (where their params are used), and
/// what the requested targets refuse: a secret given a value for `gpo` or `module`. `build`
/// and `check` both call this, so they refuse the same.
pub fn check(inputs: Inputs, given: &Given, targets: &[Target]) -> crate::validate::Report {
    let mut report = crate::validate::check_with(inputs, given);
    let shared = secrets::shared_target_findings(report.bundle.as_ref(), given, targets);
    if !shared.is_empty() {
        report.diagnostics.extend(shared);
        crate::diag::sort(&mut report.diagnostics);
    }
    secrets::hint_for_shared_targets(&mut report.diagnostics, targets);
    report
}

/// Plan: every param bound to a value or left open.
pub fn plan(bundle: &Bundle, values: &ParamValues) -> Result<Plan, PlanError> {
    crate::plan::build(bundle, values)
}

/// What a build of `targets` would stop on after the validator: binding the values, then the
/// renderers, run in memory (nothing is kept). `fixgen check` adds these to the validator's
/// findings, so it refuses what `build` refuses: `--target intune` without a value for every
/// param, a target's own limits. Only the targets named: under `all` alone, a target that
/// cannot be built is left out (never an error), and the scripts and module are what the
/// validator checks (tests/check_build_agree.rs), so nothing is rendered.
pub fn render_findings(
    bundle: &Bundle,
    values: &ParamValues,
    targets: &[Target],
    opts: &PsOptions,
) -> Vec<Diagnostic> {
    if targets.iter().all(|t| *t == Target::All) {
        return Vec::new();
    }
    let plan = match plan(bundle, values) {
        Ok(p) => p,
        Err(e) => return e.diagnostics(bundle),
    };
    let r = render_with(
        &plan,
        targets,
        opts,
        &mut |_| Ok(()),
        &|| {},
        &mut Vec::new(),
    );
    match r {
        Ok(()) => Vec::new(),
        Err(BuildError::Render(d)) => d,
        Err(e) => vec![Diagnostic::error(
            "internal-render",
            "",
            format!("internal error: {e}"),
        )],
    }
}

/// One build of a plan: what to render, how, and who signs.
pub struct Build<'a> {
    pub plan: &'a Plan,
    pub targets: &'a [Target],
    pub opts: PsOptions,
    pub signer: Option<&'a Signer>,
    /// What REVIEW.md says about the plan (built from the plan and the validator's findings).
    pub review: &'a PlanReport,
}

/// What [`Build::run`] produced.
#[derive(Debug)]
pub struct Built {
    /// Every file handed to the sink, by path.
    pub finished: Finished,
    /// What `--target all` left out, and why.
    pub left_out: Vec<LeftOut>,
}

impl Build<'_> {
    /// Render -> sign (and Intune payloads) -> REVIEW.md -> manifest, every finished file handed
    /// to `sink`. `on_recipe` is called after each recipe's scripts (progress bar). On an error
    /// the sink may have files of the build; the caller drops it (a staging folder is deleted).
    pub fn run(&self, sink: &mut dyn Sink, on_recipe: &dyn Fn()) -> Result<Built, BuildError> {
        let mut stream = Stream::new(self.plan, self.signer, sink, &|| {});
        let mut left_out = Vec::new();
        render_with(
            self.plan,
            self.targets,
            &self.opts,
            &mut |batch| stream.add(batch),
            on_recipe,
            &mut left_out,
        )?;
        let finished = stream.finish(self.review).map_err(BuildError::Finish)?;
        Ok(Built { finished, left_out })
    }
}

/// The whole build of `plan` into the folder `out` (replaced as a whole, atomically), as
/// `fixgen build` does it: the same stages and the same bytes.
pub fn build_into(
    plan: &Plan,
    targets: &[Target],
    opts: &PsOptions,
    signer: Option<&Signer>,
    out: &Path,
) -> Result<(Built, WriteReport), BuildError> {
    let review = PlanReport::new(plan, &[], &ParamValues::new());
    let build = Build {
        plan,
        targets,
        opts: *opts,
        signer,
        review: &review,
    };
    let mut staging = Staging::begin(out, WriteOptions::default()).map_err(BuildError::Write)?;
    let built = build.run(&mut staging, &|| {})?;
    let written = staging.commit().map_err(BuildError::Write)?;
    Ok((built, written))
}

/// The finishing stages on a set of files in memory (REVIEW.md, if any, already in it):
/// Authenticode-sign every PowerShell file (with a signer), the Intune payloads of the signed
/// bytes, then `manifest.json`, `SHA256SUMS` and (signed) `SHA256SUMS.p7s`. The same stage
/// functions as [`Build::run`]. Returns how many files were Authenticode-signed.
pub fn finish_in_memory(
    artifacts: &mut Artifacts,
    plan: &Plan,
    signer: Option<&Signer>,
) -> Result<usize, SignError> {
    let signed = crate::sign::sign_stage_with(artifacts, plan, signer, &|| {})?;
    crate::sign::manifest::add_manifest(artifacts, plan, signer)?;
    Ok(signed)
}
