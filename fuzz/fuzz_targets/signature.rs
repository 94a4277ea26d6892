//! Authenticode signature blocks: a signed script's text through the block parser and the
//! verifier, and the same bytes as a detached CMS signature. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

use fixgen::pipeline::parts::sign::{verify_detached, verify_script, VerifyOptions};

fuzz_target!(|data: &[u8]| {
    let opts = VerifyOptions::default();
    let _ = verify_script(data, &opts);
    // Bytes after the first line feed as DER of a detached signature over a fixed content.
    let der = match data.iter().position(|&b| b == b'\n') {
        Some(i) => &data[i + 1..],
        None => data,
    };
    let _ = verify_detached(b"fixgen\n", der, &opts);
});
