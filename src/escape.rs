//! Typed escaping helpers: the only way recipe text reaches generated PowerShell.
//!
//! Templates never see a raw `String` from a recipe. They see:
//! - [`PsLit`]: a PowerShell expression that evaluates to the original text. Printable ASCII goes
//!   into single-quoted literals (where only the quote characters are special, and all five of
//!   them are doubled); every other character (non-ASCII, newlines, tabs, other controls) becomes
//!   a `[char]0xNNNN` piece per UTF-16 code unit, joined with `+` inside parentheses:
//!   `('caf' + [char]0x00E9)`. The result is pure ASCII and cannot end the literal early.
//! - [`PsComment`]: text for comment-based help, pure ASCII, that cannot close the comment
//!   (`#>`), open a nested one (`<#`) or start a help keyword line (`.EXAMPLE`).
//! - [`PsName`]: an identifier checked against a strict pattern (parameter and function names).
//!
//! Only the constructors in this module can build these types, so a template field typed
//! `PsLit` is escaped by construction.

use std::fmt;

/// The single-quote characters PowerShell treats as quotes inside a single-quoted string:
/// `'`, U+2018, U+2019, U+201A and U+201B. Inside a literal each is written twice.
const PS_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// A PowerShell expression (pure ASCII) that evaluates to a given string, or an array of them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PsLit(String);

impl PsLit {
    /// An expression evaluating to exactly `text`.
    pub fn string(text: &str) -> PsLit {
        PsLit(string_expr(text))
    }

    /// `@('a', 'b')`: an array of strings (also for zero or one element).
    pub fn string_array<S: AsRef<str>>(items: &[S]) -> PsLit {
        let parts: Vec<String> = items.iter().map(|s| string_expr(s.as_ref())).collect();
        PsLit(format!("@({})", parts.join(", ")))
    }

    /// A decimal integer literal.
    pub fn int(n: i64) -> PsLit {
        PsLit(n.to_string())
    }

    /// `$true` / `$false`.
    pub fn bool(b: bool) -> PsLit {
        PsLit(if b { "$true" } else { "$false" }.to_string())
    }

    /// `$null`.
    pub fn null() -> PsLit {
        PsLit("$null".to_string())
    }

    /// An unsigned decimal literal (REG_DWORD/REG_QWORD data; the script converts it to the
    /// registry's signed bit pattern).
    pub fn uint(v: u64) -> PsLit {
        PsLit(v.to_string())
    }

    /// A single constant literal for a data file (.psd1), where `+` and `[char]` casts are not
    /// allowed (Import-PowerShellDataFile accepts constants only). Lossy by design and only for
    /// descriptive text: a character outside printable ASCII is written as `U+NNNN`.
    pub fn data_text(text: &str) -> PsLit {
        let mut s = String::new();
        for c in text.chars() {
            if is_plain(c) {
                s.push(c);
            } else if c == '\n' || c == '\r' || c == '\t' {
                s.push(' ');
            } else {
                s.push_str(&format!("U+{:04X}", c as u32));
            }
        }
        PsLit(format!("'{}'", single_quoted_body(&s)))
    }

    /// A REG_BINARY value: `([byte[]]@(0x01, 0xFF))`.
    pub fn bytes(b: &[u8]) -> PsLit {
        let parts: Vec<String> = b.iter().map(|x| format!("0x{x:02X}")).collect();
        PsLit(format!("([byte[]]@({}))", parts.join(", ")))
    }

    /// A SecureString made from a value baked in at build time (only with
    /// `--allow-embedded-secrets`; the file then holds the secret).
    pub fn secure_string_from_plain(text: &str) -> PsLit {
        PsLit(format!(
            "(ConvertTo-SecureString -String {} -AsPlainText -Force)",
            string_expr(text)
        ))
    }

    /// A reference to a script or function parameter: `$Name`.
    pub fn variable(name: &PsName) -> PsLit {
        PsLit(format!("${}", name.0))
    }

    /// The generated expression text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PsLit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Body of a single-quoted literal: every PowerShell single-quote character doubled.
/// The caller wraps it in `'...'`. Used for printable ASCII runs (so only `'` occurs), but
/// correct for any text.
pub(crate) fn single_quoted_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        out.push(c);
        if PS_SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn is_plain(c: char) -> bool {
    (' '..='~').contains(&c)
}

/// The expression for one string: `'...'` when all printable ASCII, else a parenthesised
/// concatenation that starts with a string literal (so `+` concatenates instead of adding
/// character codes).
fn string_expr(text: &str) -> String {
    if text.chars().all(is_plain) {
        return format!("'{}'", single_quoted_body(text));
    }
    let mut pieces: Vec<String> = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if is_plain(c) {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            pieces.push(format!("'{}'", single_quoted_body(&run)));
            run.clear();
        }
        let mut buf = [0u16; 2];
        for unit in c.encode_utf16(&mut buf) {
            pieces.push(format!("[char]0x{unit:04X}"));
        }
    }
    if !run.is_empty() {
        pieces.push(format!("'{}'", single_quoted_body(&run)));
    }
    group(pieces)
}

/// Most `+` operands in one parenthesised group. Long values are built as a shallow tree of
/// groups, so no parser or compiler has to recurse through thousands of nested `+` operations.
const GROUP: usize = 32;

/// `(p1 + p2 + ...)`, starting with a string literal so `+` concatenates; more than
/// [`GROUP`] pieces become groups of groups.
fn group(mut pieces: Vec<String>) -> String {
    if pieces.len() <= GROUP {
        if !pieces
            .first()
            .is_some_and(|p| p.starts_with('\'') || p.starts_with('('))
        {
            pieces.insert(0, "''".to_string());
        }
        return format!("({})", pieces.join(" + "));
    }
    let groups: Vec<String> = pieces.chunks(GROUP).map(|c| group(c.to_vec())).collect();
    group(groups)
}

/// Text for comment-based help: pure ASCII, one entry per line, safe inside `<# ... #>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsComment(Vec<String>);

impl PsComment {
    /// Escape free text for a help section. Non-ASCII characters become `U+NNNN` (help text is
    /// documentation; the exact value is in the code as a [`PsLit`]); `#>` and `<#` get a space
    /// between their characters; a line starting with `.` gets a second `.` so it can never be
    /// read as a help keyword; control characters become spaces; long lines are wrapped at
    /// `width` columns on spaces.
    pub fn text(text: &str, width: usize) -> PsComment {
        let mut lines = Vec::new();
        for raw_line in text.split('\n') {
            let mut s = String::new();
            for c in raw_line.chars() {
                if is_plain(c) {
                    s.push(c);
                } else if c == '\t' || c.is_control() {
                    s.push(' ');
                } else {
                    s.push_str(&format!("U+{:04X}", c as u32));
                }
            }
            // Repeat until stable: "##>>" style overlaps are broken up too.
            while s.contains("#>") || s.contains("<#") {
                s = s.replace("#>", "# >").replace("<#", "< #");
            }
            for l in wrap(s.trim_end(), width) {
                let l = if l.trim_start().starts_with('.') {
                    let indent = l.len() - l.trim_start().len();
                    format!("{}.{}", &l[..indent], &l[indent..])
                } else if reads_as_signature_marker(&l) {
                    // `# SIG # ...` at the start of a line could be taken for the signature
                    // block by a signer or verifier that looks for the first such line: the
                    // leading `#` is written as `U+0023` (as other characters help text
                    // cannot carry are).
                    let indent = l.len() - l.trim_start().len();
                    format!("{}U+0023{}", &l[..indent], &l[indent + 1..])
                } else {
                    l
                };
                lines.push(l);
            }
        }
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        PsComment(lines)
    }

    pub fn lines(&self) -> &[String] {
        &self.0
    }

    /// The lines, each prefixed with `indent`, joined with `\n` (no trailing newline).
    pub fn indented(&self, indent: &str) -> String {
        self.0
            .iter()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{indent}{l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn wrap(s: &str, width: usize) -> Vec<String> {
    if s.len() <= width {
        return vec![s.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        if !cur.is_empty() && cur.len() + 1 + word.len() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    out.push(cur);
    out
}

/// True for a line that starts, after spaces and tabs, with `#`, optional spaces and tabs, `SIG`
/// (any case), optional spaces and tabs, and `#`: the shape of the Authenticode block markers
/// `# SIG # Begin signature block` / `# SIG # End signature block`, and every near variant a
/// lenient block search might match.
pub(crate) fn reads_as_signature_marker(line: &str) -> bool {
    let blank = |c: char| c == ' ' || c == '\t';
    let Some(rest) = line.trim_start_matches(blank).strip_prefix('#') else {
        return false;
    };
    let rest = rest.trim_start_matches(blank);
    if rest.len() < 3 || !rest.as_bytes()[..3].eq_ignore_ascii_case(b"SIG") {
        return false;
    }
    rest[3..].trim_start_matches(blank).starts_with('#')
}

/// A PowerShell identifier: `[A-Za-z_][A-Za-z0-9_]*`, at most 128 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PsName(String);

impl PsName {
    pub fn new(name: &str) -> Result<PsName, String> {
        let mut chars = name.chars();
        let ok_first = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if ok_first
            && name.len() <= 128
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            Ok(PsName(name.to_string()))
        } else {
            Err(format!(
                "`{name}` is not a usable PowerShell name (expected a letter or `_`, then letters, digits or `_`)"
            ))
        }
    }

    /// A parameter name for generated scripts and functions: a [`PsName`] that is not a
    /// common parameter (`Verbose`, `WhatIf`, ...), not an automatic variable (`Host`, `Args`,
    /// ...) and does not start with `fixgen` (the generated code's own variables).
    pub fn param(name: &str) -> Result<PsName, String> {
        let n = PsName::new(name)?;
        if RESERVED_PARAMS.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            return Err(format!(
                "`{name}` cannot be a PowerShell parameter name: it is a common parameter or an automatic variable"
            ));
        }
        if name.len() >= 6 && name[..6].eq_ignore_ascii_case("fixgen") {
            return Err(format!(
                "`{name}`: parameter names starting with `fixgen` are reserved for the generated code"
            ));
        }
        Ok(n)
    }

    /// A PascalCase noun from a kebab-case id: `nat-traversal` -> `NatTraversal`.
    pub fn pascal_from_kebab(id: &str) -> Result<PsName, String> {
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(format!(
                "`{id}` is not a kebab-case id (lower-case letters, digits and `-`)"
            ));
        }
        let mut out = String::new();
        for part in id.split('-').filter(|p| !p.is_empty()) {
            let mut cs = part.chars();
            if let Some(f) = cs.next() {
                out.push(f.to_ascii_uppercase());
                out.extend(cs);
            }
        }
        if out.starts_with(|c: char| c.is_ascii_digit()) {
            out.insert(0, 'R');
        }
        PsName::new(&out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Common parameters (about_CommonParameters) and automatic variables (about_Automatic_Variables)
/// a generated parameter must not shadow.
const RESERVED_PARAMS: &[&str] = &[
    "Debug",
    "ErrorAction",
    "ErrorVariable",
    "InformationAction",
    "InformationVariable",
    "OutBuffer",
    "OutVariable",
    "PipelineVariable",
    "ProgressAction",
    "Verbose",
    "WarningAction",
    "WarningVariable",
    "WhatIf",
    "Confirm",
    "Args",
    "ConsoleFileName",
    "EnabledExperimentalFeatures",
    "Error",
    "Event",
    "EventArgs",
    "EventSubscriber",
    "ExecutionContext",
    "False",
    "ForEach",
    "Home",
    "Host",
    "Input",
    "IsCoreCLR",
    "IsLinux",
    "IsMacOS",
    "IsWindows",
    "LastExitCode",
    "Matches",
    "MyInvocation",
    "NestedPromptLevel",
    "Null",
    "PID",
    "Profile",
    "PSBoundParameters",
    "PSCmdlet",
    "PSCommandPath",
    "PSCulture",
    "PSDebugContext",
    "PSEdition",
    "PSHome",
    "PSItem",
    "PSScriptRoot",
    "PSSenderInfo",
    "PSUICulture",
    "PSVersionTable",
    "Pwd",
    "Sender",
    "ShellId",
    "StackTrace",
    "Switch",
    "This",
    "True",
    "Step",
];

impl fmt::Display for PsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for PsComment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

/// Finish a generated PowerShell file: check it is pure ASCII with `\n` line ends, then convert
/// to CRLF. A non-ASCII or `\r` character here is a renderer bug (all recipe text went through
/// [`PsLit`]/[`PsComment`]), reported as an error rather than written.
#[cfg(test)]
pub(crate) fn finish_ps(text: &str) -> Result<Vec<u8>, String> {
    let mut w = PsText::with_capacity(text.len() + text.len() / 16 + 2);
    // A write error is always recorded in `w` and returned by `finish`.
    let _ = fmt::Write::write_str(&mut w, text);
    w.finish()
}

/// [`finish_ps`] as a `fmt::Write` sink: templates render straight into it, so a generated
/// script is never held twice (the module of a 10,000-recipe bundle is about 60 MB). Each line
/// loses its trailing spaces and tabs and ends in CRLF; the file ends in exactly one CRLF.
#[derive(Debug, Default)]
pub(crate) struct PsText {
    out: Vec<u8>,
    /// Start of the current (unfinished) line in `out`.
    line_start: usize,
    /// Bytes of text consumed (for the error position).
    consumed: usize,
    error: Option<String>,
}

impl PsText {
    pub(crate) fn with_capacity(n: usize) -> PsText {
        PsText {
            out: Vec::with_capacity(n),
            ..PsText::default()
        }
    }

    fn end_line(&mut self) {
        while self.out.len() > self.line_start && matches!(self.out.last(), Some(b' ' | b'\t')) {
            self.out.pop();
        }
        self.check_marker_line();
        self.out.extend_from_slice(b"\r\n");
        self.line_start = self.out.len();
    }

    /// A generated line must never read as an Authenticode block marker: the signer would refuse
    /// the file (and another tool could cut the script there). Recipe text cannot produce one
    /// ([`PsComment`] escapes it, [`PsLit`] never starts a line); one here is a renderer bug,
    /// reported as an error rather than written. Costs one byte compare for most lines.
    fn check_marker_line(&mut self) {
        if self.error.is_some() {
            return;
        }
        let line = &self.out[self.line_start..];
        let first = line.iter().position(|&b| b != b' ' && b != b'\t');
        if first.is_some_and(|i| line[i] == b'#') {
            let text = String::from_utf8_lossy(line);
            if reads_as_signature_marker(&text) {
                self.error = Some(format!(
                    "internal error: a generated PowerShell line reads as a signature block marker: `{}`",
                    text.trim()
                ));
            }
        }
    }

    /// The finished bytes, or the first character that may not be in a generated script.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, String> {
        if self.error.is_none() {
            self.end_line();
        }
        if let Some(e) = self.error {
            return Err(e);
        }
        // No blank lines at the end.
        while self.out.ends_with(b"\r\n\r\n") {
            self.out.truncate(self.out.len() - 2);
        }
        Ok(self.out)
    }
}

impl fmt::Write for PsText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.error.is_some() {
            return Err(fmt::Error);
        }
        // ASCII printable, tab and LF only. Checked 64 bytes at a time without an early exit,
        // so the compiler vectorises it; the position is looked for only when there is one.
        let allowed = |b: u8| b == b'\n' || b == b'\t' || (0x20..0x7f).contains(&b);
        let clean = s
            .as_bytes()
            .chunks(64)
            .all(|c| c.iter().fold(true, |ok, &b| ok & allowed(b)));
        if let Some(i) = (!clean)
            .then(|| s.bytes().position(|b| !allowed(b)))
            .flatten()
        {
            let c = s[i..].chars().next().unwrap_or('\u{FFFD}');
            self.error = Some(format!(
                "internal error: generated PowerShell has character U+{:04X} at byte {}",
                c as u32,
                self.consumed + i
            ));
            return Err(fmt::Error);
        }
        self.consumed += s.len();
        let bytes = s.as_bytes();
        // Room for the text and a CR per line, at most twice the text: no growth per line.
        self.out.reserve(bytes.len() * 2);
        let mut start = 0;
        for n in memchr::memchr_iter(b'\n', bytes) {
            self.out.extend_from_slice(&bytes[start..n]);
            self.end_line();
            start = n + 1;
        }
        self.out.extend_from_slice(&bytes[start..]);
        Ok(())
    }
}

/// Text for an XML 1.0 element's content (the VPNv2 ProfileXML): `& < >` as entities, CR as a
/// character reference (a parser would turn a raw CR into LF); characters XML 1.0 cannot carry
/// (C0 controls but TAB and LF, U+FFFE, U+FFFF) are an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlText(String);

impl XmlText {
    pub(crate) fn new(s: &str) -> Result<XmlText, String> {
        xml_escape(s, false).map(XmlText)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// XML attribute value (Group Policy Preferences): like [`XmlText`], and `" '` as entities,
/// TAB and LF as character references (so attribute normalisation keeps them).
pub(crate) fn xml_attr(s: &str) -> Result<String, String> {
    xml_escape(s, true)
}

/// The one XML 1.0 escaper: `& < >` as entities, CR as `&#13;` (a parser would turn a raw CR
/// into LF); in an attribute also `" '` and TAB/LF. Characters XML 1.0 cannot carry (the other
/// C0 controls, U+FFFE, U+FFFF) are an error.
fn xml_escape(s: &str, attr: bool) -> Result<String, String> {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\r' => o.push_str("&#13;"),
            '"' if attr => o.push_str("&quot;"),
            '\'' if attr => o.push_str("&apos;"),
            '\t' if attr => o.push_str("&#9;"),
            '\n' if attr => o.push_str("&#10;"),
            '\t' | '\n' => o.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                return Err(format!(
                    "the character U+{:04X} cannot be written in an XML file",
                    c as u32
                ))
            }
            c => o.push(c),
        }
    }
    Ok(o)
}

/// One segment of an OMA-URI (a VPNv2 profile name): every byte but the URI unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) percent-encoded, so a space is `%20` and a `/` cannot
/// end the segment (RFC 3986; the VPNv2 CSP asks for URL-escaped profile names).
pub(crate) fn uri_segment(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

// ---------------------------------------------------------------------------------------------
// Markdown (REVIEW.md, the READMEs of the targets).

/// Inline Markdown text that renders as exactly `s` (on one line), in the middle of a line.
pub(crate) fn md(s: &str) -> String {
    md_text(s, false)
}

/// Like [`md`], for text at the start of a block (a list item): a leading `-`, `+`, `=` or
/// `1.` is escaped too, so it cannot start a nested list or a heading underline.
pub(crate) fn md_start(s: &str) -> String {
    md_text(s, true)
}

fn md_text(s: &str, at_start: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut first = at_start;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' | '\t' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if c.is_control() => {
                out.push_str(&format!("&#x{:x};", c as u32));
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '!' | '#' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if first => {
                out.push('\\');
                out.push(c);
            }
            c if first && c.is_ascii_digit() => {
                // "1. text" or "1) text" at the start would become a list item.
                out.push(c);
                while let Some(&d) = chars.peek() {
                    if d.is_ascii_digit() {
                        out.push(d);
                        chars.next();
                    } else {
                        if d == '.' || d == ')' {
                            out.push('\\');
                        }
                        break;
                    }
                }
            }
            c => out.push(c),
        }
        first = false;
    }
    out
}

#[cfg(test)]
mod tests;
