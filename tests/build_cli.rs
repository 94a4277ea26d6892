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
    common::write_bundle(
        &bad,
        &[
            ("bundle.yaml", "name: Bad\ntitle: t\nversion: 1.0.0\ndescription: d\npublisher: p\nrecipes: [bad-key]\n"),
            ("bad-key.yaml", "id: bad-key\ntitle: t\nsummary: s\nsteps:\n  - registry: { key: 'HKXX\\Soft', name: a, value: { dword: 1 } }\n"),
        ],
    );
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

#[test]
fn same_recipes_in_different_folders_give_identical_bundles() {
    // manifest.json, REVIEW.md and the .reg headers name the recipe file, never the folder it
    // was read from, so a bundle does not depend on the build machine's paths.
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes/l2tp");
    let mut trees = Vec::new();
    for name in ["first/place", "second"] {
        let copy = dir.path().join(name).join("l2tp");
        std::fs::create_dir_all(&copy).unwrap();
        for entry in std::fs::read_dir(&src).unwrap() {
            let p = entry.unwrap().path();
            std::fs::copy(&p, copy.join(p.file_name().unwrap())).unwrap();
        }
        let out = dir.path().join(name).join("dist");
        let o = common::fixgen()
            .arg("build")
            .arg(&copy)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        trees.push(common::bundle_files(&out));
    }
    assert!(trees[0].contains_key("manifest.json"));
    assert!(trees[0].contains_key("REVIEW.md"));
    let differing: Vec<&String> = trees[0]
        .iter()
        .filter(|(k, v)| trees[1].get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        differing.is_empty(),
        "files differ between folders: {differing:?}"
    );
    assert_eq!(trees[0].len(), trees[1].len());
}

/// A build that fails while rendering (the Intune target needs every param, the embedded
/// bundle has open ones) has already taken the lock and made its staging folder: both are
/// removed, and so are the folders above --out it created. Nothing is left.
#[test]
fn failed_render_leaves_nothing_not_even_new_parent_folders() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/sub/dist");
    let o = run(&["--target", "intune"], &out);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("nothing written"), "{stderr}");
    assert!(!dir.path().join("new").exists(), "a folder was left behind");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // Into an existing folder: the folder stays, with nothing new in it.
    std::fs::create_dir(dir.path().join("keep")).unwrap();
    let o = run(&["--target", "intune"], &dir.path().join("keep/dist"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        std::fs::read_dir(dir.path().join("keep")).unwrap().count(),
        0
    );
}
