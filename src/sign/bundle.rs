//! `fixgen verify DIR`: check a bundle folder against its `SHA256SUMS`, `manifest.json`,
//! Authenticode blocks and `SHA256SUMS.p7s`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::manifest::{sha256_hex, Manifest, MANIFEST_FILE, SUMS_FILE, SUMS_SIG_FILE};
use super::verify::{verify_detached, verify_script, SignatureInfo, VerifyOptions};

/// The outcome for one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    pub path: String,
    /// `ok`, `missing`, `changed`, `unlisted`.
    pub hash: &'static str,
    /// For PowerShell files: `valid`, `unsigned` or `invalid`; absent for other files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureInfo>,
    /// Everything wrong with this file (empty when it is fine).
    pub problems: Vec<String>,
}

impl FileReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The outcome for the whole bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    pub dir: String,
    pub ok: bool,
    pub files: Vec<FileReport>,
    /// `SHA256SUMS.p7s`: `valid`, `absent` or `invalid`.
    pub sums_signature: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sums_signer: Option<SignatureInfo>,
    /// Problems not tied to one listed file (SHA256SUMS unreadable, manifest mismatch, .p7s).
    pub problems: Vec<String>,
    /// Notes that are not failures (for example: no --ca given, trust not checked).
    pub notes: Vec<String>,
}

/// An error that stops verification before it starts: the folder cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BundleIoError(pub String);

fn is_powershell(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.ends_with(".ps1") || p.ends_with(".psm1") || p.ends_with(".psd1")
}

/// Every regular file under `dir`, as `/`-separated relative paths. Symlinks and other special
/// files are reported as problems (a bundle never contains them).
fn walk(dir: &Path) -> Result<(Vec<String>, Vec<String>), BundleIoError> {
    let mut files = Vec::new();
    let mut odd = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = vec![(dir.to_path_buf(), String::new())];
    while let Some((abs, rel)) = stack.pop() {
        let rd = std::fs::read_dir(&abs)
            .map_err(|e| BundleIoError(format!("{}: {e}", abs.display())))?;
        for entry in rd {
            let entry = entry.map_err(|e| BundleIoError(format!("{}: {e}", abs.display())))?;
            let name = entry.file_name().to_string_lossy().to_string();
            let r = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let ft = entry
                .file_type()
                .map_err(|e| BundleIoError(format!("{}: {e}", entry.path().display())))?;
            if ft.is_dir() {
                stack.push((entry.path(), r));
            } else if ft.is_file() {
                files.push(r);
            } else {
                odd.push(r);
            }
        }
    }
    files.sort();
    odd.sort();
    Ok((files, odd))
}

/// Parse GNU `sha256sum` lines: `<64 hex>  <path>` (or ` *<path>`).
fn parse_sums(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.is_empty() {
            continue;
        }
        let (h, rest) = line
            .split_at_checked(64)
            .ok_or_else(|| format!("{SUMS_FILE} line {n}: expected `<sha256>  <path>`"))?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{SUMS_FILE} line {n}: expected 64 hex digits"));
        }
        let path = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))
            .ok_or_else(|| format!("{SUMS_FILE} line {n}: expected two spaces after the hash"))?;
        if path.is_empty()
            || path.starts_with('/')
            || path.contains('\\')
            || path
                .split('/')
                .any(|s| s == ".." || s == "." || s.is_empty())
        {
            return Err(format!(
                "{SUMS_FILE} line {n}: `{path}` is not a plain relative path inside the bundle"
            ));
        }
        if map
            .insert(path.to_string(), h.to_ascii_lowercase())
            .is_some()
        {
            return Err(format!("{SUMS_FILE} line {n}: `{path}` is listed twice"));
        }
    }
    Ok(map)
}

/// Verify a bundle folder. I/O problems with the folder itself are errors; everything found
/// wrong inside it goes into the report.
pub fn verify_bundle(dir: &Path, opts: &VerifyOptions) -> Result<BundleReport, BundleIoError> {
    let meta =
        std::fs::metadata(dir).map_err(|e| BundleIoError(format!("{}: {e}", dir.display())))?;
    if !meta.is_dir() {
        return Err(BundleIoError(format!(
            "{}: not a folder (fixgen verify takes a bundle folder)",
            dir.display()
        )));
    }
    let (present, odd) = walk(dir)?;
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for o in &odd {
        problems.push(format!(
            "{o}: not a regular file (symlinks and special files do not belong in a bundle)"
        ));
    }
    let (sums_bytes, listed) = read_sums(dir, &mut problems)?;
    let (mut files, contents) = file_reports(dir, &present, &listed);
    let (manifest, expect_signed) = check_manifest(&contents, &listed, &mut problems);
    authenticode(&mut files, &contents, &expect_signed, opts);
    let (sums_signature, sums_signer) = sums_signature(
        dir,
        sums_bytes.as_deref(),
        manifest.as_ref(),
        opts,
        &mut problems,
    )?;
    let any_signature = sums_signature != "absent" || files.iter().any(|f| f.signature.is_some());
    if opts.ca.is_none() && any_signature {
        notes.push(
            "signatures were checked, but not against a trusted CA: pass --ca CA.pem to check who signed"
                .into(),
        );
    }
    let ok = problems.is_empty() && files.iter().all(FileReport::ok);
    Ok(BundleReport {
        dir: dir.display().to_string(),
        ok,
        files,
        sums_signature,
        sums_signer,
        problems,
        notes,
    })
}

/// SHA256SUMS as bytes (for its detached signature) and as a map of path to SHA-256.
type Sums = (Option<Vec<u8>>, BTreeMap<String, String>);

/// Read and parse SHA256SUMS; a missing or malformed one is a problem, not an error.
fn read_sums(dir: &Path, problems: &mut Vec<String>) -> Result<Sums, BundleIoError> {
    let sums_bytes = match std::fs::read(dir.join(SUMS_FILE)) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            problems.push(format!("{SUMS_FILE} is missing"));
            None
        }
        Err(e) => {
            return Err(BundleIoError(format!(
                "{}: {e}",
                dir.join(SUMS_FILE).display()
            )))
        }
    };
    let listed = match sums_bytes.as_deref().map(std::str::from_utf8) {
        Some(Ok(t)) => match parse_sums(t) {
            Ok(m) => m,
            Err(e) => {
                problems.push(e);
                BTreeMap::new()
            }
        },
        Some(Err(_)) => {
            problems.push(format!("{SUMS_FILE} is not UTF-8 text"));
            BTreeMap::new()
        }
        None => BTreeMap::new(),
    };
    Ok((sums_bytes, listed))
}

/// One report per file listed in SHA256SUMS or present in the folder (hash checked), and the
/// bytes of those that could be read.
fn file_reports(
    dir: &Path,
    present: &[String],
    listed: &BTreeMap<String, String>,
) -> (Vec<FileReport>, BTreeMap<String, Vec<u8>>) {
    let mut files = Vec::new();
    let mut contents: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (path, want) in listed {
        let mut r = FileReport {
            path: path.clone(),
            hash: "ok",
            authenticode: None,
            signature: None,
            problems: Vec::new(),
        };
        match std::fs::read(dir.join(path)) {
            Ok(bytes) => {
                if &sha256_hex(&bytes) != want {
                    r.hash = "changed";
                    r.problems
                        .push("SHA-256 differs from SHA256SUMS: the file was changed".into());
                }
                contents.insert(path.clone(), bytes);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                r.hash = "missing";
                r.problems.push("listed in SHA256SUMS but missing".into());
            }
            Err(e) => {
                r.hash = "missing";
                r.problems.push(format!("cannot read: {e}"));
            }
        }
        files.push(r);
    }
    for p in present {
        if p == SUMS_FILE || p == SUMS_SIG_FILE || listed.contains_key(p) {
            continue;
        }
        // The bundle writer's marker file is written after the manifest; it is accepted only
        // with its fixed text.
        if p == super::manifest::MARKER {
            match std::fs::read(dir.join(p)) {
                Ok(b) if b == super::manifest::MARKER_TEXT.as_bytes() => continue,
                _ => {
                    files.push(FileReport {
                        path: p.clone(),
                        hash: "changed",
                        authenticode: None,
                        signature: None,
                        problems: vec![
                            "the fixgen marker file does not have its fixed text".into()
                        ],
                    });
                    continue;
                }
            }
        }
        let mut r = FileReport {
            path: p.clone(),
            hash: "unlisted",
            authenticode: None,
            signature: None,
            problems: vec!["not listed in SHA256SUMS: the file was added".into()],
        };
        if let Ok(bytes) = std::fs::read(dir.join(p)) {
            contents.insert(p.clone(), bytes);
        } else {
            r.problems.push("cannot read".into());
        }
        files.push(r);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, contents)
}

/// manifest.json, parsed and held to SHA256SUMS; which files it says are signed.
fn check_manifest(
    contents: &BTreeMap<String, Vec<u8>>,
    listed: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) -> (Option<Manifest>, BTreeMap<String, bool>) {
    // manifest.json: parse it and hold it to what is on disk.
    let manifest: Option<Manifest> = match contents.get(MANIFEST_FILE) {
        Some(b) => match serde_json::from_slice::<Manifest>(b) {
            Ok(m) => Some(m),
            Err(e) => {
                problems.push(format!("{MANIFEST_FILE} is not a fixgen manifest ({e})"));
                None
            }
        },
        None => {
            problems.push(format!("{MANIFEST_FILE} is missing or not listed"));
            None
        }
    };
    let mut expect_signed: BTreeMap<String, bool> = BTreeMap::new();
    if let Some(m) = &manifest {
        for f in &m.files {
            expect_signed.insert(f.path.clone(), f.authenticode);
            match listed.get(&f.path) {
                None => problems.push(format!(
                    "{MANIFEST_FILE} lists `{}`, which SHA256SUMS does not",
                    f.path
                )),
                Some(h) if *h != f.sha256 => problems.push(format!(
                    "{MANIFEST_FILE} and SHA256SUMS disagree on the SHA-256 of `{}`",
                    f.path
                )),
                Some(_) => {}
            }
        }
        for p in listed.keys() {
            if p != MANIFEST_FILE && !m.files.iter().any(|f| &f.path == p) {
                problems.push(format!(
                    "SHA256SUMS lists `{p}`, which {MANIFEST_FILE} does not"
                ));
            }
        }
    }
    (manifest, expect_signed)
}

/// The Authenticode block of every PowerShell file that could be read.
fn authenticode(
    files: &mut [FileReport],
    contents: &BTreeMap<String, Vec<u8>>,
    expect_signed: &BTreeMap<String, bool>,
    opts: &VerifyOptions,
) {
    // Authenticode blocks.
    for r in files.iter_mut() {
        if !is_powershell(&r.path) {
            continue;
        }
        let Some(bytes) = contents.get(&r.path) else {
            continue;
        };
        // A file with marker lines that are not a well-formed final block is invalid (not
        // unsigned): verify_script reports why.
        if super::script_block_status(bytes) != Ok(false) {
            match verify_script(bytes, opts) {
                Ok(info) => {
                    r.authenticode = Some("valid");
                    r.signature = Some(info);
                }
                Err(e) => {
                    r.authenticode = Some("invalid");
                    r.problems.push(format!("Authenticode: {e}"));
                }
            }
        } else {
            r.authenticode = Some("unsigned");
            if expect_signed.get(r.path.as_str()).copied().unwrap_or(false) {
                r.problems.push(
                    "Authenticode: the manifest says this file is signed, but it has no signature block"
                        .into(),
                );
            }
        }
    }
}

/// SHA256SUMS.p7s: "valid", "invalid" or "absent", and who signed it.
fn sums_signature(
    dir: &Path,
    sums_bytes: Option<&[u8]>,
    manifest: Option<&Manifest>,
    opts: &VerifyOptions,
    problems: &mut Vec<String>,
) -> Result<(&'static str, Option<SignatureInfo>), BundleIoError> {
    // SHA256SUMS.p7s
    let mut sums_signature = "absent";
    let mut sums_signer = None;
    match std::fs::read(dir.join(SUMS_SIG_FILE)) {
        Ok(p7s) => match sums_bytes {
            Some(sums) => match verify_detached(sums, &p7s, opts) {
                Ok(info) => {
                    sums_signature = "valid";
                    sums_signer = Some(info);
                }
                Err(e) => {
                    sums_signature = "invalid";
                    problems.push(format!("{SUMS_SIG_FILE}: {e}"));
                }
            },
            None => {
                sums_signature = "invalid";
                problems.push(format!("{SUMS_SIG_FILE} is present but {SUMS_FILE} is not"));
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if manifest.is_some_and(|m| m.signed) {
                problems.push(format!(
                    "{SUMS_SIG_FILE} is missing, but {MANIFEST_FILE} says the bundle is signed"
                ));
            }
        }
        Err(e) => {
            return Err(BundleIoError(format!(
                "{}: {e}",
                dir.join(SUMS_SIG_FILE).display()
            )));
        }
    }
    Ok((sums_signature, sums_signer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_parser_rejects_escapes_from_the_bundle() {
        let h = "0".repeat(64);
        assert!(parse_sums(&format!("{h}  ../x\n")).is_err());
        assert!(parse_sums(&format!("{h}  /etc/passwd\n")).is_err());
        assert!(parse_sums(&format!("{h}  a//b\n")).is_err());
        assert!(parse_sums(&format!("{h} x\n")).is_err());
        let m = parse_sums(&format!("{h}  a/b.ps1\n{h} *c\n")).unwrap();
        assert_eq!(m.len(), 2);
        assert!(parse_sums(&format!("{h}  a\n{h}  a\n")).is_err());
    }
}
