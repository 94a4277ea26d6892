//! `fixgen build` with signing: every PowerShell file accepted by osslsigncode, the manifest by
//! `sha256sum -c` and `openssl cms -verify`, the whole bundle by `fixgen verify`.

mod common;
mod pki;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::fixgen;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn is_ps(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("ps1" | "psm1" | "psd1")
    )
}

fn build_signed(out: &Path, p: &pki::Pki) -> Output {
    fixgen()
        .arg("build")
        .arg("--out")
        .arg(out)
        .arg("--pfx")
        .arg(&p.pfx_modern)
        .args(["--password-env", "FIXGEN_PW"])
        .env("FIXGEN_PW", pki::PASSWORD)
        .output()
        .unwrap()
}

fn sha256sum_c(dir: &Path) -> Option<bool> {
    let tool = common::oracle("sha256sum")?;
    Some(
        Command::new(tool)
            .args(["-c", "--strict", "--quiet", "SHA256SUMS"])
            .current_dir(dir)
            .output()
            .unwrap()
            .status
            .success(),
    )
}

fn cms_verify(dir: &Path, ca: &Path) -> Option<bool> {
    let tool = common::oracle("openssl")?;
    Some(
        Command::new(tool)
            .args([
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "SHA256SUMS.p7s",
            ])
            .args([
                "-content",
                "SHA256SUMS",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
                "-CAfile",
            ])
            .arg(ca)
            .current_dir(dir)
            .output()
            .unwrap()
            .status
            .success(),
    )
}

fn verify(dir: &Path, ca: &Path) -> Output {
    fixgen()
        .arg("verify")
        .arg(dir)
        .arg("--ca")
        .arg(ca)
        .output()
        .unwrap()
}

#[test]
fn signed_build_passes_every_oracle() {
    let Some(p) = pki::pki() else { return };
    let root = pki::scratch("build-signed");
    let out = root.join("dist");
    let o = build_signed(&out, p);
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(!common::output_text(&o).contains(pki::PASSWORD));
    let all = files(&out);
    let scripts: Vec<&PathBuf> = all.iter().filter(|f| is_ps(f)).collect();
    assert!(scripts.len() >= 3, "{all:?}");
    // The Group Policy deploy script is signed with the bundle like every other .ps1.
    assert!(
        scripts
            .iter()
            .any(|f| f.ends_with("gpo/Deploy-L2tpIpsecFixGpo.ps1")),
        "{all:?}"
    );
    for f in &scripts {
        if let Some((ok, t)) = pki::osslsigncode_verify(f, &p.ca) {
            assert!(ok, "{}: {t}", f.display());
        }
    }
    for name in ["SHA256SUMS", "SHA256SUMS.p7s", "manifest.json"] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    if let Some(ok) = sha256sum_c(&out) {
        assert!(ok, "sha256sum -c failed on a fresh bundle");
    }
    if let Some(ok) = cms_verify(&out, &p.ca) {
        assert!(ok, "openssl cms -verify failed on a fresh bundle");
    }
    let v = verify(&out, &p.ca);
    assert!(v.status.success(), "{}", common::output_text(&v));

    // Deterministic with an RSA key: a second build is byte-identical.
    let out2 = root.join("dist2");
    assert!(build_signed(&out2, p).status.success());
    let a: Vec<(PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| {
            (
                f.strip_prefix(&out).unwrap().to_path_buf(),
                std::fs::read(&f).unwrap(),
            )
        })
        .collect();
    let b: Vec<(PathBuf, Vec<u8>)> = files(&out2)
        .into_iter()
        .map(|f| {
            (
                f.strip_prefix(&out2).unwrap().to_path_buf(),
                std::fs::read(&f).unwrap(),
            )
        })
        .collect();
    assert_eq!(a, b, "two signed builds differ");

    // An edited script: fixgen verify, sha256sum -c and osslsigncode all object.
    let victim = scripts[0];
    let mut bytes = std::fs::read(victim).unwrap();
    bytes[0] ^= 0x01;
    std::fs::write(victim, &bytes).unwrap();
    let v = verify(&out, &p.ca);
    assert_eq!(v.status.code(), Some(1), "{}", common::output_text(&v));
    assert!(
        common::output_text(&v).contains("content hash mismatch"),
        "{}",
        common::output_text(&v)
    );
    if let Some(ok) = sha256sum_c(&out) {
        assert!(!ok);
    }
    if let Some((ok, _)) = pki::osslsigncode_verify(victim, &p.ca) {
        assert!(!ok);
    }
}

#[test]
fn unsigned_build_still_has_a_manifest() {
    let Some(p) = pki::pki() else { return };
    let root = pki::scratch("build-unsigned");
    let out = root.join("dist");
    let o = fixgen()
        .arg("build")
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(out.join("SHA256SUMS").is_file());
    assert!(out.join("manifest.json").is_file());
    assert!(!out.join("SHA256SUMS.p7s").exists());
    if let Some(ok) = sha256sum_c(&out) {
        assert!(ok);
    }
    let v = verify(&out, &p.ca);
    assert!(v.status.success(), "{}", common::output_text(&v));
    assert!(
        common::output_text(&v).contains("not signed"),
        "{}",
        common::output_text(&v)
    );
    // The marker file is accepted only with its fixed text.
    std::fs::write(out.join(".fixgen-bundle"), "changed\n").unwrap();
    let v = verify(&out, &p.ca);
    assert_eq!(v.status.code(), Some(1), "{}", common::output_text(&v));
}

#[test]
fn bad_signing_options_write_nothing() {
    let Some(p) = pki::pki() else { return };
    let root = pki::scratch("build-bad");
    let out = root.join("dist");
    for (args, expect) in [
        (
            vec![
                "--cert".into(),
                p.no_eku.cert.display().to_string(),
                "--key".into(),
                p.no_eku.key.display().to_string(),
            ],
            "Code Signing",
        ),
        (
            vec![
                "--cert".into(),
                p.expired.cert.display().to_string(),
                "--key".into(),
                p.expired.key.display().to_string(),
            ],
            "expired on",
        ),
        (
            vec![
                "--pfx".into(),
                p.pfx_legacy.display().to_string(),
                "--password-env".into(),
                "FIXGEN_PW".into(),
            ],
            "wrong password",
        ),
    ] {
        let o = fixgen()
            .arg("build")
            .arg("--out")
            .arg(&out)
            .args(&args)
            .env("FIXGEN_PW", "not-the-password")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", common::output_text(&o));
        assert!(
            common::output_text(&o).contains(expect),
            "{}",
            common::output_text(&o)
        );
        assert!(
            common::output_text(&o).contains("nothing written"),
            "{}",
            common::output_text(&o)
        );
        assert!(!common::output_text(&o).contains("not-the-password"));
        assert!(!out.exists(), "a failed build wrote {}", out.display());
    }
}
