//! The `.reg` reader.
//!
//! Reads what regedit reads: a `Windows Registry Editor Version 5.00` file in UTF-16LE (with
//! or without BOM) or UTF-8, or a `REGEDIT4` file in ANSI (Windows-1252) or UTF-8; `[key]` and
//! `[-key]` lines, `"name"=` and `@=` values with `"string"`, `dword:`, `hex:` and `hex(N):`
//! data (continued over lines with `,\`), `=-` deletions, `;` comments (whole lines and after
//! data). The rules follow regedit's own behaviour as Wine's conformance tests (run against
//! Windows) record it: a line regedit would skip is an error here, with its line and column,
//! and reading goes on so every error in the file is reported.

use super::{Encoding, Format, KeySection, RegData, RegFile, ValueAction, ValueEntry};
use crate::diag::Severity;

mod decode;
use decode::{decode, split_lines};

/// A problem found while reading. Positions are 1-based; columns count characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFinding {
    pub severity: Severity,
    /// `reg-syntax` (regedit would skip the line), `reg-encoding`, or `reg-portability` (read
    /// differently by Wine and Windows, or a form Windows may not accept).
    pub code: &'static str,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// The file as far as it could be read, and every finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub file: RegFile,
    pub findings: Vec<ReadFinding>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// A cursor over one physical line, tracking the character column.
struct Cursor<'a> {
    chars: Vec<char>,
    pos: usize,
    /// Column of chars[0] (1-based).
    base: usize,
    _line: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(line: &'a str, base: usize) -> Self {
        Cursor {
            chars: line.chars().collect(),
            pos: 0,
            base,
            _line: line,
        }
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }
    fn col(&self) -> usize {
        self.base + self.pos
    }
    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }
    fn rest(&self) -> String {
        self.chars[self.pos..].iter().collect()
    }
    fn eat_prefix_ci(&mut self, p: &str) -> bool {
        let n = p.chars().count();
        if self.chars.len() < self.pos + n {
            return false;
        }
        let s: String = self.chars[self.pos..self.pos + n].iter().collect();
        if s.eq_ignore_ascii_case(p) {
            self.pos += n;
            true
        } else {
            false
        }
    }
    /// Only blanks, optionally followed by a `;` comment, remain.
    fn at_end_or_comment(&mut self) -> bool {
        self.skip_blanks();
        matches!(self.peek(), None | Some(';'))
    }
}

struct Reader<'a> {
    lines: Vec<&'a str>,
    idx: usize,
    format: Format,
    findings: Vec<ReadFinding>,
    sections: Vec<KeySection>,
}

impl<'a> Reader<'a> {
    fn error(&mut self, line: usize, column: usize, message: impl Into<String>) {
        self.findings.push(ReadFinding {
            severity: Severity::Error,
            code: "reg-syntax",
            line,
            column,
            message: message.into(),
            hint: None,
        });
    }

    fn error_hint(
        &mut self,
        line: usize,
        column: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.findings.push(ReadFinding {
            severity: Severity::Error,
            code: "reg-syntax",
            line,
            column,
            message: message.into(),
            hint: Some(hint.into()),
        });
    }

    fn warning(&mut self, line: usize, column: usize, message: impl Into<String>, hint: &str) {
        self.findings.push(ReadFinding {
            severity: Severity::Warning,
            code: "reg-portability",
            line,
            column,
            message: message.into(),
            hint: Some(hint.to_string()),
        });
    }

    fn run(&mut self) {
        while self.idx < self.lines.len() {
            let lineno = self.idx + 1;
            let raw = self.lines[self.idx];
            self.idx += 1;
            let trimmed = raw.trim_start_matches([' ', '\t']);
            let col = raw.chars().count() - trimmed.chars().count() + 1;
            if trimmed.trim_end().is_empty() || trimmed.starts_with(';') {
                continue;
            }
            if trimmed.starts_with('[') {
                self.key_line(lineno, col, trimmed);
            } else if trimmed.starts_with('"') || trimmed.starts_with('@') {
                self.value_line(lineno, col, trimmed);
            } else if trimmed.starts_with('#') {
                self.error_hint(
                    lineno,
                    col,
                    "`#` does not start a comment in a .reg file",
                    "start comment lines with `;`",
                );
            } else {
                self.error(
                    lineno,
                    col,
                    "expected a `[key]` line, a `\"name\"=data` or `@=data` line, or a `;` comment",
                );
            }
        }
    }

    fn key_line(&mut self, line: usize, col: usize, text: &str) {
        let body = text.trim_end_matches([' ', '\t']);
        let Some(inner) = body.strip_prefix('[').and_then(|b| b.strip_suffix(']')) else {
            self.error(line, col, "a key line must end with `]`");
            return;
        };
        let (delete, path) = match inner.strip_prefix('-') {
            Some(p) => (true, p),
            None => (false, inner),
        };
        let path_col = col + 1 + usize::from(delete);
        if path.starts_with([' ', '\t']) {
            self.error(
                line,
                path_col,
                "whitespace before the key path: regedit skips this key",
            );
            return;
        }
        if path.is_empty() {
            self.error(line, path_col, "the key path is empty");
            return;
        }
        self.sections.push(KeySection {
            path: path.to_string(),
            delete,
            line,
            column: path_col,
            values: Vec::new(),
        });
    }

    /// Parse a quoted string at the cursor (which is on the opening quote).
    fn quoted(&mut self, cur: &mut Cursor, line: usize) -> Option<String> {
        let start = cur.col();
        cur.bump();
        let mut out = String::new();
        loop {
            match cur.bump() {
                None => {
                    self.error(line, start, "the string has no closing `\"`");
                    return None;
                }
                Some('"') => return Some(out),
                Some('\\') => {
                    let at = cur.col() - 1;
                    match cur.bump() {
                        Some('\\') => out.push('\\'),
                        Some('"') => out.push('"'),
                        Some('n') => {
                            self.warning(
                                line,
                                at,
                                "`\\n` in a quoted string is Wine's escape for a line feed",
                                "Windows regedit does not document it; write REG_SZ data with line breaks as hex(1):",
                            );
                            out.push('\n');
                        }
                        Some('r') => {
                            self.warning(
                                line,
                                at,
                                "`\\r` in a quoted string is Wine's escape for a carriage return",
                                "Windows regedit does not document it; write REG_SZ data with line breaks as hex(1):",
                            );
                            out.push('\r');
                        }
                        Some('0') => {
                            self.warning(
                                line,
                                at,
                                "`\\0` in a quoted string is Wine's escape for NUL",
                                "write data holding NUL as hex(1):",
                            );
                            out.push('\0');
                        }
                        Some(c) => {
                            self.warning(
                                line,
                                at,
                                format!("unknown escape `\\{c}`; it is kept as written"),
                                "write a backslash as `\\\\`",
                            );
                            out.push('\\');
                            out.push(c);
                        }
                        None => {
                            self.error(line, start, "the string has no closing `\"`");
                            return None;
                        }
                    }
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn value_line(&mut self, line: usize, col: usize, text: &str) {
        let mut cur = Cursor::new(text, col);
        let name_col = cur.col();
        let name = if cur.peek() == Some('@') {
            cur.bump();
            String::new()
        } else {
            match self.quoted(&mut cur, line) {
                Some(n) => n,
                None => return,
            }
        };
        cur.skip_blanks();
        if cur.peek() != Some('=') {
            self.error(line, cur.col(), "expected `=` after the value name");
            return;
        }
        cur.bump();
        cur.skip_blanks();
        let data_col = cur.col();
        let action = match cur.peek() {
            Some('-') => {
                cur.bump();
                if !cur.at_end_or_comment() {
                    self.error(
                        line,
                        cur.col(),
                        "unexpected text after `-` (a deletion takes nothing else)",
                    );
                    return;
                }
                ValueAction::Delete
            }
            Some('"') => {
                let Some(s) = self.quoted(&mut cur, line) else {
                    return;
                };
                if !cur.at_end_or_comment() {
                    self.error_hint(
                        line,
                        cur.col(),
                        "unexpected text after the closing `\"` of the string",
                        "escape a `\"` inside a string as `\\\"`; comments start with `;`",
                    );
                    return;
                }
                ValueAction::Set(RegData::Sz(s))
            }
            _ if cur.eat_prefix_ci("dword:") => {
                let Some(action) = self.dword_data(&mut cur, line) else {
                    return;
                };
                action
            }
            _ if cur.eat_prefix_ci("hex") => {
                let Some(kind) = self.hex_kind(&mut cur, line) else {
                    return;
                };
                let Some(bytes) = self.hex_bytes(cur, line) else {
                    return;
                };
                let data = match self.format {
                    Format::Regedit4 => RegData::from_ansi_bytes(kind, &bytes),
                    Format::V5 => RegData::from_bytes(kind, &bytes),
                };
                ValueAction::Set(data)
            }
            _ if cur.eat_prefix_ci("str(") => {
                self.error_hint(
                    line,
                    data_col,
                    "`str(N):` data is a Wine extension that Windows regedit does not read",
                    "write the data as hex(N):",
                );
                return;
            }
            _ => {
                self.error_hint(
                    line,
                    data_col,
                    "unknown data: expected `\"string\"`, `dword:`, `hex:`, `hex(N):` or `-`",
                    "quote string data",
                );
                return;
            }
        };
        let Some(section) = self.sections.last_mut() else {
            self.error(line, name_col, "a value before any `[key]` line");
            return;
        };
        if section.delete {
            let key_line = section.line;
            self.error(
                line,
                name_col,
                format!(
                    "a value under the key deletion `[-...]` on line {key_line}: regedit ignores it"
                ),
            );
            return;
        }
        section.values.push(ValueEntry {
            name,
            action,
            line,
            column: name_col,
        });
    }

    /// After `dword:`: 1 to 8 hex digits.
    fn dword_data(&mut self, cur: &mut Cursor, line: usize) -> Option<ValueAction> {
        let start = cur.col();
        let mut digits = String::new();
        while let Some(c) = cur.peek().filter(char::is_ascii_hexdigit) {
            digits.push(c);
            cur.bump();
        }
        if digits.is_empty() || digits.len() > 8 || !cur.at_end_or_comment() {
            self.error_hint(
                line,
                start,
                "dword data must be 1 to 8 hex digits",
                "write e.g. dword:0000002a for 42",
            );
            return None;
        }
        match u32::from_str_radix(&digits, 16) {
            Ok(v) => Some(ValueAction::Set(RegData::Dword(v))),
            Err(_) => {
                self.error(line, start, "dword data is not a hex number");
                None
            }
        }
    }

    /// After `hex`: `:` (REG_BINARY) or `(N):` with N 1 to 8 hex digits.
    fn hex_kind(&mut self, cur: &mut Cursor, line: usize) -> Option<u32> {
        match cur.bump() {
            Some(':') => Some(super::kind::REG_BINARY),
            Some('(') => {
                let start = cur.col();
                let mut digits = String::new();
                while let Some(c) = cur.peek().filter(char::is_ascii_hexdigit) {
                    digits.push(c);
                    cur.bump();
                }
                if digits.is_empty() || digits.len() > 8 || cur.bump() != Some(')') {
                    self.error(
                        line,
                        start,
                        "the type in hex(N): must be 1 to 8 hex digits (no 0x)",
                    );
                    return None;
                }
                if cur.bump() != Some(':') {
                    self.error(line, cur.col(), "expected `:` after hex(N)");
                    return None;
                }
                u32::from_str_radix(&digits, 16).ok()
            }
            _ => {
                self.error(line, cur.col(), "expected `:` or `(N):` after hex");
                None
            }
        }
    }

    /// Comma-separated bytes, continued on the next line after `,\`.
    fn hex_bytes(&mut self, first: Cursor, line: usize) -> Option<Vec<u8>> {
        let mut bytes = Vec::new();
        let mut cur = first;
        let mut lineno = line;
        loop {
            // One physical line of data; at the top of this loop a byte is expected.
            let mut continued = false;
            loop {
                cur.skip_blanks();
                let at = cur.col();
                match cur.peek() {
                    None | Some(';') => {
                        // Nothing at all after `hex:` is empty data; a trailing comma ends it.
                        if !bytes.is_empty() {
                            self.warning(
                                lineno,
                                at,
                                "the data ends with a comma",
                                "to continue on the next line end the line with `,\\`",
                            );
                        }
                        break;
                    }
                    Some('\\') => {
                        cur.bump();
                        if !cur.at_end_or_comment() {
                            self.error(
                                lineno,
                                cur.col(),
                                "unexpected text after the line continuation `\\`",
                            );
                            return None;
                        }
                        continued = true;
                        break;
                    }
                    Some(c) if c.is_ascii_hexdigit() => {
                        let mut digits = String::new();
                        while let Some(d) = cur.peek().filter(char::is_ascii_hexdigit) {
                            digits.push(d);
                            cur.bump();
                        }
                        if digits.len() > 2 {
                            self.error(
                                lineno,
                                at,
                                format!("`{digits}` is not a byte: use one or two hex digits"),
                            );
                            return None;
                        }
                        bytes.push(u8::from_str_radix(&digits, 16).unwrap_or(0));
                        cur.skip_blanks();
                        match cur.peek() {
                            Some(',') => {
                                cur.bump();
                            }
                            None | Some(';') => break,
                            Some('\\') => {
                                self.error_hint(
                                    lineno,
                                    cur.col(),
                                    "a line continuation `\\` must follow a comma",
                                    "end the line with `,\\`",
                                );
                                return None;
                            }
                            Some(_) => {
                                self.error(lineno, cur.col(), "expected `,` between hex bytes");
                                return None;
                            }
                        }
                    }
                    Some(',') => {
                        self.error(lineno, at, "an empty byte between commas");
                        return None;
                    }
                    Some(_) => {
                        self.error(
                            lineno,
                            at,
                            format!("expected a hex byte, found `{}`", cur.rest()),
                        );
                        return None;
                    }
                }
            }
            if !continued {
                return Some(bytes);
            }
            // Find the continuation line: blank and `;` comment lines are skipped.
            let (next_no, next) = self.continuation(lineno)?;
            lineno = next_no;
            cur = next;
        }
    }

    /// The line that continues hex data after `,\` on line `lineno` (blank and `;` comment
    /// lines are skipped): its number and a cursor at its data.
    fn continuation(&mut self, lineno: usize) -> Option<(usize, Cursor<'a>)> {
        loop {
            if self.idx >= self.lines.len() {
                self.error(lineno, 1, "the file ends after a line continuation `\\`");
                return None;
            }
            let raw = self.lines[self.idx];
            let trimmed = raw.trim_start_matches([' ', '\t']);
            let col = raw.chars().count() - trimmed.chars().count() + 1;
            let next_no = self.idx + 1;
            if trimmed.trim_end().is_empty() || trimmed.starts_with(';') {
                self.idx += 1;
                continue;
            }
            if !trimmed.starts_with(|c: char| c.is_ascii_hexdigit()) {
                self.error_hint(
                    lineno,
                    1,
                    format!(
                        "the line continuation `\\` is not followed by hex data (line {next_no} is not data)"
                    ),
                    "regedit drops this value and the next line; remove the trailing `\\`",
                );
                self.idx += 1;
                return None;
            }
            self.idx += 1;
            return Some((next_no, Cursor::new(trimmed, col)));
        }
    }
}

/// The file's text as the reader sees it (for showing source lines next to findings).
pub fn text(bytes: &[u8]) -> String {
    decode(bytes, &mut Vec::new()).0
}

/// Read a `.reg` file from its bytes.
pub fn parse(bytes: &[u8]) -> Parsed {
    let mut findings = Vec::new();
    let (text, encoding) = decode(bytes, &mut findings);
    let lines = split_lines(&text);
    let header = lines.first().map(|l| l.trim_end()).unwrap_or("");
    let (format, start) = if header == super::write::HEADER_V5 {
        (Format::V5, 1)
    } else if header == super::write::HEADER_REGEDIT4 {
        (Format::Regedit4, 1)
    } else {
        findings.push(ReadFinding {
            severity: Severity::Error,
            code: "reg-syntax",
            line: 1,
            column: 1,
            message: format!(
                "the first line must be `{}` or `{}`, found {:?}",
                super::write::HEADER_V5,
                super::write::HEADER_REGEDIT4,
                header.chars().take(60).collect::<String>()
            ),
            hint: Some("regedit refuses a file without this header".into()),
        });
        // Read on from line 1 when it already looks like content, else from line 2.
        let t = header.trim_start();
        let content = t.starts_with('[') || t.starts_with('"') || t.starts_with('@');
        (Format::V5, usize::from(!content))
    };
    if format == Format::V5 && encoding == Encoding::Ansi {
        findings.push(ReadFinding {
            severity: Severity::Warning,
            code: "reg-encoding",
            line: 1,
            column: 1,
            message: "a version 5 file in ANSI: regedit reads version 5 files as UTF-16".into(),
            hint: Some("save the file as UTF-16LE with a BOM".into()),
        });
    }
    let mut r = Reader {
        lines,
        idx: start,
        format,
        findings,
        sections: Vec::new(),
    };
    r.run();
    let mut findings = r.findings;
    findings.sort_by_key(|f| (f.line, f.column));
    Parsed {
        file: RegFile {
            format,
            encoding,
            sections: r.sections,
        },
        findings,
    }
}

#[cfg(test)]
mod tests;
