//! Every step kind and variant renders PowerShell that parses and uses only documented
//! cmdlets; detection scripts (for Intune) hold only the read-only parts.

mod common;

use std::path::Path;

use common::psdata::{self, PsValue};
use common::pwsh;
use fixgen::pipeline::parts::render::powershell::{self, PsOptions, ScriptMode};

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
    // The step data itself, read back from the syntax tree and evaluated: each step carries
    // exactly the kind, type and data its recipe says, in the script and in the module.
    let reg = std::fs::read_to_string(out.join("scripts/registry-kinds.ps1")).unwrap();
    let svc = std::fs::read_to_string(out.join("scripts/service-kinds.ps1")).unwrap();
    let fw = std::fs::read_to_string(out.join("scripts/firewall-kinds.ps1")).unwrap();
    let upd = std::fs::read_to_string(out.join("scripts/update-install.ps1")).unwrap();
    let psm1 = std::fs::read_to_string(out.join("module/KindsFix/KindsFix.psm1")).unwrap();
    let module = psdata::recipes(&psm1);
    assert_eq!(
        module.keys().collect::<Vec<_>>(),
        [
            "firewall-kinds",
            "registry-kinds",
            "service-kinds",
            "update-install",
            "vpn-kinds"
        ]
    );
    for (id, text) in [
        ("registry-kinds", &reg),
        ("service-kinds", &svc),
        ("firewall-kinds", &fw),
        ("update-install", &upd),
    ] {
        let script = psdata::recipes(text);
        assert_eq!(script.len(), 1, "{id}");
        let steps = &script[id].steps;
        assert_eq!(steps, &module[id].steps, "{id}: script and module differ");
        match id {
            "registry-kinds" => assert_registry_steps(steps),
            "service-kinds" => assert_service_steps(steps),
            "firewall-kinds" => assert_firewall_steps(steps),
            _ => assert_step_values(
                &steps[0],
                &[
                    ("Kind", s("windows_update")),
                    ("Action", s("Install")),
                    ("ReportOnly", PsValue::Bool(false)),
                ],
            ),
        }
    }
    assert!(reg.contains("[string]$Path"));
}

fn s(v: &str) -> PsValue {
    PsValue::str(v)
}

fn strs(v: &[&str]) -> PsValue {
    PsValue::Array(v.iter().map(|x| s(x)).collect())
}

/// Each `(key, value)` is in the step with exactly that value; `PsValue::Null` for a key
/// that must be missing or `$null`.
fn assert_step_values(step: &psdata::PsHash, want: &[(&str, PsValue)]) {
    for (key, value) in want {
        let got = step.get(key).unwrap_or(&PsValue::Null);
        assert_eq!(got, value, "{key} of step {step:?}");
    }
}

fn assert_registry_steps(steps: &[psdata::PsHash]) {
    const SVC: &str = "Registry::HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Fixgen";
    let want: [(&str, &str, &str, PsValue); 12] = [
        (SVC, "Sz", "String", PsValue::Var("Path".into())),
        (SVC, "Expand", "ExpandString", s("%SystemRoot%\\x")),
        (SVC, "Multi", "MultiString", strs(&["a", "b"])),
        (SVC, "Dw", "DWord", PsValue::Int(4294967295)),
        // A param's default is baked in as the number.
        (SVC, "DwParam", "DWord", PsValue::Int(7)),
        (SVC, "Qw", "QWord", PsValue::Int(18446744073709551615)),
        (SVC, "Bin", "Binary", PsValue::Bytes(vec![0x01, 0x02, 0xFF])),
        (SVC, "", "String", s("default value")),
        (SVC, "Old", "", PsValue::Null),
        (
            "Registry::HKEY_CLASSES_ROOT\\fixgen.test",
            "X",
            "DWord",
            PsValue::Int(1),
        ),
        (
            "Registry::HKEY_USERS\\.DEFAULT\\Software\\Fixgen",
            "X",
            "DWord",
            PsValue::Int(1),
        ),
        (
            "Registry::HKEY_CURRENT_CONFIG\\Software\\Fixgen",
            "X",
            "DWord",
            PsValue::Int(1),
        ),
    ];
    assert_eq!(steps.len(), want.len(), "{steps:#?}");
    for (step, (path, name, kind, value)) in steps.iter().zip(want) {
        let absent = kind.is_empty();
        assert_step_values(
            step,
            &[
                ("Kind", s("registry")),
                ("Path", s(path)),
                ("Name", s(name)),
                ("Ensure", s(if absent { "Absent" } else { "Present" })),
                ("Type", if absent { PsValue::Null } else { s(kind) }),
                ("Value", value),
            ],
        );
    }
}

fn assert_service_steps(steps: &[psdata::PsHash]) {
    let want = [
        ("IKEEXT", "AutomaticDelayed", s("Running")),
        ("RasMan", "Manual", PsValue::Null),
        ("RemoteAccess", "Disabled", s("Stopped")),
    ];
    assert_eq!(steps.len(), want.len(), "{steps:#?}");
    for (step, (name, startup, state)) in steps.iter().zip(want) {
        assert_step_values(
            step,
            &[
                ("Kind", s("service")),
                ("Name", s(name)),
                ("Startup", s(startup)),
                ("State", state),
            ],
        );
    }
}

fn assert_firewall_steps(steps: &[psdata::PsHash]) {
    let want = [
        (
            "fixgen-kinds-tcp-in",
            "TCP in",
            "Inbound",
            "TCP",
            &["443", "8000-8090"][..],
            "Allow",
            &["Domain"][..],
        ),
        (
            "fixgen-kinds-icmp",
            "ICMP block",
            "Inbound",
            "ICMPv4",
            &["Any"][..],
            "Block",
            &["Any"][..],
        ),
        (
            "fixgen-kinds-any",
            "Any out",
            "Outbound",
            "Any",
            &["Any"][..],
            "Block",
            &["Private", "Public"][..],
        ),
    ];
    assert_eq!(steps.len(), want.len(), "{steps:#?}");
    for (step, (name, display, direction, protocol, ports, action, profiles)) in
        steps.iter().zip(want)
    {
        assert_step_values(
            step,
            &[
                ("Kind", s("firewall")),
                ("Name", s(name)),
                ("DisplayName", s(display)),
                ("Direction", s(direction)),
                ("Protocol", s(protocol)),
                ("LocalPort", strs(ports)),
                ("RemotePort", strs(&["Any"])),
                ("Action", s(action)),
                ("Profile", strs(profiles)),
            ],
        );
    }
}

#[test]
fn detection_scripts_only_read() {
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path());
    let inputs = fixgen::pipeline::parts::load::read_paths(&[dir.path().to_path_buf()]).unwrap();
    let bundle = fixgen::pipeline::parts::validate::check(inputs)
        .into_bundle()
        .unwrap();
    let values = [("Path".to_string(), "C:\\x".to_string())].into();
    let plan = fixgen::pipeline::parts::plan::build(&bundle, &values).unwrap();
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
    let plan = fixgen::pipeline::parts::plan::build(&bundle, &Default::default()).unwrap();
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
    let inputs = fixgen::pipeline::parts::load::read_paths(&[dir.path().to_path_buf()]).unwrap();
    let bundle = fixgen::pipeline::parts::validate::check(inputs)
        .into_bundle()
        .unwrap();
    let plan = fixgen::pipeline::parts::plan::build(&bundle, &Default::default()).unwrap();
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
    let module = fixgen::pipeline::parts::render::ps_module::render_module(&plan, &opts).unwrap();
    let psm1 =
        String::from_utf8(module.files["module/KindsFix/KindsFix.psm1"].bytes.clone()).unwrap();
    // A runtime block's text (issue 17: fenced by `#region fixgen block NAME ...` and
    // `#endregion fixgen block NAME`).
    let region = |name: &str| -> String {
        let start = psm1
            .find(&format!("#region fixgen block {name} "))
            .unwrap_or_else(|| panic!("{name}"));
        let end = start
            + psm1[start..]
                .find(&format!("#endregion fixgen block {name}\r\n"))
                .unwrap();
        psm1[start..end].to_string()
    };
    let mut checked = 0;
    for (title, kind) in [
        ("registry", "registry"),
        ("service", "service"),
        ("firewall", "firewall"),
        ("vpn", "vpn"),
        ("windows-update", "windows_update"),
    ] {
        let text = region(title) + &region(&format!("{title}-set"));
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
    let runtime = region("core") + &region("run");
    for (member, line) in pwsh::member_reads(&runtime, "step") {
        assert!(
            all.contains(member.as_str()),
            "runtime line {line}: $step.{member}"
        );
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
}

/// The start type reaches `sc.exe config NAME start= MODE` as the recipe says, through the
/// generated step data and the generated `Set-FixgenServiceStep`, run by the real pwsh with
/// `Get-Service`, the startup reader and `sc.exe` replaced by recorders.
#[test]
fn service_steps_give_sc_exe_the_recipes_start_type() {
    let Some(exe) = common::pwsh_host::pwsh() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path());
    let inputs = fixgen::pipeline::parts::load::read_paths(&[dir.path().to_path_buf()]).unwrap();
    let bundle = fixgen::pipeline::parts::validate::check(inputs)
        .into_bundle()
        .unwrap();
    let plan = fixgen::pipeline::parts::plan::build(&bundle, &Default::default()).unwrap();
    let opts = PsOptions::default();
    let models = powershell::recipe_models(&plan, &opts).unwrap();
    let model = models.iter().find(|m| m.id == "service-kinds").unwrap();
    let bytes = powershell::render_recipe_script(model, ScriptMode::Remediate, &opts).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let steps = psdata::assignment_sources(&text, "FixgenSteps");
    assert_eq!(steps.len(), 1);
    let script = format!(
        "$ErrorActionPreference = 'Stop'\n\
         {steps}\n\
         {set}\n\
         $global:calls = @()\n\
         function Get-Service {{ param([string]$Name) $s = @($FixgenSteps | Where-Object {{ $_.Name -eq $Name }})[0]; $status = 'Running'; if ($null -ne $s.State) {{ $status = $s.State }}; [pscustomobject]@{{ ServiceName = $Name; Status = $status }} | Add-Member -MemberType ScriptMethod -Name Refresh -Value {{ }} -PassThru }}\n\
         function Get-FixgenServiceStartup {{ param($Service) 'NotYetSet' }}\n\
         function sc.exe {{ $global:calls += ($args -join ' '); $global:LASTEXITCODE = 0 }}\n\
         foreach ($step in $FixgenSteps) {{ Set-FixgenServiceStep -Step $step }}\n\
         $global:calls | ForEach-Object {{ 'CALL ' + $_ }}\n",
        steps = steps[0],
        set = psdata::function_source(&text, "Set-FixgenServiceStep"),
    );
    let o = common::pwsh_host::run_pwsh(&exe, &script);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let calls: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("CALL "))
        .collect();
    assert_eq!(
        calls,
        [
            "config IKEEXT start= delayed-auto",
            "config RasMan start= demand",
            "config RemoteAccess start= disabled"
        ],
        "{out}"
    );
}
