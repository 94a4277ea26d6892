//! `fixgen build [PATH...] --out DIR [--target ...] [--set K=V] [--values FILE]`

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
    /// Write nothing: build in memory and compare with the folder --out; exit 1 listing
    /// added, removed and changed files, 0 when identical (see README "Drift check").
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
    let f =
        std::fs::File::open(file).map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
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
    let mut values = ParamValues::new();
    if let Some(file) = values_file {
        let text = read_values_file(file)?;
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
    }
    Ok(values)
}

fn print_render_errors(errors: &[RenderError]) {
    for e in errors {
        eprintln!("error: {e}");
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

/// Warn that `--target all` left a target out, and why.
fn skipped(target: &str, diags: &[diag::Diagnostic]) {
    eprintln!("warning: target `{target}` left out: it cannot be built with these values:");
    for d in diags {
        eprintln!("  {}", diagnostic_error(d).message);
    }
    eprintln!("  (ask for it with --target {target} to make this an error)");
}

/// Render the requested targets into memory.
pub fn render(
    plan: &crate::plan::Plan,
    targets: &[Target],
    opts: &PsOptions,
) -> Result<Artifacts, Vec<RenderError>> {
    let all = targets.contains(&Target::All);
    let mut out = Artifacts::default();
    let mut errors = Vec::new();
    if all || targets.contains(&Target::Scripts) {
        match powershell::render_scripts(plan, opts)
            .and_then(|a| crate::render::undo::render_undo_scripts(plan, opts).map(|u| (a, u)))
        {
            Ok((a, u)) => {
                out.extend(a);
                out.extend(u);
            }
            Err(e) => errors.extend(e),
        }
    }
    if all || targets.contains(&Target::Module) {
        match powershell::render_module(plan, opts) {
            Ok(a) => out.extend(a),
            Err(e) => errors.extend(e),
        }
    }
    // Targets that cannot take parameters: asked for by name, a problem is an error; under
    // `all`, the target is left out as a whole (never half-written) with a warning.
    if all || targets.contains(&Target::Reg) {
        match crate::render::reg::render(plan) {
            Ok(a) => out.extend(a),
            Err(d) if targets.contains(&Target::Reg) => {
                errors.extend(d.iter().map(diagnostic_error))
            }
            Err(d) => skipped("reg", &d),
        }
    }
    if targets.contains(&Target::Intune) {
        match crate::render::intune::render_intune(plan, opts.allow_embedded_secrets) {
            Ok(a) => out.extend(a),
            Err(e) => errors.extend(e),
        }
    } else if all {
        // Intune scripts take no parameters: under `all` the target is built only when every
        // param has a value (and secrets may be embedded); otherwise say why it was left out.
        let problems = crate::render::intune::param_problems(plan, opts.allow_embedded_secrets);
        if problems.is_empty() {
            match crate::render::intune::render_intune(plan, opts.allow_embedded_secrets) {
                Ok(a) => out.extend(a),
                Err(e) => errors.extend(e),
            }
        } else {
            eprintln!(
                "note: target `intune` left out: Intune scripts take no parameters, so every param needs a value at build time:"
            );
            for p in &problems {
                eprintln!("  {p}");
            }
            eprintln!("  (ask for it with --target intune to make this an error)");
        }
    }
    if all || targets.contains(&Target::Gpo) {
        let explicit = targets.contains(&Target::Gpo);
        match crate::render::gpo::GpoOptions::from_env() {
            Err(m) => errors.push(RenderError {
                recipe: String::new(),
                message: m,
            }),
            Ok(gpo_opts) => {
                // A startup script runs without parameters: every param needs a value.
                let ps_opts = PsOptions {
                    allow_open_params: false,
                    ..*opts
                };
                let scripts = powershell::render_scripts(plan, &ps_opts);
                let why = match &scripts {
                    Ok(_) => String::new(),
                    Err(e) => e
                        .iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                };
                let startup = match &scripts {
                    Ok(a) => crate::render::gpo::StartupScripts::Scripts(a),
                    Err(_) => crate::render::gpo::StartupScripts::Unavailable(&why),
                };
                match crate::render::gpo::render(plan, startup, &gpo_opts) {
                    Ok(a) => {
                        if scripts.is_err() {
                            eprintln!(
                                "warning: gpo/ has no startup script (see gpo/README.md): {why}"
                            );
                        }
                        out.extend(a)
                    }
                    Err(d) if explicit => errors.extend(d.iter().map(diagnostic_error)),
                    Err(d) => skipped("gpo", &d),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.dedup();
        Err(errors)
    }
}

pub fn run(args: BuildArgs) -> Exit {
    let values = match param_values(&args.set, args.values.as_deref()) {
        Ok(v) => v,
        Err(m) => {
            eprintln!("error: {m}");
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
        crate::write::check_out(&args.out, args.force)
    };
    if let Err(e) = out_ok {
        eprintln!("error: {e}");
        return Exit::Usage;
    }
    // Signing material is loaded and checked (EKU, validity, key matches certificate, password)
    // before anything is rendered: a bad key fails fast and writes nothing.
    let signer = match args.signing.load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("nothing written");
            return super::sign::exit_for(&e);
        }
    };
    // Load and validate: a bundle with any error renders nothing.
    let inputs = match super::inputs(&args.paths) {
        Ok(i) => i,
        Err(mut d) => return super::report_usage_errors(&mut d, Format::Human),
    };
    let report = crate::validate::check(inputs);
    if !report.diagnostics.is_empty() {
        eprint!(
            "{}",
            diag::render_human(&report.diagnostics, &report.sources, super::stderr_color())
        );
    }
    let diagnostics = report.diagnostics.clone();
    let bundle = match report.into_bundle() {
        Ok(b) => b,
        Err(d) => {
            let errors = d.iter().filter(|x| x.is_error()).count();
            eprintln!("nothing written: {errors} error(s) in the recipes");
            return Exit::Findings;
        }
    };
    super::warn_undeclared_values(&bundle, &values);
    let plan = match crate::plan::build(&bundle, &values) {
        Ok(p) => p,
        Err(errs) => {
            for e in &errs {
                eprintln!("error: {e}");
            }
            eprintln!(
                "nothing written: {} error(s) in the parameter values",
                errs.len()
            );
            return Exit::Findings;
        }
    };
    let opts = PsOptions {
        allow_embedded_secrets: args.allow_embedded_secrets,
        ..PsOptions::default()
    };
    let mut artifacts = match render(&plan, &args.target, &opts) {
        Ok(a) => a,
        Err(errs) => {
            print_render_errors(&errs);
            eprintln!("nothing written: {} error(s)", errs.len());
            return Exit::Findings;
        }
    };
    for p in crate::render::intune::packages(&plan) {
        if p.run_as == crate::render::intune::RunAs::User
            && artifacts.files.contains_key(&p.detect_path())
        {
            eprintln!(
                "note: {}/ runs as the signed-in user (runAsAccount user), not SYSTEM",
                p.folder
            );
        }
    }
    // Sign, REVIEW.md (lists the signed bytes), then the manifest stage (lists REVIEW.md).
    let review = crate::review::PlanReport::new(&plan, &diagnostics, &values);
    if args.check {
        progress.finish();
        return super::drift::check(
            &args.out,
            &artifacts,
            &plan,
            &review,
            signer.as_ref(),
            &args.signing,
        );
    }
    if signer.is_some() {
        progress.stage(
            artifacts
                .files
                .values()
                .filter(|f| f.is_powershell())
                .count() as u64,
            "signing",
        );
    }
    let signed = match crate::review::finish_bundle_with(
        &mut artifacts,
        &plan,
        &review,
        signer.as_ref(),
        &|| progress.inc(),
    ) {
        Ok(n) => n,
        Err(e) => {
            progress.suspend(|| {
                eprintln!("error: {e}");
                eprintln!("nothing written");
            });
            return super::sign::exit_for(&e);
        }
    };
    progress.suspend(|| {
        for f in artifacts.files.values().filter(|f| f.holds_secret) {
            eprintln!(
                "warning: {} holds a secret baked in with --allow-embedded-secrets; protect it like the secret itself",
                f.path
            );
        }
    });
    if let Some(s) = &signer {
        progress.suspend(|| {
            println!(
                "signed {signed} PowerShell files and SHA256SUMS as {} ({})",
                s.subject(),
                s.key_description()
            )
        });
    }
    progress.stage(artifacts.files.len() as u64, "writing");
    let written = crate::write::write_bundle_with(
        &args.out,
        &artifacts,
        crate::write::WriteOptions { force: args.force },
        &mut |n| progress.set(n as u64),
    );
    progress.finish();
    match written {
        Ok(crate::write::WriteReport { files: n, notes }) => {
            for note in notes {
                eprintln!("note: {note}");
            }
            println!(
                "wrote {n} files for bundle {} {} to {}",
                plan.bundle.name,
                plan.bundle.version,
                args.out.display()
            );
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Usage
        }
    }
}
