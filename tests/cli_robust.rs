//! Issue 14, through the real binary: an `--out` that would replace an input is refused (with or
//! without `--force`), output errors (full disk, closed pipe) end the run with the documented
//! exit code instead of a panic, non-regular files (FIFOs, devices, symbolic links leaving the
//! bundle folder or looping) are refused or skipped instead of hanging or being shown, recipe text
//! reaches the terminal with its control characters escaped, and raw control characters in YAML
//! are a located error.
#![cfg(unix)]

mod common;
mod pki;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::fixgen;

const TIMEOUT: Duration = Duration::from_secs(30);

/// Run with a deadline: a run that hangs (a FIFO read) is killed and fails the test.
fn run(cmd: &mut Command) -> Output {
    if cmd.get_program().is_empty() {
        unreachable!()
    }
    let child = cmd
        .stdin(Stdio::null())
        .spawn()
        .expect("start fixgen (stdout/stderr set by the caller or piped)");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(TIMEOUT) {
        Ok(o) => o.expect("wait for fixgen"),
        Err(_) => {
            // SAFETY: kill(2) on the pid of our own child, which has not been reaped (the
            // waiting thread is still blocked).
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("fixgen did not finish within {TIMEOUT:?} (hangs)");
        }
    }
}

/// `fixgen ARGS` with stdout and stderr captured.
fn fx(args: &[&std::ffi::OsStr]) -> Output {
    run(fixgen()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped()))
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn scratch(name: &str) -> PathBuf {
    pki::scratch(&format!("robust-{name}"))
}

const RECIPE: &str = "id: nat-fix
title: NAT fix
summary: Sets a value.
context: system
reboot: none
steps:
  - registry:
      key: HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent
      name: AssumeUDPEncapsulationContextOnSendRule
      value: { dword: 2 }
";

const BUNDLE: &str = "name: NatFix
title: NAT fix bundle
version: 1.0.0
description: One registry value.
publisher: fixgen tests
recipes:
  - nat-fix
";

/// A bundle folder `dir` with bundle.yaml and one recipe.
fn bundle(dir: &Path) {
    common::write_bundle(dir, &[("bundle.yaml", BUNDLE), ("nat-fix.yaml", RECIPE)]);
}

/// Every file under `root` with its bytes (symbolic links not followed).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p);
            } else if m.is_file() {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            } else {
                out.insert(p.clone(), Vec::new());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Item 3: --out that would replace an input
// ---------------------------------------------------------------------------------------------

/// Build with `args`; it must be refused (exit 2) naming `input`, with and without --force,
/// and every file under `keep` must be unchanged.
fn assert_out_refused(args: &[&std::ffi::OsStr], input: &str, keep: &Path) {
    let before = snapshot(keep);
    assert!(!before.is_empty());
    for force in [false, true] {
        let mut a: Vec<&std::ffi::OsStr> = vec![os("build")];
        a.extend_from_slice(args);
        if force {
            a.push(os("--force"));
        }
        let o = fx(&a);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "force={force}: {t}");
        assert!(
            t.contains("would replace") && t.contains(input),
            "force={force}: the message names the input `{input}`: {t}"
        );
        assert_eq!(snapshot(keep), before, "force={force}: inputs changed: {t}");
    }
}

#[test]
fn out_equal_to_the_bundle_folder_is_refused_even_with_force() {
    let d = scratch("out-eq");
    let b = d.join("bundle-dir");
    bundle(&b);
    assert_out_refused(&[os(&b), os("--out"), os(&b)], "bundle-dir", &d);
    // The same folder spelled differently: trailing `/.`, `x/..`, through a missing folder.
    let dotted = b.join(".");
    assert_out_refused(&[os(&b), os("--out"), os(&dotted)], "bundle-dir", &d);
    let up = b.join("missing").join("..");
    assert_out_refused(&[os(&b), os("--out"), os(&up)], "bundle-dir", &d);
}

#[test]
fn out_holding_a_recipe_file_or_bundle_yaml_is_refused() {
    let d = scratch("out-holds");
    let b = d.join("bundle-dir");
    bundle(&b);
    let m = b.join("bundle.yaml");
    assert_out_refused(&[os(&m), os("--out"), os(&b)], "bundle.yaml", &d);
    // A single recipe file given alone (an implicit bundle).
    let r = d.join("r");
    common::write_bundle(&r, &[("nat-fix.yaml", RECIPE)]);
    let f = r.join("nat-fix.yaml");
    assert_out_refused(&[os(&f), os("--out"), os(&r)], "nat-fix.yaml", &d);
    // An ancestor of the bundle folder.
    assert_out_refused(&[os(&b), os("--out"), os(&d)], "bundle-dir", &d);
}

#[test]
fn out_reached_through_a_symbolic_link_is_refused() {
    let d = scratch("out-link");
    let b = d.join("bundle-dir");
    bundle(&b);
    // The recipes given through a link, --out the real folder.
    let link = d.join("link-dir");
    std::os::unix::fs::symlink(&b, &link).unwrap();
    assert_out_refused(&[os(&link), os("--out"), os(&b)], "link-dir", &d);
    // --out a path through the link.
    let via = link.join("new").join("..");
    assert_out_refused(&[os(&b), os("--out"), os(&via)], "bundle-dir", &d);
}

#[test]
fn out_holding_a_values_file_or_signing_material_is_refused() {
    let d = scratch("out-values");
    let b = d.join("bundle-dir");
    bundle(&b);
    let v = d.join("v");
    std::fs::create_dir_all(&v).unwrap();
    std::fs::write(v.join("values.yaml"), "X: 1\n").unwrap();
    std::fs::write(v.join("cert.pem"), "not read before the check\n").unwrap();
    std::fs::write(v.join("key.pem"), "not read before the check\n").unwrap();
    std::fs::write(v.join("p.pfx"), "not read before the check\n").unwrap();
    std::fs::write(v.join("pw.txt"), "pw\n").unwrap();
    let values = v.join("values.yaml");
    assert_out_refused(
        &[os(&b), os("--values"), os(&values), os("--out"), os(&v)],
        "values.yaml",
        &d,
    );
    let (cert, key) = (v.join("cert.pem"), v.join("key.pem"));
    assert_out_refused(
        &[
            os(&b),
            os("--cert"),
            os(&cert),
            os("--key"),
            os(&key),
            os("--out"),
            os(&v),
        ],
        "cert.pem",
        &d,
    );
    let (pfx, pw) = (v.join("p.pfx"), v.join("pw.txt"));
    assert_out_refused(
        &[os(&b), os("--pfx"), os(&pfx), os("--out"), os(&v)],
        "p.pfx",
        &d,
    );
    let outside_pfx = d.join("outside.pfx");
    std::fs::write(&outside_pfx, "x").unwrap();
    assert_out_refused(
        &[
            os(&b),
            os("--pfx"),
            os(&outside_pfx),
            os("--password-file"),
            os(&pw),
            os("--out"),
            os(&v),
        ],
        "pw.txt",
        &d,
    );
}

#[test]
fn out_inside_the_bundle_folder_and_build_check_still_work() {
    let d = scratch("out-inside");
    let b = d.join("bundle-dir");
    bundle(&b);
    let inputs = snapshot(&b);
    let out = b.join("dist");
    let o = fx(&[os("build"), os(&b), os("--out"), os(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(out.join("SHA256SUMS").is_file());
    // Again, replacing the previous bundle: the recipes are still there.
    let o = fx(&[os("build"), os(&b), os("--out"), os(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for (p, bytes) in &inputs {
        assert_eq!(&std::fs::read(p).unwrap(), bytes, "{}", p.display());
    }
    // --check writes nothing: comparing the recipe folder itself is a drift report, not refused.
    let o = fx(&[os("build"), os(&b), os("--check"), os("--out"), os(&b)]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(!t.contains("would replace"), "{t}");
    assert!(t.contains("differs from a fresh build"), "{t}");
    for (p, bytes) in &inputs {
        assert_eq!(&std::fs::read(p).unwrap(), bytes, "{}", p.display());
    }
}

// ---------------------------------------------------------------------------------------------
// Item 4: output that cannot be written
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Broken {
    StdoutFull,
    StderrFull,
    StdoutClosed,
    StderrClosed,
    /// `2>&1 | head -0`: both streams into one pipe whose reader is gone.
    BothClosed,
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

/// The write end of a pipe whose read end is already closed: every write fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (r, w) = std::io::pipe().expect("pipe");
    drop(r);
    Stdio::from(w)
}

fn run_broken(args: &[&std::ffi::OsStr], how: Broken) -> Output {
    let mut c = fixgen();
    c.args(args);
    match how {
        Broken::StdoutFull => c.stdout(dev_full()).stderr(Stdio::piped()),
        Broken::StderrFull => c.stdout(Stdio::piped()).stderr(dev_full()),
        Broken::StdoutClosed => c.stdout(closed_pipe()).stderr(Stdio::piped()),
        Broken::StderrClosed => c.stdout(Stdio::piped()).stderr(closed_pipe()),
        Broken::BothClosed => {
            let (r, w) = std::io::pipe().expect("pipe");
            drop(r);
            let w2 = w.try_clone().expect("dup");
            c.stdout(Stdio::from(w)).stderr(Stdio::from(w2))
        }
    };
    run(&mut c)
}

/// The documented exit code for a run that exits with `normal` and writes `wrote` to stdout
/// and stderr when its output works: a full disk on a stream it writes is an I/O error (2); a
/// closed pipe ends output quietly and keeps the exit code.
fn expected_exit(normal: i32, wrote: (bool, bool), how: Broken) -> i32 {
    match how {
        Broken::StdoutFull if wrote.0 => 2,
        Broken::StderrFull if wrote.1 => 2,
        _ => normal,
    }
}

/// Run `args` normally (exit `normal`), then with the output broken each way `how`.
fn assert_clean_end(args: &[&std::ffi::OsStr], normal: i32, how: Broken) -> Output {
    let n = fx(args);
    assert_eq!(n.status.code(), Some(normal), "{args:?}: {}", text(&n));
    let wrote = (!n.stdout.is_empty(), !n.stderr.is_empty());
    let o = run_broken(args, how);
    let t = text(&o);
    assert_ne!(o.status.code(), Some(101), "{args:?} {how:?}: {t}");
    assert!(!t.contains("panicked"), "{args:?} {how:?}: {t}");
    assert_eq!(
        o.status.code(),
        Some(expected_exit(normal, wrote, how)),
        "{args:?} {how:?}: {t}"
    );
    if matches!(how, Broken::StdoutFull) && wrote.0 {
        assert!(
            t.contains("cannot write to standard output"),
            "{args:?} {how:?}: says why on stderr: {t}"
        );
    }
    o
}

const ALL: [Broken; 5] = [
    Broken::StdoutFull,
    Broken::StderrFull,
    Broken::StdoutClosed,
    Broken::StderrClosed,
    Broken::BothClosed,
];

#[test]
fn read_only_commands_end_cleanly_when_output_fails() {
    let d = scratch("out-fail");
    let b = d.join("b");
    bundle(&b);
    let bad = d.join("bad");
    common::write_bundle(&bad, &[("nat-fix.yaml", "id: nat-fix\ntitle: [\n")]);
    let (missing_yaml, missing_dir) = (d.join("missing.yaml"), d.join("missing"));
    let cases: Vec<(Vec<&std::ffi::OsStr>, i32)> = vec![
        (vec![os("list")], 0),
        (vec![os("list"), os("--format"), os("json")], 0),
        (vec![os("list"), os(&bad)], 1),
        (vec![os("check")], 0),
        (vec![os("check"), os(&bad)], 1),
        (vec![os("check"), os(&bad), os("--format"), os("json")], 1),
        (vec![os("check"), os(&missing_yaml)], 2),
        (vec![os("plan")], 0),
        (vec![os("plan"), os("--format"), os("json")], 0),
        (vec![os("plan"), os(&bad)], 1),
        (vec![os("schema")], 0),
        (vec![os("verify"), os(&missing_dir)], 2),
        (vec![os("--help")], 0),
        (vec![os("build"), os("--help")], 0),
        (vec![os("--version")], 0),
        (vec![os("build"), os("--no-such-option")], 2),
    ];
    for (args, normal) in &cases {
        for how in ALL {
            assert_clean_end(args, *normal, how);
        }
    }
}

fn sha256sum_ok(dir: &Path) -> Option<bool> {
    let tool = common::oracle("sha256sum")?;
    let o = Command::new(tool)
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap();
    Some(o.status.success())
}

#[test]
fn build_writes_a_complete_bundle_or_nothing_when_output_fails() {
    let d = scratch("build-out-fail");
    let b = d.join("b");
    bundle(&b);
    for (i, how) in ALL.into_iter().enumerate() {
        let out = d.join(format!("out{i}"));
        let o = assert_clean_end(&[os("build"), os(&b), os("--out"), os(&out)], 0, how);
        // The bundle is committed before the final report: it is there and complete.
        assert!(out.join("SHA256SUMS").is_file(), "{how:?}: {}", text(&o));
        if let Some(ok) = sha256sum_ok(&out) {
            assert!(ok, "{how:?}: sha256sum -c fails");
        }
        // A failing build writes nothing, whatever happens to its output.
        let bad = d.join(format!("bad{i}"));
        common::write_bundle(&bad, &[("nat-fix.yaml", "id: nat-fix\ntitle: [\n")]);
        let out2 = d.join(format!("none{i}"));
        assert_clean_end(&[os("build"), os(&bad), os("--out"), os(&out2)], 1, how);
        assert!(
            !out2.exists(),
            "{how:?}: a failed build wrote {}",
            out2.display()
        );
        // verify of the written bundle, and build --check against it.
        assert_clean_end(&[os("verify"), os(&out)], 0, how);
        assert_clean_end(
            &[os("build"), os(&b), os("--check"), os("--out"), os(&out)],
            0,
            how,
        );
    }
}

#[test]
fn sign_ends_cleanly_when_output_fails() {
    let Some(p) = pki::pki() else { return };
    let d = scratch("sign-out-fail");
    for (i, how) in ALL.into_iter().enumerate() {
        let f = d.join(format!("s{i}.ps1"));
        std::fs::write(&f, "Write-Output 'hello'\r\n").unwrap();
        assert_clean_end(
            &[
                os("sign"),
                os(&f),
                os("--cert"),
                os(&p.rsa2048.cert),
                os("--key"),
                os(&p.rsa2048.key),
            ],
            0,
            how,
        );
        // Signed in place completely (the report comes after the file is replaced).
        assert_clean_end(&[os("verify"), os(&f)], 0, how);
        let v = fx(&[os("verify"), os(&f)]);
        assert_eq!(v.status.code(), Some(0), "{how:?}: {}", text(&v));
    }
}

// ---------------------------------------------------------------------------------------------
// Item 5: FIFOs, devices, symbolic links
// ---------------------------------------------------------------------------------------------

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let r = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(r, 0, "mkfifo {}", p.display());
}

#[test]
fn a_fifo_or_device_as_recipe_or_values_file_is_refused_without_hanging() {
    let d = scratch("fifo");
    let b = d.join("b");
    bundle(&b);
    let fifo = d.join("fifo.yaml");
    mkfifo(&fifo);
    let reg = d.join("fifo.reg");
    mkfifo(&reg);
    let (o1, o2) = (d.join("o1"), d.join("o2"));
    let cases: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![os("check"), os(&fifo)],
        vec![os("list"), os(&fifo)],
        vec![os("build"), os(&fifo), os("--out"), os(&o1)],
        vec![os("check"), os(&reg)],
        vec![os("check"), os("/dev/zero")],
        vec![os("plan"), os(&b), os("--values"), os(&fifo)],
        vec![os("plan"), os(&b), os("--values"), os("/dev/null")],
        vec![os("plan"), os(&b), os("--values"), os("/dev/zero")],
        vec![
            os("build"),
            os(&b),
            os("--values"),
            os(&fifo),
            os("--out"),
            os(&o2),
        ],
    ];
    for args in &cases {
        let o = fx(args);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
        assert!(t.contains("not a regular file"), "{args:?}: {t}");
    }
    assert!(!d.join("o1").exists() && !d.join("o2").exists());
}

#[test]
fn fifos_in_a_built_bundle_or_as_a_signed_file_do_not_hang() {
    let d = scratch("fifo-out");
    let b = d.join("b");
    bundle(&b);
    let out = d.join("out");
    let o = fx(&[os("build"), os(&b), os("--out"), os(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for name in ["REVIEW.md", "SHA256SUMS"] {
        let f = out.join(name);
        let keep = std::fs::read(&f).unwrap();
        std::fs::remove_file(&f).unwrap();
        mkfifo(&f);
        let o = fx(&[os("verify"), os(&out)]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {t}");
        assert!(
            t.contains(&format!("FAILED  {name}: not a regular file (a FIFO)")),
            "{t}"
        );
        let o = fx(&[os("build"), os(&b), os("--check"), os("--out"), os(&out)]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {t}");
        std::fs::remove_file(&f).unwrap();
        std::fs::write(&f, keep).unwrap();
    }
    let o = fx(&[os("verify"), os(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let Some(p) = pki::pki() else { return };
    let f = d.join("pipe.ps1");
    mkfifo(&f);
    let o = fx(&[
        os("sign"),
        os(&f),
        os("--cert"),
        os(&p.rsa2048.cert),
        os("--key"),
        os(&p.rsa2048.key),
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("not a regular file (a FIFO)"), "{t}");
}

#[test]
fn special_files_in_a_bundle_folder_are_skipped_and_named() {
    let d = scratch("skip");
    let b = d.join("b");
    common::write_bundle(&b, &[("nat-fix.yaml", RECIPE)]);
    mkfifo(&b.join("pipe.yaml"));
    // A link to a file outside the folder: its content must never be shown.
    let secret = d.join("passwd");
    std::fs::write(
        &secret,
        "root:x:0:0:TOPSECRET-LINE:/root:/bin/bash\nid: [broken\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, b.join("outside.yaml")).unwrap();
    std::os::unix::fs::symlink("loop.yaml", b.join("loop.yaml")).unwrap();
    std::os::unix::fs::symlink("missing-target", b.join("dangling.yaml")).unwrap();
    for cmd in ["check", "list", "plan"] {
        let o = fx(&[os(cmd), os(&b)]);
        let t = text(&o);
        assert!(
            !t.contains("TOPSECRET"),
            "{cmd}: content of a file outside the bundle: {t}"
        );
        for (name, why) in [
            ("pipe.yaml", "not a regular file"),
            ("outside.yaml", "outside the bundle folder"),
            ("loop.yaml", "loop"),
            ("dangling.yaml", "points nowhere"),
        ] {
            assert!(
                t.lines()
                    .any(|l| l.contains("skipped") && l.contains(name) && l.contains(why)),
                "{cmd}: says {name} was skipped because {why}: {t}"
            );
        }
        assert_ne!(o.status.code(), Some(101), "{t}");
    }
    let o = fx(&[os("check"), os(&b)]);
    assert_eq!(o.status.code(), Some(0), "warnings only: {}", text(&o));
    let o = fx(&[os("check"), os(&b), os("--deny-warnings")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // A bundle with a manifest: the same.
    let m = d.join("m");
    bundle(&m);
    mkfifo(&m.join("extra.yaml"));
    let o = fx(&[
        os("build"),
        os(&m),
        os("--out"),
        os(d.join("mo").as_os_str()),
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("extra.yaml") && t.contains("not a regular file"),
        "{t}"
    );
}

// ---------------------------------------------------------------------------------------------
// Terminal output: control characters escaped
// ---------------------------------------------------------------------------------------------

/// Characters that must never reach a terminal raw: C0 (but line feed), DEL, C1, bidi controls.
fn raw_controls(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
        })
        .collect()
}

fn assert_escaped(what: &str, o: &Output, shown: bool) {
    let t = text(o);
    assert_ne!(o.status.code(), Some(101), "{what}: {t}");
    for (name, s) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let raw = raw_controls(s);
        assert!(raw.is_empty(), "{what}: raw {raw:?} on {name}: {t}");
    }
    if shown {
        assert!(
            t.contains("\\u{1b}"),
            "{what}: escape shown as \\u{{1b}}: {t}"
        );
    }
}

const HOSTILE: &str = "id: red-title
title: \"Red \\e[31m bell \\a cr \\r c1 \\u009B bidi \\u202E end\"
summary: \"Summary \\e]0;pwned\\a done\"
context: system
reboot: none
params:
  Level:
    type: int
    description: \"desc \\e[2J clear \\u202E\"
    default: 2
steps:
  - registry:
      key: HKLM\\SOFTWARE\\Fixgen
      name: Test
      value: { dword: { param: Level } }
";

#[test]
fn recipe_text_is_escaped_on_the_terminal_for_every_command() {
    let d = scratch("term");
    let b = d.join("t");
    common::write_bundle(&b, &[("red-title.yaml", HOSTILE)]);
    // Text reached through YAML escapes: shown escaped when the recipe is accepted.
    for args in [
        vec![os("list"), os(&b)],
        vec![os("plan"), os(&b)],
        vec![os("check"), os(&b)],
    ] {
        let o = fx(&args);
        let accepted = o.status.code() == Some(0);
        let shown = accepted && args[0] != "check";
        assert_escaped(&format!("{args:?}"), &o, shown);
    }
    // JSON keeps the data (a JSON parser gives the original text back) and escapes it.
    let o = fx(&[os("list"), os(&b), os("--format"), os("json")]);
    assert_escaped("list json", &o, false);
    if o.status.code() == Some(0) {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            v["recipes"][0]["title"],
            "Red \u{1b}[31m bell \u{7} cr \r c1 \u{9b} bidi \u{202e} end"
        );
    }
    // A file name with control characters, shown by every command that names a file.
    let evil = d.join("e\u{1b}[31mvil\u{7}\r\u{9b}\u{202e}");
    common::write_bundle(&evil, &[("nat-fix.yaml", "id: nat-fix\ntitle: [\n")]);
    let bad = evil.join("nat-fix.yaml");
    let out = d.join("o\u{1b}[2Jut");
    let missing_ps1 = evil.join("x\u{1b}[31m.ps1");
    std::fs::write(&missing_ps1, "Write-Output 1\r\n").unwrap();
    let missing_reg = evil.join("x\u{1b}[31m.reg");
    let cases: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![os("check"), os(&bad)],
        vec![os("check"), os(&bad), os("--format"), os("json")],
        vec![os("list"), os(&bad)],
        vec![os("plan"), os(&bad)],
        vec![os("build"), os(&bad), os("--out"), os(&out)],
        vec![os("build"), os(&evil), os("--out"), os(&out)],
        vec![os("verify"), os(&missing_ps1)],
        vec![os("verify"), os(&evil)],
        vec![
            os("sign"),
            os(&missing_ps1),
            os("--cert"),
            os(&missing_ps1),
            os("--key"),
            os(&missing_ps1),
        ],
        vec![os("check"), os(&missing_reg)],
    ];
    for args in &cases {
        let o = fx(args);
        assert_ne!(o.status.code(), Some(0), "{args:?}: {}", text(&o));
        let json = args.contains(&os("json"));
        assert_escaped(&format!("{args:?}"), &o, !json);
    }
    // A successful build to a folder whose name holds an escape: the `wrote ... to` line.
    let good = d.join("g");
    bundle(&good);
    let o = fx(&[os("build"), os(&good), os("--out"), os(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_escaped("build ok", &o, true);
}

// ---------------------------------------------------------------------------------------------
// Raw control characters in YAML
// ---------------------------------------------------------------------------------------------

#[test]
fn raw_control_characters_in_yaml_are_a_located_error() {
    let d = scratch("raw-c0");
    for (i, (raw, name)) in [
        ("\u{7}", "U+0007"),
        ("\u{1b}", "U+001B"),
        ("\u{0}", "U+0000"),
    ]
    .into_iter()
    .enumerate()
    {
        let b = d.join(format!("b{i}"));
        // Line 4, column 15 (in characters): inside a double-quoted string.
        let recipe = RECIPE.replace(
            "summary: Sets a value.",
            &format!("summary: \"Sets{raw}a value.\""),
        );
        let recipe = recipe.replace("title: NAT fix", "title: NAT fix\n");
        common::write_bundle(&b, &[("nat-fix.yaml", &recipe)]);
        let f = b.join("nat-fix.yaml");
        let o = fx(&[os("check"), os(&f), os("--format"), os("json")]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let found = v["diagnostics"].as_array().unwrap().iter().any(|x| {
            x["code"] == "yaml-control-char"
                && x["line"] == 4
                && x["column"] == 15
                && x["message"].as_str().unwrap().contains(name)
        });
        assert!(found, "{name}: {}", text(&o));
        let o = fx(&[os("check"), os(&f)]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
        assert!(text(&o).contains("nat-fix.yaml:4:15"), "{}", text(&o));
        assert_escaped(name, &o, false);
        let out = d.join(format!("o{i}"));
        let o = fx(&[os("build"), os(&f), os("--out"), os(&out)]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
        assert!(text(&o).contains("yaml-control-char"), "{}", text(&o));
        assert!(!out.exists());
    }
    // Tabs, CR LF line ends, NEL, and DEL and C1 (as JSON-style strings carry them) are allowed.
    let b = d.join("ok");
    let recipe = RECIPE
        .replace(
            "summary: Sets a value.",
            "summary: \"Sets\ta\u{85}value\u{7f}\u{9b}.\"",
        )
        .replace('\n', "\r\n");
    common::write_bundle(&b, &[("nat-fix.yaml", &recipe)]);
    let o = fx(&[os("check"), os(&b.join("nat-fix.yaml"))]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn fifos_as_signing_material_ca_or_an_outs_manifest_do_not_hang() {
    let d = scratch("fifo-keys");
    let b = d.join("b");
    bundle(&b);
    let fifo = d.join("fifo.pem");
    mkfifo(&fifo);
    // An existing --out whose manifest.json is a FIFO: the "did fixgen write this folder?"
    // probe must not block on it.
    let out = d.join("out");
    std::fs::create_dir_all(&out).unwrap();
    mkfifo(&out.join("manifest.json"));
    let o = fx(&[os("build"), os(&b), os("--out"), os(&out)]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("not written by fixgen"), "{t}");
    let Some(p) = pki::pki() else { return };
    let script = d.join("a.ps1");
    std::fs::write(&script, "Write-Output 'a'\r\n").unwrap();
    let pw = d.join("pw.txt");
    std::fs::write(&pw, "x\n").unwrap();
    let cases: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![
            os("sign"),
            os(&script),
            os("--cert"),
            os(&fifo),
            os("--key"),
            os(&p.rsa2048.key),
        ],
        vec![
            os("sign"),
            os(&script),
            os("--cert"),
            os(&p.rsa2048.cert),
            os("--key"),
            os(&fifo),
        ],
        vec![
            os("sign"),
            os(&script),
            os("--pfx"),
            os(&fifo),
            os("--password-file"),
            os(&pw),
        ],
        vec![os("verify"), os(&script), os("--ca"), os(&fifo)],
    ];
    for args in &cases {
        let o = fx(args);
        let t = text(&o);
        assert_ne!(o.status.code(), Some(0), "{args:?}: {t}");
        assert!(t.contains("not a regular file"), "{args:?}: {t}");
    }
    assert_eq!(std::fs::read(&script).unwrap(), b"Write-Output 'a'\r\n");
}
