//! `fixgen check` and `fixgen build --target all` agree (issue 14): a mutation test through the
//! real binary. Every scalar of the embedded bundle (`recipes/l2tp/`) is replaced, a few at a
//! time, by hostile values (empty, device names, wildcards, very long text, control characters,
//! `..`, line breaks, NUL, reserved PowerShell names, out-of-range numbers); params are renamed
//! to reserved or case-clashing names; steps are duplicated with changed data; param types are
//! changed in one recipe; the `--values` file gets hostile values. The bad-input corpus
//! (`tests/bad/`, `tests/bad_bundles/`) runs as it is.
//!
//! For every input, `check` (with the same `--values`) runs, and when it accepts, `build
//! --target all` (with the values and `--allow-embedded-secrets`); the test fails when `check`
//! accepts what `build` rejects, when either crashes, or when a build that `check` accepted
//! leaves a target out for any reason but a missing value.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

const VALUES: &str =
    "ConnectionName: Office VPN\nServerAddress: vpn.example.com\nPreSharedKey: s3cret-psk\n";

/// Hostile replacements, as YAML double-quoted scalars (so they stay one token).
const HOSTILE: &[&str] = &[
    r#""""#,
    r#""CON""#,
    r#""nul""#,
    r#""*""#,
    r#""..""#,
    r#""a\nb""#,
    r#""a\0b""#,
    r#""a\x01b""#,
    r#""Host""#,
    r#""WhatIf""#,
    r#""-1""#,
    "4294967296",
    r#""Expression""#,
    r#""com1""#,
    r#""a\u0085b""#,
    r#""x\rb""#,
    r#""[a]""#,
    r#""PSItem""#,
];

fn long_value() -> String {
    format!("\"{}\"", "x".repeat(300))
}

/// Byte ranges of the plain scalars after `key: ` on a line (block and flow mappings), skipping
/// block-scalar indicators, flow collections and comments.
fn scalar_spans(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b':' && b[i + 1] == b' ' {
            let start = i + 2;
            let mut j = start;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            let s = j;
            if s < b.len() && !matches!(b[s], b'{' | b'[' | b'>' | b'|' | b'#' | b'&' | b'*') {
                let quoted = matches!(b[s], b'"' | b'\'');
                let mut e = s + 1;
                if quoted {
                    while e < b.len() && b[e] != b[s] {
                        e += 1;
                    }
                    e = (e + 1).min(b.len());
                } else {
                    while e < b.len() && !matches!(b[e], b',' | b'}' | b']' | b'#') {
                        e += 1;
                    }
                    while e > s && b[e - 1] == b' ' {
                        e -= 1;
                    }
                }
                if e > s {
                    out.push((s, e));
                }
                i = e;
                continue;
            }
        }
        i += 1;
    }
    out
}

struct Mutant {
    what: String,
    /// (file name in the bundle folder, new text); None = delete nothing.
    files: Vec<(String, String)>,
    /// The `--values` file; `None` builds without values (params left open, so scripts take
    /// them as parameters and the Intune target is left out for them).
    values: Option<String>,
}

fn bundle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes/l2tp")
}

fn originals() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(bundle_dir())
        .expect("read recipes/l2tp")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("read recipe"),
            )
        })
        .collect();
    v.sort();
    v
}

fn mutants() -> Vec<Mutant> {
    let files = originals();
    let mut out = Vec::new();
    let long = long_value();
    let mut pool: Vec<&str> = HOSTILE.to_vec();
    pool.push(&long);
    let mut k = 0usize;
    // Scalars: each replaced by two hostile values, rotating through the pool; every other
    // mutant is built without values.
    for (name, text) in &files {
        let lines: Vec<&str> = text.lines().collect();
        for (li, line) in lines.iter().enumerate() {
            for (s, e) in scalar_spans(line) {
                for r in 0..2 {
                    let v = pool[(k * 2 + r) % pool.len()];
                    let mut new_lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                    new_lines[li] = format!("{}{}{}", &line[..s], v, &line[e..]);
                    out.push(Mutant {
                        what: format!("{name}:{}: `{}` -> {v}", li + 1, &line[s..e]),
                        files: vec![(name.clone(), new_lines.join("\n") + "\n")],
                        values: (r == 0).then(|| VALUES.to_string()),
                    });
                }
                k += 1;
            }
        }
    }
    // Params renamed (declaration and uses) in one recipe: reserved names, case clashes.
    for (name, text) in &files {
        for p in ["ConnectionName", "ServerAddress", "PreSharedKey"] {
            if !text.contains(&format!("  {p}:")) {
                continue;
            }
            for to in [
                "Host",
                "Verbose",
                "PSItem",
                "Args",
                "Input",
                "MyInvocation",
                "ErrorAction",
                "FixgenX",
                &p.to_lowercase(),
            ] {
                for values in [Some(VALUES.replace(p, to)), None] {
                    out.push(Mutant {
                        what: format!(
                            "{name}: param {p} renamed {to} (values: {})",
                            values.is_some()
                        ),
                        files: vec![(name.clone(), text.replace(p, to))],
                        values,
                    });
                }
            }
            // Type changed in this recipe only.
            for ty in ["int", "bool", "string", "hostname"] {
                let decl = format!("  {p}:\n    type: ");
                if let Some(at) = text.find(&decl) {
                    let rest = &text[at + decl.len()..];
                    let end = rest.find('\n').unwrap_or(rest.len());
                    let new = format!("{}{ty}{}", &text[..at + decl.len()], &rest[end..]);
                    out.push(Mutant {
                        what: format!("{name}: param {p} type {ty}"),
                        files: vec![(name.clone(), new)],
                        values: Some(VALUES.to_string()),
                    });
                }
            }
            // A second declaration differing only in case.
            let lower = p.to_lowercase();
            out.push(Mutant {
                what: format!("{name}: param {p} declared twice ({lower})"),
                files: vec![(
                    name.clone(),
                    text.replacen(
                        "params:\n",
                        &format!("params:\n  {lower}:\n    type: string\n"),
                        1,
                    ),
                )],
                values: Some(VALUES.to_string()),
            });
        }
    }
    // Steps duplicated with other data (same value or service set twice), in one recipe and
    // across the bundle.
    for (name, text) in &files {
        if let Some(at) = text.find("steps:\n") {
            let body = &text[at + 7..];
            let first_end = body[2..]
                .find("\n  - ")
                .map(|i| i + 3)
                .unwrap_or(body.len());
            let step = &body[..first_end];
            let changed = step
                .replace("dword: 2", "dword: 1")
                .replace("dword: 0", "dword: 1")
                .replace("startup: automatic", "startup: manual")
                .replace("state: running", "state: stopped");
            let new = format!("{}{}{}", &text[..at + 7], changed, body);
            out.push(Mutant {
                what: format!("{name}: first step duplicated with changed data"),
                files: vec![(name.clone(), new)],
                values: Some(VALUES.to_string()),
            });
        }
    }
    for (a, b, step) in [
        (
            "nat-traversal.yaml",
            "windows-update.yaml",
            "  - registry:\n      key: HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent\n      name: AssumeUDPEncapsulationContextOnSendRule\n      value: { dword: 1 }\n",
        ),
        (
            "ipsec-services.yaml",
            "windows-update.yaml",
            "  - service: { name: IKEEXT, startup: disabled, state: stopped }\n",
        ),
        (
            "ipsec-services.yaml",
            "nat-traversal.yaml",
            "  - registry:\n      key: HKLM\\SYSTEM\\CurrentControlSet\\Services\\IKEEXT\n      name: Start\n      value: { dword: 4 }\n",
        ),
    ] {
        let text = files.iter().find(|(n, _)| n == b).expect("file").1.clone();
        out.push(Mutant {
            what: format!("{b}: a step that contradicts {a}"),
            files: vec![(b.to_string(), text.replacen("steps:\n", &format!("steps:\n{step}"), 1))],
            values: Some(VALUES.to_string()),
        });
    }
    // The --values file: every param given each hostile text.
    for p in ["ConnectionName", "ServerAddress", "PreSharedKey"] {
        for v in pool
            .iter()
            .chain(&[r#""a\tb""#, r#""bad host""#, r#""\u200b""#])
        {
            let values = VALUES
                .lines()
                .map(|l| {
                    if l.starts_with(&format!("{p}:")) {
                        format!("{p}: {v}")
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n";
            out.push(Mutant {
                what: format!("--values {p}: {v}"),
                files: Vec::new(),
                values: Some(values),
            });
        }
    }
    out
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    common::fixgen().args(args).output().expect("run fixgen")
}

/// Run check and build on `dir` (with the values file, if any); a problem description when
/// they disagree.
fn disagreement(dir: &Path, values: Option<&Path>, out: &Path) -> Option<String> {
    let mut check_args: Vec<&std::ffi::OsStr> = vec!["check".as_ref(), dir.as_os_str()];
    let mut build_args: Vec<&std::ffi::OsStr> = vec![
        "build".as_ref(),
        dir.as_os_str(),
        "--target".as_ref(),
        "all".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    if let Some(v) = values {
        check_args.extend([
            "--values".as_ref(),
            v.as_os_str(),
            "--allow-embedded-secrets".as_ref(),
        ]);
        build_args.extend([
            "--values".as_ref(),
            v.as_os_str(),
            "--allow-embedded-secrets".as_ref(),
        ]);
    }
    let check = run(&check_args);
    let c = check.status.code();
    if c != Some(0) {
        // Refused (or usage error): `build` runs the same validation first; only a crash
        // matters here.
        return (!matches!(c, Some(1..=2))).then(|| {
            format!(
                "check crashed (exit {c:?}): {}",
                String::from_utf8_lossy(&check.stderr)
            )
        });
    }
    let build = run(&build_args);
    let b = build.status.code();
    let berr = String::from_utf8_lossy(&build.stderr);
    let show = || {
        format!(
            "check exit {c:?}:\n{}{}\nbuild exit {b:?}:\n{berr}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        )
    };
    if !matches!(c, Some(0..=2)) || !matches!(b, Some(0..=2)) {
        return Some(format!("a crash: {}", show()));
    }
    if c == Some(0) && b != Some(0) {
        return Some(format!("check accepts, build rejects: {}", show()));
    }
    if c == Some(0) && berr.contains("left out") && !berr.contains("has no value") {
        return Some(format!(
            "check accepts, build leaves a target out: {}",
            show()
        ));
    }
    None
}

#[test]
fn check_accepts_nothing_that_build_rejects() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("bundle");
    let out = tmp.path().join("out");
    let values = tmp.path().join("values.yaml");
    let originals = originals();
    let mutants = mutants();
    assert!(
        (250..=900).contains(&mutants.len()),
        "{} mutants",
        mutants.len()
    );
    let mut problems = Vec::new();
    let mut accepted = 0;
    for m in &mutants {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        for (n, t) in &originals {
            let t = m
                .files
                .iter()
                .find(|(f, _)| f == n)
                .map(|(_, t)| t)
                .unwrap_or(t);
            std::fs::write(dir.join(n), t).expect("write");
        }
        if let Some(v) = &m.values {
            std::fs::write(&values, v).expect("write values");
        }
        if let Some(p) = disagreement(&dir, m.values.as_ref().map(|_| values.as_path()), &out) {
            problems.push(format!("== {}\n{p}", m.what));
        }
        if out.join("SHA256SUMS").exists() {
            accepted += 1;
        }
        let _ = std::fs::remove_dir_all(&out);
    }
    eprintln!("{accepted} of {} mutants built", mutants.len());
    // The mutants exercise both sides: some build, most are refused.
    assert!(
        accepted > 20 && accepted < mutants.len() - 50,
        "{accepted} of {} mutants built",
        mutants.len()
    );
    assert!(
        problems.is_empty(),
        "{} of {} mutants disagree:\n{}",
        problems.len(),
        mutants.len(),
        problems.join("\n")
    );
}

#[test]
fn check_and_build_agree_on_the_bad_corpus() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let values = tmp.path().join("values.yaml");
    std::fs::write(&values, VALUES).expect("write values");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs: Vec<PathBuf> = Vec::new();
    for d in ["tests/bad", "tests/bad_bundles"] {
        for e in std::fs::read_dir(root.join(d)).expect("read corpus") {
            inputs.push(e.expect("entry").path());
        }
    }
    inputs.sort();
    assert!(inputs.len() > 40);
    let mut problems = Vec::new();
    for p in &inputs {
        if let Some(x) = disagreement(p, Some(&values), &out) {
            problems.push(format!("== {}\n{x}", p.display()));
        }
        let _ = std::fs::remove_dir_all(&out);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// 1-based (line, column) of the key `name` in the `params:` block of an embedded recipe, read
/// from the recipe text itself.
fn param_decl_pos(recipe: &str, name: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(bundle_dir().join(recipe)).expect("read recipe");
    let params = text
        .lines()
        .position(|l| l == "params:")
        .expect("a params: block");
    let key = format!("{name}:");
    let (i, line) = text
        .lines()
        .enumerate()
        .skip(params + 1)
        .find(|(_, l)| l.trim_start() == key)
        .expect("the param's declaration");
    (i + 1, line.len() - line.trim_start().len() + 1)
}

/// The five open params the Intune scripts of the embedded bundle need: (recipe, param).
const INTUNE_OPEN: &[(&str, &str)] = &[
    ("vpn-security.yaml", "ConnectionName"),
    ("vpn-security.yaml", "ServerAddress"),
    ("recreate-connection.yaml", "ConnectionName"),
    ("recreate-connection.yaml", "PreSharedKey"),
    ("recreate-connection.yaml", "ServerAddress"),
];

/// `build --target intune` without values: every open param is a located finding (the
/// param's declaration in its recipe, file:line:column, the code and the field), rendered as
/// `check` renders the validator's, and nothing is written (issue 16 item 4).
#[test]
fn build_target_intune_without_values_reports_located_diagnostics() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let o = run(&[
        "build".as_ref(),
        "--target".as_ref(),
        "intune".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let t = common::output_text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(!out.exists(), "a failed build writes nothing: {t}");
    for (recipe, param) in INTUNE_OPEN {
        let (line, col) = param_decl_pos(recipe, param);
        let at = format!("<embedded>/l2tp/{recipe}:{line}:{col}");
        let block = t
            .split("error[")
            .find(|b| b.contains(&at))
            .unwrap_or_else(|| panic!("no finding at {at}:\n{t}"));
        assert!(
            block.starts_with(&format!("intune-open-param]: param `{param}` has no value")),
            "{block}"
        );
        assert!(
            block.contains(&format!("in `params.{param}`")),
            "field: {block}"
        );
        assert!(block.contains(&format!("{param}:")), "source line: {block}");
        assert!(block.contains(&format!("--set {param}=")), "hint: {block}");
    }
    assert!(t.contains("5 error(s), 0 warning(s), 0 info(s)"), "{t}");
    assert!(!t.contains("error: recipe `"), "unlocated error lines: {t}");
}

/// `check --target intune` refuses what `build --target intune` refuses, with the same
/// findings (human and JSON); `--target all` leaves intune out in both, without an error.
#[test]
fn check_target_intune_agrees_with_build() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let check = run(&["check".as_ref(), "--target".as_ref(), "intune".as_ref()]);
    let build = run(&[
        "build".as_ref(),
        "--target".as_ref(),
        "intune".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let (c, b) = (common::output_text(&check), common::output_text(&build));
    assert_eq!(
        check.status.code(),
        Some(1),
        "check accepts what build refuses: {c}"
    );
    // The same findings: every `error[` block of the build is in check's output.
    let blocks = |t: &str| -> Vec<String> {
        t.split("error[")
            .skip(1)
            .map(|b| b.split("\n\n").next().unwrap_or(b).to_string())
            .collect()
    };
    assert_eq!(blocks(&c), blocks(&b), "check:\n{c}\nbuild:\n{b}");
    assert_eq!(blocks(&c).len(), INTUNE_OPEN.len(), "{c}");

    let json = run(&[
        "check".as_ref(),
        "--target".as_ref(),
        "intune".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    assert_eq!(v["summary"]["errors"], INTUNE_OPEN.len(), "{v}");
    for (recipe, param) in INTUNE_OPEN {
        let (line, col) = param_decl_pos(recipe, param);
        let found = v["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["code"] == "intune-open-param"
                && d["file"] == format!("<embedded>/l2tp/{recipe}")
                && d["line"] == line
                && d["column"] == col
                && d["field"] == format!("params.{param}")
                && d["hint"].as_str().is_some_and(|h| h.contains(param))
        });
        assert!(found, "{recipe} {param}: {v}");
    }

    // With every value given, both accept.
    let values = tmp.path().join("values.yaml");
    std::fs::write(&values, VALUES).expect("write values");
    let with = |cmd: &str| {
        let mut a: Vec<&std::ffi::OsStr> = vec![
            cmd.as_ref(),
            "--target".as_ref(),
            "intune".as_ref(),
            "--values".as_ref(),
            values.as_os_str(),
            "--allow-embedded-secrets".as_ref(),
        ];
        if cmd == "build" {
            a.extend(["--out".as_ref(), out.as_os_str()]);
        }
        run(&a)
    };
    let (c, b) = (with("check"), with("build"));
    assert_eq!(c.status.code(), Some(0), "{}", common::output_text(&c));
    assert_eq!(b.status.code(), Some(0), "{}", common::output_text(&b));
    let _ = std::fs::remove_dir_all(&out);

    // `--target all` without values: intune is left out with a note; neither refuses.
    let c = run(&["check".as_ref()]);
    let b = run(&["build".as_ref(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(c.status.code(), Some(0), "{}", common::output_text(&c));
    assert_eq!(b.status.code(), Some(0), "{}", common::output_text(&b));
    assert!(
        common::output_text(&b).contains("left out: intune/"),
        "{}",
        common::output_text(&b)
    );
}
