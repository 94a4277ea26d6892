//! Sign stage: Authenticode signatures for PowerShell files (.ps1, .psm1, .psd1), a detached CMS
//! signature for `SHA256SUMS`, and the verifier for both.
//!
//! The ASN.1 structures come from the RustCrypto crates (`der`, `x509-cert`, `cms`, `spki`,
//! `pkcs8`); the RSA (PKCS#1 v1.5, SHA-256) and ECDSA P-256 signatures from `aws-lc-rs`, which is
//! constant-time. Keys and certificates are parsed once ([`Signer`]) and reused for every file.
//!
//! Layout of a script signature (what Windows' PowerShell SIP and `osslsigncode` expect):
//! `ContentInfo { signedData, SignedData v1 { sha256, SpcIndirectDataContent { SpcSipInfo(PowerShell
//! GUID), sha256 of the script as UTF-16LE }, certificates, SignerInfo v1 } }`, base64 in a
//! `# SIG # Begin signature block` comment block appended in the file's own encoding.

mod asn1;
pub(crate) mod bundle;
mod keys;
pub(crate) mod manifest;
pub(crate) mod payloads;
mod script;
pub(crate) mod timestamp;
mod verify;

use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode, EncodeValue};
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;

use crate::render::Artifacts;
use asn1::*;

pub(crate) use keys::Password;
pub use keys::Signer;
pub(crate) use script::block_status as script_block_status;
pub use script::{
    append_block as append_script_block, has_signature_block, split as split_script, TextEncoding,
};
pub(crate) use verify::SignatureInfo;
pub use verify::{load_ca_file, verify_detached, verify_script, TrustStatus, VerifyOptions};

/// Why signing could not be done. Messages name the file and never contain key material or
/// passwords.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// Key or certificate material is unusable (the message says why and what to do).
    #[error("{0}")]
    Key(String),
    /// The PFX (or encrypted key) password is wrong.
    #[error("{file}: wrong password (the PFX integrity check or key decryption failed)")]
    WrongPassword { file: String },
    /// No password was available (no --password-env/--password-file and no terminal).
    #[error("{0}")]
    NoPassword(String),
    /// The private key belongs to none of the certificates.
    #[error("{key} does not belong to any certificate in {cert}; give the certificate that matches the key")]
    KeyMismatch { key: String, cert: String },
    /// The signer certificate lacks the codeSigning extended key usage.
    #[error("certificate `{subject}` cannot sign code: it has no Extended Key Usage `Code Signing` (1.3.6.1.5.5.7.3.3); Windows rejects such signatures, so use a code signing certificate")]
    NoCodeSigningEku { subject: String },
    #[error("certificate `{subject}` expired on {not_after}; renew it or use a valid code signing certificate")]
    Expired { subject: String, not_after: String },
    #[error("certificate `{subject}` is not valid before {not_before}; check the clock or the certificate")]
    NotYetValid { subject: String, not_before: String },
    /// The script cannot be signed (encoding).
    #[error("{path}: {message}")]
    Script { path: String, message: String },
    /// The time-stamping authority could not give a usable timestamp.
    #[error("timestamp from {url} failed: {message}")]
    Timestamp { url: String, message: String },
    /// Internal failure of the signature primitive or encoder.
    #[error("signing failed: {0}")]
    Crypto(String),
}

fn enc_err(e: der::Error) -> SignError {
    SignError::Crypto(format!("DER encoding failed ({e})"))
}

fn attribute(oid: der::asn1::ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(enc_err)?,
    })
}

impl Signer {
    /// Sign a PowerShell script: drop its existing signature block (only a final, well-formed
    /// one: any other line that reads as a block marker is an error, so no content is ever
    /// dropped; see [`script::split`]), hash the content as the PowerShell SIP does, and append
    /// a new block in the file's own encoding. `path` is only used in error messages.
    pub fn sign_script(&self, bytes: &[u8], path: &str) -> Result<Vec<u8>, SignError> {
        let mut out = bytes.to_vec();
        self.sign_script_in_place(&mut out, path)?;
        Ok(out)
    }

    /// [`Signer::sign_script`] in place: the same bytes, without a second copy of the script
    /// (a bundle's module can be tens of megabytes).
    pub fn sign_script_in_place(&self, bytes: &mut Vec<u8>, path: &str) -> Result<(), SignError> {
        let split = script::split(bytes).map_err(|message| SignError::Script {
            path: path.to_string(),
            message,
        })?;
        let hash = script::content_hash(&bytes[..split.content_len], split.encoding).map_err(
            |message| SignError::Script {
                path: path.to_string(),
                message,
            },
        )?;
        let der = self.authenticode_signature(&hash)?;
        bytes.truncate(split.content_len);
        script::append_block(bytes, split.encoding, &der);
        Ok(())
    }

    /// True when the script text is BOM-less and not ASCII (its hash then depends on the ANSI
    /// code page of the Windows machine that checks it).
    pub fn script_has_locale_dependent_text(bytes: &[u8]) -> bool {
        script::split(bytes).is_ok_and(|s| script::bomless_non_ascii(bytes, &s))
    }

    /// The DER `ContentInfo` of an Authenticode signature over a PowerShell content hash.
    pub fn authenticode_signature(&self, file_hash: &[u8; 32]) -> Result<Vec<u8>, SignError> {
        let indirect = SpcIndirectDataContent {
            data: self.sip_data.clone(),
            message_digest: DigestInfo {
                digest_algorithm: sha256_alg(),
                digest: OctetString::new(file_hash.to_vec()).map_err(enc_err)?,
            },
        };
        // messageDigest covers the SpcIndirectDataContent's contents, without tag and length.
        let mut contents = Vec::new();
        indirect.encode_value(&mut contents).map_err(enc_err)?;
        let digest: [u8; 32] = Sha256::digest(&contents).into();
        let econtent = Any::encode_from(&indirect).map_err(enc_err)?;

        let attrs = vec![
            attribute(
                ID_CONTENT_TYPE,
                Any::encode_from(&SPC_INDIRECT_DATA).map_err(enc_err)?,
            )?,
            attribute(
                ID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(digest.to_vec()).map_err(enc_err)?)
                    .map_err(enc_err)?,
            )?,
            // SpcSpOpusInfo: empty SEQUENCE (no program name, no URL).
            attribute(
                SPC_SP_OPUS_INFO,
                Any::new(der::Tag::Sequence, Vec::<u8>::new()).map_err(enc_err)?,
            )?,
            // SpcStatementType: individual code signing.
            attribute(
                SPC_STATEMENT_TYPE,
                Any::encode_from(&vec![SPC_INDIVIDUAL_SP_KEY_PURPOSE]).map_err(enc_err)?,
            )?,
        ];
        self.signed_data(SPC_INDIRECT_DATA, Some(econtent), attrs, true)
    }

    /// A detached CMS signature (DER) over `content`, as `openssl cms -verify -binary
    /// -inform DER -content FILE` checks it. No signing time, so the output is deterministic
    /// for RSA keys.
    pub fn sign_detached(&self, content: &[u8]) -> Result<Vec<u8>, SignError> {
        let digest: [u8; 32] = Sha256::digest(content).into();
        let attrs = vec![
            attribute(
                ID_CONTENT_TYPE,
                Any::encode_from(&ID_DATA).map_err(enc_err)?,
            )?,
            attribute(
                ID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(digest.to_vec()).map_err(enc_err)?)
                    .map_err(enc_err)?,
            )?,
        ];
        self.signed_data(ID_DATA, None, attrs, false)
    }

    fn signed_data(
        &self,
        content_type: der::asn1::ObjectIdentifier,
        econtent: Option<Any>,
        attrs: Vec<Attribute>,
        timestamp: bool,
    ) -> Result<Vec<u8>, SignError> {
        // SET OF sorts by DER encoding, as DER requires for the signed attributes.
        let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(attrs).map_err(enc_err)?;
        // The signature covers the attributes encoded as a universal SET (tag 0x31).
        let to_sign = signed_attrs.to_der().map_err(enc_err)?;
        let signature = self.key.sign(&to_sign)?;
        let unsigned_attrs = match (&self.timestamper, timestamp) {
            (Some(ts), true) => {
                let token = ts.token_for(&signature)?;
                let value = Any::from_der(&token).map_err(enc_err)?;
                Some(
                    SetOfVec::try_from(vec![attribute(MS_RFC3161_TIMESTAMP, value)?])
                        .map_err(enc_err)?,
                )
            }
            _ => None,
        };
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(self.sid.clone()),
            digest_alg: sha256_alg(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: self.sig_alg.clone(),
            signature: OctetString::new(signature).map_err(enc_err)?,
            unsigned_attrs,
        };
        let sd = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![sha256_alg()]).map_err(enc_err)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: content_type,
                econtent,
            },
            certificates: Some(self.certs.clone()),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(enc_err)?),
        };
        let ci = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&sd).map_err(enc_err)?,
        };
        ci.to_der().map_err(enc_err)
    }
}

/// Sign every PowerShell file of a bundle in place, on all available cores (files are
/// independent), calling `on_signed` after each file (from the signing threads), e.g. to move a
/// progress bar. Returns how many files were signed.
pub(crate) fn sign_artifacts_with(
    artifacts: &mut Artifacts,
    signer: &Signer,
    on_signed: &(dyn Fn() + Sync),
) -> Result<usize, SignError> {
    let mut targets: Vec<&mut crate::render::OutputFile> = artifacts
        .files
        .values_mut()
        .filter(|f| f.is_powershell())
        .collect();
    let n = targets.len();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let per = n.div_ceil(threads.max(1)).max(1);
    let results: Vec<Result<(), SignError>> = std::thread::scope(|s| {
        let handles: Vec<_> = targets
            .chunks_mut(per)
            .map(|chunk| {
                s.spawn(move || {
                    for f in chunk.iter_mut() {
                        signer.sign_script_in_place(&mut f.bytes, &f.path)?;
                        on_signed();
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(SignError::Crypto("a signing thread panicked".into())))
            })
            .collect()
    });
    for r in results {
        r?;
    }
    Ok(n)
}

/// The sign stage of `fixgen build` on one batch: Authenticode signing and the Intune
/// payloads ([`payloads::add_payloads`]: base64 of the signed scripts), calling `on_signed` after each Authenticode-signed file (progress bar).
/// `fixgen build` runs it on each batch it streams (`crate::pipeline::finish`), which then
/// writes REVIEW.md (listing the final bytes) and the manifest.
pub(crate) fn sign_stage_with(
    artifacts: &mut Artifacts,
    plan: &crate::plan::Plan,
    signer: Option<&Signer>,
    on_signed: &(dyn Fn() + Sync),
) -> Result<usize, SignError> {
    let signed = match signer {
        Some(s) => sign_artifacts_with(artifacts, s, on_signed)?,
        None => 0,
    };
    // Intune payloads carry the base64 of the scripts as signed: after signing, before hashing.
    payloads::add_payloads(artifacts, plan, signer.is_some()).map_err(|e| SignError::Script {
        path: crate::render::intune::DIR.to_string(),
        message: format!("{}: {}", e.location(), e.message),
    })?;
    Ok(signed)
}
