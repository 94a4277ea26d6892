//! `fixgen sign FILE...`: Authenticode-sign PowerShell files in place, and the signing options
//! shared with `fixgen build` ([`SigningArgs`]).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::Exit;
use crate::sign::{Password, SignError, Signer};

/// Signing options (`--cert`/`--key` or `--pfx`, with a password source).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SigningArgs {
    /// PEM file with the signer certificate and any chain certificates (use with --key)
    #[arg(long, value_name = "PEM", requires = "key", conflicts_with = "pfx")]
    pub cert: Option<PathBuf>,
    /// PEM private key: PKCS#8, PKCS#1 RSA, SEC1 P-256, or encrypted PKCS#8 (use with --cert)
    #[arg(long, value_name = "PEM", requires = "cert", conflicts_with = "pfx")]
    pub key: Option<PathBuf>,
    /// PFX/PKCS#12 file with the private key and certificates (Export-PfxCertificate, OpenSSL)
    #[arg(long, value_name = "FILE")]
    pub pfx: Option<PathBuf>,
    /// Take the PFX or key password from this environment variable
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// Take the PFX or key password from the first line of this file
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// RFC 3161 time-stamping authority (http://) for every Authenticode signature, so the
    /// signatures stay valid after the certificate expires
    #[arg(long, value_name = "URL")]
    pub timestamp_url: Option<String>,
}

impl SigningArgs {
    /// True when signing was asked for.
    pub fn is_set(&self) -> bool {
        self.pfx.is_some() || self.cert.is_some()
    }

    /// The password from --password-env, --password-file, or a prompt on the terminal.
    fn password(&self, what: &Path) -> Result<Password, SignError> {
        if let Some(var) = &self.password_env {
            return match std::env::var(var) {
                Ok(v) => Ok(Zeroizing::new(v)),
                Err(_) => Err(SignError::NoPassword(format!(
                    "--password-env {var}: the environment variable is not set (or not UTF-8)"
                ))),
            };
        }
        if let Some(file) = &self.password_file {
            let text =
                Zeroizing::new(std::fs::read_to_string(file).map_err(|e| SignError::Io {
                    path: file.display().to_string(),
                    message: format!("cannot read the password file: {e}"),
                })?);
            let first = text.lines().next().unwrap_or_default();
            return Ok(Zeroizing::new(first.to_string()));
        }
        if std::io::stdin().is_terminal() {
            return rpassword::prompt_password(format!("Password for {}: ", what.display()))
                .map(Zeroizing::new)
                .map_err(|e| SignError::NoPassword(format!("cannot read the password: {e}")));
        }
        Err(SignError::NoPassword(format!(
            "{} needs a password: pass --password-env VAR or --password-file FILE (there is no terminal to ask on)",
            what.display()
        )))
    }

    /// Load the signer (keys and certificates parsed and checked once), or `None` without
    /// signing options.
    pub fn load(&self) -> Result<Option<Signer>, SignError> {
        let signer = if let Some(pfx) = &self.pfx {
            let pw = self.password(pfx)?;
            Signer::from_pfx_file(pfx, &pw)?
        } else {
            match (&self.cert, &self.key) {
                (Some(cert), Some(key)) => {
                    let ask = || self.password(key);
                    Signer::from_pem_files(cert, key, Some(&ask))?
                }
                (None, None) => {
                    if self.timestamp_url.is_some() {
                        return Err(SignError::Key(
                            "--timestamp-url needs signing options (--cert/--key or --pfx)"
                                .to_string(),
                        ));
                    }
                    return Ok(None);
                }
                _ => {
                    return Err(SignError::Key(
                        "--cert and --key go together (or use --pfx)".to_string(),
                    ))
                }
            }
        };
        let mut signer = signer;
        if let Some(url) = &self.timestamp_url {
            signer.set_timestamp_url(url)?;
        }
        Ok(Some(signer))
    }
}

/// Exit code for an error that stops signing before it starts.
pub fn exit_for(e: &SignError) -> Exit {
    match e {
        SignError::Script { .. } => Exit::Findings,
        _ => Exit::Usage,
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct SignArgs {
    /// PowerShell files to sign in place (.ps1, .psm1, .psd1); an existing signature is replaced
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub signing: SigningArgs,
}

fn is_powershell(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["ps1", "psm1", "psd1"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Write `bytes` next to `path`, then rename over it: a failure never leaves half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_path(path, &std::process::id().to_string());
    let result = write_temp(&tmp, path, bytes)
        .and_then(|_| {
            crate::write::sync::sync_files(std::slice::from_ref(&tmp)).map_err(|(_, e)| e)
        })
        .and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub fn run(args: SignArgs) -> Exit {
    if !args.signing.is_set() {
        eprintln!("error: fixgen sign needs --cert CERT.pem --key KEY.pem, or --pfx FILE.pfx");
        return Exit::Usage;
    }
    let bad: Vec<&PathBuf> = args.files.iter().filter(|f| !is_powershell(f)).collect();
    if !bad.is_empty() {
        for f in bad {
            eprintln!(
                "error: {}: not a PowerShell file (.ps1, .psm1 or .psd1)",
                f.display()
            );
        }
        return Exit::Usage;
    }
    let signer = match args.signing.load() {
        Ok(Some(s)) => s,
        Ok(None) => return Exit::Usage,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_for(&e);
        }
    };
    let mut exit = Exit::Ok;
    for batch in args.files.chunks(BATCH) {
        sign_batch(&signer, batch, &mut exit);
    }
    exit
}

/// Files signed together: bounds memory and open files. A batch is read and signed on every
/// core, written to temporary files, flushed to disk together, then renamed into place one by
/// one; a file whose reading, signing or writing fails is left untouched.
const BATCH: usize = 256;

fn worse(exit: &mut Exit, e: Exit) {
    if *exit == Exit::Ok {
        *exit = e;
    }
}

fn sign_batch(signer: &Signer, files: &[PathBuf], exit: &mut Exit) {
    let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    // Read, then sign in parallel (keys were parsed once, in `signer`).
    let read: Vec<Option<Vec<u8>>> = files
        .iter()
        .zip(&shown)
        .map(|(f, s)| match std::fs::read(f) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("error: {s}: {e}");
                *exit = Exit::Usage;
                None
            }
        })
        .collect();
    let signed = sign_parallel(signer, &read, &shown);
    // Temporary files beside each target, flushed together before any rename.
    let pid = std::process::id();
    let mut pending: Vec<(usize, PathBuf)> = Vec::new();
    for (i, r) in signed.into_iter().enumerate() {
        let (Some(bytes), Some(result)) = (&read[i], r) else {
            continue;
        };
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                eprintln!("error: {e}");
                worse(exit, exit_for(&e));
                continue;
            }
        };
        if Signer::script_has_locale_dependent_text(bytes) {
            eprintln!(
                "warning: {}: non-ASCII text without a byte order mark; Windows PowerShell 5.1 reads such a file in the machine's ANSI code page, so the signature only verifies where that code page matches. Prefer pure ASCII (or UTF-8 with BOM where Intune is not involved).",
                shown[i]
            );
        }
        let tmp = temp_path(&files[i], &format!("{pid}-{i}"));
        if let Err(e) = write_temp(&tmp, &files[i], &out) {
            let _ = std::fs::remove_file(&tmp);
            eprintln!("error: {}: cannot write: {e}", shown[i]);
            *exit = Exit::Usage;
            continue;
        }
        pending.push((i, tmp));
    }
    let temps: Vec<PathBuf> = pending.iter().map(|(_, t)| t.clone()).collect();
    if let Err((p, e)) = crate::write::sync::sync_files(&temps) {
        let target = pending
            .iter()
            .find(|(_, t)| *t == p)
            .map(|(i, _)| shown[*i].as_str())
            .unwrap_or("a signed file");
        eprintln!("error: {target}: cannot write: {e}; no file of this batch was replaced");
        for t in &temps {
            let _ = std::fs::remove_file(t);
        }
        *exit = Exit::Usage;
        return;
    }
    for (i, tmp) in pending {
        if let Err(e) = std::fs::rename(&tmp, &files[i]) {
            let _ = std::fs::remove_file(&tmp);
            eprintln!("error: {}: cannot write: {e}", shown[i]);
            *exit = Exit::Usage;
            continue;
        }
        let had_block = read[i]
            .as_deref()
            .is_some_and(crate::sign::has_signature_block);
        println!(
            "{} {} ({}, {})",
            if had_block { "re-signed" } else { "signed" },
            shown[i],
            signer.subject(),
            signer.key_description()
        );
    }
}

/// Sign every read file, on up to as many threads as there are cores (at most 8).
fn sign_parallel(
    signer: &Signer,
    read: &[Option<Vec<u8>>],
    shown: &[String],
) -> Vec<Option<Result<Vec<u8>, SignError>>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let per = read.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = read
            .chunks(per)
            .zip(shown.chunks(per))
            .map(|(files, names)| {
                s.spawn(move || {
                    files
                        .iter()
                        .zip(names)
                        .map(|(b, n)| b.as_ref().map(|b| signer.sign_script(b, n)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(read.chunks(per))
            .flat_map(|(h, files)| {
                h.join().unwrap_or_else(|_| {
                    files
                        .iter()
                        .map(|_| {
                            Some(Err(SignError::Crypto(
                                "a signing thread panicked".to_string(),
                            )))
                        })
                        .collect()
                })
            })
            .collect()
    })
}

/// `.NAME.fixgen-TAG.tmp` beside `path`.
fn temp_path(path: &Path, tag: &str) -> PathBuf {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    dir.join(format!(".{name}.fixgen-{tag}.tmp"))
}

/// Write `bytes` to `tmp` with the permissions of `target` (not flushed yet).
fn write_temp(tmp: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(tmp)?;
    f.write_all(bytes)?;
    if let Ok(meta) = std::fs::metadata(target) {
        std::fs::set_permissions(tmp, meta.permissions())?;
    }
    Ok(())
}
