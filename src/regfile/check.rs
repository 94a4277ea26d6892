//! `fixgen check FILE.reg`: read a `.reg` file and run the registry rules over its contents.
//!
//! The rules are the validator's own ([`crate::registry::rules`]: value names, text data,
//! multi-string items, the catalogue of known values) plus key paths through
//! [`RegPath::parse`]; this module only locates their findings at the key or value line.
//! Every finding carries the file, line and column; the field names the key
//! (`[HKEY_...\Key]`) and, for a value, its name.

use super::read::{parse, Parsed};
use super::{kind, RegData, ValueAction};
use crate::diag::{Diagnostic, Severity};
use crate::registry::rules;
use crate::registry::RegPath;

/// Show at most this many characters of a name in a field path.
const FIELD_NAME_CHARS: usize = 100;

fn shorten(s: &str) -> String {
    if s.chars().count() > FIELD_NAME_CHARS {
        let head: String = s.chars().take(FIELD_NAME_CHARS - 3).collect();
        format!("{head}...")
    } else {
        s.to_string()
    }
}

fn value_field(key: &str, name: &str) -> String {
    if name.is_empty() {
        format!("[{}] @", shorten(key))
    } else {
        format!(
            "[{}] \"{}\"",
            shorten(key),
            shorten(&name.escape_debug().to_string())
        )
    }
}

/// The validator's view of decoded data (`None` for data it has no rules for).
fn rule_data(d: &RegData) -> Option<rules::RegData<'_>> {
    Some(match d {
        RegData::Sz(s) => rules::RegData::String(s),
        RegData::ExpandSz(s) => rules::RegData::ExpandString(s),
        RegData::MultiSz(items) => rules::RegData::MultiString(items),
        RegData::Dword(v) => rules::RegData::Dword(*v),
        RegData::Qword(v) => rules::RegData::Qword(*v),
        RegData::Binary(b) => rules::RegData::Binary(b),
        RegData::Raw { .. } => return None,
    })
}

/// Rules for data the validator does not know: a number of the wrong width, text that is
/// not UTF-16, a type number outside the standard ones.
fn raw_rules(d: &RegData) -> Option<rules::Finding> {
    let RegData::Raw { kind: k, bytes } = d else {
        return None;
    };
    match *k {
        kind::REG_DWORD | kind::REG_QWORD => {
            let (width, hint) = if *k == kind::REG_DWORD {
                (4, "write dword:XXXXXXXX")
            } else {
                (
                    8,
                    "write 8 little-endian bytes, e.g. hex(b):01,00,00,00,00,00,00,00",
                )
            };
            Some(
                rules::Finding::error(
                    "registry-data-width",
                    "",
                    format!(
                        "{} data is {} bytes long; it must be {width}",
                        kind::name(*k),
                        bytes.len()
                    ),
                )
                .with_hint(hint),
            )
        }
        kind::REG_SZ | kind::REG_EXPAND_SZ | kind::REG_MULTI_SZ => Some(rules::Finding::warning(
            "registry-text-encoding",
            "",
            format!(
                "{} data ({} bytes) is not UTF-16 text ending in NUL{}",
                kind::name(*k),
                bytes.len(),
                if *k == kind::REG_MULTI_SZ {
                    " NUL (every item NUL-terminated, then one more NUL)"
                } else {
                    ""
                }
            ),
        )),
        k if k > kind::REG_QWORD => Some(rules::Finding::warning(
            "registry-type",
            "",
            format!("type {} is not a standard registry type", kind::name(k)),
        )),
        _ => None,
    }
}

/// Turn a parsed file into findings (reading problems first, then registry rules).
pub fn findings(file_name: &str, parsed: &Parsed) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = parsed
        .findings
        .iter()
        .map(|f| {
            let d = Diagnostic::new(f.severity, f.code, file_name, f.message.clone())
                .at(f.line, f.column);
            match &f.hint {
                Some(h) => d.with_hint(h.clone()),
                None => d,
            }
        })
        .collect();
    let located = |f: rules::Finding, line: usize, column: usize, field: String| {
        let d = Diagnostic::new(f.severity, f.code, file_name, f.message)
            .at(line, column)
            .with_field(field);
        match f.hint {
            Some(h) => d.with_hint(h),
            None => d,
        }
    };
    for section in &parsed.file.sections {
        let key_field = format!("[{}]", shorten(&section.path));
        let path = match RegPath::parse(&section.path) {
            Ok(p) => Some(p),
            Err(e) => {
                out.push(
                    Diagnostic::error(
                        "registry-path",
                        file_name,
                        format!("invalid registry key: {e}"),
                    )
                    .at(section.line, section.column)
                    .with_field(key_field.clone())
                    .with_hint("regedit skips this key and every value under it"),
                );
                None
            }
        };
        for v in &section.values {
            let field = value_field(&section.path, &v.name);
            let mut found = Vec::new();
            if let Err(m) = rules::check_value_name(&v.name) {
                found.push(rules::Finding::error("registry-value-name", "", m));
            }
            if let ValueAction::Set(d) = &v.action {
                match rule_data(d) {
                    Some(rd) => {
                        match &rd {
                            rules::RegData::String(s) | rules::RegData::ExpandString(s) => {
                                found.extend(rules::check_text(s, ""));
                            }
                            rules::RegData::MultiString(items) => {
                                found.extend(rules::check_multi_string(items, ""));
                            }
                            _ => {}
                        }
                        if let Some(p) = &path {
                            found.extend(rules::check_catalogue(p, &v.name, &rd, ""));
                        }
                    }
                    None => found.extend(raw_rules(d)),
                }
            }
            for f in found {
                let sub = f.field.clone();
                let full = if sub.is_empty() {
                    field.clone()
                } else {
                    format!("{field} {}", sub.trim_start_matches('.'))
                };
                out.push(located(f, v.line, v.column, full));
            }
        }
    }
    out.sort_by(|a, b| {
        (a.line, a.column, a.severity != Severity::Error).cmp(&(
            b.line,
            b.column,
            b.severity != Severity::Error,
        ))
    });
    out
}

/// Read and check a `.reg` file's bytes.
pub fn check(file_name: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    findings(file_name, &parse(bytes))
}
