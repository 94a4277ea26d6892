//! The real binary on the embedded bundle: check, list, schema, exit codes, determinism.

mod common;

use std::path::Path;

use common::fixgen;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_embedded_bundle_is_clean_and_deterministic_from_any_directory() {
    let run = || {
        fixgen()
            .arg("check")
            .current_dir(std::env::temp_dir())
            .output()
            .expect("run fixgen")
    };
    let a = run();
    let b = run();
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stdout)
    );
    assert_eq!(a.stdout, b.stdout, "same input, same bytes");
    let text = String::from_utf8(a.stdout).unwrap();
    assert_eq!(text, "ok: bundle L2tpIpsecFix 1.0.0: 6 recipe(s) checked\n");
    assert!(!text.contains('\u{1b}'), "no colours when not a terminal");

    let json = fixgen()
        .args(["check", "--format", "json", "--deny-warnings"])
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["errors"], 0);
    assert_eq!(
        v["summary"]["warnings"], 0,
        "bundled recipes have no warnings: {v}"
    );
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0), "{v}");
}

#[test]
fn check_bundle_folder_on_disk_is_clean() {
    let out = fixgen()
        .args(["check", "--format", "json"])
        .arg(root().join("recipes/l2tp"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0), "{v}");
}

#[test]
fn every_file_in_recipes_l2tp_is_embedded_verbatim() {
    let dir = root().join("recipes/l2tp");
    let mut on_disk: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    on_disk.sort();
    let mut embedded: Vec<(String, String)> = fixgen::pipeline::parts::load::EMBEDDED_L2TP
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
}

#[test]
fn list_shows_the_six_recipes_in_order() {
    let out = fixgen()
        .args(["list", "--format", "json"])
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["recipes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "ipsec-services",
            "nat-traversal",
            "vpn-security",
            "firewall-ports",
            "recreate-connection",
            "windows-update"
        ]
    );
    let human = fixgen().arg("list").output().unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.starts_with("L2tpIpsecFix 1.0.0: "), "{text}");
    assert!(
        text.contains("nat-traversal") && text.contains("[reboot required]"),
        "{text}"
    );
}

#[test]
fn committed_schema_files_match_fixgen_schema() {
    for (kind, file) in [
        ("recipe", "recipe.schema.json"),
        ("bundle", "bundle.schema.json"),
    ] {
        let out = fixgen().args(["schema", kind]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let committed = std::fs::read_to_string(root().join("schema").join(file)).unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            committed,
            "schema/{file} is stale: run `cargo run -- schema --out schema`"
        );
        let v: serde_json::Value = serde_json::from_str(&committed).unwrap();
        assert!(v["$schema"].as_str().unwrap().contains("json-schema.org"));
    }
    // Bundled files point editors at the schema on their first line.
    for (name, text) in fixgen::pipeline::parts::load::EMBEDDED_L2TP {
        let want = if *name == "bundle.yaml" {
            "# yaml-language-server: $schema=../../schema/bundle.schema.json"
        } else {
            "# yaml-language-server: $schema=../../schema/recipe.schema.json"
        };
        assert_eq!(text.lines().next(), Some(want), "{name}");
    }
}

#[test]
fn schema_out_writes_both_files() {
    let dir = std::env::temp_dir().join(format!("fixgen-schema-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = fixgen()
        .arg("schema")
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    for f in ["recipe.schema.json", "bundle.schema.json"] {
        let written = std::fs::read_to_string(dir.join(f)).unwrap();
        assert_eq!(
            written,
            std::fs::read_to_string(root().join("schema").join(f)).unwrap()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exit_codes() {
    // 2: usage errors and missing paths.
    let out = fixgen().args(["check", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = fixgen()
        .args(["check", "/no/such/path.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/path.yaml"));
    let out = fixgen()
        .args(["check", "--format", "json", "/no/such/path.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "io");
    // 1: findings.
    let out = fixgen()
        .arg("check")
        .arg(root().join("tests/bad/port-zero.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // 0 with a warning; 1 with --deny-warnings.
    let warn = root().join("tests/bad/weak-crypto.yaml");
    let out = fixgen().arg("check").arg(&warn).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = fixgen()
        .arg("check")
        .arg("--deny-warnings")
        .arg(&warn)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // --help names the exit codes.
    let out = fixgen().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("Exit codes:") && help.contains("2  usage or I/O error"),
        "{help}"
    );
}

#[test]
fn human_output_shows_source_line_caret_field_and_hint() {
    let out = fixgen()
        .arg("check")
        .arg(root().join("tests/bad/dword-overflow.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("error[registry-dword]: expected a REG_DWORD"),
        "{text}"
    );
    assert!(text.contains("dword-overflow.yaml:10:23"), "{text}");
    assert!(
        text.contains("      value: { dword: 4294967296 }"),
        "{text}"
    );
    assert!(
        text.contains("^^^^^^^^^^ in `steps[0].registry.value.dword`"),
        "{text}"
    );
    assert!(
        text.contains("= hint: a value that does not fit 32 bits needs `qword`"),
        "{text}"
    );
    assert!(
        text.ends_with("1 error(s), 0 warning(s), 0 info(s)\n"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn multi_error_file_reports_every_error_in_order() {
    let out = fixgen()
        .args(["check", "--format", "json"])
        .arg(root().join("tests/bad/multi-error.yaml"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = v["diagnostics"].as_array().unwrap();
    assert_eq!(v["summary"]["errors"], 12, "{v}");
    let lines: Vec<u64> = d.iter().map(|x| x["line"].as_u64().unwrap()).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "sorted by position");
}

#[test]
fn implicit_bundle_from_lone_recipe_file() {
    let out = fixgen()
        .arg("check")
        .arg(root().join("recipes/l2tp/nat-traversal.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "ok: bundle L2tp 0.0.0: 1 recipe(s) checked\n"
    );
}

#[test]
fn secrets_in_bad_recipes_are_not_echoed() {
    for f in ["psk-literal.yaml", "secret-default.yaml"] {
        for format in ["human", "json"] {
            let out = fixgen()
                .args(["check", "--format", format])
                .arg(root().join("tests/bad").join(f))
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1));
            let all = [out.stdout, out.stderr].concat();
            let text = String::from_utf8_lossy(&all);
            assert!(
                text.contains("secret") || text.contains("pre-shared key"),
                "{text}"
            );
            assert!(
                !text.contains("hunter2"),
                "{f} {format}: secret echoed:\n{text}"
            );
        }
    }
}
