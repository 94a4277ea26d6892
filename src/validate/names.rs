//! Syntax of names and small text values: ids, PowerShell nouns, versions, hostnames, URLs,
//! service names, firewall rule ids, parameter names. Each returns `Err(what was expected)`.

use std::net::{Ipv4Addr, Ipv6Addr};

/// kebab-case: lower-case ASCII letters and digits in words joined by single `-`, 1-64 chars.
pub(crate) fn check_kebab_id(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && s.as_bytes()[0].is_ascii_lowercase();
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a kebab-case id (lower-case letters and digits in words joined by `-`, starting with a letter, at most 64 characters), found {s:?}"
        ))
    }
}

/// A PowerShell-safe PascalCase noun: an upper-case ASCII letter, then ASCII letters and
/// digits, 2-64 chars (used as `Invoke-<Name>` and as the module name).
pub(crate) fn check_pascal_noun(s: &str) -> Result<(), String> {
    let ok = (2..=64).contains(&s.len())
        && s.as_bytes()[0].is_ascii_uppercase()
        && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a PascalCase name (ASCII letters and digits, starting with an upper-case letter, 2-64 characters; it becomes a PowerShell noun and module name), found {s:?}"
        ))
    }
}

/// `MAJOR.MINOR.PATCH`, numbers without leading zeros (a PowerShell ModuleVersion).
pub(crate) fn check_semver(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.split('.').collect();
    let ok = parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 9
                && p.bytes().all(|b| b.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'))
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a version MAJOR.MINOR.PATCH such as 1.0.0 (numbers only, no leading zeros, no pre-release suffix: it becomes the module's ModuleVersion), found {s:?}"
        ))
    }
}

/// A DNS name, an IPv4 address or an IPv6 address (optionally in brackets).
pub(crate) fn check_hostname(s: &str) -> Result<(), String> {
    let expected = "expected a DNS name (letters, digits and `-` in dot-separated labels of at most 63 characters) or an IPv4/IPv6 address";
    if s.is_empty() {
        return Err(format!("{expected}, found an empty value"));
    }
    if s.parse::<Ipv4Addr>().is_ok() {
        return Ok(());
    }
    let inner = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(s);
    if inner.parse::<Ipv6Addr>().is_ok() {
        return Ok(());
    }
    if s.len() > 253 {
        return Err(format!(
            "{expected}; this name is {} characters long (at most 253)",
            s.len()
        ));
    }
    let labels: Vec<&str> = s.split('.').collect();
    for l in &labels {
        let ok = !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-');
        if !ok {
            return Err(format!("{expected}, found {s:?}"));
        }
    }
    // All-numeric dotted names are meant as IPv4 addresses and this one did not parse.
    if labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!("{expected}; {s:?} is not a valid IPv4 address"));
    }
    Ok(())
}

/// An `https://host/...` URL without spaces.
pub(crate) fn check_https_url(s: &str) -> Result<(), String> {
    let ok = s.strip_prefix("https://").is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
    }) && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected an https:// URL without spaces, found {s:?}"
        ))
    }
}

/// A Windows service (key) name: 1-256 characters, no `/`, `\`, control characters or spaces.
pub(crate) fn check_service_name(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.chars().count() <= 256
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a service name (the service's key name such as IKEEXT, not its display name: ASCII letters, digits, `_`, `-`, `.`, `$`, at most 256 characters), found {s:?}"
        ))
    }
}

/// Services the L2TP/IPsec client uses: (key name, display name).
const KNOWN_SERVICES: &[(&str, &str)] = &[
    ("IKEEXT", "IKE and AuthIP IPsec Keying Modules"),
    ("PolicyAgent", "IPsec Policy Agent"),
    ("RasMan", "Remote Access Connection Manager"),
    ("RasAuto", "Remote Access Auto Connection Manager"),
    ("RemoteAccess", "Routing and Remote Access"),
    ("SstpSvc", "Secure Socket Tunneling Protocol Service"),
    ("BFE", "Base Filtering Engine"),
    ("MpsSvc", "Windows Defender Firewall"),
    ("Netman", "Network Connections"),
    ("wuauserv", "Windows Update"),
];

/// For a display name (`IPsec Policy Agent`), the service's key name (`PolicyAgent`).
pub(crate) fn service_key_for_display_name(s: &str) -> Option<&'static str> {
    KNOWN_SERVICES
        .iter()
        .find(|(_, d)| d.eq_ignore_ascii_case(s.trim()))
        .map(|(k, _)| *k)
}

/// A firewall rule id (`New-NetFirewallRule -Name`): ASCII letters, digits, `-`, `_`, `.`,
/// starting with a letter or digit, at most 128 characters.
pub(crate) fn check_firewall_id(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a firewall rule id (ASCII letters, digits, `-`, `_`, `.`, starting with a letter or digit, at most 128 characters), found {s:?}"
        ))
    }
}

/// A parameter name usable as a PowerShell parameter: an ASCII letter, then letters and
/// digits, at most 64 characters.
pub(crate) fn check_param_name(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.as_bytes()[0].is_ascii_alphabetic()
        && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected a parameter name of ASCII letters and digits starting with a letter (it becomes a PowerShell parameter), found {s:?}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        for ok in [
            "vpn.example.com",
            "10.0.0.1",
            "::1",
            "[2001:db8::1]",
            "server",
            "a-b.c",
        ] {
            assert!(check_hostname(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "vpn example.com",
            "-a.com",
            "a..b",
            "1.2.3.999",
            "a_b.com",
            "x;calc",
        ] {
            assert!(check_hostname(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_and_versions() {
        assert!(check_kebab_id("nat-traversal").is_ok());
        assert!(check_kebab_id("Nat_Traversal").is_err());
        assert!(check_kebab_id("a--b").is_err());
        assert!(check_pascal_noun("L2tpIpsecFix").is_ok());
        assert!(check_pascal_noun("l2tp-fix").is_err());
        assert!(check_semver("1.0.0").is_ok());
        assert!(check_semver("1.0").is_err());
        assert!(check_semver("01.0.0").is_err());
        assert!(check_https_url("https://learn.microsoft.com/x").is_ok());
        assert!(check_https_url("http://example.com").is_err());
    }
}
