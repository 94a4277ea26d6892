//! Every step kind and variant renders PowerShell that parses and uses only documented
//! cmdlets; detection scripts (for Intune) hold only the read-only parts.

mod common;

use std::path::Path;

use common::pwsh;
use fixgen::render::powershell::{self, PsOptions, ScriptMode};

const BUNDLE: &str = "name: KindsFix\ntitle: Every step kind\nversion: 2.3.4\ndescription: All step kinds.\npublisher: fixgen tests\nrecipes: [registry-kinds, service-kinds, firewall-kinds, vpn-kinds, update-install]\n";

const REGISTRY: &str = r#"id: registry-kinds
title: Registry value kinds
summary: Every registry value kind, every hive and ensure absent.
context: system
reboot: recommended
params:
  Level: { type: int, default: 7 }
  Path: { type: string, required: true }
steps:
  - registry: { key: HKLM\SYSTEM\CurrentControlSet\Services\Fixgen, name: Sz, value: { string: { param: Path } } }
  - registry: { key: HKLM\SYSTEM\CurrentControlSet\Services\Fixgen, name: Expand, value: { expand_string: '%SystemRoot%\x' } }
  - registry: { key: HKLM\SYSTEM\CurrentControlSet\Services\Fixgen, name: Multi, value: { multi_string: [a, b] } }
  - registry: { key: HKLM\SYSTEM\CurrentControlSet\Services\Fixgen, name: Dw, value: { dword: 4294967295 } }
  - registry: { key: HKLM\SYSTEM\CurrentControlSet\Services\Fixgen, name: DwParam, value: { dword: { param: Level } } }
  - registry: { key: HKLM\SYSTEM\CurrentControlSet\Services\Fixgen, name: Qw, value: { qword: 18446744073709551615 } }
  - registry: { key: HKLM\SYSTEM\CurrentControlSet\Services\Fixgen, name: Bin, value: { binary: "01 02 ff" } }
  - registry: { key: HKLM\SYSTEM\CurrentControlSet\Services\Fixgen, name: '', value: { string: default value } }
  - registry: { key: HKLM\SYSTEM\CurrentControlSet\Services\Fixgen, name: Old, ensure: absent }
  - registry: { key: HKEY_CLASSES_ROOT\fixgen.test, name: X, value: { dword: 1 } }
  - registry: { key: HKU\.DEFAULT\Software\Fixgen, name: X, value: { dword: 1 } }
  - registry: { key: HKCC\Software\Fixgen, name: X, value: { dword: 1 } }
"#;

const SERVICE: &str = r#"id: service-kinds
title: Service startup types and states
summary: Delayed start, manual, disabled and stopped.
steps:
  - service: { name: IKEEXT, startup: automatic_delayed, state: running }
  - service: { name: RasMan, startup: manual }
  - service: { name: RemoteAccess, startup: disabled, state: stopped }
"#;

const FIREWALL: &str = r#"id: firewall-kinds
title: Firewall rule kinds
summary: Inbound, block, ICMP, any protocol, local port ranges.
steps:
  - firewall: { id: fixgen-kinds-tcp-in, display_name: TCP in, direction: inbound, protocol: tcp, local_ports: [443, "8000-8090"], action: allow, profiles: [domain] }
  - firewall: { id: fixgen-kinds-icmp, display_name: ICMP block, direction: inbound, protocol: icmpv4, action: block }
  - firewall: { id: fixgen-kinds-any, display_name: Any out, direction: outbound, protocol: any, action: block, profiles: [public, private] }
"#;

const VPN: &str = r#"id: vpn-kinds
title: VPN without a key
summary: An all-users IKEv2 connection corrected in place, no pre-shared key.
steps:
  - vpn:
      name: Office
      server: vpn.example.com
      tunnel: ikev2
      authentication: [eap, mschapv2]
      encryption: maximum
      split_tunneling: true
"#;

const UPDATE: &str = r#"id: update-install
title: Install updates
summary: Install pending software updates.
reboot: recommended
steps:
  - windows_update: { action: install }
"#;

fn write_bundle(dir: &Path) {
    for (name, text) in [
        ("bundle.yaml", BUNDLE),
        ("registry-kinds.yaml", REGISTRY),
        ("service-kinds.yaml", SERVICE),
        ("firewall-kinds.yaml", FIREWALL),
        ("vpn-kinds.yaml", VPN),
        ("update-install.yaml", UPDATE),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn check(name: &str, text: &str) {
    let problems = pwsh::check_generated(name, text);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_kind_builds_and_parses() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("kinds");
    std::fs::create_dir(&src).unwrap();
    write_bundle(&src);
    let out = dir.path().join("dist");
    let o = common::fixgen()
        .arg("build")
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut n = 0;
    for f in [
        "scripts/registry-kinds.ps1",
        "scripts/service-kinds.ps1",
        "scripts/firewall-kinds.ps1",
        "scripts/vpn-kinds.ps1",
        "scripts/update-install.ps1",
        "scripts/Invoke-KindsFix.ps1",
        "module/KindsFix/KindsFix.psm1",
        "module/KindsFix/KindsFix.psd1",
    ] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        check(f, &text);
        n += 1;
    }
    assert_eq!(n, 8);
    let reg = std::fs::read_to_string(out.join("scripts/registry-kinds.ps1")).unwrap();
    let values = pwsh::string_values(&reg);
    for want in [
        "Registry::HKEY_CLASSES_ROOT\\fixgen.test",
        "Registry::HKEY_USERS\\.DEFAULT\\Software\\Fixgen",
        "Registry::HKEY_CURRENT_CONFIG\\Software\\Fixgen",
        "DWord",
        "QWord",
        "Binary",
        "MultiString",
        "ExpandString",
        "%SystemRoot%\\x",
        "Absent",
    ] {
        assert!(values.iter().any(|v| v == want), "{want} missing");
    }
    assert!(
        reg.contains("Value = 4294967295"),
        "dword as unsigned decimal"
    );
    assert!(reg.contains("Value = 18446744073709551615"));
    assert!(reg.contains("Value = ([byte[]]@(0x01, 0x02, 0xFF))"));
    assert!(
        reg.contains("Value = $Path"),
        "open param becomes a variable"
    );
    assert!(reg.contains("Value = 7"), "param default is baked in");
    assert!(reg.contains("[string]$Path"));
    let svc = std::fs::read_to_string(out.join("scripts/service-kinds.ps1")).unwrap();
    assert!(svc.contains("'delayed-auto'"));
    assert!(pwsh::string_values(&svc)
        .iter()
        .any(|v| v == "AutomaticDelayed"));
}

#[test]
fn detection_scripts_only_read() {
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path());
    let inputs = fixgen::load::read_paths(&[dir.path().to_path_buf()]).unwrap();
    let bundle = fixgen::validate::check(inputs).into_bundle().unwrap();
    let values = [("Path".to_string(), "C:\\x".to_string())].into();
    let plan = fixgen::plan::build(&bundle, &values).unwrap();
    let opts = PsOptions {
        allow_open_params: false,
        ..PsOptions::default()
    };
    let models = powershell::recipe_models(&plan, &opts).unwrap();
    assert_eq!(models.len(), 5);
    for m in &models {
        let bytes = powershell::render_recipe_script(m, ScriptMode::Detect, &opts).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        check(&m.id, &text);
        let defined = pwsh::defined_functions(&text);
        for f in defined.keys() {
            assert!(
                !f.starts_with("Set-") && !f.starts_with("Add-") && f != "Invoke-FixgenRecipe",
                "{}: detection script defines {f}",
                m.id
            );
        }
        let cmds = pwsh::commands(&text);
        // Detection writes no log file (no log folder, no Add-Content).
        for c in &cmds {
            assert!(
                !matches!(c.name.as_str(), "New-Item" | "Add-Content" | "Move-Item"),
                "{}: detection calls {}",
                m.id,
                c.name
            );
        }
        for c in &cmds {
            for bad in [
                "Set-",
                "New-ItemProperty",
                "New-NetFirewallRule",
                "Remove-",
                "Add-VpnConnection",
                "Start-Service",
                "Stop-Service",
                "sc.exe",
            ] {
                assert!(
                    !c.name.starts_with(bad),
                    "{}: detection calls {}",
                    m.id,
                    c.name
                );
            }
        }
        assert!(
            !text.contains("param(\r\n    ["),
            "{}: no parameters in a detection script",
            m.id
        );
        assert!(text.contains("exit 1"));
    }
    // Without a value, an open param is an error for targets without parameters.
    let plan = fixgen::plan::build(&bundle, &Default::default()).unwrap();
    let errs = powershell::recipe_models(&plan, &opts).unwrap_err();
    assert!(
        errs.iter().any(|e| e.message.contains("--set Path=")),
        "{errs:?}"
    );
}

#[test]
fn step_functions_read_only_keys_the_renderer_writes() {
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path());
    let inputs = fixgen::load::read_paths(&[dir.path().to_path_buf()]).unwrap();
    let bundle = fixgen::validate::check(inputs).into_bundle().unwrap();
    let plan = fixgen::plan::build(&bundle, &Default::default()).unwrap();
    let opts = PsOptions::default();
    let models = powershell::recipe_models(&plan, &opts).unwrap();
    let mut keys: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for m in &models {
        for s in &m.steps {
            keys.entry(s.kind)
                .or_default()
                .extend(s.entries.iter().map(|e| e.key));
        }
    }
    assert_eq!(keys.len(), 5, "every kind is in the test bundle");
    let all: std::collections::BTreeSet<&str> = keys.values().flatten().copied().collect();
    let module = powershell::render_module(&plan, &opts).unwrap();
    let psm1 =
        String::from_utf8(module.files["module/KindsFix/KindsFix.psm1"].bytes.clone()).unwrap();
    let region = |title: &str| -> String {
        let start = psm1
            .find(&format!("#region {title}"))
            .unwrap_or_else(|| panic!("{title}"));
        let end = start + psm1[start..].find("#endregion").unwrap();
        psm1[start..end].to_string()
    };
    let mut checked = 0;
    for (title, kind) in [
        ("registry steps", "registry"),
        ("service steps", "service"),
        ("firewall steps", "firewall"),
        ("VPN steps", "vpn"),
        ("Windows Update steps", "windows_update"),
    ] {
        let text = region(title);
        let reads = pwsh::member_reads(&text, "Step");
        assert!(!reads.is_empty(), "{title}");
        for (member, line) in reads {
            assert!(
                keys[kind].contains(member.as_str()),
                "{title} line {line}: $Step.{member} is not written for {kind} steps"
            );
            checked += 1;
        }
    }
    let runtime = region("fixgen runtime");
    for (member, line) in pwsh::member_reads(&runtime, "step") {
        assert!(
            all.contains(member.as_str()),
            "runtime line {line}: $step.{member}"
        );
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
}
