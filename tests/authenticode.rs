//! Authenticode signing through the library, checked by `osslsigncode verify` (Debian's
//! osslsigncode, an oracle we did not write) and by our own verifier.

mod common;
mod pki;

use std::time::SystemTime;

use fixgen::pipeline::parts::sign::{verify_script, Signer, VerifyOptions};

fn signer_pem(cert: &std::path::Path, key: &std::path::Path) -> Signer {
    Signer::from_pem_files(cert, key, None).expect("load signer")
}

fn opts(ca: &std::path::Path) -> VerifyOptions {
    VerifyOptions {
        ca: Some(fixgen::pipeline::parts::sign::load_ca_file(ca).unwrap()),
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
            // Only the oracle is skipped when osslsigncode is missing; fixgen's checks run.
            if let Some((ok, out)) = pki::osslsigncode_verify(&f, &p.ca) {
                assert!(ok, "osslsigncode rejected {label} {name}:\n{out}");
            }
            let info = verify_script(&signed, &opts(&p.ca)).unwrap();
            assert_eq!(
                info.trust,
                fixgen::pipeline::parts::sign::TrustStatus::Trusted
            );
            assert!(info.signer.contains(label), "{}", info.signer);
        }
    }
}

fn sample() -> Vec<u8> {
    b"#Requires -Version 5.1\r\nWrite-Output 'hello'\r\n".to_vec()
}

#[test]
fn fixgen_verifies_a_file_signed_by_osslsigncode() {
    let Some(p) = pki::pki() else { return };
    let Some(tool) = common::oracle("osslsigncode") else {
        return;
    };
    let dir = pki::scratch("lib-ossl-signed");
    for (name, bytes) in inputs() {
        let input = dir.join(format!("in-{name}"));
        let output = dir.join(format!("out-{name}"));
        std::fs::write(&input, &bytes).unwrap();
        let st = std::process::Command::new(&tool)
            .args(["sign", "-h", "sha256", "-certs"])
            .arg(&p.rsa2048_chain)
            .arg("-key")
            .arg(&p.rsa2048.key)
            .arg("-in")
            .arg(&input)
            .arg("-out")
            .arg(&output)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let signed = std::fs::read(&output).unwrap();
        let info = verify_script(&signed, &opts(&p.ca))
            .unwrap_or_else(|e| panic!("fixgen rejected osslsigncode's {name}: {e}"));
        assert_eq!(
            info.trust,
            fixgen::pipeline::parts::sign::TrustStatus::Trusted
        );
        // And our own signature over the same input is byte-identical in the content part and
        // verifies too (RSA PKCS#1 v1.5 is deterministic).
        let ours = signer_pem(&p.rsa2048.cert, &p.rsa2048.key)
            .sign_script(&signed, name)
            .unwrap();
        assert!(ours.starts_with(&bytes));
        verify_script(&ours, &opts(&p.ca)).unwrap();
    }
}

#[test]
fn re_signing_replaces_the_block() {
    let Some(p) = pki::pki() else { return };
    let s = signer_pem(&p.rsa2048.cert, &p.rsa2048.key);
    for (name, bytes) in inputs() {
        let once = s.sign_script(&bytes, name).unwrap();
        let twice = s.sign_script(&once, name).unwrap();
        assert_eq!(
            once, twice,
            "{name}: re-signing must replace, not stack, the block"
        );
        // A different key replaces the block too.
        let other = signer_pem(&p.p256.cert, &p.p256.key)
            .sign_script(&once, name)
            .unwrap();
        assert!(other.starts_with(&bytes));
        let text = String::from_utf8_lossy(&other).replace('\0', "");
        assert_eq!(text.matches("# SIG # Begin signature block").count(), 1);
        verify_script(&other, &opts(&p.ca)).unwrap();
    }
}

#[test]
fn tampering_is_caught_by_fixgen_and_osslsigncode() {
    let Some(p) = pki::pki() else { return };
    let s = signer_pem(&p.rsa2048.cert, &p.rsa2048.key);
    let dir = pki::scratch("lib-tamper");
    let signed = s.sign_script(&sample(), "t.ps1").unwrap();
    let good = dir.join("good.ps1");
    std::fs::write(&good, &signed).unwrap();
    if let Some((ok, out)) = pki::osslsigncode_verify(&good, &p.ca) {
        assert!(ok, "{out}");
    }

    // One flipped byte in the content.
    let mut content = signed.clone();
    content[25] ^= 0x01;
    let e = verify_script(&content, &opts(&p.ca)).unwrap_err();
    assert!(e.contains("content hash mismatch"), "{e}");
    let f = dir.join("content.ps1");
    std::fs::write(&f, &content).unwrap();
    if let Some((ok, out)) = pki::osslsigncode_verify(&f, &p.ca) {
        assert!(!ok, "osslsigncode accepted a changed script:\n{out}");
    }

    // One changed character in the base64 (inside the signature value near the end).
    let text = String::from_utf8(signed.clone()).unwrap();
    let end = text.find("\r\n# SIG # End signature block").unwrap();
    let at = end - 10;
    let mut b64 = signed.clone();
    b64[at] = if b64[at] == b'A' { b'B' } else { b'A' };
    let e = verify_script(&b64, &opts(&p.ca)).unwrap_err();
    assert!(
        e.contains("signature") || e.contains("base64") || e.contains("DER"),
        "{e}"
    );
    let f = dir.join("b64.ps1");
    std::fs::write(&f, &b64).unwrap();
    if let Some((ok, out)) = pki::osslsigncode_verify(&f, &p.ca) {
        assert!(!ok, "osslsigncode accepted a changed signature:\n{out}");
    }

    // A line after the end marker: Windows rejects it, osslsigncode does not look; we must.
    let mut appended = signed.clone();
    appended.extend_from_slice(b"Remove-Item C:\\ -Recurse\r\n");
    let e = verify_script(&appended, &opts(&p.ca)).unwrap_err();
    assert!(e.contains("follows"), "{e}");
    // Trailing line breaks alone are fine.
    let mut breaks = signed.clone();
    breaks.extend_from_slice(b"\r\n\r\n");
    verify_script(&breaks, &opts(&p.ca)).unwrap();

    // CRLF -> LF conversion (what git autocrlf does) breaks the signature.
    let lf = String::from_utf8(signed.clone())
        .unwrap()
        .replace("\r\n", "\n");
    // The block's own line breaks changed too: refused as a malformed block, saying why.
    let e = verify_script(lf.as_bytes(), &opts(&p.ca)).unwrap_err();
    assert!(e.contains("line breaks changed after signing"), "{e}");
}

#[test]
fn trust_is_anchored_in_the_given_ca() {
    let Some(p) = pki::pki() else { return };
    let signed = signer_pem(&p.rsa2048.cert, &p.rsa2048.key)
        .sign_script(&sample(), "t.ps1")
        .unwrap();
    let e = verify_script(&signed, &opts(&p.other_ca)).unwrap_err();
    assert!(e.contains("does not chain"), "{e}");
    let untrusted = verify_script(&signed, &VerifyOptions::default()).unwrap();
    assert_eq!(
        untrusted.trust,
        fixgen::pipeline::parts::sign::TrustStatus::NotChecked
    );
    // Verified in the future, after the leaf's 30 days: expired.
    let later = VerifyOptions {
        now: SystemTime::now() + std::time::Duration::from_secs(60 * 86400),
        ..opts(&p.ca)
    };
    let e = verify_script(&signed, &later).unwrap_err();
    assert!(e.contains("expired"), "{e}");
}

#[test]
fn key_formats_and_pfx_forms_load() {
    let Some(p) = pki::pki() else { return };
    let pw = || Ok(zeroize::Zeroizing::new(pki::PASSWORD.to_string()));
    let cases: Vec<(&str, Signer)> = vec![
        (
            "pkcs1",
            Signer::from_pem_files(&p.rsa2048.cert, &p.rsa2048_pkcs1_key, None).unwrap(),
        ),
        (
            "sec1",
            Signer::from_pem_files(&p.p256.cert, &p.p256_sec1_key, None).unwrap(),
        ),
        (
            "encrypted pkcs8",
            Signer::from_pem_files(&p.rsa2048.cert, &p.rsa2048_encrypted_key, Some(&pw)).unwrap(),
        ),
        (
            "modern pfx",
            Signer::from_pfx_file(&p.pfx_modern, pki::PASSWORD).unwrap(),
        ),
        (
            "legacy pfx",
            Signer::from_pfx_file(&p.pfx_legacy, pki::PASSWORD).unwrap(),
        ),
        (
            "3des pfx",
            Signer::from_pfx_file(&p.pfx_3des, pki::PASSWORD).unwrap(),
        ),
    ];
    let dir = pki::scratch("lib-keys");
    for (label, s) in cases {
        let signed = s.sign_script(&sample(), "t.ps1").unwrap();
        let f = dir.join(format!("{}.ps1", label.replace(' ', "-")));
        std::fs::write(&f, &signed).unwrap();
        if let Some((ok, out)) = pki::osslsigncode_verify(&f, &p.ca) {
            assert!(ok, "{label}: {out}");
        }
        verify_script(&signed, &opts(&p.ca)).unwrap();
    }
}

#[test]
fn unusable_keys_and_certificates_give_clear_errors() {
    let Some(p) = pki::pki() else { return };
    use fixgen::pipeline::parts::sign::SignError;
    let e = Signer::from_pem_files(&p.no_eku.cert, &p.no_eku.key, None).unwrap_err();
    assert!(matches!(e, SignError::NoCodeSigningEku { .. }), "{e}");
    assert!(e.to_string().contains("Code Signing"), "{e}");
    let e = Signer::from_pem_files(&p.expired.cert, &p.expired.key, None).unwrap_err();
    assert!(matches!(e, SignError::Expired { .. }), "{e}");
    assert!(e.to_string().contains("expired on"), "{e}");
    let e = Signer::from_pfx_file(&p.pfx_modern, "wrong").unwrap_err();
    assert!(matches!(e, SignError::WrongPassword { .. }), "{e}");
    let e = Signer::from_pfx_file(&p.pfx_legacy, "wrong").unwrap_err();
    assert!(matches!(e, SignError::WrongPassword { .. }), "{e}");
    let e = Signer::from_pem_files(&p.rsa2048.cert, &p.p256.key, None).unwrap_err();
    assert!(matches!(e, SignError::KeyMismatch { .. }), "{e}");
    let bad = || Ok(zeroize::Zeroizing::new("nope".to_string()));
    let e =
        Signer::from_pem_files(&p.rsa2048.cert, &p.rsa2048_encrypted_key, Some(&bad)).unwrap_err();
    assert!(matches!(e, SignError::WrongPassword { .. }), "{e}");
    // A certificate file given as the key.
    let e = Signer::from_pem_files(&p.rsa2048.cert, &p.rsa2048.cert, None).unwrap_err();
    assert!(e.to_string().contains("no private key found"), "{e}");
}

#[test]
fn detached_signature_is_accepted_by_openssl_cms() {
    let Some(p) = pki::pki() else { return };
    let Some(openssl) = common::oracle("openssl") else {
        return;
    };
    let dir = pki::scratch("lib-cms");
    let content = b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.ps1\n";
    for leaf in [&p.rsa2048, &p.p256] {
        let s = signer_pem(&leaf.cert, &leaf.key);
        let p7s = s.sign_detached(content).unwrap();
        std::fs::write(dir.join("SHA256SUMS"), content).unwrap();
        std::fs::write(dir.join("SHA256SUMS.p7s"), &p7s).unwrap();
        let cms = |d: &std::path::Path| {
            std::process::Command::new(&openssl)
                .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
                .arg(d.join("SHA256SUMS.p7s"))
                .arg("-content")
                .arg(d.join("SHA256SUMS"))
                .arg("-CAfile")
                .arg(&p.ca)
                .args(["-purpose", "any", "-out", "/dev/null"])
                .output()
                .unwrap()
        };
        let out = cms(&dir);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        fixgen::pipeline::parts::sign::verify_detached(content, &p7s, &opts(&p.ca)).unwrap();
        std::fs::write(dir.join("SHA256SUMS"), b"changed\n").unwrap();
        let out = cms(&dir);
        assert!(
            !out.status.success(),
            "openssl cms accepted changed content"
        );
        assert!(
            fixgen::pipeline::parts::sign::verify_detached(b"changed\n", &p7s, &opts(&p.ca))
                .is_err()
        );
    }
}

#[test]
fn rfc3161_timestamps_from_a_local_tsa_are_accepted_by_osslsigncode() {
    let Some(p) = pki::pki() else { return };
    let url = pki::tsa_server(p);
    let mut s = signer_pem(&p.rsa2048.cert, &p.rsa2048.key);
    s.set_timestamp_url(&url).unwrap();
    let dir = pki::scratch("lib-timestamp");
    for (name, bytes) in inputs() {
        let signed = s.sign_script(&bytes, name).unwrap();
        let f = dir.join(name);
        std::fs::write(&f, &signed).unwrap();
        if let Some(tool) = common::oracle("osslsigncode") {
            let out = std::process::Command::new(tool)
                .args(["verify", "-in"])
                .arg(&f)
                .arg("-CAfile")
                .arg(&p.ca)
                .arg("-TSA-CAfile")
                .arg(&p.ca)
                .arg("-ignore-crl")
                .output()
                .unwrap();
            let t = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(
                out.status.success(),
                "{name}:\n{t}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                t.contains("Timestamp Server Signature verification: ok"),
                "{name}:\n{t}"
            );
        }
        let info = verify_script(&signed, &opts(&p.ca)).unwrap();
        let ts = info.timestamp.expect("timestamp checked");
        assert!(ts.authority.contains("tsa"), "{}", ts.authority);
        assert_eq!(
            ts.trust,
            fixgen::pipeline::parts::sign::TrustStatus::Trusted
        );
        // A timestamped signature stays valid after the signing certificate expires...
        let later = VerifyOptions {
            now: SystemTime::now() + std::time::Duration::from_secs(60 * 86400),
            ..opts(&p.ca)
        };
        verify_script(&signed, &later).unwrap();
        // ...and a changed script still fails.
        let mut bad = signed.clone();
        bad[2] ^= 0x01;
        assert!(verify_script(&bad, &opts(&p.ca)).is_err());
    }
    // A TSA that does not answer gives a clear error.
    let mut s = signer_pem(&p.rsa2048.cert, &p.rsa2048.key);
    s.set_timestamp_url("http://127.0.0.1:9/tsa").unwrap();
    let e = s.sign_script(&sample(), "t.ps1").unwrap_err();
    assert!(
        e.to_string()
            .contains("timestamp from http://127.0.0.1:9/tsa failed"),
        "{e}"
    );
    assert!(s.set_timestamp_url("https://example.invalid/").is_err());
}

/// Exhaustive tampering: every single-character change of a signed file (content, markers,
/// each base64 character replaced by another base64 character) and every truncation is
/// rejected, and none makes the verifier panic. This caught unauthenticated fields (algorithm
/// parameters, SignerInfo version, a certificate's outer signatureAlgorithm) that osslsigncode
/// also accepts changed.
#[test]
fn every_single_character_change_is_rejected() {
    let Some(p) = pki::pki() else { return };
    let s = signer_pem(&p.rsa2048.cert, &p.rsa2048.key);
    let signed = s.sign_script(b"Write-Output 1\r\n", "x.ps1").unwrap();
    let o = opts(&p.ca);
    verify_script(&signed, &o).unwrap();
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let block = signed.windows(6).position(|w| w == b"\r\n# SI").unwrap();
    let mut accepted = Vec::new();
    for i in 0..signed.len() {
        let c = signed[i];
        let alt = match B64.iter().position(|x| *x == c) {
            Some(k) if i > block => B64[(k + 1) % 64],
            _ => c ^ 0x01,
        };
        let mut m = signed.clone();
        m[i] = alt;
        if verify_script(&m, &o).is_ok() {
            accepted.push((i, c as char, alt as char));
        }
    }
    assert!(accepted.is_empty(), "changes accepted: {accepted:?}");
    for cut in (1..signed.len() - 2).step_by(7) {
        assert!(
            verify_script(&signed[..cut], &o).is_err(),
            "truncated at {cut}"
        );
    }
}

#[test]
fn chains_through_an_embedded_intermediate() {
    let Some(p) = pki::pki() else { return };
    let dir = pki::scratch("lib-intermediate");
    let with = signer_pem(&p.via_intermediate.cert, &p.via_intermediate.key)
        .sign_script(&sample(), "t.ps1")
        .unwrap();
    let f = dir.join("with.ps1");
    std::fs::write(&f, &with).unwrap();
    if let Some((ok, out)) = pki::osslsigncode_verify(&f, &p.ca) {
        assert!(ok, "{out}");
    }
    let info = verify_script(&with, &opts(&p.ca)).unwrap();
    assert_eq!(
        info.trust,
        fixgen::pipeline::parts::sign::TrustStatus::Trusted
    );
    assert_eq!(info.algorithm, "ECDSA P-256");

    // Without the intermediate in the signature, neither osslsigncode nor fixgen can build
    // the chain to the root.
    let without = signer_pem(&p.via_intermediate_leaf_only, &p.via_intermediate.key)
        .sign_script(&sample(), "t.ps1")
        .unwrap();
    let f = dir.join("without.ps1");
    std::fs::write(&f, &without).unwrap();
    if let Some((ok, out)) = pki::osslsigncode_verify(&f, &p.ca) {
        assert!(!ok, "{out}");
    }
    let e = verify_script(&without, &opts(&p.ca)).unwrap_err();
    assert!(e.contains("does not chain"), "{e}");
}
