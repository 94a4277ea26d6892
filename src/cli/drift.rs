//! `fixgen build --check --out DIR`: build, keeping only each file's SHA-256, compare with DIR,
//! write nothing.
//!
//! Signed bundles: RSA PKCS#1 v1.5 signatures (without a timestamp) are deterministic, so a
//! bundle signed with an RSA key is checked by building again with the same signing options.
//! ECDSA signatures and RFC 3161 timestamps differ on every run, so `--check` refuses them
//! (exit 2) instead of always reporting changes. A signed DIR checked without signing options
//! is refused too: every signed file would differ.

use super::exit_codes::ExitCode;
use crate::term::{errln, outln};
use std::path::Path;

use super::Exit;
use std::collections::BTreeMap;

use crate::plan::Plan;
use crate::review::drift;
use crate::review::files::FileRow;
use crate::sign::manifest::{Manifest, MANIFEST_FILE, SUMS_SIG_FILE};
use crate::sign::Signer;

/// True when DIR looks signed: `SHA256SUMS.p7s` exists or `manifest.json` says so.
fn dir_is_signed(dir: &Path) -> bool {
    if dir.join(SUMS_SIG_FILE).exists() {
        return true;
    }
    crate::load::read_regular(&dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
        .is_some_and(|m| m.signed || m.files.iter().any(|f| f.authenticode))
}

/// Refuse `--check` when the comparison could never be clean: ECDSA or timestamped signatures
/// (different on every run), or a signed folder checked without signing options.
pub(crate) fn preflight(
    out: &Path,
    signer: Option<&Signer>,
    signing: &super::sign::SigningArgs,
) -> Result<(), Exit> {
    if !out.is_dir() {
        return Err(super::usage_error(format!(
            "{}: no such folder to check; build it first with `fixgen build --out {}`",
            out.display(),
            out.display()
        )));
    }
    if let Some(s) = signer {
        if !s.key_description().starts_with("RSA") {
            return Err(super::usage_error(format!("--check cannot compare a bundle signed with {}: ECDSA signatures differ on every run. Check with the RSA key the bundle was signed with, or keep an unsigned bundle in version control and sign at release", s.key_description())));
        }
        if signing.timestamp_url.is_some() {
            return Err(super::usage_error("--check cannot compare timestamped signatures: every timestamp differs. Run --check without --timestamp-url (timestamps are added at release)".to_string()));
        }
    } else if dir_is_signed(out) {
        return Err(super::usage_error(format!("{} is a signed bundle; --check needs the same signing options it was built with (an RSA key: its signatures are deterministic)", out.display())));
    }
    Ok(())
}

/// Compare the folder `out` with a fresh build (`fresh`: every file's row, hashed by the
/// build's stream) and report.
pub(crate) fn check(out: &Path, fresh: &BTreeMap<String, FileRow>, plan: &Plan) -> Exit {
    let d = match drift::compare(out, fresh, &[crate::write::MARKER]) {
        Ok(d) => d,
        Err(e) => {
            errln!("error: {e}");
            return e.exit();
        }
    };
    if d.is_clean() {
        outln!(
            "{} is up to date: {} file(s) identical to a fresh build of {} {}",
            out.display(),
            crate::sign::manifest::bundle_file_count(fresh.keys()),
            plan.bundle.name,
            plan.bundle.version
        );
        return Exit::Ok;
    }
    outln!(
        "{} differs from a fresh build of {} {}:",
        out.display(),
        plan.bundle.name,
        plan.bundle.version
    );
    for p in &d.added {
        outln!("  added:   {p} (in the folder, not produced by the recipes)");
    }
    for p in &d.removed {
        outln!("  removed: {p} (produced by the recipes, missing from the folder)");
    }
    for p in &d.changed {
        outln!("  changed: {p}");
    }
    outln!(
        "{} difference(s); run the same `fixgen build` without --check to update the folder",
        d.added.len() + d.removed.len() + d.changed.len()
    );
    Exit::Findings
}
