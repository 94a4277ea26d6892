//! The bad-input corpus: every file in `tests/bad/` and every folder in `tests/bad_bundles/`
//! states the findings it must produce in `# expect:` comment lines; this test runs the real
//! binary (`fixgen check --format json`) on each and compares. Every finding must be expected
//! (infos excepted) and every expectation found, with its line, column, field and message.
//!
//! Expectation syntax: `# expect: code=C line=L column=N field=F msg="substring"
//! [severity=warning] [file=name.yaml]` (file: for bundle folders, the file inside it).

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

#[derive(Debug, Default, Clone)]
struct Expect {
    code: String,
    line: u64,
    column: u64,
    field: String,
    msg: String,
    severity: String,
    file: Option<String>,
}

fn parse_kv(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        rest = &rest[eq + 1..];
        let value;
        if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').expect("closing quote in expectation");
            value = r[..end].to_string();
            rest = r[end + 1..].trim_start();
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            value = rest[..end].to_string();
            rest = rest[end..].trim_start();
        }
        out.push((key, value));
    }
    out
}

fn expectations(text: &str) -> Vec<Expect> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("# expect:"))
        .map(|l| {
            let mut e = Expect {
                severity: "error".into(),
                ..Expect::default()
            };
            for (k, v) in parse_kv(l) {
                match k.as_str() {
                    "code" => e.code = v,
                    "line" => e.line = v.parse().expect("line number"),
                    "column" => e.column = v.parse().expect("column number"),
                    "field" => e.field = v,
                    "msg" => e.msg = v,
                    "severity" => e.severity = v,
                    "file" => e.file = Some(v),
                    other => panic!("unknown expectation key {other}"),
                }
            }
            assert!(
                !e.code.is_empty() && !e.msg.is_empty() && e.line > 0,
                "incomplete expectation: {l}"
            );
            e
        })
        .collect()
}

fn run_json(path: &Path) -> (i32, Value) {
    let out = common::fixgen()
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .expect("run fixgen");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: stdout is not JSON ({e}): {}",
            path.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn matches(e: &Expect, d: &Value, base: &Path) -> bool {
    let file_ok = match &e.file {
        Some(f) => d["file"].as_str() == Some(base.join(f).to_string_lossy().as_ref()),
        None => true,
    };
    file_ok
        && d["code"] == e.code.as_str()
        && d["line"] == e.line
        && d["column"] == e.column
        && d["field"] == e.field.as_str()
        && d["severity"] == e.severity.as_str()
        && d["message"].as_str().is_some_and(|m| m.contains(&e.msg))
}

/// Check one case; returns problems found (empty: pass).
fn check_case(path: &Path, expects: &[Expect]) -> Vec<String> {
    let mut problems = Vec::new();
    if expects.is_empty() {
        return vec![format!("{}: no `# expect:` lines", path.display())];
    }
    let (code, v) = run_json(path);
    let base = if path.is_dir() {
        path.to_path_buf()
    } else {
        PathBuf::new()
    };
    let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
    let wants_error = expects.iter().any(|e| e.severity == "error");
    let want_code = if wants_error { 1 } else { 0 };
    if code != want_code {
        problems.push(format!(
            "{}: exit code {code}, expected {want_code}",
            path.display()
        ));
    }
    for e in expects {
        if !diags.iter().any(|d| matches(e, d, &base)) {
            problems.push(format!(
                "{}: expected {e:?}\n   got: {}",
                path.display(),
                serde_json::to_string_pretty(&diags).unwrap_or_default()
            ));
        }
    }
    for d in &diags {
        if d["severity"] == "info" {
            continue;
        }
        if !expects.iter().any(|e| matches(e, d, &base)) {
            problems.push(format!("{}: unexpected finding {d}", path.display()));
        }
    }
    problems
}

fn sorted_entries(dir: &str) -> Vec<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("read {}: {e}", d.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    v.sort();
    v
}

#[test]
fn bad_recipe_corpus() {
    let files: Vec<PathBuf> = sorted_entries("tests/bad")
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert!(
        files.len() >= 40,
        "the corpus must hold at least 40 bad recipes, has {}",
        files.len()
    );
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("corpus file is UTF-8");
        problems.extend(check_case(f, &expectations(&text)));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn bad_bundle_corpus() {
    let dirs: Vec<PathBuf> = sorted_entries("tests/bad_bundles")
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    assert!(!dirs.is_empty());
    let mut problems = Vec::new();
    for d in &dirs {
        let text =
            std::fs::read_to_string(d.join("expect.txt")).expect("expect.txt in each bundle case");
        problems.extend(check_case(d, &expectations(&text)));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("fixgen-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn one(path: &Path) -> Value {
    let (code, v) = run_json(path);
    assert_eq!(code, 1, "{}: {v}", path.display());
    let d = v["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(d.len(), 1, "{}: {v}", path.display());
    d[0].clone()
}

#[test]
fn generated_bad_inputs() {
    let t = TempDir::new("gen");
    let recipe_head = "id: x\ntitle: t\nsummary: s\n";

    // A 0-byte file.
    let p = t.0.join("empty.yaml");
    std::fs::write(&p, "").unwrap();
    let d = one(&p);
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("empty-file"), Some(1), Some(1))
    );
    assert!(d["message"].as_str().unwrap().contains("empty"));

    // Non-UTF-8: a Latin-1 byte on line 3, column 12.
    let p = t.0.join("latin1.yaml");
    let bytes = b"id: x\ntitle: t\nsummary: caf\xE9\nsteps: []\n";
    std::fs::write(&p, bytes).unwrap();
    let d = one(&p);
    assert_eq!(d["code"], "not-utf8");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(13))
    );
    assert!(
        d["message"].as_str().unwrap().contains("byte offset 27"),
        "{d}"
    );

    // 50 MB: refused by size, located at 1:1.
    let p = t.0.join("huge.yaml");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let d = one(&p);
    assert_eq!(d["code"], "file-too-large");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(
        d["message"].as_str().unwrap().contains("52428800 bytes"),
        "{d}"
    );

    // Billion laughs: nine levels of nine aliases each.
    let p = t.0.join("laughs.yaml");
    let mut s = String::from("a0: &a0 [lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        s.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 9].join(", ")));
    }
    std::fs::write(&p, &s).unwrap();
    let d = one(&p);
    assert_eq!(d["code"], "yaml-too-large", "{d}");
    assert!(
        d["message"].as_str().unwrap().contains("200000 values"),
        "{d}"
    );
    assert!(d["line"].as_u64().unwrap() >= 5, "{d}");

    // Many aliases.
    let p = t.0.join("aliases.yaml");
    let mut s = String::from("a: &a x\nb:\n");
    for _ in 0..300 {
        s.push_str("  - *a\n");
    }
    std::fs::write(&p, &s).unwrap();
    let d = one(&p);
    assert_eq!(d["code"], "yaml-aliases");
    assert_eq!(
        (
            d["line"].as_u64(),
            d["column"].as_u64(),
            d["field"].as_str()
        ),
        (Some(259), Some(5), Some("b[256]"))
    );

    // Deep nesting: 100 nested flow lists on line 4.
    let p = t.0.join("deep.yaml");
    let s = format!(
        "{recipe_head}steps: {}{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    std::fs::write(&p, &s).unwrap();
    let d = one(&p);
    assert_eq!(d["code"], "yaml-depth");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(71))
    );
    assert!(d["message"].as_str().unwrap().contains("deeper than 64"));

    // Deep block nesting (maps).
    let p = t.0.join("deep-map.yaml");
    let mut s = String::new();
    for i in 0..80 {
        s.push_str(&format!("{}k{i}:\n", "  ".repeat(i)));
    }
    std::fs::write(&p, &s).unwrap();
    let d = one(&p);
    assert_eq!(d["code"], "yaml-depth");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(65), Some(129))
    );
}

fn find<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["code"] == code))
        .unwrap_or_else(|| panic!("no {code} in {v}"))
}

#[test]
fn limits_have_located_errors() {
    let t = TempDir::new("limits");
    let step = "  - service: { name: IKEEXT, state: running }\n";

    // 257 steps; the error points at the list (line 5, the first `-`).
    let p = t.0.join("many-steps.yaml");
    std::fs::write(
        &p,
        format!(
            "id: many-steps\ntitle: t\nsummary: s\nsteps:\n{}",
            step.repeat(257)
        ),
    )
    .unwrap();
    let v = run_json(&p).1;
    let d = find(&v, "limit-steps");
    assert_eq!(
        (
            d["line"].as_u64(),
            d["column"].as_u64(),
            d["field"].as_str()
        ),
        (Some(5), Some(3), Some("steps"))
    );
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains("257 steps; at most 256"));

    // 65 params.
    let p = t.0.join("many-params.yaml");
    let mut s = String::from("id: many-params\ntitle: t\nsummary: s\nparams:\n");
    for i in 0..65 {
        s.push_str(&format!("  P{i}: {{ type: int }}\n"));
    }
    s.push_str("steps:\n");
    for i in 0..65 {
        s.push_str(&format!("  - registry: {{ key: HKLM\\SYSTEM\\V, name: N{i}, value: {{ dword: {{ param: P{i} }} }} }}\n"));
    }
    std::fs::write(&p, s).unwrap();
    let v = run_json(&p).1;
    let d = find(&v, "limit-params");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(5), Some(3))
    );
    assert_eq!(v["summary"]["errors"], 1, "{v}");

    // A 201-character title and a 32,768-character registry string.
    let p = t.0.join("long-text.yaml");
    std::fs::write(
        &p,
        format!(
            "id: long-text\ntitle: {}\nsummary: s\nsteps:\n  - registry:\n      key: HKLM\\SYSTEM\\V\n      name: N\n      value: {{ string: {} }}\n",
            "t".repeat(201),
            "x".repeat(32_768)
        ),
    )
    .unwrap();
    let v = run_json(&p).1;
    assert_eq!(v["summary"]["errors"], 2, "{v}");
    let d = &v["diagnostics"][0];
    assert_eq!(
        (
            d["code"].as_str(),
            d["line"].as_u64(),
            d["column"].as_u64(),
            d["field"].as_str()
        ),
        (Some("limit-text"), Some(2), Some(8), Some("title"))
    );
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains("201 characters long; at most 200"));
    let d = &v["diagnostics"][1];
    assert_eq!(
        (
            d["line"].as_u64(),
            d["column"].as_u64(),
            d["field"].as_str()
        ),
        (Some(8), Some(24), Some("steps[0].registry.value.string"))
    );

    // One recipe over the limit in an implicit bundle: the first file over it (by name) is
    // flagged.
    let max = fixgen::pipeline::parts::limits::MAX_RECIPES;
    let dir = t.0.join("many-recipes");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..=max {
        std::fs::write(
            dir.join(format!("r{i:05}.yaml")),
            format!("id: r{i:05}\ntitle: t\nsummary: s\nsteps:\n{step}"),
        )
        .unwrap();
    }
    let (code, v) = run_json(&dir);
    assert_eq!(code, 1);
    let d = find(&v, "limit-recipes");
    assert!(
        d["file"]
            .as_str()
            .unwrap()
            .ends_with(&format!("r{max:05}.yaml")),
        "{d}"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(5))
    );
    assert!(d["message"].as_str().unwrap().contains(&format!(
        "{} recipes were given; a bundle holds at most {max}",
        max + 1
    )));
}
