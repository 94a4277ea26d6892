//! Findings: severity, location (file:line:column), field path, message and hint, and their two
//! renderings: rustc-like text for terminals (codespan-reporting) and a stable JSON format.
//!
//! JSON format (`--format json`, version 1), one object on stdout:
//! ```json
//! { "version": 1,
//!   "summary": { "errors": 1, "warnings": 0, "infos": 0 },
//!   "diagnostics": [
//!     { "severity": "error", "code": "port-range", "file": "recipes/x.yaml", "line": 12,
//!       "column": 22, "field": "steps[0].firewall.remote_ports[1]",
//!       "message": "...", "hint": "..." } ] }
//! ```
//! `line` and `column` are 1-based (column in characters); 0 means "the whole file". `hint` is
//! left out when there is none. Diagnostics are sorted by file, line, column, severity, code and
//! message, so the same input always gives the same bytes.

use serde::Serialize;

/// One recipe's source as it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    /// Path as shown to the user (`recipes/l2tp/nat-traversal.yaml`, or `<embedded>/...`).
    pub path: String,
    pub text: String,
}

impl SourceFile {
    /// Lower-case hex SHA-256 of the source bytes.
    pub fn sha256_hex(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable kebab-case identifier of the rule, e.g. `registry-path`, `yaml-syntax`.
    pub code: String,
    /// Path as shown to the user.
    pub file: String,
    /// 1-based; 0 when the finding is about the whole file.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Field path such as `steps[2].firewall.remote_ports[1]`; empty for the whole document.
    pub field: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A finding about the whole file (line and column 0); locate it with [`Diagnostic::at`].
    pub fn new(
        severity: Severity,
        code: impl Into<String>,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code: code.into(),
            file: file.into(),
            line: 0,
            column: 0,
            field: String::new(),
            message: message.into(),
            hint: None,
        }
    }

    pub fn error(code: impl Into<String>, file: impl Into<String>, msg: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, file, msg)
    }

    pub fn warning(
        code: impl Into<String>,
        file: impl Into<String>,
        msg: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, code, file, msg)
    }

    pub fn info(code: impl Into<String>, file: impl Into<String>, msg: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, file, msg)
    }

    /// Set the 1-based line and column.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column`, or just `file` for a whole-file finding.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// Sort deterministically and drop exact duplicates.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (
            &a.file, a.line, a.column, a.severity, &a.code, &a.message, &a.field,
        )
            .cmp(&(
                &b.file, b.line, b.column, b.severity, &b.code, &b.message, &b.field,
            ))
    });
    diags.dedup();
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(diags: &[Diagnostic]) -> Summary {
        let mut s = Summary::default();
        for d in diags {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    summary: Summary,
    diagnostics: &'a [Diagnostic],
}

/// The stable machine format (see the module docs), pretty-printed, ending in a newline.
pub fn render_json(diags: &[Diagnostic]) -> String {
    let report = JsonReport {
        version: 1,
        summary: Summary::of(diags),
        diagnostics: diags,
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}

/// Byte offset of a 1-based line and character column in `text`, clamped to the text.
pub fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut start = 0usize;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..];
    let line_end = line_text.find('\n').unwrap_or(line_text.len());
    let line_text = &line_text[..line_end];
    let off = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(line_text.len());
    start + off
}

/// 1-based (line, column in characters) of a byte offset (clamped to a char boundary).
pub fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&text[line_start..offset])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// Length in bytes of the token starting at `off`: a quoted string, or text up to the end of
/// the line, a flow separator (`,` `]` `}`), a comment or a key's `: `. At least one char.
fn token_len(text: &str, off: usize) -> usize {
    let rest = &text[off..];
    let line = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
    let Some(first) = line.chars().next() else {
        return 0;
    };
    if first == '"' || first == '\'' {
        // Up to the closing quote (a doubled '' or an escaped \" does not close).
        let mut prev = '\0';
        for (i, c) in line.char_indices().skip(1) {
            if c == first && !(first == '"' && prev == '\\') {
                return i + c.len_utf8();
            }
            prev = c;
        }
        return line.len();
    }
    let mut end = line.len();
    let mut it = line.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let next = it.peek().map(|(_, n)| *n);
        let stop = i > 0
            && (matches!(c, ',' | ']' | '}')
                || (c == '#' && line[..i].ends_with(' '))
                || (c == ':' && matches!(next, None | Some(' '))));
        if stop {
            end = i;
            break;
        }
    }
    line[..end].trim_end().len().max(first.len_utf8())
}

/// rustc-like rendering: a header, the source line and a caret under the location, the field
/// path and the hint. `color` adds ANSI colours (callers pass false when stdout is not a
/// terminal or `NO_COLOR` is set). Sources are looked up by path; a finding whose file is not
/// among them is shown without a snippet.
pub fn render_human(diags: &[Diagnostic], sources: &[SourceFile], color: bool) -> String {
    use codespan_reporting::diagnostic::{Diagnostic as CsDiag, Label};
    use codespan_reporting::files::SimpleFiles;
    use codespan_reporting::term::{self, termcolor::Buffer, Config};

    // Everything shown is escaped for the terminal (`crate::term`): the source lines (offsets
    // mapped to the escaped text), file names, messages, fields and hints. Only the colour
    // sequences codespan adds itself stay raw.
    let esc = |s: &str| crate::term::escape(s).into_owned();
    let shown: Vec<ShownSource> = sources.iter().map(|s| ShownSource::of(&s.text)).collect();
    let mut files = ShownFiles {
        files: SimpleFiles::new(),
        shown: &shown,
        originals: sources,
    };
    let ids: Vec<(String, usize)> = sources
        .iter()
        .zip(&shown)
        .map(|(s, sh)| {
            (
                s.path.clone(),
                files.files.add(esc(&s.path), sh.text.clone()),
            )
        })
        .collect();
    let config = Config::default();
    let mut out = String::new();
    for d in diags {
        let sev = match d.severity {
            Severity::Error => codespan_reporting::diagnostic::Severity::Error,
            Severity::Warning => codespan_reporting::diagnostic::Severity::Warning,
            Severity::Info => codespan_reporting::diagnostic::Severity::Note,
        };
        let mut cs = CsDiag::new(sev)
            .with_code(esc(&d.code))
            .with_message(esc(&d.message));
        let mut notes = Vec::new();
        let src = ids.iter().find(|(p, _)| *p == d.file);
        // Findings about secrets are shown without the source line, which holds the secret.
        let secret = d.code.starts_with("secret-");
        match src {
            Some((_, id)) if d.line > 0 && !secret => {
                let text = &sources[*id].text;
                let off = byte_offset(text, d.line, d.column);
                let len = token_len(text, off);
                let sh = &shown[*id];
                let label = Label::primary(*id, sh.map(off)..sh.map(off + len));
                let label = if d.field.is_empty() {
                    label
                } else {
                    label.with_message(format!("in `{}`", esc(&d.field)))
                };
                cs = cs.with_label(label);
            }
            _ => {
                notes.push(format!("in {}", esc(&d.location())));
                if !d.field.is_empty() {
                    notes.push(format!("field: {}", esc(&d.field)));
                }
            }
        }
        if let Some(h) = &d.hint {
            notes.push(format!("hint: {}", esc(h)));
        }
        cs = cs.with_notes(notes);
        let rendered = if color {
            let mut buf = Buffer::ansi();
            match term::emit_to_write_style(&mut buf, &config, &files, &cs) {
                Ok(()) => String::from_utf8_lossy(buf.as_slice()).into_owned(),
                Err(_) => plain_line(d),
            }
        } else {
            let plain =
                term::emit_into_string(&config, &files, &cs).unwrap_or_else(|_| plain_line(d));
            crate::term::escape_text(&plain).into_owned()
        };
        out.push_str(&rendered);
    }
    let s = Summary::of(diags);
    if s.errors + s.warnings + s.infos > 0 {
        out.push_str(&format!(
            "{} error(s), {} warning(s), {} info(s)\n",
            s.errors, s.warnings, s.infos
        ));
    }
    out
}

/// A source file as shown: control characters escaped (a CR before a LF and tabs are kept, as
/// codespan handles them), with the byte offsets of the original mapped to the shown text.
struct ShownSource {
    text: String,
    /// Per escaped character: (original offset, original length, bytes added by escaping it and
    /// every escaped character before it).
    grown: Vec<(usize, usize, usize)>,
}

impl ShownSource {
    fn of(text: &str) -> ShownSource {
        let mut out = String::with_capacity(text.len());
        let mut grown = Vec::new();
        let mut added = 0;
        let mut it = text.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            let keep =
                c == '\n' || c == '\t' || (c == '\r' && matches!(it.peek(), Some((_, '\n'))));
            if crate::term::needs_escape(c) && !keep {
                let e = crate::term::escape(c.encode_utf8(&mut [0; 4])).into_owned();
                added += e.len() - c.len_utf8();
                grown.push((i, c.len_utf8(), added));
                out.push_str(&e);
            } else {
                out.push(c);
            }
        }
        ShownSource { text: out, grown }
    }

    /// Offset in the shown text of the original byte offset `off`.
    fn map(&self, off: usize) -> usize {
        let before = self.grown.partition_point(|(i, _, _)| *i < off);
        off + before.checked_sub(1).map_or(0, |k| self.grown[k].2)
    }

    /// Original byte offset of the shown offset `s` (the start of an escape maps to its char).
    fn unmap(&self, s: usize) -> usize {
        let after = self
            .grown
            .partition_point(|(i, len, added)| i + len + added <= s);
        s - after.checked_sub(1).map_or(0, |k| self.grown[k].2)
    }
}

/// Codespan's view of the sources: shown (escaped) text, but line and column numbers of the
/// original, so the header says the same `file:line:column` as the JSON format.
struct ShownFiles<'a> {
    files: codespan_reporting::files::SimpleFiles<String, String>,
    shown: &'a [ShownSource],
    originals: &'a [SourceFile],
}

impl<'a> codespan_reporting::files::Files<'a> for ShownFiles<'_> {
    type FileId = usize;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<String, codespan_reporting::files::Error> {
        self.files.name(id)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, codespan_reporting::files::Error> {
        self.files.source(id)
    }

    fn line_index(
        &'a self,
        id: usize,
        byte: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        self.files.line_index(id, byte)
    }

    fn line_range(
        &'a self,
        id: usize,
        line: usize,
    ) -> Result<std::ops::Range<usize>, codespan_reporting::files::Error> {
        self.files.line_range(id, line)
    }

    fn column_number(
        &'a self,
        id: usize,
        line: usize,
        byte: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let start = self.files.line_range(id, line)?.start;
        let (sh, text) = (&self.shown[id], &self.originals[id].text);
        let (a, b) = (sh.unmap(start), sh.unmap(byte));
        Ok(text.get(a..b).map_or(0, |t| t.chars().count()) + 1)
    }
}

fn plain_line(d: &Diagnostic) -> String {
    let mut s = format!(
        "{}[{}]: {}: {}",
        d.severity.as_str(),
        d.code,
        d.location(),
        d.message
    );
    if !d.field.is_empty() {
        s.push_str(&format!(" (field `{}`)", d.field));
    }
    s.push('\n');
    if let Some(h) = &d.hint {
        s.push_str(&format!("  hint: {h}\n"));
    }
    crate::term::escape_text(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip() {
        let t = "ab\ncdé f\n";
        assert_eq!(byte_offset(t, 2, 4), 7); // 'é' takes two bytes
        assert_eq!(line_col(t.as_bytes(), 7), (2, 4));
        assert_eq!(line_col(t.as_bytes(), 0), (1, 1));
    }

    #[test]
    fn control_characters_are_escaped_and_the_caret_stays_under_the_token() {
        let text = "id: x\ntitle: \"a\u{1b}[31m\u{202e}b\" # \u{7}\r\n";
        let d = Diagnostic::error("c\u{1b}", "f\u{9b}.yaml", "bad \u{1b}[2J")
            .at(2, 11)
            .with_field("title")
            .with_hint("h\u{7}");
        let out = render_human(
            std::slice::from_ref(&d),
            &[SourceFile {
                path: "f\u{9b}.yaml".into(),
                text: text.into(),
            }],
            false,
        );
        assert!(
            !out.chars()
                .any(|c| c != '\n' && crate::term::needs_escape(c)),
            "{out}"
        );
        assert!(out.contains("\\u{1b}[31m\\u{202e}b"), "{out}");
        assert!(
            out.contains("f\\u{9b}.yaml:2:11"),
            "original line and column: {out}"
        );
        // The caret is under `[31m...`, the token at column 11 (after the escaped ESC).
        let src = out.lines().find(|l| l.contains("title:")).unwrap();
        let caret = out.lines().find(|l| l.contains('^')).unwrap();
        let col = |l: &str, pat: &str| l[..l.find(pat).unwrap()].chars().count();
        assert_eq!(col(caret, "^"), col(src, "\\u{1b}") + 6, "{out}");
        let colored = render_human(std::slice::from_ref(&d), &[], true);
        assert!(
            !colored.contains("\u{9b}") && !colored.contains("\u{1b}[2J"),
            "{colored}"
        );
    }

    #[test]
    fn every_location_in_text_full_of_controls_renders_escaped() {
        let pieces = [
            "a",
            "\u{1b}[31m",
            "\r\n",
            "\n",
            "\r",
            "\t",
            "\u{7}",
            "\u{9b}",
            "\u{202e}",
            "é",
            "\"q\"",
            " # c",
            "\u{0}",
            "😀",
        ];
        for seed in 0..60usize {
            let text: String = (0..12)
                .map(|i| pieces[(seed * 7 + i * (seed % 5 + 1)) % pieces.len()])
                .collect();
            let lines = text.split('\n').count();
            for line in 0..=lines + 1 {
                for column in 0..8 {
                    let d = Diagnostic::error("c", "f.yaml", "m").at(line, column);
                    for color in [false, true] {
                        let out = render_human(
                            std::slice::from_ref(&d),
                            &[SourceFile {
                                path: "f.yaml".into(),
                                text: text.clone(),
                            }],
                            color,
                        );
                        let raw = out.chars().any(|c| {
                            c != '\n' && c != '\t' && c != '\u{1b}' && crate::term::needs_escape(c)
                        });
                        assert!(!raw, "{text:?} {line}:{column}: {out}");
                        if !color {
                            assert!(!out.contains('\u{1b}'), "{text:?}: {out}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn token_lengths() {
        assert_eq!(token_len("nmae: x\n", 0), 4);
        assert_eq!(token_len("4294967296 }\n", 0), 10);
        assert_eq!(token_len("\"80-20\", 500]", 0), 7);
        assert_eq!(token_len("HKLM\\A\\B # c", 0), 8);
        assert_eq!(token_len("\n", 0), 0);
        assert_eq!(token_len("{}", 0), 1);
    }
}
