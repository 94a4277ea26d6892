//! `fixgen list [PATH...]`: the recipes of a bundle in run order.

use crate::term::outln;
use std::path::PathBuf;

use serde::Serialize;

use super::{Exit, Format};
use crate::diag;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ListArgs {
    /// Recipe files, bundle folders or bundle.yaml files; none: the embedded L2TP bundle
    pub paths: Vec<PathBuf>,
    /// Output format: human (one line per recipe in run order) or json (bundle, version, title
    /// and every recipe's id, title, context, reboot, steps and params)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    title: &'a str,
    context: &'a str,
    reboot: &'a str,
    steps: Vec<&'static str>,
    params: Vec<&'a str>,
}

#[derive(Serialize)]
struct Listing<'a> {
    bundle: &'a str,
    version: &'a str,
    title: &'a str,
    recipes: Vec<Row<'a>>,
}

pub(crate) fn run(args: ListArgs) -> Exit {
    let inputs = match crate::pipeline::inputs(&args.paths) {
        Ok(i) => i,
        Err(e) => return super::report_load_error(e, args.format),
    };
    let report = crate::pipeline::check(inputs, &Default::default(), &[]);
    let Some(bundle) = report.bundle.as_ref().filter(|_| !report.has_errors()) else {
        match args.format {
            Format::Json => crate::term::out_json(&diag::render_json(&report.diagnostics)),
            Format::Human => crate::term::err_rendered(&diag::render_human(
                &report.diagnostics,
                &report.sources,
                super::stderr_color(),
            )),
        }
        return Exit::Findings;
    };
    // Warnings (files of the folder that were skipped, ...) on stderr; the listing is on stdout.
    let warnings: Vec<diag::Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == diag::Severity::Warning)
        .cloned()
        .collect();
    if !warnings.is_empty() {
        crate::term::err_rendered(&diag::render_human(
            &warnings,
            &report.sources,
            super::stderr_color(),
        ));
    }
    let rows: Vec<Row<'_>> = bundle
        .recipes
        .iter()
        .map(|lr| {
            let r = &lr.recipe;
            Row {
                id: &r.id,
                title: &r.title,
                context: match r.context {
                    crate::model::Context::System => "system",
                    crate::model::Context::User => "user",
                },
                reboot: match r.reboot {
                    crate::model::Reboot::None => "none",
                    crate::model::Reboot::Recommended => "recommended",
                    crate::model::Reboot::Required => "required",
                },
                steps: r.steps.iter().map(|s| s.kind()).collect(),
                params: r.params.keys().map(String::as_str).collect(),
            }
        })
        .collect();
    match args.format {
        Format::Json => {
            let l = Listing {
                bundle: &bundle.manifest.name,
                version: &bundle.manifest.version,
                title: &bundle.manifest.title,
                recipes: rows,
            };
            crate::term::out_json(&format!(
                "{}\n",
                serde_json::to_string_pretty(&l).unwrap_or_default()
            ));
        }
        Format::Human => {
            outln!(
                "{} {}: {}",
                bundle.manifest.name,
                bundle.manifest.version,
                bundle.manifest.title
            );
            let w = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in &rows {
                let reboot = if r.reboot == "none" {
                    String::new()
                } else {
                    format!(" [reboot {}]", r.reboot)
                };
                outln!("  {:w$}  {}{}", r.id, r.title, reboot, w = w);
            }
        }
    }
    Exit::Ok
}
