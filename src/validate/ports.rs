//! Port lists: numbers 1-65535 and "lo-hi" ranges, no duplicates or overlaps.

use super::registry::Finding;
use crate::model::Port;
pub(crate) use crate::model::PortRange;

/// Check a list: each entry valid, no duplicates or overlaps. `field` is the list's path.
pub(crate) fn check_ports(entries: &[Port], field: &str) -> (Vec<PortRange>, Vec<Finding>) {
    let mut out = Vec::new();
    let mut ok: Vec<(usize, PortRange)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let f = format!("{field}[{i}]");
        match e.range() {
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
            Err(m) => out.push(Finding::error("port-invalid", f, m.to_string())),
        }
    }
    (ok.into_iter().map(|(_, r)| r).collect(), out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PortEntry;

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
        let l: Vec<Port> = l.into_iter().map(Port::from).collect();
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
