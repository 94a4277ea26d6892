//! PowerShell script text: encodings, what is hashed, and the `# SIG #` comment block.

use base64ct::{Base64, Encoding as _};
use sha2::{Digest, Sha256};

pub const BEGIN_MARKER: &str = "# SIG # Begin signature block";
pub const END_MARKER: &str = "# SIG # End signature block";

/// How a script file's bytes map to text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// Starts with FF FE: hashed as is, block appended in UTF-16LE.
    Utf16Le,
    /// Starts with EF BB BF: the BOM is hashed as U+FEFF.
    Utf8Bom,
    /// No BOM: UTF-8 (pure ASCII is the portable case).
    Utf8,
}

impl TextEncoding {
    pub fn detect(bytes: &[u8]) -> Result<TextEncoding, String> {
        if bytes.starts_with(&[0xFF, 0xFE]) {
            if !bytes.len().is_multiple_of(2) {
                return Err("the file starts with a UTF-16LE byte order mark but has an odd number of bytes".into());
            }
            Ok(TextEncoding::Utf16Le)
        } else if bytes.starts_with(&[0xFE, 0xFF]) {
            Err(
                "UTF-16 big-endian files are not supported; save the script as UTF-8 or UTF-16LE"
                    .into(),
            )
        } else if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            Ok(TextEncoding::Utf8Bom)
        } else {
            Ok(TextEncoding::Utf8)
        }
    }
}

/// A script split into the signed content and an optional existing signature block.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    pub encoding: TextEncoding,
    /// Length in bytes of the content (everything before the line break that precedes the
    /// `# SIG # Begin signature block` line; the whole file when unsigned).
    pub content_len: usize,
    /// Byte offset of the begin marker line, when the file has a block.
    pub block_start: Option<usize>,
}

/// An ASCII view of a UTF-16LE file's text after the BOM (one byte per code unit, non-ASCII
/// units as 0xFF), for the block search; offsets in it times two are byte offsets.
fn utf16_ascii_view(bytes: &[u8]) -> Vec<u8> {
    bytes[2..]
        .chunks_exact(2)
        .map(|c| {
            let u = u16::from_le_bytes([c[0], c[1]]);
            if u < 0x80 {
                u as u8
            } else {
                0xFF
            }
        })
        .collect()
}

/// Find the first line that starts with the begin marker.
pub fn split(bytes: &[u8]) -> Result<Split, String> {
    let encoding = TextEncoding::detect(bytes)?;
    let unit = if encoding == TextEncoding::Utf16Le {
        2
    } else {
        1
    };
    // Fast path for the common single-byte case: no copy.
    let owned;
    let (text, base): (&[u8], usize) = match encoding {
        TextEncoding::Utf8 => (bytes, 0),
        TextEncoding::Utf8Bom => (&bytes[3..], 3),
        TextEncoding::Utf16Le => {
            owned = utf16_ascii_view(bytes);
            (&owned, 2)
        }
    };
    let marker = BEGIN_MARKER.as_bytes();
    // The first occurrence of the marker at a line start (SIMD substring search, linear).
    let found = memchr::memmem::find_iter(text, marker).find(|&i| i == 0 || text[i - 1] == b'\n');
    if let Some(pos) = found {
        let cut = if pos >= 2 && &text[pos - 2..pos] == b"\r\n" {
            pos - 2
        } else if pos >= 1 {
            pos - 1
        } else {
            pos
        };
        return Ok(Split {
            encoding,
            content_len: base + cut * unit,
            block_start: Some(base + pos * unit),
        });
    }
    Ok(Split {
        encoding,
        content_len: bytes.len(),
        block_start: None,
    })
}

/// SHA-256 of the content as PowerShell's SIP sees it: UTF-16LE text.
pub fn content_hash(content: &[u8], encoding: TextEncoding) -> Result<[u8; 32], String> {
    let mut h = Sha256::new();
    match encoding {
        TextEncoding::Utf16Le => h.update(content),
        TextEncoding::Utf8Bom | TextEncoding::Utf8 => {
            let text = std::str::from_utf8(content).map_err(|e| {
                format!(
                    "the script is not valid UTF-8 (byte {}); save it as UTF-8 or UTF-16LE",
                    e.valid_up_to()
                )
            })?;
            // The UTF-8 BOM decodes to U+FEFF, which is hashed as FF FE. Encoded a block at a
            // time: a script is never held a second time as UTF-16 (the module of a large
            // bundle is tens of megabytes).
            let mut buf = [0u8; 8192];
            let mut n = 0;
            for u in text.encode_utf16() {
                buf[n..n + 2].copy_from_slice(&u.to_le_bytes());
                n += 2;
                if n == buf.len() {
                    h.update(buf);
                    n = 0;
                }
            }
            h.update(&buf[..n]);
        }
    }
    Ok(h.finalize().into())
}

/// The signature block text (ASCII) for a DER signature, starting with the CRLF that ends the
/// content and ending with a CRLF.
pub fn block_text(der: &[u8]) -> String {
    let b64 = Base64::encode_string(der);
    let mut s = String::with_capacity(b64.len() + b64.len() / 64 * 4 + 80);
    s.push_str("\r\n");
    s.push_str(BEGIN_MARKER);
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str("\r\n# ");
        // base64 output is ASCII, so every chunk is valid UTF-8.
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
    }
    s.push_str("\r\n");
    s.push_str(END_MARKER);
    s.push_str("\r\n");
    s
}

/// Append a block in the file's own encoding.
pub fn append_block(out: &mut Vec<u8>, encoding: TextEncoding, der: &[u8]) {
    let text = block_text(der);
    match encoding {
        TextEncoding::Utf16Le => {
            out.reserve(text.len() * 2);
            for u in text.encode_utf16() {
                out.extend_from_slice(&u.to_le_bytes());
            }
        }
        TextEncoding::Utf8Bom | TextEncoding::Utf8 => out.extend_from_slice(text.as_bytes()),
    }
}

/// Decode the block that starts at `block` (the begin marker line): returns the DER signature.
/// Rejects anything but line breaks after the end marker.
pub fn parse_block(block: &[u8], encoding: TextEncoding) -> Result<Vec<u8>, String> {
    let text: String = match encoding {
        TextEncoding::Utf16Le => {
            let units: Vec<u16> = block
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units)
                .map_err(|_| "the signature block is not valid UTF-16".to_string())?
        }
        _ => String::from_utf8(block.to_vec())
            .map_err(|_| "the signature block is not valid text".to_string())?,
    };
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let first = lines.next().unwrap_or_default();
    if first != BEGIN_MARKER {
        return Err(format!(
            "the line starting with `{BEGIN_MARKER}` has extra text after the marker"
        ));
    }
    let mut b64 = String::new();
    let mut ended = false;
    for (n, line) in lines.by_ref().enumerate() {
        if line == END_MARKER {
            ended = true;
            break;
        }
        let piece = line.strip_prefix("# ").ok_or_else(|| {
            format!(
                "line {} of the signature block is not a `# <base64>` comment",
                n + 2
            )
        })?;
        if !piece
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
        {
            return Err(format!(
                "line {} of the signature block contains a character that is not base64",
                n + 2
            ));
        }
        b64.push_str(piece);
    }
    if !ended {
        return Err(format!("the signature block has no `{END_MARKER}` line"));
    }
    let rest: Vec<&str> = lines.collect();
    if rest.iter().any(|l| !l.is_empty()) {
        return Err(format!(
            "text follows `{END_MARKER}`; Windows accepts nothing but line breaks there"
        ));
    }
    Base64::decode_vec(&b64).map_err(|_| "the signature block is not valid base64".to_string())
}

/// True when the bytes contain a signature block.
pub fn has_signature_block(bytes: &[u8]) -> bool {
    split(bytes).is_ok_and(|s| s.block_start.is_some())
}

/// True when the script text (before any block) has non-ASCII characters: such a BOM-less script
/// hashes differently on Windows machines with other ANSI code pages.
pub fn bomless_non_ascii(bytes: &[u8], s: &Split) -> bool {
    s.encoding == TextEncoding::Utf8 && !bytes[..s.content_len].is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_finds_block_after_crlf_and_lf() {
        let s = split(b"a\r\nb\r\n# SIG # Begin signature block\r\n# x\r\n").unwrap();
        assert_eq!(s.content_len, 4);
        assert_eq!(s.block_start, Some(6));
        let s = split(b"a\n# SIG # Begin signature block\n").unwrap();
        assert_eq!(s.content_len, 1);
        assert_eq!(s.block_start, Some(2));
    }

    #[test]
    fn marker_not_at_line_start_is_content() {
        let t = b"Write-Output '# SIG # Begin signature block'\r\n";
        let s = split(t).unwrap();
        assert_eq!(s.block_start, None);
        assert_eq!(s.content_len, t.len());
    }

    #[test]
    fn utf16_split_uses_byte_offsets() {
        let mut b = vec![0xFF, 0xFE];
        for u in "x\r\n# SIG # Begin signature block\r\n".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let s = split(&b).unwrap();
        assert_eq!(s.encoding, TextEncoding::Utf16Le);
        assert_eq!(s.content_len, 2 + 2);
        assert_eq!(s.block_start, Some(2 + 3 * 2));
    }

    #[test]
    fn utf8_bom_hashes_as_feff() {
        let with_bom = content_hash(b"\xEF\xBB\xBFab", TextEncoding::Utf8Bom).unwrap();
        let utf16 = content_hash(b"\xFF\xFEa\0b\0", TextEncoding::Utf16Le).unwrap();
        assert_eq!(with_bom, utf16);
        let no_bom = content_hash(b"ab", TextEncoding::Utf8).unwrap();
        assert_ne!(no_bom, utf16);
    }

    #[test]
    fn block_round_trip_and_trailing_text() {
        let der: Vec<u8> = (0..200u8).collect();
        let mut out = b"x".to_vec();
        append_block(&mut out, TextEncoding::Utf8, &der);
        let s = split(&out).unwrap();
        assert_eq!(s.content_len, 1);
        let start = s.block_start.unwrap();
        assert_eq!(parse_block(&out[start..], TextEncoding::Utf8).unwrap(), der);
        let text = std::str::from_utf8(&out).unwrap();
        assert!(text.lines().all(|l| l.len() <= 66));
        let mut bad = out.clone();
        bad.extend_from_slice(b"Write-Output 1\r\n");
        assert!(parse_block(&bad[start..], TextEncoding::Utf8)
            .unwrap_err()
            .contains("follows"));
        let mut ok = out.clone();
        ok.extend_from_slice(b"\r\n\n");
        assert!(parse_block(&ok[start..], TextEncoding::Utf8).is_ok());
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert!(content_hash(b"\xE9t\xE9", TextEncoding::Utf8)
            .unwrap_err()
            .contains("UTF-8"));
    }
}
