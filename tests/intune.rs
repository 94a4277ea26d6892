//! The Intune target through the real binary (and one signed build through the library):
//! every script parses with tree-sitter-pwsh and uses only documented cmdlets; detection scripts
//! only read (checked on the syntax tree) and have an `exit 1` path; the Graph payloads carry
//! the exact (signed) bytes; every script is under Intune's 200,000-byte limit; missing params
//! and secrets give clear errors; a secret never leaks into a file, manifest or the terminal.

mod common;
mod pki;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64ct::Encoding;
use common::{psdata, pwsh};

/// The test pre-shared key; searched for in every output.
const SECRET: &str = "Psk-9f8e7d-Secret";

fn values_file(dir: &Path) -> PathBuf {
    let p = dir.join("values.yaml");
    std::fs::write(
        &p,
        format!("ConnectionName: Office VPN\nServerAddress: vpn.example.com\nPreSharedKey: '{SECRET}'\n"),
    )
    .unwrap();
    p
}

fn build(args: &[&str], out: &Path) -> std::process::Output {
    common::fixgen()
        .arg("build")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run fixgen")
}

/// The embedded L2TP bundle built with every value and the secret allowed.
fn l2tp_build(dir: &Path) -> (PathBuf, String) {
    let values = values_file(dir);
    let out = dir.join("dist");
    let o = build(
        &[
            "--values",
            values.to_str().unwrap(),
            "--allow-embedded-secrets",
        ],
        &out,
    );
    assert!(o.status.success(), "{}", common::output_text(&o));
    (out, common::output_text(&o))
}

const RECIPES: [&str; 6] = [
    "ipsec-services",
    "nat-traversal",
    "vpn-security",
    "firewall-ports",
    "recreate-connection",
    "windows-update",
];

const BUNDLE: &str = "L2tpIpsecFix";

fn folders() -> Vec<String> {
    RECIPES
        .iter()
        .map(|r| r.to_string())
        .chain([BUNDLE.to_string()])
        .collect()
}

#[test]
fn layout_for_every_recipe_and_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = l2tp_build(dir.path());
    for f in folders() {
        for name in ["detect.ps1", "remediate.ps1", "deviceHealthScript.json"] {
            assert!(
                out.join("intune").join(&f).join(name).is_file(),
                "{f}/{name}"
            );
        }
    }
    assert!(out
        .join("intune")
        .join(BUNDLE)
        .join("deviceManagementScript.json")
        .is_file());
    assert!(out.join("intune/README.md").is_file());
    // No platform script payload for single recipes.
    assert!(!out
        .join("intune/nat-traversal/deviceManagementScript.json")
        .exists());
}

#[test]
fn every_script_parses_is_ascii_and_uses_documented_cmdlets() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = l2tp_build(dir.path());
    let all = common::bundle_files(&out.join("intune"));
    let mut n = 0;
    for (path, bytes) in &all {
        assert!(
            bytes.len() < 200_000,
            "{path} is {} bytes (Intune takes under 200,000)",
            bytes.len()
        );
        assert!(!bytes.is_empty(), "{path} is empty");
        if !path.ends_with(".ps1") {
            continue;
        }
        assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{path}: BOM");
        let t = String::from_utf8(bytes.clone()).unwrap();
        let problems = pwsh::check_generated(path, &t);
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(
            pwsh::node_count(&t) > 1000,
            "{path}: suspiciously small tree"
        );
        // Nothing on stderr for expected states, no restarts, no parameters.
        let cmds = pwsh::commands(&t);
        for c in &cmds {
            for bad in [
                "Write-Error",
                "Restart-Computer",
                "Stop-Computer",
                "shutdown",
                "shutdown.exe",
            ] {
                assert!(
                    !c.name.eq_ignore_ascii_case(bad),
                    "{path}: line {}: {}",
                    c.line,
                    c.name
                );
            }
        }
        assert!(t.contains("\r\nparam()\r\n"), "{path}: takes parameters");
        // The one output line goes through the limiter, which keeps it under Intune's 2,048.
        let outputs: Vec<_> = cmds.iter().filter(|c| c.name == "Write-Output").collect();
        assert_eq!(outputs.len(), 1, "{path}: one Write-Output");
        let line = t.lines().nth(outputs[0].line - 1).unwrap();
        assert!(line.contains("(Limit-FixgenLine -Text "), "{path}: {line}");
        let limiter = function_text(&t, "Limit-FixgenLine");
        assert!(limiter.contains("[int]$MaxLength = 2000"), "{path}");
        assert!(limiter.contains("IsHighSurrogate"), "{path}");
        // Intune runs the scripts in 64-bit PowerShell (runAs32Bit: false): no relaunch, and a
        // 32-bit host is refused with a reason (issue 17).
        assert!(
            !t.contains("sysnative"),
            "{path}: carries a 64-bit relaunch"
        );
        assert!(
            t.contains("running in a 32-bit PowerShell host on 64-bit Windows"),
            "{path}: no refusal of a 32-bit host"
        );
        n += 1;
    }
    assert_eq!(n, 14, "7 detection/remediation pairs");
}

/// Commands a detection script may call that it does not define itself: they read state,
/// build values or write to the output streams.
const READ_ONLY: &[&str] = &[
    "ConvertFrom-SecureString",
    "ForEach-Object",
    "Format-FixgenValue",
    // Get-Acl reads a security descriptor (the owner of the VPN key marker, issue 15 item 1).
    "Get-Acl",
    "Get-Date",
    "Get-Item",
    "Get-ItemProperty",
    "Get-NetFirewallPortFilter",
    "Get-NetFirewallRule",
    "Get-Service",
    "Get-VpnConnection",
    "Join-Path",
    "Select-Object",
    "Sort-Object",
    // Split-Path only cuts a path string.
    "Split-Path",
    "Test-Path",
    "Where-Object",
    "Write-Output",
    "Write-Verbose",
    "Write-Warning",
];

/// Verbs that change something; no detection script calls a command with one.
const CHANGING_VERBS: &[&str] = &[
    "Set-",
    "New-",
    "Remove-",
    "Start-",
    "Stop-",
    "Restart-",
    "Add-",
    "Enable-",
    "Disable-",
    "Install-",
    "Move-",
    "Rename-",
    "Clear-",
    "Copy-",
    "Out-File",
    "Invoke-",
    "Register-",
    "Update-",
    "Reset-",
    "Uninstall-",
];

/// Method names that change state through COM or .NET objects.
const CHANGING_METHODS: &[&str] = &[
    "Install",
    "Download",
    "Uninstall",
    "AcceptEula",
    "Commit",
    "Delete",
    "DeleteValue",
    "DeleteSubKey",
    "SetValue",
    "CreateSubKey",
    "Start",
    "Stop",
    "Change",
    "ChangeStartMode",
    "Put",
];

/// The method names called in a script (`$x.Name(...)` and `[T]::Name(...)`).
fn method_calls(src: &str) -> Vec<(String, usize)> {
    let tree = pwsh::parse(src);
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        if n.kind() == "invocation_expression" {
            let mut c = n.walk();
            for ch in n.named_children(&mut c) {
                if ch.kind() == "member_name" {
                    out.push((src[ch.byte_range()].to_string(), n.start_position().row + 1));
                }
            }
        }
        let mut c = n.walk();
        for ch in n.children(&mut c) {
            stack.push(ch);
        }
    }
    out
}

/// The `exit` statements outside any function, as written.
fn top_level_exits(src: &str) -> Vec<String> {
    let tree = pwsh::parse(src);
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        if n.kind() == "function_statement" {
            continue;
        }
        if n.kind() == "flow_control_statement" {
            let t = src[n.byte_range()].to_string();
            if t.to_ascii_lowercase().starts_with("exit") {
                out.push(t);
            }
        }
        let mut c = n.walk();
        for ch in n.children(&mut c) {
            stack.push(ch);
        }
    }
    out
}

/// Everything in a script that is not read-only: functions defined with a changing verb,
/// commands outside [`READ_ONLY`] (other than its own functions and the 64-bit relaunch) or with
/// a changing verb, and calls of changing methods.
fn changes(path: &str, t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let defined = pwsh::defined_functions(t);
    // Functions it defines are read-only by name (their bodies are walked below too); the one
    // New- function only builds a [pscustomobject].
    for name in defined.keys() {
        if name != "New-FixgenCompliance" && CHANGING_VERBS.iter().any(|v| name.starts_with(v)) {
            out.push(format!("{path}: defines {name}"));
        }
    }
    for c in pwsh::commands(t) {
        // `&$fixgenKindCommand` is the runtime's dispatch to `<Verb>-Fixgen<Kind><Noun>` (issue 17);
        // a detection script defines no function with a changing verb (checked above), so the
        // dispatch can only reach read-only ones.
        if c.name == "&$fixgenHostPath"
            || c.name == "&$fixgenKindCommand"
            || defined.contains_key(&c.name)
        {
            continue;
        }
        if !READ_ONLY.contains(&c.name.as_str()) {
            out.push(format!(
                "{path}: line {}: `{}` is not a read-only command",
                c.line, c.name
            ));
        }
        if CHANGING_VERBS.iter().any(|v| c.name.starts_with(v)) {
            out.push(format!("{path}: line {}: {}", c.line, c.name));
        }
    }
    for (m, line) in method_calls(t) {
        if CHANGING_METHODS.iter().any(|x| x.eq_ignore_ascii_case(&m)) {
            out.push(format!("{path}: line {line}: method .{m}()"));
        }
    }
    out
}

#[test]
fn detection_scripts_only_read_and_can_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = l2tp_build(dir.path());
    let mut checked = 0;
    for f in folders() {
        let path = format!("intune/{f}/detect.ps1");
        let t = std::fs::read_to_string(out.join(&path)).unwrap();
        // The walker sees the commands (the smallest, one Windows Update step and no log, has 20).
        let n = pwsh::commands(&t).len();
        assert!(n >= 20, "{path}: too few commands: {n}");
        let found = changes(&path, &t);
        assert!(found.is_empty(), "{found:#?}");
        // The checker sees changes where there are some: in the remediation scripts.
        let rpath = format!("intune/{f}/remediate.ps1");
        let r = std::fs::read_to_string(out.join(&rpath)).unwrap();
        let rfound = changes(&rpath, &r);
        assert!(
            rfound
                .iter()
                .any(|x| x.contains("Set-Fixgen") || x.contains("Add-Content")),
            "{rfound:#?}"
        );
        if f == "windows-update" || f == BUNDLE {
            assert!(rfound
                .iter()
                .any(|x| x.contains("Set-FixgenWindowsUpdateStep")));
        }
        // The log folder and file of the remediation are not created by detection.
        assert!(!t.contains("Add-Content") && !t.contains("New-Item"));
        // An exit 1 path and an exit 0 path at the top level; nothing else but the relaunch.
        let exits = top_level_exits(&t);
        assert!(exits.iter().any(|e| e == "exit 1"), "{path}: {exits:?}");
        assert!(exits.iter().any(|e| e == "exit 0"), "{path}: {exits:?}");
        for e in &exits {
            assert!(
                ["exit 0", "exit 1", "exit $LASTEXITCODE"].contains(&e.as_str()),
                "{path}: {e}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 7);
    // What the detection returns is checked by running it: see
    // `detection_and_remediation_results_from_pwsh`.
}

/// The recipes (id and step count) an Intune script carries, read from its `$FixgenRecipes`.
fn intune_recipes(t: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = psdata::assignments(t, "FixgenRecipes")
        .into_iter()
        .flat_map(|v| match v {
            psdata::PsValue::Array(items) => items,
            x => panic!("$FixgenRecipes is not an array: {x:?}"),
        })
        .map(|e| {
            let h = e.as_hash().expect("a recipe entry is a hashtable").clone();
            let id = h
                .get("Recipe")
                .and_then(psdata::PsValue::as_hash)
                .and_then(|r| r.str("Id"))
                .expect("Recipe.Id")
                .to_string();
            let n = match h.get("Steps") {
                Some(psdata::PsValue::Array(s)) => s.len(),
                x => panic!("{id}: Steps is {x:?}"),
            };
            (id, n)
        })
        .collect();
    assert!(!out.is_empty());
    out.dedup();
    out
}

/// Each Intune script carries exactly the step data of the recipe's own script (read back from
/// both syntax trees and evaluated), and the bundle's scripts carry every recipe's; the detection
/// copy differs only in leaving the pre-shared key out.
#[test]
fn intune_scripts_carry_each_recipes_step_data() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = l2tp_build(dir.path());
    let mut own = BTreeMap::new();
    for r in RECIPES {
        let t = std::fs::read_to_string(out.join(format!("scripts/{r}.ps1"))).unwrap();
        let mut data = psdata::recipes(&t);
        assert_eq!(data.len(), 1, "{r}");
        own.insert(r.to_string(), data.remove(r).expect("its own id").steps);
    }
    let mut compared = 0;
    for f in folders() {
        for s in ["detect.ps1", "remediate.ps1"] {
            let path = format!("intune/{f}/{s}");
            let t = std::fs::read_to_string(out.join(&path)).unwrap();
            let data = psdata::recipes(&t);
            let want: Vec<&str> = if f == BUNDLE {
                RECIPES.to_vec()
            } else {
                vec![f.as_str()]
            };
            let mut got: Vec<&str> = data.keys().map(String::as_str).collect();
            got.sort();
            let mut want_sorted = want.clone();
            want_sorted.sort();
            assert_eq!(got, want_sorted, "{path}");
            for id in want {
                let mut steps = own[id].clone();
                if s == "detect.ps1" {
                    // Detection only reads: the secret stays out of it.
                    for st in &mut steps {
                        for (k, v) in &mut st.0 {
                            if k == "Psk" {
                                *v = psdata::PsValue::Null;
                            }
                        }
                    }
                }
                assert_eq!(data[id].steps, steps, "{path}: steps of {id}");
                compared += steps.len();
            }
        }
    }
    // Every step twice per recipe folder and twice in the bundle's folder.
    let steps: usize = own.values().map(Vec::len).sum();
    assert!(steps >= RECIPES.len(), "{own:#?}");
    assert_eq!(compared, 4 * steps);
}

/// The generated `Get-FixgenIntuneDetection` and `Invoke-FixgenIntuneRemediation`, run by the
/// real pwsh on each script's own `$FixgenRecipes`, with the per-recipe work replaced by stubs
/// whose results the test chooses: detection returns ExitCode 1 exactly when some check is not
/// compliant, and names it; remediation returns 0 when every recipe succeeded or needs a
/// restart (3010, reported in the line as RESTART REQUIRED with the recipe id, never done), 1
/// when any failed or returned nothing.
#[test]
fn detection_and_remediation_results_from_pwsh() {
    let Some(exe) = common::pwsh_host::pwsh() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = l2tp_build(dir.path());
    let mut script = String::from("$ErrorActionPreference = 'Stop'\n");
    let mut expect: Vec<(String, String)> = Vec::new();
    for f in folders() {
        let d = std::fs::read_to_string(out.join(format!("intune/{f}/detect.ps1"))).unwrap();
        let r = std::fs::read_to_string(out.join(format!("intune/{f}/remediate.ps1"))).unwrap();
        let recipes = intune_recipes(&d);
        assert_eq!(
            recipes,
            intune_recipes(&r),
            "{f}: detect and remediate differ"
        );
        if f == BUNDLE {
            assert_eq!(recipes.len(), RECIPES.len(), "{recipes:?}");
        } else {
            assert_eq!(recipes.len(), 1);
            assert_eq!(recipes[0].0, f);
        }
        let total: usize = recipes.iter().map(|r| r.1).sum();
        let (first, last) = (&recipes[0].0, &recipes[recipes.len() - 1].0);
        let last_steps = recipes[recipes.len() - 1].1;
        assert!(total > 0 && last_steps > 0, "{f}: {recipes:?}");
        // Detection: one check per step, compliant unless its recipe is in $off.
        script.push_str(&format!(
            "& {{\n{data}\n{func}\n\
             function Write-FixgenLog {{ param($Severity, $Message) }}\n\
             function Format-FixgenValue {{ param($Value) [string]$Value }}\n\
             function Test-FixgenRecipe {{ param($Recipe, $Steps) $i = 0; foreach ($s in $Steps) {{ [pscustomobject]@{{ Target = ($Recipe.Id + '#' + $i); Setting = 'S'; Expected = 'want'; Actual = 'got'; Compliant = ($off -notcontains $Recipe.Id) }}; $i++ }} }}\n\
             foreach ($case in @('none', '{last}')) {{ $off = @($case); $res = Get-FixgenIntuneDetection -Name 'N' -Recipes $FixgenRecipes; 'RESULT|{f}|detect ' + $case + '|' + $res.ExitCode + '|' + $res.Line }}\n}}\n",
            data = psdata::assignment_sources(&d, "FixgenRecipes")[0],
            func = psdata::function_source(&d, "Get-FixgenIntuneDetection"),
        ));
        expect.push((format!("{f}|detect none"), "0|".into()));
        expect.push((format!("{f}|detect {last}"), format!("1|{last}#0")));
        // Remediation: each recipe returns the exit code the case gives it (0 by default);
        // 'null' returns nothing.
        script.push_str(&format!(
            "& {{\n{data}\n{func}\n\
             function Invoke-FixgenRecipe {{ param($Recipe, $Steps) $code = 0; if ($codes.ContainsKey($Recipe.Id)) {{ $code = $codes[$Recipe.Id] }}; if ($code -eq 'null') {{ return }}; [pscustomobject]@{{ ExitCode = $code; Summary = ($Recipe.Id + ' ran') }} }}\n\
             $cases = [ordered]@{{ 'ok' = @{{}}; 'restart' = @{{ '{last}' = 3010 }}; 'fail' = @{{ '{last}' = 1 }}; 'null' = @{{ '{last}' = 'null' }} }}\n\
             {both}\n\
             foreach ($name in $cases.Keys) {{ $codes = $cases[$name]; $res = Invoke-FixgenIntuneRemediation -Name 'N' -Recipes $FixgenRecipes -Confirm:$false; 'RESULT|{f}|remediate ' + $name + '|' + $res.ExitCode + '|' + $res.Line }}\n}}\n",
            data = psdata::assignment_sources(&r, "FixgenRecipes")[0],
            func = psdata::function_source(&r, "Invoke-FixgenIntuneRemediation"),
            both = if first == last {
                String::new()
            } else {
                format!("$cases['restart+fail'] = @{{ '{first}' = 3010; '{last}' = 1 }}")
            },
        ));
        expect.push((format!("{f}|remediate ok"), "0|".into()));
        expect.push((
            format!("{f}|remediate restart"),
            format!("0|RESTART REQUIRED to finish ({last})"),
        ));
        expect.push((format!("{f}|remediate fail"), "1|".into()));
        if first != last {
            expect.push((
                format!("{f}|remediate restart+fail"),
                format!("1|RESTART REQUIRED to finish ({first})"),
            ));
        }
        expect.push((format!("{f}|remediate null"), "1|".into()));
    }
    let o = common::pwsh_host::run_pwsh(&exe, &script);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let results: BTreeMap<String, String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("RESULT|"))
        .map(|l| {
            let mut p = l.splitn(3, '|');
            let (f, case, rest) = (p.next().unwrap(), p.next().unwrap(), p.next().unwrap());
            (format!("{f}|{case}"), rest.to_string())
        })
        .collect();
    assert_eq!(results.len(), expect.len(), "{stdout}");
    for (case, want) in &expect {
        let got = results
            .get(case)
            .unwrap_or_else(|| panic!("{case}: no result\n{stdout}"));
        let (code, text) = want.split_once('|').unwrap();
        let (got_code, got_line) = got.split_once('|').unwrap();
        assert_eq!(got_code, code, "{case}: exit code; line: {got_line}");
        assert!(
            got_line.contains(text),
            "{case}: {got_line:?} lacks {text:?}"
        );
        // A restart is mentioned exactly when a recipe returned 3010.
        assert_eq!(
            got_line.contains("RESTART REQUIRED"),
            case.contains("restart"),
            "{case}: {got_line}"
        );
    }
}

/// The Windows Update install path (COM .Download()/.Install()) is caught by the checker and
/// never reaches a detection script.
#[test]
fn detection_of_an_install_recipe_has_no_install_calls() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("upd");
    common::write_bundle(
        &src,
        &[
            ("bundle.yaml", "name: UpdFix\ntitle: Updates\nversion: 1.0.0\ndescription: Install updates.\npublisher: fixgen tests\nrecipes: [update-install]\n"),
            ("update-install.yaml", "id: update-install\ntitle: Install updates\nsummary: Install pending software updates.\nreboot: recommended\nsteps:\n  - windows_update: { action: install }\n"),
        ],
    );
    let out = dir.path().join("dist");
    let o = common::fixgen()
        .arg("build")
        .arg(&src)
        .args(["--target", "intune", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    for f in ["update-install", "UpdFix"] {
        let d = std::fs::read_to_string(out.join(format!("intune/{f}/detect.ps1"))).unwrap();
        assert!(changes(f, &d).is_empty(), "{:#?}", changes(f, &d));
        let r = std::fs::read_to_string(out.join(format!("intune/{f}/remediate.ps1"))).unwrap();
        let found = changes(f, &r);
        for m in [".Install()", ".Download()", ".AcceptEula()"] {
            assert!(found.iter().any(|x| x.contains(m)), "{m}: {found:#?}");
        }
        for t in [&d, &r] {
            let problems = pwsh::check_generated(f, t);
            assert!(problems.is_empty(), "{problems:#?}");
        }
    }
}

/// Source text of one function defined in `src`.
fn function_text(src: &str, name: &str) -> String {
    let tree = pwsh::parse(src);
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        if n.kind() == "function_statement" {
            let mut c = n.walk();
            let is = n
                .named_children(&mut c)
                .any(|ch| ch.kind() == "function_name" && &src[ch.byte_range()] == name);
            if is {
                return src[n.byte_range()].to_string();
            }
        }
        let mut c = n.walk();
        for ch in n.children(&mut c) {
            stack.push(ch);
        }
    }
    panic!("function {name} not found")
}

#[test]
fn remediation_scripts_exit_0_or_1_and_never_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = l2tp_build(dir.path());
    for f in folders() {
        let path = format!("intune/{f}/remediate.ps1");
        let t = std::fs::read_to_string(out.join(&path)).unwrap();
        let exits = top_level_exits(&t);
        for e in &exits {
            assert!(
                ["exit 0", "exit 1", "exit $LASTEXITCODE"].contains(&e.as_str()),
                "{path}: {e}"
            );
        }
        assert!(exits.iter().any(|e| e == "exit 1"), "{path}");
        // What the remediation returns (3010 becomes exit 0 plus a note) is checked by
        // running it: see `detection_and_remediation_results_from_pwsh`.
        assert!(defined_names(&t).iter().any(|n| n == "Invoke-FixgenRecipe"));
    }
}

fn defined_names(t: &str) -> Vec<String> {
    pwsh::defined_functions(t).into_keys().collect()
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

fn decode(v: &serde_json::Value, key: &str) -> Vec<u8> {
    let s = v[key].as_str().unwrap_or_else(|| panic!("{key} missing"));
    base64ct::Base64::decode_vec(s).expect("standard base64")
}

/// The keys of a JSON object in file order (stable key order).
fn keys_in_order(bytes: &[u8]) -> Vec<String> {
    let t = std::str::from_utf8(bytes).unwrap();
    t.lines()
        .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
        .map(|l| l.trim().split('"').nth(1).unwrap().to_string())
        .collect()
}

fn check_payloads(root: &Path, signed: bool) -> usize {
    let mut n = 0;
    for f in folders() {
        let d = root.join("intune").join(&f);
        let detect = std::fs::read(d.join("detect.ps1")).unwrap();
        let remediate = std::fs::read(d.join("remediate.ps1")).unwrap();
        let raw = std::fs::read(d.join("deviceHealthScript.json")).unwrap();
        let v = json(&raw);
        assert_eq!(
            v["@odata.type"], "#microsoft.graph.deviceHealthScript",
            "{f}"
        );
        assert_eq!(decode(&v, "detectionScriptContent"), detect, "{f}");
        assert_eq!(decode(&v, "remediationScriptContent"), remediate, "{f}");
        assert_eq!(v["runAs32Bit"], false, "{f}");
        assert_eq!(v["runAsAccount"], "system", "{f}");
        assert_eq!(v["enforceSignatureCheck"], signed, "{f}");
        assert_eq!(v["publisher"], "fixgen", "{f}");
        assert_eq!(v["version"], "1.0.0", "{f}");
        assert!(v["displayName"].as_str().unwrap().contains(&f), "{f}");
        assert!(!v["description"].as_str().unwrap().is_empty(), "{f}");
        assert_eq!(
            keys_in_order(&raw),
            [
                "@odata.type",
                "displayName",
                "description",
                "publisher",
                "version",
                "runAsAccount",
                "runAs32Bit",
                "enforceSignatureCheck",
                "detectionScriptContent",
                "remediationScriptContent"
            ]
        );
        n += 1;
    }
    let d = root.join("intune").join(BUNDLE);
    let raw = std::fs::read(d.join("deviceManagementScript.json")).unwrap();
    let v = json(&raw);
    assert_eq!(v["@odata.type"], "#microsoft.graph.deviceManagementScript");
    assert_eq!(
        decode(&v, "scriptContent"),
        std::fs::read(d.join("remediate.ps1")).unwrap()
    );
    assert_eq!(v["fileName"], "remediate.ps1");
    assert_eq!(v["runAsAccount"], "system");
    assert_eq!(v["runAs32Bit"], false);
    assert_eq!(v["enforceSignatureCheck"], signed);
    n + 1
}

#[test]
fn payloads_carry_the_exact_script_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = l2tp_build(dir.path());
    assert_eq!(check_payloads(&out, false), 8);
    let readme = std::fs::read_to_string(out.join("intune/README.md")).unwrap();
    assert!(readme.contains("Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/deviceManagement/deviceHealthScripts'"));
    assert!(readme.contains("/assign"));
    assert!(readme.contains("Devices > Scripts and remediations"));
    assert!(readme.contains("enforceSignatureCheck: false"));
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = l2tp_build(dir.path());
    let b = dir.path().join("again");
    let values = values_file(dir.path());
    let o = build(
        &[
            "--values",
            values.to_str().unwrap(),
            "--allow-embedded-secrets",
        ],
        &b,
    );
    assert!(o.status.success());
    assert_eq!(
        common::bundle_files(&a.join("intune")),
        common::bundle_files(&b.join("intune"))
    );
}

/// An `error[...]` finding of the build's output located in the recipe file `at`
/// (`vpn-security.yaml:`) naming `param` and the `--set` flag that gives it a value.
fn finding(t: &str, at: &str, param: &str) -> bool {
    t.split("error[").skip(1).any(|b| {
        let b = b.split("\n\n").next().unwrap_or(b);
        b.contains(at)
            && b.contains(&format!("`{param}`"))
            && b.contains(&format!("--set {param}="))
    })
}

#[test]
fn a_missing_param_is_an_error_naming_every_param_recipe_and_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let o = build(
        &["--target", "intune", "--set", "ConnectionName=Office"],
        &out,
    );
    assert_eq!(o.status.code(), Some(1), "{}", common::output_text(&o));
    let t = common::output_text(&o);
    for (recipe, param) in [
        ("vpn-security", "ServerAddress"),
        ("recreate-connection", "ServerAddress"),
        ("recreate-connection", "PreSharedKey"),
    ] {
        assert!(
            finding(&t, &format!("{recipe}.yaml:"), param),
            "{recipe}/{param} not reported:\n{t}"
        );
    }
    assert!(!t.contains("`ConnectionName` has no value"), "{t}");
    assert!(!out.exists(), "a failed build writes nothing");
}

#[test]
fn the_default_build_skips_intune_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let o = build(&[], &out);
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(!out.join("intune").exists());
    assert!(out.join("scripts/nat-traversal.ps1").is_file());
    let t = common::output_text(&o);
    assert!(
        t.contains("left out: intune/ (Intune scripts take no parameters"),
        "{t}"
    );
    assert!(
        t.contains("open params: ConnectionName, PreSharedKey, ServerAddress"),
        "{t}"
    );
    assert!(
        t.contains("--values values.yaml --allow-embedded-secrets"),
        "{t}"
    );
}

#[test]
fn a_secret_needs_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let values = values_file(dir.path());
    let out = dir.path().join("dist");
    let o = build(
        &["--target", "intune", "--values", values.to_str().unwrap()],
        &out,
    );
    assert_eq!(o.status.code(), Some(1));
    let t = common::output_text(&o);
    assert!(
        t.lines().any(|l| l.starts_with("error")
            && l.contains("recreate-connection")
            && l.contains("`PreSharedKey`")),
        "{t}"
    );
    assert!(t.contains("--allow-embedded-secrets"), "{t}");
    assert!(!t.contains(SECRET), "the secret is in the terminal output");
    assert!(!out.exists());
}

#[test]
fn a_secret_never_leaks_outside_the_files_marked_as_holding_it() {
    let dir = tempfile::tempdir().unwrap();
    let (out, terminal) = l2tp_build(dir.path());
    assert!(!terminal.contains(SECRET), "terminal: {terminal}");
    // intune/ 8: the remediation scripts and payloads, and vpnProfile.json (issue 15 item 7).
    assert!(
        terminal.contains("files hold a secret baked in") && terminal.contains("intune/ 8"),
        "{terminal}"
    );
    let b64 = base64ct::Base64::encode_string(SECRET.as_bytes());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let mut marked = BTreeMap::new();
    for f in manifest["files"].as_array().unwrap() {
        marked.insert(
            f["path"].as_str().unwrap().to_string(),
            f["holds_secret"].as_bool().unwrap(),
        );
    }
    let all = common::bundle_files(&out);
    let mut holding = Vec::new();
    for (path, bytes) in &all {
        let t = String::from_utf8_lossy(bytes);
        // A payload holds what the scripts it carries hold.
        let mut inner = Vec::new();
        if path.ends_with(".json") && path.starts_with("intune/") {
            let v = json(bytes);
            for k in [
                "detectionScriptContent",
                "remediationScriptContent",
                "scriptContent",
            ] {
                if v.get(k).is_some() {
                    inner.push(String::from_utf8(decode(&v, k)).unwrap());
                }
            }
        }
        let has =
            t.contains(SECRET) || t.contains(&b64) || inner.iter().any(|i| i.contains(SECRET));
        let is_marked = marked.get(path).copied().unwrap_or(false);
        if has {
            holding.push(path.clone());
            assert!(is_marked, "{path} holds the secret but is not marked");
        }
        if path.starts_with("intune/") && is_marked {
            assert!(has, "{path} is marked but holds no secret");
        }
    }
    for p in [
        "intune/recreate-connection/remediate.ps1",
        "intune/recreate-connection/deviceHealthScript.json",
        "intune/vpn-security/remediate.ps1",
        "intune/L2tpIpsecFix/remediate.ps1",
        "intune/L2tpIpsecFix/deviceHealthScript.json",
        "intune/L2tpIpsecFix/deviceManagementScript.json",
    ] {
        assert!(
            holding.contains(&p.to_string()),
            "{p} should hold the secret"
        );
    }
    // Detection never needs the key.
    for f in folders() {
        assert!(!holding.contains(&format!("intune/{f}/detect.ps1")));
    }
    for p in [
        "manifest.json",
        "SHA256SUMS",
        "REVIEW.md",
        "intune/README.md",
    ] {
        if let Some(b) = all.get(p) {
            assert!(!String::from_utf8_lossy(b).contains(SECRET), "{p}");
        }
    }
    assert!(all.contains_key("manifest.json"));
}

/// A bundle with a user-context recipe and a system one: each gets its own package with its
/// own runAsAccount; the bundle package holds the system recipe only; the build says so.
#[test]
fn user_context_recipes_run_as_the_user_and_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("mixed");
    common::write_bundle(
        &src,
        &[
            ("bundle.yaml", "name: MixedFix\ntitle: Mixed contexts\nversion: 0.1.0\ndescription: One system and one user recipe.\npublisher: fixgen tests\nrecipes: [machine-part, user-part]\n"),
            ("machine-part.yaml", "id: machine-part\ntitle: Machine part\nsummary: A machine setting.\ncontext: system\nsteps:\n  - registry: { key: HKLM\\SYSTEM\\CurrentControlSet\\Services\\Fixgen, name: A, value: { dword: 1 } }\n"),
            ("user-part.yaml", "id: user-part\ntitle: User part\nsummary: A per-user setting.\ncontext: user\nsteps:\n  - registry: { key: HKCU\\Software\\Fixgen, name: B, value: { string: x } }\n"),
        ],
    );
    let out = dir.path().join("dist");
    let o = common::fixgen()
        .arg("build")
        .arg(&src)
        .args(["--target", "intune", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("intune/user-part/ runs as the signed-in user"),
        "{}",
        common::output_text(&o)
    );
    let user = json(&std::fs::read(out.join("intune/user-part/deviceHealthScript.json")).unwrap());
    assert_eq!(user["runAsAccount"], "user");
    let machine =
        json(&std::fs::read(out.join("intune/machine-part/deviceHealthScript.json")).unwrap());
    assert_eq!(machine["runAsAccount"], "system");
    let bundle = json(&std::fs::read(out.join("intune/MixedFix/deviceHealthScript.json")).unwrap());
    assert_eq!(bundle["runAsAccount"], "system");
    let bundle_detect = String::from_utf8(decode(&bundle, "detectionScriptContent")).unwrap();
    assert!(bundle_detect.contains("Id = 'machine-part'"));
    assert!(!bundle_detect.contains("Id = 'user-part'"));
    assert!(bundle["description"]
        .as_str()
        .unwrap()
        .contains("Not included (they run as the signed-in user"));
    // A user-context script does not demand elevation.
    let ud = std::fs::read_to_string(out.join("intune/user-part/detect.ps1")).unwrap();
    assert!(!ud.contains("#Requires -RunAsAdministrator"));
    let readme = std::fs::read_to_string(out.join("intune/README.md")).unwrap();
    assert!(
        readme.contains("| `intune/user-part/` | user-part | **user**"),
        "{readme}"
    );
    for (path, bytes) in common::bundle_files(&out.join("intune")) {
        if path.ends_with(".ps1") {
            let problems = pwsh::check_generated(&path, &String::from_utf8(bytes).unwrap());
            assert!(problems.is_empty(), "{problems:#?}");
        }
    }
}

/// One signed build (library pipeline: render, sign, payloads, manifest): the payloads carry
/// the signed bytes, say enforceSignatureCheck true, and osslsigncode accepts the scripts.
#[test]
fn signed_build_payloads_carry_the_signed_bytes() {
    let Some(pki) = pki::pki() else { return };
    let bundle = fixgen::pipeline::parts::validate::embedded_bundle().expect("embedded bundle");
    let values: fixgen::pipeline::parts::plan::ParamValues = [
        ("ConnectionName", "Office VPN"),
        ("ServerAddress", "vpn.example.com"),
        ("PreSharedKey", SECRET),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let plan = fixgen::pipeline::parts::plan::build(&bundle, &values).expect("plan");
    let opts = fixgen::pipeline::parts::render::powershell::PsOptions {
        allow_embedded_secrets: true,
        ..Default::default()
    };
    let targets = [fixgen::pipeline::Target::Intune];
    let unsigned = fixgen::pipeline::render(&plan, &targets, &opts).expect("render");
    let signer = fixgen::pipeline::parts::sign::Signer::from_pem_files(
        &pki.rsa2048.cert,
        &pki.rsa2048.key,
        None,
    )
    .expect("signer");
    let out = pki::scratch("intune-signed");
    let dist = out.join("dist");
    fixgen::pipeline::build_into(&plan, &targets, &opts, Some(&signer), &dist).expect("build");
    assert_eq!(check_payloads(&dist, true), 8);
    for f in folders() {
        for s in ["detect.ps1", "remediate.ps1"] {
            let path = format!("intune/{f}/{s}");
            let signed = std::fs::read(dist.join(&path)).unwrap();
            assert!(
                fixgen::pipeline::parts::sign::has_signature_block(&signed),
                "{path}"
            );
            assert!(signed.len() < 200_000, "{path}: {} bytes", signed.len());
            // Signing appended a block and changed nothing before it.
            let before = &unsigned.files[&path].bytes;
            assert!(signed.starts_with(before), "{path}");
            assert!(signed.len() > before.len());
            assert!(!signed.starts_with(&[0xEF, 0xBB, 0xBF]));
            assert!(signed.is_ascii());
        }
    }
    for f in ["nat-traversal", BUNDLE] {
        let file = dist.join(format!("intune/{f}/detect.ps1"));
        // Only the oracle is skipped when osslsigncode is missing; fixgen's checks run.
        if let Some((ok, log)) = pki::osslsigncode_verify(&file, &pki.ca) {
            assert!(ok, "{log}");
        }
    }
    let readme = std::fs::read_to_string(dist.join("intune/README.md")).unwrap();
    assert!(readme.contains("enforceSignatureCheck: true"));
    // The same through the binary: `fixgen build --cert --key` signs, then writes the payloads.
    let values = values_file(&out);
    let cli = out.join("cli");
    let o = build(
        &[
            "--target",
            "intune",
            "--values",
            values.to_str().unwrap(),
            "--allow-embedded-secrets",
            "--cert",
            pki.rsa2048.cert.to_str().unwrap(),
            "--key",
            pki.rsa2048.key.to_str().unwrap(),
        ],
        &cli,
    );
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(!common::output_text(&o).contains(SECRET));
    assert_eq!(check_payloads(&cli, true), 8);
    // fixgen verify accepts the whole signed bundle, payloads and README included.
    let v = common::fixgen()
        .arg("verify")
        .arg(&cli)
        .arg("--ca")
        .arg(&pki.ca)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", common::output_text(&v));
    if let Some((ok, log)) =
        pki::osslsigncode_verify(&cli.join("intune/L2tpIpsecFix/remediate.ps1"), &pki.ca)
    {
        assert!(ok, "{log}");
    }
    for p in ["manifest.json", "SHA256SUMS", "intune/README.md"] {
        let t = std::fs::read_to_string(dist.join(p)).unwrap();
        assert!(!t.contains(SECRET), "{p}");
    }
}

/// An optional param without a value is fine where "leave as it is" makes sense (the VPN
/// pre-shared key) but an error where a value is needed (a registry value): named with its
/// recipe and `--set`, and under `all` the target is left out with a note.
#[test]
fn an_optional_param_used_as_a_registry_value_needs_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("b");
    common::write_bundle(
        &src,
        &[
            ("bundle.yaml", "name: OptFix\ntitle: t\nversion: 1.0.0\ndescription: d\npublisher: p\nrecipes: [opt-level]\n"),
            ("opt-level.yaml", "id: opt-level\ntitle: t\nsummary: s\nparams:\n  Level: { type: int, description: level }\nsteps:\n  - registry: { key: HKLM\\SYSTEM\\CurrentControlSet\\Services\\Fixgen, name: Level, value: { dword: { param: Level } } }\n"),
        ],
    );
    let out = dir.path().join("dist");
    let run = |args: &[&str]| {
        common::fixgen()
            .arg("build")
            .arg(&src)
            .args(args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    let o = run(&["--target", "intune"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::output_text(&o));
    assert!(
        finding(&common::output_text(&o), "opt-level.yaml:", "Level")
            && common::output_text(&o).contains("--set Level=VALUE"),
        "{}",
        common::output_text(&o)
    );
    assert!(!out.exists());
    let o = run(&[]);
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("left out: intune/"),
        "{}",
        common::output_text(&o)
    );
    assert!(!out.join("intune").exists());
    let o = run(&["--target", "intune", "--set", "Level=7"]);
    assert!(o.status.success(), "{}", common::output_text(&o));
    let d = std::fs::read_to_string(out.join("intune/opt-level/detect.ps1")).unwrap();
    assert!(pwsh::string_values(&d).iter().any(|v| v == "Level"));
    assert!(d.contains("Value = 7"));
}
