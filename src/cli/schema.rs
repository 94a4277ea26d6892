//! `fixgen schema [recipe|bundle] [--out DIR]`: JSON Schema generated from the Rust types.
//!
//! The committed files `schema/recipe.schema.json` and `schema/bundle.schema.json` are this
//! command's output (a test keeps them equal); recipes reference them on their first line:
//! `# yaml-language-server: $schema=../../schema/recipe.schema.json`.

use super::exit_codes::ExitCode;
use crate::term::{errln, outln};
use std::path::PathBuf;

use super::Exit;
use crate::model::{BundleManifest, Recipe};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SchemaKind {
    /// a recipe file (`<id>.yaml`)
    Recipe,
    /// a bundle manifest (`bundle.yaml`)
    Bundle,
}

impl SchemaKind {
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Recipe => "recipe.schema.json",
            SchemaKind::Bundle => "bundle.schema.json",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SchemaArgs {
    /// Which schema to print; with --out and no kind, both are written
    #[arg(value_enum)]
    pub kind: Option<SchemaKind>,
    /// Write `recipe.schema.json` and/or `bundle.schema.json` into this folder instead of
    /// printing
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// The schema as pretty JSON ending in a newline.
pub(crate) fn render(kind: SchemaKind) -> String {
    let schema = match kind {
        SchemaKind::Recipe => schemars::schema_for!(Recipe),
        SchemaKind::Bundle => schemars::schema_for!(BundleManifest),
    };
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

pub(crate) fn run(args: SchemaArgs) -> Exit {
    let Some(dir) = args.out else {
        crate::term::out(&render(args.kind.unwrap_or(SchemaKind::Recipe)));
        return Exit::Ok;
    };
    let kinds = match args.kind {
        Some(k) => vec![k],
        None => vec![SchemaKind::Recipe, SchemaKind::Bundle],
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        errln!("error: cannot create `{}`: {e}", dir.display());
        return e.exit();
    }
    for k in kinds {
        let p = dir.join(k.file_name());
        if let Err(e) = std::fs::write(&p, render(k)) {
            errln!("error: cannot write `{}`: {e}", p.display());
            return e.exit();
        }
        outln!("wrote {}", p.display());
    }
    Exit::Ok
}
