//! `fixgen check [PATH...]`: load and validate recipes, print every finding.

use std::path::PathBuf;

use super::{Exit, Format};
use crate::diag;

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Recipe files, bundle folders or bundle.yaml files; none: the embedded L2TP bundle
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with code 1 on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(args: CheckArgs) -> Exit {
    let inputs = match super::inputs(&args.paths) {
        Ok(i) => i,
        Err(mut d) => return super::report_usage_errors(&mut d, args.format),
    };
    let report = crate::validate::check(inputs);
    let summary = diag::Summary::of(&report.diagnostics);
    match args.format {
        Format::Json => print!("{}", diag::render_json(&report.diagnostics)),
        Format::Human => {
            print!(
                "{}",
                diag::render_human(&report.diagnostics, &report.sources, super::stdout_color())
            );
            if summary.errors == 0 {
                if let Some(b) = &report.bundle {
                    println!(
                        "ok: bundle {} {}: {} recipe(s) checked",
                        b.manifest.name,
                        b.manifest.version,
                        b.recipes.len()
                    );
                }
            }
        }
    }
    if summary.errors > 0 || (args.deny_warnings && summary.warnings > 0) {
        Exit::Findings
    } else {
        Exit::Ok
    }
}
