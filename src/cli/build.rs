//! `fixgen build [PATH...] --out DIR [--target ...] [--set K=V] [--values FILE]`

use crate::term::{errln, outln};
use std::path::PathBuf;

use clap::Args;

use super::exit_codes::ExitCode;
use super::{Exit, Format};
use crate::diag;
use crate::pipeline::{BuildError, Dest, Done, Stop, Target};
use crate::plan::ParamValues;
use crate::validate::uses::Given;

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
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

/// The `--values` file and `--set` values, with where each was given (the values file's line
/// and column, or the `--set` flag), so the validator locates its findings about them.
pub(crate) fn given_values(
    set: &[String],
    values_file: Option<&std::path::Path>,
) -> Result<crate::validate::uses::Given, super::exit_codes::UsageError> {
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
            return Err(format!("--set {s:?}: the name is empty").into());
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

/// The render stage's findings, shown as `check` shows the validator's: with the recipes'
/// source lines (read again: the build frees them before rendering) and the summary line.
fn print_render_errors(paths: &[PathBuf], errors: &[diag::Diagnostic]) {
    let sources = crate::pipeline::inputs(paths)
        .map(|i| i.sources)
        .unwrap_or_default();
    crate::term::err_rendered(&diag::render_human(errors, &sources, super::stderr_color()));
    errln!("nothing written: {} error(s)", errors.len());
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

/// Prints what the build reports as it goes (the validator's findings, undeclared values) and
/// moves the progress bar.
struct Printer<'a> {
    args: &'a BuildArgs,
    progress: &'a crate::progress::Progress,
}

impl crate::pipeline::Observer for Printer<'_> {
    fn findings(&mut self, report: &crate::validate::Report) {
        if !report.diagnostics.is_empty() {
            self.progress.suspend(|| {
                crate::term::err_rendered(&diag::render_human(
                    &report.diagnostics,
                    &report.sources,
                    super::stderr_color(),
                ))
            });
        }
    }

    fn undeclared(&mut self, bundle: &crate::load::Bundle, names: &[&str], allowed: bool) {
        let a = self.args;
        self.progress.suspend(|| {
            super::values::report_undeclared(bundle, names, &a.set, a.values.as_deref(), allowed)
        });
    }

    fn rendering(&mut self, recipes: usize) {
        self.progress.stage(recipes as u64, "building");
    }

    fn recipe_done(&self) {
        self.progress.inc();
    }

    fn writing(&mut self) {
        self.progress.stage(0, "writing");
    }
}

/// Arguments, `--out` and signing material, checked before any work; each failure is printed
/// here and returned as its exit code.
fn prepare(args: &BuildArgs) -> Result<(Given, Option<crate::sign::Signer>), Exit> {
    let given = given_values(&args.set, args.values.as_deref()).map_err(|e| {
        errln!("error: {e}");
        e.exit()
    })?;
    // A non-bundle --out is refused before any work (the writer checks again at the end);
    // --check writes nothing.
    let out_ok = if args.check {
        Ok(())
    } else {
        super::out_guard::check(&args.out, &read_inputs(args))
            .map_err(|e| (e.to_string(), e.exit()))
            .and_then(|()| {
                crate::write::check_out(&args.out, args.force)
                    .map_err(|e| (e.to_string(), e.exit()))
            })
    };
    if let Err((message, exit)) = out_ok {
        errln!("error: {message}");
        return Err(exit);
    }
    // Signing material is loaded and checked (EKU, validity, key matches certificate, password)
    // before anything is rendered: a bad key fails fast and writes nothing.
    let signer = args.signing.load().map_err(|e| {
        errln!("error: {e}");
        errln!("nothing written");
        e.exit()
    })?;
    if args.check {
        // --check compares signed files only when their signatures are deterministic.
        super::drift::preflight(&args.out, signer.as_ref(), &args.signing)?;
    }
    // The given values are checked with the recipes, where their params are used.
    let given = Given {
        allow_embedded_secrets: args.allow_embedded_secrets,
        ..given
    };
    Ok((given, signer))
}

/// Why the build stopped, printed; its exit code.
fn stopped(args: &BuildArgs, stop: &Stop) -> Exit {
    match stop {
        Stop::Load(e) => return super::report_load_error(e.clone(), Format::Human),
        Stop::Plan(e) => {
            for p in e.problems() {
                errln!("error: {p}");
            }
            errln!("nothing written: {e}");
        }
        Stop::Build(BuildError::Render(errs)) => print_render_errors(&args.paths, errs),
        Stop::Build(BuildError::Finish(f)) => {
            errln!("error: {f}");
            errln!("nothing written");
        }
        Stop::Build(BuildError::Write(w)) => errln!("error: {w}"),
        Stop::Invalid(_) | Stop::Warnings(_) | Stop::Undeclared(_) => {
            errln!("nothing written: {stop}")
        }
    }
    stop.exit()
}

pub(crate) fn run(args: BuildArgs) -> Exit {
    // Progress bar on a terminal once the build has taken a second (hidden otherwise).
    let progress = crate::progress::Progress::new(0, "checking");
    let (given, signer) = match prepare(&args) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    // Files go to a staging folder beside --out as they are finished (or, with --check, are
    // only hashed); a failed build deletes the staging folder and leaves --out untouched.
    let request = crate::pipeline::Request {
        paths: &args.paths,
        given,
        targets: &args.target,
        signer: signer.as_ref(),
        deny_warnings: args.deny_warnings,
        allow_unknown_values: args.allow_unknown_values,
        dest: if args.check {
            Dest::Nowhere
        } else {
            Dest::Folder {
                out: &args.out,
                force: args.force,
            }
        },
    };
    let mut printer = Printer {
        args: &args,
        progress: &progress,
    };
    match crate::pipeline::build(request, &mut printer) {
        Ok(done) => {
            progress.finish();
            report(&args, signer.as_ref(), done)
        }
        Err(stop) => {
            progress.finish();
            stopped(&args, &stop)
        }
    }
}

/// After a build that succeeded: notes, `--check`'s comparison, or the summary of the folder
/// written.
fn report(args: &BuildArgs, signer: Option<&crate::sign::Signer>, done: Done) -> Exit {
    let finished = &done.built.finished;
    for pkg in crate::render::intune::packages(&done.plan) {
        if pkg.run_as == crate::render::intune::RunAs::User
            && finished.rows.contains_key(&pkg.detect_path())
        {
            errln!(
                "note: {}/ runs as the signed-in user (runAsAccount user), not SYSTEM",
                pkg.folder
            );
        }
    }
    let Some(written) = done.written else {
        return super::drift::check(&args.out, &finished.rows, &done.plan);
    };
    if let Some(line) = super::secrets::holding_line(finished.rows.values()) {
        errln!("{line}");
    }
    if let Some(s) = signer {
        outln!(
            "signed {} PowerShell files and SHA256SUMS as {} ({})",
            finished.signed,
            s.subject(),
            s.key_description()
        );
    }
    for note in written.notes {
        errln!("note: {note}");
    }
    crate::term::out(&super::summary::render(
        crate::sign::manifest::bundle_file_count(finished.rows.keys()),
        &done.plan,
        &args.out,
        &args.paths,
        &done.built.left_out,
    ));
    Exit::Ok
}
