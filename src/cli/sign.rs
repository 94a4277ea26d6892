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
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.fixgen-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
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
    for f in &args.files {
        let shown = f.display().to_string();
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {shown}: {e}");
                exit = Exit::Usage;
                continue;
            }
        };
        let had_block = crate::sign::has_signature_block(&bytes);
        let signed = match signer.sign_script(&bytes, &shown) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                if exit == Exit::Ok {
                    exit = exit_for(&e);
                }
                continue;
            }
        };
        if Signer::script_has_locale_dependent_text(&bytes) {
            eprintln!(
                "warning: {shown}: non-ASCII text without a byte order mark; Windows PowerShell 5.1 reads such a file in the machine's ANSI code page, so the signature only verifies where that code page matches. Prefer pure ASCII (or UTF-8 with BOM where Intune is not involved)."
            );
        }
        if let Err(e) = write_atomically(f, &signed) {
            eprintln!("error: {shown}: cannot write: {e}");
            exit = Exit::Usage;
            continue;
        }
        println!(
            "{} {shown} ({}, {})",
            if had_block { "re-signed" } else { "signed" },
            signer.subject(),
            signer.key_description()
        );
    }
    exit
}
