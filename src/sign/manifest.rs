//! Manifest stage: `manifest.json`, `SHA256SUMS` (GNU `sha256sum` format) and, when signing,
//! the detached CMS signature `SHA256SUMS.p7s`. Runs after rendering and Authenticode signing,
//! before the bundle writer. `fixgen build` calls [`manifest_files`] with the rows its stream
//! kept (`crate::pipeline::finish`: every file hashed once); [`add_manifest`] does the same for an
//! in-memory [`Artifacts`].
//!
//! Coverage: `manifest.json` lists every bundle file (not itself, `SHA256SUMS` or
//! `SHA256SUMS.p7s`); `SHA256SUMS` lists every file including `manifest.json`;
//! `SHA256SUMS.p7s` signs `SHA256SUMS`. So one signature covers every byte of the bundle.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{SignError, Signer};
use crate::plan::Plan;
use crate::render::{Artifacts, OutputFile};
use crate::review::files::FileRow;

pub(crate) const SUMS_FILE: &str = "SHA256SUMS";
pub(crate) const SUMS_SIG_FILE: &str = "SHA256SUMS.p7s";
pub(crate) const MANIFEST_FILE: &str = "manifest.json";

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Version of fixgen that built the bundle.
    pub fixgen_version: String,
    pub bundle: BundleInfo,
    /// Recipes in run order with the SHA-256 of each source file.
    pub recipes: Vec<RecipeInfo>,
    /// Every file of the bundle except manifest.json, SHA256SUMS and SHA256SUMS.p7s, by path.
    pub files: Vec<FileInfo>,
    /// True when the bundle carries `SHA256SUMS.p7s`.
    pub signed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleInfo {
    pub name: String,
    pub version: String,
    /// SHA-256 of bundle.yaml.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeInfo {
    pub id: String,
    pub source: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileInfo {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// The file carries an Authenticode signature block.
    pub authenticode: bool,
    /// The file embeds a secret value (handle it like a password).
    pub holds_secret: bool,
}

impl Manifest {
    /// The manifest of the files `rows` describes (hashed once by the build's stream); the
    /// manifest stage's own files among them are left out.
    pub fn from_rows(plan: &Plan, rows: &[FileRow], signed: bool) -> Manifest {
        Manifest {
            fixgen_version: env!("CARGO_PKG_VERSION").to_string(),
            bundle: BundleInfo {
                name: plan.bundle.name.clone(),
                version: plan.bundle.version.clone(),
                sha256: plan.bundle_sha256.clone(),
            },
            recipes: plan
                .recipes
                .iter()
                .map(|r| RecipeInfo {
                    id: r.recipe.id.clone(),
                    source: r.source_file_name().to_string(),
                    sha256: r.source_sha256.clone(),
                })
                .collect(),
            files: Self::file_infos(rows),
            signed,
        }
    }

    /// The `files` of a manifest for `rows` (the manifest stage's own files left out).
    pub fn file_infos(rows: &[FileRow]) -> Vec<FileInfo> {
        rows.iter()
            .filter(|f| !is_manifest_file(&f.path))
            .map(|f| FileInfo {
                path: f.path.clone(),
                size: f.size as u64,
                sha256: f.sha256.clone(),
                authenticode: f.authenticode,
                holds_secret: f.holds_secret,
            })
            .collect()
    }
}

/// The three files this stage writes.
pub fn is_manifest_file(path: &str) -> bool {
    path == SUMS_FILE || path == SUMS_SIG_FILE || path == MANIFEST_FILE
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// GNU `sha256sum` text for files: `<hex>  <path>` per line, sorted by path, LF endings.
/// Paths with a backslash or a line break would need GNU's escaping; the bundle never has them.
#[cfg(test)]
fn sha256sums<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<String, SignError> {
    sha256sums_of(
        files
            .into_iter()
            .map(|(path, bytes)| (path, sha256_hex(bytes))),
    )
}

/// [`sha256sums`] from hashes already computed (hex).
fn sha256sums_of<'a>(
    files: impl IntoIterator<Item = (&'a str, String)>,
) -> Result<String, SignError> {
    let mut rows: Vec<(&str, String)> = Vec::new();
    for (path, hash) in files {
        if path.contains(['\\', '\n', '\r']) || path.starts_with('/') || path.is_empty() {
            return Err(SignError::Script {
                path: path.to_string(),
                message: "a bundle path must be relative and contain no backslash or line break"
                    .to_string(),
            });
        }
        rows.push((path, hash));
    }
    rows.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::with_capacity(rows.len() * 100);
    for (path, h) in rows {
        out.push_str(&h);
        out.push_str("  ");
        out.push_str(path);
        out.push('\n');
    }
    Ok(out)
}

/// Add `manifest.json`, `SHA256SUMS` and (with a signer) `SHA256SUMS.p7s` to the artifacts.
/// Call after [`super::sign_stage_with`] and after every other file has been added.
pub(crate) fn add_manifest(
    artifacts: &mut Artifacts,
    plan: &Plan,
    signer: Option<&Signer>,
) -> Result<(), SignError> {
    for p in [SUMS_FILE, SUMS_SIG_FILE, MANIFEST_FILE] {
        artifacts.files.remove(p);
    }
    let rows: Vec<FileRow> = artifacts.files.values().map(file_row).collect();
    for f in manifest_files(plan, &rows, signer)? {
        artifacts.add(f);
    }
    Ok(())
}

/// `manifest.json`, `SHA256SUMS` and (with a signer) `SHA256SUMS.p7s` for the files `rows`
/// describes (every other file of the bundle, already signed and hashed).
pub(crate) fn manifest_files(
    plan: &Plan,
    rows: &[FileRow],
    signer: Option<&Signer>,
) -> Result<Vec<OutputFile>, SignError> {
    manifest_files_for(&Manifest::from_rows(plan, rows, signer.is_some()), signer)
}

/// `manifest.json`, `SHA256SUMS` and (with a signer) `SHA256SUMS.p7s` for `manifest` (also used
/// by `fixgen sign --bundle`, which keeps a built bundle's identity and recipes).
pub(crate) fn manifest_files_for(
    manifest: &Manifest,
    signer: Option<&Signer>,
) -> Result<Vec<OutputFile>, SignError> {
    let mut json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| SignError::Crypto(format!("cannot write manifest.json ({e})")))?;
    json.push('\n');
    // SHA256SUMS lists the same files as manifest.json plus manifest.json itself: reuse the
    // hashes instead of hashing every file again.
    let json_hash = sha256_hex(json.as_bytes());
    let sums = sha256sums_of(
        manifest
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.sha256.clone()))
            .chain([(MANIFEST_FILE, json_hash)]),
    )?;
    let mut out = vec![OutputFile::new(MANIFEST_FILE, json.into_bytes())];
    if let Some(s) = signer {
        out.push(OutputFile::new(
            SUMS_SIG_FILE,
            s.sign_detached(sums.as_bytes())?,
        ));
    }
    out.push(OutputFile::new(SUMS_FILE, sums.into_bytes()));
    Ok(out)
}

/// Marker file written at the root of every bundle folder.
pub(crate) const MARKER: &str = ".fixgen-bundle";
/// Content of the marker file (`fixgen verify` accepts the marker only with exactly this text).
pub(crate) const MARKER_TEXT: &str =
    "This folder was written by fixgen. `fixgen build` replaces it as a whole; do not keep other files here.\r\n";
/// Row of one finished file: hashed once, used by REVIEW.md, the manifest and `--check`.
pub(crate) fn file_row(f: &OutputFile) -> FileRow {
    FileRow {
        path: f.path.clone(),
        size: f.bytes.len(),
        sha256: sha256_hex(&f.bytes),
        authenticode: f.is_powershell() && super::has_signature_block(&f.bytes),
        holds_secret: f.holds_secret,
        blocks: if f.is_powershell() {
            crate::review::runtime::blocks_in(&f.bytes)
        } else {
            Vec::new()
        },
    }
}

/// How many files a bundle has, as `build`, `build --check` and `verify` all count them: every
/// file of the folder except the writer's marker (`.fixgen-bundle`), i.e. the files listed in
/// SHA256SUMS, SHA256SUMS itself and, when signed, SHA256SUMS.p7s. `paths` are relative paths
/// with `/` (duplicates count once).
pub(crate) fn bundle_file_count<'a>(paths: impl IntoIterator<Item = &'a String>) -> usize {
    paths
        .into_iter()
        .filter(|p| p.as_str() != MARKER)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_sorted_gnu_format() {
        let s = sha256sums([("b.txt", &b"b"[..]), ("a/x.ps1", &b""[..])]).unwrap();
        assert_eq!(
            s,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/x.ps1\n\
             3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  b.txt\n"
        );
    }

    #[test]
    fn sums_reject_unescapable_paths() {
        assert!(sha256sums([("a\\b", &b""[..])]).is_err());
        assert!(sha256sums([("a\nb", &b""[..])]).is_err());
    }
}
