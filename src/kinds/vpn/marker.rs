//! Markers of the VPN step (issue 15 item 1): what a detection script compares with the record a
//! remediation writes after it applied a pre-shared key or recreated a connection.
//!
//! - The **key id** is PBKDF2-HMAC-SHA256 of the key, salted with the connection name, with
//!   [`PSK_ID_ITERATIONS`] iterations, 32 bytes as lower-case hex. The generated scripts compute
//!   the same value at run time from the key (`Rfc2898DeriveBytes`); a detection script, which
//!   never holds the key, carries the id computed here at build time. Why a deliberately slow
//!   hash and not a random build value: README "The pre-shared key marker".
//! - The **recreation id** names a one-shot recreation: SHA-256 of the recipe id and the
//!   connection's name and server (as written in the recipe or bound at build time).

use std::num::NonZeroU32;

/// PBKDF2 iterations of the key id (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
pub const PSK_ID_ITERATIONS: u32 = 600_000;

/// The salt prefix; the connection name follows it (UTF-8).
pub const PSK_ID_SALT_PREFIX: &str = "fixgen-psk-v1|";

/// The key id of `key` for the connection `name` (64 hex digits).
pub fn psk_id(name: &str, key: &str) -> String {
    let mut out = [0u8; 32];
    let salt = format!("{PSK_ID_SALT_PREFIX}{name}");
    aws_lc_rs::pbkdf2::derive(
        aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(PSK_ID_ITERATIONS).expect("non-zero"),
        salt.as_bytes(),
        key.as_bytes(),
        &mut out,
    );
    hex::encode(out)
}

/// The recreation id of a `recreate: true` step (32 hex digits).
pub(crate) fn recreate_id(recipe: &str, name: &str, server: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in ["fixgen-recreate-v1", recipe, name, server] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_change_with_their_inputs() {
        assert_ne!(psk_id("A", "k1"), psk_id("A", "k2"));
        assert_ne!(psk_id("A", "k1"), psk_id("B", "k1"));
        assert_ne!(recreate_id("r", "A", "s"), recreate_id("r", "A", "t"));
    }
}
