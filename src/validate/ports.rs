//! Port lists: numbers 1-65535 and "lo-hi" ranges, no duplicates or overlaps.

use super::registry::Finding;
use crate::model::PortEntry;

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

/// Parse one entry.
pub fn parse_entry(e: &PortEntry) -> Result<PortRange, String> {
    match e {
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

/// Check a list: each entry valid, no duplicates or overlaps. `field` is the list's path.
pub fn check_ports(entries: &[PortEntry], field: &str) -> (Vec<PortRange>, Vec<Finding>) {
    let mut out = Vec::new();
    let mut ok: Vec<(usize, PortRange)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let f = format!("{field}[{i}]");
        match parse_entry(e) {
            Ok(r) => {
                if let Some((j, prev)) = ok.iter().find(|(_, p)| p.lo <= r.hi && r.lo <= p.hi) {
                    let msg = if *prev == r {
                        format!("port {r} is listed twice (first at {field}[{j}])")
                    } else {
                        format!("port {r} overlaps {prev} at {field}[{j}]")
                    };
                    out.push(
                        Finding::error("port-overlap", f, msg)
                            .with_hint("list each port once; merge overlapping ranges"),
                    );
                } else {
                    ok.push((i, r));
                }
            }
            Err(m) => out.push(Finding::error("port-invalid", f, m)),
        }
    }
    (ok.into_iter().map(|(_, r)| r).collect(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_finds_overlaps() {
        let l = vec![
            PortEntry::Number(500),
            PortEntry::Text("1000-2000".into()),
            PortEntry::Number(1500),
            PortEntry::Number(500),
            PortEntry::Number(0),
            PortEntry::Text("80-20".into()),
            PortEntry::Text("http".into()),
        ];
        let (ok, f) = check_ports(&l, "p");
        assert_eq!(ok.len(), 2);
        let codes: Vec<_> = f.iter().map(|x| (x.field.as_str(), x.code)).collect();
        assert_eq!(
            codes,
            vec![
                ("p[2]", "port-overlap"),
                ("p[3]", "port-overlap"),
                ("p[4]", "port-invalid"),
                ("p[5]", "port-invalid"),
                ("p[6]", "port-invalid")
            ]
        );
    }
}
