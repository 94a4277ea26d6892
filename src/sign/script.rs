//! PowerShell script text: encodings, what is hashed, and the `# SIG #` comment block.

use base64ct::{Base64, Encoding as _};
use sha2::{Digest, Sha256};

pub(super) const BEGIN_MARKER: &str = "# SIG # Begin signature block";
pub(super) const END_MARKER: &str = "# SIG # End signature block";

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

/// The signature block of a signed script: where it starts and the DER it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Byte offset of the `# SIG # Begin signature block` line.
    pub start: usize,
    /// The decoded signature (DER `ContentInfo`).
    pub der: Vec<u8>,
}

/// A script split into the signed content and an optional signature block.
///
/// Invariant (checked by the `sigblock` fuzz target): when `block` is `Some`, the file is exactly
/// `content` + [`block_text`] of the block's DER (in the file's encoding) + nothing but line
/// breaks. Nothing that is not the block is ever outside `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub encoding: TextEncoding,
    /// Length in bytes of the content: everything before the CRLF that precedes the
    /// `# SIG # Begin signature block` line, or the whole file when unsigned.
    pub content_len: usize,
    /// The file's final, well-formed signature block, if it has one.
    pub block: Option<Block>,
}

impl Split {
    /// Byte offset of the begin marker line, when the file has a block.
    pub fn block_start(&self) -> Option<usize> {
        self.block.as_ref().map(|b| b.start)
    }
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

/// A line that a signature tool could take for a block marker: after optional spaces and tabs
/// it starts with either marker, in any letter case (Windows' own matching is not documented;
/// every reading of it is refused unless it is the real block).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerKind {
    Begin,
    End,
}

#[derive(Debug, Clone, Copy)]
struct MarkerLine {
    kind: MarkerKind,
    /// 1-based line number (CRLF, LF and a lone CR each end a line).
    line: usize,
    /// Offset of the line's first character in the text view.
    at: usize,
}

fn starts_with_ci(text: &[u8], prefix: &str) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Every line of `text` that starts with a marker (see [`MarkerKind`]). Linear: one pass over
/// the line breaks (SIMD search), a few byte compares per line.
fn marker_lines(text: &[u8]) -> Vec<MarkerLine> {
    let mut found = Vec::new();
    let mut check = |at: usize, line: usize| {
        let rest = &text[at..];
        let t = rest
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(rest.len());
        let rest = &rest[t..];
        if rest.first() != Some(&b'#') {
            return;
        }
        let kind = if starts_with_ci(rest, BEGIN_MARKER) {
            MarkerKind::Begin
        } else if starts_with_ci(rest, END_MARKER) {
            MarkerKind::End
        } else {
            return;
        };
        found.push(MarkerLine { kind, line, at });
    };
    check(0, 1);
    let mut line = 1;
    for i in memchr::memchr2_iter(b'\n', b'\r', text) {
        // CRLF is one line break: the line starts after the LF.
        if text[i] == b'\r' && text.get(i + 1) == Some(&b'\n') {
            continue;
        }
        line += 1;
        check(i + 1, line);
    }
    found
}

/// Split a script into its signed content and its signature block.
///
/// A block is accepted only when it is the file's final, well-formed signature block: CRLF,
/// `# SIG # Begin signature block`, CRLF-terminated lines of `# ` and 64 base64 characters (the
/// last one 1 to 64), `# SIG # End signature block`, then nothing but line breaks, with the
/// base64 in canonical form. Any other line that starts with a marker (a marker line in the
/// middle of the script, a second block, junk after the end marker, a truncated or malformed
/// block) is an error naming the line: such a file is never cut short and never signed, because
/// a tool that takes the first marker line for the block would sign or check less than the whole
/// script.
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
    let markers = marker_lines(text);
    let Some(first) = markers.first() else {
        return Ok(Split {
            encoding,
            content_len: bytes.len(),
            block: None,
        });
    };
    let bad = |m: &MarkerLine, why: &str| -> String {
        let which = match m.kind {
            MarkerKind::Begin => BEGIN_MARKER,
            MarkerKind::End => END_MARKER,
        };
        format!(
            "line {} reads as `{which}` but is not part of a well-formed signature block at the end of the file ({why}); a signature tool would sign or check only the text before it, so the file is refused. Remove or reword that line (or, for a damaged signature, remove the whole block and sign again)",
            m.line
        )
    };
    if first.kind != MarkerKind::Begin {
        return Err(bad(first, "no begin marker comes before it"));
    }
    if let Some(second) = markers.get(1).filter(|m| m.kind == MarkerKind::Begin) {
        return Err(bad(
            first,
            &format!("another begin marker follows at line {}", second.line),
        ));
    }
    if let Some(third) = markers.get(2) {
        return Err(bad(
            third,
            &format!(
                "a signature block ends at line {}; only line breaks may follow it",
                markers[1].line
            ),
        ));
    }
    let pos = first.at;
    if pos < 2 || &text[pos - 2..pos] != b"\r\n" {
        return Err(bad(
            first,
            "the line before it does not end in CRLF; were the file's line breaks changed after signing?",
        ));
    }
    let der = parse_block_text(&text[pos..]).map_err(|(line, why)| {
        let m = MarkerLine {
            kind: MarkerKind::Begin,
            line: first.line,
            at: pos,
        };
        if line == 0 {
            bad(&m, &why)
        } else {
            bad(&m, &format!("line {}: {why}", first.line + line))
        }
    })?;
    Ok(Split {
        encoding,
        content_len: base + (pos - 2) * unit,
        block: Some(Block {
            start: base + pos * unit,
            der,
        }),
    })
}

/// The next line of `rest` and whether it ended in CRLF (`false`: LF, or the end of the text);
/// `None` at the end of the text.
fn next_line<'a>(rest: &mut &'a [u8]) -> Option<(&'a [u8], bool)> {
    if rest.is_empty() {
        return None;
    }
    match memchr::memchr(b'\n', rest) {
        Some(i) => {
            let (line, crlf) = if i > 0 && rest[i - 1] == b'\r' {
                (&rest[..i - 1], true)
            } else {
                (&rest[..i], false)
            };
            *rest = &rest[i + 1..];
            Some((line, crlf))
        }
        None => {
            let line = *rest;
            *rest = &[];
            Some((line, false))
        }
    }
}

/// Parse the block text (ASCII view) starting at the begin marker line, to the end of the file.
/// Errors carry the offending line's offset from the begin line (0: the block as a whole).
fn parse_block_text(block: &[u8]) -> Result<Vec<u8>, (usize, String)> {
    let mut rest = block;
    let mut n = 0usize;
    let (first, crlf) = next_line(&mut rest).unwrap_or((&[], false));
    if first != BEGIN_MARKER.as_bytes() {
        return Err((0, format!("the line is not exactly `{BEGIN_MARKER}`")));
    }
    if !crlf {
        return Err((0, "the begin marker line does not end in CRLF".into()));
    }
    let mut b64 = String::new();
    let mut short_line = false;
    loop {
        n += 1;
        let Some((line, crlf)) = next_line(&mut rest) else {
            return Err((0, format!("the block is truncated: no `{END_MARKER}` line")));
        };
        if line == END_MARKER.as_bytes() {
            if b64.is_empty() {
                return Err((n, "the block holds no signature".into()));
            }
            if !crlf {
                return Err((n, "the end marker line does not end in CRLF".into()));
            }
            break;
        }
        if !crlf {
            return Err((
                n,
                "the line does not end in CRLF (were the file's line breaks changed after signing?)"
                    .into(),
            ));
        }
        let Some(piece) = line.strip_prefix(b"# ") else {
            return Err((n, "not a `# <base64>` line".into()));
        };
        if !piece
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
        {
            return Err((n, "a character that is not base64".into()));
        }
        if short_line || piece.is_empty() || piece.len() > 64 {
            return Err((
                n,
                "base64 lines must hold 64 characters (the last one 1 to 64)".into(),
            ));
        }
        short_line = piece.len() < 64;
        // Checked ASCII above.
        b64.push_str(std::str::from_utf8(piece).unwrap_or_default());
    }
    if let Some(i) = rest.iter().position(|&b| b != b'\r' && b != b'\n') {
        let line = n + 1 + rest[..i].iter().filter(|&&b| b == b'\n').count();
        return Err((
            line,
            format!("text follows `{END_MARKER}`; Windows accepts nothing but line breaks there"),
        ));
    }
    let der = Base64::decode_vec(&b64).map_err(|_| (0, "the block is not valid base64".into()))?;
    // Canonical form only: the block must be exactly what a signer writes for this DER.
    if Base64::encode_string(&der) != b64 {
        return Err((0, "the block's base64 is not in canonical form".into()));
    }
    Ok(der)
}

/// SHA-256 of the content as PowerShell's SIP sees it: UTF-16LE text.
pub(super) fn content_hash(content: &[u8], encoding: TextEncoding) -> Result<[u8; 32], String> {
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
pub(super) fn block_text(der: &[u8]) -> String {
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

/// True when the bytes contain a signature block.
pub fn has_signature_block(bytes: &[u8]) -> bool {
    split(bytes).is_ok_and(|s| s.block.is_some())
}

/// Whether a script is signed, unsigned, or has marker lines that are not a well-formed final
/// block (the error says which line and why).
pub(crate) fn block_status(bytes: &[u8]) -> Result<bool, String> {
    split(bytes).map(|s| s.block.is_some())
}

/// True when the script text (before any block) has non-ASCII characters: such a BOM-less script
/// hashes differently on Windows machines with other ANSI code pages.
pub(super) fn bomless_non_ascii(bytes: &[u8], s: &Split) -> bool {
    s.encoding == TextEncoding::Utf8 && !bytes[..s.content_len].is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(content: &[u8], der: &[u8]) -> Vec<u8> {
        let mut out = content.to_vec();
        append_block(&mut out, TextEncoding::Utf8, der);
        out
    }

    #[test]
    fn split_finds_the_final_block() {
        let der: Vec<u8> = (0..100u8).collect();
        let f = signed(b"a\r\nb", &der);
        let s = split(&f).unwrap();
        assert_eq!(s.content_len, 4);
        assert_eq!(s.block_start(), Some(6));
        assert_eq!(s.block.unwrap().der, der);
        // Line breaks after the end marker are allowed.
        let mut f2 = f.clone();
        f2.extend_from_slice(b"\r\n\n");
        assert_eq!(split(&f2).unwrap().content_len, 4);
    }

    #[test]
    fn marker_not_at_line_start_is_content() {
        let t = b"Write-Output '# SIG # Begin signature block'\r\n";
        let s = split(t).unwrap();
        assert_eq!(s.block, None);
        assert_eq!(s.content_len, t.len());
    }

    #[test]
    fn utf16_split_uses_byte_offsets() {
        let der: Vec<u8> = (0..10u8).collect();
        let mut b = vec![0xFF, 0xFE];
        for u in "x".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        append_block(&mut b, TextEncoding::Utf16Le, &der);
        let s = split(&b).unwrap();
        assert_eq!(s.encoding, TextEncoding::Utf16Le);
        assert_eq!(s.content_len, 2 + 2);
        assert_eq!(s.block_start(), Some(2 + 3 * 2));
        assert_eq!(s.block.unwrap().der, der);
    }

    /// The block with one character cut from its first base64 line.
    fn cut_first_base64_line(block: &str) -> String {
        let mut lines: Vec<String> = block.split("\r\n").map(str::to_string).collect();
        lines[2].pop();
        lines.join("\r\n")
    }

    #[test]
    fn marker_lines_that_are_not_the_final_block_are_errors() {
        let der: Vec<u8> = (0..200u8).collect();
        let block = block_text(&der);
        let cases: Vec<(String, &str)> = vec![
            // An unsigned script with a marker line in its help text.
            (
                "<#\r\n# SIG # Begin signature block\r\n#>\r\nWrite-Output 1\r\n".into(),
                "line 2",
            ),
            // Indented, other letter case, lone CR before it, end marker alone.
            (
                "x\r\n   # sig # begin SIGNATURE block\r\ny\r\n".into(),
                "line 2",
            ),
            ("x\r# SIG # Begin signature block\r\n".into(), "line 2"),
            (
                "x\r\n# SIG # End signature block\r\n".into(),
                "no begin marker",
            ),
            // A whole block in the middle, followed by code.
            (
                format!("x{block}Write-Output 1\r\n"),
                "line 9: text follows",
            ),
            // Junk after the end marker, on the same line or later.
            (format!("x{block}\r\n\r\n#x\r\n"), "text follows"),
            (
                format!("x{}junk\r\n", block.trim_end_matches("\r\n")),
                "line",
            ),
            // Truncated: end marker missing, or a base64 line cut.
            (
                format!("x{}", &block[..block.find(END_MARKER).unwrap()]),
                "truncated",
            ),
            (format!("x{}", cut_first_base64_line(&block)), "64"),
            // A stray marker line, then a real block.
            (
                format!("# SIG # Begin signature block\r\nx{block}"),
                "another begin marker follows",
            ),
            // LF line breaks (converted after signing).
            (format!("x{}", block.replace("\r\n", "\n")), "CRLF"),
            // Not canonical base64 (trailing bits set in the last character).
            (
                format!("x{}", block_text(&[0]).replace("AA==", "AB==")),
                "base64",
            ),
        ];
        for (text, want) in &cases {
            let err = split(text.as_bytes()).expect_err(text);
            assert!(err.contains(want), "{text:?}: {err}");
            assert!(!has_signature_block(text.as_bytes()));
        }
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
    fn block_lines_are_short() {
        let der: Vec<u8> = (0..200u8).collect();
        let out = signed(b"x", &der);
        let text = std::str::from_utf8(&out).unwrap();
        assert!(text.lines().all(|l| l.len() <= 66));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert!(content_hash(b"\xE9t\xE9", TextEncoding::Utf8)
            .unwrap_err()
            .contains("UTF-8"));
    }
}
