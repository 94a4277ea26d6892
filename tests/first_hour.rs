//! Issue 19, "the first hour": the messages a new user meets, through the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::fixgen;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn text(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

fn run(args: &[&str], dir: &Path) -> Output {
    fixgen().args(args).current_dir(dir).output().unwrap()
}

/// A copy of the L2TP bundle folder under `dir`.
fn l2tp_copy(dir: &Path) -> PathBuf {
    let to = dir.join("l2tp");
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(root().join("recipes/l2tp")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
    to
}

const SECRET: &str = "Fh-Secret-9qv2";

fn values_file(dir: &Path) -> PathBuf {
    let p = dir.join("v.yaml");
    std::fs::write(
        &p,
        format!("ConnectionName: Work\nServerAddress: vpn.example.com\nPreSharedKey: {SECRET}\n"),
    )
    .unwrap();
    p
}

#[test]
fn a_value_for_an_undeclared_param_is_an_error_naming_the_nearest_param() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // --set with a typo: an error, nothing written, the declared name suggested.
    let o = run(&["build", "--set", "ConectionName=X", "--out", "dist"], d);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = stderr(&o);
    assert!(
        t.lines().any(|l| l.starts_with("error:")
            && l.contains("ConectionName")
            && l.contains("did you mean `ConnectionName`?")),
        "{t}"
    );
    assert!(!d.join("dist").exists(), "a failed build wrote files");
    // The same typo in a --values file: located at its line.
    std::fs::write(
        d.join("v.yaml"),
        "ConnectionName: Work\nServerAdress: vpn\n",
    )
    .unwrap();
    let o = run(&["plan", "--values", "v.yaml"], d);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stderr(&o).contains("v.yaml:2: `ServerAdress`")
            && stderr(&o).contains("did you mean `ServerAddress`?"),
        "{}",
        text(&o)
    );
    // With the flag the value is ignored with a warning and the build goes on.
    let o = run(
        &[
            "build",
            "--set",
            "ConectionName=X",
            "--allow-unknown-values",
            "--out",
            "dist",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        stderr(&o).contains("warning: --set ConectionName=..."),
        "{}",
        text(&o)
    );
    assert!(d.join("dist/scripts/vpn-security.ps1").is_file());
}

#[test]
fn a_values_file_inside_the_bundle_folder_is_one_finding() {
    let dir = tempfile::tempdir().unwrap();
    let b = l2tp_copy(dir.path());
    std::fs::write(
        b.join("values.yaml"),
        "ConnectionName: Work\nServerAddress: vpn.example.com\n",
    )
    .unwrap();
    let o = run(
        &["check", b.to_str().unwrap(), "--format", "json"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{v:#}");
    let d = &diags[0];
    assert!(d["file"].as_str().unwrap().ends_with("values.yaml"), "{d}");
    let m = d["message"].as_str().unwrap();
    assert!(
        m.contains("not listed in bundle.yaml; a values file?"),
        "{m}"
    );
    assert!(d["hint"].as_str().unwrap().contains("--values"), "{d}");
}

#[test]
fn a_secret_is_reported_once_and_a_build_with_the_flag_prints_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = values_file(d);
    let o = run(
        &["build", "--values", v.to_str().unwrap(), "--out", "dist"],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    // One finding (a located diagnostic: its first line, then `= in`, `= field`, `= hint`).
    let about: Vec<&str> = t
        .lines()
        .filter(|l| l.starts_with("error") && l.contains("PreSharedKey"))
        .collect();
    assert_eq!(about.len(), 1, "one finding for one fact:\n{t}");
    assert!(
        about[0].contains("vpn-security") && about[0].contains("recreate-connection"),
        "{t}"
    );
    assert!(t.contains("--allow-embedded-secrets"), "{t}");
    assert!(!t.contains("warning:") && !t.contains("note:"), "{t}");
    assert!(!t.contains(SECRET));
    assert!(!d.join("dist").exists());

    let o = run(
        &[
            "build",
            "--values",
            v.to_str().unwrap(),
            "--allow-embedded-secrets",
            "--out",
            "dist",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(!t.contains(SECRET));
    // (The summary's `left out: gpo/ startup script` line names why, issue 15 item 7; it is not
    // a report of the secret.)
    let lines: Vec<&str> = t
        .lines()
        .filter(|l| l.contains("secret") && !l.trim_start().starts_with("left out: gpo/"))
        .collect();
    assert_eq!(lines.len(), 1, "{t}");
    // The count it gives is the number of files manifest.json marks.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("dist/manifest.json")).unwrap()).unwrap();
    let marked = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["holds_secret"] == true)
        .count();
    assert!(marked > 1);
    assert!(
        lines[0].contains(&format!("{marked} files hold a secret")),
        "{marked}: {}",
        lines[0]
    );
}

#[test]
fn a_version_read_as_a_number_gets_a_hint_about_the_form_and_quoting() {
    let dir = tempfile::tempdir().unwrap();
    let b = l2tp_copy(dir.path());
    let y = std::fs::read_to_string(b.join("bundle.yaml")).unwrap();
    std::fs::write(
        b.join("bundle.yaml"),
        y.replace("version: 1.0.0", "version: 1.0"),
    )
    .unwrap();
    let o = run(
        &["check", b.to_str().unwrap(), "--format", "json"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["field"] == "version")
        .unwrap_or_else(|| panic!("{v:#}"));
    let hint = d["hint"].as_str().unwrap_or_else(|| panic!("no hint: {d}"));
    assert!(
        hint.contains("MAJOR.MINOR.PATCH") && hint.contains("quote"),
        "{hint}"
    );
}

#[test]
fn plan_without_bundle_yaml_shows_no_hash_of_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("fixes");
    std::fs::create_dir(&f).unwrap();
    std::fs::copy(
        root().join("recipes/l2tp/nat-traversal.yaml"),
        f.join("nat-traversal.yaml"),
    )
    .unwrap();
    let o = run(&["plan", "fixes"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The SHA-256 of zero bytes, computed by the oracle.
    let empty = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::null())
        .output()
        .map(|o| {
            stdout(&o)
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_else(|_| {
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()
        });
    assert_eq!(empty.len(), 64);
    let t = stdout(&o);
    assert!(!t.contains(&empty), "{t}");
    assert!(t.contains("no bundle.yaml"), "{t}");
}

/// The number in "wrote N files", "verified DIR: N files" and "N file(s) identical".
fn count_in(t: &str, before: &str) -> usize {
    let i = t
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} not in {t}"));
    t[..i]
        .rsplit(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no count before {before:?} in {t}"))
}

#[test]
fn build_verify_and_check_count_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(&["build", "--out", "dist"], d);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let built = count_in(&stdout(&o), " files for bundle");
    let o = run(&["verify", "dist"], d);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let verified = count_in(&stdout(&o), " files, all ok");
    let o = run(&["build", "--check", "--out", "dist"], d);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let checked = count_in(&stdout(&o), " file(s) identical");
    // What is in the folder (find), less fixgen's marker file.
    let on_disk = common::bundle_files(&d.join("dist"))
        .keys()
        .filter(|p| *p != ".fixgen-bundle")
        .count();
    assert_eq!(
        (built, verified, checked),
        (on_disk, on_disk, on_disk),
        "build, verify, build --check, files on disk"
    );
}

/// Every `README "Section"` named in any `--help` text is a heading of README.md.
#[test]
fn every_readme_section_named_in_help_exists() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let headings: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let mut named = Vec::new();
    for cmd in [
        vec!["--help"],
        vec!["build", "--help"],
        vec!["check", "--help"],
        vec!["list", "--help"],
        vec!["plan", "--help"],
        vec!["schema", "--help"],
        vec!["sign", "--help"],
        vec!["verify", "--help"],
    ] {
        let o = fixgen().args(&cmd).output().unwrap();
        assert!(o.status.success());
        let t = stdout(&o);
        let mut rest = t.as_str();
        while let Some(i) = rest.find("README \"") {
            let after = &rest[i + 8..];
            let end = after.find('"').expect("closing quote");
            named.push((cmd.join(" "), after[..end].to_string()));
            rest = &after[end..];
        }
        // --format is described for what this command prints, not in diagnostics' words.
        if ["list", "plan", "verify"].contains(&cmd[0]) {
            assert!(
                !t.contains("carets") && !t.contains("fixgen::diag"),
                "{cmd:?}:\n{t}"
            );
        }
    }
    assert!(named.iter().any(|(c, _)| c == "build --help"), "{named:?}");
    for (cmd, section) in &named {
        assert!(
            headings.contains(&section.as_str()),
            "`fixgen {cmd}` names README section {section:?}, which README.md does not have"
        );
    }
}

/// PowerShell's own help reader (Get-Help) on the built files: a mandatory param's help does not
/// call it optional, and the module's read-only Test-* functions document no exit code.
#[test]
fn powershell_help_matches_what_the_scripts_do() {
    let Some(pwsh) = common::pwsh_host::pwsh() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["build", "--out", "dist"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let script = r#"
$ErrorActionPreference = 'Stop'
$p = Get-Help ./dist/scripts/Invoke-L2tpIpsecFix.ps1 -Parameter PreSharedKey
'REQUIRED=' + $p.required
'DESC=' + (($p.description | Out-String) -replace '\s+', ' ').Trim()
Import-Module ./dist/module/L2tpIpsecFix/L2tpIpsecFix.psd1
$n = 0
foreach ($c in Get-Command -Module L2tpIpsecFix -Name Test-L2tpIpsecFix*) {
    $n++
    'TEST ' + $c.Name + '=' + ((Get-Help $c.Name -Full | Out-String) -replace '\s+', ' ')
}
'TESTS=' + $n
"#;
    let out = common::pwsh_host::pwsh_command(&pwsh)
        .args(["-Command", script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let t = stdout(&out);
    assert!(out.status.success(), "{t}{}", stderr(&out));
    assert!(t.contains("REQUIRED=true"), "{t}");
    let desc = t.lines().find(|l| l.starts_with("DESC=")).unwrap();
    assert!(
        !desc.contains("Optional"),
        "mandatory param called optional: {desc}"
    );
    assert!(t.contains("TESTS=6"), "{t}");
    for l in t.lines().filter(|l| l.starts_with("TEST ")) {
        assert!(
            !l.contains("Exit code"),
            "a Test-* function documents exit codes: {l}"
        );
    }
}

/// The first `fixgen build`: a short summary on stdout, nothing on stderr; each left-out target
/// in one line, the open params and the one command that fills them.
#[test]
fn the_first_build_ends_with_a_short_summary() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["build"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(stderr(&o), "", "no warning or note on the first build");
    let t = stdout(&o);
    let lines: Vec<&str> = t.lines().collect();
    let on_disk = common::bundle_files(&dir.path().join("dist"))
        .keys()
        .filter(|p| *p != ".fixgen-bundle")
        .count();
    assert!(
        lines[0].starts_with(&format!("wrote {on_disk} files for bundle L2tpIpsecFix")),
        "{t}"
    );
    let left: Vec<&&str> = lines.iter().filter(|l| l.contains("left out:")).collect();
    assert_eq!(left.len(), 2, "{t}");
    assert!(left.iter().any(|l| l.contains("intune/")), "{t}");
    assert!(t.contains("`fixgen plan`"), "{t}");
    assert!(t.contains("fixgen build --values values.yaml"), "{t}");
    assert!(lines.len() <= 6, "{t}");
    assert!(lines.iter().all(|l| l.len() <= 200), "{t}");
}
