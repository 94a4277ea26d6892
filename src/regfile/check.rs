//! `fixgen check FILE.reg`: read a `.reg` file and run the registry rules over its contents.
//!
//! Every finding carries the file, line and column of the key or value line it is about; the
//! field names the key (`[HKEY_...\Key]`) and, for a value, its name.

use super::read::{parse, Parsed};
use super::{kind, RegData, ValueAction};
use crate::diag::{Diagnostic, Severity};
use crate::registry::{RegPath, MAX_VALUE_NAME};

/// Show at most this many characters of a name in a field path.
const FIELD_NAME_CHARS: usize = 60;

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

/// Rules for one value's name and data; `(severity, message, hint)` per problem.
pub fn value_rules(name: &str, data: Option<&RegData>) -> Vec<(Severity, String, Option<String>)> {
    let mut out = Vec::new();
    let n = name.chars().count();
    if n > MAX_VALUE_NAME {
        out.push((
            Severity::Error,
            format!("the value name is {n} characters long; the registry allows at most {MAX_VALUE_NAME}"),
            None,
        ));
    }
    if name.contains('\0') {
        out.push((
            Severity::Error,
            "the value name contains NUL".to_string(),
            None,
        ));
    }
    let Some(data) = data else {
        return out;
    };
    match data {
        RegData::Sz(s) | RegData::ExpandSz(s) if s.contains('\0') => out.push((
            Severity::Warning,
            format!(
                "{} data contains NUL; programs reading it stop at the first NUL",
                data.kind_name()
            ),
            None,
        )),
        RegData::MultiSz(items) => {
            if let Some(i) = items.iter().position(String::is_empty) {
                out.push((
                    Severity::Warning,
                    format!("REG_MULTI_SZ item {} is empty; an empty item ends the list for most readers", i + 1),
                    None,
                ));
            }
        }
        RegData::Raw { kind: k, bytes } => match *k {
            kind::REG_DWORD | kind::REG_QWORD => out.push((
                Severity::Error,
                format!(
                    "{} data is {} bytes long; it must be {}",
                    kind::name(*k),
                    bytes.len(),
                    if *k == kind::REG_DWORD { 4 } else { 8 }
                ),
                Some(if *k == kind::REG_DWORD {
                    "write dword:XXXXXXXX".to_string()
                } else {
                    "write 8 little-endian bytes, hex(b):01,00,00,00,00,00,00,00".to_string()
                }),
            )),
            kind::REG_SZ | kind::REG_EXPAND_SZ | kind::REG_MULTI_SZ => out.push((
                Severity::Warning,
                format!(
                    "{} data ({} bytes) is not UTF-16 text ending in NUL{}",
                    kind::name(*k),
                    bytes.len(),
                    if *k == kind::REG_MULTI_SZ { " NUL" } else { "" }
                ),
                None,
            )),
            k if k > kind::REG_QWORD => out.push((
                Severity::Warning,
                format!("type {} is not a standard registry type", kind::name(k)),
                None,
            )),
            _ => {}
        },
        _ => {}
    }
    out
}

/// Turn a parsed file into findings (reading problems first, then registry rules).
pub fn findings(file_name: &str, parsed: &Parsed) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = parsed
        .findings
        .iter()
        .map(|f| Diagnostic {
            severity: f.severity,
            file: file_name.to_string(),
            line: f.line,
            column: f.column,
            field: String::new(),
            message: f.message.clone(),
            hint: f.hint.clone(),
        })
        .collect();
    for section in &parsed.file.sections {
        let key_field = format!("[{}]", shorten(&section.path));
        if let Err(e) = RegPath::parse(&section.path) {
            out.push(Diagnostic {
                severity: Severity::Error,
                file: file_name.to_string(),
                line: section.line,
                column: section.column,
                field: key_field.clone(),
                message: e.to_string(),
                hint: Some("regedit skips this key and every value under it".into()),
            });
        }
        for v in &section.values {
            let data = match &v.action {
                ValueAction::Set(d) => Some(d),
                ValueAction::Delete => None,
            };
            for (severity, message, hint) in value_rules(&v.name, data) {
                out.push(Diagnostic {
                    severity,
                    file: file_name.to_string(),
                    line: v.line,
                    column: v.column,
                    field: value_field(&section.path, &v.name),
                    message,
                    hint,
                });
            }
        }
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}

/// Read and check a `.reg` file's bytes.
pub fn check(file_name: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    findings(file_name, &parse(bytes))
}
