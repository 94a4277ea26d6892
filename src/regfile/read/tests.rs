use super::*;
use crate::regfile::utf16le;

fn v5(body: &str) -> Vec<u8> {
    let mut b = vec![0xff, 0xfe];
    b.extend(utf16le(&format!(
        "Windows Registry Editor Version 5.00\r\n\r\n{body}"
    )));
    b
}

fn values(p: &Parsed) -> Vec<(String, ValueAction)> {
    p.file
        .sections
        .iter()
        .flat_map(|s| s.values.iter().map(|v| (v.name.clone(), v.action.clone())))
        .collect()
}

fn errors(p: &Parsed) -> Vec<(usize, usize)> {
    p.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.line, f.column))
        .collect()
}

#[test]
fn reads_every_form() {
    let p = parse(&v5("; c\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\r\n@=\"d\"\r\n\"a\"=\"x\\\"y\\\\z\" ;c\r\n\"\"=\"default too\"\r\n\"d\"=dword:0000002A\r\n\"q\"=hex(b):01,00,00,00,\\\r\n  00,00,00,00\r\n\"m\"=hex(7):61,00,00,00,00,00\r\n\"b\"=hex:\r\n\"n\"=hex(0):01\r\n\"x\"=-\r\n\r\n[-HKEY_CURRENT_USER\\Software\\Gone]\r\n"));
    assert_eq!(errors(&p), vec![]);
    assert_eq!(p.file.format, Format::V5);
    assert_eq!(p.file.encoding, Encoding::Utf16LeBom);
    assert_eq!(
        values(&p),
        vec![
            ("".into(), ValueAction::Set(RegData::Sz("d".into()))),
            ("a".into(), ValueAction::Set(RegData::Sz("x\"y\\z".into()))),
            (
                "".into(),
                ValueAction::Set(RegData::Sz("default too".into()))
            ),
            ("d".into(), ValueAction::Set(RegData::Dword(42))),
            ("q".into(), ValueAction::Set(RegData::Qword(1))),
            (
                "m".into(),
                ValueAction::Set(RegData::MultiSz(vec!["a".into()]))
            ),
            ("b".into(), ValueAction::Set(RegData::Binary(vec![]))),
            (
                "n".into(),
                ValueAction::Set(RegData::Raw {
                    kind: 0,
                    bytes: vec![1]
                })
            ),
            ("x".into(), ValueAction::Delete),
        ]
    );
    assert_eq!(p.file.sections.len(), 2);
    assert!(p.file.sections[1].delete);
    assert_eq!(p.file.sections[1].path, "HKEY_CURRENT_USER\\Software\\Gone");
}

#[test]
fn regedit4_ansi_strings() {
    // "é" is 0xE9 in Windows-1252; hex(2) data in REGEDIT4 files is ANSI.
    let mut b = b"REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\X]\r\n\"s\"=\"caf".to_vec();
    b.push(0xe9);
    b.extend_from_slice(b"\"\r\n\"e\"=hex(2):25,41,25,00\r\n");
    let p = parse(&b);
    assert_eq!(errors(&p), vec![]);
    assert_eq!(p.file.format, Format::Regedit4);
    assert_eq!(p.file.encoding, Encoding::Ansi);
    assert_eq!(
        values(&p),
        vec![
            ("s".into(), ValueAction::Set(RegData::Sz("café".into()))),
            (
                "e".into(),
                ValueAction::Set(RegData::ExpandSz("%A%".into()))
            ),
        ]
    );
}

#[test]
fn reports_every_error_with_its_position() {
    let p = parse(&v5(concat!(
        "\"before\"=dword:1\r\n",      // 3: value before a key
        "[HKEY_LOCAL_MACHINE\\X\r\n",  // 4: no ]
        "[HKEY_LOCAL_MACHINE\\Y]\r\n", // 5
        "\"d\"=dword:123456789\r\n",   // 6: 9 digits
        "\"s\"=\"open\r\n",            // 7: no closing quote
        "\"h\"=hex:01,2,\\\r\n",       // 8: continuation...
        "\"next\"=\"lost\"\r\n",       // 9: ...not followed by data
        "\"b\"=hex:01,02\\\r\n",       // 10: \ without comma
        "#x\r\n",                      // 11: # comment
        "\"t\"=str(2):\"x\"\r\n",      // 12: Wine-only
        "  \"u\"  =  \"ok\"\r\n",      // 13: fine
        "\"v\"=hex(0x2):00\r\n",       // 14: 0x in type
        "\"w\"=\"a\"b\"\r\n",          // 15: junk after string
    )));
    assert_eq!(
        errors(&p),
        vec![
            (3, 1),
            (4, 1),
            (6, 11),
            (7, 5),
            (8, 1),
            (10, 14),
            (11, 1),
            (12, 5),
            (14, 9),
            (15, 8)
        ]
    );
    assert_eq!(
        values(&p),
        vec![("u".into(), ValueAction::Set(RegData::Sz("ok".into())))]
    );
}

#[test]
fn header_is_required() {
    let p = parse(b"[HKEY_CURRENT_USER\\X]\r\n\"a\"=dword:1\r\n");
    assert_eq!(errors(&p), vec![(1, 1)]);
    // The content is still read.
    assert_eq!(values(&p).len(), 1);
}

#[test]
fn continuation_skips_blank_and_comment_lines() {
    let p = parse(&v5(
        "[HKEY_CURRENT_USER\\X]\r\n\"m\"=hex:01,\\ ;c\r\n\r\n  ; note\r\n  02,\\\r\n  03\r\n",
    ));
    assert_eq!(errors(&p), vec![]);
    assert_eq!(
        values(&p),
        vec![("m".into(), ValueAction::Set(RegData::Binary(vec![1, 2, 3])))]
    );
}

#[test]
fn wine_escapes_are_read_with_a_warning() {
    let p = parse(&v5("[HKEY_CURRENT_USER\\X]\r\n\"s\"=\"a\\r\\nb\"\r\n"));
    assert_eq!(errors(&p), vec![]);
    assert_eq!(
        values(&p),
        vec![("s".into(), ValueAction::Set(RegData::Sz("a\r\nb".into())))]
    );
    assert_eq!(p.findings.len(), 2);
}
