//! Loading recipes and bundles from files, folders or the embedded L2TP bundle.
//!
//! NOTE: first cut; the span-aware loader (issue 2) replaces `parse_bundle`'s internals and
//! keeps its signature.

use crate::diag::{Diagnostic, Severity};
use crate::model::{BundleManifest, Recipe};
use crate::plan::{Bundle, LoadedRecipe, SourceFile};

/// The L2TP bundle shipped inside the binary: `(file name, text)`, bundle.yaml first.
pub const EMBEDDED_L2TP: &[(&str, &str)] = &[
    (
        "bundle.yaml",
        include_str!("../../recipes/l2tp/bundle.yaml"),
    ),
    (
        "ipsec-services.yaml",
        include_str!("../../recipes/l2tp/ipsec-services.yaml"),
    ),
    (
        "nat-traversal.yaml",
        include_str!("../../recipes/l2tp/nat-traversal.yaml"),
    ),
    (
        "vpn-security.yaml",
        include_str!("../../recipes/l2tp/vpn-security.yaml"),
    ),
    (
        "firewall-ports.yaml",
        include_str!("../../recipes/l2tp/firewall-ports.yaml"),
    ),
    (
        "recreate-connection.yaml",
        include_str!("../../recipes/l2tp/recreate-connection.yaml"),
    ),
    (
        "windows-update.yaml",
        include_str!("../../recipes/l2tp/windows-update.yaml"),
    ),
];

/// The embedded bundle's sources, paths shown as `<embedded>/l2tp/<file>`.
pub fn embedded_sources() -> Vec<SourceFile> {
    EMBEDDED_L2TP
        .iter()
        .map(|(name, text)| SourceFile {
            path: format!("<embedded>/l2tp/{name}"),
            text: (*text).to_string(),
        })
        .collect()
}

fn file_error(path: &str, e: &serde_norway::Error) -> Diagnostic {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    Diagnostic {
        severity: Severity::Error,
        file: path.to_string(),
        line,
        column,
        field: String::new(),
        message: e.to_string(),
        hint: None,
    }
}

/// Parse a bundle: one `bundle.yaml` source and recipe sources, ordered as the manifest says.
pub fn parse_bundle(sources: Vec<SourceFile>) -> Result<Bundle, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut manifest: Option<(BundleManifest, SourceFile)> = None;
    let mut recipes = Vec::new();
    for src in sources {
        if src.path.ends_with("bundle.yaml") {
            match serde_norway::from_str::<BundleManifest>(&src.text) {
                Ok(m) => manifest = Some((m, src)),
                Err(e) => diags.push(file_error(&src.path, &e)),
            }
        } else {
            match serde_norway::from_str::<Recipe>(&src.text) {
                Ok(r) => recipes.push(LoadedRecipe {
                    recipe: r,
                    source: src,
                }),
                Err(e) => diags.push(file_error(&src.path, &e)),
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let Some((manifest, manifest_source)) = manifest else {
        return Err(vec![Diagnostic {
            severity: Severity::Error,
            file: String::new(),
            line: 0,
            column: 0,
            field: String::new(),
            message: "no bundle.yaml".into(),
            hint: None,
        }]);
    };
    let mut ordered = Vec::new();
    for id in &manifest.recipes {
        if let Some(pos) = recipes.iter().position(|r| &r.recipe.id == id) {
            ordered.push(recipes.remove(pos));
        }
    }
    Ok(Bundle {
        manifest,
        manifest_source,
        recipes: ordered,
    })
}

/// The embedded L2TP bundle, parsed.
pub fn embedded_bundle() -> Result<Bundle, Vec<Diagnostic>> {
    parse_bundle(embedded_sources())
}
