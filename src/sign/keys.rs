//! Signing keys and certificates: loaded once (PEM or PFX), checked up front, reused per file.

use std::path::Path;
use std::time::SystemTime;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, KeyPair as _, RsaKeyPair};
use cms::cert::IssuerAndSerialNumber;
use der::asn1::Any;
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::asn1::*;
use super::SignError;

/// The private key, parsed once.
pub(crate) enum PrivateKey {
    Rsa(RsaKeyPair),
    EcP256(EcdsaKeyPair),
}

impl PrivateKey {
    fn public_key_bytes(&self) -> &[u8] {
        match self {
            PrivateKey::Rsa(k) => k.public_key().as_ref(),
            PrivateKey::EcP256(k) => k.public_key().as_ref(),
        }
    }

    /// Sign `msg` (hashed with SHA-256 inside). RSA: PKCS#1 v1.5; ECDSA: DER (r, s).
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignError> {
        let rng = SystemRandom::new();
        match self {
            PrivateKey::Rsa(k) => {
                let mut out = vec![0u8; k.public_modulus_len()];
                k.sign(&sig::RSA_PKCS1_SHA256, &rng, msg, &mut out)
                    .map_err(|_| SignError::Crypto("RSA signing failed".into()))?;
                Ok(out)
            }
            PrivateKey::EcP256(k) => k
                .sign(&rng, msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SignError::Crypto("ECDSA signing failed".into())),
        }
    }

    /// The SignerInfo signatureAlgorithm Microsoft's tools write for this key.
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            PrivateKey::Rsa(_) => AlgorithmIdentifierOwned {
                oid: RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            },
            PrivateKey::EcP256(_) => AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA256,
                parameters: None,
            },
        }
    }

    fn describe(&self) -> String {
        match self {
            PrivateKey::Rsa(k) => format!("RSA-{}", k.public_modulus_len() * 8),
            PrivateKey::EcP256(_) => "ECDSA P-256".to_string(),
        }
    }

    fn from_pkcs8(der: &[u8], origin: &str) -> Result<PrivateKey, SignError> {
        let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|_| {
            SignError::Key(format!(
                "{origin}: the private key is not a valid PKCS#8 key"
            ))
        })?;
        let alg = info.algorithm.oid;
        if alg == RSA_ENCRYPTION {
            RsaKeyPair::from_pkcs8(der)
                .map(PrivateKey::Rsa)
                .map_err(|e| {
                    SignError::Key(format!(
                        "{origin}: RSA key rejected ({e}); RSA keys must be 2048 to 8192 bits"
                    ))
                })
        } else if alg == ID_EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| SignError::Key(format!("{origin}: EC key without a named curve")))?;
            if curve != SECP256R1 {
                return Err(SignError::Key(format!(
                    "{origin}: EC key on curve {curve}; only P-256 (prime256v1) keys are supported"
                )));
            }
            EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_ASN1_SIGNING, der)
                .map(PrivateKey::EcP256)
                .map_err(|e| SignError::Key(format!("{origin}: P-256 key rejected ({e})")))
        } else {
            Err(SignError::Key(format!(
                "{origin}: unsupported key algorithm {alg}; use an RSA (2048-8192 bit) or P-256 key"
            )))
        }
    }
}

/// Where the password for a PFX file or an encrypted PEM key comes from is the CLI's business;
/// the library takes it as text and never prints it.
pub(crate) type Password = Zeroizing<String>;

/// A loaded signing identity: private key, signer certificate and chain.
pub struct Signer {
    pub(crate) key: PrivateKey,
    pub(crate) cert: Certificate,
    /// Signer plus chain, as `CertificateChoices`, in the order the set sorts them.
    pub(crate) certs: cms::signed_data::CertificateSet,
    pub(crate) sid: IssuerAndSerialNumber,
    pub(crate) sig_alg: AlgorithmIdentifierOwned,
    pub(crate) sip_data: SpcAttributeTypeAndOptionalValue,
    /// RFC 3161 time-stamping authority for Authenticode signatures.
    pub(crate) timestamper: Option<super::timestamp::Timestamper>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject())
            .field("key", &self.key.describe())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Load from PEM files: `cert` holds the signer certificate and any chain certificates,
    /// `key` the private key (PKCS#8, PKCS#1 RSA, SEC1 EC, or encrypted PKCS#8 with `password`).
    pub fn from_pem_files(
        cert: &Path,
        key: &Path,
        password: Option<&dyn Fn() -> Result<Password, SignError>>,
    ) -> Result<Signer, SignError> {
        let cert_pem = read(cert)?;
        let key_pem = Zeroizing::new(read(key)?);
        Signer::from_pem(
            &cert_pem,
            &key_pem,
            &cert.display().to_string(),
            &key.display().to_string(),
            password,
            SystemTime::now(),
        )
    }

    /// Load from PEM text. `now` is the time the certificate must be valid at.
    pub fn from_pem(
        cert_pem: &[u8],
        key_pem: &[u8],
        cert_origin: &str,
        key_origin: &str,
        password: Option<&dyn Fn() -> Result<Password, SignError>>,
        now: SystemTime,
    ) -> Result<Signer, SignError> {
        let certs = Certificate::load_pem_chain(cert_pem).map_err(|_| {
            SignError::Key(format!(
                "{cert_origin}: expected PEM certificates (-----BEGIN CERTIFICATE-----)"
            ))
        })?;
        if certs.is_empty() {
            return Err(SignError::Key(format!(
                "{cert_origin}: no certificate found (expected -----BEGIN CERTIFICATE-----)"
            )));
        }
        let key = parse_pem_key(key_pem, key_origin, password)?;
        Signer::assemble(key, certs, cert_origin, now)
    }

    /// Load from a PFX/PKCS#12 file (modern AES/PBES2 or legacy 3DES/RC2 encryption).
    pub fn from_pfx_file(path: &Path, password: &str) -> Result<Signer, SignError> {
        let data = read(path)?;
        Signer::from_pfx(
            &data,
            password,
            &path.display().to_string(),
            SystemTime::now(),
        )
    }

    pub fn from_pfx(
        data: &[u8],
        password: &str,
        origin: &str,
        now: SystemTime,
    ) -> Result<Signer, SignError> {
        let archive =
            p12_keystore::Pkcs12Archive::from_pkcs12(data, password).map_err(|e| match e {
                p12_keystore::error::Error::MacError(_) => SignError::WrongPassword {
                    file: origin.to_string(),
                },
                other => SignError::Key(format!(
                    "{origin}: cannot read the PFX file ({other}); is the password right and the file a PKCS#12 export with its private key?"
                )),
            })?;
        let certs = archive
            .certs
            .iter()
            .map(|c| Certificate::from_der(c.cert.as_der()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                SignError::Key(format!(
                    "{origin}: a certificate in the PFX file is not valid X.509"
                ))
            })?;
        if certs.is_empty() {
            return Err(SignError::Key(format!(
                "{origin}: the PFX file holds no certificate"
            )));
        }
        if archive.keys.is_empty() {
            return Err(SignError::Key(format!(
                "{origin}: the PFX file holds no private key; export it with its private key"
            )));
        }
        let mut last_err = None;
        for bag in &archive.keys {
            let der = Zeroizing::new(bag.key.as_der().to_vec());
            match PrivateKey::from_pkcs8(&der, origin) {
                Ok(key) => {
                    if cert_for_key(&key, &certs).is_some() {
                        return Signer::assemble(key, certs, origin, now);
                    }
                    last_err = Some(SignError::KeyMismatch {
                        key: format!("the private key in {origin}"),
                        cert: "that file".to_string(),
                    });
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| {
            SignError::Key(format!(
                "{origin}: the PFX file holds no usable private key"
            ))
        }))
    }

    fn assemble(
        key: PrivateKey,
        certs: Vec<Certificate>,
        origin: &str,
        now: SystemTime,
    ) -> Result<Signer, SignError> {
        let idx = cert_for_key(&key, &certs).ok_or_else(|| SignError::KeyMismatch {
            key: "the private key".to_string(),
            cert: origin.to_string(),
        })?;
        let cert = certs[idx].clone();
        check_signer_certificate(&cert, now)?;
        let mut set = der::asn1::SetOfVec::new();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for c in &certs {
            let d = c.to_der().map_err(|e| {
                SignError::Key(format!("{origin}: cannot encode a certificate ({e})"))
            })?;
            if seen.contains(&d) {
                continue;
            }
            seen.push(d);
            set.insert(cms::cert::CertificateChoices::Certificate(c.clone()))
                .map_err(|e| SignError::Key(format!("{origin}: cannot sort certificates ({e})")))?;
        }
        let sid = IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        };
        let sig_alg = key.signature_algorithm();
        let sip_data = powershell_sip_data()
            .map_err(|e| SignError::Crypto(format!("cannot encode SpcSipInfo ({e})")))?;
        Ok(Signer {
            key,
            cert,
            certs: cms::signed_data::CertificateSet(set),
            sid,
            sig_alg,
            sip_data,
            timestamper: None,
        })
    }

    /// The signer certificate's subject, e.g. `CN=Contoso Code Signing`.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// `RSA-2048`, `RSA-4096` or `ECDSA P-256`.
    pub fn key_description(&self) -> String {
        self.key.describe()
    }

    /// Timestamp every Authenticode signature at this RFC 3161 time-stamping authority.
    pub fn set_timestamp_url(&mut self, url: &str) -> Result<(), SignError> {
        self.timestamper = Some(super::timestamp::Timestamper::new(url)?);
        Ok(())
    }

    /// The signer certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }
}

/// A certificate, key or PFX file: a regular file only (a FIFO or device would hang or never
/// end; see `load::open_regular`).
fn read(path: &Path) -> Result<Vec<u8>, SignError> {
    crate::load::read_regular(path).map_err(|e| SignError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Index of the certificate whose public key is the key's.
fn cert_for_key(key: &PrivateKey, certs: &[Certificate]) -> Option<usize> {
    let pk = key.public_key_bytes();
    certs.iter().position(|c| {
        c.tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
            == pk
    })
}

/// The checks Windows would otherwise only make when the script runs: codeSigning EKU, validity.
fn check_signer_certificate(cert: &Certificate, now: SystemTime) -> Result<(), SignError> {
    let subject = cert.tbs_certificate.subject.to_string();
    if !has_code_signing_eku(cert) {
        return Err(SignError::NoCodeSigningEku { subject });
    }
    let v = &cert.tbs_certificate.validity;
    if now > v.not_after.to_system_time() {
        return Err(SignError::Expired {
            subject,
            not_after: v.not_after.to_string(),
        });
    }
    if now < v.not_before.to_system_time() {
        return Err(SignError::NotYetValid {
            subject,
            not_before: v.not_before.to_string(),
        });
    }
    Ok(())
}

/// True when the certificate has an Extended Key Usage extension listing codeSigning.
fn has_code_signing_eku(cert: &Certificate) -> bool {
    has_eku(cert, ID_KP_CODE_SIGNING)
}

/// True when the certificate has an Extended Key Usage extension listing `purpose`.
pub(crate) fn has_eku(cert: &Certificate, purpose: der::asn1::ObjectIdentifier) -> bool {
    let Some(exts) = &cert.tbs_certificate.extensions else {
        return false;
    };
    exts.iter()
        .filter(|e| e.extn_id == ID_CE_EXT_KEY_USAGE)
        .any(|e| {
            x509_cert::ext::pkix::ExtendedKeyUsage::from_der(e.extn_value.as_bytes())
                .is_ok_and(|eku| eku.0.contains(&purpose))
        })
}

/// One PEM block: label and DER body.
fn pem_blocks(text: &[u8]) -> Vec<(String, Zeroizing<Vec<u8>>)> {
    let mut out = Vec::new();
    let begin = b"-----BEGIN ";
    let mut rest = text;
    while let Some(start) = rest.windows(begin.len()).position(|w| w == begin) {
        let block = &rest[start..];
        let Some(label_end) = block[begin.len()..].windows(5).position(|w| w == b"-----") else {
            break;
        };
        let label =
            String::from_utf8_lossy(&block[begin.len()..begin.len() + label_end]).to_string();
        let end_marker = format!("-----END {label}-----");
        let Some(end) = block
            .windows(end_marker.len())
            .position(|w| w == end_marker.as_bytes())
        else {
            break;
        };
        let pem = &block[..end + end_marker.len()];
        if let Ok((_, der)) = der::pem::decode_vec(pem) {
            out.push((label, Zeroizing::new(der)));
        } else {
            out.push((label, Zeroizing::new(Vec::new())));
        }
        rest = &block[end + end_marker.len()..];
    }
    out
}

fn parse_pem_key(
    pem: &[u8],
    origin: &str,
    password: Option<&dyn Fn() -> Result<Password, SignError>>,
) -> Result<PrivateKey, SignError> {
    let blocks = pem_blocks(pem);
    for (label, der) in &blocks {
        if der.is_empty() {
            return Err(SignError::Key(format!(
                "{origin}: the PEM block `{label}` is not valid base64 PEM"
            )));
        }
        match label.as_str() {
            "PRIVATE KEY" => return PrivateKey::from_pkcs8(der, origin),
            "RSA PRIVATE KEY" => {
                return RsaKeyPair::from_der(der).map(PrivateKey::Rsa).map_err(|e| {
                    SignError::Key(format!(
                        "{origin}: RSA key rejected ({e}); RSA keys must be 2048 to 8192 bits"
                    ))
                })
            }
            "EC PRIVATE KEY" => {
                return EcdsaKeyPair::from_private_key_der(
                    &sig::ECDSA_P256_SHA256_ASN1_SIGNING,
                    der,
                )
                .map(PrivateKey::EcP256)
                .map_err(|_| {
                    SignError::Key(format!(
                        "{origin}: EC key rejected; only P-256 (prime256v1) keys are supported"
                    ))
                })
            }
            "ENCRYPTED PRIVATE KEY" => {
                let Some(get_password) = password else {
                    return Err(SignError::Key(format!(
                        "{origin}: the key is encrypted; give its password with --password-env or --password-file"
                    )));
                };
                let pw = get_password()?;
                let enc =
                    pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()).map_err(|_| {
                        SignError::Key(format!("{origin}: the encrypted key is not valid PKCS#8"))
                    })?;
                let doc = enc
                    .decrypt(pw.as_bytes())
                    .map_err(|_| SignError::WrongPassword {
                        file: origin.to_string(),
                    })?;
                return PrivateKey::from_pkcs8(doc.as_bytes(), origin);
            }
            _ => continue,
        }
    }
    Err(SignError::Key(format!(
        "{origin}: no private key found (expected a PEM block `PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY` or `ENCRYPTED PRIVATE KEY`)"
    )))
}
