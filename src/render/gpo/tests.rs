use super::files::{content_guid, gpp_timestamp, xml_attr};
use super::*;

#[test]
fn xml_escaping() {
    assert_eq!(
        xml_attr("a&b<c>\"d'\te\r\nf").unwrap(),
        "a&amp;b&lt;c&gt;&quot;d&apos;&#9;e&#13;&#10;f"
    );
    assert!(xml_attr("x\u{1}").is_err());
    assert!(xml_attr("x\u{ffff}").is_err());
    assert_eq!(xml_attr("ü😀").unwrap(), "ü😀");
}

#[test]
fn guid_layout_and_stability() {
    let g = content_guid(&[b"a", b"b"]);
    assert_eq!(g.len(), 38);
    assert_eq!(&g[15..16], "8");
    assert!(matches!(&g[20..21], "8" | "9" | "A" | "B"));
    assert_eq!(g, content_guid(&[b"a", b"b"]));
    assert_ne!(g, content_guid(&[b"ab", b""]));
}

#[test]
fn timestamps() {
    assert_eq!(gpp_timestamp(0).unwrap(), "1970-01-01 00:00:00");
    assert_eq!(gpp_timestamp(1_700_000_000).unwrap(), "2023-11-14 22:13:20");
}

#[test]
fn extension_names_merge_into_one_sorted_bracket_per_cse() {
    let ad = "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]";
    // A new CSE: its own bracket, in CSE order.
    let m = merge_extension_names(ad, &[(CSE_SCRIPTS_GUID, TOOL_SCRIPTS_MACHINE)]).unwrap();
    assert_eq!(m, format!("{ad}{CSE_SCRIPTS_MACHINE}"));
    // A tool of a CSE that is there: inside its bracket, sorted; no second bracket.
    let m = merge_extension_names(
        &m,
        &[(CSE_REGISTRY_GUID, "{0F6B957D-509E-11D1-A7CC-0000F87571E3}")],
    )
    .unwrap();
    assert_eq!(
        m,
        format!("[{{35378EAC-683F-11D2-A89A-00C04FBBCFA2}}{{0F6B957D-509E-11D1-A7CC-0000F87571E3}}{{D02B1F72-3407-48AE-BA88-E8213C6761F1}}]{CSE_SCRIPTS_MACHINE}")
    );
    assert_eq!(m.matches("35378EAC").count(), 1);
    // Merging again changes nothing; case differences are the same GUID.
    let again = merge_extension_names(
        &m,
        &[(&CSE_SCRIPTS_GUID.to_ascii_lowercase(), TOOL_SCRIPTS_MACHINE)],
    )
    .unwrap();
    assert_eq!(again, m);
    // Brackets out of order in AD come back sorted, duplicates folded.
    let messy = format!("{CSE_SCRIPTS_MACHINE}{CSE_REGISTRY}{CSE_SCRIPTS_MACHINE}");
    assert_eq!(
        merge_extension_names(&messy, &[]).unwrap(),
        format!("{CSE_REGISTRY}{CSE_SCRIPTS_MACHINE}")
    );
    assert_eq!(merge_extension_names("", &[]).unwrap(), "");
    assert!(merge_extension_names("[{not-a-guid}]", &[]).is_none());
    assert!(merge_extension_names("[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}", &[]).is_none());
}

#[test]
fn gpt_ini_version_has_user_in_the_upper_16_bits() {
    assert_eq!(gpt_ini(1, 0), b"[General]\r\nVersion=1\r\n");
    assert_eq!(gpt_ini(0, 1), b"[General]\r\nVersion=65536\r\n");
    // [MS-GPOL] 4.10's sample: Version=9437184 is user version 144, computer version 0.
    assert_eq!(gpt_ini(0, 144), b"[General]\r\nVersion=9437184\r\n");
}

#[test]
fn policy_keys() {
    assert!(is_policy_key("SOFTWARE\\Policies\\Microsoft\\Windows"));
    assert!(is_policy_key(
        "Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"
    ));
    assert!(!is_policy_key("SOFTWARE\\PoliciesX"));
    assert!(!is_policy_key(
        "SYSTEM\\CurrentControlSet\\Services\\PolicyAgent"
    ));
}

#[test]
fn psscripts_ini_is_utf16_with_bom() {
    let b = psscripts_ini("Invoke-X.ps1");
    assert_eq!(&b[..2], &[0xff, 0xfe]);
    let text = crate::regfile::from_utf16le(&b[2..]).unwrap();
    assert_eq!(
        text,
        "\r\n[Startup]\r\n0CmdLine=Invoke-X.ps1\r\n0Parameters=\r\n"
    );
}

/// A finding about the bundle points into bundle.yaml (its `name`), like the validator's.
#[test]
fn a_bundle_name_that_cannot_be_a_file_name_is_located_in_bundle_yaml() {
    let (bundle, plan) = crate::render::tests::plan_with_name("Bad/Name");
    let startup = StartupScripts::Unavailable("not needed here");
    let errors = render(&plan, startup, &GpoOptions::default()).unwrap_err();
    crate::render::tests::assert_at_bundle_name(&bundle, &plan, &errors[0]);
}
