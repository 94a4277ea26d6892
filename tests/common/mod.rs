//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Path of the `fixgen` binary built for these tests.
pub fn fixgen_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_fixgen"))
}

/// A `Command` running the real binary, with colours off.
pub fn fixgen() -> Command {
    let mut c = Command::new(fixgen_bin());
    c.env("NO_COLOR", "1");
    c
}

/// True when oracle tests must not skip (`.ci/run` sets `FIXGEN_REQUIRE_ORACLES=1`).
pub fn oracles_required() -> bool {
    std::env::var("FIXGEN_REQUIRE_ORACLES").is_ok_and(|v| v == "1")
}

/// Find an external oracle tool on PATH (or at an absolute path).
///
/// Returns `None` with a printed reason when it is missing, so the caller can skip; panics
/// instead when `FIXGEN_REQUIRE_ORACLES=1`, so CI can never skip an oracle silently.
pub fn oracle(tool: &str) -> Option<PathBuf> {
    let found = if Path::new(tool).is_absolute() {
        Path::new(tool).exists().then(|| PathBuf::from(tool))
    } else {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(tool))
                .find(|p| p.is_file())
        })
    };
    match found {
        Some(p) => Some(p),
        None if oracles_required() => {
            panic!("oracle `{tool}` is not installed and FIXGEN_REQUIRE_ORACLES=1")
        }
        None => {
            skipped(&format!("oracle `{tool}` is not installed"));
            None
        }
    }
}

/// Print `SKIPPED (test name): reason` where a plain `cargo test` shows it.
///
/// libtest captures the output of the `print!`/`eprint!` macros of a passing test and throws it
/// away, so an `eprintln!` skip line was never seen. A write through `std::io::stderr()` itself
/// is not captured (the capture only hooks the macros), so the line reaches the terminal (or
/// cargo's stderr) however the test ends. The thread name is the test's name under libtest.
/// Each line is printed once per test (a test that skips one oracle call per file says so once).
pub fn skipped(reason: &str) {
    use std::io::Write;
    static SEEN: std::sync::Mutex<std::collections::BTreeSet<String>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let test = std::thread::current()
        .name()
        .unwrap_or("<unnamed test>")
        .to_string();
    let line =
        format!("SKIPPED ({test}): {reason} (set FIXGEN_REQUIRE_ORACLES=1 to fail instead)\n");
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if seen.insert(line.clone()) {
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

pub mod psdata;
pub mod pwsh;
pub mod pwsh_allowlist;
pub mod pwsh_host;

/// Every file under `root` (a built bundle), by relative path with `/` separators.
pub fn bundle_files(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    out
}

/// Write a bundle folder for a test: `dir` (created with its parents) holding each
/// `(file name, text)` of `files` (bundle.yaml and recipes).
pub fn write_bundle(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).expect("create bundle folder");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write bundle file");
    }
}

/// A command's stdout followed by its stderr, as text (what the assertions search).
pub fn output_text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A command's exit code, stdout and stderr, labelled (for failure messages).
pub fn output_report(o: &std::process::Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
