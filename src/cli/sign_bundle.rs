//! `fixgen sign --bundle DIR`, and the warning for plain `fixgen sign` on files inside a bundle.

use super::exit_codes::ExitCode;
use std::path::{Path, PathBuf};

use super::Exit;
use crate::sign::Signer;
use crate::term::{errln, outln};

/// Sign the bundle folder `dir` (see `crate::pipeline::resign`).
pub(crate) fn run(dir: &Path, signer: &Signer) -> Exit {
    match crate::pipeline::resign_bundle(dir, signer) {
        Ok(r) => {
            outln!(
                "signed {} PowerShell files of {} as {} ({}); remade {} Intune payload(s), REVIEW.md, manifest.json, SHA256SUMS and SHA256SUMS.p7s: {} files",
                r.signed,
                dir.display(),
                signer.subject(),
                signer.key_description(),
                r.payloads,
                r.files
            );
            Exit::Ok
        }
        Err(e) => {
            errln!("error: {e}");
            errln!("nothing changed");
            e.exit()
        }
    }
}

/// The bundle folder (written by `fixgen build`: its marker and SHA256SUMS) holding `file`.
fn bundle_of(file: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(file).ok()?;
    abs.ancestors().skip(1).find_map(|d| {
        (d.join(crate::write::MARKER).is_file()
            && d.join(crate::sign::manifest::SUMS_FILE).is_file())
        .then(|| d.to_path_buf())
    })
}

/// After plain `fixgen sign`: one warning per bundle that signed files belong to.
pub(crate) fn warn_inside_bundle(files: &[PathBuf]) {
    let mut seen = std::collections::BTreeSet::new();
    for f in files {
        if let Some(dir) = bundle_of(f) {
            if seen.insert(dir.clone()) {
                errln!(
                    "warning: {} is inside the bundle {}: its manifest.json, SHA256SUMS and REVIEW.md no longer match the signed files (`fixgen verify` fails), and the GPO and Intune copies stay unsigned. Sign a whole bundle with `fixgen sign --bundle {}`",
                    f.display(),
                    dir.display(),
                    dir.display()
                );
            }
        }
    }
}
