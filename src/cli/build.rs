//! `fixgen build [PATH...] --out DIR [--target ...] [--set K=V] [--values FILE]`

use crate::term::{errln, outln};
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{Exit, Format};
use crate::diag;
use crate::plan::ParamValues;
use crate::render::powershell::{self, PsOptions, RenderError};
use crate::render::Artifacts;

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

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Bundle folders or recipe files (with their bundle.yaml); none: the embedded L2TP bundle.
    pub paths: Vec<PathBuf>,
    /// Output folder; replaced as a whole, atomically.
    #[arg(long, short, default_value = "dist")]
    pub out: PathBuf,
    /// Targets to render (comma-separated or repeated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "all")]
    pub target: Vec<Target>,
    /// Parameter value, NAME=VALUE (repeatable; wins over --values).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// YAML file mapping parameter names to values.
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    /// Accept --set/--values names that no recipe declares (ignored with a warning); without
    /// it they are an error.
    #[arg(long)]
    pub allow_unknown_values: bool,
    /// Allow a secret param given a value to be baked into generated files.
    #[arg(long)]
    pub allow_embedded_secrets: bool,
    /// Replace --out even when it is a non-empty folder that fixgen did not write (its files
    /// are deleted).
    #[arg(long)]
    pub force: bool,
    /// Authenticode-sign every PowerShell file and sign SHA256SUMS (SHA256SUMS.p7s).
    #[command(flatten)]
    pub signing: super::sign::SigningArgs,
    /// Exit with code 1 on warnings too (nothing is written).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Write nothing: build in memory and compare with the folder --out; exit 1 listing
    /// added, removed and changed files, 0 when identical (see README "Review before running: plan, REVIEW.md, --check and undo").
    #[arg(long)]
    pub check: bool,
}

fn scalar_text(v: &serde_norway::Value) -> Option<String> {
    match v {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The `--values` file as text, refused when larger than `limits::MAX_FILE_BYTES`.
fn read_values_file(file: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let max = crate::limits::MAX_FILE_BYTES;
    let f = crate::load::open_regular(file)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    let mut bytes = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{}: the file is larger than {max} bytes (1 MiB), the limit for a --values file",
            file.display()
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// `--values` file, then `--set` on top.
pub fn param_values(
    set: &[String],
    values_file: Option<&std::path::Path>,
) -> Result<ParamValues, String> {
    given_values(set, values_file).map(|g| g.values)
}

/// [`param_values`] with where each value was given (the values file's line and column, or
/// the `--set` flag), so the validator locates its findings about them.
pub fn given_values(
    set: &[String],
    values_file: Option<&std::path::Path>,
) -> Result<crate::validate::uses::Given, String> {
    use crate::validate::uses::Origin;
    let mut values = ParamValues::new();
    let mut origins = std::collections::BTreeMap::new();
    if let Some(file) = values_file {
        let text = read_values_file(file)?;
        let index = crate::load::yaml::read(&text).index;
        let map: std::collections::BTreeMap<String, serde_norway::Value> =
            serde_norway::from_str(&text).map_err(|e| {
                let (l, c) = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((0, 0));
                format!(
                    "{}:{l}:{c}: expected a mapping of parameter names to values: {e}",
                    file.display()
                )
            })?;
        for (k, v) in map {
            let t = scalar_text(&v).ok_or_else(|| {
                format!(
                    "{}: value of `{k}` must be a string, number or boolean",
                    file.display()
                )
            })?;
            let pos = index.value_pos(&crate::load::yaml::join_key("", &k));
            origins.insert(
                k.clone(),
                Origin {
                    file: file.display().to_string(),
                    line: pos.line,
                    column: pos.column,
                    field: k.clone(),
                },
            );
            values.insert(k, t);
        }
    }
    for s in set {
        let (k, v) = s
            .split_once('=')
            .ok_or_else(|| format!("--set {s:?}: expected NAME=VALUE"))?;
        if k.is_empty() {
            return Err(format!("--set {s:?}: the name is empty"));
        }
        values.insert(k.to_string(), v.to_string());
        origins.insert(
            k.to_string(),
            Origin {
                file: format!("--set {k}"),
                line: 0,
                column: 0,
                field: k.to_string(),
            },
        );
    }
    Ok(crate::validate::uses::Given {
        values,
        origins,
        allow_embedded_secrets: false,
    })
}

fn print_render_errors(errors: &[RenderError]) {
    for e in errors {
        errln!("error: {e}");
    }
}

/// A renderer's diagnostic as a build error line.
fn diagnostic_error(d: &diag::Diagnostic) -> RenderError {
    let mut message = format!("{}: ", d.location());
    if !d.field.is_empty() {
        message.push_str(&format!("{}: ", d.field));
    }
    message.push_str(&d.message);
    if let Some(h) = &d.hint {
        message.push_str(&format!(" (hint: {h})"));
    }
    RenderError {
        recipe: String::new(),
        message,
    }
}

/// `--target all` left a target out: why, for the summary at the end.
fn skipped(target: &'static str, diags: &[diag::Diagnostic]) -> super::summary::LeftOut {
    super::summary::LeftOut {
        what: format!("{target}/"),
        target,
        because: "it cannot be built with these values",
        problems: diags.iter().map(|d| diagnostic_error(d).message).collect(),
    }
}

/// Recipes whose per-recipe scripts go to the stream together: bounds the memory a build holds
/// (about 100 KB of scripts per recipe) whatever the size of the bundle.
const BATCH: usize = 64;

/// Why rendering stopped.
#[derive(Debug)]
pub enum BuildError {
    /// Errors in the recipes (all of them): nothing is written.
    Render(Vec<RenderError>),
    /// Signing or writing a finished file failed.
    Finish(crate::sign::SignError),
}

/// Where rendered batches go, and the render errors found so far: once there is an error,
/// batches are dropped (nothing of a failed build is written) but rendering goes on, so every
/// error is reported.
struct Out<'e> {
    emit: &'e mut dyn FnMut(Artifacts) -> Result<(), crate::sign::SignError>,
    errors: Vec<RenderError>,
    left_out: &'e mut Vec<super::summary::LeftOut>,
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
    fn put_rendered(&mut self, r: Result<Artifacts, Vec<RenderError>>) -> Result<(), BuildError> {
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
    plan: &crate::plan::Plan,
    targets: &[Target],
    opts: &PsOptions,
) -> Result<Artifacts, Vec<RenderError>> {
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
        Err(BuildError::Finish(e)) => Err(vec![RenderError {
            recipe: String::new(),
            message: e.to_string(),
        }]),
    }
}

/// Render the requested targets batch by batch into `emit`: the per-recipe scripts a few
/// recipes at a time (see [`BATCH`]), then each bundle-wide file or target as one batch.
/// `on_recipe` is called after each recipe's scripts (progress bar); what `--target all` left
/// out is added to `left_out`.
pub fn render_with(
    plan: &crate::plan::Plan,
    targets: &[Target],
    opts: &PsOptions,
    emit: &mut dyn FnMut(Artifacts) -> Result<(), crate::sign::SignError>,
    on_recipe: &dyn Fn(),
    left_out: &mut Vec<super::summary::LeftOut>,
) -> Result<(), BuildError> {
    use crate::model::Channel;
    use crate::render::gpo::{self, GpoOptions, StartupScripts};
    use crate::render::undo;

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
            Err(message) => {
                out.errors.push(RenderError {
                    recipe: String::new(),
                    message,
                });
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
        // A recipe's `channels` may leave it out of the module.
        match plan.for_channel(Channel::Module) {
            std::borrow::Cow::Borrowed(p) => {
                out.put_rendered(crate::render::ps_module::render_module_from(p, ms))?
            }
            std::borrow::Cow::Owned(p) => {
                let kept: Vec<powershell::RecipeModel> = plan
                    .recipes
                    .iter()
                    .zip(ms.iter())
                    .filter(|(rp, _)| rp.recipe.in_channel(Channel::Module))
                    .map(|(_, m)| m.clone())
                    .collect();
                out.put_rendered(crate::render::ps_module::render_module_from(&p, &kept))?
            }
        }
    }
    let startup_opts = PsOptions {
        allow_open_params: false,
        ..*opts
    };
    // Checked here for every recipe, keeping only what Invoke-<Bundle>.ps1 needs; each model is
    // made again next to its script below (most are equal to the script's: then its bytes are
    // reused), so a build never holds two sets of models.
    // Only the recipes the computer startup script runs: in the `gpo` channel and of system
    // context (see gpo/README.md for the others).
    let startup_plan = crate::plan::Plan {
        bundle: plan.bundle.clone(),
        bundle_sha256: plan.bundle_sha256.clone(),
        recipes: Vec::new(),
    };
    let startup_plan = if gpo_opts.is_some() {
        crate::plan::Plan {
            recipes: plan
                .recipes
                .iter()
                .filter(|rp| rp.recipe.in_startup_script())
                // Never a secret in SYSVOL (issue 15 item 7): gpo/README.md says why.
                .filter(|rp| !crate::render::secret_scope::holds_given_secret(rp))
                .cloned()
                .collect(),
            ..startup_plan
        }
    } else {
        startup_plan
    };
    let startup: Result<Vec<powershell::InvokeEntry>, String> = match &gpo_opts {
        None => Err(String::new()),
        Some(_) if startup_plan.recipes.is_empty() => Err(
            "no recipe of the bundle runs in the computer startup script (user-context recipes, recipes left out of the gpo channel and recipes that use a secret given a value are not run there)".to_string(),
        ),
        Some(_) => {
            powershell::recipe_models_with(&startup_plan, &startup_opts, |m| m.invoke_entry())
                .map_err(|e| {
                    e.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
        }
    };
    // The Group Policy files before the scripts: under `all`, a GPO that cannot be built is left
    // out as a whole, so whether the startup copies are wanted is known before the scripts.
    let mut gpo_built = false;
    if let Some(gpo_opts) = &gpo_opts {
        let explicit = targets.contains(&Target::Gpo);
        let mut names: Vec<String> = Vec::new();
        let arg = match &startup {
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
                if let Err(why) = &startup {
                    out.left_out.push(super::summary::LeftOut {
                        what: "gpo/ startup script".into(),
                        target: "gpo",
                        because: "a startup script takes no parameters; see gpo/README.md",
                        problems: why.split("; recipe ").map(str::to_string).collect(),
                    });
                }
                if let Some(l) = super::secrets::startup_left_out(plan) {
                    out.left_out.push(l);
                }
                gpo_built = true;
                out.put(a)?;
            }
            Err(d) if explicit => out.errors.extend(d.iter().map(diagnostic_error)),
            Err(d) => out.left_out.push(skipped("gpo", &d)),
        }
    }
    let scripts = models.as_deref().filter(|_| want(Target::Scripts));
    let startup_entries = startup.as_ref().ok().filter(|_| gpo_built);
    if scripts.is_some() || startup_entries.is_some() {
        let ids: Vec<usize> = (0..plan.recipes.len()).collect();
        for chunk in ids.chunks(BATCH) {
            // Recipes are independent: rendered on every core, kept in recipe order.
            let rendered = crate::par::map(chunk, |&i| {
                let rp = &plan.recipes[i];
                let mut files = Vec::new();
                let mut script = None;
                let in_scripts = rp.recipe.in_channel(Channel::Scripts);
                if let (Some(ms), true) = (scripts, in_scripts) {
                    let f = powershell::script_file(&ms[i], opts);
                    if startup_entries.is_some() {
                        script = f.as_ref().ok().map(|f| f.bytes.clone());
                    }
                    files.push(f.map_err(|e| vec![e]));
                    files.push(undo::undo_file(plan, rp, &ms[i], opts).map_err(|e| vec![e]));
                }
                if startup_entries.is_some()
                    && rp.recipe.in_startup_script()
                    && !crate::render::secret_scope::holds_given_secret(rp)
                {
                    let copy = powershell::recipe_model(plan, rp, &startup_opts).and_then(|sm| {
                        match (scripts, script) {
                            // Same model, same options but one that only matters to the model:
                            // the same bytes.
                            (Some(ms), Some(bytes)) if ms[i] == sm => {
                                Ok(powershell::script_output(&sm, bytes))
                            }
                            _ => powershell::script_file(&sm, &startup_opts).map_err(|e| vec![e]),
                        }
                    });
                    files.push(copy.map(gpo::startup_copy));
                }
                files
            });
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
        if let Some(ms) = scripts {
            let entries: Vec<_> = ms
                .iter()
                .zip(plan.recipes.iter())
                .filter(|(_, rp)| rp.recipe.in_channel(Channel::Scripts))
                .map(|(m, _)| m.invoke_entry())
                .collect();
            match powershell::invoke_file(plan, &entries, opts) {
                Ok(f) => batch.add(f),
                Err(e) => out.errors.extend(e),
            }
        }
        if let Some(entries) = startup_entries {
            match powershell::invoke_file(plan, entries, &startup_opts) {
                Ok(f) => batch.add(gpo::startup_copy(f)),
                Err(e) => out.errors.extend(e),
            }
        }
        out.put(batch)?;
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
                out.errors.extend(d.iter().map(diagnostic_error))
            }
            Err(d) => out.left_out.push(skipped("reg", &d)),
        }
    }
    let intune_plan = plan.for_channel(Channel::Intune);
    let plan: &crate::plan::Plan = &intune_plan;
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
                Err(e) => out.left_out.push(super::summary::LeftOut {
                    what: "intune/".into(),
                    target: "intune",
                    because: "it cannot be built for this bundle",
                    problems: e.iter().map(|x| x.to_string()).collect(),
                }),
            }
        } else {
            out.left_out.push(super::summary::LeftOut {
                what: "intune/".into(),
                target: "intune",
                because: "Intune scripts take no parameters",
                problems: problems.iter().map(|p| p.to_string()).collect(),
            });
        }
    }
    if out.errors.is_empty() {
        Ok(())
    } else {
        let mut errors = out.errors;
        errors.dedup();
        Err(BuildError::Render(errors))
    }
}

/// Every file and folder the build reads, which `--out` must not replace.
fn read_inputs(args: &BuildArgs) -> Vec<super::out_guard::Input> {
    use super::out_guard::Input;
    let mut v: Vec<Input> = args
        .paths
        .iter()
        .map(|p| Input {
            path: p.clone(),
            what: if p.is_dir() {
                "recipe folder"
            } else if crate::load::is_manifest_path(&p.to_string_lossy()) {
                "bundle file"
            } else {
                "recipe file"
            },
        })
        .collect();
    let s = &args.signing;
    for (p, what) in [
        (&args.values, "--values file"),
        (&s.cert, "--cert file"),
        (&s.key, "--key file"),
        (&s.pfx, "--pfx file"),
        (&s.password_file, "--password-file"),
    ] {
        if let Some(p) = p {
            v.push(Input {
                path: p.clone(),
                what,
            });
        }
    }
    v
}

pub fn run(args: BuildArgs) -> Exit {
    let given = match given_values(&args.set, args.values.as_deref()) {
        Ok(v) => v,
        Err(m) => {
            errln!("error: {m}");
            return Exit::Usage;
        }
    };
    // Progress bar on a terminal once the build has taken a second (hidden otherwise).
    let progress = crate::progress::Progress::new(0, "checking");
    // A non-bundle --out is refused before any work (the writer checks again at the end);
    // --check writes nothing.
    let out_ok = if args.check {
        Ok(())
    } else {
        super::out_guard::check(&args.out, &read_inputs(&args)).and_then(|()| {
            crate::write::check_out(&args.out, args.force).map_err(|e| e.to_string())
        })
    };
    if let Err(e) = out_ok {
        errln!("error: {e}");
        return Exit::Usage;
    }
    // Signing material is loaded and checked (EKU, validity, key matches certificate, password)
    // before anything is rendered: a bad key fails fast and writes nothing.
    let signer = match args.signing.load() {
        Ok(s) => s,
        Err(e) => {
            errln!("error: {e}");
            errln!("nothing written");
            return super::sign::exit_for(&e);
        }
    };
    // Load and validate: a bundle with any error renders nothing.
    let inputs = match super::inputs(&args.paths) {
        Ok(i) => i,
        Err(mut d) => return super::report_usage_errors(&mut d, Format::Human),
    };
    // The given values are checked with the recipes, where their params are used.
    let given = crate::validate::uses::Given {
        allow_embedded_secrets: args.allow_embedded_secrets,
        ..given
    };
    let mut report = crate::validate::check_with(inputs, &given);
    // A secret asked for in gpo/ or module/ by name (issue 15 item 7); `check` does the same.
    let shared =
        super::secrets::shared_target_findings(report.bundle.as_ref(), &given, &args.target);
    if !shared.is_empty() {
        report.diagnostics.extend(shared);
        diag::sort(&mut report.diagnostics);
    }
    let values = given.values;
    if !report.diagnostics.is_empty() {
        crate::term::err_rendered(&diag::render_human(
            &report.diagnostics,
            &report.sources,
            super::stderr_color(),
        ));
    }
    let diagnostics = report.diagnostics.clone();
    let warnings = diag::Summary::of(&diagnostics).warnings;
    if args.deny_warnings && warnings > 0 && !report.has_errors() {
        errln!("nothing written: {warnings} warning(s) and --deny-warnings");
        return Exit::Findings;
    }
    let bundle = match report.into_bundle() {
        Ok(b) => b,
        Err(d) => {
            let errors = d.iter().filter(|x| x.is_error()).count();
            errln!("nothing written: {errors} error(s) in the recipes");
            return Exit::Findings;
        }
    };
    if let Err(n) = super::values::check_undeclared(
        &bundle,
        &values,
        &args.set,
        args.values.as_deref(),
        args.allow_unknown_values,
    ) {
        errln!("nothing written: {n} value(s) for params that no recipe declares");
        return Exit::Findings;
    }
    let plan = match crate::plan::build(&bundle, &values) {
        Ok(p) => p,
        Err(errs) => {
            for e in &errs {
                errln!("error: {e}");
            }
            errln!(
                "nothing written: {} error(s) in the parameter values",
                errs.len()
            );
            return Exit::Findings;
        }
    };
    // The plan holds what rendering needs; the loaded bundle (every recipe's source text and a
    // second copy of every recipe) is freed before the largest files are rendered.
    drop(bundle);
    crate::memory::release();
    let opts = PsOptions {
        allow_embedded_secrets: args.allow_embedded_secrets,
        ..PsOptions::default()
    };
    let review = crate::review::PlanReport::new(&plan, &diagnostics, &values);
    if args.check {
        // Signing options are checked before the build; the build keeps only the hashes.
        if let Err(exit) = super::drift::preflight(&args.out, signer.as_ref(), &args.signing) {
            progress.finish();
            return exit;
        }
    }
    // Files go to a staging folder beside --out as they are finished (or, with --check, are
    // only hashed); a failed build deletes the staging folder and leaves --out untouched.
    let mut staging = None;
    let mut discard = crate::write::Discard;
    let sink: &mut dyn crate::write::Sink = if args.check {
        &mut discard
    } else {
        match crate::write::Staging::begin(
            &args.out,
            crate::write::WriteOptions { force: args.force },
        ) {
            Ok(s) => staging.insert(s),
            Err(e) => {
                errln!("error: {e}");
                return Exit::Usage;
            }
        }
    };
    progress.stage(plan.recipes.len() as u64, "building");
    let mut stream = crate::write::stream::Stream::new(&plan, signer.as_ref(), sink, &|| {});
    let mut left_out = Vec::new();
    let rendered = render_with(
        &plan,
        &args.target,
        &opts,
        &mut |batch| stream.add(batch),
        &|| progress.inc(),
        &mut left_out,
    );
    let finished = rendered.and_then(|()| stream.finish(&review).map_err(BuildError::Finish));
    let finished = match finished {
        Ok(f) => f,
        Err(BuildError::Render(errs)) => {
            progress.suspend(|| {
                print_render_errors(&errs);
                errln!("nothing written: {} error(s)", errs.len());
            });
            return Exit::Findings;
        }
        Err(BuildError::Finish(e)) => {
            progress.suspend(|| {
                errln!("error: {e}");
                errln!("nothing written");
            });
            return super::sign::exit_for(&e);
        }
    };
    progress.suspend(|| {
        for p in crate::render::intune::packages(&plan) {
            if p.run_as == crate::render::intune::RunAs::User
                && finished.rows.contains_key(&p.detect_path())
            {
                errln!(
                    "note: {}/ runs as the signed-in user (runAsAccount user), not SYSTEM",
                    p.folder
                );
            }
        }
    });
    if args.check {
        progress.finish();
        return super::drift::check(&args.out, &finished.rows, &plan);
    }
    if let Some(line) = super::secrets::holding_line(finished.rows.values()) {
        progress.suspend(|| errln!("{line}"));
    }
    if let Some(s) = &signer {
        progress.suspend(|| {
            outln!(
                "signed {} PowerShell files and SHA256SUMS as {} ({})",
                finished.signed,
                s.subject(),
                s.key_description()
            )
        });
    }
    progress.stage(0, "writing");
    let written = match staging {
        Some(s) => s.commit(),
        None => Err(crate::write::WriteError {
            path: args.out.clone(),
            message: "internal error: no staging folder".to_string(),
        }),
    };
    progress.finish();
    match written {
        Ok(crate::write::WriteReport { files: _, notes }) => {
            for note in notes {
                errln!("note: {note}");
            }
            crate::term::out(&super::summary::render(
                crate::sign::manifest::bundle_file_count(finished.rows.keys()),
                &plan,
                &args.out,
                &args.paths,
                &left_out,
            ));
            Exit::Ok
        }
        Err(e) => {
            errln!("error: {e}");
            Exit::Usage
        }
    }
}
