//! `fixgen sign` and `fixgen verify` through the real binary, checked by osslsigncode.

mod common;
mod pki;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::fixgen;

/// Every output must be free of the password and of private key material.
fn assert_no_secrets(o: &Output, p: &pki::Pki) {
    let t = common::output_text(o);
    assert!(!t.contains(pki::PASSWORD), "password leaked:\n{t}");
    for key in [
        &p.rsa2048.key,
        &p.rsa4096.key,
        &p.p256.key,
        &p.rsa2048_pkcs1_key,
        &p.p256_sec1_key,
        &p.rsa2048_encrypted_key,
        &p.no_eku.key,
        &p.expired.key,
    ] {
        let pem = std::fs::read_to_string(key).unwrap();
        for line in pem
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        {
            assert!(
                !t.contains(line),
                "key material from {} leaked:\n{t}",
                key.display()
            );
        }
    }
}

fn utf16le(s: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    for u in s.encode_utf16() {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

fn write_inputs(dir: &Path) -> Vec<PathBuf> {
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice("Write-Output 'caf\u{e9}'\r\n".as_bytes());
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("crlf.ps1", b"param()\r\nWrite-Output 'crlf'\r\n".to_vec()),
        ("lf.psm1", b"function Get-Lf { 'lf' }\n".to_vec()),
        ("bom.psd1", bom),
        ("utf16.ps1", utf16le("Write-Output 'utf16 \u{e9}'\r\n")),
    ];
    files
        .into_iter()
        .map(|(n, b)| {
            let p = dir.join(n);
            std::fs::write(&p, b).unwrap();
            p
        })
        .collect()
}

#[test]
fn fixgen_sign_output_is_accepted_by_osslsigncode() {
    let Some(p) = pki::pki() else { return };
    for (label, leaf) in [
        ("rsa2048", &p.rsa2048),
        ("rsa4096", &p.rsa4096),
        ("p256", &p.p256),
    ] {
        let dir = pki::scratch(&format!("cli-sign-{label}"));
        let files = write_inputs(&dir);
        let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
        let out = fixgen()
            .arg("sign")
            .args(&files)
            .args(leaf.key_args())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", common::output_text(&out));
        assert_no_secrets(&out, p);
        for (f, orig) in files.iter().zip(&originals) {
            let signed = std::fs::read(f).unwrap();
            assert!(signed.starts_with(orig), "{} content changed", f.display());
            // Only the oracle is skipped when osslsigncode is missing; fixgen's checks run.
            if let Some((ok, o)) = pki::osslsigncode_verify(f, &p.ca) {
                assert!(ok, "osslsigncode rejected {label} {}:\n{o}", f.display());
            }
            let v = fixgen()
                .arg("verify")
                .arg(f)
                .arg("--ca")
                .arg(&p.ca)
                .output()
                .unwrap();
            assert!(v.status.success(), "{}", common::output_text(&v));
            assert!(
                common::output_text(&v).contains("Authenticode valid"),
                "{}",
                common::output_text(&v)
            );
        }
        // Re-signing replaces the block.
        let again = fixgen()
            .arg("sign")
            .arg(&files[0])
            .args(leaf.key_args())
            .output()
            .unwrap();
        assert!(again.status.success(), "{}", common::output_text(&again));
        assert!(
            common::output_text(&again).contains("re-signed"),
            "{}",
            common::output_text(&again)
        );
        let t = std::fs::read_to_string(&files[0]).unwrap();
        assert_eq!(t.matches("# SIG # Begin signature block").count(), 1);
        if let Some((ok, o)) = pki::osslsigncode_verify(&files[0], &p.ca) {
            assert!(ok, "{o}");
        }
    }
}

#[test]
fn fixgen_sign_with_pfx_and_password_sources() {
    let Some(p) = pki::pki() else { return };
    let dir = pki::scratch("cli-pfx");
    let pwfile = dir.join("pw.txt");
    std::fs::write(&pwfile, format!("{}\n", pki::PASSWORD)).unwrap();
    for pfx in [&p.pfx_modern, &p.pfx_legacy, &p.pfx_3des] {
        let files = write_inputs(&dir);
        let out = fixgen()
            .arg("sign")
            .args(&files)
            .arg("--pfx")
            .arg(pfx)
            .args(["--password-env", "FIXGEN_TEST_PFX_PW"])
            .env("FIXGEN_TEST_PFX_PW", pki::PASSWORD)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            pfx.display(),
            common::output_text(&out)
        );
        assert_no_secrets(&out, p);
        for f in &files {
            if let Some((ok, o)) = pki::osslsigncode_verify(f, &p.ca) {
                assert!(ok, "{}: {o}", f.display());
            }
        }
        let out = fixgen()
            .arg("sign")
            .arg(&files[0])
            .arg("--pfx")
            .arg(pfx)
            .arg("--password-file")
            .arg(&pwfile)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", common::output_text(&out));
        assert_no_secrets(&out, p);
    }
    // Encrypted PKCS#8 PEM key with the password from a file.
    let files = write_inputs(&dir);
    let out = fixgen()
        .arg("sign")
        .arg(&files[0])
        .arg("--cert")
        .arg(&p.rsa2048.cert)
        .arg("--key")
        .arg(&p.rsa2048_encrypted_key)
        .arg("--password-file")
        .arg(&pwfile)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::output_text(&out));
    assert_no_secrets(&out, p);
}

/// Arguments, environment, expected message.
type Case<'a> = (Vec<std::ffi::OsString>, Vec<(&'a str, &'a str)>, &'a str);

#[test]
fn bad_signing_material_gives_clear_errors_and_changes_nothing() {
    let Some(p) = pki::pki() else { return };
    let dir = pki::scratch("cli-errors");
    let f = dir.join("a.ps1");
    let original = b"Write-Output 'a'\r\n".to_vec();
    std::fs::write(&f, &original).unwrap();
    let wrong = "Wrong-Guess-4711";
    let cases: Vec<Case> = vec![
        (
            vec![
                "--cert".into(),
                p.no_eku.cert.clone().into(),
                "--key".into(),
                p.no_eku.key.clone().into(),
            ],
            vec![],
            "no Extended Key Usage `Code Signing`",
        ),
        (
            vec![
                "--cert".into(),
                p.expired.cert.clone().into(),
                "--key".into(),
                p.expired.key.clone().into(),
            ],
            vec![],
            "expired on",
        ),
        (
            vec![
                "--pfx".into(),
                p.pfx_modern.clone().into(),
                "--password-env".into(),
                "PW".into(),
            ],
            vec![("PW", wrong)],
            "wrong password",
        ),
        (
            vec![
                "--pfx".into(),
                p.pfx_legacy.clone().into(),
                "--password-env".into(),
                "PW".into(),
            ],
            vec![("PW", wrong)],
            "wrong password",
        ),
        (
            vec![
                "--cert".into(),
                p.rsa2048.cert.clone().into(),
                "--key".into(),
                p.rsa2048_encrypted_key.clone().into(),
                "--password-env".into(),
                "PW".into(),
            ],
            vec![("PW", wrong)],
            "wrong password",
        ),
        (
            vec!["--pfx".into(), p.pfx_modern.clone().into()],
            vec![],
            "needs a password",
        ),
        (
            vec![
                "--pfx".into(),
                p.pfx_modern.clone().into(),
                "--password-env".into(),
                "FIXGEN_UNSET_VAR_X".into(),
            ],
            vec![],
            "not set",
        ),
        (
            vec![
                "--cert".into(),
                p.rsa2048.cert.clone().into(),
                "--key".into(),
                p.p256.key.clone().into(),
            ],
            vec![],
            "does not belong to any certificate",
        ),
    ];
    for (args, env, expect) in cases {
        let mut c = fixgen();
        c.arg("sign")
            .arg(&f)
            .args(&args)
            .stdin(std::process::Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        let t = common::output_text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {t}");
        assert!(t.contains(expect), "{args:?}: expected `{expect}` in:\n{t}");
        assert!(!t.contains(wrong), "the wrong password was echoed:\n{t}");
        assert_no_secrets(&out, p);
        assert_eq!(
            std::fs::read(&f).unwrap(),
            original,
            "file changed on error"
        );
    }
    // Not a PowerShell file.
    let txt = dir.join("notes.txt");
    std::fs::write(&txt, "x").unwrap();
    let out = fixgen()
        .arg("sign")
        .arg(&txt)
        .args(p.rsa2048.key_args())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(common::output_text(&out).contains("not a PowerShell file"));
}

#[test]
fn fixgen_verify_accepts_osslsigncode_and_rejects_tampering() {
    let Some(p) = pki::pki() else { return };
    let Some(tool) = common::oracle("osslsigncode") else {
        return;
    };
    let dir = pki::scratch("cli-verify");
    let input = dir.join("in.ps1");
    let signed = dir.join("signed.ps1");
    std::fs::write(&input, "Write-Output 'signed by osslsigncode'\r\n").unwrap();
    let st = std::process::Command::new(tool)
        .args(["sign", "-h", "sha256", "-certs"])
        .arg(&p.rsa2048.cert)
        .arg("-key")
        .arg(&p.rsa2048.key)
        .arg("-in")
        .arg(&input)
        .arg("-out")
        .arg(&signed)
        .output()
        .unwrap();
    assert!(st.status.success());
    let v = fixgen()
        .arg("verify")
        .arg(&signed)
        .args(pki::ca_json_args(&p.ca))
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", common::output_text(&v));
    let j: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(j["ok"], true);
    assert_eq!(j["signature"]["trust"], "trusted");

    let good = std::fs::read(&signed).unwrap();
    let mut cases: Vec<(&str, Vec<u8>, &str)> = Vec::new();
    let mut c = good.clone();
    c[3] ^= 0x20;
    cases.push(("content", c, "content hash mismatch"));
    let t = String::from_utf8(good.clone()).unwrap();
    let at = t.find("\r\n# SIG # End").unwrap() - 5;
    let mut b = good.clone();
    b[at] = if b[at] == b'x' { b'y' } else { b'x' };
    cases.push(("base64", b, ""));
    let mut a = good.clone();
    a.extend_from_slice(b"Write-Output 'appended'\r\n");
    cases.push(("appended", a, "follows"));
    for (label, bytes, expect) in cases {
        let f = dir.join(format!("{label}.ps1"));
        std::fs::write(&f, &bytes).unwrap();
        let v = fixgen()
            .arg("verify")
            .arg(&f)
            .arg("--ca")
            .arg(&p.ca)
            .output()
            .unwrap();
        assert_eq!(
            v.status.code(),
            Some(1),
            "{label}: {}",
            common::output_text(&v)
        );
        assert!(
            common::output_text(&v).contains("FAILED"),
            "{label}: {}",
            common::output_text(&v)
        );
        assert!(
            common::output_text(&v).contains(expect),
            "{label}: {}",
            common::output_text(&v)
        );
        if label != "appended" {
            if let Some((ok, o)) = pki::osslsigncode_verify(&f, &p.ca) {
                assert!(!ok, "osslsigncode accepted {label}:\n{o}");
            }
        }
    }
    // Wrong CA: exit 1. Missing path: exit 2.
    let v = fixgen()
        .arg("verify")
        .arg(&signed)
        .arg("--ca")
        .arg(&p.other_ca)
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(1), "{}", common::output_text(&v));
    let v = fixgen()
        .arg("verify")
        .arg(dir.join("nope"))
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(2), "{}", common::output_text(&v));
}

#[test]
fn fixgen_verify_reports_a_bundle_as_json() {
    let Some(p) = pki::pki() else { return };
    let signer =
        fixgen::pipeline::parts::sign::Signer::from_pem_files(&p.p256.cert, &p.p256.key, None)
            .unwrap();
    let bundle = fixgen::pipeline::parts::validate::embedded_bundle().unwrap();
    let plan = fixgen::pipeline::parts::plan::build(&bundle, &Default::default()).unwrap();
    let mut a = fixgen::pipeline::parts::render::Artifacts::default();
    a.add(fixgen::pipeline::parts::render::OutputFile::new(
        "scripts/x.ps1",
        b"Write-Output 'x'\r\n".to_vec(),
    ));
    a.add(fixgen::pipeline::parts::render::OutputFile::new(
        "REVIEW.md",
        b"# r\n".to_vec(),
    ));
    fixgen::pipeline::finish_in_memory(&mut a, &plan, Some(&signer)).unwrap();
    let dir = pki::scratch("cli-bundle");
    for f in a.files.values() {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &f.bytes).unwrap();
    }
    let run = || {
        fixgen()
            .arg("verify")
            .arg(&dir)
            .args(pki::ca_json_args(&p.ca))
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success(), "{}", common::output_text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["ok"], true);
    assert_eq!(j["sums_signature"], "valid");
    let files = j["files"].as_array().unwrap();
    assert_eq!(files.len(), 3, "{j:#}");
    let x = files.iter().find(|f| f["path"] == "scripts/x.ps1").unwrap();
    assert_eq!(x["authenticode"], "valid");

    std::fs::write(dir.join("REVIEW.md"), "# changed\n").unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(1), "{}", common::output_text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["ok"], false);
    let r = j["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "REVIEW.md")
        .unwrap();
    assert_eq!(r["hash"], "changed");
    // Human output names the file.
    let out = fixgen().arg("verify").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::output_text(&out).contains("FAILED  REVIEW.md"),
        "{}",
        common::output_text(&out)
    );
}

#[test]
fn fixgen_sign_with_timestamp_url() {
    let Some(p) = pki::pki() else { return };
    let url = pki::tsa_server(p);
    let dir = pki::scratch("cli-timestamp");
    let files = write_inputs(&dir);
    let out = fixgen()
        .arg("sign")
        .args(&files)
        .arg("--pfx")
        .arg(&p.pfx_modern)
        .args(["--password-env", "PW", "--timestamp-url", &url])
        .env("PW", pki::PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::output_text(&out));
    assert_no_secrets(&out, p);
    for f in &files {
        if let Some(tool) = common::oracle("osslsigncode") {
            let o = std::process::Command::new(tool)
                .args(["verify", "-in"])
                .arg(f)
                .arg("-CAfile")
                .arg(&p.ca)
                .arg("-TSA-CAfile")
                .arg(&p.ca)
                .arg("-ignore-crl")
                .output()
                .unwrap();
            let t = String::from_utf8_lossy(&o.stdout);
            assert!(o.status.success(), "{t}");
            assert!(
                t.contains("Timestamp Server Signature verification: ok"),
                "{t}"
            );
        }
        let v = fixgen()
            .arg("verify")
            .arg(f)
            .arg("--ca")
            .arg(&p.ca)
            .output()
            .unwrap();
        assert!(v.status.success(), "{}", common::output_text(&v));
        assert!(
            common::output_text(&v).contains("timestamped"),
            "{}",
            common::output_text(&v)
        );
    }
    // No TSA listening: clear error, exit 2, file untouched.
    let before = std::fs::read(&files[0]).unwrap();
    let out = fixgen()
        .arg("sign")
        .arg(&files[0])
        .args(p.rsa2048.key_args())
        .args(["--timestamp-url", "http://127.0.0.1:9/"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        common::output_text(&out).contains("timestamp from http://127.0.0.1:9/ failed"),
        "{}",
        common::output_text(&out)
    );
    assert_eq!(std::fs::read(&files[0]).unwrap(), before);
}

/// Many files signed by several threads, with two missing files: every other file is signed
/// (some checked by osslsigncode), the missing ones are reported, the exit code is 2 and no
/// temporary file is left behind.
#[test]
fn fixgen_sign_many_files_with_missing_ones() {
    let Some(p) = pki::pki() else { return };
    let dir = pki::scratch("cli-sign-many");
    let files: Vec<PathBuf> = (0..300).map(|i| dir.join(format!("s{i:03}.ps1"))).collect();
    for (i, f) in files.iter().enumerate() {
        if i != 5 && i != 270 {
            std::fs::write(f, format!("Write-Output 'script {i}'\r\n")).unwrap();
        }
    }
    let out = fixgen()
        .arg("sign")
        .args(&files)
        .args(p.rsa2048.key_args())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", common::output_text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("signed ")).count(),
        298
    );
    for missing in [5, 270] {
        assert!(
            stderr.contains(&files[missing].display().to_string()),
            "missing file {missing} not reported:\n{stderr}"
        );
        assert!(!files[missing].exists());
    }
    for (i, f) in files.iter().enumerate() {
        if i == 5 || i == 270 {
            continue;
        }
        let t = std::fs::read_to_string(f).unwrap();
        assert!(t.starts_with(&format!("Write-Output 'script {i}'\r\n")));
        assert_eq!(t.matches("# SIG # Begin signature block").count(), 1, "{i}");
    }
    for i in [0, 255, 256, 299] {
        if let Some((ok, o)) = pki::osslsigncode_verify(&files[i], &p.ca) {
            assert!(ok, "osslsigncode rejected {}:\n{o}", files[i].display());
        }
    }
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}
