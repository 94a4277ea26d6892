//! Bytes to text (UTF-16LE with a BOM, or Windows-1252 for REGEDIT4) and text to lines.

use super::*;

/// Decode the bytes to text, noting the encoding.
pub(super) fn decode(bytes: &[u8], findings: &mut Vec<ReadFinding>) -> (String, Encoding) {
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return (decode_utf16le(rest, findings), Encoding::Utf16LeBom);
    }
    if bytes.starts_with(&[0xfe, 0xff]) {
        findings.push(ReadFinding {
            severity: Severity::Error,
            code: "reg-encoding",
            line: 1,
            column: 1,
            message: "the file is UTF-16 big-endian, which regedit does not read".into(),
            hint: Some("save it as UTF-16LE (\"Unicode\") with a BOM".into()),
        });
        return (String::new(), Encoding::Utf16LeBom);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return (
            String::from_utf8_lossy(rest).into_owned(),
            Encoding::Utf8Bom,
        );
    }
    // UTF-16LE without a BOM: ASCII text has every second byte zero.
    if bytes.len() >= 4 && bytes[0] != 0 && bytes[1] == 0 && bytes[3] == 0 {
        findings.push(ReadFinding {
            severity: Severity::Warning,
            code: "reg-encoding",
            line: 1,
            column: 1,
            message: "the file looks like UTF-16LE but has no byte order mark (FF FE)".into(),
            hint: Some("regedit expects a BOM on UTF-16 files; save it again with one".into()),
        });
        return (decode_utf16le(bytes, findings), Encoding::Utf16LeNoBom);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), Encoding::Utf8),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), Encoding::Ansi)
        }
    }
}

pub(super) fn decode_utf16le(bytes: &[u8], findings: &mut Vec<ReadFinding>) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut line = 1;
    let mut column = 1;
    let mut reported = false;
    for r in char::decode_utf16(units) {
        let c = match r {
            Ok(c) => c,
            Err(_) => {
                if !reported {
                    findings.push(ReadFinding {
                        severity: Severity::Error,
                        code: "reg-encoding",
                        line,
                        column,
                        message: "invalid UTF-16: an unpaired surrogate".into(),
                        hint: None,
                    });
                    reported = true;
                }
                '\u{fffd}'
            }
        };
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
        out.push(c);
    }
    if !bytes.len().is_multiple_of(2) {
        findings.push(ReadFinding {
            severity: Severity::Error,
            code: "reg-encoding",
            line,
            column,
            message: "the UTF-16 file has an odd number of bytes (it is cut short)".into(),
            hint: None,
        });
    }
    out
}

/// Split into lines on CRLF, LF or CR.
pub(super) fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            lines.push(&text[start..i]);
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}
