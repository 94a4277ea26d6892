//! `.reg` files (regedit's export format): a typed model, a writer and a reader.
//!
//! - [`write::RegWriter`] emits `Windows Registry Editor Version 5.00` files: UTF-16LE with a
//!   BOM, CRLF line ends, full hive names, every value kind, long hex data wrapped as regedit
//!   wraps it. Every piece of text goes through a typed escaping helper.
//! - [`read::parse`] reads any `.reg` file (UTF-16LE version 5, UTF-8 or ANSI `REGEDIT4`),
//!   collects every syntax error with its line and column, and [`check::check`] then runs the
//!   registry rules over its contents, so `fixgen check FILE.reg` reports located findings.
//!
//! [`RegData`] is registry data as the registry stores it: a type and its bytes, with the
//! common types decoded (strings, numbers). Conversions to and from raw bytes are exact: data
//! that does not decode cleanly (an odd byte count, a string without its terminating NUL) stays
//! [`RegData::Raw`], so nothing is lost or silently changed.

pub(crate) mod check;
pub(crate) mod read;
pub(crate) mod write;

/// Registry value type numbers (winnt.h).
pub(crate) mod kind {
    pub(crate) const REG_NONE: u32 = 0;
    pub(crate) const REG_SZ: u32 = 1;
    pub(crate) const REG_EXPAND_SZ: u32 = 2;
    pub(crate) const REG_BINARY: u32 = 3;
    pub(crate) const REG_DWORD: u32 = 4;
    const REG_DWORD_BIG_ENDIAN: u32 = 5;
    const REG_LINK: u32 = 6;
    pub(crate) const REG_MULTI_SZ: u32 = 7;
    pub(crate) const REG_QWORD: u32 = 11;

    /// `REG_SZ`, ..., or `REG_TYPE_0x..` for a number without a name.
    pub(crate) fn name(kind: u32) -> String {
        match kind {
            REG_NONE => "REG_NONE".into(),
            REG_SZ => "REG_SZ".into(),
            REG_EXPAND_SZ => "REG_EXPAND_SZ".into(),
            REG_BINARY => "REG_BINARY".into(),
            REG_DWORD => "REG_DWORD".into(),
            REG_DWORD_BIG_ENDIAN => "REG_DWORD_BIG_ENDIAN".into(),
            REG_LINK => "REG_LINK".into(),
            REG_MULTI_SZ => "REG_MULTI_SZ".into(),
            8 => "REG_RESOURCE_LIST".into(),
            9 => "REG_FULL_RESOURCE_DESCRIPTOR".into(),
            10 => "REG_RESOURCE_REQUIREMENTS_LIST".into(),
            REG_QWORD => "REG_QWORD".into(),
            other => format!("REG_TYPE_0x{other:x}"),
        }
    }
}

/// Registry data: the value's type and contents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RegData {
    /// REG_SZ. May hold any character; the writer switches to `hex(1):` when a string holds CR,
    /// LF or NUL, which a quoted .reg string cannot carry.
    Sz(String),
    /// REG_EXPAND_SZ.
    ExpandSz(String),
    /// REG_MULTI_SZ: the strings without their NUL separators.
    MultiSz(Vec<String>),
    /// REG_DWORD.
    Dword(u32),
    /// REG_QWORD.
    Qword(u64),
    /// REG_BINARY.
    Binary(Vec<u8>),
    /// Any other type (REG_NONE, REG_LINK, ...), or a string/number type whose bytes do not
    /// decode exactly (odd length, no terminating NUL, wrong width).
    Raw { kind: u32, bytes: Vec<u8> },
}

/// UTF-16LE bytes of `s` without a terminator.
pub fn utf16le(s: &str) -> Vec<u8> {
    // Sized up front (a UTF-16 file never has more code units than the text has UTF-8 bytes):
    // the bundle's .reg file runs to tens of megabytes and is never copied while it grows.
    let mut out = Vec::with_capacity(s.len() * 2);
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

/// Decode UTF-16LE bytes exactly: `None` for an odd length or an unpaired surrogate.
pub fn from_utf16le(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

impl RegData {
    /// The type number (REG_SZ = 1, ...).
    pub fn kind(&self) -> u32 {
        match self {
            RegData::Sz(_) => kind::REG_SZ,
            RegData::ExpandSz(_) => kind::REG_EXPAND_SZ,
            RegData::MultiSz(_) => kind::REG_MULTI_SZ,
            RegData::Dword(_) => kind::REG_DWORD,
            RegData::Qword(_) => kind::REG_QWORD,
            RegData::Binary(_) => kind::REG_BINARY,
            RegData::Raw { kind, .. } => *kind,
        }
    }

    /// `REG_SZ`, `REG_DWORD`, ...
    pub fn kind_name(&self) -> String {
        kind::name(self.kind())
    }

    /// The bytes the registry stores: strings UTF-16LE with their terminating NUL, a
    /// multi-string each item NUL-terminated plus a final NUL, numbers little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            RegData::Sz(s) | RegData::ExpandSz(s) => {
                let mut b = utf16le(s);
                b.extend_from_slice(&[0, 0]);
                b
            }
            RegData::MultiSz(items) => {
                let mut b = Vec::new();
                for it in items {
                    b.extend(utf16le(it));
                    b.extend_from_slice(&[0, 0]);
                }
                b.extend_from_slice(&[0, 0]);
                b
            }
            RegData::Dword(v) => v.to_le_bytes().to_vec(),
            RegData::Qword(v) => v.to_le_bytes().to_vec(),
            RegData::Binary(b) => b.clone(),
            RegData::Raw { bytes, .. } => bytes.clone(),
        }
    }

    /// Decode registry bytes of type `kind` exactly; see the type's docs for what stays
    /// [`RegData::Raw`]. `RegData::from_bytes(d.kind(), &d.to_bytes()) == d` for every `d`
    /// except a multi-string whose items contain NUL (the separator), which the registry
    /// cannot tell apart from more items.
    pub fn from_bytes(kind: u32, bytes: &[u8]) -> RegData {
        let raw = || RegData::Raw {
            kind,
            bytes: bytes.to_vec(),
        };
        match kind {
            kind::REG_SZ | kind::REG_EXPAND_SZ => {
                let Some(body) = bytes.strip_suffix(&[0, 0]) else {
                    return raw();
                };
                if !body.len().is_multiple_of(2) {
                    return raw();
                }
                match from_utf16le(body) {
                    Some(s) if kind == kind::REG_SZ => RegData::Sz(s),
                    Some(s) => RegData::ExpandSz(s),
                    None => raw(),
                }
            }
            kind::REG_MULTI_SZ => {
                if !bytes.len().is_multiple_of(2) {
                    return raw();
                }
                let Some(s) = from_utf16le(bytes) else {
                    return raw();
                };
                // Each item ends with NUL, and a final NUL ends the list.
                let Some(list) = s.strip_suffix('\0') else {
                    return raw();
                };
                if list.is_empty() {
                    return RegData::MultiSz(Vec::new());
                }
                let Some(list) = list.strip_suffix('\0') else {
                    return raw();
                };
                RegData::MultiSz(list.split('\0').map(str::to_string).collect())
            }
            kind::REG_DWORD => match <[u8; 4]>::try_from(bytes) {
                Ok(b) => RegData::Dword(u32::from_le_bytes(b)),
                Err(_) => raw(),
            },
            kind::REG_QWORD => match <[u8; 8]>::try_from(bytes) {
                Ok(b) => RegData::Qword(u64::from_le_bytes(b)),
                Err(_) => raw(),
            },
            kind::REG_BINARY => RegData::Binary(bytes.to_vec()),
            _ => raw(),
        }
    }

    /// Decode the bytes of a `REGEDIT4` file's `hex(N):` data, where strings are ANSI
    /// (Windows-1252) with single-byte NULs rather than UTF-16LE.
    pub fn from_ansi_bytes(kind: u32, bytes: &[u8]) -> RegData {
        match kind {
            kind::REG_SZ | kind::REG_EXPAND_SZ | kind::REG_MULTI_SZ => {
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                RegData::from_bytes(kind, &utf16le(&text))
            }
            _ => RegData::from_bytes(kind, bytes),
        }
    }

    /// A short, single-line rendering for messages: `REG_DWORD 2 (0x00000002)`.
    pub fn describe(&self) -> String {
        fn shorten(s: &str) -> String {
            let clean: String = s.escape_debug().collect();
            if clean.chars().count() > 60 {
                let head: String = clean.chars().take(57).collect();
                format!("\"{head}...\"")
            } else {
                format!("\"{clean}\"")
            }
        }
        match self {
            RegData::Sz(s) | RegData::ExpandSz(s) => format!("{} {}", self.kind_name(), shorten(s)),
            RegData::MultiSz(items) => format!(
                "REG_MULTI_SZ [{}]",
                items
                    .iter()
                    .map(|i| shorten(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            RegData::Dword(v) => format!("REG_DWORD {v} (0x{v:08x})"),
            RegData::Qword(v) => format!("REG_QWORD {v} (0x{v:016x})"),
            RegData::Binary(b) | RegData::Raw { bytes: b, .. } => {
                format!("{} {} bytes", self.kind_name(), b.len())
            }
        }
    }
}

/// What a value line does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueAction {
    Set(RegData),
    /// `"name"=-`
    Delete,
}

/// One value line of a parsed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueEntry {
    /// The value name; the empty string is the key's default value (`@`).
    pub name: String,
    pub action: ValueAction,
    /// 1-based line and column of the line's first character.
    pub line: usize,
    pub column: usize,
}

/// One `[key]` or `[-key]` section of a parsed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySection {
    /// The key path as written between the brackets (validated by [`check`]).
    pub path: String,
    /// `[-key]`: delete the key and everything below it.
    pub delete: bool,
    pub line: usize,
    pub column: usize,
    pub values: Vec<ValueEntry>,
}

/// The header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `Windows Registry Editor Version 5.00`
    V5,
    /// `REGEDIT4` (strings in `hex(N):` data are ANSI).
    Regedit4,
}

/// How the file's bytes were encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf16LeBom,
    Utf16LeNoBom,
    Utf8Bom,
    Utf8,
    /// Windows-1252 (not valid UTF-8).
    Ansi,
}

/// A parsed `.reg` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegFile {
    pub format: Format,
    pub encoding: Encoding,
    pub sections: Vec<KeySection>,
}
