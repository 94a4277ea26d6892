//! `fixgen build` in one call: load -> validate -> plan -> render -> review -> sign -> write.
//! The caller (the CLI) turns its arguments into a [`Request`], watches the build through an
//! [`Observer`] (findings, progress) and prints the [`Done`] report or the [`Stop`].

use std::path::{Path, PathBuf};

use crate::load::{Bundle, LoadError};
use crate::plan::{Plan, PlanError};
use crate::render::powershell::PsOptions;
use crate::review::PlanReport;
use crate::sign::Signer;
use crate::validate::uses::Given;
use crate::validate::{Report, ValidateError};
use crate::write::{Discard, Sink, Staging, WriteError, WriteOptions, WriteReport};

use super::{Build, BuildError, Built, Target};

/// Where the files of a build go.
#[derive(Debug, Clone, Copy)]
pub enum Dest<'a> {
    /// Replace the folder `out` as a whole, atomically (`force`: even a non-empty folder that
    /// fixgen did not write).
    Folder { out: &'a Path, force: bool },
    /// Nowhere: every file is made and hashed, nothing is written (`fixgen build --check`).
    Nowhere,
}

/// One build, as `fixgen build` asks for it.
pub struct Request<'a> {
    /// Recipe files and bundle folders; none: the embedded bundle.
    pub paths: &'a [PathBuf],
    /// The param values given, where each was given, and `--allow-embedded-secrets`.
    pub given: Given,
    pub targets: &'a [Target],
    pub signer: Option<&'a Signer>,
    /// A warning stops the build too.
    pub deny_warnings: bool,
    /// Values for params no recipe declares are ignored (with a warning) instead of an error.
    pub allow_unknown_values: bool,
    pub dest: Dest<'a>,
}

/// What a build reports as it goes. Every method has a default that ignores it.
pub trait Observer {
    /// The validator's findings (errors, warnings and infos), before anything is rendered.
    fn findings(&mut self, _report: &Report) {}
    /// Values given for params that no recipe of `bundle` declares: ignored when `allowed`,
    /// otherwise the build stops with [`Stop::Undeclared`].
    fn undeclared(&mut self, _bundle: &Bundle, _names: &[&str], _allowed: bool) {}
    /// Rendering starts, for this many recipes.
    fn rendering(&mut self, _recipes: usize) {}
    /// One more recipe's scripts are done.
    fn recipe_done(&self) {}
    /// Every file is finished; the folder is put in place.
    fn writing(&mut self) {}
}

/// Why a build stopped; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum Stop {
    /// A path given cannot be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The recipes have errors (already reported through [`Observer::findings`]).
    #[error(transparent)]
    Invalid(#[from] ValidateError),
    /// Warnings, and the request denies them.
    #[error("{0} warning(s) and --deny-warnings")]
    Warnings(usize),
    /// Values for params no recipe declares (reported through [`Observer::undeclared`]).
    #[error("{0} value(s) for params that no recipe declares")]
    Undeclared(usize),
    /// A value does not fit its param.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Rendering, signing or writing failed.
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// What a build made.
#[derive(Debug)]
pub struct Done {
    pub plan: Plan,
    pub built: Built,
    /// What the writer reports ([`Dest::Folder`] only).
    pub written: Option<WriteReport>,
}

/// Run the whole build of `req`: nothing is written unless every stage succeeds.
pub fn build(req: Request<'_>, obs: &mut dyn Observer) -> Result<Done, Stop> {
    let (plan, diagnostics, values) = prepare(&req, obs)?;
    let review = PlanReport::new(&plan, &diagnostics, &values);
    let mut staging = match req.dest {
        Dest::Folder { out, force } => Some(
            Staging::begin(out, WriteOptions { force })
                .map_err(|e| Stop::Build(BuildError::Write(e)))?,
        ),
        Dest::Nowhere => None,
    };
    let mut discard = Discard;
    let sink: &mut dyn Sink = match staging.as_mut() {
        Some(s) => s,
        None => &mut discard,
    };
    obs.rendering(plan.recipes.len());
    let build = Build {
        plan: &plan,
        targets: req.targets,
        opts: PsOptions {
            allow_embedded_secrets: req.given.allow_embedded_secrets,
            ..PsOptions::default()
        },
        signer: req.signer,
        review: &review,
    };
    let built = build.run(sink, &|| obs.recipe_done())?;
    obs.writing();
    let written = match staging {
        Some(s) => Some(s.commit().map_err(|e: WriteError| BuildError::Write(e))?),
        None => None,
    };
    Ok(Done {
        plan,
        built,
        written,
    })
}

/// Load -> validate -> plan. The loaded bundle (every recipe's source text and a second copy
/// of every recipe) is freed before the largest files are rendered.
fn prepare(
    req: &Request<'_>,
    obs: &mut dyn Observer,
) -> Result<
    (
        Plan,
        Vec<crate::diag::Diagnostic>,
        crate::model::ParamValues,
    ),
    Stop,
> {
    let inputs = super::inputs(req.paths)?;
    let report = super::check(inputs, &req.given, req.targets);
    obs.findings(&report);
    let diagnostics = report.diagnostics.clone();
    let warnings = crate::diag::Summary::of(&diagnostics).warnings;
    if req.deny_warnings && warnings > 0 && !report.has_errors() {
        return Err(Stop::Warnings(warnings));
    }
    let bundle = report.into_bundle()?;
    let values = &req.given.values;
    let unknown = crate::plan::undeclared_values(&bundle, values);
    if !unknown.is_empty() {
        obs.undeclared(&bundle, &unknown, req.allow_unknown_values);
        if !req.allow_unknown_values {
            return Err(Stop::Undeclared(unknown.len()));
        }
    }
    let plan = super::plan(&bundle, values)?;
    drop(bundle);
    crate::memory::release();
    Ok((plan, diagnostics, values.clone()))
}
