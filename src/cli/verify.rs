//! `fixgen verify PATH [--ca PEM] [--format json]`: check a bundle folder (SHA256SUMS,
//! manifest.json, Authenticode blocks, SHA256SUMS.p7s) or one signed PowerShell file.

use super::exit_codes::ExitCode;
use crate::term::{errln, outln};
use std::path::PathBuf;

use serde::Serialize;

use super::{Exit, Format};
use crate::sign::bundle::{verify_bundle, BundleReport};
use crate::sign::{load_ca_file, verify_script, SignatureInfo, TrustStatus, VerifyOptions};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct VerifyArgs {
    /// Bundle folder written by `fixgen build`, or one signed PowerShell file
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Trusted CA certificates (PEM) that every signature must chain to
    #[arg(long, value_name = "PEM")]
    pub ca: Option<PathBuf>,
    /// Output format: human (one line per file: ok or FAILED with the reason) or json (every
    /// file's path, hash status, signature and problems)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Serialize)]
struct FileResult<'a> {
    path: &'a str,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: Option<&'a SignatureInfo>,
    problems: Vec<String>,
    notes: Vec<String>,
}

fn trust(t: TrustStatus) -> &'static str {
    match t {
        TrustStatus::Trusted => "chains to --ca",
        TrustStatus::NotChecked => "trust not checked",
    }
}

fn describe(info: &SignatureInfo) -> String {
    let ts = match (&info.timestamp, info.legacy_timestamp) {
        (Some(t), _) => format!(
            "; timestamped {} by {} ({})",
            t.time,
            t.authority,
            trust(t.trust)
        ),
        (None, true) => "; legacy countersignature timestamp (not checked)".to_string(),
        (None, false) => String::new(),
    };
    format!(
        "{} ({}, {}){ts}",
        info.signer,
        info.algorithm,
        trust(info.trust)
    )
}

/// What a script signature covers, in bytes: `over 1234 of 5678 bytes (everything before the
/// signature block)`.
fn coverage(info: &SignatureInfo) -> String {
    format!(
        "over {} of {} bytes (everything before the signature block)",
        info.signed_bytes, info.file_bytes
    )
}

fn print_json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => crate::term::out_json(&format!("{s}\n")),
        Err(e) => errln!("error: cannot write JSON: {e}"),
    }
}

pub(crate) fn run(args: VerifyArgs) -> Exit {
    let ca = match &args.ca {
        Some(p) => match load_ca_file(p) {
            Ok(c) => Some(c),
            Err(e) => {
                return super::usage_error(format!("--ca {e}"));
            }
        },
        None => None,
    };
    let opts = VerifyOptions {
        ca,
        now: std::time::SystemTime::now(),
    };
    let meta = match std::fs::metadata(&args.path) {
        Ok(m) => m,
        Err(e) => {
            errln!("error: {}: {e}", args.path.display());
            return e.exit();
        }
    };
    if meta.is_file() {
        return verify_file(&args, &opts);
    }
    // A bundle holds only folders and regular files: anything else (a FIFO would make the
    // verifier wait forever, a link could point anywhere) fails verification before any read.
    let special = special_entries(&args.path);
    if !special.is_empty() {
        for (p, why) in &special {
            outln!("FAILED  {p}: {why}; a fixgen bundle holds only regular files");
        }
        outln!(
            "verified {}: {} problem(s) found",
            args.path.display(),
            special.len()
        );
        return Exit::Findings;
    }
    let report = match verify_bundle(&args.path, &opts) {
        Ok(r) => r,
        Err(e) => {
            errln!("error: {e}");
            return e.exit();
        }
    };
    match args.format {
        Format::Json => print_json(&report),
        Format::Human => print_human(&report),
    }
    if report.ok {
        Exit::Ok
    } else {
        Exit::Findings
    }
}

/// Entries under `dir` that are neither folders nor regular files (symbolic links not
/// followed), as (path relative to `dir`, what it is), sorted.
fn special_entries(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() => {}
                Ok(t) => {
                    let rel = p.strip_prefix(dir).unwrap_or(&p);
                    found.push((
                        rel.to_string_lossy().replace('\\', "/"),
                        crate::load::not_regular(&t),
                    ));
                }
                Err(_) => {}
            }
        }
    }
    found.sort();
    found
}

fn verify_file(args: &VerifyArgs, opts: &VerifyOptions) -> Exit {
    let shown = args.path.display().to_string();
    let bytes = match crate::load::read_regular(&args.path) {
        Ok(b) => b,
        Err(e) => {
            errln!("error: {shown}: {e}");
            return e.exit();
        }
    };
    let result = verify_script(&bytes, opts);
    let mut notes = Vec::new();
    if opts.ca.is_none() && result.is_ok() {
        notes.push("not checked against a trusted CA: pass --ca CA.pem to check who signed".into());
    }
    let out = FileResult {
        path: &shown,
        ok: result.is_ok(),
        signature: result.as_ref().ok(),
        problems: result.as_ref().err().cloned().into_iter().collect(),
        notes,
    };
    match args.format {
        Format::Json => print_json(&out),
        Format::Human => match &result {
            Ok(info) => {
                outln!(
                    "ok      {shown}: Authenticode valid {}, signed by {}",
                    coverage(info),
                    describe(info)
                );
                for n in &out.notes {
                    outln!("note: {n}");
                }
            }
            Err(e) => outln!("FAILED  {shown}: {e}"),
        },
    }
    if result.is_ok() {
        Exit::Ok
    } else {
        Exit::Findings
    }
}

fn print_human(r: &BundleReport) {
    for f in &r.files {
        if f.ok() {
            let sig = match (&f.authenticode, &f.signature) {
                (Some(_), Some(info)) => {
                    format!(
                        "; Authenticode valid {}, signed by {}",
                        coverage(info),
                        describe(info)
                    )
                }
                (Some(a), None) => format!("; Authenticode {a}"),
                _ => String::new(),
            };
            outln!("ok      {}: SHA-256 matches{sig}", f.path);
        } else {
            for p in &f.problems {
                outln!("FAILED  {}: {p}", f.path);
            }
        }
    }
    match (&r.sums_signer, r.sums_signature) {
        (Some(info), _) => outln!(
            "ok      SHA256SUMS.p7s: valid over the {} bytes of SHA256SUMS, signed by {}",
            info.signed_bytes,
            describe(info)
        ),
        (None, "absent") => outln!("note: the bundle is not signed (no SHA256SUMS.p7s)"),
        _ => {}
    }
    for p in &r.problems {
        outln!("FAILED  {p}");
    }
    for n in &r.notes {
        outln!("note: {n}");
    }
    let failed = r.files.iter().filter(|f| !f.ok()).count() + r.problems.len();
    if r.ok {
        // The files checked against SHA256SUMS, SHA256SUMS and its signature.
        let sums = crate::sign::manifest::SUMS_FILE.to_string();
        let sig = crate::sign::manifest::SUMS_SIG_FILE.to_string();
        let signed = r.sums_signature != "absent";
        let paths = r.files.iter().map(|f| &f.path).chain([&sums]);
        let n = crate::sign::manifest::bundle_file_count(paths.chain(signed.then_some(&sig)));
        outln!("verified {}: {n} files, all ok", r.dir);
    } else {
        outln!("verified {}: {failed} problem(s) found", r.dir);
    }
}
