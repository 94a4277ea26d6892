//! Object identifiers and the Authenticode-specific ASN.1 structures (the CMS and X.509 ones come
//! from the RustCrypto `cms` and `x509-cert` crates).

use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::Sequence;
use spki::AlgorithmIdentifierOwned;

const fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

// CMS / PKCS#9
pub(super) const ID_SIGNED_DATA: ObjectIdentifier = oid("1.2.840.113549.1.7.2");
pub(super) const ID_DATA: ObjectIdentifier = oid("1.2.840.113549.1.7.1");
pub(super) const ID_CONTENT_TYPE: ObjectIdentifier = oid("1.2.840.113549.1.9.3");
pub(super) const ID_MESSAGE_DIGEST: ObjectIdentifier = oid("1.2.840.113549.1.9.4");

// Authenticode (Microsoft)
pub(super) const SPC_INDIRECT_DATA: ObjectIdentifier = oid("1.3.6.1.4.1.311.2.1.4");
pub(super) const SPC_SIPINFO: ObjectIdentifier = oid("1.3.6.1.4.1.311.2.1.30");
pub(super) const SPC_SP_OPUS_INFO: ObjectIdentifier = oid("1.3.6.1.4.1.311.2.1.12");
pub(super) const SPC_STATEMENT_TYPE: ObjectIdentifier = oid("1.3.6.1.4.1.311.2.1.11");
pub(super) const SPC_INDIVIDUAL_SP_KEY_PURPOSE: ObjectIdentifier = oid("1.3.6.1.4.1.311.2.1.21");

/// The PowerShell SIP GUID {603BCC1F-4B59-4E08-B724-D2C6297EF351} in Windows byte order.
pub(super) const POWERSHELL_SIP_GUID: [u8; 16] = [
    0x1F, 0xCC, 0x3B, 0x60, 0x59, 0x4B, 0x08, 0x4E, 0xB7, 0x24, 0xD2, 0xC6, 0x29, 0x7E, 0xF3, 0x51,
];

// Digests and signatures
pub(super) const ID_SHA256: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.1");
pub(super) const ID_SHA384: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.2");
pub(super) const ID_SHA512: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.3");
pub(super) const RSA_ENCRYPTION: ObjectIdentifier = oid("1.2.840.113549.1.1.1");
pub(super) const SHA256_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.11");
pub(super) const SHA384_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.12");
pub(super) const SHA512_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.13");
pub(super) const ECDSA_WITH_SHA256: ObjectIdentifier = oid("1.2.840.10045.4.3.2");
pub(super) const ECDSA_WITH_SHA384: ObjectIdentifier = oid("1.2.840.10045.4.3.3");
pub(super) const ID_EC_PUBLIC_KEY: ObjectIdentifier = oid("1.2.840.10045.2.1");
pub(super) const SECP256R1: ObjectIdentifier = oid("1.2.840.10045.3.1.7");
pub(super) const SECP384R1: ObjectIdentifier = oid("1.3.132.0.34");

// X.509 extensions
pub(super) const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = oid("2.5.29.37");
pub(super) const ID_CE_BASIC_CONSTRAINTS: ObjectIdentifier = oid("2.5.29.19");
pub(super) const ID_KP_CODE_SIGNING: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.3");
pub(super) const ID_KP_TIME_STAMPING: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.8");

// Timestamps
pub(super) const MS_RFC3161_TIMESTAMP: ObjectIdentifier = oid("1.3.6.1.4.1.311.3.3.1");
pub(super) const ID_AA_TIMESTAMP_TOKEN: ObjectIdentifier = oid("1.2.840.113549.1.9.16.2.14");
pub(super) const ID_COUNTER_SIGNATURE: ObjectIdentifier = oid("1.2.840.113549.1.9.6");

/// `SpcSipInfo ::= SEQUENCE { version INTEGER, guid OCTET STRING, five reserved INTEGERs }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct SpcSipInfo {
    pub version: u32,
    pub guid: OctetString,
    pub reserved1: u32,
    pub reserved2: u32,
    pub reserved3: u32,
    pub reserved4: u32,
    pub reserved5: u32,
}

/// `SpcAttributeTypeAndOptionalValue` (the value is always present in script signatures).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SpcAttributeTypeAndOptionalValue {
    pub value_type: ObjectIdentifier,
    pub value: Any,
}

/// `DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct DigestInfo {
    pub digest_algorithm: AlgorithmIdentifierOwned,
    pub digest: OctetString,
}

/// `SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue,
/// messageDigest DigestInfo }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct SpcIndirectDataContent {
    pub data: SpcAttributeTypeAndOptionalValue,
    pub message_digest: DigestInfo,
}

/// `sha256` with explicit NULL parameters, as Authenticode writes it.
pub(super) fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: Some(Any::null()),
    }
}

/// The `SpcSipInfo` attribute naming the PowerShell SIP.
pub(super) fn powershell_sip_data() -> der::Result<SpcAttributeTypeAndOptionalValue> {
    let sip = SpcSipInfo {
        version: 65536,
        guid: OctetString::new(POWERSHELL_SIP_GUID.to_vec())?,
        reserved1: 0,
        reserved2: 0,
        reserved3: 0,
        reserved4: 0,
        reserved5: 0,
    };
    Ok(SpcAttributeTypeAndOptionalValue {
        value_type: SPC_SIPINFO,
        value: Any::encode_from(&sip)?,
    })
}

/// Human name for an OID we print in errors.
pub(super) fn oid_name(o: &ObjectIdentifier) -> String {
    let known = [
        (SPC_INDIRECT_DATA, "SPC_INDIRECT_DATA"),
        (ID_DATA, "id-data"),
        (ID_SIGNED_DATA, "id-signedData"),
        (ID_SHA256, "sha256"),
        (ID_SHA384, "sha384"),
        (ID_SHA512, "sha512"),
        (RSA_ENCRYPTION, "rsaEncryption"),
        (SHA256_WITH_RSA, "sha256WithRSAEncryption"),
        (ECDSA_WITH_SHA256, "ecdsa-with-SHA256"),
        (SPC_SIPINFO, "SpcSipInfo"),
    ];
    match known.iter().find(|(k, _)| k == o) {
        Some((_, n)) => format!("{n} ({o})"),
        None => o.to_string(),
    }
}
