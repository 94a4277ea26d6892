//! Verification of Authenticode script signatures and detached CMS signatures.
//!
//! Checks more than `osslsigncode verify` does: the PowerShell SIP GUID, the contentType
//! attribute, the SignedData version, and that nothing but line breaks follows the block.

use std::time::SystemTime;

use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

use super::asn1::*;
use super::keys::has_eku;
use super::script;

/// What to check signatures against.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Trusted root (or intermediate) certificates. `None`: the chain is checked for
    /// consistency but not anchored, and the result says so.
    pub ca: Option<Vec<Certificate>>,
    /// The time certificates must be valid at.
    pub now: SystemTime,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            ca: None,
            now: SystemTime::now(),
        }
    }
}

/// Whether the signer chains to a trusted certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustStatus {
    /// Chains to a certificate from `--ca`.
    Trusted,
    /// No `--ca` given: the embedded chain is consistent, trust was not checked.
    NotChecked,
}

/// A valid signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureInfo {
    pub signer: String,
    pub issuer: String,
    pub serial: String,
    pub algorithm: String,
    pub trust: TrustStatus,
    /// Bytes of the file the signature covers: for a script, everything before the signature
    /// block (the CRLF in front of `# SIG # Begin signature block` is part of the block); for
    /// `SHA256SUMS.p7s`, the whole `SHA256SUMS`.
    pub signed_bytes: u64,
    /// Size of the whole file (for a script: the signed bytes plus the signature block).
    pub file_bytes: u64,
    /// A valid RFC 3161 timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<TimestampInfo>,
    /// A legacy (pre-RFC 3161) Authenticode countersignature is present; it is not checked.
    pub legacy_timestamp: bool,
}

/// A checked RFC 3161 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimestampInfo {
    /// genTime, RFC 3339.
    pub time: String,
    /// The time-stamping authority's certificate subject.
    pub authority: String,
    pub trust: TrustStatus,
    #[serde(skip)]
    pub system_time: SystemTime,
}

/// Check an RFC 3161 token over `signature`: its TSTInfo imprint, its own signature by a
/// certificate with the Time Stamping EKU, and that certificate's chain (at the token's time).
fn verify_timestamp(
    value: &der::asn1::Any,
    signature: &[u8],
    opts: &VerifyOptions,
) -> Result<TimestampInfo, String> {
    let token: ContentInfo = value
        .decode_as()
        .map_err(|e| format!("not a ContentInfo ({e})"))?;
    if token.content_type != ID_SIGNED_DATA {
        return Err("the token is not SignedData".into());
    }
    let sd: SignedData = token
        .content
        .decode_as()
        .map_err(|e| format!("the token's SignedData is malformed ({e})"))?;
    let tst = super::timestamp::tst_info(&token)?;
    let imprint = digest(&tst.message_imprint.hash_algorithm.oid, signature)?;
    if tst.message_imprint.hashed_message.as_bytes() != imprint.as_slice() {
        return Err("the timestamp does not cover this signature".into());
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("the token has no content")?;
    let octets: der::asn1::OctetString = econtent
        .decode_as()
        .map_err(|e| format!("the token content is malformed ({e})"))?;
    // The TSA signed at genTime; its certificates are checked at that time, as Windows does.
    let gen = tst.gen_time.to_date_time();
    let at_gen = VerifyOptions {
        ca: opts.ca.clone(),
        now: gen.to_system_time(),
    };
    let info = verify_signer(
        &sd,
        super::timestamp::ID_CT_TSTINFO,
        octets.as_bytes(),
        Some(ID_KP_TIME_STAMPING),
        &at_gen,
        false,
    )?;
    Ok(TimestampInfo {
        time: gen.to_string(),
        authority: info.signer,
        trust: info.trust,
        system_time: gen.to_system_time(),
    })
}

/// Parse trusted certificates from PEM text.
fn parse_ca_pem(pem: &[u8], origin: &str) -> Result<Vec<Certificate>, String> {
    let certs = Certificate::load_pem_chain(pem).map_err(|_| {
        format!("{origin}: expected PEM certificates (-----BEGIN CERTIFICATE-----)")
    })?;
    if certs.is_empty() {
        return Err(format!("{origin}: no certificate found"));
    }
    Ok(certs)
}

/// Read trusted certificates from a PEM file.
pub fn load_ca_file(path: &std::path::Path) -> Result<Vec<Certificate>, String> {
    let pem = crate::load::read_regular(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_ca_pem(&pem, &path.display().to_string())
}

/// Verify the Authenticode signature of a PowerShell script.
pub fn verify_script(bytes: &[u8], opts: &VerifyOptions) -> Result<SignatureInfo, String> {
    let split = script::split(bytes)?;
    let Some(block) = &split.block else {
        return Err("not signed (no `# SIG # Begin signature block`)".to_string());
    };
    let der = &block.der;
    let file_hash = script::content_hash(&bytes[..split.content_len], split.encoding)?;

    let sd = decode_signed_data(der)?;
    if sd.version != CmsVersion::V1 {
        return Err(format!(
            "SignedData version is {}, expected 1",
            sd.version as u8
        ));
    }
    if sd.encap_content_info.econtent_type != SPC_INDIRECT_DATA {
        return Err(format!(
            "the signed content type is {}, expected SPC_INDIRECT_DATA (1.3.6.1.4.1.311.2.1.4)",
            oid_name(&sd.encap_content_info.econtent_type)
        ));
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("the signature has no SpcIndirectDataContent")?;
    let indirect: SpcIndirectDataContent = econtent
        .decode_as()
        .map_err(|e| format!("the SpcIndirectDataContent is malformed ({e})"))?;
    if indirect.data.value_type != SPC_SIPINFO {
        return Err(format!(
            "the signature is not a script signature (data type {}, expected SpcSipInfo)",
            oid_name(&indirect.data.value_type)
        ));
    }
    let sip: SpcSipInfo = indirect
        .data
        .value
        .decode_as()
        .map_err(|e| format!("the SpcSipInfo is malformed ({e})"))?;
    if sip.guid.as_bytes() != POWERSHELL_SIP_GUID {
        return Err(format!(
            "the SIP GUID is {}, not the PowerShell SIP {{603BCC1F-4B59-4E08-B724-D2C6297EF351}}",
            hex::encode(sip.guid.as_bytes())
        ));
    }
    if indirect.message_digest.digest_algorithm.oid != ID_SHA256 {
        return Err(format!(
            "the file hash uses {}; only sha256 is supported",
            oid_name(&indirect.message_digest.digest_algorithm.oid)
        ));
    }
    if indirect.message_digest.digest.as_bytes() != file_hash {
        return Err("content hash mismatch: the script was changed after it was signed".into());
    }
    // messageDigest covers the SpcIndirectDataContent's contents (without tag and length).
    let mut info = verify_signer(
        &sd,
        SPC_INDIRECT_DATA,
        econtent.value(),
        Some(ID_KP_CODE_SIGNING),
        opts,
        true,
    )?;
    info.signed_bytes = split.content_len as u64;
    info.file_bytes = bytes.len() as u64;
    Ok(info)
}

/// Verify a detached CMS signature (`SHA256SUMS.p7s`) over `content`.
pub fn verify_detached(
    content: &[u8],
    p7s: &[u8],
    opts: &VerifyOptions,
) -> Result<SignatureInfo, String> {
    let sd = decode_signed_data(p7s)?;
    if sd.version != CmsVersion::V1 {
        return Err(format!(
            "SignedData version is {}, expected 1",
            sd.version as u8
        ));
    }
    if sd.encap_content_info.econtent_type != ID_DATA {
        return Err(format!(
            "the signed content type is {}, expected id-data",
            oid_name(&sd.encap_content_info.econtent_type)
        ));
    }
    if sd.encap_content_info.econtent.is_some() {
        return Err("the signature embeds its content; expected a detached signature".into());
    }
    let mut info = verify_signer(&sd, ID_DATA, content, None, opts, false)?;
    info.signed_bytes = content.len() as u64;
    info.file_bytes = content.len() as u64;
    Ok(info)
}

fn decode_signed_data(der: &[u8]) -> Result<SignedData, String> {
    let ci = ContentInfo::from_der(der)
        .map_err(|e| format!("the signature is not a valid DER ContentInfo ({e})"))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(format!(
            "the signature's content type is {}, expected id-signedData",
            oid_name(&ci.content_type)
        ));
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| format!("the SignedData is malformed ({e})"))?;
    Ok(sd)
}

/// Algorithm parameters must be absent or NULL (every algorithm we accept has no parameters):
/// anything else is a malformed or altered signature.
fn check_no_params(alg: &AlgorithmIdentifierOwned, what: &str) -> Result<(), String> {
    match &alg.parameters {
        None => Ok(()),
        Some(p) if der::Tagged::tag(p) == der::Tag::Null && p.value().is_empty() => Ok(()),
        Some(_) => Err(format!(
            "the {what} ({}) has unexpected parameters",
            oid_name(&alg.oid)
        )),
    }
}

/// Hash `data` with the digest algorithm `alg` (sha256, sha384 or sha512).
fn digest(alg: &ObjectIdentifier, data: &[u8]) -> Result<Vec<u8>, String> {
    match *alg {
        a if a == ID_SHA256 => Ok(Sha256::digest(data).to_vec()),
        a if a == ID_SHA384 => Ok(sha2::Sha384::digest(data).to_vec()),
        a if a == ID_SHA512 => Ok(sha2::Sha512::digest(data).to_vec()),
        a => Err(format!("unsupported digest algorithm {}", oid_name(&a))),
    }
}

/// Check the one SignerInfo of `sd` over `content` (the bytes messageDigest covers).
/// `eku`: the extended key usage the signer certificate must have. `timestamps`: look for an
/// RFC 3161 timestamp and, when valid, check certificate validity at its time.
fn verify_signer(
    sd: &SignedData,
    content_type: ObjectIdentifier,
    content: &[u8],
    eku: Option<ObjectIdentifier>,
    opts: &VerifyOptions,
    timestamps: bool,
) -> Result<SignatureInfo, String> {
    let signers: Vec<_> = sd.signer_infos.0.iter().collect();
    let [si] = signers.as_slice() else {
        return Err(format!(
            "expected exactly one signer, found {}",
            signers.len()
        ));
    };
    check_attributes(sd, si, content_type, content, eku)?;
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or("the signer has no authenticated attributes")?;

    let certs: Vec<&Certificate> = sd
        .certificates
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        return Err(
            "the signer is identified by key id; only issuer and serial is supported".into(),
        );
    };
    let signer = certs
        .iter()
        .copied()
        .find(|c| {
            c.tbs_certificate.issuer == ias.issuer
                && c.tbs_certificate.serial_number == ias.serial_number
        })
        .ok_or("the signer's certificate is not in the signature")?;

    let signed = attrs
        .to_der()
        .map_err(|e| format!("cannot encode the authenticated attributes ({e})"))?;
    verify_with_key(
        &signer.tbs_certificate.subject_public_key_info,
        &si.signature_algorithm,
        Some(&si.digest_alg),
        &signed,
        si.signature.as_bytes(),
    )
    .map_err(|e| format!("signature check failed: {e}"))?;

    if let Some(want) = eku {
        if !has_eku(signer, want) {
            return Err(format!(
                "the signer certificate `{}` lacks the {} extended key usage",
                signer.tbs_certificate.subject,
                if want == ID_KP_CODE_SIGNING {
                    "Code Signing"
                } else {
                    "Time Stamping"
                }
            ));
        }
    }
    let (timestamp, legacy_timestamp) = if timestamps {
        signer_timestamps(si, opts)?
    } else {
        (None, false)
    };
    // A valid timestamp proves the signature existed at that time: the signer's certificates
    // must have been valid then (Windows' rule), not now.
    let chain_opts = match &timestamp {
        Some(t) => VerifyOptions {
            ca: opts.ca.clone(),
            now: t.system_time,
        },
        None => opts.clone(),
    };
    let trust = check_chain(signer, &certs, &chain_opts)?;
    Ok(SignatureInfo {
        signer: signer.tbs_certificate.subject.to_string(),
        issuer: signer.tbs_certificate.issuer.to_string(),
        serial: hex::encode(signer.tbs_certificate.serial_number.as_bytes()),
        algorithm: describe_key(&signer.tbs_certificate.subject_public_key_info),
        trust,
        signed_bytes: content.len() as u64,
        file_bytes: content.len() as u64,
        timestamp,
        legacy_timestamp,
    })
}

/// The signer's digest and signature algorithms, and its authenticated attributes: the content
/// type and the digest of `content`.
fn check_attributes(
    sd: &SignedData,
    si: &cms::signed_data::SignerInfo,
    content_type: ObjectIdentifier,
    content: &[u8],
    eku: Option<ObjectIdentifier>,
) -> Result<(), String> {
    if eku == Some(ID_KP_CODE_SIGNING) && si.digest_alg.oid != ID_SHA256 {
        return Err(format!(
            "the signer's digest algorithm is {}; only sha256 is supported",
            oid_name(&si.digest_alg.oid)
        ));
    }
    if si.version != CmsVersion::V1 {
        return Err(format!(
            "SignerInfo version is {}, expected 1 (issuer and serial number)",
            si.version as u8
        ));
    }
    let expected_digest = digest(&si.digest_alg.oid, content)?;
    check_no_params(&si.digest_alg, "signer's digest algorithm")?;
    check_no_params(&si.signature_algorithm, "signature algorithm")?;
    for a in sd.digest_algorithms.iter() {
        check_no_params(a, "SignedData digest algorithm")?;
    }
    if !sd
        .digest_algorithms
        .iter()
        .any(|a| a.oid == si.digest_alg.oid)
    {
        return Err(
            "the signer's digest algorithm is missing from SignedData.digestAlgorithms".into(),
        );
    }
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or("the signer has no authenticated attributes")?;
    let single = |oid: ObjectIdentifier, name: &str| -> Result<der::asn1::Any, String> {
        let found: Vec<_> = attrs.iter().filter(|a| a.oid == oid).collect();
        match found.as_slice() {
            [a] if a.values.len() == 1 => a
                .values
                .get(0)
                .cloned()
                .ok_or_else(|| format!("the {name} attribute is empty")),
            [] => Err(format!("the {name} attribute is missing")),
            _ => Err(format!("the {name} attribute must have exactly one value")),
        }
    };
    let ct: ObjectIdentifier = single(ID_CONTENT_TYPE, "contentType")?
        .decode_as()
        .map_err(|_| "the contentType attribute is not an OID".to_string())?;
    if ct != content_type {
        return Err(format!(
            "the contentType attribute is {}, expected {}",
            oid_name(&ct),
            oid_name(&content_type)
        ));
    }
    let md: der::asn1::OctetString = single(ID_MESSAGE_DIGEST, "messageDigest")?
        .decode_as()
        .map_err(|_| "the messageDigest attribute is not an OCTET STRING".to_string())?;
    if md.as_bytes() != expected_digest {
        return Err("messageDigest mismatch: the signed content was changed".into());
    }
    Ok(())
}

/// The signer's timestamp (RFC 3161, verified), and whether it has a legacy counter-signature.
fn signer_timestamps(
    si: &cms::signed_data::SignerInfo,
    opts: &VerifyOptions,
) -> Result<(Option<TimestampInfo>, bool), String> {
    let mut timestamp = None;
    let mut legacy_timestamp = false;
    for a in si.unsigned_attrs.iter().flat_map(|u| u.iter()) {
        if a.oid == MS_RFC3161_TIMESTAMP || a.oid == ID_AA_TIMESTAMP_TOKEN {
            let value = a.values.get(0).ok_or("the timestamp attribute is empty")?;
            let ts = verify_timestamp(value, si.signature.as_bytes(), opts)
                .map_err(|e| format!("timestamp: {e}"))?;
            timestamp = Some(ts);
        } else if a.oid == ID_COUNTER_SIGNATURE {
            legacy_timestamp = true;
        }
    }
    Ok((timestamp, legacy_timestamp))
}

fn describe_key(spki: &SubjectPublicKeyInfoOwned) -> String {
    if spki.algorithm.oid == RSA_ENCRYPTION {
        let bits = sig::RsaParameters::public_modulus_len(spki.subject_public_key.raw_bytes())
            .map(|b| b.to_string())
            .unwrap_or_else(|_| "?".into());
        format!("RSA-{bits}")
    } else if spki.algorithm.oid == ID_EC_PUBLIC_KEY {
        match curve_oid(&spki.algorithm) {
            Ok(c) if c == SECP256R1 => "ECDSA P-256".into(),
            Ok(c) if c == SECP384R1 => "ECDSA P-384".into(),
            _ => "ECDSA".into(),
        }
    } else {
        spki.algorithm.oid.to_string()
    }
}

/// Check a signature made with the key in `spki`. `digest` is the SignerInfo digest algorithm
/// (used when the signature algorithm names only the key type, as Authenticode's rsaEncryption).
fn verify_with_key(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest: Option<&AlgorithmIdentifierOwned>,
    msg: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let digest_oid = digest.map(|d| d.oid);
    let key = spki.subject_public_key.raw_bytes();
    let algorithm: &'static dyn VerificationAlgorithm = if spki.algorithm.oid == RSA_ENCRYPTION {
        let h = match alg.oid {
            o if o == SHA256_WITH_RSA => ID_SHA256,
            o if o == SHA384_WITH_RSA => ID_SHA384,
            o if o == SHA512_WITH_RSA => ID_SHA512,
            o if o == RSA_ENCRYPTION => digest_oid.unwrap_or(ID_SHA256),
            o => return Err(format!("unsupported signature algorithm {}", oid_name(&o))),
        };
        match h {
            o if o == ID_SHA256 => &sig::RSA_PKCS1_2048_8192_SHA256,
            o if o == ID_SHA384 => &sig::RSA_PKCS1_2048_8192_SHA384,
            o if o == ID_SHA512 => &sig::RSA_PKCS1_2048_8192_SHA512,
            o => return Err(format!("unsupported digest {}", oid_name(&o))),
        }
    } else if spki.algorithm.oid == ID_EC_PUBLIC_KEY {
        let curve =
            curve_oid(&spki.algorithm).map_err(|_| "EC key without a named curve".to_string())?;
        let h = match alg.oid {
            o if o == ECDSA_WITH_SHA256 => ID_SHA256,
            o if o == ECDSA_WITH_SHA384 => ID_SHA384,
            o if o == ID_EC_PUBLIC_KEY => digest_oid.unwrap_or(ID_SHA256),
            o => return Err(format!("unsupported signature algorithm {}", oid_name(&o))),
        };
        match (curve, h) {
            (c, h) if c == SECP256R1 && h == ID_SHA256 => &sig::ECDSA_P256_SHA256_ASN1,
            (c, h) if c == SECP256R1 && h == ID_SHA384 => &sig::ECDSA_P256_SHA384_ASN1,
            (c, h) if c == SECP384R1 && h == ID_SHA256 => &sig::ECDSA_P384_SHA256_ASN1,
            (c, h) if c == SECP384R1 && h == ID_SHA384 => &sig::ECDSA_P384_SHA384_ASN1,
            (c, _) => return Err(format!("unsupported EC curve or digest (curve {c})")),
        }
    } else {
        return Err(format!(
            "unsupported key algorithm {}",
            oid_name(&spki.algorithm.oid)
        ));
    };
    UnparsedPublicKey::new(algorithm, key)
        .verify(msg, signature)
        .map_err(|_| {
            "the signature does not match the signed data and the certificate's key".into()
        })
}

fn curve_oid(alg: &AlgorithmIdentifierOwned) -> Result<ObjectIdentifier, der::Error> {
    alg.parameters
        .as_ref()
        .ok_or_else(|| der::Error::from(der::ErrorKind::Failed))?
        .decode_as()
}

fn is_ca(cert: &Certificate) -> bool {
    cert.tbs_certificate
        .extensions
        .as_ref()
        .is_some_and(|exts| {
            exts.iter()
                .filter(|e| e.extn_id == ID_CE_BASIC_CONSTRAINTS)
                .any(|e| {
                    x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes())
                        .is_ok_and(|bc| bc.ca)
                })
        })
}

fn check_validity(cert: &Certificate, now: SystemTime) -> Result<(), String> {
    let v = &cert.tbs_certificate.validity;
    if now > v.not_after.to_system_time() {
        return Err(format!(
            "certificate `{}` expired on {}",
            cert.tbs_certificate.subject, v.not_after
        ));
    }
    if now < v.not_before.to_system_time() {
        return Err(format!(
            "certificate `{}` is not valid before {}",
            cert.tbs_certificate.subject, v.not_before
        ));
    }
    Ok(())
}

fn issued_by(child: &Certificate, issuer: &Certificate) -> bool {
    if child.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    // RFC 5280: the outer signatureAlgorithm (not covered by the signature) must equal the
    // signed one in the TBSCertificate.
    if child.signature_algorithm != child.tbs_certificate.signature {
        return false;
    }
    let Ok(tbs) = child.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig_bytes) = child.signature.as_bytes() else {
        return false;
    };
    verify_with_key(
        &issuer.tbs_certificate.subject_public_key_info,
        &child.signature_algorithm,
        None,
        &tbs,
        sig_bytes,
    )
    .is_ok()
}

/// Walk from the signer to a trusted certificate through the embedded certificates.
fn check_chain(
    signer: &Certificate,
    embedded: &[&Certificate],
    opts: &VerifyOptions,
) -> Result<TrustStatus, String> {
    let anchors: &[Certificate] = opts.ca.as_deref().unwrap_or(&[]);
    let mut cur = signer;
    for _ in 0..16 {
        check_validity(cur, opts.now)?;
        if anchors.iter().any(|a| a == cur) {
            return Ok(TrustStatus::Trusted);
        }
        if let Some(a) = anchors.iter().find(|a| issued_by(cur, a)) {
            if !is_ca(a) {
                return Err(format!(
                    "certificate `{}` is not a CA certificate",
                    a.tbs_certificate.subject
                ));
            }
            check_validity(a, opts.now)?;
            return Ok(TrustStatus::Trusted);
        }
        let next = embedded
            .iter()
            .copied()
            .find(|c| *c != cur && issued_by(cur, c));
        match next {
            Some(n) => {
                if !is_ca(n) {
                    return Err(format!(
                        "certificate `{}` issued `{}` but is not a CA certificate",
                        n.tbs_certificate.subject, cur.tbs_certificate.subject
                    ));
                }
                cur = n;
            }
            None => {
                return if opts.ca.is_some() {
                    Err(format!(
                        "certificate `{}` (issuer `{}`) does not chain to a trusted certificate from --ca",
                        cur.tbs_certificate.subject, cur.tbs_certificate.issuer
                    ))
                } else {
                    Ok(TrustStatus::NotChecked)
                };
            }
        }
    }
    Err("the certificate chain is too long (more than 16 certificates)".into())
}
