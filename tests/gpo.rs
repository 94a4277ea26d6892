//! Oracles for `gpo/`: Samba's Registry.pol parser (Debian python3-samba) reads Registry.pol
//! back to the keys, names, types and data the recipes say; xmllint checks Registry.xml is
//! well-formed and Python's XML parser reads its items back for the structural checks of
//! facts/windows.md (clsids, Properties attributes, value encodings, content uids).

mod common;
#[path = "common/torture.rs"]
mod torture;

use std::path::Path;
use std::process::Command;

use fixgen::pipeline::parts::plan::Plan;
use fixgen::pipeline::parts::regfile::RegData;
use fixgen::pipeline::parts::registry::RegPath;
use fixgen::pipeline::parts::render::gpo::{self, GpoOptions, StartupScripts};
use fixgen::pipeline::parts::render::powershell::{self, PsOptions};
use fixgen::pipeline::parts::render::Artifacts;
use serde_json::Value;

const PYTHON: &str = "/usr/bin/python3";

/// Debian's python with Samba importable, or None (skipped with a reason; a failure when
/// FIXGEN_REQUIRE_ORACLES=1).
fn samba_python() -> Option<&'static str> {
    common::oracle(PYTHON)?;
    let ok = Command::new(PYTHON)
        .args(["-c", "from samba.gp_parse.gp_pol import GPPolParser"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(PYTHON)
    } else if common::oracles_required() {
        panic!("{PYTHON} cannot import samba (install python3-samba) and FIXGEN_REQUIRE_ORACLES=1");
    } else {
        common::skipped(&format!(
            "{PYTHON} cannot import samba (install python3-samba)"
        ));
        None
    }
}

const READ_POL: &str = r#"
import json, sys
from samba.gp_parse.gp_pol import GPPolParser
p = GPPolParser()
p.parse(open(sys.argv[1], 'rb').read())
out = {'signature': p.pol_file.header.signature, 'version': p.pol_file.header.version, 'entries': []}
for e in p.pol_file.entries:
    d = e.data
    if isinstance(d, int):
        data = {'int': str(d)}
    elif isinstance(d, str):
        data = {'str': d}
    else:
        data = {'hex': bytes(d).hex()}
    out['entries'].append({'key': e.keyname, 'name': e.valuename, 'type': e.type, 'size': e.size, 'data': data})
print(json.dumps(out))
"#;

const READ_XML: &str = r#"
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
items = []
for r in root:
    props = r.findall('Properties')
    vals = r.find('Properties/Values')
    items.append({
        'tag': r.tag, 'attrib': r.attrib, 'children': [c.tag for c in r],
        'props': props[0].attrib if props else None,
        'values': None if vals is None else [v.text or '' for v in vals.findall('Value')],
    })
print(json.dumps({'tag': root.tag, 'attrib': root.attrib, 'items': items}))
"#;

fn run_python(python: &str, script: &str, file: &Path) -> Value {
    let o = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .expect("run python");
    assert!(
        o.status.success(),
        "python failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON from python")
}

fn plan_of(bundle: fixgen::pipeline::parts::load::Bundle) -> Plan {
    fixgen::pipeline::parts::plan::build(&bundle, &Default::default()).expect("plan")
}

fn render(plan: &Plan, opts: &GpoOptions) -> (Artifacts, Option<Artifacts>) {
    let scripts = powershell::render_scripts(
        plan,
        &PsOptions {
            allow_open_params: false,
            ..PsOptions::default()
        },
    )
    .ok();
    let startup = match &scripts {
        Some(a) => StartupScripts::Scripts(a),
        None => StartupScripts::Unavailable("params without a value"),
    };
    let arts = gpo::render(plan, startup, opts).expect("gpo renders");
    (arts, scripts)
}

/// Samba's reading of data, in the same shape as `READ_POL` prints it.
fn samba_shape(d: &RegData) -> Value {
    match d {
        RegData::Sz(s) | RegData::ExpandSz(s) => serde_json::json!({ "str": s }),
        RegData::Dword(v) => serde_json::json!({ "int": v.to_string() }),
        RegData::Qword(v) => serde_json::json!({ "int": v.to_string() }),
        other => serde_json::json!({ "hex": hex::encode(other.to_bytes()) }),
    }
}

/// What a Registry.pol for `hive` must hold, in order: (key, name, type, size, data).
fn pol_expectation(changes: &[(String, String, Option<RegData>)], hive: &str) -> Vec<Value> {
    changes
        .iter()
        .filter(|(k, _, _)| {
            k.starts_with(hive) && gpo::is_policy_key(&RegPath::parse(k).expect("valid").subkey)
        })
        .map(|(k, n, d)| {
            let p = RegPath::parse(k).expect("valid key");
            match d {
                Some(d) => serde_json::json!({
                    "key": p.subkey, "name": n, "type": d.kind(),
                    "size": d.to_bytes().len(), "data": samba_shape(d),
                }),
                None => serde_json::json!({
                    "key": p.subkey, "name": format!("**del.{n}"), "type": 1,
                    "size": 4, "data": { "str": " " },
                }),
            }
        })
        .collect()
}

fn write(dir: &Path, arts: &Artifacts, path: &str) -> std::path::PathBuf {
    let f = arts
        .files
        .get(path)
        .unwrap_or_else(|| panic!("{path} not rendered"));
    let local = dir.join(path.replace('/', "_"));
    std::fs::write(&local, &f.bytes).expect("write");
    local
}

/// The torture recipe with its keys moved under `SOFTWARE\Policies` (HKLM and HKCU): the
/// values Registry.pol carries.
fn policies_torture() -> (Plan, Vec<(String, String, Option<RegData>)>) {
    let move_key = |t: &str, sep: &str| {
        t.replace(
            &format!("SOFTWARE{sep}FixgenTorture"),
            &format!("SOFTWARE{sep}Policies{sep}FixgenTorture"),
        )
        .replace(
            &format!("Software{sep}FixgenTorture"),
            &format!("Software{sep}Policies{sep}FixgenTorture"),
        )
    };
    let sources = torture::sources()
        .into_iter()
        .map(|mut f| {
            f.text = move_key(&f.text, "\\\\");
            f
        })
        .collect();
    let bundle =
        fixgen::pipeline::parts::validate::parse_bundle(sources).expect("policies torture loads");
    let changes = torture::changes_in_order()
        .into_iter()
        .map(|(k, n, d)| (move_key(&k, "\\"), n, d))
        .collect();
    (plan_of(bundle), changes)
}

fn l2tp_changes() -> Vec<(String, String, Option<RegData>)> {
    torture::l2tp_expectations()
        .into_iter()
        .map(|e| (e.key, e.name, e.data))
        .collect()
}

#[test]
fn registry_pol_reads_back_through_samba() {
    let Some(python) = samba_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (plan, changes) in [
        (plan_of(torture::bundle()), torture::changes_in_order()),
        policies_torture(),
        (
            plan_of(fixgen::pipeline::parts::validate::embedded_bundle().expect("embedded")),
            l2tp_changes(),
        ),
    ] {
        let (arts, _) = render(&plan, &GpoOptions::default());
        for (file, hive) in [
            ("gpo/Machine/Registry.pol", "HKLM\\"),
            ("gpo/User/Registry.pol", "HKCU\\"),
        ] {
            let want = pol_expectation(&changes, hive);
            if want.is_empty() {
                assert!(!arts.files.contains_key(file), "{file} without values");
                continue;
            }
            let got = run_python(python, READ_POL, &write(dir.path(), &arts, file));
            assert_eq!(got["signature"], "PReg", "{file}");
            assert_eq!(got["version"], 1, "{file}");
            let entries = got["entries"].as_array().expect("entries");
            assert_eq!(entries.len(), want.len(), "{file}");
            for (g, w) in entries.iter().zip(&want) {
                assert_eq!(g, w, "{file}");
            }
            checked += entries.len();
        }
    }
    // The policies torture bundle puts every torture value (HKLM and HKCU) into Registry.pol.
    assert!(checked >= 20, "only {checked} Registry.pol entries checked");
}

fn xml_value(d: &RegData) -> (&'static str, String) {
    match d {
        RegData::Sz(s) => ("REG_SZ", s.clone()),
        RegData::ExpandSz(s) => ("REG_EXPAND_SZ", s.clone()),
        RegData::MultiSz(items) => ("REG_MULTI_SZ", items.join(" ")),
        RegData::Dword(v) => ("REG_DWORD", format!("{v:08X}")),
        RegData::Qword(v) => ("REG_QWORD", format!("{v:016X}")),
        RegData::Binary(b) => ("REG_BINARY", hex::encode(b)),
        RegData::Raw { .. } => unreachable!("recipes have no raw data"),
    }
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 38
        && b[0] == b'{'
        && b[37] == b'}'
        && [9, 14, 19, 24].iter().all(|&i| b[i] == b'-')
        && s[1..37]
            .chars()
            .filter(|c| *c != '-')
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
}

#[test]
fn registry_xml_is_well_formed_and_follows_the_gpp_format() {
    let Some(xmllint) = common::oracle("xmllint") else {
        return;
    };
    let Some(python) = common::oracle(PYTHON) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (plan, changes) in [
        (plan_of(torture::bundle()), torture::changes_in_order()),
        policies_torture(),
        (
            plan_of(fixgen::pipeline::parts::validate::embedded_bundle().expect("embedded")),
            l2tp_changes(),
        ),
    ] {
        let (arts, _) = render(&plan, &GpoOptions::default());
        // Same input, same bytes.
        assert_eq!(arts, render(&plan, &GpoOptions::default()).0);
        let mut uids = std::collections::BTreeSet::new();
        for (file, hive, hive_long) in [
            (
                "gpo/Machine/Preferences/Registry/Registry.xml",
                "HKLM\\",
                "HKEY_LOCAL_MACHINE",
            ),
            (
                "gpo/User/Preferences/Registry/Registry.xml",
                "HKCU\\",
                "HKEY_CURRENT_USER",
            ),
        ] {
            // Each value goes through one mechanism: the Policies keys are Registry.pol's.
            let want: Vec<_> = changes
                .iter()
                .filter(|(k, _, _)| {
                    k.starts_with(hive)
                        && !gpo::is_policy_key(&RegPath::parse(k).expect("valid").subkey)
                })
                .collect();
            if want.is_empty() {
                assert!(!arts.files.contains_key(file));
                continue;
            }
            let local = write(dir.path(), &arts, file);
            let o = Command::new(&xmllint)
                .arg("--noout")
                .arg(&local)
                .output()
                .expect("run xmllint");
            assert!(
                o.status.success(),
                "xmllint rejects {file}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let bytes = &arts.files[file].bytes;
            assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"));
            let doc = run_python(&python.display().to_string(), READ_XML, &local);
            assert_eq!(doc["tag"], "RegistrySettings");
            assert_eq!(
                doc["attrib"]["clsid"],
                "{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}"
            );
            let items = doc["items"].as_array().expect("items");
            assert_eq!(items.len(), want.len(), "{file}");
            for (item, (key, name, data)) in items.iter().zip(&want) {
                let p = RegPath::parse(key).expect("valid");
                let a = &item["attrib"];
                assert_eq!(item["tag"], "Registry");
                assert_eq!(a["clsid"], "{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}");
                let shown = if name.is_empty() { "(Default)" } else { name };
                assert_eq!(a["name"], shown);
                assert_eq!(a["status"], shown);
                assert!(
                    a.get("changed").is_none(),
                    "changed without SOURCE_DATE_EPOCH"
                );
                let uid = a["uid"].as_str().expect("uid");
                assert!(is_guid(uid), "{uid}");
                assert!(uids.insert(uid.to_string()), "duplicate uid {uid}");
                assert!(a["image"]
                    .as_str()
                    .is_some_and(|i| i.parse::<u32>().is_ok()));
                let pr = &item["props"];
                assert_eq!(pr["hive"], hive_long);
                assert_eq!(pr["key"], p.subkey.as_str());
                assert!(!p.subkey.starts_with('\\') && !p.subkey.ends_with('\\'));
                assert_eq!(pr["name"], name.as_str());
                assert_eq!(pr["default"], if name.is_empty() { "1" } else { "0" });
                assert!(pr["displayDecimal"] == "0" || pr["displayDecimal"] == "1");
                match data {
                    Some(d) => {
                        let (ty, value) = xml_value(d);
                        assert_eq!(pr["action"], "U", "{name}");
                        assert_eq!(pr["type"], ty, "{name}");
                        assert_eq!(pr["value"], value.as_str(), "{name}");
                        match d {
                            RegData::MultiSz(items_want) => {
                                assert_eq!(item["values"], serde_json::json!(items_want));
                            }
                            _ => assert!(item["values"].is_null()),
                        }
                    }
                    None => assert_eq!(pr["action"], "D", "{name}"),
                }
                // removePolicy="1" on every item that sets a value, except service startup
                // types (deleting Start would break the service) and Delete items.
                let service = a["desc"]
                    .as_str()
                    .is_some_and(|d| d.contains("startup type of service"));
                let want_remove = data.is_some() && !service;
                assert_eq!(
                    a.get("removePolicy").and_then(|v| v.as_str()),
                    want_remove.then_some("1"),
                    "{name}: removePolicy"
                );
            }
        }
        // With SOURCE_DATE_EPOCH every item carries the same `changed`; nothing else moves.
        let stamped = render(
            &plan,
            &GpoOptions {
                source_date_epoch: Some(1_700_000_000),
            },
        )
        .0;
        let xml = "gpo/Machine/Preferences/Registry/Registry.xml";
        let text = String::from_utf8(stamped.files[xml].bytes.clone()).unwrap();
        let n_items = text.matches("<Registry clsid=").count();
        assert!(n_items > 0);
        assert_eq!(
            text.matches(" changed=\"2023-11-14 22:13:20\"").count(),
            n_items
        );
        assert_eq!(
            text.replace(" changed=\"2023-11-14 22:13:20\"", ""),
            String::from_utf8(arts.files[xml].bytes.clone()).unwrap()
        );
    }
}

#[test]
fn startup_script_is_the_script_targets_bytes_with_psscripts_ini() {
    let plan = plan_of(torture::bundle());
    let (arts, scripts) = render(&plan, &GpoOptions::default());
    let scripts = scripts.expect("the torture bundle has no params");
    let ini = &arts.files["gpo/Machine/Scripts/psscripts.ini"].bytes;
    assert_eq!(&ini[..2], &[0xff, 0xfe], "psscripts.ini starts with a BOM");
    let text = fixgen::pipeline::parts::regfile::from_utf16le(&ini[2..]).expect("UTF-16LE");
    assert_eq!(
        text,
        "\r\n[Startup]\r\n0CmdLine=Invoke-FixgenTorture.ps1\r\n0Parameters=\r\n"
    );
    let mut n = 0;
    for (path, f) in &scripts.files {
        let name = path.strip_prefix("scripts/").expect("scripts/");
        let copy = &arts.files[&format!("gpo/Machine/Scripts/Startup/{name}")];
        assert_eq!(
            copy.bytes, f.bytes,
            "{name} differs from the script target's"
        );
        n += 1;
    }
    assert!(n >= 2);
    assert!(arts
        .files
        .contains_key("gpo/Machine/Scripts/Startup/Invoke-FixgenTorture.ps1"));
    let readme = String::from_utf8(arts.files["gpo/README.md"].bytes.clone()).unwrap();
    for needle in [
        "GPT.ini",
        "versionNumber",
        "gPCMachineExtensionNames",
        "{B087BE9D-ED37-454F-AF9C-04291E351182}",
        "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}",
        "{42B5FAAE-6536-11D2-AE5A-0000F87571E3}",
        "Invoke-FixgenTorture.ps1",
    ] {
        assert!(readme.contains(needle), "README lacks {needle}");
    }
    // The recipe's title reaches the README only as one escaped line.
    assert!(!readme.contains("\n[HKEY_LOCAL_MACHINE"));

    // The L2TP bundle needs values for its params: no startup script, and the README says why.
    let plan = plan_of(fixgen::pipeline::parts::validate::embedded_bundle().expect("embedded"));
    let (arts, scripts) = render(&plan, &GpoOptions::default());
    assert!(scripts.is_none());
    assert!(!arts.files.keys().any(|p| p.contains("/Scripts/")));
    let readme = String::from_utf8(arts.files["gpo/README.md"].bytes.clone()).unwrap();
    assert!(readme.contains("No startup script"), "{readme}");
}

#[test]
fn build_cli_gpo_target_is_reproducible_and_stamps_only_with_source_date_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let build = |out: &str, epoch: Option<&str>| {
        let mut c = common::fixgen();
        c.args(["build", "--target", "gpo", "--out"])
            .arg(dir.path().join(out))
            .env_remove("SOURCE_DATE_EPOCH");
        if let Some(e) = epoch {
            c.env("SOURCE_DATE_EPOCH", e);
        }
        c.output().expect("run fixgen")
    };
    let read = |out: &str| {
        std::fs::read(
            dir.path()
                .join(out)
                .join("gpo/Machine/Preferences/Registry/Registry.xml"),
        )
        .expect("Registry.xml written")
    };
    for (out, epoch) in [("a", None), ("b", None), ("c", Some("0"))] {
        let o = build(out, epoch);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(read("a"), read("b"));
    let a = String::from_utf8(read("a")).unwrap();
    let c = String::from_utf8(read("c")).unwrap();
    assert!(!a.contains("changed="));
    assert!(c.contains(" changed=\"1970-01-01 00:00:00\""));
    // The L2TP bundle has no value under a Policies key: no Registry.pol, GPT.ini for the
    // computer side only.
    assert!(!dir.path().join("a/gpo/Machine/Registry.pol").exists());
    assert_eq!(
        std::fs::read(dir.path().join("a/gpo/GPT.ini")).unwrap(),
        b"[General]\r\nVersion=1\r\n"
    );
    assert!(dir.path().join("a/gpo/README.md").exists());

    let o = build("d", Some("yesterday"));
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SOURCE_DATE_EPOCH"));
    assert!(!dir.path().join("d").exists());
}

#[test]
fn readme_user_side_guidance_and_gpt_ini() {
    let (plan, _) = policies_torture();
    let (arts, _) = render(&plan, &GpoOptions::default());
    let readme = String::from_utf8(arts.files["gpo/README.md"].bytes.clone()).unwrap();
    // User-side Registry.pol: the user tool GUID of [MS-GPREG] 1.9 in gPCUserExtensionNames.
    let user_line = readme
        .lines()
        .find(|l| l.contains("`gPCUserExtensionNames`, for a GPO"))
        .expect("gPCUserExtensionNames value");
    assert!(user_line.contains(
        "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F73-3407-48AE-BA88-E8213C6761F1}]"
    ));
    assert!(!user_line.contains("D02B1F72"), "{user_line}");
    for needle in [
        "LGPO.exe /m Machine\\Registry.pol",
        "LGPO.exe /u User\\Registry.pol",
        "loopback processing",
        "removePolicy",
    ] {
        assert!(readme.contains(needle), "README lacks {needle}");
    }
    assert!(!readme.contains("--sign"));
    // Both sides changed: version 1 for each half.
    assert_eq!(
        arts.files["gpo/GPT.ini"].bytes,
        b"[General]\r\nVersion=65537\r\n"
    );
}

#[test]
fn deploy_script_is_clean_powershell_with_one_mechanism_per_value() {
    for (plan, changes) in [
        (plan_of(torture::bundle()), torture::changes_in_order()),
        policies_torture(),
        (
            plan_of(fixgen::pipeline::parts::validate::embedded_bundle().expect("embedded")),
            l2tp_changes(),
        ),
    ] {
        let (arts, _) = render(&plan, &GpoOptions::default());
        let path = format!("gpo/Deploy-{}Gpo.ps1", plan.bundle.name);
        let text = String::from_utf8(arts.files[&path].bytes.clone()).expect("UTF-8");
        // Pure ASCII, CRLF, tree-sitter without errors, only allowlisted commands/parameters.
        let problems = common::pwsh::check_generated(&path, &text);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let undefined = common::pwsh::undefined_variables(&text);
        assert!(undefined.is_empty(), "{}", undefined.join("\n"));
        // The real parser too.
        if let Some(pwsh) = common::pwsh_host::pwsh() {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("deploy.ps1");
            std::fs::write(&file, &text).unwrap();
            let o = common::pwsh_host::run_pwsh(
                &pwsh,
                &format!(
                    "$e = $null; $t = $null; [void][System.Management.Automation.Language.Parser]::ParseFile('{}', [ref]$t, [ref]$e); $e | ForEach-Object {{ $_.Extent.StartLineNumber.ToString() + ': ' + $_.Message }}",
                    file.display()
                ),
            );
            assert!(o.status.success());
            assert_eq!(
                String::from_utf8_lossy(&o.stdout).trim(),
                "",
                "pwsh parse errors"
            );
        }
        // Every change exactly once: policy values for the Policies keys, preference items
        // for the rest; never both.
        let pol_lines = text.matches("; Delete = $").count();
        let pref_lines = text.matches("; Action = '").count();
        let want_pol = changes
            .iter()
            .filter(|(k, _, _)| {
                let p = RegPath::parse(k).expect("valid");
                gpo::is_policy_key(&p.subkey)
                    && (k.starts_with("HKLM\\") || k.starts_with("HKCU\\"))
            })
            .count();
        assert_eq!(pol_lines, want_pol, "{path}");
        assert_eq!(pol_lines + pref_lines, changes.len(), "{path}");
    }
}

#[test]
fn simulated_group_policy_cmdlets_take_the_documented_parameters() {
    // The fakes of tests/pester/sim/SimGroupPolicy.psm1 must have exactly the parameters the
    // allowlist has from Microsoft's documentation, so a scenario cannot pass on a parameter
    // the real cmdlet lacks.
    let Some(pwsh) = common::pwsh_host::pwsh() else {
        return;
    };
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pester/sim/SimGroupPolicy.psm1");
    let names = [
        "New-GPO",
        "Get-GPO",
        "Set-GPRegistryValue",
        "Get-GPRegistryValue",
        "Set-GPPrefRegistryValue",
        "Get-GPPrefRegistryValue",
        "Remove-GPPrefRegistryValue",
        "New-GPLink",
        "Get-GPInheritance",
        "Get-ADObject",
        "Set-ADObject",
    ];
    let script = format!(
        "Import-Module -Name '{}'; foreach ($n in @('{}')) {{ $c = Get-Command -Name $n -CommandType Function; $n + ':' + $c.Parameters.ContainsKey('WhatIf') + ':' + ((@($c.Parameters.Keys | Where-Object {{ $_ -notin [System.Management.Automation.Cmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.Cmdlet]::OptionalCommonParameters }}) | Sort-Object) -join ',') }}",
        module.display(),
        names.join("','")
    );
    let o = common::pwsh_host::run_pwsh(&pwsh, &script);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let mut seen = 0;
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(name), Some(whatif), Some(params)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let fake: std::collections::BTreeSet<String> = params
            .split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let doc = common::pwsh_allowlist::lookup_cmdlet(name).expect("in the allowlist");
        let want: std::collections::BTreeSet<String> =
            doc.params.iter().map(|p| p.to_ascii_lowercase()).collect();
        let extra: Vec<_> = fake.difference(&want).collect();
        assert!(
            extra.is_empty(),
            "{name}: fake parameters not in the docs: {extra:?}"
        );
        let missing: Vec<_> = want.difference(&fake).collect();
        assert!(
            missing.is_empty(),
            "{name}: documented parameters the fake lacks: {missing:?}"
        );
        // -WhatIf/-Confirm exactly where the documentation has them.
        assert_eq!(whatif == "True", doc.should_process, "{name}: -WhatIf");
        seen += 1;
    }
    assert_eq!(seen, names.len(), "{text}");
}

#[test]
fn deploy_script_merges_extension_names_like_the_readme() {
    // The merge in Deploy-<Bundle>Gpo.ps1 (run by pwsh, taken from the generated script) and
    // gpo::merge_extension_names (the values gpo/README.md prints) agree.
    let Some(pwsh) = common::pwsh_host::pwsh() else {
        return;
    };
    let plan = plan_of(torture::bundle());
    let (arts, _) = render(&plan, &GpoOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("deploy.ps1");
    std::fs::write(
        &script,
        &arts.files["gpo/Deploy-FixgenTortureGpo.ps1"].bytes,
    )
    .unwrap();
    let add = (gpo::CSE_SCRIPTS_GUID, gpo::TOOL_SCRIPTS_MACHINE);
    let existing = [
        String::new(),
        gpo::CSE_REGISTRY.to_string(),
        format!("{}{}", gpo::CSE_SCRIPTS_MACHINE, gpo::CSE_REGISTRY),
        format!(
            "{}{}",
            gpo::CSE_PREFERENCES_REGISTRY,
            gpo::CSE_PREFERENCES_TOOL
        ),
        "[{42b5faae-6536-11d2-ae5a-0000f87571e3}{0F6B957D-509E-11D1-A7CC-0000F87571E3}]"
            .to_string(),
        format!("{}{}", gpo::CSE_SCRIPTS_MACHINE, gpo::CSE_SCRIPTS_MACHINE),
    ];
    let mut ps = format!(
        "$e = $null; $t = $null; $ast = [System.Management.Automation.Language.Parser]::ParseFile('{}', [ref]$t, [ref]$e)\n\
         $f = $ast.Find({{ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $n.Name -eq 'Merge-FixgenExtensionNames' }}, $true)\n\
         . ([scriptblock]::Create($f.Extent.Text))\n",
        script.display()
    );
    for e in &existing {
        ps.push_str(&format!(
            "'=' + (Merge-FixgenExtensionNames -Existing '{e}' -Add @(, @('{}', '{}')))\n",
            add.0, add.1
        ));
    }
    let o = common::pwsh_host::run_pwsh(&pwsh, &ps);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix('=').map(str::to_string))
        .collect();
    let want: Vec<String> = existing
        .iter()
        .map(|e| gpo::merge_extension_names(e, &[add]).expect("valid"))
        .collect();
    assert_eq!(got, want);
}
