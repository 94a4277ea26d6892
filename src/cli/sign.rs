//! `fixgen sign FILE...`: Authenticode-sign PowerShell files in place, and the signing options
//! shared with `fixgen build` ([`SigningArgs`]).

use crate::term::{errln, outln};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::exit_codes::ExitCode;
use super::Exit;
use crate::sign::{Password, SignError, Signer};

/// Signing options (`--cert`/`--key` or `--pfx`, with a password source).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct SigningArgs {
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
    fn is_set(&self) -> bool {
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
    pub(crate) fn load(&self) -> Result<Option<Signer>, SignError> {
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

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SignArgs {
    /// PowerShell files to sign in place (.ps1, .psm1, .psd1); an existing signature is replaced
    #[arg(required_unless_present = "bundle", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Sign a bundle folder written by `fixgen build`: every PowerShell file (scripts, module,
    /// GPO startup copies, Intune scripts), the Intune payloads made again from the signed
    /// bytes, and REVIEW.md, manifest.json, SHA256SUMS and SHA256SUMS.p7s written again
    #[arg(long, value_name = "DIR", conflicts_with = "files")]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub signing: SigningArgs,
}

fn is_powershell(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["ps1", "psm1", "psd1"].contains(&e.to_ascii_lowercase().as_str()))
}

pub(crate) fn run(args: SignArgs) -> Exit {
    if !args.signing.is_set() {
        return super::usage_error(
            "fixgen sign needs --cert CERT.pem --key KEY.pem, or --pfx FILE.pfx".to_string(),
        );
    }
    if let Some(dir) = &args.bundle {
        return match args.signing.load() {
            Ok(Some(s)) => super::sign_bundle::run(dir, &s),
            Ok(None) => Exit::Usage,
            Err(e) => {
                errln!("error: {e}");
                e.exit()
            }
        };
    }
    let bad: Vec<&PathBuf> = args.files.iter().filter(|f| !is_powershell(f)).collect();
    if !bad.is_empty() {
        for f in bad {
            errln!(
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
            errln!("error: {e}");
            return e.exit();
        }
    };
    // A progress bar on a terminal once signing takes more than a second; lines are printed
    // with the bar cleared.
    let progress = crate::progress::Progress::new(args.files.len() as u64, "signing");
    let exit = sign_files(&signer, &args.files, &progress);
    progress.finish();
    super::sign_bundle::warn_inside_bundle(&args.files);
    exit
}

/// What happened to one file before its rename.
enum Prepared {
    /// Signed into this temporary file.
    Ready {
        tmp: PathBuf,
        had_block: bool,
        locale_warning: bool,
    },
    /// Left untouched: the message and the exit code.
    Failed(String, Exit),
}

/// Sign `files` in place. Each file is read, signed and written to a temporary file beside it
/// by a few worker threads (started once: each thread seeds its own random generator), the
/// temporary files are flushed to disk together, then renamed over the originals in order. A
/// file whose reading, signing or writing fails is left untouched and reported.
fn sign_files(signer: &Signer, files: &[PathBuf], progress: &crate::progress::Progress) -> Exit {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(files.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let pid = std::process::id();
    let mut prepared: Vec<(usize, Prepared)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(f) = files.get(i) else { break };
                        done.push((i, prepare(signer, f, &temp_path(f, &format!("{pid}-{i}")))));
                        progress.inc();
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    prepared.sort_by_key(|p| p.0);
    let mut exit = Exit::Ok;
    if prepared.len() != files.len() {
        progress.suspend(|| errln!("error: a signing thread panicked; no file was replaced"));
        for (_, p) in &prepared {
            if let Prepared::Ready { tmp, .. } = p {
                let _ = std::fs::remove_file(tmp);
            }
        }
        return Exit::Usage;
    }
    let temps: Vec<PathBuf> = prepared
        .iter()
        .filter_map(|(_, p)| match p {
            Prepared::Ready { tmp, .. } => Some(tmp.clone()),
            Prepared::Failed(..) => None,
        })
        .collect();
    if let Err((p, e)) = crate::write::sync::sync_files(&temps) {
        let target = prepared
            .iter()
            .find(|(_, x)| matches!(x, Prepared::Ready { tmp, .. } if *tmp == p))
            .map(|(i, _)| files[*i].display().to_string())
            .unwrap_or_else(|| "a signed file".to_string());
        progress.suspend(|| errln!("error: {target}: cannot write: {e}; no file was replaced"));
        for t in &temps {
            let _ = std::fs::remove_file(t);
        }
        return e.exit();
    }
    for (i, p) in prepared {
        let shown = files[i].display();
        match p {
            Prepared::Failed(message, code) => {
                progress.suspend(|| errln!("error: {message}"));
                if code == Exit::Usage {
                    exit = Exit::Usage;
                } else {
                    worse(&mut exit, code);
                }
            }
            Prepared::Ready {
                tmp,
                had_block,
                locale_warning,
            } => {
                if locale_warning {
                    progress.suspend(|| errln!(
                        "warning: {shown}: non-ASCII text without a byte order mark; Windows PowerShell 5.1 reads such a file in the machine's ANSI code page, so the signature only verifies where that code page matches. Prefer pure ASCII (or UTF-8 with BOM where Intune is not involved)."
                    ));
                }
                if let Err(e) = std::fs::rename(&tmp, &files[i]) {
                    let _ = std::fs::remove_file(&tmp);
                    progress.suspend(|| errln!("error: {shown}: cannot write: {e}"));
                    exit = e.exit();
                    continue;
                }
                progress.suspend(|| {
                    outln!(
                        "{} {shown} ({}, {})",
                        if had_block { "re-signed" } else { "signed" },
                        signer.subject(),
                        signer.key_description()
                    )
                });
            }
        }
    }
    exit
}

fn worse(exit: &mut Exit, e: Exit) {
    if *exit == Exit::Ok {
        *exit = e;
    }
}

/// Read, sign and write one file to `tmp` (not flushed yet).
fn prepare(signer: &Signer, f: &Path, tmp: &Path) -> Prepared {
    let shown = f.display().to_string();
    let bytes = match crate::load::read_regular(f) {
        Ok(b) => b,
        Err(e) => return Prepared::Failed(format!("{shown}: {e}"), e.exit()),
    };
    let signed = match signer.sign_script(&bytes, &shown) {
        Ok(s) => s,
        Err(e) => return Prepared::Failed(e.to_string(), e.exit()),
    };
    if let Err(e) = write_temp(tmp, f, &signed) {
        let _ = std::fs::remove_file(tmp);
        return Prepared::Failed(format!("{shown}: cannot write: {e}"), e.exit());
    }
    Prepared::Ready {
        tmp: tmp.to_path_buf(),
        had_block: crate::sign::has_signature_block(&bytes),
        locale_warning: Signer::script_has_locale_dependent_text(&bytes),
    }
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
