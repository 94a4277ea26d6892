//! Recipe values parsed once when loaded and kept typed: REG_BINARY bytes ([`HexBytes`]) and
//! firewall ports ([`Port`]). Each keeps its parse error for the validator to report, located;
//! every later stage reads the typed value and never parses the text again.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// REG_BINARY data: the hex text as written and its bytes, parsed once when the recipe is
/// loaded ([`crate::registry::rules::parse_hex`]). The validator reports a parse error
/// (`registry-binary`, located); every later stage reads [`HexBytes::parsed`] and never parses
/// the text again. In YAML and the schema it is the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexBytes {
    text: String,
    bytes: Result<Vec<u8>, String>,
}

impl HexBytes {
    pub fn new(text: impl Into<String>) -> HexBytes {
        let text = text.into();
        let bytes = crate::registry::rules::parse_hex(&text);
        HexBytes { text, bytes }
    }

    /// The text as written in the recipe.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The bytes, or why the text is not hex data (a validated recipe has no such error).
    pub fn parsed(&self) -> Result<&[u8], &str> {
        match &self.bytes {
            Ok(b) => Ok(b),
            Err(m) => Err(m),
        }
    }
}

impl Serialize for HexBytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for HexBytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<HexBytes, D::Error> {
        String::deserialize(d).map(HexBytes::new)
    }
}

impl JsonSchema for HexBytes {
    fn inline_schema() -> bool {
        String::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(g)
    }
}

/// A port as written: a number or a "lo-hi" range string. The validator parses and checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortEntry {
    Number(i64),
    Text(String),
}

/// An inclusive port range; a single port has `lo == hi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortRange {
    pub lo: u16,
    pub hi: u16,
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.lo == self.hi {
            write!(f, "{}", self.lo)
        } else {
            write!(f, "{}-{}", self.lo, self.hi)
        }
    }
}

fn port_number(n: i64) -> Result<u16, String> {
    if (1..=65535).contains(&n) {
        Ok(n as u16)
    } else {
        Err(format!("expected a port from 1 to 65535, found {n}"))
    }
}

fn port_text(t: &str) -> Result<u16, String> {
    let t = t.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expected a port number or a range \"lo-hi\" of port numbers, found {t:?}"
        ));
    }
    match t.parse::<i64>() {
        Ok(n) => port_number(n),
        Err(_) => Err(format!("expected a port from 1 to 65535, found {t}")),
    }
}

impl PortEntry {
    /// Parse one entry: a port 1-65535 or a range "lo-hi" with lo <= hi.
    pub fn parse(&self) -> Result<PortRange, String> {
        match self {
            PortEntry::Number(n) => port_number(*n).map(|p| PortRange { lo: p, hi: p }),
            PortEntry::Text(t) => match t.split_once('-') {
                Some((a, b)) => {
                    let lo = port_text(a)?;
                    let hi = port_text(b)?;
                    if lo > hi {
                        Err(format!(
                            "the range {t:?} runs backwards; expected \"lo-hi\" with lo <= hi (\"{hi}-{lo}\")"
                        ))
                    } else {
                        Ok(PortRange { lo, hi })
                    }
                }
                None => port_text(t).map(|p| PortRange { lo: p, hi: p }),
            },
        }
    }
}

/// A firewall port: as written ([`PortEntry`], its YAML and schema form) and its range, parsed
/// once when loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    written: PortEntry,
    range: Result<PortRange, String>,
}

impl Port {
    /// The entry as written in the recipe.
    pub fn written(&self) -> &PortEntry {
        &self.written
    }

    /// The range, or why the entry is not a port (a validated recipe has no such error).
    pub fn range(&self) -> Result<PortRange, &str> {
        self.range.as_ref().map(|r| *r).map_err(String::as_str)
    }
}

impl From<PortEntry> for Port {
    fn from(written: PortEntry) -> Port {
        let range = written.parse();
        Port { written, range }
    }
}

/// The port as the scripts and the review show it: the range (`500`, `1000-2000`); an entry
/// that is not a port (never in a validated recipe) as written, trimmed.
impl std::fmt::Display for Port {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.range, &self.written) {
            (Ok(r), _) => r.fmt(f),
            (Err(_), PortEntry::Number(n)) => write!(f, "{n}"),
            (Err(_), PortEntry::Text(t)) => f.write_str(t.trim()),
        }
    }
}

impl Serialize for Port {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.written.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Port, D::Error> {
        PortEntry::deserialize(d).map(Port::from)
    }
}

impl JsonSchema for Port {
    fn inline_schema() -> bool {
        PortEntry::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        PortEntry::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        PortEntry::schema_id()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        PortEntry::json_schema(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_once_and_written_back_as_written() {
        let h: HexBytes = serde_json::from_str("\"01 ff:0A\"").unwrap();
        assert_eq!(h.parsed(), Ok(&[1u8, 255, 10][..]));
        assert_eq!(h.text(), "01 ff:0A");
        assert!(HexBytes::new("0 1").parsed().is_err());
        let p: Vec<Port> = serde_json::from_str(r#"[500, " 0100 - 200", "http"]"#).unwrap();
        assert_eq!(p[1].range(), Ok(PortRange { lo: 100, hi: 200 }));
        // Shown as the range, not as written; written back as written.
        let shown: Vec<String> = p.iter().map(Port::to_string).collect();
        assert_eq!(shown, ["500", "100-200", "http"]);
        assert!(p[2].range().is_err());
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"[500," 0100 - 200","http"]"#
        );
    }
}
