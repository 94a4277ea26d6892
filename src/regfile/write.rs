//! The `.reg` writer: version 5 files, UTF-16LE with BOM, CRLF.
//!
//! Text reaches the file only through the typed helpers here: [`quoted_string`] for REG_SZ
//! data and value names, [`value_name_token`], [`hex_data`] for everything written as bytes,
//! and [`comment_lines`], which turns any text into `;` comment lines that no line break can
//! escape.

use std::fmt;

use super::RegData;
use crate::registry::RegPath;

/// First line of a version 5 file.
pub(crate) const HEADER_V5: &str = "Windows Registry Editor Version 5.00";
/// First line of an ANSI file.
pub(crate) const HEADER_REGEDIT4: &str = "REGEDIT4";

/// regedit (and Wine, which copies it) wraps hex data once a line reaches this many columns.
const WRAP_AT: usize = 77;

/// Something a `.reg` file cannot express.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// A value name holding CR, LF or NUL: regedit has no escape for them inside quotes.
    NameNotRepresentable { name: String },
    /// A value line before any `[key]` line.
    NoKey,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::NameNotRepresentable { name } => write!(
                f,
                "the value name {:?} contains a line break or NUL, which a .reg file cannot express",
                name
            ),
            WriteError::NoKey => write!(f, "a value was written before any key"),
        }
    }
}

impl std::error::Error for WriteError {}

/// `"text"` with `\` and `"` escaped, or `None` when the text holds CR, LF or NUL (which a
/// quoted string cannot carry; REG_SZ data then goes out as `hex(1):`).
fn quoted_string(s: &str) -> Option<String> {
    if s.contains(['\r', '\n', '\0']) {
        return None;
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
    Some(out)
}

/// The left-hand side of a value line: `@` for the default value (empty name), else the
/// quoted name.
fn value_name_token(name: &str) -> Result<String, WriteError> {
    if name.is_empty() {
        return Ok("@".to_string());
    }
    quoted_string(name).ok_or_else(|| WriteError::NameNotRepresentable {
        name: name.to_string(),
    })
}

/// `hex:` for REG_BINARY, `hex(N):` (N in lower-case hex) for every other type.
fn hex_tag(kind: u32) -> String {
    if kind == super::kind::REG_BINARY {
        "hex:".to_string()
    } else {
        format!("hex({kind:x}):")
    }
}

/// Comma-separated lower-case hex bytes, wrapped as regedit wraps them: after a comma, once
/// the line reaches 77 columns, `\` + CRLF + two spaces. `column` is the width of the line
/// before the data (`"name"=hex(2):`).
fn hex_data(column: usize, bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3 + bytes.len() / 24 * 5);
    let mut col = column;
    for (i, b) in bytes.iter().enumerate() {
        out.push_str(&format!("{b:02x}"));
        if i + 1 == bytes.len() {
            break;
        }
        out.push(',');
        col += 3;
        if col >= WRAP_AT {
            out.push_str("\\\r\n  ");
            col = 2;
        }
    }
    out
}

/// Characters that end a line in some editor or parser; each starts a new comment line.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Invisible characters that reorder text on screen (Trojan Source): shown as `<U+XXXX>`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Turn any text into comment lines: `; ` + text. Every line break (CR, LF, VT, FF, NEL,
/// U+2028, U+2029) starts a new `; ` line, other control characters and bidi controls become
/// visible `<U+XXXX>` marks, so nothing in the text can end the comment.
fn comment_lines(text: &str) -> Vec<String> {
    let normalised = text.replace("\r\n", "\n");
    normalised
        .split(is_line_break)
        .map(|piece| {
            let mut line = String::from(";");
            if !piece.is_empty() {
                line.push(' ');
            }
            for c in piece.chars() {
                if (c.is_control() && c != '\t') || is_bidi_control(c) {
                    line.push_str(&format!("<U+{:04X}>", c as u32));
                } else {
                    line.push(c);
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// Builds a version 5 `.reg` file line by line.
#[derive(Debug, Clone)]
pub struct RegWriter {
    lines: Vec<String>,
    in_key: bool,
}

impl Default for RegWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl RegWriter {
    /// A file holding only the header line.
    pub fn new() -> Self {
        RegWriter {
            lines: vec![HEADER_V5.to_string()],
            in_key: false,
        }
    }

    /// One or more `;` comment lines (see [`comment_lines`]).
    pub fn comment(&mut self, text: &str) {
        self.lines.extend(comment_lines(text));
    }

    pub fn blank(&mut self) {
        self.lines.push(String::new());
    }

    /// `[HKEY_LOCAL_MACHINE\...]`: values that follow go to this key (created if missing).
    pub fn key(&mut self, path: &RegPath) {
        self.lines.push(format!("[{}]", path.long()));
        self.in_key = true;
    }

    /// `[-HKEY_LOCAL_MACHINE\...]`: delete the key with all its values and subkeys.
    pub fn delete_key(&mut self, path: &RegPath) {
        self.lines.push(format!("[-{}]", path.long()));
        self.in_key = false;
    }

    /// Set a value of the current key.
    pub fn set(&mut self, name: &str, data: &RegData) -> Result<(), WriteError> {
        if !self.in_key {
            return Err(WriteError::NoKey);
        }
        let lhs = value_name_token(name)?;
        let rhs = match data {
            RegData::Sz(s) => match quoted_string(s) {
                Some(q) => q,
                None => self.hex_rhs(&lhs, data),
            },
            RegData::Dword(v) => format!("dword:{v:08x}"),
            _ => self.hex_rhs(&lhs, data),
        };
        self.lines.push(format!("{lhs}={rhs}"));
        Ok(())
    }

    fn hex_rhs(&self, lhs: &str, data: &RegData) -> String {
        let tag = hex_tag(data.kind());
        let column = lhs.chars().count() + 1 + tag.len();
        format!("{tag}{}", hex_data(column, &data.to_bytes()))
    }

    /// `"name"=-`: delete a value of the current key.
    pub fn delete(&mut self, name: &str) -> Result<(), WriteError> {
        if !self.in_key {
            return Err(WriteError::NoKey);
        }
        let lhs = value_name_token(name)?;
        self.lines.push(format!("{lhs}=-"));
        Ok(())
    }

    /// The text with CRLF line ends, ending with an empty line as regedit's files do.
    pub fn text(&self) -> String {
        let mut s = self.lines.join("\r\n");
        s.push_str("\r\n");
        if !self.lines.last().is_some_and(String::is_empty) {
            s.push_str("\r\n");
        }
        s
    }

    /// The file's bytes: BOM FF FE, then the text in UTF-16LE.
    pub fn into_bytes(self) -> Vec<u8> {
        let text = self.text();
        drop(self);
        let mut out = Vec::with_capacity(2 + text.len() * 2);
        out.extend_from_slice(&[0xff, 0xfe]);
        for u in text.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_backslash_and_quote_only() {
        assert_eq!(quoted_string(r#"C:\a "b""#).unwrap(), r#""C:\\a \"b\"""#);
        assert_eq!(quoted_string("").unwrap(), "\"\"");
        assert_eq!(quoted_string("a\nb"), None);
        assert_eq!(quoted_string("a\rb"), None);
        assert_eq!(quoted_string("a\0b"), None);
    }

    #[test]
    fn comments_cannot_be_escaped() {
        let lines = comment_lines(
            "one\r\ntwo\rthree\u{2028}[HKEY_LOCAL_MACHINE\\X]\u{85}\"a\"=\"b\"\u{0}\u{202e}",
        );
        assert_eq!(
            lines,
            vec![
                "; one",
                "; two",
                "; three",
                "; [HKEY_LOCAL_MACHINE\\X]",
                "; \"a\"=\"b\"<U+0000><U+202E>"
            ]
        );
        assert!(lines.iter().all(|l| l.starts_with(';')));
    }

    #[test]
    fn hex_wraps_like_regedit() {
        // `"b"=hex:` is 8 columns; 23 bytes reach column 77 and wrap (Wine's export of the
        // same value has the same 78-character first line).
        let s = hex_data(8, &[0xab; 40]);
        let first = s.split("\r\n").next().unwrap();
        assert_eq!(first.len() + 8, 78);
        assert!(first.ends_with(",\\"));
        for line in s.split("\r\n").skip(1) {
            assert!(line.starts_with("  "));
            assert!(line.len() <= 80);
        }
        assert_eq!(hex_data(8, &[]), "");
        assert_eq!(hex_data(8, &[1, 2]), "01,02");
    }

    #[test]
    fn writes_every_kind() {
        let mut w = RegWriter::new();
        assert_eq!(w.set("x", &RegData::Dword(1)), Err(WriteError::NoKey));
        w.blank();
        w.key(&RegPath::parse("HKLM\\SOFTWARE\\T").unwrap());
        w.set("", &RegData::Sz("d".into())).unwrap();
        w.set("s", &RegData::Sz("a\"b\\".into())).unwrap();
        w.set("nl", &RegData::Sz("a\nb".into())).unwrap();
        w.set("d", &RegData::Dword(42)).unwrap();
        w.set("q", &RegData::Qword(1)).unwrap();
        w.set("e", &RegData::ExpandSz("%x%".into())).unwrap();
        w.set("m", &RegData::MultiSz(vec!["a".into(), "b".into()]))
            .unwrap();
        w.set("b", &RegData::Binary(vec![0, 255])).unwrap();
        w.set(
            "n",
            &RegData::Raw {
                kind: 0,
                bytes: vec![],
            },
        )
        .unwrap();
        w.delete("gone").unwrap();
        assert!(w.set("bad\nname", &RegData::Dword(1)).is_err());
        let text = w.text();
        assert_eq!(
            text,
            "Windows Registry Editor Version 5.00\r\n\r\n\
             [HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\r\n\
             @=\"d\"\r\n\
             \"s\"=\"a\\\"b\\\\\"\r\n\
             \"nl\"=hex(1):61,00,0a,00,62,00,00,00\r\n\
             \"d\"=dword:0000002a\r\n\
             \"q\"=hex(b):01,00,00,00,00,00,00,00\r\n\
             \"e\"=hex(2):25,00,78,00,25,00,00,00\r\n\
             \"m\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n\
             \"b\"=hex:00,ff\r\n\
             \"n\"=hex(0):\r\n\
             \"gone\"=-\r\n\r\n"
        );
        let bytes = w.into_bytes();
        assert_eq!(&bytes[..2], &[0xff, 0xfe]);
    }
}
