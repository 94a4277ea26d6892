//! `fixgen plan [PATH...] [--set NAME=VALUE] [--values FILE] [--format json]`: what a bundle
//! reads and changes, for review before anything runs. Changes nothing, writes no file.

use crate::term::errln;
use std::path::PathBuf;

use super::exit_codes::ExitCode;
use super::{Exit, Format};
use crate::diag;
use crate::review::{text, PlanReport};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PlanArgs {
    /// Recipe files, bundle folders or bundle.yaml files; none: the embedded L2TP bundle
    pub paths: Vec<PathBuf>,
    /// Parameter value, NAME=VALUE (repeatable; wins over --values). Secret values are never shown.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// YAML file mapping parameter names to values.
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    /// Accept --set/--values names that no recipe declares (ignored with a warning); without
    /// it they are an error.
    #[arg(long)]
    pub allow_unknown_values: bool,
    /// Output format: human (recipes, changes, warnings and params) or json (stable,
    /// `"format": "fixgen-plan/1"`)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub(crate) fn run(args: PlanArgs) -> Exit {
    let given = match super::build::given_values(&args.set, args.values.as_deref()) {
        Ok(v) => v,
        Err(e) => {
            errln!("error: {e}");
            return e.exit();
        }
    };
    let inputs = match crate::pipeline::inputs(&args.paths) {
        Ok(i) => i,
        Err(e) => return super::report_load_error(e, args.format),
    };
    // `plan` never writes a secret (it is masked), so a secret may be given a value here.
    let given = crate::validate::uses::Given {
        allow_embedded_secrets: true,
        ..given
    };
    let report = crate::pipeline::check(inputs, &given, &[]);
    let values = given.values;
    if report.has_errors() {
        match args.format {
            Format::Json => crate::term::out_json(&diag::render_json(&report.diagnostics)),
            Format::Human => {
                crate::term::err_rendered(&diag::render_human(
                    &report.diagnostics,
                    &report.sources,
                    super::stderr_color(),
                ));
                errln!("no plan: fix the errors above first");
            }
        }
        return Exit::Findings;
    }
    let diagnostics = report.diagnostics.clone();
    let bundle = match report.into_bundle() {
        Ok(b) => b,
        Err(e) => {
            crate::term::err_rendered(&diag::render_human(
                e.diagnostics(),
                &[],
                super::stderr_color(),
            ));
            return e.exit();
        }
    };
    if let Err(n) = super::values::check_undeclared(
        &bundle,
        &values,
        &args.set,
        args.values.as_deref(),
        args.allow_unknown_values,
    ) {
        errln!("no plan: {n} value(s) for params that no recipe declares");
        return Exit::Findings;
    }
    let plan = match crate::pipeline::plan(&bundle, &values) {
        Ok(p) => p,
        Err(e) => {
            for p in e.problems() {
                errln!("error: {p}");
            }
            errln!("no plan: {e}");
            return e.exit();
        }
    };
    let r = PlanReport::new(&plan, &diagnostics, &values);
    match args.format {
        Format::Json => crate::term::out_json(&r.to_json()),
        Format::Human => crate::term::out(&text::render(&r)),
    }
    Exit::Ok
}
