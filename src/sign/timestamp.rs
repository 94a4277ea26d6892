//! RFC 3161 timestamps for Authenticode signatures: a `TimeStampReq` over the SHA-256 of the
//! SignerInfo's signature value, posted to a time-stamping authority over HTTP; the returned
//! token goes into the unsigned attribute 1.3.6.1.4.1.311.3.3.1 (what signtool `/tr` writes).

use std::time::Duration;

use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

use super::asn1::sha256_alg;
use super::SignError;

/// Content type of a timestamp token's signed content.
pub(crate) const ID_CT_TSTINFO: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// Largest response accepted from a TSA.
const MAX_RESPONSE: u64 = 1 << 20;

/// A time-stamping authority client (one per run; requests are made per signature).
pub(crate) struct Timestamper {
    url: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Timestamper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timestamper")
            .field("url", &self.url)
            .finish()
    }
}

impl Timestamper {
    /// A client for `url`. Only `http://` is supported: timestamp responses are signed, so
    /// TSAs serve them over plain HTTP (DigiCert, Sectigo, GlobalSign, Microsoft).
    pub(crate) fn new(url: &str) -> Result<Timestamper, SignError> {
        if !url.starts_with("http://") {
            return Err(SignError::Key(format!(
                "--timestamp-url {url}: only http:// time-stamping URLs are supported (responses are signed, so TSAs serve plain HTTP)"
            )));
        }
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build();
        Ok(Timestamper {
            url: url.to_string(),
            agent: ureq::Agent::new_with_config(config),
        })
    }

    /// Get a timestamp token (DER `ContentInfo`) for a signature value, checked to cover it.
    pub(crate) fn token_for(&self, signature: &[u8]) -> Result<Vec<u8>, SignError> {
        let err = |m: String| SignError::Timestamp {
            url: self.url.clone(),
            message: m,
        };
        let imprint: [u8; 32] = Sha256::digest(signature).into();
        let mut nonce = [0u8; 8];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| err("no random nonce".into()))?;
        nonce[0] &= 0x7F; // positive INTEGER
        nonce[0] |= 0x01; // and minimal (no leading zero byte)
        let req = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: sha256_alg(),
                hashed_message: OctetString::new(imprint.to_vec())
                    .map_err(|e| err(e.to_string()))?,
            },
            req_policy: None,
            nonce: Some(Int::new(&nonce).map_err(|e| err(e.to_string()))?),
            cert_req: true,
            extensions: None,
        };
        let body = req.to_der().map_err(|e| err(e.to_string()))?;
        let mut resp = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/timestamp-query")
            .header("Accept", "application/timestamp-reply")
            .send(&body[..])
            .map_err(|e| err(format!("request failed: {e}")))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(err(format!("the server answered HTTP {status}")));
        }
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(|e| err(format!("cannot read the response: {e}")))?;
        let tsr = TimeStampResp::from_der(&bytes).map_err(|e| {
            err(format!(
                "the response is not an RFC 3161 TimeStampResp ({e})"
            ))
        })?;
        use cmpv2::status::PkiStatus;
        if !matches!(
            tsr.status.status,
            PkiStatus::Accepted | PkiStatus::GrantedWithMods
        ) {
            return Err(err(format!(
                "the TSA refused the request (status {:?})",
                tsr.status.status
            )));
        }
        let token = tsr
            .time_stamp_token
            .ok_or_else(|| err("the response has no timestamp token".into()))?;
        let tst = tst_info(&token).map_err(err)?;
        if tst.message_imprint.hashed_message.as_bytes() != imprint {
            return Err(err("the token does not cover this signature".into()));
        }
        if tst.nonce.as_ref().map(|n| n.as_bytes()) != req.nonce.as_ref().map(|n| n.as_bytes()) {
            return Err(err("the token's nonce does not match the request".into()));
        }
        token.to_der().map_err(|e| err(e.to_string()))
    }
}

/// The TSTInfo inside a timestamp token.
pub(crate) fn tst_info(token: &cms::content_info::ContentInfo) -> Result<TstInfo, String> {
    let sd: cms::signed_data::SignedData = token
        .content
        .decode_as()
        .map_err(|e| format!("the timestamp token is not SignedData ({e})"))?;
    if sd.encap_content_info.econtent_type != ID_CT_TSTINFO {
        return Err("the timestamp token does not hold a TSTInfo".into());
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .ok_or("the timestamp token has no content")?;
    let octets: OctetString = econtent
        .decode_as()
        .map_err(|e| format!("the timestamp token content is malformed ({e})"))?;
    TstInfo::from_der(octets.as_bytes()).map_err(|e| format!("the TSTInfo is malformed ({e})"))
}
