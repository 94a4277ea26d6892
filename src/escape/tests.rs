use super::*;

#[test]
fn plain_ascii_is_one_literal() {
    assert_eq!(PsLit::string("abc").as_str(), "'abc'");
    assert_eq!(PsLit::string("").as_str(), "''");
    assert_eq!(PsLit::string("it's").as_str(), "'it''s'");
    assert_eq!(PsLit::string("$(x) `n \"").as_str(), "'$(x) `n \"'");
}

#[test]
fn non_ascii_and_controls_become_char_pieces() {
    assert_eq!(
        PsLit::string("caf\u{e9}").as_str(),
        "('caf' + [char]0x00E9)"
    );
    assert_eq!(
        PsLit::string("\u{2018}x").as_str(),
        "('' + [char]0x2018 + 'x')"
    );
    assert_eq!(PsLit::string("a\nb").as_str(), "('a' + [char]0x000A + 'b')");
    assert_eq!(
        PsLit::string("\u{1F600}").as_str(),
        "('' + [char]0xD83D + [char]0xDE00)"
    );
}

#[test]
fn long_values_are_grouped() {
    let text = "\u{e9}".repeat(100);
    let e = PsLit::string(&text);
    let s = e.as_str();
    assert!(s.starts_with("(('' + [char]0x00E9"), "{s}");
    // No group has more than GROUP + 1 operands at its own level.
    let mut depth = 0usize;
    let mut plus_at_depth = [0usize; 16];
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                plus_at_depth[depth] = 0;
            }
            ')' => depth -= 1,
            '+' => {
                plus_at_depth[depth] += 1;
                assert!(plus_at_depth[depth] <= GROUP);
            }
            _ => {}
        }
    }
}

#[test]
fn quote_doubling_covers_unicode_quotes() {
    assert_eq!(
        single_quoted_body("'\u{2018}\u{2019}\u{201A}\u{201B}"),
        "''\u{2018}\u{2018}\u{2019}\u{2019}\u{201A}\u{201A}\u{201B}\u{201B}"
    );
}

#[test]
fn numbers_use_bit_patterns() {
    assert_eq!(PsLit::uint(u64::MAX).as_str(), "18446744073709551615");
    assert_eq!(PsLit::data_text("a'\u{e9}\n").as_str(), "'a''U+00E9 '");
    assert_eq!(PsLit::bytes(&[1, 255]).as_str(), "([byte[]]@(0x01, 0xFF))");
}

#[test]
fn comments_cannot_close_or_open() {
    let c = PsComment::text("a #> b <# c ##>> .EXAMPLE\n.NOTES x \u{e9}", 200);
    let s = c.to_string();
    assert!(!s.contains("#>") && !s.contains("<#"), "{s}");
    assert_eq!(c.lines()[1], "..NOTES x U+00E9");
    assert!(s.is_ascii());
}

#[test]
fn comments_never_start_a_line_with_a_signature_marker() {
    let markers = [
        "# SIG # Begin signature block",
        "# SIG # End signature block",
        "  #sig#begin signature block",
        "#\tSiG  # x",
    ];
    for m in markers {
        assert!(reads_as_signature_marker(m), "{m}");
        let c = PsComment::text(&format!("a\n{m}\nb"), 96);
        assert!(
            !c.lines().iter().any(|l| reads_as_signature_marker(l)),
            "{c:?}"
        );
        assert!(c.lines()[1].contains("U+0023"), "{c:?}");
    }
    // A long line wrapped at every width: no wrapped line starts with a marker.
    let long = ["# SIG # Begin signature block"; 6].join(" x ");
    for width in 1..120 {
        let c = PsComment::text(&long, width);
        for l in c.lines() {
            assert!(!reads_as_signature_marker(l), "width {width}: {l:?}");
        }
        assert!(!c.indented("    ").lines().any(reads_as_signature_marker));
    }
    for ok in [
        "#SIGNAL",
        "# SIGN # x",
        "x # SIG # Begin signature block",
        "# S I G #",
    ] {
        assert!(!reads_as_signature_marker(ok), "{ok}");
    }
}

#[test]
fn generated_marker_lines_are_an_error() {
    for text in [
        "a\n# SIG # Begin signature block\nb\n",
        "a\n    # SIG # End signature block",
    ] {
        let e = finish_ps(text).unwrap_err();
        assert!(e.contains("signature block marker"), "{e}");
    }
    assert!(finish_ps("'# SIG # Begin signature block'\n").is_ok());
}

#[test]
fn names() {
    assert!(PsName::new("ConnectionName").is_ok());
    assert!(PsName::new("a-b").is_err());
    assert!(PsName::new("1a").is_err());
    assert_eq!(
        PsName::pascal_from_kebab("nat-traversal").unwrap().as_str(),
        "NatTraversal"
    );
    assert!(PsName::pascal_from_kebab("Nat'x").is_err());
    assert!(PsName::param("ServerAddress").is_ok());
    for bad in ["Verbose", "whatif", "Host", "args", "FixgenSteps", "fixgen"] {
        assert!(PsName::param(bad).is_err(), "{bad}");
    }
}

#[test]
fn finish_converts_to_crlf_and_rejects_non_ascii() {
    assert_eq!(finish_ps("a\nb\n").unwrap(), b"a\r\nb\r\n");
    assert!(finish_ps("\u{e9}").is_err());
    assert!(finish_ps("a\rb").is_err());
}

#[test]
fn ps_text_in_pieces_equals_finish_ps() {
    use std::fmt::Write as _;
    let text = "a  \n\tb\t\n  \n\nc d \n\n\n";
    let whole = finish_ps(text).unwrap();
    assert_eq!(whole, b"a\r\n\tb\r\n\r\n\r\nc d\r\n");
    // Every split point, including inside the trailing blanks of a line.
    for cut in 0..=text.len() {
        let mut w = PsText::default();
        w.write_str(&text[..cut]).unwrap();
        w.write_str(&text[cut..]).unwrap();
        assert_eq!(w.finish().unwrap(), whole, "cut at {cut}");
    }
    let mut w = PsText::default();
    w.write_str("ok\n").unwrap();
    assert!(w.write_str("caf\u{e9}").is_err());
    assert_eq!(
        w.finish().unwrap_err(),
        "internal error: generated PowerShell has character U+00E9 at byte 6"
    );
}

#[test]
fn xml_text_and_uri_segment() {
    assert_eq!(
        XmlText::new("a<b>&c\r").unwrap().as_str(),
        "a&lt;b&gt;&amp;c&#13;"
    );
    assert!(XmlText::new("a\u{1}").is_err());
    assert_eq!(uri_segment("Contoso VPN/x%"), "Contoso%20VPN%2Fx%25");
    assert_eq!(uri_segment("\u{e9}"), "%C3%A9");
}
