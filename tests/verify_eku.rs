//! Issue 14, item 6a: `fixgen verify` must reject a script signed by a certificate without the
//! Code Signing extended key usage. The certificates are made here with openssl and the scripts
//! signed with `osslsigncode sign`, so the test does not depend on fixgen's own signer (which
//! refuses such certificates before signing).

mod common;
mod pki;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::fixgen;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A leaf certificate issued by the test CA with the given extensions (openssl config lines),
/// and its key: (cert, key).
fn leaf(dir: &Path, ca: &pki::Pki, name: &str, serial: &str, ext: &str) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{name}.key"));
    let csr = dir.join(format!("{name}.csr"));
    let cert = dir.join(format!("{name}.pem"));
    let cnf = dir.join(format!("{name}.cnf"));
    std::fs::write(&cnf, format!("[ext]\n{ext}\n")).unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &s(&key),
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            &s(&key),
            "-subj",
            &format!("/CN=fixgen eku test {name}"),
            "-out",
            &s(&csr),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &s(&csr),
            "-CA",
            &s(&ca.ca),
            "-CAkey",
            &s(&ca.ca_key),
            "-set_serial",
            serial,
            "-days",
            "30",
            "-sha256",
            "-extfile",
            &s(&cnf),
            "-extensions",
            "ext",
            "-out",
            &s(&cert),
        ],
    );
    (cert, key)
}

/// `osslsigncode sign` a small script with the certificate and key.
fn ossl_sign(tool: &Path, dir: &Path, name: &str, cert: &Path, key: &Path) -> PathBuf {
    let input = dir.join(format!("{name}-in.ps1"));
    let out = dir.join(format!("{name}.ps1"));
    std::fs::write(&input, format!("Write-Output 'signed with {name}'\r\n")).unwrap();
    let o = Command::new(tool)
        .args(["sign", "-h", "sha256", "-certs"])
        .arg(cert)
        .arg("-key")
        .arg(key)
        .arg("-in")
        .arg(&input)
        .arg("-out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "osslsigncode sign {name}: {}",
        common::output_text(&o)
    );
    out
}

#[test]
fn verify_rejects_a_signer_without_the_code_signing_eku() {
    let Some(p) = pki::pki() else { return };
    let Some(tool) = common::oracle("osslsigncode") else {
        return;
    };
    let dir = pki::scratch("verify-eku");
    let base = "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature";
    let (cs_cert, cs_key) = leaf(
        &dir,
        p,
        "codesign",
        "7001",
        &format!("{base}\nextendedKeyUsage = codeSigning"),
    );
    let (srv_cert, srv_key) = leaf(
        &dir,
        p,
        "serverauth",
        "7002",
        &format!("{base}\nextendedKeyUsage = serverAuth,clientAuth"),
    );
    let (none_cert, none_key) = leaf(&dir, p, "no-eku-extension", "7003", base);

    // Control: the same certificate recipe with the Code Signing EKU verifies, so a failure
    // below is due to the EKU alone.
    let good = ossl_sign(&tool, &dir, "codesign", &cs_cert, &cs_key);
    let v = fixgen()
        .arg("verify")
        .arg(&good)
        .arg("--ca")
        .arg(&p.ca)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", common::output_text(&v));

    for (name, cert, key) in [
        ("serverauth", &srv_cert, &srv_key),
        ("no-eku-extension", &none_cert, &none_key),
    ] {
        let f = ossl_sign(&tool, &dir, name, cert, key);
        for format in ["human", "json"] {
            let v = fixgen()
                .arg("verify")
                .arg(&f)
                .arg("--ca")
                .arg(&p.ca)
                .args(["--format", format])
                .output()
                .unwrap();
            assert_eq!(
                v.status.code(),
                Some(1),
                "{name}: {}",
                common::output_text(&v)
            );
            let t = common::output_text(&v);
            assert!(
                t.contains("lacks the Code Signing extended key usage")
                    && t.contains(&format!("fixgen eku test {name}")),
                "{name} ({format}): {t}"
            );
        }
        // Without --ca too: the EKU is checked whether or not trust is.
        let v = fixgen().arg("verify").arg(&f).output().unwrap();
        assert_eq!(
            v.status.code(),
            Some(1),
            "{name}: {}",
            common::output_text(&v)
        );
        // In a bundle: the file is reported invalid and the bundle fails.
        let b = dir.join(format!("bundle-{name}"));
        std::fs::create_dir_all(b.join("scripts")).unwrap();
        std::fs::copy(&f, b.join("scripts/fix.ps1")).unwrap();
        let sums = Command::new("sha256sum")
            .arg("scripts/fix.ps1")
            .current_dir(&b)
            .output()
            .unwrap();
        assert!(sums.status.success());
        std::fs::write(b.join("SHA256SUMS"), &sums.stdout).unwrap();
        let v = fixgen()
            .arg("verify")
            .arg(&b)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            v.status.code(),
            Some(1),
            "{name}: {}",
            common::output_text(&v)
        );
        let j: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
        let file = &j["files"][0];
        assert_eq!(file["path"], "scripts/fix.ps1");
        assert_eq!(file["authenticode"], "invalid", "{j}");
        assert!(
            file["problems"][0]
                .as_str()
                .unwrap()
                .contains("lacks the Code Signing extended key usage"),
            "{j}"
        );
    }
}
