//! The real PowerShell 7 (an oracle we did not write) and Pester 5: where to find them and how
//! to run them.
//!
//! - `pwsh`: `FIXGEN_PWSH` (a path), else `pwsh` on PATH. A `dotnet tool` install starts
//!   through an apphost that needs `DOTNET_ROOT`; when it is unset we set it to the folder of the
//!   `dotnet` executable found on PATH (symlinks resolved).
//! - Pester: `FIXGEN_PESTER` (the path of `Pester.psd1` or of the folder holding it), else a
//!   Pester 5 found by `Import-Module Pester -MinimumVersion 5.0` on `PSModulePath`.
//!
//! Both follow the oracle rule: missing -> `None` and a printed SKIPPED reason; a panic instead
//! under `FIXGEN_REQUIRE_ORACLES=1`. `.ci/run` installs both (README "Tests").
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A missing tool: the reason, reported by [`found`] at every call (the lookup is cached, the
/// SKIPPED line must still name each test that skips).
fn missing(what: &str) -> Result<PathBuf, String> {
    Err(what.to_string())
}

/// `Some(path)`, or `None` with the SKIPPED line (a panic under `FIXGEN_REQUIRE_ORACLES=1`).
fn found(lookup: &Result<PathBuf, String>) -> Option<PathBuf> {
    match lookup {
        Ok(p) => Some(p.clone()),
        Err(what) if super::oracles_required() => {
            panic!("{what} and FIXGEN_REQUIRE_ORACLES=1")
        }
        Err(what) => {
            super::skipped(what);
            None
        }
    }
}

/// `DOTNET_ROOT` for a pwsh installed as a .NET tool: the folder of the real `dotnet`.
fn dotnet_root() -> Option<PathBuf> {
    if let Some(v) = std::env::var_os("DOTNET_ROOT") {
        return Some(PathBuf::from(v));
    }
    let paths = std::env::var_os("PATH")?;
    let exe = std::env::split_paths(&paths)
        .map(|d| d.join("dotnet"))
        .find(|p| p.is_file())?;
    std::fs::canonicalize(exe)
        .ok()?
        .parent()
        .map(Path::to_path_buf)
}

fn find_pwsh() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("FIXGEN_PWSH") {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            missing(&format!("FIXGEN_PWSH={} is not a file", p.display()))
        };
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("pwsh"))
            .find(|p| p.is_file())
    });
    match on_path {
        Some(p) => Ok(p),
        None => missing("PowerShell 7 (`pwsh`) is not installed: set FIXGEN_PWSH or put pwsh on PATH (README \"Tests\")"),
    }
}

/// The pwsh executable, or `None` (skip) when it is missing.
pub fn pwsh() -> Option<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    found(FOUND.get_or_init(find_pwsh))
}

/// A `Command` for `pwsh -NoProfile -NonInteractive`, with `DOTNET_ROOT` set and no colours.
pub fn pwsh_command(exe: &Path) -> Command {
    let mut c = Command::new(exe);
    c.args(["-NoLogo", "-NoProfile", "-NonInteractive"]);
    if let Some(root) = dotnet_root() {
        c.env("DOTNET_ROOT", root);
    }
    c.env("NO_COLOR", "1")
        .env("POWERSHELL_TELEMETRY_OPTOUT", "1")
        .env("POWERSHELL_UPDATECHECK", "Off");
    c
}

/// Run `script` (PowerShell source, passed as `-Command` text) and return its output.
pub fn run_pwsh(exe: &Path, script: &str) -> Output {
    pwsh_command(exe)
        .args(["-Command", script])
        .output()
        .expect("start pwsh")
}

fn find_pester(exe: &Path) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("FIXGEN_PESTER") {
        let p = PathBuf::from(p);
        let psd1 = if p.is_dir() { p.join("Pester.psd1") } else { p };
        return if psd1.is_file() {
            Ok(psd1)
        } else {
            missing(&format!(
                "FIXGEN_PESTER={} holds no Pester.psd1",
                psd1.display()
            ))
        };
    }
    let out = run_pwsh(
        exe,
        "$m = Get-Module -ListAvailable Pester | Where-Object { $_.Version.Major -eq 5 } | \
         Sort-Object Version -Descending | Select-Object -First 1; if ($m) { $m.Path }",
    );
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.status.success() && !path.is_empty() {
        Ok(PathBuf::from(path))
    } else {
        missing(
            "Pester 5 is not installed: set FIXGEN_PESTER to its Pester.psd1 (README \"Tests\")",
        )
    }
}

/// The `Pester.psd1` of a Pester 5, or `None` (skip) when pwsh or Pester is missing.
pub fn pester() -> Option<PathBuf> {
    let exe = pwsh()?;
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    found(FOUND.get_or_init(|| find_pester(&exe)))
}
