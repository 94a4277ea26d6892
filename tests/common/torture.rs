//! A torture bundle for the registry targets: every value kind, quotes, backslashes,
//! non-ASCII (with a character outside the BMP), CR/LF, empty strings, names and key segments
//! at the length limits, long binary data, the default value, deletions and service startup
//! types. Each entry states what the registry must hold afterwards, written out by hand from
//! the recipe (never computed by fixgen).
#![allow(dead_code)]

use fixgen::diag::SourceFile;
use fixgen::pipeline::parts::load::Bundle;
use fixgen::pipeline::parts::regfile::RegData;

/// A value the registry must hold after the import (`None`: it must not exist).
pub struct Expect {
    /// Key as `HKLM\...` / `HKCU\...`.
    pub key: String,
    pub name: String,
    pub data: Option<RegData>,
}

pub const TORTURE_KEY: &str = "HKLM\\SOFTWARE\\FixgenTorture";
pub const TORTURE_USER_KEY: &str = "HKCU\\Software\\FixgenTorture";

pub fn long_name() -> String {
    // 16,383 characters, the registry's limit, with a quote and a backslash in it.
    let mut n = String::from("long\"name\\");
    n.push_str(&"N".repeat(16_383 - n.chars().count()));
    n
}

pub fn long_segment() -> String {
    "k".repeat(255)
}

pub fn long_binary() -> Vec<u8> {
    (0..=255u8).chain(0..=99u8).collect()
}

/// YAML double-quoted scalar for `s` (escapes every character YAML needs escaped).
fn yq(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\r' => o.push_str("\\r"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\x{:02x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Registry steps of the torture recipe: (key, name, YAML `value:` or None for absent,
/// expected data).
pub fn steps() -> Vec<(String, String, Option<String>, Option<RegData>)> {
    let k = TORTURE_KEY.to_string();
    let sub = format!("{TORTURE_KEY}\\Sub Key ü \"q\"");
    let deep = format!("{TORTURE_KEY}\\{}", long_segment());
    let user = TORTURE_USER_KEY.to_string();
    let quotes = r#"He said "hi" in C:\Temp\ and \\server\share\"#;
    let unicode = "Grüße, 日本語, emoji 😀, ﬁ ligature";
    let crlf = "line one\r\nline two\nline three\r";
    let bin = long_binary();
    let bin_yaml = bin
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    let v: Vec<(String, String, Option<String>, Option<RegData>)> = vec![
        (
            k.clone(),
            "Quotes".into(),
            Some(format!("{{ string: {} }}", yq(quotes))),
            Some(RegData::Sz(quotes.into())),
        ),
        (
            k.clone(),
            "TrailingBackslash".into(),
            Some(format!("{{ string: {} }}", yq("C:\\"))),
            Some(RegData::Sz("C:\\".into())),
        ),
        (
            k.clone(),
            "Empty".into(),
            Some("{ string: \"\" }".into()),
            Some(RegData::Sz(String::new())),
        ),
        (
            k.clone(),
            "Unicode".into(),
            Some(format!("{{ string: {} }}", yq(unicode))),
            Some(RegData::Sz(unicode.into())),
        ),
        (
            k.clone(),
            "CrLf".into(),
            Some(format!("{{ string: {} }}", yq(crlf))),
            Some(RegData::Sz(crlf.into())),
        ),
        (
            k.clone(),
            "Comment;Like[Key]".into(),
            Some("{ string: \"; not a comment\" }".into()),
            Some(RegData::Sz("; not a comment".into())),
        ),
        (
            k.clone(),
            "".into(),
            Some("{ string: \"the default value\" }".into()),
            Some(RegData::Sz("the default value".into())),
        ),
        (
            k.clone(),
            "Expand".into(),
            Some("{ expand_string: \"%SystemRoot%\\\\System32\\\\\\\"x\\\"\" }".into()),
            Some(RegData::ExpandSz("%SystemRoot%\\System32\\\"x\"".into())),
        ),
        (
            k.clone(),
            "ExpandEmpty".into(),
            Some("{ expand_string: \"\" }".into()),
            Some(RegData::ExpandSz(String::new())),
        ),
        (
            k.clone(),
            "Multi".into(),
            Some(format!(
                "{{ multi_string: [a, {}, {}, \"x;y\"] }}",
                yq("b \"q\" \\"),
                yq("ü😀")
            )),
            Some(RegData::MultiSz(vec![
                "a".into(),
                "b \"q\" \\".into(),
                "ü😀".into(),
                "x;y".into(),
            ])),
        ),
        (
            k.clone(),
            "MultiEmpty".into(),
            Some("{ multi_string: [] }".into()),
            Some(RegData::MultiSz(vec![])),
        ),
        (
            k.clone(),
            "DwordZero".into(),
            Some("{ dword: 0 }".into()),
            Some(RegData::Dword(0)),
        ),
        (
            k.clone(),
            "DwordMax".into(),
            Some("{ dword: 4294967295 }".into()),
            Some(RegData::Dword(u32::MAX)),
        ),
        (
            k.clone(),
            "QwordZero".into(),
            Some("{ qword: 0 }".into()),
            Some(RegData::Qword(0)),
        ),
        (
            k.clone(),
            "QwordMax".into(),
            Some("{ qword: 18446744073709551615 }".into()),
            Some(RegData::Qword(u64::MAX)),
        ),
        (
            k.clone(),
            "QwordMixed".into(),
            Some("{ qword: 81985529216486895 }".into()),
            Some(RegData::Qword(0x0123_4567_89ab_cdef)),
        ),
        (
            k.clone(),
            "BinaryLong".into(),
            Some(format!("{{ binary: \"{bin_yaml}\" }}")),
            Some(RegData::Binary(bin)),
        ),
        (
            k.clone(),
            "BinaryEmpty".into(),
            Some("{ binary: \"\" }".into()),
            Some(RegData::Binary(vec![])),
        ),
        (
            k.clone(),
            "BinarySeparators".into(),
            Some("{ binary: \"de:ad,BE EF\" }".into()),
            Some(RegData::Binary(vec![0xde, 0xad, 0xbe, 0xef])),
        ),
        (
            k.clone(),
            "Größe \"quoted\" \\ name".into(),
            Some("{ dword: 7 }".into()),
            Some(RegData::Dword(7)),
        ),
        (
            k.clone(),
            long_name(),
            Some("{ binary: \"01 02 03\" }".into()),
            Some(RegData::Binary(vec![1, 2, 3])),
        ),
        (k.clone(), "ToDelete".into(), None, None),
        (
            sub,
            "InSubKey".into(),
            Some("{ dword: 1 }".into()),
            Some(RegData::Dword(1)),
        ),
        (
            deep,
            "AtSegmentLimit".into(),
            Some("{ string: deep }".into()),
            Some(RegData::Sz("deep".into())),
        ),
        (
            user.clone(),
            "UserValue".into(),
            Some("{ string: user }".into()),
            Some(RegData::Sz("user".into())),
        ),
        (user, "UserToDelete".into(), None, None),
    ];
    // (A value set twice with different data is refused by the validator, `registry-conflict`,
    // so the bundle sets each value once.)
    v
}

/// Values that exist before the import and must be gone after it: (key, name).
pub fn preexisting() -> Vec<(String, String)> {
    vec![
        (TORTURE_KEY.into(), "ToDelete".into()),
        (TORTURE_USER_KEY.into(), "UserToDelete".into()),
    ]
}

pub const SERVICE_KEY: &str = "HKLM\\SYSTEM\\CurrentControlSet\\Services";

/// Service steps and what they leave in `Services\<name>`.
pub fn service_expectations() -> Vec<Expect> {
    let s = |svc: &str, name: &str, data: Option<RegData>| Expect {
        key: format!("{SERVICE_KEY}\\{svc}"),
        name: name.into(),
        data,
    };
    vec![
        s("FixgenSvcAuto", "Start", Some(RegData::Dword(2))),
        s("FixgenSvcAuto", "DelayedAutostart", Some(RegData::Dword(0))),
        s("FixgenSvcDelayed", "Start", Some(RegData::Dword(2))),
        s(
            "FixgenSvcDelayed",
            "DelayedAutostart",
            Some(RegData::Dword(1)),
        ),
        s("FixgenSvcManual", "Start", Some(RegData::Dword(3))),
        s("FixgenSvcManual", "DelayedAutostart", None),
        s("FixgenSvcDisabled", "Start", Some(RegData::Dword(4))),
        s("FixgenSvcDisabled", "DelayedAutostart", None),
    ]
}

/// What the L2TP recipes say the registry holds afterwards.
pub fn l2tp_expectations() -> Vec<Expect> {
    let e = |svc: &str, name: &str, v: u32| Expect {
        key: format!("{SERVICE_KEY}\\{svc}"),
        name: name.into(),
        data: Some(RegData::Dword(v)),
    };
    vec![
        // ipsec-services: IKEEXT and PolicyAgent automatic (Start 2, not delayed).
        e("IKEEXT", "Start", 2),
        e("IKEEXT", "DelayedAutostart", 0),
        e("PolicyAgent", "Start", 2),
        e("PolicyAgent", "DelayedAutostart", 0),
        // nat-traversal: AssumeUDPEncapsulationContextOnSendRule REG_DWORD 2.
        e("PolicyAgent", "AssumeUDPEncapsulationContextOnSendRule", 2),
    ]
}

/// Every change of the torture recipe in step order (repeats included): (key, name, data;
/// None deletes).
pub fn changes_in_order() -> Vec<(String, String, Option<RegData>)> {
    let mut out: Vec<(String, String, Option<RegData>)> =
        steps().into_iter().map(|(k, n, _, d)| (k, n, d)).collect();
    out.extend(
        service_expectations()
            .into_iter()
            .filter(|e| e.data.is_some())
            .map(|e| (e.key, e.name, e.data)),
    );
    out
}

/// Everything the registry must hold after importing the torture bundle.
pub fn expectations() -> Vec<Expect> {
    let mut out: Vec<Expect> = Vec::new();
    for (key, name, _, data) in steps() {
        if let Some(pos) = out.iter().position(|e| e.key == key && e.name == name) {
            out.remove(pos);
        }
        out.push(Expect { key, name, data });
    }
    out.extend(service_expectations());
    out
}

fn recipe_yaml() -> String {
    let mut y = String::from(
        "id: torture\n\
         title: \"Every value kind; quotes \\\" backslashes \\\\ and ü\"\n\
         summary: \"A test recipe.\\r\\n[HKEY_LOCAL_MACHINE\\\\Injected]\\n\\\"Evil\\\"=dword:00000001\\u2028; and more\"\n\
         context: system\n\
         reboot: recommended\n\
         steps:\n",
    );
    for (key, name, value, _) in steps() {
        y.push_str(&format!(
            "  - registry:\n      key: {}\n      name: {}\n",
            yq(&key),
            yq(&name)
        ));
        match value {
            Some(v) => y.push_str(&format!("      value: {v}\n")),
            None => y.push_str("      ensure: absent\n"),
        }
    }
    for (svc, startup) in [
        ("FixgenSvcAuto", "automatic"),
        ("FixgenSvcDelayed", "automatic_delayed"),
        ("FixgenSvcManual", "manual"),
        ("FixgenSvcDisabled", "disabled"),
    ] {
        y.push_str(&format!(
            "  - service: {{ name: {svc}, startup: {startup} }}\n"
        ));
    }
    y.push_str(
        "  - firewall:\n      id: fixgen-torture\n      display_name: \"Torture rule\\n[HKEY_LOCAL_MACHINE\\\\X]\"\n      direction: inbound\n      protocol: tcp\n      local_ports: [8080]\n      action: allow\n",
    );
    y
}

/// The torture bundle's sources (bundle.yaml first).
pub fn sources() -> Vec<SourceFile> {
    vec![
        SourceFile {
            path: "tests/torture/bundle.yaml".into(),
            text: "name: FixgenTorture\ntitle: Registry torture test\nversion: 0.0.1\ndescription: Every registry value kind.\npublisher: fixgen tests\nrecipes: [torture]\n".into(),
        },
        SourceFile {
            path: "tests/torture/torture.yaml".into(),
            text: recipe_yaml(),
        },
    ]
}

pub fn bundle() -> Bundle {
    match fixgen::pipeline::parts::validate::parse_bundle(sources()) {
        Ok(b) => b,
        Err(d) => panic!("the torture bundle does not load: {d:?}"),
    }
}
