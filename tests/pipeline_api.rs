//! `fixgen::pipeline::build`, the whole build in one call as `fixgen build` makes it: what it
//! reports to its observer, what it writes (checked by `sha256sum -c`), and that a stop writes
//! nothing.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use fixgen::pipeline::parts::validate::{Given, Report};
use fixgen::pipeline::{build, Dest, Observer, Request, Stop, Target};

#[derive(Default)]
struct Seen {
    findings: usize,
    undeclared: Vec<String>,
    rendering: Option<usize>,
    recipes_done: AtomicUsize,
    writing: bool,
}

impl Observer for Seen {
    fn findings(&mut self, report: &Report) {
        self.findings += 1;
        assert!(report.bundle.is_some(), "the embedded bundle loads");
    }
    fn undeclared(&mut self, _: &fixgen::pipeline::parts::load::Bundle, names: &[&str], _: bool) {
        self.undeclared = names.iter().map(|s| s.to_string()).collect();
    }
    fn rendering(&mut self, recipes: usize) {
        self.rendering = Some(recipes);
    }
    fn recipe_done(&self) {
        self.recipes_done.fetch_add(1, Ordering::Relaxed);
    }
    fn writing(&mut self) {
        self.writing = true;
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("fixgen-pipeline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn request<'a>(given: Given, targets: &'a [Target], dest: Dest<'a>) -> Request<'a> {
    Request {
        paths: &[],
        given,
        targets,
        signer: None,
        deny_warnings: false,
        allow_unknown_values: false,
        dest,
    }
}

#[test]
fn one_call_builds_the_embedded_bundle_into_a_folder() {
    let d = scratch("folder");
    let out = d.join("dist");
    let mut seen = Seen::default();
    let targets = [Target::All];
    let done = build(
        request(
            Given::default(),
            &targets,
            Dest::Folder {
                out: &out,
                force: false,
            },
        ),
        &mut seen,
    )
    .expect("the embedded bundle builds");
    assert_eq!(seen.findings, 1);
    assert_eq!(seen.rendering, Some(done.plan.recipes.len()));
    assert_eq!(done.plan.recipes.len(), 6, "the six L2TP recipes");
    assert_eq!(seen.recipes_done.load(Ordering::Relaxed), 6);
    assert!(seen.writing);
    let written = done.written.expect("a folder was written");
    assert_eq!(
        written.files,
        count_files(&out) - 1,
        "every file but the writer's marker"
    );
    // Every file the manifest lists is there with its hash: sha256sum (coreutils) checks them.
    let Some(sha256sum) = common::oracle("sha256sum") else {
        return;
    };
    let o = std::process::Command::new(sha256sum)
        .args(["-c", "--strict", "--quiet", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn a_value_for_an_undeclared_param_stops_the_build_and_writes_nothing() {
    let d = scratch("undeclared");
    let out = d.join("dist");
    let mut given = Given::default();
    given
        .values
        .insert("ServerAdress".into(), "vpn.example.com".into());
    let mut seen = Seen::default();
    let targets = [Target::Scripts];
    let stop = build(
        request(
            given,
            &targets,
            Dest::Folder {
                out: &out,
                force: false,
            },
        ),
        &mut seen,
    )
    .unwrap_err();
    assert!(matches!(stop, Stop::Undeclared(1)), "{stop:?}");
    assert_eq!(seen.undeclared, ["ServerAdress"]);
    assert_eq!(seen.rendering, None, "nothing was rendered");
    assert!(!out.exists(), "nothing was written");
}

#[test]
fn nowhere_makes_every_file_and_writes_none() {
    let d = scratch("nowhere");
    let mut seen = Seen::default();
    let targets = [Target::Reg];
    let done = build(
        request(Given::default(), &targets, Dest::Nowhere),
        &mut seen,
    )
    .unwrap();
    assert!(done.written.is_none());
    assert!(done
        .built
        .finished
        .rows
        .keys()
        .any(|p| p.starts_with("reg/")));
    assert_eq!(count_files(&d), 0);
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}
