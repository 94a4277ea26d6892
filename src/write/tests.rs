use super::*;

use crate::render::{Artifacts, OutputFile};

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_failed_write_leaves_the_old_folder_and_no_staging() {
    let tmp = std::env::temp_dir().join(format!("fixgen-write-test-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).unwrap();
    let out = tmp.join("dist");
    let mut good = Artifacts::default();
    good.add(OutputFile::new("scripts/a.ps1", b"old".to_vec()));
    assert_eq!(write_bundle(&out, &good).unwrap(), 1);
    let mut bad = Artifacts::default();
    bad.add(OutputFile::new("scripts/a.ps1", b"new".to_vec()));
    bad.add(OutputFile::new("../escape.ps1", b"x".to_vec()));
    assert!(write_bundle(&out, &bad).is_err());
    assert_eq!(fs::read(out.join("scripts/a.ps1")).unwrap(), b"old");
    assert_eq!(listing(&tmp), vec!["dist".to_string()]);
    // A good rebuild replaces the folder as a whole.
    let mut next = Artifacts::default();
    next.add(OutputFile::new("module/m.psm1", b"m".to_vec()));
    write_bundle(&out, &next).unwrap();
    assert_eq!(
        listing(&out),
        vec![MARKER.to_string(), "module".to_string()]
    );
    assert_eq!(listing(&tmp), vec!["dist".to_string()]);
    fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn rejects_unsafe_paths() {
    assert!(relative_path("scripts/a.ps1").is_some());
    for bad in ["", "/a", "a/../b", "a//b", "a\\b", "./a", "C:/x"] {
        assert!(relative_path(bad).is_none(), "{bad}");
    }
}

fn artifacts(text: &str) -> Artifacts {
    let mut a = Artifacts::default();
    a.add(OutputFile::new("scripts/a.ps1", text.as_bytes().to_vec()));
    a.add(OutputFile::new("b.txt", b"b".to_vec()));
    a
}

#[test]
fn writes_replaces_and_leaves_nothing_beside() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("dist");
    assert_eq!(write_bundle(&out, &artifacts("one")).unwrap(), 2);
    assert_eq!(
        fs::read_to_string(out.join("scripts/a.ps1")).unwrap(),
        "one"
    );
    assert!(out.join(MARKER).is_file());
    assert_eq!(write_bundle(&out, &artifacts("two")).unwrap(), 2);
    assert_eq!(
        fs::read_to_string(out.join("scripts/a.ps1")).unwrap(),
        "two"
    );
    assert_eq!(listing(t.path()), ["dist"]);
}

#[test]
fn a_fixgen_manifest_marks_a_bundle() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("dist");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("a.ps1"), "x").unwrap();
    fs::write(out.join(MANIFEST), r#"{"fixgen_version":"0.1.0"}"#).unwrap();
    assert!(is_bundle(&out));
    write_bundle(&out, &artifacts("y")).unwrap();
    assert!(out.join(MARKER).exists());
    assert!(!out.join("a.ps1").exists());
}

#[test]
fn foreign_folder_needs_force() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("dist");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    fs::write(out.join(MANIFEST), r#"{"name":"other tool"}"#).unwrap();
    let e = write_bundle(&out, &artifacts("x")).unwrap_err();
    assert!(e.message.contains("--force"), "{e}");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert_eq!(listing(t.path()), ["dist"]);
    let r = write_bundle_with(
        &out,
        &artifacts("x"),
        WriteOptions { force: true },
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.files, 2);
    assert!(!out.join("notes.txt").exists());
}

#[test]
fn empty_folder_and_file() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("dist");
    fs::create_dir(&out).unwrap();
    write_bundle(&out, &artifacts("x")).unwrap();
    let f = t.path().join("file");
    fs::write(&f, "x").unwrap();
    let e = write_bundle(&f, &artifacts("x")).unwrap_err();
    assert!(e.message.contains("not a folder"), "{e}");
    assert!(write_bundle(Path::new(".."), &artifacts("x")).is_err());
}

/// Killed between the two renames: the old bundle is only in `old`; it comes back.
#[test]
fn recovers_old_bundle_when_out_is_missing() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("dist");
    write_bundle(&out, &artifacts("previous")).unwrap();
    let old = t.path().join(".dist.fixgen-old-4242");
    fs::rename(&out, &old).unwrap();
    let staging = t.path().join(".dist.fixgen-staging-4242");
    fs::create_dir_all(staging.join("scripts")).unwrap();
    fs::write(staging.join("scripts/a.ps1"), "partial").unwrap();
    fs::write(t.path().join(".dist.fixgen-lock"), "").unwrap();
    let r = write_bundle_with(
        &out,
        &artifacts("new"),
        WriteOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
    assert!(r.notes[0].contains("restored"), "{:?}", r.notes);
    assert_eq!(
        fs::read_to_string(out.join("scripts/a.ps1")).unwrap(),
        "new"
    );
    assert_eq!(listing(t.path()), ["dist"]);
}

/// Killed after the new bundle was in place: the old one and trash are removed.
#[test]
fn removes_stale_old_and_trash() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("dist");
    write_bundle(&out, &artifacts("current")).unwrap();
    for n in [".dist.fixgen-old-17", ".dist.fixgen-trash-18"] {
        fs::create_dir(t.path().join(n)).unwrap();
    }
    // Not ours: another folder's leftovers and look-alikes are left alone.
    for n in [".other.fixgen-old-17", ".dist.fixgen-old-x"] {
        fs::create_dir(t.path().join(n)).unwrap();
    }
    let r = write_bundle_with(
        &out,
        &artifacts("next"),
        WriteOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
    assert_eq!(
        listing(t.path()),
        [".dist.fixgen-old-x", ".other.fixgen-old-17", "dist"]
    );
}

#[test]
fn a_held_lock_refuses_a_second_writer() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("dist");
    let names = Names::new(&out).unwrap();
    let held = Lock::acquire(names.lock(), &out).unwrap();
    let e = write_bundle(&out, &artifacts("x")).unwrap_err();
    assert!(e.message.contains("another fixgen build"), "{e}");
    assert!(!out.exists());
    drop(held);
    write_bundle(&out, &artifacts("x")).unwrap();
}
