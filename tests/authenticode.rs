//! Authenticode signing through the library, checked by `osslsigncode verify` (Debian's
//! osslsigncode, an oracle we did not write) and by our own verifier.

mod common;
mod pki;

use std::time::SystemTime;

use fixgen::sign::{verify_script, Signer, VerifyOptions};

fn signer_pem(cert: &std::path::Path, key: &std::path::Path) -> Signer {
    Signer::from_pem_files(cert, key, None).expect("load signer")
}

fn opts(ca: &std::path::Path) -> VerifyOptions {
    VerifyOptions {
        ca: Some(fixgen::sign::load_ca_file(ca).unwrap()),
        now: SystemTime::now(),
    }
}

fn utf16le(s: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    for u in s.encode_utf16() {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

/// The four input shapes the issue names.
fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    let crlf = "#Requires -Version 5.1\r\nparam()\r\nWrite-Output 'fixgen \u{e9}t\u{e9}'\r\n";
    let lf = "#Requires -Version 5.1\nparam()\nWrite-Output 'plain'\n";
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice("Write-Output 'caf\u{e9} \u{2713}'\r\n".as_bytes());
    vec![
        ("crlf.ps1", crlf.as_bytes().to_vec()),
        ("lf.psm1", lf.as_bytes().to_vec()),
        ("bom.psd1", bom),
        ("utf16.ps1", utf16le("Write-Output 'UTF-16 \u{e9}'\r\n")),
    ]
}

#[test]
fn osslsigncode_accepts_every_key_type_and_encoding() {
    let Some(p) = pki::pki() else { return };
    let dir = pki::scratch("lib-matrix");
    for (label, leaf) in [
        ("rsa2048", &p.rsa2048),
        ("rsa4096", &p.rsa4096),
        ("p256", &p.p256),
    ] {
        let s = signer_pem(&leaf.cert, &leaf.key);
        for (name, bytes) in inputs() {
            let signed = s.sign_script(&bytes, name).unwrap();
            assert!(signed.starts_with(&bytes), "content kept as is");
            let f = dir.join(format!("{label}-{name}"));
            std::fs::write(&f, &signed).unwrap();
            let Some((ok, out)) = pki::osslsigncode_verify(&f, &p.ca) else {
                return;
            };
            assert!(ok, "osslsigncode rejected {label} {name}:\n{out}");
            let info = verify_script(&signed, &opts(&p.ca)).unwrap();
            assert_eq!(info.trust, fixgen::sign::TrustStatus::Trusted);
            assert!(info.signer.contains(label), "{}", info.signer);
        }
    }
}
