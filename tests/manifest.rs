//! The manifest stage and the bundle verifier, checked by `sha256sum -c`, `openssl cms -verify`
//! and `osslsigncode verify`.

mod common;
mod pki;

use std::path::Path;
use std::process::Command;

use fixgen::pipeline::finish_in_memory;
use fixgen::pipeline::parts::render::{Artifacts, OutputFile};
use fixgen::pipeline::parts::sign::bundle::verify_bundle;
use fixgen::pipeline::parts::sign::manifest::Manifest;
use fixgen::pipeline::parts::sign::{Signer, VerifyOptions};

fn plan() -> fixgen::pipeline::parts::plan::Plan {
    let bundle =
        fixgen::pipeline::parts::validate::embedded_bundle().expect("embedded bundle loads");
    fixgen::pipeline::parts::plan::build(&bundle, &Default::default()).expect("plan")
}

fn artifacts() -> Artifacts {
    let mut a = Artifacts::default();
    for (p, t) in [
        (
            "scripts/nat-traversal.ps1",
            "#Requires -Version 5.1\r\nWrite-Output 'nat'\r\n",
        ),
        (
            "scripts/ipsec-services.ps1",
            "#Requires -Version 5.1\r\nWrite-Output 'svc'\r\n",
        ),
        ("module/L2tpFix.psm1", "function Invoke-L2tpFix { }\r\n"),
        ("module/L2tpFix.psd1", "@{ ModuleVersion = '1.0.0' }\r\n"),
        ("REVIEW.md", "# Review\n"),
    ] {
        a.add(OutputFile::new(p, t.as_bytes().to_vec()));
    }
    let mut reg = vec![0xFF, 0xFE];
    for u in "Windows Registry Editor Version 5.00\r\n".encode_utf16() {
        reg.extend_from_slice(&u.to_le_bytes());
    }
    a.add(OutputFile::new("reg/nat-traversal.reg", reg));
    a
}

fn write(dir: &Path, a: &Artifacts) {
    for f in a.files.values() {
        let p = dir.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &f.bytes).unwrap();
    }
}

fn opts(ca: &Path) -> VerifyOptions {
    VerifyOptions {
        ca: Some(fixgen::pipeline::parts::sign::load_ca_file(ca).unwrap()),
        now: std::time::SystemTime::now(),
    }
}

fn sha256sum_check(dir: &Path) -> Option<bool> {
    let tool = common::oracle("sha256sum")?;
    let out = Command::new(tool)
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap();
    Some(out.status.success())
}

fn cms_verify(dir: &Path, ca: &Path) -> Option<bool> {
    let tool = common::oracle("openssl")?;
    let out = Command::new(tool)
        .args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "SHA256SUMS.p7s",
        ])
        .args(["-content", "SHA256SUMS", "-CAfile"])
        .arg(ca)
        .args(["-purpose", "any", "-out", "/dev/null"])
        .current_dir(dir)
        .output()
        .unwrap();
    Some(out.status.success())
}

#[test]
fn unsigned_bundle_has_sums_and_manifest() {
    let plan = plan();
    let mut a = artifacts();
    finish_in_memory(&mut a, &plan, None).unwrap();
    assert!(a.files.contains_key("SHA256SUMS"));
    assert!(a.files.contains_key("manifest.json"));
    assert!(!a.files.contains_key("SHA256SUMS.p7s"));
    let m: Manifest = serde_json::from_slice(&a.files["manifest.json"].bytes).unwrap();
    assert_eq!(m.fixgen_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(m.bundle.name, plan.bundle.name);
    assert_eq!(m.recipes.len(), plan.recipes.len());
    for (r, p) in m.recipes.iter().zip(&plan.recipes) {
        assert_eq!(r.id, p.recipe.id);
        assert_eq!(r.sha256, p.source_sha256);
    }
    assert_eq!(m.files.len(), 6);
    assert!(!m.signed);
    assert!(m.files.iter().all(|f| !f.authenticode));
    let sums = String::from_utf8(a.files["SHA256SUMS"].bytes.clone()).unwrap();
    assert_eq!(
        sums.lines().count(),
        7,
        "six files plus manifest.json:\n{sums}"
    );
    let dir = pki::scratch("manifest-unsigned");
    write(&dir, &a);
    if let Some(ok) = sha256sum_check(&dir) {
        assert!(ok);
    }
    let r = verify_bundle(&dir, &VerifyOptions::default()).unwrap();
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.sums_signature, "absent");
    // Same input, same bytes.
    let mut again = artifacts();
    finish_in_memory(&mut again, &plan, None).unwrap();
    assert_eq!(again, a);
}

#[test]
fn signed_bundle_verifies_and_every_tampering_is_caught() {
    let Some(p) = pki::pki() else { return };
    let signer = Signer::from_pem_files(&p.rsa2048_chain, &p.rsa2048.key, None).unwrap();
    let plan = plan();
    let mut a = artifacts();
    finish_in_memory(&mut a, &plan, Some(&signer)).unwrap();
    let m: Manifest = serde_json::from_slice(&a.files["manifest.json"].bytes).unwrap();
    assert!(m.signed);
    for f in &m.files {
        assert_eq!(f.authenticode, f.path.contains(".ps"), "{}", f.path);
    }
    // RSA signatures are deterministic: the whole bundle is byte-identical on a rebuild.
    let mut again = artifacts();
    finish_in_memory(&mut again, &plan, Some(&signer)).unwrap();
    assert_eq!(again, a);

    let dir = pki::scratch("manifest-signed");
    write(&dir, &a);
    if let Some(ok) = sha256sum_check(&dir) {
        assert!(ok, "sha256sum -c rejected a fresh bundle");
    }
    if let Some(ok) = cms_verify(&dir, &p.ca) {
        assert!(ok, "openssl cms -verify rejected SHA256SUMS.p7s");
    }
    for f in a.files.values().filter(|f| f.is_powershell()) {
        if let Some((ok, out)) = pki::osslsigncode_verify(&dir.join(&f.path), &p.ca) {
            assert!(ok, "{}: {out}", f.path);
        }
    }
    let r = verify_bundle(&dir, &opts(&p.ca)).unwrap();
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.sums_signature, "valid");
    assert_eq!(
        r.files
            .iter()
            .filter(|f| f.authenticode == Some("valid"))
            .count(),
        4
    );

    // Edited file.
    let edited = dir.join("REVIEW.md");
    std::fs::write(&edited, "# Review (edited)\n").unwrap();
    let r = verify_bundle(&dir, &opts(&p.ca)).unwrap();
    assert!(!r.ok);
    let f = r.files.iter().find(|f| f.path == "REVIEW.md").unwrap();
    assert_eq!(f.hash, "changed");
    if let Some(ok) = sha256sum_check(&dir) {
        assert!(!ok, "sha256sum -c missed an edited file");
    }
    write(&dir, &a);

    // Removed file.
    std::fs::remove_file(dir.join("reg/nat-traversal.reg")).unwrap();
    let r = verify_bundle(&dir, &opts(&p.ca)).unwrap();
    assert!(!r.ok);
    assert_eq!(
        r.files
            .iter()
            .find(|f| f.path == "reg/nat-traversal.reg")
            .unwrap()
            .hash,
        "missing"
    );
    if let Some(ok) = sha256sum_check(&dir) {
        assert!(!ok, "sha256sum -c missed a removed file");
    }
    write(&dir, &a);

    // Added file: fixgen verify catches it. `sha256sum -c` only checks listed files, so it
    // cannot see an added one; an added file listed in SHA256SUMS breaks the .p7s instead.
    std::fs::write(dir.join("scripts/extra.ps1"), "Write-Output 'evil'\r\n").unwrap();
    let r = verify_bundle(&dir, &opts(&p.ca)).unwrap();
    assert!(!r.ok);
    assert_eq!(
        r.files
            .iter()
            .find(|f| f.path == "scripts/extra.ps1")
            .unwrap()
            .hash,
        "unlisted"
    );
    let mut sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    sums.push_str(&format!(
        "{}  scripts/extra.ps1\n",
        fixgen::pipeline::parts::sign::manifest::sha256_hex(b"Write-Output 'evil'\r\n")
    ));
    std::fs::write(dir.join("SHA256SUMS"), &sums).unwrap();
    if let Some(ok) = cms_verify(&dir, &p.ca) {
        assert!(!ok, "openssl cms accepted a changed SHA256SUMS");
    }
    let r = verify_bundle(&dir, &opts(&p.ca)).unwrap();
    assert!(!r.ok);
    assert_eq!(r.sums_signature, "invalid");
    std::fs::remove_file(dir.join("scripts/extra.ps1")).unwrap();
    write(&dir, &a);

    // Removing the signature is a downgrade the manifest catches.
    std::fs::remove_file(dir.join("SHA256SUMS.p7s")).unwrap();
    let r = verify_bundle(&dir, &opts(&p.ca)).unwrap();
    assert!(!r.ok);
    assert!(r
        .problems
        .iter()
        .any(|p| p.contains("says the bundle is signed")));
    write(&dir, &a);

    // A script whose signature block was stripped, with SHA256SUMS rewritten to match: the
    // manifest says it was signed, and the .p7s no longer matches SHA256SUMS.
    let script = "scripts/nat-traversal.ps1";
    let original = artifacts().files[script].bytes.clone();
    std::fs::write(dir.join(script), &original).unwrap();
    let sums: String = std::fs::read_to_string(dir.join("SHA256SUMS"))
        .unwrap()
        .lines()
        .map(|l| {
            if l.ends_with(script) {
                format!(
                    "{}  {script}\n",
                    fixgen::pipeline::parts::sign::manifest::sha256_hex(&original)
                )
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    if let Some(ok) = sha256sum_check(&dir) {
        assert!(ok, "the rewritten SHA256SUMS is consistent on its own");
    }
    let r = verify_bundle(&dir, &opts(&p.ca)).unwrap();
    assert!(!r.ok);
    assert_eq!(r.sums_signature, "invalid");
    let f = r.files.iter().find(|f| f.path == script).unwrap();
    assert_eq!(f.authenticode, Some("unsigned"));
    assert!(f
        .problems
        .iter()
        .any(|p| p.contains("manifest says this file is signed")));
    write(&dir, &a);
    let r = verify_bundle(&dir, &opts(&p.ca)).unwrap();
    assert!(r.ok, "{r:#?}");
}
