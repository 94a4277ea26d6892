//! The validator: every rule over typed recipes and the bundle, collecting every finding with
//! its location. Nothing is planned or rendered from input with an error.
//!
//! Entry points: [`check`] (inputs -> [`Report`] with all findings and, when there is no error,
//! the bundle), [`validate_recipe`] and [`validate_bundle`]. Pure helpers for reuse (the .reg
//! reader) live in [`registry`], [`ports`] and [`names`].

pub(crate) mod cross;
pub(crate) mod names;
pub(crate) mod ports;
pub(crate) mod uses;
pub(crate) mod windows;

mod param_use;
mod recipe;
mod writes;
/// The rules of each step kind, one file per kind: `src/kinds/<kind>/validate.rs`.
#[path = "../kinds"]
mod kinds {
    #[path = "firewall/validate.rs"]
    pub(super) mod firewall;
    #[path = "registry/validate.rs"]
    pub(super) mod registry;
    #[path = "service/validate.rs"]
    pub(super) mod service;
    #[path = "vpn/validate.rs"]
    pub(super) mod vpn;
    #[path = "windows_update/validate.rs"]
    pub(super) mod windows_update;
}

/// What the steps of one recipe share while each is checked by its kind's `check`.
#[derive(Default)]
struct Steps {
    /// The params the steps use (a declared param no step uses is an error).
    used: BTreeSet<String>,
    /// The recipe's firewall rule ids so far (lower case) and where each is.
    fw_ids: BTreeMap<String, String>,
}

use param_use::{val_use, Want};

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::SourceFile;
use crate::diag::{self, Diagnostic, Severity};
use crate::load::{self, Inputs, Parsed, SpanIndex};
use crate::load::{Bundle, LoadedRecipe};
use crate::model::{
    BundleManifest, Context, Ensure, ParamType, ParamValue, Protocol, Recipe, RegValue,
    ServiceState, Startup, Step, Tunnel, Val,
};
use crate::registry::rules as registry;
use crate::registry::{Hive, RegPath};
use registry::{Finding, RegData};

/// Size limits (defined with every other input limit in `crate::limits`).
pub(crate) use crate::limits::{
    MAX_DISPLAY_NAME, MAX_PARAMS, MAX_RECIPES, MAX_REG_TEXT, MAX_STEPS, MAX_TEXT, MAX_TITLE,
};

/// Everything a check found, plus the bundle when there is no error.
#[derive(Debug, Clone)]
pub struct Report {
    pub bundle: Option<Bundle>,
    /// Sorted; errors, warnings and infos.
    pub diagnostics: Vec<Diagnostic>,
    /// All sources read (for showing source lines), including rejected ones.
    pub sources: Vec<SourceFile>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The bundle, or every diagnostic when there is an error.
    pub fn into_bundle(self) -> Result<Bundle, ValidateError> {
        match self.bundle {
            Some(b) if !self.diagnostics.iter().any(Diagnostic::is_error) => Ok(b),
            _ => Err(ValidateError::Invalid(self.diagnostics)),
        }
    }
}

/// Why validation stopped: the validate stage's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidateError {
    /// The recipes or the bundle have errors: every finding (errors, warnings, infos), located.
    #[error("{} error(s) in the recipes", .0.iter().filter(|d| d.is_error()).count())]
    Invalid(Vec<Diagnostic>),
}

impl ValidateError {
    /// Every finding, to print.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ValidateError::Invalid(d) => d,
        }
    }
}

/// Parse and validate `inputs`.
pub fn check(inputs: Inputs) -> Report {
    check_with(inputs, &uses::Given::default())
}

/// Parse and validate `inputs` with the values given at build time (`--set`, `--values`):
/// each is checked as a literal in its place would be, and findings about it point at where
/// it was given.
pub(crate) fn check_with(inputs: Inputs, given: &uses::Given) -> Report {
    let parsed = load::parse(&inputs.sources);
    let mut diagnostics = inputs.diagnostics;
    diagnostics.extend(parsed.diagnostics.iter().cloned());
    for r in &parsed.recipes {
        diagnostics.extend(validate_recipe_with(r, given));
    }
    for (r, touched) in &parsed.partial {
        diagnostics.extend(
            validate_recipe_with(r, given)
                .into_iter()
                .filter(|d| !affected(d, touched)),
        );
    }
    diagnostics.extend(validate_bundle_parts(&parsed));
    let all = parsed
        .recipes
        .iter()
        .chain(parsed.partial.iter().map(|(r, _)| r));
    diagnostics.extend(secret_findings(all.map(|r| &r.recipe), given));
    diag::sort(&mut diagnostics);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    let bundle = if failed || !inputs.rejected.is_empty() || !parsed.failed.is_empty() {
        None
    } else {
        assemble(parsed.clone(), inputs.folder_name.as_deref())
    };
    let mut sources = inputs.sources;
    sources.extend(inputs.rejected);
    Report {
        bundle,
        diagnostics,
        sources,
    }
}

/// Secret params given a value without `--allow-embedded-secrets`: one finding per param, at
/// the `--set`/`--values` entry, naming every recipe whose steps use it (the generated scripts
/// take a secret as a [SecureString] parameter at run time; a value would be baked in).
fn secret_findings<'a>(
    recipes: impl Iterator<Item = &'a crate::model::Recipe>,
    given: &uses::Given,
) -> Vec<Diagnostic> {
    if given.allow_embedded_secrets {
        return Vec::new();
    }
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in recipes {
        let used = crate::model::used_params(&r.steps);
        for (name, p) in &r.params {
            if p.secret && given.values.contains_key(name) && used.contains(name) {
                users.entry(name).or_default().push(&r.id);
            }
        }
    }
    users
        .into_iter()
        .map(|(name, ids)| {
            let o = given.origins.get(name).cloned().unwrap_or(uses::Origin {
                file: format!("--set {name}"),
                line: 0,
                column: 0,
                field: name.to_string(),
            });
            let list = ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
            Diagnostic::new(
                Severity::Error,
                "secret-embedded",
                o.file,
                format!("secret param `{name}` was given a value (used by recipe {list}); the generated scripts take it as a [SecureString] parameter at run time, so the value would be baked into the files"),
            )
            .at(o.line, o.column)
            .with_field(o.field)
            .with_hint("leave it unset (scripts ask for it at run time), or pass --allow-embedded-secrets to bake it into the files (Intune needs that)".to_string())
        })
        .collect()
}

/// A finding on a part of a recipe that was replaced after a load error.
fn affected(d: &Diagnostic, touched: &[String]) -> bool {
    touched.iter().any(|t| {
        let on_path = t.is_empty()
            || d.field == *t
            || d.field.starts_with(&format!("{t}."))
            || d.field.starts_with(&format!("{t}["));
        let about_param = t
            .strip_prefix("params.")
            .is_some_and(|name| d.message.contains(&format!("`{name}`")));
        on_path || about_param
    })
}

/// Order recipes as the manifest says, or synthesize a manifest for an implicit bundle.
fn assemble(parsed: Parsed, folder: Option<&str>) -> Option<Bundle> {
    let mut recipes = parsed.recipes;
    if recipes.is_empty() {
        return None;
    }
    match parsed.manifest {
        Some((manifest, manifest_source, manifest_index)) => {
            // Positions by id (first file first when two share an id), so ordering is linear.
            let mut at: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, r) in recipes.iter().enumerate().rev() {
                at.entry(r.recipe.id.clone()).or_default().push(i);
            }
            let mut slots: Vec<Option<_>> = recipes.into_iter().map(Some).collect();
            let mut ordered = Vec::new();
            for id in &manifest.recipes {
                let pos = at.get_mut(id.as_str())?.pop()?;
                ordered.push(slots[pos].take()?);
            }
            Some(Bundle {
                manifest,
                manifest_source,
                manifest_index,
                recipes: ordered,
            })
        }
        None if !parsed.has_manifest => {
            recipes.sort_by(|a, b| a.source.path.cmp(&b.source.path));
            let name = folder.map(pascal_from).unwrap_or_default();
            let name = if names::check_pascal_noun(&name).is_ok()
                && !windows::is_reserved_device_name(&name)
                && !cross::bundle_exports(&name)
                    .iter()
                    .any(|e| windows::is_builtin_cmdlet(e))
            {
                name
            } else {
                "Recipes".to_string()
            };
            let manifest = BundleManifest {
                name: name.clone(),
                title: name,
                version: "0.0.0".into(),
                description: "Recipes checked without a bundle.yaml (implicit bundle).".into(),
                publisher: "fixgen".into(),
                source: None,
                recipes: recipes.iter().map(|r| r.recipe.id.clone()).collect(),
            };
            Some(Bundle {
                manifest,
                manifest_source: SourceFile {
                    path: "<implicit bundle.yaml>".into(),
                    text: String::new(),
                },
                manifest_index: Default::default(),
                recipes,
            })
        }
        None => None,
    }
}

/// `my-fixes_2` -> `MyFixes2`; leading digits are dropped (`2fast` -> `Fast`).
fn pascal_from(s: &str) -> String {
    let joined: String = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    let rest = joined.trim_start_matches(|c: char| c.is_ascii_digit());
    let mut c = rest.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Locates findings in one source file.
struct Ctx<'a> {
    file: &'a str,
    index: &'a SpanIndex,
    out: Vec<Diagnostic>,
    /// Values given at build time, checked where their params are used.
    given: &'a uses::Given,
}

static NO_VALUES: std::sync::LazyLock<uses::Given> = std::sync::LazyLock::new(uses::Given::default);

impl<'a> Ctx<'a> {
    /// Findings in `src`, located with its index (read once, by the loader).
    fn new(src: &'a SourceFile, index: &'a SpanIndex) -> Self {
        Ctx {
            file: &src.path,
            index,
            out: Vec::new(),
            given: &NO_VALUES,
        }
    }

    /// A problem of a literal at `field`.
    fn problem(&mut self, field: &str, p: uses::Problem) {
        self.err(p.code, field, p.message);
    }

    /// A problem of the value given for param `name` with `--set` or `--values`, located
    /// where it was given.
    fn at_origin(&mut self, code: &str, name: &str, message: String, hint: String) {
        let o = self
            .given
            .origins
            .get(name)
            .cloned()
            .unwrap_or(uses::Origin {
                file: format!("--set {name}"),
                line: 0,
                column: 0,
                field: name.to_string(),
            });
        self.out.push(
            Diagnostic::new(Severity::Error, code, o.file, message)
                .at(o.line, o.column)
                .with_field(o.field)
                .with_hint(hint),
        );
    }

    /// Report at the value of `field`.
    fn push(&mut self, sev: Severity, code: &str, field: &str, msg: String, hint: Option<&str>) {
        let pos = self.index.value_pos(field);
        self.push_at(sev, code, field, pos, msg, hint);
    }

    /// Report at the key of `field` (for "this entry" findings).
    fn push_key(
        &mut self,
        sev: Severity,
        code: &str,
        field: &str,
        msg: String,
        hint: Option<&str>,
    ) {
        let pos = self.index.key_pos(field);
        self.push_at(sev, code, field, pos, msg, hint);
    }

    fn push_at(
        &mut self,
        sev: Severity,
        code: &str,
        field: &str,
        pos: load::Pos,
        msg: String,
        hint: Option<&str>,
    ) {
        let mut d = Diagnostic::new(sev, code, self.file, msg)
            .at(pos.line, pos.column)
            .with_field(field);
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        self.out.push(d);
    }

    fn err(&mut self, code: &str, field: &str, msg: String) {
        self.push(Severity::Error, code, field, msg, None);
    }

    fn finding(&mut self, f: Finding) {
        let pos = self.index.value_pos(&f.field);
        self.push_at(
            f.severity,
            f.code,
            &f.field,
            pos,
            f.message,
            f.hint.as_deref(),
        );
    }
}

/// File stem of a shown path: `recipes/l2tp/nat-traversal.yaml` -> `nat-traversal`.
pub(crate) fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name)
}

/// Check one recipe (already deserialized). Findings are located in its source.
#[cfg(test)]
fn validate_recipe(lr: &LoadedRecipe) -> Vec<Diagnostic> {
    validate_recipe_with(lr, &NO_VALUES)
}

/// [`validate_recipe`] with the values given at build time.
fn validate_recipe_with(lr: &LoadedRecipe, given: &uses::Given) -> Vec<Diagnostic> {
    let r = &lr.recipe;
    let mut cx = Ctx::new(&lr.source, &lr.index);
    cx.given = given;
    recipe::metadata(&mut cx, lr);
    recipe::texts(&mut cx, r);
    recipe::params(&mut cx, r);
    recipe::given_values(&mut cx, r);

    // Steps.
    let mut steps = Steps::default();
    for (i, step) in r.steps.iter().enumerate() {
        let base = format!("steps[{i}].{}", step.kind());
        crate::model::step_kind_dispatch!(step, s => kinds::KIND::check(&mut cx, r, &base, s, &mut steps));
    }
    let used = steps.used;

    // Params declared but not used.
    for name in r.params.keys() {
        if !used.contains(name) {
            cx.push_key(
                Severity::Error,
                "param-unused",
                &format!("params.{name}"),
                format!("param `{name}` is declared but no step uses it"),
                Some("remove it, or reference it as `{ param: Name }`"),
            );
        }
    }
    cx.out
}

/// Bundle-level rules for an assembled bundle (manifest fields, recipe list vs recipes,
/// duplicate ids), plus every recipe's own rules.
#[cfg(test)]
fn validate_bundle(b: &Bundle) -> Vec<Diagnostic> {
    let parsed = Parsed {
        manifest: if b.manifest_source.text.is_empty() {
            None
        } else {
            Some((
                b.manifest.clone(),
                b.manifest_source.clone(),
                b.manifest_index.clone(),
            ))
        },
        has_manifest: !b.manifest_source.text.is_empty(),
        recipes: b.recipes.clone(),
        failed: Vec::new(),
        partial: Vec::new(),
        diagnostics: Vec::new(),
    };
    let mut out: Vec<Diagnostic> = b.recipes.iter().flat_map(validate_recipe).collect();
    out.extend(validate_bundle_parts(&parsed));
    diag::sort(&mut out);
    out
}

fn validate_bundle_parts(p: &Parsed) -> Vec<Diagnostic> {
    let mut out = cross::check(p);
    duplicate_ids(p, &mut out);
    if p.manifest.is_none() && p.recipes.len() > MAX_RECIPES {
        if let Some(r) = p.recipes.get(MAX_RECIPES) {
            let mut cx = Ctx::new(&r.source, &r.index);
            cx.err(
                "limit-recipes",
                "id",
                format!("{} recipes were given; a bundle holds at most {MAX_RECIPES} (this is number {})", p.recipes.len(), MAX_RECIPES + 1),
            );
            out.extend(cx.out);
        }
    }
    let Some((m, src, index)) = &p.manifest else {
        return out;
    };
    let mut cx = Ctx::new(src, index);
    if m.recipes.len() > MAX_RECIPES {
        cx.err(
            "limit-recipes",
            &format!("recipes[{MAX_RECIPES}]"),
            format!(
                "bundle.yaml lists {} recipes; a bundle holds at most {MAX_RECIPES} (this is number {})",
                m.recipes.len(),
                MAX_RECIPES + 1
            ),
        );
    }
    if let Err(e) = names::check_pascal_noun(&m.name) {
        cx.err("bundle-name", "name", e);
    }
    if let Err(e) = names::check_semver(&m.version) {
        cx.err("bundle-version", "version", e);
    }
    for (f, v) in [
        ("title", &m.title),
        ("description", &m.description),
        ("publisher", &m.publisher),
    ] {
        if v.trim().is_empty() {
            cx.err("empty-text", f, format!("`{f}` is empty"));
        }
    }
    if let Some(u) = m.source.as_ref().and_then(|s| s.url.as_ref()) {
        if let Err(e) = names::check_https_url(u) {
            cx.err("reference-url", "source.url", e);
        }
    }
    if m.recipes.is_empty() {
        cx.err(
            "bundle-recipes",
            "recipes",
            "expected at least one recipe id".into(),
        );
    }
    let present: BTreeSet<&str> = p
        .recipes
        .iter()
        .map(|r| r.recipe.id.as_str())
        .chain(p.failed.iter().map(|s| file_stem(&s.path)))
        .collect();
    let mut listed = BTreeSet::new();
    for (i, id) in m.recipes.iter().enumerate() {
        let f = format!("recipes[{i}]");
        if !listed.insert(id.as_str()) {
            cx.err(
                "bundle-recipe-duplicate",
                &f,
                format!("recipe `{id}` is listed twice"),
            );
        } else if !present.contains(id.as_str()) {
            cx.push(
                Severity::Error,
                "bundle-recipe-missing",
                &f,
                format!("recipe `{id}` is listed but there is no recipe with this id next to bundle.yaml"),
                Some("add the file `<id>.yaml` or remove the entry"),
            );
        }
    }
    out.extend(cx.out);
    for r in &p.recipes {
        if !listed.contains(r.recipe.id.as_str()) {
            let mut rc = Ctx::new(&r.source, &r.index);
            rc.push(
                Severity::Error,
                "bundle-recipe-unlisted",
                "id",
                format!("recipe `{}` is not listed in bundle.yaml's `recipes`, so it would never run", r.recipe.id),
                Some("add its id to `recipes` in bundle.yaml, or move the file out of the bundle folder"),
            );
            out.extend(rc.out);
        }
    }
    out
}

/// Recipe ids used by two files, and firewall rule ids used by two recipes.
fn duplicate_ids(p: &Parsed, out: &mut Vec<Diagnostic>) {
    // Duplicate recipe ids across files.
    let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
    for r in &p.recipes {
        if let Some(first) = ids.insert(&r.recipe.id, &r.source.path) {
            let mut cx = Ctx::new(&r.source, &r.index);
            cx.push(
                Severity::Error,
                "recipe-id-duplicate",
                "id",
                format!(
                    "recipe id `{}` is already used by {first}; ids must be unique in a bundle",
                    r.recipe.id
                ),
                None,
            );
            out.extend(cx.out);
            ids.insert(&r.recipe.id, first);
        }
    }
    kinds::firewall::ids_across_recipes(p, out);
}

/// Parse and validate a bundle: one `bundle.yaml` source and recipe sources (or recipes alone:
/// an implicit bundle). `Ok` only when there is no error; recipes in the manifest's order.
pub fn parse_bundle(sources: Vec<SourceFile>) -> Result<Bundle, ValidateError> {
    check(Inputs::from_sources(sources)).into_bundle()
}

/// Read, parse and validate the files and folders in `paths` (see the module docs).
#[cfg(test)]
pub(crate) fn load_paths(paths: &[std::path::PathBuf]) -> Result<Bundle, Vec<Diagnostic>> {
    let inputs = load::read_paths(paths).map_err(load::LoadError::into_diagnostics)?;
    check(inputs)
        .into_bundle()
        .map_err(|e| e.diagnostics().to_vec())
}

/// The embedded L2TP bundle, parsed and validated.
pub fn embedded_bundle() -> Result<Bundle, ValidateError> {
    parse_bundle(load::embedded_sources())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_bundle_has_no_findings_at_all() {
        let b = crate::validate::embedded_bundle().expect("valid");
        assert_eq!(b.recipes.len(), 6);
        assert_eq!(validate_bundle(&b), Vec::<Diagnostic>::new());
        let r = check(Inputs::embedded());
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    }

    #[test]
    fn load_paths_reads_the_bundle_folder_in_manifest_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes/l2tp");
        let b = crate::validate::load_paths(&[dir]).expect("valid");
        let ids: Vec<&str> = b.recipes.iter().map(|r| r.recipe.id.as_str()).collect();
        assert_eq!(
            ids,
            b.manifest
                .recipes
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
        );
        assert!(b.manifest_source.path.ends_with("bundle.yaml"));
    }

    #[test]
    fn parse_bundle_refuses_a_recipe_with_an_error() {
        let mut sources = crate::load::embedded_sources();
        for s in &mut sources {
            if s.path.ends_with("nat-traversal.yaml") {
                s.text = s.text.replace("dword: 2", "dword: 7");
            }
        }
        let err = crate::validate::parse_bundle(sources).unwrap_err();
        let errs = err.diagnostics();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, "registry-known-value");
        assert_eq!(errs[0].field, "steps[0].registry.value.dword");
    }

    #[test]
    fn pascal_names_for_implicit_bundles() {
        assert_eq!(pascal_from("my-fixes_2"), "MyFixes2");
        assert_eq!(pascal_from("2fast"), "Fast");
        assert_eq!(pascal_from("--"), "");
    }
}
