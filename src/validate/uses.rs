//! One check of a value against the field it is used in, for a literal in the recipe and for a
//! value bound at build time (`--set`, `--values`, a param's default) alike: the same text is
//! refused whichever way it reaches the field.

use crate::model::{ParamType, ParamValue};

/// Where a value is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    /// REG_SZ / REG_EXPAND_SZ data (`registry.value.string`, `.expand_string`).
    RegistryText,
    /// A VPN connection name (`vpn.name`).
    VpnName,
    /// A VPN server (`vpn.server`).
    Host,
    /// The L2TP pre-shared key (`vpn.psk`); messages never show the value.
    Psk,
    /// REG_DWORD (32) or REG_QWORD (64) data.
    Unsigned(u32),
}

/// A problem with a value: a stable code and what was expected (never the value itself when
/// the value is secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub code: &'static str,
    pub message: String,
}

fn problem(code: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        code,
        message: message.into(),
    }
}

/// A character that XML 1.0 cannot carry (Group Policy's Registry.xml): C0 controls other
/// than TAB, LF and CR, and U+FFFE/U+FFFF. Returns its 1-based position and the character.
fn xml_unsafe(s: &str) -> Option<(usize, char)> {
    s.chars().enumerate().find_map(|(i, c)| {
        let bad = ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
            || c == '\u{fffe}'
            || c == '\u{ffff}';
        bad.then_some((i + 1, c))
    })
}

/// Text shown to people or written into generated files (titles, summaries, descriptions,
/// display names): no character a generated XML file cannot carry.
pub(crate) fn check_text(s: &str) -> Option<Problem> {
    xml_unsafe(s).map(|(i, c)| {
        problem(
            "text-control",
            format!(
                "the text contains the control character U+{:04X} at position {i}; generated files (Group Policy's Registry.xml, XML 1.0) cannot carry it",
                c as u32
            ),
        )
    })
}

/// Check a text value used at `u`.
pub(crate) fn check_text_use(u: Use, s: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    match u {
        Use::RegistryText => {
            if let Some(i) = s.find('\0') {
                out.push(problem(
                    "registry-nul",
                    format!(
                        "the text contains a NUL character at position {}; registry strings end at the first NUL, so the rest would be lost",
                        s[..i].chars().count() + 1
                    ),
                ));
            } else if let Some(p) = check_text(s) {
                out.push(p);
            }
            let n = s.chars().count();
            if n > crate::limits::MAX_REG_TEXT {
                out.push(problem(
                    "limit-text",
                    format!(
                        "the text is {n} characters long; at most {} are allowed here",
                        crate::limits::MAX_REG_TEXT
                    ),
                ));
            }
        }
        Use::VpnName => {
            if s.trim().is_empty() || s.chars().any(char::is_control) || s.chars().count() > 256 {
                out.push(problem(
                    "vpn-name",
                    "expected a connection name: 1-256 characters, no control characters",
                ));
            }
        }
        Use::Host => {
            if let Err(m) = super::names::check_hostname(s) {
                out.push(problem("hostname", m));
            }
        }
        Use::Psk => {
            if s.is_empty() {
                out.push(problem("vpn-psk-value", "the pre-shared key is empty"));
            } else if s.chars().any(char::is_control) {
                out.push(problem(
                    "vpn-psk-value",
                    "the pre-shared key contains a control character (a line break, NUL, ...), which cannot be typed on the server side and may be cut",
                ));
            }
        }
        Use::Unsigned(_) => out.push(problem("param-type", "expected a whole number, found text")),
    }
    out
}

/// Check a number used at `u`.
fn check_int_use(u: Use, i: i64) -> Option<Problem> {
    match u {
        Use::Unsigned(bits) => {
            let max: i64 = if bits == 32 {
                u32::MAX as i64
            } else {
                i64::MAX
            };
            (i < 0 || i > max).then(|| {
                problem(
                    "param-value-range",
                    format!("{i} does not fit this {bits}-bit unsigned registry value (0..={max})"),
                )
            })
        }
        _ => Some(problem("param-type", "expected text, found a number")),
    }
}

/// Check a bound value used at `u`.
pub(crate) fn check_value_use(u: Use, v: &ParamValue) -> Vec<Problem> {
    match v {
        ParamValue::String(s) => check_text_use(u, s),
        ParamValue::Int(i) => check_int_use(u, *i).into_iter().collect(),
        ParamValue::Bool(_) => vec![problem("param-type", "expected a value, found true/false")],
    }
}

/// Parse a `--set` text for a param of type `ty`.
pub(crate) fn parse_param_text(ty: ParamType, text: &str) -> Result<ParamValue, String> {
    match ty {
        ParamType::String => Ok(ParamValue::String(text.to_string())),
        ParamType::Hostname => {
            super::names::check_hostname(text).map(|()| ParamValue::String(text.to_string()))
        }
        ParamType::Int => text
            .trim()
            .parse::<i64>()
            .map(ParamValue::Int)
            .map_err(|_| format!("expected a whole number, found {:?}", text)),
        ParamType::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(ParamValue::Bool(true)),
            "false" | "0" | "no" => Ok(ParamValue::Bool(false)),
            _ => Err("expected true or false".to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_values_are_typed_and_hostnames_checked() {
        assert_eq!(
            parse_param_text(ParamType::Hostname, "vpn.example.com"),
            Ok(ParamValue::String("vpn.example.com".into()))
        );
        let e = parse_param_text(ParamType::Hostname, "vpn example.com").unwrap_err();
        assert!(e.contains("expected a DNS name"), "{e}");
        assert_eq!(
            parse_param_text(ParamType::Int, "42"),
            Ok(ParamValue::Int(42))
        );
        assert!(parse_param_text(ParamType::Int, "x").is_err());
        assert_eq!(
            parse_param_text(ParamType::Bool, "true"),
            Ok(ParamValue::Bool(true))
        );
    }

    #[test]
    fn same_checks_for_every_use() {
        assert!(check_text_use(Use::Host, "").len() == 1);
        assert!(check_text_use(Use::VpnName, "a\nb").len() == 1);
        assert_eq!(
            check_text_use(Use::RegistryText, "a\0b")[0].code,
            "registry-nul"
        );
        assert_eq!(
            check_text_use(Use::RegistryText, "a\u{1}b")[0].code,
            "text-control"
        );
        assert!(check_text_use(Use::RegistryText, "a\tb\r\nc").is_empty());
        assert!(check_int_use(Use::Unsigned(32), 4_294_967_296).is_some());
        assert!(check_int_use(Use::Unsigned(32), 4_294_967_295).is_none());
        assert!(check_text_use(Use::Psk, "")[0].message.contains("empty"));
    }
}

/// Where a value given at build time comes from, to locate findings about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The `--values` file as shown, or `--set NAME` (never the value: it may be secret).
    pub file: String,
    /// 1-based; 0 for a `--set` flag.
    pub line: usize,
    pub column: usize,
    /// The param name (the key in the values file).
    pub field: String,
}

/// Values given with `--set` and `--values`, with where each comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub values: crate::model::ParamValues,
    pub origins: std::collections::BTreeMap<String, Origin>,
    /// `--allow-embedded-secrets`: a secret param may be given a value (baked into the files).
    pub allow_embedded_secrets: bool,
}

impl Given {
    /// Values without locations (library callers): findings point at `--set NAME`.
    pub fn unlocated(values: crate::model::ParamValues) -> Given {
        let origins = values
            .keys()
            .map(|k| {
                (
                    k.clone(),
                    Origin {
                        file: format!("--set {k}"),
                        line: 0,
                        column: 0,
                        field: k.clone(),
                    },
                )
            })
            .collect();
        Given {
            values,
            origins,
            allow_embedded_secrets: false,
        }
    }
}
