//! Injection torture: recipe strings full of PowerShell metacharacters, quotes, comment
//! markers, newlines and non-ASCII. Every generated file must still parse (tree-sitter-pwsh),
//! and every value must appear as exactly one string expression that evaluates to the original
//! text (found by walking the syntax tree and un-escaping single-quoted literals, `[char]`
//! casts and `+` concatenation).

mod common;

use std::collections::BTreeMap;

use common::pwsh;

/// The nasty core every value carries.
const NASTY: &str = "' \u{2018} \u{2019} \u{201A} \u{201B} \" ` $(Remove-Item C:\\) ${env:PATH} @' '@ #> <# ; | & \u{e9} \u{4e2d} \u{1F600}";

fn nasty(tag: &str) -> String {
    format!("{tag}: {NASTY}")
}

fn nasty_multiline(tag: &str) -> String {
    format!("{tag}: {NASTY}\nsecond line\r\n\tthird '@\n#>")
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

struct Torture {
    dir: tempfile::TempDir,
    /// field -> value that must appear exactly once in each script/module that holds the recipe.
    values: BTreeMap<&'static str, String>,
}

fn write_bundle() -> Torture {
    let dir = tempfile::tempdir().unwrap();
    let mut values = BTreeMap::new();
    let title = nasty("title");
    let summary = nasty_multiline("summary");
    let key_seg = nasty("key");
    let value_name = nasty("value-name");
    let sz = nasty_multiline("string-data");
    let expand = nasty_multiline("expand-data") + " %SystemRoot%";
    let multi_a = nasty_multiline("multi-a");
    let multi_b = nasty("multi-b");
    let long: String = format!("long: {NASTY} ") + &"x'\u{e9}".repeat(3330);
    assert!(long.chars().count() >= 10_000);
    let display = nasty_multiline("display-name");
    let fw_desc = nasty_multiline("fw-description");
    // A connection name and a server address given through params are checked as literals
    // are (issue 14): one line without control characters, and a host name.
    let vpn_name = nasty("vpn-name");
    let server = "vpn-server.example.com".to_string();

    let recipe = format!(
        r#"id: torture
title: {title}
summary: {summary}
context: system
reboot: required
params:
  VpnName: {{ type: string, required: true, description: {pdesc} }}
  Server: {{ type: string, required: true }}
steps:
  - registry:
      key: {key}
      name: {value_name}
      value: {{ string: {sz} }}
  - registry:
      key: HKLM\SOFTWARE\fixgen-test
      name: expand
      value: {{ expand_string: {expand} }}
  - registry:
      key: HKLM\SOFTWARE\fixgen-test
      name: multi
      value: {{ multi_string: [{multi_a}, {multi_b}] }}
  - registry:
      key: HKLM\SOFTWARE\fixgen-test
      name: long
      value: {{ string: {long} }}
  - firewall:
      id: fixgen-torture
      display_name: {display}
      description: {fw_desc}
      direction: inbound
      protocol: tcp
      local_ports: [443, "8000-8090"]
      action: allow
  - vpn:
      name: {{ param: VpnName }}
      server: {{ param: Server }}
      tunnel: l2tp
      authentication: [mschapv2]
      encryption: required
"#,
        title = q(&title),
        summary = q(&summary),
        pdesc = q(&nasty_multiline("param-description")),
        key = q(&format!("HKLM\\SOFTWARE\\fixgen-test\\{key_seg}")),
        value_name = q(&value_name),
        sz = q(&sz),
        expand = q(&expand),
        multi_a = q(&multi_a),
        multi_b = q(&multi_b),
        long = q(&long),
        display = q(&display),
        fw_desc = q(&fw_desc),
    );
    let bundle = format!(
        "name: TortureFix\ntitle: {}\nversion: 0.1.0\ndescription: {}\npublisher: {}\nrecipes: [torture]\n",
        q(&nasty_multiline("bundle-title")),
        q(&nasty_multiline("bundle-description")),
        q(&nasty("publisher")),
    );
    std::fs::create_dir(dir.path().join("bundle")).unwrap();
    std::fs::write(dir.path().join("bundle/bundle.yaml"), bundle).unwrap();
    std::fs::write(dir.path().join("bundle/torture.yaml"), recipe).unwrap();
    std::fs::write(
        dir.path().join("values.yaml"),
        format!("VpnName: {}\nServer: {}\n", q(&vpn_name), q(&server)),
    )
    .unwrap();
    values.insert("title", title);
    values.insert("summary", summary);
    values.insert(
        "key",
        format!("Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\fixgen-test\\{key_seg}"),
    );
    values.insert("value_name", value_name);
    values.insert("string", sz);
    values.insert("expand_string", expand);
    values.insert("multi_a", multi_a);
    values.insert("multi_b", multi_b);
    values.insert("long", long);
    values.insert("display_name", display);
    values.insert("fw_description", fw_desc);
    values.insert("vpn_name", vpn_name);
    values.insert("server", server);
    Torture { dir, values }
}

#[test]
fn torture_values_round_trip_through_the_syntax_tree() {
    let t = write_bundle();
    let out = t.dir.path().join("dist");
    let o = common::fixgen()
        .arg("build")
        .arg(t.dir.path().join("bundle"))
        .arg("--values")
        .arg(t.dir.path().join("values.yaml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = [
        "scripts/torture.ps1",
        "scripts/Invoke-TortureFix.ps1",
        "module/TortureFix/TortureFix.psm1",
        "module/TortureFix/TortureFix.psd1",
    ];
    let mut checked = 0;
    for f in files {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(text.is_ascii(), "{f} is not ASCII");
        let problems = pwsh::syntax_problems(&text);
        assert!(problems.is_empty(), "{f}: {problems:#?}");
        let violations = pwsh::allowlist_violations(&text);
        assert!(violations.is_empty(), "{f}: {violations:#?}");
        let strings = pwsh::string_values(&text);
        // Nothing of the nasty text leaks out of a string as code: no string value other than
        // the expected ones contains the marker.
        if f.ends_with("torture.ps1") || f.ends_with(".psm1") {
            for (field, v) in &t.values {
                let n = strings.iter().filter(|s| *s == v).count();
                // The module's Undo-<Bundle> names what each recipe changes (registry key and
                // value name, VPN connection name) once more, as its undo targets.
                let undo_target =
                    f.ends_with(".psm1") && matches!(*field, "key" | "value_name" | "vpn_name");
                // A script shows title and summary only in its comment help (issue 17: no
                // copy in the data no code reads); the module keeps them as data.
                let help_only = !f.ends_with(".psm1") && matches!(*field, "title" | "summary");
                assert_eq!(
                    n,
                    if undo_target {
                        2
                    } else if help_only {
                        0
                    } else {
                        1
                    },
                    "{f}: {field} appears {n} times as a string expression"
                );
                checked += 1;
            }
            for s in &strings {
                if s.contains("$(Remove-Item") {
                    assert!(
                        t.values.values().any(|v| v == s),
                        "{f}: unexpected string containing the payload: {s:?}"
                    );
                }
            }
        }
        if f.ends_with(".psd1") {
            // Data files take constants only: lossy ASCII text, still one literal.
            let desc: Vec<&String> = strings
                .iter()
                .filter(|s| s.starts_with("bundle-description: "))
                .collect();
            assert_eq!(desc.len(), 1, "{strings:?}");
            assert!(desc[0].contains("U+00E9") && desc[0].contains("$(Remove-Item"));
        }
    }
    assert_eq!(checked, 2 * t.values.len());
}
