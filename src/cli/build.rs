//! `fixgen build [PATH...] --out DIR [--target ...] [--set K=V] [--values FILE]`

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::diag::Diagnostic;
use crate::plan::{Bundle, ParamValues, SourceFile};
use crate::render::powershell::{self, PsOptions, RenderError};
use crate::render::Artifacts;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};

/// What to render. `all` renders every target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Target {
    All,
    /// scripts/<id>.ps1 and scripts/Invoke-<Bundle>.ps1
    Scripts,
    /// module/<Bundle>/<Bundle>.psm1 and .psd1
    Module,
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
}

fn print_diags(diags: &[Diagnostic]) {
    for d in diags {
        let sev = match d.severity {
            crate::diag::Severity::Error => "error",
            crate::diag::Severity::Warning => "warning",
        };
        let field = if d.field.is_empty() {
            String::new()
        } else {
            format!(" [{}]", d.field)
        };
        eprintln!(
            "{}:{}:{}: {sev}{field}: {}",
            d.file, d.line, d.column, d.message
        );
        if let Some(h) = &d.hint {
            eprintln!("  hint: {h}");
        }
    }
}

/// Read the files of one or more bundle folders / recipe files.
fn read_sources(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    let mut files: BTreeSet<PathBuf> = BTreeSet::new();
    for p in paths {
        if p.is_dir() {
            let rd =
                std::fs::read_dir(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            for entry in rd {
                let entry = entry.map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
                let f = entry.path();
                if f.is_file() && f.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    files.insert(f);
                }
            }
        } else if p.is_file() {
            files.insert(p.clone());
            if let Some(dir) = p.parent() {
                let b = dir.join("bundle.yaml");
                if b.is_file() {
                    files.insert(b);
                }
            }
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    files
        .into_iter()
        .map(|f| {
            std::fs::read_to_string(&f)
                .map(|text| SourceFile {
                    path: f.display().to_string(),
                    text,
                })
                .map_err(|e| format!("{}: cannot read: {e}", f.display()))
        })
        .collect()
}

fn load(paths: &[PathBuf]) -> Result<Bundle, i32> {
    if paths.is_empty() {
        return crate::load::embedded_bundle().map_err(|d| {
            print_diags(&d);
            EXIT_FINDINGS
        });
    }
    let sources = read_sources(paths).map_err(|m| {
        eprintln!("error: {m}");
        EXIT_USAGE
    })?;
    crate::load::parse_bundle(sources).map_err(|d| {
        print_diags(&d);
        EXIT_FINDINGS
    })
}

fn scalar_text(v: &serde_norway::Value) -> Option<String> {
    match v {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `--values` file, then `--set` on top.
fn param_values(args: &BuildArgs) -> Result<ParamValues, String> {
    let mut values = ParamValues::new();
    if let Some(file) = &args.values {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
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
    for s in &args.set {
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
        match powershell::render_scripts(plan, opts) {
            Ok(a) => out.extend(a),
            Err(e) => errors.extend(e),
        }
    }
    if all || targets.contains(&Target::Module) {
        match powershell::render_module(plan, opts) {
            Ok(a) => out.extend(a),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.dedup();
        Err(errors)
    }
}

pub fn run(args: &BuildArgs) -> i32 {
    let values = match param_values(args) {
        Ok(v) => v,
        Err(m) => {
            eprintln!("error: {m}");
            return EXIT_USAGE;
        }
    };
    let bundle = match load(&args.paths) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let declared: BTreeSet<&str> = bundle
        .recipes
        .iter()
        .flat_map(|r| r.recipe.params.keys().map(|k| k.as_str()))
        .collect();
    for k in values.keys() {
        if !declared.contains(k.as_str()) {
            eprintln!(
                "warning: no recipe of bundle `{}` declares param `{k}`; value ignored",
                bundle.manifest.name
            );
        }
    }
    let plan = match crate::plan::build(&bundle, &values) {
        Ok(p) => p,
        Err(errs) => {
            for e in errs {
                eprintln!("error: {e}");
            }
            return EXIT_FINDINGS;
        }
    };
    let opts = PsOptions {
        allow_embedded_secrets: args.allow_embedded_secrets,
        ..PsOptions::default()
    };
    let artifacts = match render(&plan, &args.target, &opts) {
        Ok(a) => a,
        Err(errs) => {
            print_render_errors(&errs);
            eprintln!("nothing written: {} error(s)", errs.len());
            return EXIT_FINDINGS;
        }
    };
    match crate::write::write_bundle(&args.out, &artifacts) {
        Ok(n) => {
            println!(
                "wrote {n} files for bundle {} {} to {}",
                plan.bundle.name,
                plan.bundle.version,
                display_dir(&args.out)
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    }
}

fn display_dir(p: &Path) -> String {
    p.display().to_string()
}
