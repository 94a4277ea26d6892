//! The progress bar: drawn on a terminal (a pseudo-terminal from util-linux `script`), never
//! when stderr is a pipe. `FIXGEN_PROGRESS_DELAY_MS=0` removes the one-second delay so the small
//! embedded bundle is enough.

mod common;

const LABELS: [&str; 3] = ["checking", "signing", "writing"];

#[test]
fn drawn_on_a_terminal() {
    let Some(script) = common::oracle("script") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("dist");
    let cmd = format!(
        "'{}' build --out '{}'",
        common::fixgen_bin().display(),
        out.display()
    );
    let o = std::process::Command::new(script)
        .args(["-qec", &cmd, "/dev/null"])
        .env("FIXGEN_PROGRESS_DELAY_MS", "0")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{text}");
    assert!(
        LABELS.iter().any(|l| text.contains(l)),
        "no progress bar on the terminal: {text:?}"
    );
    assert!(text.contains("wrote "), "{text:?}");
    assert!(out.join("scripts/nat-traversal.ps1").is_file());
}

#[test]
fn silent_when_not_a_terminal() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("dist");
    let o = common::fixgen()
        .args(["build", "--out"])
        .arg(&out)
        .env("FIXGEN_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(o.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for l in LABELS {
        assert!(!all.contains(l), "progress output in a pipe: {all:?}");
    }
    assert!(
        !all.contains('\u{1b}'),
        "control sequences in a pipe: {all:?}"
    );
}
