//! Registry checks that do not depend on YAML: value names, value data and the catalogue of
//! known values. Pure functions returning [`Finding`]s with a field path relative to the value,
//! so the .reg reader can reuse them and locate the findings itself.

use crate::diag::Severity;
use crate::registry::{Hive, RegPath, MAX_VALUE_NAME};

/// A problem found by a pure check; `field` is relative (e.g. `multi_string[2]`, or empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    pub field: String,
    pub message: String,
    pub hint: Option<String>,
}

impl Finding {
    pub(crate) fn error(
        code: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Error,
            code,
            field: field.into(),
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn warning(
        code: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(code, field, message)
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Registry data as plain Rust values, independent of the recipe model (the .reg reader
/// produces these too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RegData<'a> {
    String(&'a str),
    ExpandString(&'a str),
    MultiString(&'a [String]),
    Dword(u32),
    Qword(u64),
    Binary(&'a [u8]),
    /// Value taken from a parameter at build time: only the kind is known.
    Param(&'static str),
}

impl RegData<'_> {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            RegData::String(_) => "string",
            RegData::ExpandString(_) => "expand_string",
            RegData::MultiString(_) => "multi_string",
            RegData::Dword(_) => "dword",
            RegData::Qword(_) => "qword",
            RegData::Binary(_) => "binary",
            RegData::Param(k) => k,
        }
    }
}

/// Value name: at most 16,383 characters, no NUL.
pub(crate) fn check_value_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if n > MAX_VALUE_NAME {
        return Err(format!(
            "the value name is {n} characters long; the registry allows at most {MAX_VALUE_NAME}"
        ));
    }
    if name.contains('\0') {
        return Err("the value name contains a NUL character".into());
    }
    Ok(())
}

/// Text data: no NUL inside (Windows would cut the string there).
pub(crate) fn check_text(s: &str, field: &str) -> Option<Finding> {
    s.find('\0').map(|i| {
        Finding::error(
            "registry-nul",
            field,
            format!(
                "the text contains a NUL character at position {}; registry strings end at the first NUL, so the rest would be lost",
                s[..i].chars().count() + 1
            ),
        )
        .with_hint("remove the NUL; for several strings use `multi_string`")
    })
}

/// Multi-string items: none empty (an empty item ends a REG_MULTI_SZ), none with NUL.
pub(crate) fn check_multi_string(items: &[String], field: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, s) in items.iter().enumerate() {
        let f = format!("{field}[{i}]");
        if s.is_empty() {
            out.push(
                Finding::error(
                    "registry-multi-empty",
                    f.clone(),
                    "an empty item in a multi_string: REG_MULTI_SZ ends at the first empty string, so this item and the ones after it would be lost",
                )
                .with_hint("remove the empty item"),
            );
        }
        if let Some(x) = check_text(s, &f) {
            out.push(x);
        }
    }
    out
}

/// Parse binary data written as hex digits, optionally separated by spaces, commas or colons
/// between bytes. Errors say what was expected.
pub(crate) fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let mut digits = Vec::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_hexdigit() {
            digits.push(c);
        } else if matches!(c, ' ' | ',' | ':') {
            if digits.len() % 2 == 1 {
                return Err(format!(
                    "a separator at position {} splits a byte; write each byte as two hex digits",
                    i + 1
                ));
            }
        } else {
            return Err(format!(
                "expected hex digits (0-9, a-f), optionally separated by spaces, commas or colons; found {c:?} at position {}",
                i + 1
            ));
        }
    }
    if digits.len() % 2 == 1 {
        return Err(format!(
            "expected an even number of hex digits (two per byte), found {}",
            digits.len()
        ));
    }
    Ok(digits
        .chunks(2)
        .map(|p| {
            let hi = p[0].to_digit(16).unwrap_or(0) as u8;
            let lo = p[1].to_digit(16).unwrap_or(0) as u8;
            (hi << 4) | lo
        })
        .collect())
}

/// A known value and the data it allows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownValue {
    /// Key below HKLM, lower-case.
    pub key: &'static str,
    pub name: &'static str,
    /// Allowed DWORD values.
    pub allowed: &'static [u32],
    pub meaning: &'static str,
    /// Values that are allowed but lower security: (value, warning).
    pub risky: &'static [(u32, &'static str)],
}

/// The catalogue: REG_DWORD values fixgen knows, with their allowed data. Keys are under HKLM.
const CATALOGUE: &[KnownValue] = &[
    KnownValue {
        key: r"system\currentcontrolset\services\policyagent",
        name: "AssumeUDPEncapsulationContextOnSendRule",
        allowed: &[0, 1, 2],
        meaning: "0: no SAs with servers behind NAT (default); 1: the server may be behind NAT; 2: client and server may both be behind NAT",
        risky: &[],
    },
    KnownValue {
        key: r"system\currentcontrolset\services\rasman\parameters",
        name: "ProhibitIpSec",
        allowed: &[0, 1],
        meaning: "0: L2TP uses automatic IPsec policy (default); 1: no automatic IPsec policy for L2TP",
        risky: &[(1, "ProhibitIpSec = 1 turns off the automatic IPsec policy: L2TP then runs without IPsec unless a custom policy exists")],
    },
    KnownValue {
        key: r"system\currentcontrolset\services\rasman\parameters",
        name: "AllowL2TPWeakCrypto",
        allowed: &[0, 1],
        meaning: "0: weak algorithms refused (default); 1: DES and MD5 allowed again",
        risky: &[(1, "AllowL2TPWeakCrypto = 1 re-enables DES and MD5 for L2TP/IPsec: a security downgrade; fix the server's algorithms instead where you can")],
    },
    KnownValue {
        key: r"system\currentcontrolset\services\rasman\parameters",
        name: "NegotiateDH2048_AES256",
        allowed: &[0, 1, 2],
        meaning: "0: not used (default); 1: AES-256 and DH group 14 proposed; 2: required",
        risky: &[],
    },
];

/// Services whose `Start` and `DelayedAutostart` values are known.
const SERVICE_START_KEYS: &[&str] = &["ikeext", "policyagent", "rasman", "remoteaccess"];

/// Check data against the catalogue. `field` is the value's path (e.g. `steps[0].registry.value`).
pub(crate) fn check_catalogue(
    path: &RegPath,
    name: &str,
    data: &RegData<'_>,
    field: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if path.hive != Hive::LocalMachine {
        return out;
    }
    let key = path.subkey.to_ascii_lowercase();
    let dword_field = format!("{field}.dword");
    if let Some(k) = CATALOGUE
        .iter()
        .find(|k| k.key == key && k.name.eq_ignore_ascii_case(name))
    {
        match data {
            RegData::Dword(v) => {
                if !k.allowed.contains(v) {
                    out.push(
                        Finding::error(
                            "registry-known-value",
                            dword_field.clone(),
                            format!("{} allows {}; found {v}", k.name, list(k.allowed)),
                        )
                        .with_hint(k.meaning),
                    );
                }
                for (rv, warn) in k.risky {
                    if rv == v {
                        out.push(Finding::warning(
                            "registry-weakens-security",
                            dword_field.clone(),
                            *warn,
                        ));
                    }
                }
            }
            RegData::Param("dword") => {}
            other => out.push(
                Finding::error(
                    "registry-known-kind",
                    field,
                    format!("{} is a REG_DWORD; found kind `{}`", k.name, other.kind()),
                )
                .with_hint(format!("write `value: {{ dword: N }}` ({})", k.meaning)),
            ),
        }
    }
    // HKLM\SYSTEM\CurrentControlSet\Services\<svc>\Start
    if let Some(svc) = key.strip_prefix(r"system\currentcontrolset\services\") {
        if SERVICE_START_KEYS.contains(&svc) {
            if name.eq_ignore_ascii_case("Start") {
                match data {
                    RegData::Dword(v) if !(2..=4).contains(v) => out.push(
                        Finding::error(
                            "registry-known-value",
                            dword_field.clone(),
                            format!("Start of a Windows service allows 2 (automatic), 3 (manual) or 4 (disabled); found {v}"),
                        )
                        .with_hint("0 and 1 are for boot and system drivers; better still, use a `service` step"),
                    ),
                    RegData::Dword(_) | RegData::Param("dword") => {}
                    other => out.push(Finding::error(
                        "registry-known-kind",
                        field,
                        format!("Start is a REG_DWORD; found kind `{}`", other.kind()),
                    )),
                }
            } else if name.eq_ignore_ascii_case("DelayedAutostart") {
                match data {
                    RegData::Dword(v) if *v > 1 => out.push(Finding::error(
                        "registry-known-value",
                        dword_field.clone(),
                        format!("DelayedAutostart allows 0 or 1; found {v}"),
                    )),
                    RegData::Dword(_) | RegData::Param("dword") => {}
                    other => out.push(Finding::error(
                        "registry-known-kind",
                        field,
                        format!(
                            "DelayedAutostart is a REG_DWORD; found kind `{}`",
                            other.kind()
                        ),
                    )),
                }
            }
        }
    }
    out
}

fn list(v: &[u32]) -> String {
    match v {
        [a, b] => format!("{a} or {b}"),
        [first @ .., last] if !first.is_empty() => {
            let contiguous = v.windows(2).all(|w| w[1] == w[0] + 1);
            if contiguous {
                format!("{}-{}", v[0], last)
            } else {
                format!(
                    "{} or {last}",
                    first
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
        [a] => a.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex() {
        assert_eq!(parse_hex("01 ff,0A:10").unwrap(), vec![1, 255, 10, 16]);
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("zz").is_err());
        assert!(parse_hex("a bc").is_err());
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn catalogue() {
        let p = RegPath::parse(r"HKLM\SYSTEM\CurrentControlSet\Services\PolicyAgent").unwrap();
        let n = "AssumeUDPEncapsulationContextOnSendRule";
        assert!(check_catalogue(&p, n, &RegData::Dword(2), "v").is_empty());
        let f = check_catalogue(&p, n, &RegData::Dword(3), "v");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("allows 0-2"), "{}", f[0].message);
        let f = check_catalogue(&p, n, &RegData::String("2"), "v");
        assert_eq!(f[0].code, "registry-known-kind");
    }
}
