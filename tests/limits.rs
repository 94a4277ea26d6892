//! Limits of `src/limits.rs` through the binary: at the limit is accepted, over it is a located
//! error and nothing is built. `tests/bad_corpus.rs` (`limits_are_enforced_and_located`,
//! `limits_have_located_errors`) covers file size, YAML depth, aliases, alias expansion, steps
//! and params over the limit, the title, registry string data and an implicit bundle of too
//! many recipes; this file covers the rest.

mod common;

use std::path::Path;

use fixgen::pipeline::parts::limits::{
    MAX_DISPLAY_NAME, MAX_FILE_BYTES, MAX_PARAMS, MAX_RECIPES, MAX_REG_FILE_BYTES, MAX_REG_TEXT,
    MAX_STEPS, MAX_TEXT, MAX_TITLE,
};

const STEP: &str = "  - registry:\n      key: HKLM\\SYSTEM\\CurrentControlSet\\Services\\FixgenTest\n      name: V{i}\n      value: { dword: 1 }\n";

fn recipe(id: &str, title: &str, summary: &str, steps: usize) -> String {
    let mut s = format!("id: {id}\ntitle: {title}\nsummary: {summary}\nsteps:\n");
    for i in 0..steps {
        s.push_str(&STEP.replace("{i}", &i.to_string()));
    }
    s
}

/// `fixgen check --format json PATH`: (exit code, diagnostics with severity error).
fn check(path: &Path) -> (Option<i32>, Vec<serde_json::Value>) {
    let o = common::fixgen()
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let errors = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .cloned()
        .collect();
    (o.status.code(), errors)
}

/// A build of `path` must fail with exit 1 and create nothing.
fn build_writes_nothing(path: &Path) {
    let out = tempfile::tempdir().unwrap();
    let dist = out.path().join("dist");
    let o = common::fixgen()
        .arg("build")
        .arg(path)
        .arg("--out")
        .arg(&dist)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!dist.exists());
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn free_text_length() {
    let t = tempfile::tempdir().unwrap();
    // At every text limit at once: accepted.
    let ok = t.path().join("long-ok.yaml");
    let mut text = recipe("long-ok", &"t".repeat(MAX_TITLE), &"s".repeat(MAX_TEXT), 1);
    text.push_str(&format!(
        "  - registry:\n      key: HKLM\\SYSTEM\\CurrentControlSet\\Services\\FixgenTest\n      name: long\n      value: {{ string: {} }}\n",
        "r".repeat(MAX_REG_TEXT)
    ));
    text.push_str(&format!(
        "  - firewall:\n      id: fixgen-long\n      display_name: {}\n      description: {}\n      direction: inbound\n      protocol: tcp\n      local_ports: [443]\n      action: allow\n",
        "d".repeat(MAX_DISPLAY_NAME),
        "e".repeat(MAX_TEXT)
    ));
    std::fs::write(&ok, &text).unwrap();
    let (code, errors) = check(&ok);
    assert_eq!((code, errors.len()), (Some(0), 0), "{errors:?}");

    // One character more in the summary (multi-byte: characters count, not bytes) and in the
    // firewall display name.
    let dir = t.path().join("bad");
    std::fs::create_dir(&dir).unwrap();
    let bad = dir.join("long.yaml");
    let mut text = recipe("long", "t", &"\u{e9}".repeat(MAX_TEXT + 1), 1);
    text.push_str(&format!(
        "  - firewall:\n      id: fixgen-long\n      display_name: {}\n      direction: inbound\n      protocol: tcp\n      local_ports: [443]\n      action: allow\n",
        "d".repeat(MAX_DISPLAY_NAME + 1),
    ));
    std::fs::write(&bad, text).unwrap();
    let (code, errors) = check(&bad);
    assert_eq!(code, Some(1));
    assert_eq!(errors.len(), 2, "{errors:?}");
    let d = &errors[0];
    assert_eq!(d["code"], "limit-text");
    assert_eq!(d["field"], "summary");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(10))
    );
    let msg = d["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!("{} characters", MAX_TEXT + 1)),
        "{msg}"
    );
    assert!(
        !msg.contains("\u{e9}\u{e9}"),
        "the message must not echo the text"
    );
    let d = &errors[1];
    assert_eq!(d["code"], "limit-text");
    assert_eq!(d["field"], "steps[1].firewall.display_name");
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains(&format!("at most {MAX_DISPLAY_NAME}")));
    build_writes_nothing(&dir);
}

#[test]
fn steps_and_params_at_the_limit() {
    let t = tempfile::tempdir().unwrap();
    let ok = t.path().join("many-ok.yaml");
    let mut text = recipe("many-ok", "t", "s", MAX_STEPS);
    // Each param is used (an unused param is a finding of its own).
    let mut params = String::from("params:\n");
    for i in 0..MAX_PARAMS {
        params.push_str(&format!("  P{i}: {{ type: int, default: {i} }}\n"));
        text = text.replacen(
            "value: { dword: 1 }",
            &format!("value: {{ dword: {{ param: P{i} }} }}"),
            1,
        );
    }
    let text = text.replacen("steps:\n", &format!("{params}steps:\n"), 1);
    std::fs::write(&ok, &text).unwrap();
    let (code, errors) = check(&ok);
    assert_eq!((code, errors.len()), (Some(0), 0), "{errors:?}");

    let dir = t.path().join("bad");
    std::fs::create_dir(&dir).unwrap();
    let bad = dir.join("many.yaml");
    std::fs::write(&bad, recipe("many", "t", "s", MAX_STEPS + 1)).unwrap();
    let (code, errors) = check(&bad);
    assert_eq!(code, Some(1));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["code"], "limit-steps");
    assert_eq!(errors[0]["field"], "steps");
    build_writes_nothing(&dir);
}

#[test]
fn recipes_per_bundle() {
    let t = tempfile::tempdir().unwrap();
    let write = |dir: &Path, n: usize| {
        std::fs::create_dir(dir).unwrap();
        let mut ids = Vec::new();
        for i in 0..n {
            let id = format!("r-{i:04}");
            std::fs::write(dir.join(format!("{id}.yaml")), recipe(&id, "t", "s", 1)).unwrap();
            ids.push(id);
        }
        std::fs::write(
            dir.join("bundle.yaml"),
            format!(
                "name: Many\ntitle: t\nversion: 1.0.0\ndescription: d\npublisher: p\nrecipes:\n{}",
                ids.iter().map(|i| format!("  - {i}\n")).collect::<String>()
            ),
        )
        .unwrap();
    };
    // A bundle.yaml listing as many recipes as allowed: accepted.
    let ok = t.path().join("ok");
    write(&ok, MAX_RECIPES);
    let (code, errors) = check(&ok);
    assert_eq!((code, errors.len()), (Some(0), 0), "{errors:?}");

    // One more: located at the first entry over the limit in bundle.yaml.
    let bad = t.path().join("bad");
    write(&bad, MAX_RECIPES + 1);
    let (code, errors) = check(&bad);
    assert_eq!(code, Some(1));
    assert_eq!(errors.len(), 1, "{errors:?}");
    let d = &errors[0];
    assert_eq!(d["code"], "limit-recipes");
    assert!(d["file"].as_str().unwrap().ends_with("bundle.yaml"), "{d}");
    assert_eq!(d["field"], format!("recipes[{MAX_RECIPES}]"));
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(7 + MAX_RECIPES as u64), Some(5))
    );
    assert!(d["message"].as_str().unwrap().contains(&format!(
        "lists {} recipes; a bundle holds at most {MAX_RECIPES}",
        MAX_RECIPES + 1
    )));
    build_writes_nothing(&bad);
}

#[test]
fn values_file_size() {
    let t = tempfile::tempdir().unwrap();
    let values = t.path().join("values.yaml");
    let mut text = String::from("ServerAddress: vpn.example.com\n# ");
    text.push_str(&"x".repeat(MAX_FILE_BYTES as usize));
    std::fs::write(&values, text).unwrap();
    let dist = t.path().join("dist");
    let o = common::fixgen()
        .args(["build", "--values"])
        .arg(&values)
        .arg("--out")
        .arg(&dist)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("values.yaml"), "{stderr}");
    assert!(stderr.contains("1 MiB"), "{stderr}");
    assert!(!dist.exists());
}

#[test]
fn reg_file_size() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huge.reg");
    // Sparse: no disk space used; refused by its size before reading.
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(MAX_REG_FILE_BYTES + 1).unwrap();
    let o = common::fixgen().arg("check").arg(&p).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("huge.reg"), "{stderr}");
    assert!(
        stderr.contains(&format!("checked up to {MAX_REG_FILE_BYTES} bytes")),
        "{stderr}"
    );
}
