//! Loading recipes and bundles from files, folders or the embedded L2TP bundle.
//!
//! Reading is split in three stages so every problem is reported with a location:
//! 1. [`read_paths`] turns command-line paths into [`Inputs`]: file contents as text. It refuses
//!    files over [`MAX_FILE_BYTES`] without reading them, and non-UTF-8 files (located at the first
//!    bad byte). Missing paths are I/O errors (exit code 2).
//! 2. [`parse`] reads each file's YAML ([`yaml::read`]: structure, limits and a position index)
//!    and deserializes it into the typed model ([`de::deserialize`]), collecting every error.
//! 3. The validator (`crate::validate`) checks the typed recipes and the bundle as a whole.
//!
//! [`parse_bundle`], [`load_paths`] and [`embedded_bundle`] run all three and return a bundle
//! only when there is no error (warnings are dropped; `validate::check` returns them).
//!
//! What paths mean:
//! - a folder holding `bundle.yaml` is a bundle: `bundle.yaml` plus every `*.yaml`/`*.yml` file
//!   next to it (not in subfolders), each of which must be listed in `bundle.yaml`;
//! - `bundle.yaml` itself means its folder;
//! - any other file is one recipe; a folder without `bundle.yaml` means every `*.yaml`/`*.yml`
//!   file in it;
//! - recipes given without any `bundle.yaml` form an *implicit bundle*: named after the folder
//!   of the first file (PascalCase, `Recipes` when that gives nothing), version 0.0.0, recipes in
//!   file-name order. Bundle-level rules that need a manifest are skipped for it;
//! - all paths of one run form one bundle: at most one `bundle.yaml` may be among them.

mod error;
pub use error::LoadError;
pub(crate) mod de;
pub(crate) mod yaml;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::diag::SourceFile;
use crate::model::{BundleManifest, Recipe};

pub(crate) use yaml::{Pos, SpanIndex};

/// A bundle as loaded: the manifest and its recipes in run order, each with its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub manifest: BundleManifest,
    pub manifest_source: SourceFile,
    /// Field positions in `manifest_source` (empty for an implicit bundle).
    pub manifest_index: Arc<SpanIndex>,
    pub recipes: Vec<LoadedRecipe>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRecipe {
    pub recipe: Recipe,
    pub source: SourceFile,
    /// Field positions in `source`, as the loader read them (the validator locates its
    /// findings with it; the YAML is parsed once).
    pub index: Arc<SpanIndex>,
}

/// Largest recipe or bundle file accepted, in bytes (see `crate::limits`).
pub(crate) use crate::limits::MAX_FILE_BYTES;

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
pub(crate) fn embedded_sources() -> Vec<SourceFile> {
    EMBEDDED_L2TP
        .iter()
        .map(|(name, text)| SourceFile {
            path: format!("<embedded>/l2tp/{name}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// Files read for one run.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Readable UTF-8 files, in a stable order (bundle.yaml first, then by path).
    pub sources: Vec<SourceFile>,
    /// Problems found while reading (too large, not UTF-8): located findings, exit code 1.
    pub diagnostics: Vec<Diagnostic>,
    /// Lossy text of rejected files, only to show source lines in messages.
    pub rejected: Vec<SourceFile>,
    /// Folder name used for an implicit bundle.
    pub folder_name: Option<String>,
}

impl Inputs {
    /// The embedded L2TP bundle.
    pub fn embedded() -> Inputs {
        Inputs {
            sources: embedded_sources(),
            ..Inputs::default()
        }
    }

    pub fn from_sources(sources: Vec<SourceFile>) -> Inputs {
        Inputs {
            sources,
            ..Inputs::default()
        }
    }
}

/// True for the manifest file of a bundle.
pub(crate) fn is_manifest_path(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name == "bundle.yaml" || name == "bundle.yml"
}

fn is_yaml(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        "io",
        display(path),
        format!("cannot read `{}`: {e}", display(path)),
    )
}

/// Read the files named by `paths` (see the module docs for what paths mean).
///
/// `Err` holds I/O and usage problems (missing path, no recipes found, two bundles).
/// File-content problems are in `Inputs::diagnostics`.
pub fn read_paths(paths: &[PathBuf]) -> Result<Inputs, LoadError> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    let mut folder_name = None;
    for p in paths {
        // bundle.yaml stands for its folder.
        let p = if is_manifest_path(&display(p)) && p.is_file() {
            match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            }
        } else {
            p.clone()
        };
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) => {
                errors.push(io_error(&p, &e));
                continue;
            }
        };
        if meta.is_dir() {
            let Some(found) = folder_files(&p, &mut errors, &mut skipped) else {
                continue;
            };
            if found.is_empty() {
                errors.push(Diagnostic::error(
                    "no-recipes",
                    display(&p),
                    format!("no *.yaml files in folder `{}`", display(&p)),
                ));
            }
            if folder_name.is_none() {
                folder_name = dir_name(&p);
            }
            files.extend(found);
        } else if !meta.is_file() {
            errors.push(Diagnostic::error(
                "io",
                display(&p),
                format!(
                    "cannot read `{}`: {}",
                    display(&p),
                    not_regular(&meta.file_type())
                ),
            ));
            continue;
        } else {
            if folder_name.is_none() {
                folder_name = p
                    .canonicalize()
                    .ok()
                    .and_then(|c| c.parent().and_then(dir_name));
            }
            files.push(p);
        }
    }
    // One entry per file, in a stable order: bundle.yaml first, then by path.
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
    files.sort_by_key(|f| (!is_manifest_path(&display(f)), display(f)));
    let manifests: Vec<String> = files
        .iter()
        .map(|f| display(f))
        .filter(|f| is_manifest_path(f))
        .collect();
    if manifests.len() > 1 {
        errors.push(Diagnostic::error(
            "two-bundles",
            manifests[1].clone(),
            format!(
                "more than one bundle given ({}); check or build one bundle at a time",
                manifests.join(", ")
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(LoadError::Unreadable(errors));
    }
    let mut inputs = Inputs {
        folder_name,
        diagnostics: skipped,
        ..Inputs::default()
    };
    for f in files {
        match read_file(&f) {
            Ok(Ok(src)) => inputs.sources.push(src),
            Ok(Err(rej)) => {
                let Rejected { diagnostic, lossy } = *rej;
                inputs.diagnostics.push(diagnostic);
                if let Some(l) = lossy {
                    inputs.rejected.push(l);
                }
            }
            Err(e) => errors.push(io_error(&f, &e)),
        }
    }
    if !errors.is_empty() {
        return Err(LoadError::Unreadable(errors));
    }
    Ok(inputs)
}

/// The recipe files of a folder (`*.yaml`, regular files inside it); `None` when the folder
/// cannot be read (the error is in `errors`).
fn folder_files(
    p: &Path,
    errors: &mut Vec<Diagnostic>,
    skipped: &mut Vec<Diagnostic>,
) -> Option<Vec<PathBuf>> {
    let mut found = Vec::new();
    match std::fs::read_dir(p) {
        Ok(rd) => {
            let root = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
            for entry in rd {
                match entry {
                    Ok(en) => {
                        let fp = en.path();
                        if !is_yaml(&fp) {
                            continue;
                        }
                        match folder_entry(&root, &fp, en.file_type()) {
                            Entry::Read => found.push(fp),
                            Entry::Ignore => {}
                            Entry::Skip(why) => skipped.push(skipped_file(&fp, &why)),
                        }
                    }
                    Err(e) => errors.push(io_error(p, &e)),
                }
            }
        }
        Err(e) => {
            errors.push(io_error(p, &e));
            return None;
        }
    }
    Some(found)
}

/// What to do with a `*.yaml` entry of a folder.
enum Entry {
    Read,
    /// A folder named `*.yaml`: not a recipe, as before.
    Ignore,
    /// Skipped, and said why (a warning).
    Skip(String),
}

/// Only regular files are read from a folder; a symbolic link only when it resolves to a
/// regular file inside the folder `root` (resolved). Nothing is opened here.
fn folder_entry(root: &Path, fp: &Path, ft: std::io::Result<std::fs::FileType>) -> Entry {
    let ft = match ft {
        Ok(t) => t,
        Err(e) => return Entry::Skip(format!("cannot read its type: {e}")),
    };
    if ft.is_file() {
        return Entry::Read;
    }
    if ft.is_dir() {
        return Entry::Ignore;
    }
    if !ft.is_symlink() {
        return Entry::Skip(not_regular(&ft));
    }
    match fp.canonicalize() {
        Err(e) if is_loop(&e) => Entry::Skip("a symbolic link that loops".to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Entry::Skip("a symbolic link that points nowhere".to_string())
        }
        Err(e) => Entry::Skip(format!("a symbolic link that cannot be resolved ({e})")),
        Ok(t) if !t.starts_with(root) => Entry::Skip(
            "a symbolic link that points outside the bundle folder (its content is not read)"
                .to_string(),
        ),
        Ok(t) => match std::fs::metadata(&t) {
            Ok(m) if m.is_file() => Entry::Read,
            Ok(m) => Entry::Skip(format!(
                "a symbolic link to something that is {}",
                not_regular(&m.file_type())
            )),
            Err(e) => Entry::Skip(format!("a symbolic link that cannot be resolved ({e})")),
        },
    }
}

#[cfg(unix)]
fn is_loop(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_loop(_: &std::io::Error) -> bool {
    false
}

fn skipped_file(fp: &Path, why: &str) -> Diagnostic {
    Diagnostic::warning(
        "skipped-file",
        display(fp),
        format!(
            "skipped `{}`: {why}; only regular files in the bundle folder are read",
            fp.file_name()
                .map_or_else(|| display(fp), |n| n.to_string_lossy().into_owned())
        ),
    )
    .with_hint("replace it with the recipe file itself, or remove it from the folder")
}

/// "not a regular file (a FIFO)" and the like.
pub(crate) fn not_regular(ft: &std::fs::FileType) -> String {
    let kind = if ft.is_dir() {
        "a folder"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else {
        special_kind(ft)
    };
    format!("not a regular file ({kind})")
}

#[cfg(unix)]
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// Open `path` for reading only when it is a regular file (after following symbolic links):
/// a FIFO, socket or device is refused with an error saying what it is, without blocking (it
/// is checked before opening, and opened non-blocking and checked again, so a file swapped
/// in between cannot hang the run either).
pub(crate) fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let refuse = |ft: &std::fs::FileType| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, not_regular(ft))
    };
    let m = std::fs::metadata(path)?;
    if !m.is_file() {
        return Err(refuse(&m.file_type()));
    }
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    let f = o.open(path)?;
    let m = f.metadata()?;
    if !m.is_file() {
        return Err(refuse(&m.file_type()));
    }
    Ok(f)
}

/// The whole content of `path` when it is a regular file ([`open_regular`]).
pub(crate) fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_regular(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn dir_name(p: &Path) -> Option<String> {
    let c = p.canonicalize().ok()?;
    c.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// A file that was refused: why, and its lossy text (to show the bad line) when there is one.
#[derive(Debug, Clone)]
pub(crate) struct Rejected {
    pub diagnostic: Diagnostic,
    pub lossy: Option<SourceFile>,
}

/// A file's text, or why it was refused.
pub(crate) type ReadOutcome = Result<SourceFile, Box<Rejected>>;

/// Read one file: refuse it (without reading it all) when larger than [`MAX_FILE_BYTES`], and
/// locate the first invalid UTF-8 byte.
pub(crate) fn read_file(path: &Path) -> std::io::Result<ReadOutcome> {
    let shown = display(path);
    let file = open_regular(path)?;
    let len = file.metadata()?.len();
    if len > MAX_FILE_BYTES {
        return Ok(Err(Box::new(Rejected {
            diagnostic: too_large(&shown, len),
            lossy: None,
        })));
    }
    let mut bytes = Vec::new();
    // `take` guards against files that grow, and special files with no length.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(Err(Box::new(Rejected {
            diagnostic: too_large(&shown, bytes.len() as u64),
            lossy: None,
        })));
    }
    Ok(decode(shown, bytes))
}

fn too_large(path: &str, len: u64) -> Diagnostic {
    Diagnostic::error(
        "file-too-large",
        path,
        format!(
            "the file is {len} bytes; recipe and bundle files are limited to {MAX_FILE_BYTES} bytes (1 MiB)"
        ),
    )
    .at(1, 1)
    .with_hint("a recipe is a few kilobytes; is this the right file?")
}

/// Bytes -> text, or a located error at the first invalid UTF-8 byte. A UTF-8 byte-order mark
/// is dropped.
pub(crate) fn decode(path: String, bytes: Vec<u8>) -> ReadOutcome {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile { path, text }),
        Err(e) => {
            let off = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let (line, column) = crate::diag::line_col(&bytes, off);
            let d = Diagnostic::error(
                "not-utf8",
                path.clone(),
                format!(
                    "invalid UTF-8 at byte offset {off} (byte 0x{:02X}); recipe files must be UTF-8 text",
                    bytes.get(off).copied().unwrap_or(0)
                ),
            )
            .at(line, column)
            .with_hint("save the file as UTF-8 (without a byte-order mark is best)");
            let lossy = SourceFile {
                path,
                text: String::from_utf8_lossy(&bytes).into_owned(),
            };
            Err(Box::new(Rejected {
                diagnostic: d,
                lossy: Some(lossy),
            }))
        }
    }
}

/// The result of parsing a set of sources (before validation).
#[derive(Debug, Clone, Default)]
pub(crate) struct Parsed {
    /// The manifest, when a bundle.yaml was given and deserialized.
    pub manifest: Option<(BundleManifest, SourceFile, Arc<SpanIndex>)>,
    /// A bundle.yaml was given (even if it failed to deserialize).
    pub has_manifest: bool,
    /// Recipes that deserialized, in source order.
    pub recipes: Vec<LoadedRecipe>,
    /// Sources that did not deserialize (their file stems still count as present).
    pub failed: Vec<SourceFile>,
    /// Recipes that had errors, with their bad parts replaced by placeholders, and the paths
    /// replaced: the validator checks the rest and ignores findings on those paths.
    pub partial: Vec<(LoadedRecipe, Vec<String>)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Read one YAML source into `T`, with every located error.
fn parse_source<T: serde::de::DeserializeOwned>(
    src: &SourceFile,
    kind: de::DocKind,
) -> (de::Outcome<T>, Arc<SpanIndex>) {
    let failed = |diagnostics: Vec<Diagnostic>| {
        let o = de::Outcome {
            value: None,
            recovered: None,
            touched: Vec::new(),
            diagnostics,
        };
        (o, Arc::default())
    };
    let doc = yaml::read(&src.text);
    let mut diags: Vec<Diagnostic> = doc
        .errors
        .iter()
        .map(|e| {
            let mut d = Diagnostic::error(e.code, src.path.clone(), e.message.clone())
                .at(e.pos.line, e.pos.column)
                .with_field(e.field.clone());
            if let Some(h) = &e.hint {
                d = d.with_hint(h.clone());
            }
            d
        })
        .collect();
    if !diags.is_empty() {
        return failed(diags);
    }
    let Some(value) = doc.value else {
        diags.push(
            Diagnostic::error(
                "empty-file",
                src.path.clone(),
                "the file is empty (no YAML content)",
            )
            .at(1, 1)
            .with_hint(match kind {
                de::DocKind::Recipe => "a recipe needs at least `id`, `title`, `summary` and `steps`",
                de::DocKind::Bundle => {
                    "bundle.yaml needs `name`, `title`, `version`, `description`, `publisher` and `recipes`"
                }
            }),
        );
        return failed(diags);
    };
    if !matches!(value, serde_norway::Value::Mapping(_)) {
        let pos = doc.index.value_pos("");
        diags.push(
            Diagnostic::error(
                "wrong-type",
                src.path.clone(),
                format!(
                    "expected the file to be a map of fields (`id: ...`), found {}",
                    yaml::kind_of(&value)
                ),
            )
            .at(pos.line, pos.column),
        );
        return failed(diags);
    }
    let outcome = de::deserialize(value, kind, &src.path, &doc.index);
    (outcome, Arc::new(doc.index))
}

/// Parse every source: `bundle.yaml` as the manifest, everything else as a recipe.
pub(crate) fn parse(sources: &[SourceFile]) -> Parsed {
    enum Doc {
        Manifest((de::Outcome<BundleManifest>, Arc<SpanIndex>)),
        Recipe((de::Outcome<Recipe>, Arc<SpanIndex>)),
    }
    let in_bundle = sources.iter().any(|s| is_manifest_path(&s.path));
    // Files are independent: parsed on every core, merged in the order given.
    let docs = crate::par::map(sources, |src| {
        if is_manifest_path(&src.path) {
            Doc::Manifest(parse_source::<BundleManifest>(src, de::DocKind::Bundle))
        } else if let Some(d) = in_bundle.then(|| values_file_in_bundle(src)).flatten() {
            // One finding, not one per missing recipe field.
            let o = de::Outcome {
                value: None,
                recovered: None,
                touched: Vec::new(),
                diagnostics: vec![d],
            };
            Doc::Recipe((o, Arc::default()))
        } else {
            Doc::Recipe(parse_source::<Recipe>(src, de::DocKind::Recipe))
        }
    });
    let mut out = Parsed::default();
    for (src, doc) in sources.iter().zip(docs) {
        if let Doc::Manifest((o, index)) = doc {
            out.has_manifest = true;
            out.diagnostics.extend(o.diagnostics);
            if let Some(m) = o.value {
                if out.manifest.is_none() {
                    out.manifest = Some((m, src.clone(), index));
                }
            }
        } else if let Doc::Recipe((o, index)) = doc {
            out.diagnostics.extend(o.diagnostics);
            match o.value {
                Some(recipe) => out.recipes.push(LoadedRecipe {
                    recipe,
                    source: src.clone(),
                    index,
                }),
                None => {
                    out.failed.push(src.clone());
                    if let Some(recipe) = o.recovered {
                        out.partial.push((
                            LoadedRecipe {
                                recipe,
                                source: src.clone(),
                                index,
                            },
                            o.touched,
                        ));
                    }
                }
            }
        }
    }
    out
}

/// A file next to bundle.yaml that looks like a `--values` file rather than a recipe: a map of
/// names to plain values (text, numbers, booleans), without a recipe's `id` or `steps`.
fn values_file_in_bundle(src: &SourceFile) -> Option<Diagnostic> {
    use serde_norway::Value;
    let Ok(Value::Mapping(m)) = serde_norway::from_str::<Value>(&src.text) else {
        return None;
    };
    let looks_like_values = !m.is_empty()
        && m.iter().all(|(k, v)| {
            k.as_str().is_some_and(|k| k != "id" && k != "steps")
                && matches!(
                    v,
                    Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null
                )
        });
    looks_like_values.then(|| {
        Diagnostic::error(
            "bundle-values-file",
            src.path.clone(),
            "not listed in bundle.yaml; a values file? (a map of names to values, not a recipe)",
        )
        .at(1, 1)
        .with_hint("move it out of the bundle folder, or pass it with --values FILE")
    })
}
