//! `fixgen sign --bundle DIR`: sign a bundle after it was built, with the build's own finishing
//! code, so the result is what `fixgen build` with the same signing options writes.
//!
//! 1. The folder must verify (`fixgen verify`: every file matches SHA256SUMS, nothing added):
//!    a changed bundle is refused rather than signed.
//! 2. Every PowerShell file listed in manifest.json is Authenticode-signed
//!    ([`crate::sign::sign_artifacts_with`]): scripts, module, the GPO startup copies and the Intune
//!    scripts.
//! 3. The Intune payloads are made again from the signed bytes
//!    ([`crate::sign::payloads::resign_payloads`]).
//! 4. REVIEW.md keeps its text up to its file list, which is written again
//!    ([`crate::review::markdown::files_section`]); manifest.json keeps the bundle's identity and
//!    recipes; manifest.json, SHA256SUMS and SHA256SUMS.p7s are written by
//!    [`crate::sign::manifest::manifest_files_for`].
//! 5. The new bundle goes to a staging folder that replaces DIR as a whole
//!    ([`crate::write::Staging`]): an error anywhere leaves DIR as it was.

use std::path::Path;

use crate::render::{Artifacts, OutputFile};
use crate::review::markdown::{self, REVIEW_FILE};
use crate::sign::manifest::{self, Manifest, MANIFEST_FILE};
use crate::sign::Signer;

/// What [`resign_bundle`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resigned {
    /// PowerShell files Authenticode-signed.
    pub signed: usize,
    /// Intune payloads made again.
    pub payloads: usize,
    /// The bundle's files after signing (see [`manifest::bundle_file_count`]).
    pub files: usize,
}

/// Why `fixgen sign --bundle` changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ResignError {
    /// The folder cannot be read, is not a bundle fixgen wrote, or a file in it changed since
    /// the build (it does not verify).
    #[error("{0}")]
    NotABundle(String),
    /// Signing failed (key, certificate, timestamp, a script's encoding).
    #[error(transparent)]
    Sign(#[from] crate::sign::SignError),
    /// A package's payload is not one fixgen wrote (or could not be written again).
    #[error(transparent)]
    Payload(#[from] crate::sign::payloads::PayloadError),
    /// The signed bundle could not be written in place of the folder.
    #[error(transparent)]
    Write(#[from] crate::write::WriteError),
}

impl From<String> for ResignError {
    fn from(message: String) -> Self {
        ResignError::NotABundle(message)
    }
}

impl From<&str> for ResignError {
    fn from(message: &str) -> Self {
        ResignError::NotABundle(message.to_string())
    }
}

/// Sign the bundle folder `dir` in place (see the module docs). On `Err`, `dir` is unchanged.
pub fn resign_bundle(dir: &Path, signer: &Signer) -> Result<Resigned, ResignError> {
    let opts = crate::sign::VerifyOptions {
        ca: None,
        now: std::time::SystemTime::now(),
    };
    let report = crate::sign::bundle::verify_bundle(dir, &opts).map_err(|e| e.to_string())?;
    if !report.ok {
        let first = report
            .files
            .iter()
            .flat_map(|f| f.problems.iter().map(move |p| format!("{}: {p}", f.path)))
            .chain(report.problems.iter().cloned())
            .next()
            .unwrap_or_default();
        return Err(format!(
            "{} does not verify ({first}); `fixgen verify {}` lists every problem. Build it again, then sign",
            dir.display(),
            dir.display()
        )
        .into());
    }
    let read =
        |p: &str| std::fs::read(dir.join(p)).map_err(|e| format!("{}: {e}", dir.join(p).display()));
    let old: Manifest = serde_json::from_slice(&read(MANIFEST_FILE)?)
        .map_err(|e| format!("{MANIFEST_FILE}: not a manifest fixgen wrote: {e}"))?;
    let mut artifacts = Artifacts::default();
    let mut review = None;
    for f in &old.files {
        let bytes = read(&f.path)?;
        if f.path == REVIEW_FILE {
            review = Some(String::from_utf8(bytes).map_err(|_| "REVIEW.md is not UTF-8")?);
            continue;
        }
        let mut o = OutputFile::new(f.path.clone(), bytes);
        o.holds_secret = f.holds_secret;
        artifacts.add(o);
    }
    let review = review.ok_or("REVIEW.md is not listed in manifest.json")?;
    let head = review
        .rfind(markdown::FILES_HEADING)
        .map(|i| &review[..i])
        .ok_or("REVIEW.md has no file list (`## Files`)")?;

    let signed = crate::sign::sign_artifacts_with(&mut artifacts, signer, &|| {})?;
    let payloads = crate::sign::payloads::resign_payloads(&mut artifacts)?;

    let mut rows: Vec<_> = artifacts.files.values().map(manifest::file_row).collect();
    let review = OutputFile::new(
        REVIEW_FILE,
        format!("{head}{}", markdown::files_section(&rows)).into_bytes(),
    );
    rows.push(manifest::file_row(&review));
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts.add(review);
    let new = Manifest {
        files: Manifest::file_infos(&rows),
        signed: true,
        ..old
    };
    for f in manifest::manifest_files_for(&new, Some(signer))? {
        artifacts.add(f);
    }
    let files = manifest::bundle_file_count(artifacts.files.keys());
    crate::write::write_bundle(dir, &artifacts)?;
    Ok(Resigned {
        signed,
        payloads,
        files,
    })
}
