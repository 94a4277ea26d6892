//! `fixgen sign --bundle DIR` (issue 19): signs every PowerShell file of a built bundle and
//! rewrites the Intune payloads, REVIEW.md, manifest.json, SHA256SUMS and SHA256SUMS.p7s, checked
//! by `fixgen verify`, `sha256sum -c`, osslsigncode and openssl; plain `fixgen sign` on files
//! inside a bundle warns and names the bundle mode.

mod common;
mod pki;

use std::path::Path;
use std::process::{Command, Output};

use base64ct::Encoding;
use common::fixgen;

fn values(dir: &Path) -> std::path::PathBuf {
    let v = dir.join("v.yaml");
    std::fs::write(
        &v,
        "ConnectionName: Work\nServerAddress: vpn.example.com\nPreSharedKey: Sb-Secret-41xz\n",
    )
    .unwrap();
    v
}

fn build(out: &Path, v: &Path, sign: Option<&pki::Pki>) -> Output {
    let mut c = fixgen();
    c.arg("build")
        .arg("--out")
        .arg(out)
        .arg("--values")
        .arg(v)
        .arg("--allow-embedded-secrets");
    if let Some(p) = sign {
        c.args(p.rsa2048.key_args());
    }
    c.output().unwrap()
}

fn is_powershell(p: &str) -> bool {
    p.ends_with(".ps1") || p.ends_with(".psm1") || p.ends_with(".psd1")
}

#[test]
fn sign_bundle_signs_every_powershell_file_and_rewrites_the_lists() {
    let Some(p) = pki::pki() else { return };
    let Some(sha256sum) = common::oracle("sha256sum") else {
        return;
    };
    let Some(openssl) = common::oracle("openssl") else {
        return;
    };
    let root = pki::scratch("sign-bundle");
    let v = values(&root);
    let dir = root.join("dist");
    let o = build(&dir, &v, None);
    assert!(o.status.success(), "{}", common::output_text(&o));

    let o = fixgen()
        .args(["sign", "--bundle"])
        .arg(&dir)
        .args(p.rsa2048.key_args())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(!common::output_text(&o).contains("Sb-Secret-41xz"));

    // fixgen verify, with the CA: every file and SHA256SUMS.p7s.
    let o = fixgen()
        .arg("verify")
        .arg(&dir)
        .arg("--ca")
        .arg(&p.ca)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("SHA256SUMS.p7s: valid"),
        "{}",
        common::output_text(&o)
    );
    // sha256sum -c in the folder.
    let o = Command::new(&sha256sum)
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    // openssl: SHA256SUMS.p7s is a detached signature of SHA256SUMS by the signer.
    let o = Command::new(&openssl)
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(dir.join("SHA256SUMS.p7s"))
        .arg("-content")
        .arg(dir.join("SHA256SUMS"))
        .arg("-CAfile")
        .arg(&p.ca)
        .args(["-purpose", "any", "-out", "/dev/null"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));

    let files = common::bundle_files(&dir);
    let ps: Vec<&String> = files.keys().filter(|k| is_powershell(k)).collect();
    assert!(ps.iter().any(|k| k.starts_with("gpo/")), "{ps:?}");
    assert!(ps.iter().any(|k| k.starts_with("intune/")), "{ps:?}");
    // osslsigncode: every PowerShell file, the GPO and Intune copies included.
    for k in &ps {
        let Some((ok, out)) = pki::osslsigncode_verify(&dir.join(k), &p.ca) else {
            return;
        };
        assert!(ok, "{k}: {out}");
    }
    // The Intune payloads carry the signed bytes and enforce the check.
    let mut payloads = 0;
    for (k, bytes) in &files {
        if !k.ends_with("deviceHealthScript.json") {
            continue;
        }
        payloads += 1;
        let folder = &k[..k.rfind('/').unwrap()];
        let j: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(j["enforceSignatureCheck"], true, "{k}");
        for (field, file) in [
            ("detectionScriptContent", "detect.ps1"),
            ("remediationScriptContent", "remediate.ps1"),
        ] {
            let b = base64ct::Base64::decode_vec(j[field].as_str().unwrap()).unwrap();
            assert_eq!(&b, &files[&format!("{folder}/{file}")], "{k} {field}");
        }
    }
    assert!(payloads > 1);
    let m: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(m["signed"], true);
    for f in m["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        assert_eq!(f["authenticode"], is_powershell(path), "{path}");
    }
    let review = String::from_utf8(files["REVIEW.md"].clone()).unwrap();
    assert!(
        review.contains(&format!("{} of ", ps.len())),
        "REVIEW.md counts the signed files"
    );

    // RSA PKCS#1 v1.5 signatures are deterministic: the same bytes as a signed build.
    let signed_build = root.join("signed");
    let o = build(&signed_build, &v, Some(p));
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert_eq!(files, common::bundle_files(&signed_build));
}

#[test]
fn sign_bundle_refuses_a_changed_bundle_and_plain_sign_inside_a_bundle_warns() {
    let Some(p) = pki::pki() else { return };
    let root = pki::scratch("sign-bundle-changed");
    let dir = root.join("dist");
    let o = fixgen()
        .arg("build")
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    // Plain sign of one script inside the bundle: signed, with a warning naming --bundle.
    let script = dir.join("scripts/nat-traversal.ps1");
    let o = fixgen()
        .arg("sign")
        .arg(&script)
        .args(p.rsa2048.key_args())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning:") && err.contains("fixgen sign --bundle"),
        "{err}"
    );
    // The bundle now fails verify, and --bundle refuses to bless the change.
    let before = common::bundle_files(&dir);
    let o = fixgen()
        .args(["sign", "--bundle"])
        .arg(&dir)
        .args(p.rsa2048.key_args())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("does not verify"),
        "{}",
        common::output_text(&o)
    );
    assert_eq!(
        before,
        common::bundle_files(&dir),
        "a refused sign changed files"
    );
}
