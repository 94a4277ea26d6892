//! Issue 14, item 6b: a build stopped between any two file-system steps of the bundle writer
//! leaves a complete bundle at `--out`: the old one or the new one, never a mix and never
//! nothing. The writer's test-only hook (`FIXGEN_FAULT_AFTER_FS_STEP=N`, debug builds only, see
//! `fixgen::pipeline::parts::write::fault`) ends the process after its N-th step without any clean-up, as a kill
//! would; the test tries every N until the build runs to the end. Completeness is judged by
//! `sha256sum -c SHA256SUMS` in `--out` and by the exact file list of the old or new bundle.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::fixgen;
use fixgen::pipeline::parts::write::fault;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fixgen-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn build(out: &Path, targets: &str, fault_after: Option<usize>) -> Output {
    let mut c = fixgen();
    c.args(["build", "--target", targets, "--out"]).arg(out);
    c.env_remove(fault::ENV);
    if let Some(n) = fault_after {
        c.env(fault::ENV, n.to_string());
    }
    c.output().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// `sha256sum -c --strict SHA256SUMS` in `dir`: every listed file present with its hash.
fn sums_ok(dir: &Path) -> Result<(), String> {
    let tool = common::oracle("sha256sum").expect("sha256sum");
    let o = Command::new(tool)
        .args(["-c", "--strict", "--quiet", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap();
    if o.status.success() {
        Ok(())
    } else {
        Err(common::output_text(&o))
    }
}

/// Names beside `out` left by a build (`.NAME.fixgen-...`).
fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".fixgen-"))
        .collect()
}

/// Stop a build at every file-system step (replacing `old`, or writing a first bundle when
/// `old` is `None`), check `--out` after each stop, then check the next build recovers.
fn stop_at_every_step(name: &str, old: Option<&BTreeMap<String, Vec<u8>>>, old_dir: Option<&Path>) {
    let Some(_) = common::oracle("sha256sum") else {
        return;
    };
    let new_targets = "scripts,module";
    let reference = scratch(&format!("{name}-reference"));
    let o = build(&reference.join("dist"), new_targets, None);
    assert!(o.status.success(), "{}", common::output_text(&o));
    let new = common::bundle_files(&reference.join("dist"));

    for n in 1..2000 {
        let dir = scratch(&format!("{name}-{n}"));
        let out = dir.join("dist");
        if let Some(d) = old_dir {
            copy_dir(d, &out);
        }
        let o = build(&out, new_targets, Some(n));
        let code = o.status.code();
        // Steps 1..n-1 each stopped the build.
        let stops = n - 1;
        if code == Some(0) {
            assert!(stops > 10, "only {stops} steps: is the hook wired?");
            assert_eq!(common::bundle_files(&out), new);
            assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!("{name}: stopped the writer at each of {stops} file-system steps");
            return;
        }
        assert_eq!(
            code,
            Some(fault::EXIT_CODE),
            "step {n}: {}",
            common::output_text(&o)
        );
        let step = common::output_text(&o);
        // Old or new, complete, at --out (or nothing yet on a first build).
        match std::fs::metadata(&out) {
            Ok(_) => {
                let found = common::bundle_files(&out);
                let which = if Some(&found) == old {
                    "old"
                } else if found == new {
                    "new"
                } else {
                    panic!(
                        "{name}, {step}: --out holds neither the old nor the new bundle: {:?}",
                        found.keys().collect::<Vec<_>>()
                    )
                };
                if let Err(e) = sums_ok(&out) {
                    panic!("{name}, {step}: sha256sum -c fails in the {which} bundle: {e}");
                }
            }
            Err(_) => assert!(
                old.is_none(),
                "{name}, {step}: --out is missing; the old bundle is not there"
            ),
        }
        // The next build recovers and writes the new bundle, leaving nothing beside it.
        let o = build(&out, new_targets, None);
        assert!(
            o.status.success(),
            "{name}, after {step}: {}",
            common::output_text(&o)
        );
        assert_eq!(common::bundle_files(&out), new, "{name}, after {step}");
        assert!(
            leftovers(&dir).is_empty(),
            "{name}, after {step}: {:?}",
            leftovers(&dir)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    panic!("{name}: the build never ran to the end");
}

#[test]
fn a_stop_between_any_two_writer_steps_leaves_the_old_or_the_new_bundle() {
    let dir = scratch("faults-old");
    let old_dir = dir.join("dist");
    let o = build(&old_dir, "scripts,reg", None);
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(sums_ok(&old_dir).is_ok());
    let old = common::bundle_files(&old_dir);
    stop_at_every_step("replace", Some(&old), Some(&old_dir));
}

#[test]
fn a_stop_during_a_first_build_leaves_nothing_or_the_new_bundle() {
    stop_at_every_step("first", None, None);
}
