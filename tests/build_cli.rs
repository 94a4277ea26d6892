//! `fixgen build` through the real binary: layout, targets, values, atomic writes.

mod common;

use std::path::Path;

fn run(args: &[&str], out: &Path) -> std::process::Output {
    common::fixgen()
        .arg("build")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run fixgen")
}

#[test]
fn default_build_writes_scripts_and_module() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let o = run(&[], &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "scripts/nat-traversal.ps1",
        "scripts/Invoke-L2tpIpsecFix.ps1",
        "module/L2tpIpsecFix/L2tpIpsecFix.psm1",
        "module/L2tpIpsecFix/L2tpIpsecFix.psd1",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // Nothing else is left beside the output folder (no staging leftovers).
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["dist".to_string()]);
}

#[test]
fn target_scripts_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let o = run(&["--target", "scripts"], &out);
    assert!(o.status.success());
    assert!(out.join("scripts").is_dir());
    assert!(!out.join("module").exists());
}

#[test]
fn failed_build_leaves_the_existing_folder_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    assert!(run(&[], &out).status.success());
    let before = std::fs::read(out.join("scripts/nat-traversal.ps1")).unwrap();
    // A recipe the renderer rejects (unknown hive): exit 1, nothing written.
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(
        bad.join("bundle.yaml"),
        "name: Bad\ntitle: t\nversion: 1.0.0\ndescription: d\npublisher: p\nrecipes: [bad-key]\n",
    )
    .unwrap();
    std::fs::write(
        bad.join("bad-key.yaml"),
        "id: bad-key\ntitle: t\nsummary: s\nsteps:\n  - registry: { key: 'HKXX\\Soft', name: a, value: { dword: 1 } }\n",
    )
    .unwrap();
    let o = run(&[bad.to_str().unwrap()], &out);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("HKXX"));
    assert_eq!(
        std::fs::read(out.join("scripts/nat-traversal.ps1")).unwrap(),
        before
    );
    assert!(!out.join("scripts/bad-key.ps1").exists());
}

#[test]
fn refuses_to_replace_a_foreign_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("home");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("precious.txt"), "keep me").unwrap();
    let o = run(&[], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not written by fixgen"));
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).unwrap(),
        "keep me"
    );
    assert!(!out.join("scripts").exists());
}

#[test]
fn rebuild_replaces_a_fixgen_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    assert!(run(&["--target", "module"], &out).status.success());
    assert!(run(&["--target", "scripts"], &out).status.success());
    assert!(out.join("scripts").is_dir());
    assert!(
        !out.join("module").exists(),
        "the old bundle is replaced as a whole"
    );
}

#[test]
fn bad_set_syntax_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["--set", "NoEquals"], &dir.path().join("d"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("NAME=VALUE"));
}
