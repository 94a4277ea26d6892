//! `fixgen check [PATH...]`: load and validate recipes, print every finding.

use crate::term::{errln, outln};
use std::path::PathBuf;

use super::exit_codes::ExitCode;
use super::{Exit, Format};
use crate::diag;
// Largest `.reg` file read: see `crate::limits`.
use crate::limits::MAX_REG_FILE_BYTES as MAX_REG_BYTES;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CheckArgs {
    /// Recipe files, bundle folders or bundle.yaml files, and .reg files; none: the embedded
    /// L2TP bundle
    pub paths: Vec<PathBuf>,
    /// Output format: human (findings like rustc's, with the source line and a caret) or json
    /// (version 1, see README "Diagnostics")
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with code 1 on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// Parameter value, NAME=VALUE, checked as `build` checks it (repeatable; wins over
    /// --values)
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// YAML file mapping parameter names to values, checked as `build` checks them
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    /// Check as a build with --allow-embedded-secrets would (a secret param may be given a
    /// value)
    #[arg(long)]
    pub allow_embedded_secrets: bool,
    /// Ignore --set/--values names that no recipe declares (with a warning), as the build
    /// option of the same name does; without it they are errors
    #[arg(long)]
    pub allow_unknown_values: bool,
    /// Check for these build targets, as `build --target` would (a secret value is refused
    /// for gpo and module asked for by name)
    #[arg(long, value_enum, value_delimiter = ',', default_value = "all")]
    pub target: Vec<crate::pipeline::Target>,
}

/// `.reg` files are read and checked by [`crate::regfile::check`]; everything else is a recipe
/// path.
fn is_reg_file(p: &std::path::Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("reg"))
}

/// Check `.reg` files: findings and the decoded sources (to show lines), or I/O errors.
fn check_reg_files(
    paths: &[PathBuf],
) -> Result<(Vec<diag::Diagnostic>, Vec<crate::diag::SourceFile>), crate::load::LoadError> {
    let mut diags = Vec::new();
    let mut sources = Vec::new();
    let mut io = Vec::new();
    for p in paths {
        let name = p.display().to_string();
        let bytes = crate::load::open_regular(p).and_then(|f| {
            let len = f.metadata()?.len();
            if len > MAX_REG_BYTES {
                Err(std::io::Error::other(format!(
                    "the file is {len} bytes; .reg files are checked up to {MAX_REG_BYTES} bytes"
                )))
            } else {
                use std::io::Read;
                let mut b = Vec::new();
                f.take(MAX_REG_BYTES).read_to_end(&mut b)?;
                Ok(b)
            }
        });
        match bytes {
            Ok(b) => {
                diags.extend(crate::regfile::check::check(&name, &b));
                sources.push(crate::diag::SourceFile {
                    path: name,
                    text: crate::regfile::read::text(&b),
                });
            }
            Err(e) => io.push(diag::Diagnostic::error(
                "io",
                name.clone(),
                format!("cannot read `{name}`: {e}"),
            )),
        }
    }
    if io.is_empty() {
        Ok((diags, sources))
    } else {
        Err(crate::load::LoadError::Unreadable(io))
    }
}

pub(crate) fn run(args: CheckArgs) -> Exit {
    let mut given = match super::build::given_values(&args.set, args.values.as_deref()) {
        Ok(v) => v,
        Err(e) => {
            errln!("error: {e}");
            return e.exit();
        }
    };
    let (reg_paths, recipe_paths): (Vec<PathBuf>, Vec<PathBuf>) =
        args.paths.iter().cloned().partition(|p| is_reg_file(p));
    let (reg_diags, reg_sources) = match check_reg_files(&reg_paths) {
        Ok(x) => x,
        Err(e) => return super::report_load_error(e, args.format),
    };
    let mut report = if !reg_paths.is_empty() && recipe_paths.is_empty() {
        crate::validate::Report {
            bundle: None,
            diagnostics: Vec::new(),
            sources: Vec::new(),
        }
    } else {
        let inputs = match crate::pipeline::inputs(&recipe_paths) {
            Ok(i) => i,
            Err(e) => return super::report_load_error(e, args.format),
        };
        given.allow_embedded_secrets = args.allow_embedded_secrets;
        // The same validation as `build` (with the findings that depend on the targets).
        let mut r = crate::pipeline::check(inputs, &given, &args.target);
        // What `build` finds only when rendering the targets (issue 16 item 4).
        if let (Some(b), false) = (&r.bundle, r.has_errors()) {
            let opts = crate::render::powershell::PsOptions {
                allow_embedded_secrets: args.allow_embedded_secrets,
                ..Default::default()
            };
            r.diagnostics.extend(crate::pipeline::render_findings(
                b,
                &given.values,
                &args.target,
                &opts,
            ));
        }
        r
    };
    // Values meant for params no recipe declares: `build` refuses them, so `check` does too.
    let unknown_values = match &report.bundle {
        Some(b) => super::values::check_undeclared(
            b,
            &given.values,
            &args.set,
            args.values.as_deref(),
            args.allow_unknown_values,
        )
        .err()
        .unwrap_or(0),
        None => 0,
    };
    report.diagnostics.extend(reg_diags);
    report.sources.extend(reg_sources);
    diag::sort(&mut report.diagnostics);
    let summary = diag::Summary::of(&report.diagnostics);
    match args.format {
        Format::Json => crate::term::out_json(&diag::render_json(&report.diagnostics)),
        Format::Human => {
            crate::term::out_rendered(&diag::render_human(
                &report.diagnostics,
                &report.sources,
                super::stdout_color(),
            ));
            if summary.errors == 0 && unknown_values == 0 {
                for p in &reg_paths {
                    outln!("ok: {}: registry file checked", p.display());
                }
                if let Some(b) = &report.bundle {
                    outln!(
                        "ok: bundle {} {}: {} recipe(s) checked",
                        b.manifest.name,
                        b.manifest.version,
                        b.recipes.len()
                    );
                }
            }
        }
    }
    if summary.errors > 0 || unknown_values > 0 || (args.deny_warnings && summary.warnings > 0) {
        Exit::Findings
    } else {
        Exit::Ok
    }
}
