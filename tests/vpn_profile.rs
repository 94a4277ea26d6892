//! Issue 15 item 7, the Intune part: the VPN connection and its pre-shared key as an Intune VPN
//! configuration profile (`intune/<Bundle>/vpnProfile.json`, a Graph body for a Windows 10
//! custom OMA-URI profile holding a VPNv2 ProfileXML), so the key never has to sit in a script
//! body. Every ProfileXML is checked with `xmllint --schema schema/vpnv2-profile.xsd` (written
//! from Microsoft's VPNv2 CSP and ProfileXML XSD pages) and read back with `xmllint --xpath`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn xsd() -> PathBuf {
    root().join("schema/vpnv2-profile.xsd")
}

fn build(dir: &Path, values: &str, extra: &[&str]) -> (PathBuf, Output) {
    let v = dir.join("values.yaml");
    std::fs::write(&v, values).unwrap();
    let out = dir.join("dist");
    let o = common::fixgen()
        .args(["build", "--values", v.to_str().unwrap(), "--out"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    (out, o)
}

fn xmllint(args: &[&str], file: &Path) -> Option<Output> {
    let x = common::oracle("xmllint")?;
    Some(
        std::process::Command::new(x)
            .args(args)
            .arg(file)
            .output()
            .unwrap(),
    )
}

fn xpath(file: &Path, expr: &str) -> String {
    let o = xmllint(&["--xpath", expr], file).unwrap();
    assert!(o.status.success(), "{expr}: {}", common::output_report(&o));
    // xmllint ends the result with one line break of its own.
    let mut s = String::from_utf8(o.stdout).unwrap();
    assert_eq!(s.pop(), Some('\n'), "{expr}");
    s
}

/// The omaSettings of `intune/L2tpIpsecFix/vpnProfile.json`, each ProfileXML written to a file.
fn settings(out: &Path, tmp: &Path) -> (serde_json::Value, Vec<(serde_json::Value, PathBuf)>) {
    let p = out.join("intune/L2tpIpsecFix/vpnProfile.json");
    let body: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap();
    let list = body["omaSettings"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let f = tmp.join(format!("profile-{i}.xml"));
            std::fs::write(&f, s["value"].as_str().unwrap()).unwrap();
            (s.clone(), f)
        })
        .collect();
    (body, list)
}

const VALUES: &str =
    "ConnectionName: Contoso VPN\nServerAddress: vpn.contoso.com\nPreSharedKey: Zq8-unique-psk-7f3a91\n";

#[test]
fn intune_delivers_the_key_in_a_vpn_profile_not_a_script_body() {
    if common::oracle("xmllint").is_none() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let (out, o) = build(t.path(), VALUES, &["--allow-embedded-secrets"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::output_report(&o));
    let (body, list) = settings(&out, t.path());
    assert_eq!(
        body["@odata.type"],
        "#microsoft.graph.windows10CustomConfiguration"
    );
    assert_eq!(list.len(), 1, "one connection, one setting: {body}");
    let (s, file) = &list[0];
    assert_eq!(s["@odata.type"], "#microsoft.graph.omaSettingString");
    assert_eq!(
        s["omaUri"],
        "./Device/Vendor/MSFT/VPNv2/Contoso%20VPN/ProfileXML"
    );
    // The schema written from Microsoft's documentation accepts it.
    let v = xmllint(&["--noout", "--schema", xsd().to_str().unwrap()], file).unwrap();
    assert!(v.status.success(), "{}", common::output_report(&v));
    // And it says what the recipes say (the last VPN recipe in run order: recreate-connection).
    assert_eq!(
        xpath(file, "string(/VPNProfile/NativeProfile/L2tpPsk)"),
        "Zq8-unique-psk-7f3a91"
    );
    assert_eq!(
        xpath(file, "string(/VPNProfile/NativeProfile/NativeProtocolType)"),
        "L2TP"
    );
    assert_eq!(
        xpath(file, "string(/VPNProfile/NativeProfile/Servers)"),
        "vpn.contoso.com"
    );
    assert_eq!(
        xpath(
            file,
            "string(/VPNProfile/NativeProfile/Authentication/UserMethod)"
        ),
        "MSChapv2"
    );
    assert_eq!(
        xpath(file, "string(/VPNProfile/NativeProfile/RoutingPolicyType)"),
        "ForceTunnel"
    );
    assert_eq!(
        xpath(file, "string(/VPNProfile/RememberCredentials)"),
        "true"
    );
    // manifest.json marks the payload as holding the secret; the terminal never shows it.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let row = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "intune/L2tpIpsecFix/vpnProfile.json")
        .expect("vpnProfile.json in manifest.json");
    assert_eq!(row["holds_secret"], true);
    assert!(!common::output_report(&o).contains("Zq8-unique-psk-7f3a91"));
    // intune/README.md follows Microsoft's guidance for Remediations and names the payload.
    let readme = std::fs::read_to_string(out.join("intune/README.md")).unwrap();
    for want in [
        "do not include any type of sensitive information in scripts (such as passwords)",
        "https://learn.microsoft.com/en-us/intune/intune-service/fundamentals/remediations",
        "intune/L2tpIpsecFix/vpnProfile.json",
        "./Device/Vendor/MSFT/VPNv2/Contoso%20VPN/ProfileXML",
        "getOmaSettingPlainTextValue",
    ] {
        assert!(
            readme.contains(want),
            "intune/README.md lacks {want:?}:\n{readme}"
        );
    }
    // The same build is byte-identical.
    let first = std::fs::read(out.join("intune/L2tpIpsecFix/vpnProfile.json")).unwrap();
    let t2 = tempfile::tempdir().unwrap();
    let (out2, _) = build(t2.path(), VALUES, &["--allow-embedded-secrets"]);
    assert_eq!(
        std::fs::read(out2.join("intune/L2tpIpsecFix/vpnProfile.json")).unwrap(),
        first
    );
}

#[test]
fn the_profile_schema_rejects_what_windows_would_not_take() {
    if common::oracle("xmllint").is_none() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let good = "<VPNProfile><RememberCredentials>true</RememberCredentials><NativeProfile><Servers>vpn.contoso.com</Servers><NativeProtocolType>L2TP</NativeProtocolType><L2tpPsk>k</L2tpPsk><Authentication><UserMethod>MSChapv2</UserMethod></Authentication></NativeProfile></VPNProfile>";
    let bad = [
        ("unknown protocol", good.replace(">L2TP<", ">L2tpX<")),
        (
            "no server",
            good.replace("<Servers>vpn.contoso.com</Servers>", ""),
        ),
        (
            "empty key",
            good.replace("<L2tpPsk>k</L2tpPsk>", "<L2tpPsk></L2tpPsk>"),
        ),
        ("unknown user method", good.replace(">MSChapv2<", ">Pap<")),
        (
            "order",
            good.replace("<L2tpPsk>k</L2tpPsk>", "")
                .replace("</Servers>", "</Servers><L2tpPsk>k</L2tpPsk>"),
        ),
        (
            "unknown element",
            good.replace("<NativeProfile>", "<NativeProfile><Foo/>"),
        ),
        (
            "no authentication",
            good.replace(
                "<Authentication><UserMethod>MSChapv2</UserMethod></Authentication>",
                "",
            ),
        ),
    ];
    let f = t.path().join("good.xml");
    std::fs::write(&f, good).unwrap();
    let o = xmllint(&["--noout", "--schema", xsd().to_str().unwrap()], &f).unwrap();
    assert!(o.status.success(), "{}", common::output_report(&o));
    for (what, x) in bad {
        let f = t.path().join("bad.xml");
        std::fs::write(&f, &x).unwrap();
        let o = xmllint(&["--noout", "--schema", xsd().to_str().unwrap()], &f).unwrap();
        assert!(!o.status.success(), "{what}: the schema accepts {x}");
    }
}

#[test]
fn hostile_values_stay_text_in_the_profile_xml() {
    if common::oracle("xmllint").is_none() {
        return;
    }
    let key = r#"k<&>]]>"'%20/ \x"#;
    let name = r#"A&B <VPN> "x" 50%/c"#;
    let t = tempfile::tempdir().unwrap();
    let values = format!(
        "ConnectionName: '{}'\nServerAddress: vpn.contoso.com\nPreSharedKey: '{}'\n",
        name.replace('\'', "''"),
        key.replace('\'', "''")
    );
    let (out, o) = build(
        t.path(),
        &values,
        &["--allow-embedded-secrets", "--target", "scripts,intune"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", common::output_report(&o));
    let (_, list) = settings(&out, t.path());
    let (s, file) = &list[0];
    let v = xmllint(&["--noout", "--schema", xsd().to_str().unwrap()], file).unwrap();
    assert!(v.status.success(), "{}", common::output_report(&v));
    assert_eq!(
        xpath(file, "string(/VPNProfile/NativeProfile/L2tpPsk)"),
        key
    );
    // The profile name is one URL-escaped segment of the OMA-URI.
    assert_eq!(
        s["omaUri"],
        "./Device/Vendor/MSFT/VPNv2/A%26B%20%3CVPN%3E%20%22x%22%2050%25%2Fc/ProfileXML"
    );
}

#[test]
fn no_profile_without_the_key() {
    let t = tempfile::tempdir().unwrap();
    let (out, o) = build(
        t.path(),
        "ConnectionName: Contoso VPN\nServerAddress: vpn.contoso.com\n",
        &["--target", "scripts"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", common::output_report(&o));
    assert!(!out.join("intune").exists());
    // Intune without the key: recreate-connection needs it, so intune is refused by name.
    let t2 = tempfile::tempdir().unwrap();
    let (out2, o2) = build(
        t2.path(),
        "ConnectionName: Contoso VPN\nServerAddress: vpn.contoso.com\n",
        &[],
    );
    assert_eq!(o2.status.code(), Some(0), "{}", common::output_report(&o2));
    assert!(!out2.join("intune/L2tpIpsecFix/vpnProfile.json").exists());
}
