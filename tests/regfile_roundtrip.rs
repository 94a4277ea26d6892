//! Property test: our reader reads back exactly what our writer writes, for arbitrary keys,
//! value names, data of every kind and comment text, without a single finding.

use proptest::prelude::*;

use fixgen::pipeline::parts::regfile::read::parse;
use fixgen::pipeline::parts::regfile::write::RegWriter;
use fixgen::pipeline::parts::regfile::{Format, RegData, ValueAction};
use fixgen::pipeline::parts::registry::RegPath;

fn any_text() -> impl Strategy<Value = String> {
    // Any Unicode, weighted towards the characters .reg syntax cares about.
    prop::collection::vec(
        prop_oneof![
            4 => any::<char>(),
            2 => prop::sample::select(vec!['"', '\\', ';', '[', ']', '@', '=', ',', ' ', '\t', '\r', '\n', '\0', 'ü', '😀', '\u{2028}', '\u{85}']),
        ],
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn value_name() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        6 => any_text().prop_map(|s| s.replace(['\r', '\n', '\0'], "_")),
    ]
}

fn segment() -> impl Strategy<Value = String> {
    any_text().prop_map(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_control() && *c != '\\')
            .take(30)
            .collect();
        if s.is_empty() {
            "k".into()
        } else {
            s
        }
    })
}

fn key() -> impl Strategy<Value = RegPath> {
    (
        prop::sample::select(vec!["HKLM", "HKCU", "HKCR", "HKU", "HKCC"]),
        prop::collection::vec(segment(), 1..4),
    )
        .prop_map(|(h, segs)| {
            RegPath::parse(&format!("{h}\\{}", segs.join("\\"))).expect("valid generated path")
        })
}

fn data() -> impl Strategy<Value = RegData> {
    prop_oneof![
        any_text().prop_map(RegData::Sz),
        any_text().prop_map(RegData::ExpandSz),
        prop::collection::vec(any_text().prop_map(|s| s.replace('\0', "")), 0..5)
            .prop_map(RegData::MultiSz),
        any::<u32>().prop_map(RegData::Dword),
        any::<u64>().prop_map(RegData::Qword),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(RegData::Binary),
        (any::<u32>(), prop::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(kind, bytes)| RegData::Raw { kind, bytes }),
    ]
}

#[derive(Debug, Clone)]
enum Entry {
    Set(String, RegData),
    Delete(String),
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        5 => (value_name(), data()).prop_map(|(n, d)| Entry::Set(n, d)),
        1 => value_name().prop_map(Entry::Delete),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn reader_reads_back_what_the_writer_wrote(
        sections in prop::collection::vec(
            (key(), any::<bool>(), any_text(), prop::collection::vec(entry(), 0..6)),
            0..5,
        ),
        header_comment in any_text(),
    ) {
        let mut w = RegWriter::new();
        w.blank();
        w.comment(&header_comment);
        for (path, delete, comment, entries) in &sections {
            w.blank();
            w.comment(comment);
            if *delete {
                w.delete_key(path);
                continue;
            }
            w.key(path);
            for e in entries {
                match e {
                    Entry::Set(n, d) => w.set(n, d).expect("name without line breaks"),
                    Entry::Delete(n) => w.delete(n).expect("name without line breaks"),
                }
            }
        }
        let bytes = w.into_bytes();
        let parsed = parse(&bytes);
        prop_assert!(parsed.findings.is_empty(), "findings: {:?}", parsed.findings);
        prop_assert_eq!(parsed.file.format, Format::V5);
        prop_assert_eq!(parsed.file.sections.len(), sections.len());
        for ((path, delete, _, entries), got) in sections.iter().zip(&parsed.file.sections) {
            prop_assert_eq!(&got.path, &path.long());
            prop_assert_eq!(got.delete, *delete);
            let want: Vec<(String, ValueAction)> = if *delete {
                Vec::new()
            } else {
                entries
                    .iter()
                    .map(|e| match e {
                        // Data is compared as the registry stores it: type and bytes decoded.
                        Entry::Set(n, d) => (
                            n.clone(),
                            ValueAction::Set(RegData::from_bytes(d.kind(), &d.to_bytes())),
                        ),
                        Entry::Delete(n) => (n.clone(), ValueAction::Delete),
                    })
                    .collect()
            };
            let have: Vec<(String, ValueAction)> = got
                .values
                .iter()
                .map(|v| (v.name.clone(), v.action.clone()))
                .collect();
            prop_assert_eq!(have, want);
        }
    }

    #[test]
    fn data_bytes_round_trip(d in data()) {
        let again = RegData::from_bytes(d.kind(), &d.to_bytes());
        prop_assert_eq!(again.to_bytes(), d.to_bytes());
        prop_assert_eq!(again.kind(), d.kind());
    }

    #[test]
    fn reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse(&bytes);
        let mut v5 = vec![0xff, 0xfe];
        v5.extend(fixgen::pipeline::parts::regfile::utf16le("Windows Registry Editor Version 5.00\r\n"));
        v5.extend(&bytes);
        let _ = parse(&v5);
    }
}
