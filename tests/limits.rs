//! Every limit of `src/limits.rs` through the binary: over the limit is a located error and
//! nothing is built; at the limit is accepted. File size, YAML depth, aliases and alias
//! expansion are tested in `tests/bad_corpus.rs` (`limits_are_enforced_and_located`).

mod common;

use std::path::Path;

use fixgen::limits::{
    MAX_FILE_BYTES, MAX_RECIPES, MAX_REG_FILE_BYTES, MAX_STEPS, MAX_TEXT_CHARS, MAX_TITLE_CHARS,
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
fn text_length() {
    let t = tempfile::tempdir().unwrap();
    let ok = t.path().join("long-ok.yaml");
    std::fs::write(&ok, recipe("long-ok", "t", &"s".repeat(MAX_TEXT_CHARS), 1)).unwrap();
    let (code, errors) = check(&ok);
    assert_eq!((code, errors.len()), (Some(0), 0), "{errors:?}");

    let dir = t.path().join("bad");
    std::fs::create_dir(&dir).unwrap();
    let bad = dir.join("long.yaml");
    // Multi-byte characters: the limit counts characters, not bytes.
    let text = "é".repeat(MAX_TEXT_CHARS + 1);
    std::fs::write(&bad, recipe("long", "t", &text, 1)).unwrap();
    let (code, errors) = check(&bad);
    assert_eq!(code, Some(1));
    assert_eq!(errors.len(), 1, "{errors:?}");
    let d = &errors[0];
    assert_eq!(d["code"], "text-too-long");
    assert_eq!(d["field"], "summary");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(10))
    );
    let msg = d["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!("{} characters", MAX_TEXT_CHARS + 1)),
        "{msg}"
    );
    assert!(msg.contains(&MAX_TEXT_CHARS.to_string()), "{msg}");
    assert!(!msg.contains("éé"), "the message must not echo the text");
    build_writes_nothing(&dir);
}

#[test]
fn title_length() {
    let t = tempfile::tempdir().unwrap();
    let ok = t.path().join("title-ok.yaml");
    std::fs::write(
        &ok,
        recipe("title-ok", &"t".repeat(MAX_TITLE_CHARS), "s", 1),
    )
    .unwrap();
    assert_eq!(check(&ok).0, Some(0));
    let dir = t.path().join("bad");
    std::fs::create_dir(&dir).unwrap();
    let bad = dir.join("title.yaml");
    std::fs::write(
        &bad,
        recipe("title", &"t".repeat(MAX_TITLE_CHARS + 1), "s", 1),
    )
    .unwrap();
    let (code, errors) = check(&bad);
    assert_eq!(code, Some(1));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["code"], "title-too-long");
    assert_eq!(errors[0]["field"], "title");
    assert_eq!(errors[0]["line"], 2);
    build_writes_nothing(&dir);
}

#[test]
fn steps_per_recipe() {
    let t = tempfile::tempdir().unwrap();
    let ok = t.path().join("many-ok.yaml");
    std::fs::write(&ok, recipe("many-ok", "t", "s", MAX_STEPS)).unwrap();
    let (code, errors) = check(&ok);
    assert_eq!((code, errors.len()), (Some(0), 0), "{errors:?}");
    let dir = t.path().join("bad");
    std::fs::create_dir(&dir).unwrap();
    let bad = dir.join("many.yaml");
    std::fs::write(&bad, recipe("many", "t", "s", MAX_STEPS + 1)).unwrap();
    let (code, errors) = check(&bad);
    assert_eq!(code, Some(1));
    assert_eq!(errors.len(), 1, "{errors:?}");
    let d = &errors[0];
    assert_eq!(d["code"], "too-many-steps");
    assert_eq!(d["field"], "steps");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(5), Some(3))
    );
    assert!(d["message"].as_str().unwrap().contains(&format!(
        "{} steps; the limit is {MAX_STEPS}",
        MAX_STEPS + 1
    )));
    build_writes_nothing(&dir);
}

#[test]
fn recipes_per_bundle() {
    let t = tempfile::tempdir().unwrap();
    let write = |dir: &Path, n: usize, with_manifest: bool| {
        std::fs::create_dir(dir).unwrap();
        let mut ids = Vec::new();
        for i in 0..n {
            let id = format!("r-{i:04}");
            std::fs::write(dir.join(format!("{id}.yaml")), recipe(&id, "t", "s", 1)).unwrap();
            ids.push(id);
        }
        if with_manifest {
            std::fs::write(
                dir.join("bundle.yaml"),
                format!(
                    "name: Many\ntitle: t\nversion: 1.0.0\ndescription: d\npublisher: p\nrecipes: [{}]\n",
                    ids.join(", ")
                ),
            )
            .unwrap();
        }
    };
    // At the limit: accepted (implicit bundle; registry value names differ per step only, so
    // every recipe writes the same value: allowed across recipes).
    let ok = t.path().join("ok");
    write(&ok, MAX_RECIPES, false);
    let (code, errors) = check(&ok);
    assert_eq!((code, errors.len()), (Some(0), 0), "{errors:?}");

    for (name, manifest) in [("implicit", false), ("bundle", true)] {
        let bad = t.path().join(name);
        write(&bad, MAX_RECIPES + 1, manifest);
        let (code, errors) = check(&bad);
        assert_eq!(code, Some(1));
        assert_eq!(errors.len(), 1, "{errors:?}");
        let d = &errors[0];
        assert_eq!(d["code"], "too-many-recipes");
        let file = d["file"].as_str().unwrap();
        if manifest {
            assert!(file.ends_with("bundle.yaml"), "{file}");
        } else {
            assert!(file.ends_with("r-0000.yaml"), "{file}");
        }
        assert!(d["message"].as_str().unwrap().contains(&format!(
            "{} recipes; the limit is {MAX_RECIPES}",
            MAX_RECIPES + 1
        )));
        build_writes_nothing(&bad);
    }
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
