//! Registry paths: hives, parsing and the limits Windows enforces.
//!
//! Shared by the validator, the PowerShell renderer (provider paths), the .reg writer and reader
//! and the Group Policy renderer, so a key is parsed one way everywhere.

pub(crate) mod rules;

use std::fmt;

/// Longest key name (one path segment), in characters.
const MAX_KEY_NAME: usize = 255;
/// Longest value name, in characters.
pub(crate) const MAX_VALUE_NAME: usize = 16_383;
/// Deepest key path, in levels below the hive.
pub(crate) const MAX_DEPTH: usize = 512;

/// A registry root key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hive {
    LocalMachine,
    CurrentUser,
    ClassesRoot,
    Users,
    CurrentConfig,
}

impl Hive {
    pub const ALL: [Hive; 5] = [
        Hive::LocalMachine,
        Hive::CurrentUser,
        Hive::ClassesRoot,
        Hive::Users,
        Hive::CurrentConfig,
    ];

    /// `HKEY_LOCAL_MACHINE`, as .reg files, `Registry::` provider paths and GPP use.
    pub fn long_name(self) -> &'static str {
        match self {
            Hive::LocalMachine => "HKEY_LOCAL_MACHINE",
            Hive::CurrentUser => "HKEY_CURRENT_USER",
            Hive::ClassesRoot => "HKEY_CLASSES_ROOT",
            Hive::Users => "HKEY_USERS",
            Hive::CurrentConfig => "HKEY_CURRENT_CONFIG",
        }
    }

    /// `HKLM`.
    pub fn short_name(self) -> &'static str {
        match self {
            Hive::LocalMachine => "HKLM",
            Hive::CurrentUser => "HKCU",
            Hive::ClassesRoot => "HKCR",
            Hive::Users => "HKU",
            Hive::CurrentConfig => "HKCC",
        }
    }

    /// Long or short name, case-insensitive, with an optional trailing `:`.
    pub fn parse(s: &str) -> Option<Hive> {
        let s = s.strip_suffix(':').unwrap_or(s);
        Hive::ALL.into_iter().find(|h| {
            s.eq_ignore_ascii_case(h.long_name()) || s.eq_ignore_ascii_case(h.short_name())
        })
    }
}

/// A parsed, normalised registry key: hive plus subkey path (no leading or trailing `\`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegPath {
    pub hive: Hive,
    /// Segments joined by `\`; empty for the hive root itself.
    pub subkey: String,
}

/// Why a key path was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegPathError {
    Empty,
    UnknownHive(String),
    LeadingBackslash,
    TrailingBackslash,
    /// 1-based index of the empty segment (`A\\B`).
    EmptySegment(usize),
    /// Segment index (1-based) and its length in characters.
    SegmentTooLong(usize, usize),
    TooDeep(usize),
    /// A character a key name cannot hold (NUL or another control character).
    BadChar(usize, char),
    /// The hive root itself: fixgen never writes values directly under a hive.
    HiveRoot,
}

impl fmt::Display for RegPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegPathError::Empty => write!(f, "the key path is empty"),
            RegPathError::UnknownHive(h) => write!(
                f,
                "unknown hive `{h}`; expected HKLM, HKCU, HKCR, HKU or HKCC (or HKEY_LOCAL_MACHINE, ...)"
            ),
            RegPathError::LeadingBackslash => write!(f, "the key path starts with `\\`"),
            RegPathError::TrailingBackslash => write!(f, "the key path ends with `\\`"),
            RegPathError::EmptySegment(i) => {
                write!(f, "segment {i} of the key path is empty (`\\\\`)")
            }
            RegPathError::SegmentTooLong(i, n) => write!(
                f,
                "segment {i} of the key path is {n} characters long; a key name has at most {MAX_KEY_NAME}"
            ),
            RegPathError::TooDeep(n) => write!(
                f,
                "the key path is {n} levels deep; the registry allows at most {MAX_DEPTH}"
            ),
            RegPathError::BadChar(i, c) => write!(
                f,
                "segment {i} of the key path contains the control character U+{:04X}",
                *c as u32
            ),
            RegPathError::HiveRoot => write!(
                f,
                "the key is a hive root; name a key below it (e.g. HKLM\\SOFTWARE\\Vendor)"
            ),
        }
    }
}

impl std::error::Error for RegPathError {}

impl RegPath {
    /// Parse `HKLM\SYSTEM\...`, `HKEY_LOCAL_MACHINE\...` or `HKLM:\...`.
    pub fn parse(s: &str) -> Result<RegPath, RegPathError> {
        if s.is_empty() {
            return Err(RegPathError::Empty);
        }
        if s.starts_with('\\') {
            return Err(RegPathError::LeadingBackslash);
        }
        let (hive_text, rest) = match s.split_once('\\') {
            Some((h, r)) => (h, Some(r)),
            None => (s, None),
        };
        let hive =
            Hive::parse(hive_text).ok_or_else(|| RegPathError::UnknownHive(hive_text.into()))?;
        let Some(rest) = rest else {
            return Err(RegPathError::HiveRoot);
        };
        if rest.is_empty() {
            return Err(RegPathError::TrailingBackslash);
        }
        if rest.ends_with('\\') {
            return Err(RegPathError::TrailingBackslash);
        }
        let segments: Vec<&str> = rest.split('\\').collect();
        for (i, seg) in segments.iter().enumerate() {
            if seg.is_empty() {
                return Err(RegPathError::EmptySegment(i + 1));
            }
            let n = seg.chars().count();
            if n > MAX_KEY_NAME {
                return Err(RegPathError::SegmentTooLong(i + 1, n));
            }
            if let Some(c) = seg.chars().find(|c| c.is_control()) {
                return Err(RegPathError::BadChar(i + 1, c));
            }
        }
        if segments.len() > MAX_DEPTH {
            return Err(RegPathError::TooDeep(segments.len()));
        }
        Ok(RegPath {
            hive,
            subkey: rest.to_string(),
        })
    }

    /// `HKEY_LOCAL_MACHINE\SYSTEM\...` (.reg files).
    pub fn long(&self) -> String {
        format!("{}\\{}", self.hive.long_name(), self.subkey)
    }

    /// `HKLM\SYSTEM\...` (messages, review).
    pub fn short(&self) -> String {
        format!("{}\\{}", self.hive.short_name(), self.subkey)
    }

    /// `Registry::HKEY_LOCAL_MACHINE\SYSTEM\...`: the PowerShell provider path, which works for
    /// every hive (there is no `HKCR:` or `HKU:` drive by default).
    pub fn provider_path(&self) -> String {
        format!("Registry::{}", self.long())
    }

    /// True for HKLM\SOFTWARE\..., which a 32-bit process sees under WOW6432Node.
    pub fn is_wow64_redirected(&self) -> bool {
        self.hive == Hive::LocalMachine
            && self
                .subkey
                .split('\\')
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case("SOFTWARE"))
            && !self
                .subkey
                .split('\\')
                .nth(1)
                .is_some_and(|s| s.eq_ignore_ascii_case("Classes"))
    }
}

impl fmt::Display for RegPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

/// `HKLM\SYSTEM\CurrentControlSet\Services\<name>`.
pub(crate) fn service_key(name: &str) -> Result<RegPath, String> {
    if name.is_empty() || name.contains(['\\', '/']) {
        return Err(format!(
            "the service name {name:?} cannot be used as a registry key name"
        ));
    }
    RegPath::parse(&format!(
        "HKLM\\SYSTEM\\CurrentControlSet\\Services\\{name}"
    ))
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_long_short_and_drive_forms() {
        for s in [
            "HKLM\\SYSTEM\\CurrentControlSet",
            "hkey_local_machine\\SYSTEM\\CurrentControlSet",
            "HKLM:\\SYSTEM\\CurrentControlSet",
        ] {
            let p = RegPath::parse(s).unwrap();
            assert_eq!(p.hive, Hive::LocalMachine);
            assert_eq!(p.subkey, "SYSTEM\\CurrentControlSet");
            assert_eq!(
                p.provider_path(),
                "Registry::HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet"
            );
        }
    }

    #[test]
    fn rejects_bad_paths() {
        assert_eq!(
            RegPath::parse("HKXX\\A"),
            Err(RegPathError::UnknownHive("HKXX".into()))
        );
        assert_eq!(
            RegPath::parse("HKLM\\A\\\\B"),
            Err(RegPathError::EmptySegment(2))
        );
        assert_eq!(
            RegPath::parse("HKLM\\A\\"),
            Err(RegPathError::TrailingBackslash)
        );
        assert_eq!(
            RegPath::parse("\\HKLM\\A"),
            Err(RegPathError::LeadingBackslash)
        );
        assert_eq!(RegPath::parse("HKLM"), Err(RegPathError::HiveRoot));
        let long = format!("HKLM\\{}", "a".repeat(256));
        assert_eq!(
            RegPath::parse(&long),
            Err(RegPathError::SegmentTooLong(1, 256))
        );
        let deep = format!("HKLM{}", "\\a".repeat(513));
        assert_eq!(RegPath::parse(&deep), Err(RegPathError::TooDeep(513)));
    }

    #[test]
    fn wow64_redirection() {
        assert!(RegPath::parse("HKLM\\SOFTWARE\\Vendor")
            .unwrap()
            .is_wow64_redirected());
        assert!(!RegPath::parse("HKLM\\SYSTEM\\X")
            .unwrap()
            .is_wow64_redirected());
        assert!(!RegPath::parse("HKCU\\SOFTWARE\\X")
            .unwrap()
            .is_wow64_redirected());
    }
}
