//! The signer's block search (`fixgen::pipeline::parts::sign::split_script`): whatever the bytes, it never panics,
//! and it never returns a split that drops content that is not the signature block.
//!
//! Checked for every input:
//! 1. A signed split is exact: the file is its content, then the block a signer writes for the
//!    decoded signature (in the file's encoding), then nothing but line breaks. So everything
//!    the signer would cut or the verifier would leave unhashed is the block itself.
//! 2. An unsigned split covers the whole file.
//! 3. Signing an unsigned file and searching again finds exactly the appended block: the
//!    original bytes are the content, unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

use fixgen::pipeline::parts::sign::{append_script_block, split_script, TextEncoding};

/// True when `rest` is only CR and LF characters in `enc` (UTF-16LE code units or bytes).
fn only_line_breaks(rest: &[u8], enc: TextEncoding) -> bool {
    match enc {
        TextEncoding::Utf16Le => {
            rest.len() % 2 == 0
                && rest
                    .chunks_exact(2)
                    .all(|c| c == [b'\r', 0] || c == [b'\n', 0])
        }
        _ => rest.iter().all(|&b| b == b'\r' || b == b'\n'),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(split) = split_script(data) else {
        return;
    };
    assert!(split.content_len <= data.len());
    match &split.block {
        Some(block) => {
            let mut rebuilt = data[..split.content_len].to_vec();
            append_script_block(&mut rebuilt, split.encoding, &block.der);
            assert!(
                data.starts_with(&rebuilt),
                "the cut part is not exactly the block for its signature"
            );
            assert!(
                only_line_breaks(&data[rebuilt.len()..], split.encoding),
                "something other than line breaks follows the block"
            );
            let unit = if split.encoding == TextEncoding::Utf16Le { 2 } else { 1 };
            assert_eq!(block.start, split.content_len + 2 * unit);
        }
        None => {
            assert_eq!(split.content_len, data.len(), "an unsigned split drops bytes");
            // Sign it (any DER will do for the search) and find the same block again.
            let der: Vec<u8> = match data.len() {
                0 => vec![0x30, 0x00],
                n => data[..n.min(300)].to_vec(),
            };
            let mut signed = data.to_vec();
            append_script_block(&mut signed, split.encoding, &der);
            let again = split_script(&signed).expect("a freshly signed file must split");
            assert_eq!(again.content_len, data.len());
            assert_eq!(again.encoding, split.encoding);
            assert_eq!(again.block.map(|b| b.der), Some(der));
        }
    }
});
