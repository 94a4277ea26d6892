//! Generated PowerShell, checked through the real binary against tree-sitter-pwsh (syntax and
//! string values) and the documented-cmdlet allowlist; golden snapshots on top.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::pwsh;

/// Run `fixgen build` with extra args into a fresh folder; returns (dir guard, out path).
fn build(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("dist");
    let o = common::fixgen()
        .arg("build")
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run fixgen");
    assert!(
        o.status.success(),
        "fixgen build failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (dir, out)
}

fn powershell_files(all: &BTreeMap<String, Vec<u8>>) -> Vec<(&String, String)> {
    all.iter()
        .filter(|(k, _)| k.ends_with(".ps1") || k.ends_with(".psm1") || k.ends_with(".psd1"))
        .map(|(k, v)| (k, String::from_utf8(v.clone()).expect("utf-8")))
        .collect()
}

fn assert_ascii_crlf(name: &str, text: &str) {
    assert!(text.is_ascii(), "{name}: not pure ASCII");
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            assert!(
                i > 0 && bytes[i - 1] == b'\r',
                "{name}: bare LF at byte {i}"
            );
        }
        if *b == b'\r' {
            assert!(
                bytes.get(i + 1) == Some(&b'\n'),
                "{name}: bare CR at byte {i}"
            );
        }
    }
    assert!(text.ends_with("\r\n"), "{name}: no final CRLF");
    assert!(!text.starts_with('\u{feff}'), "{name}: BOM");
}

const EXPECTED_L2TP_FILES: &[&str] = &[
    "gpo/Deploy-L2tpIpsecFixGpo.ps1",
    "module/L2tpIpsecFix/L2tpIpsecFix.psd1",
    "module/L2tpIpsecFix/L2tpIpsecFix.psm1",
    "scripts/Invoke-L2tpIpsecFix.ps1",
    "scripts/Undo-firewall-ports.ps1",
    "scripts/Undo-ipsec-services.ps1",
    "scripts/Undo-nat-traversal.ps1",
    "scripts/Undo-recreate-connection.ps1",
    "scripts/Undo-vpn-security.ps1",
    "scripts/Undo-windows-update.ps1",
    "scripts/firewall-ports.ps1",
    "scripts/ipsec-services.ps1",
    "scripts/nat-traversal.ps1",
    "scripts/recreate-connection.ps1",
    "scripts/vpn-security.ps1",
    "scripts/windows-update.ps1",
];

#[test]
fn l2tp_bundle_parses_with_tree_sitter_and_uses_only_documented_cmdlets() {
    let (_d, out) = build(&[]);
    let all = common::bundle_files(&out);
    let ps = powershell_files(&all);
    let names: Vec<&str> = ps.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, EXPECTED_L2TP_FILES);
    let mut nodes = 0;
    let mut commands = 0;
    for (name, text) in &ps {
        assert_ascii_crlf(name, text);
        let problems = pwsh::syntax_problems(text);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        let violations = pwsh::allowlist_violations(text);
        assert!(violations.is_empty(), "{name}: {violations:#?}");
        let undefined = pwsh::undefined_variables(text);
        assert!(undefined.is_empty(), "{name}: {undefined:#?}");
        nodes += pwsh::node_count(text);
        commands += pwsh::commands(text).len();
    }
    assert!(commands > 100, "suspiciously few commands: {commands}");
    eprintln!(
        "checked {} PowerShell files, {nodes} syntax nodes, {commands} command invocations",
        ps.len()
    );
}

#[test]
fn the_checkers_catch_broken_code() {
    // The oracle and the allowlist check must be able to fail.
    assert!(!pwsh::syntax_problems("function f { if ($x { }").is_empty());
    assert!(!pwsh::syntax_problems("$x = 'abc").is_empty());
    let bad = pwsh::allowlist_violations(
        "Get-ChildItem -Path x\nGet-Item -Bogus 1\nInvoke-Expression 'x'\nWrite-Host 'x'\n% { $_ }\nget-item -Path x\nfunction Frob-It { param($A) }\n",
    );
    assert!(
        bad.iter()
            .any(|v| v.contains("unknown command `Get-ChildItem`")),
        "{bad:?}"
    );
    assert!(
        bad.iter().any(|v| v.contains("no parameter -Bogus")),
        "{bad:?}"
    );
    assert!(
        bad.iter()
            .any(|v| v.contains("forbidden command `Invoke-Expression`")),
        "{bad:?}"
    );
    assert!(
        bad.iter()
            .any(|v| v.contains("forbidden command `Write-Host`")),
        "{bad:?}"
    );
    assert!(bad.iter().any(|v| v.contains("`%`")), "{bad:?}");
    assert!(
        bad.iter().any(|v| v.contains("not spelled as documented")),
        "{bad:?}"
    );
    assert!(bad.iter().any(|v| v.contains("Frob-It")), "{bad:?}");
    // Variables read but never set in their scope.
    let undef = pwsh::undefined_variables(
        "function F { param($A) $b = $A; foreach ($c in $b) { $c; $d } ; $script:Never; $env:windir }\n$x = 1\n$x; $y\n",
    );
    assert_eq!(undef.len(), 3, "{undef:?}");
    assert!(undef.iter().any(|u| u.contains("$d")), "{undef:?}");
    assert!(
        undef.iter().any(|u| u.contains("$script:never")),
        "{undef:?}"
    );
    assert!(undef.iter().any(|u| u.contains("$y")), "{undef:?}");
    // The string evaluator.
    let v = pwsh::string_values(
        "$a = ('it''s' + [char]0x00E9 + [char]0xD83D + [char]0xDE00)\n$b = 'x'\n",
    );
    assert_eq!(v, vec!["it's\u{e9}\u{1F600}".to_string(), "x".to_string()]);
}

#[test]
fn two_builds_are_byte_identical() {
    let (_d1, a) = build(&[]);
    let (_d2, b) = build(&[]);
    let fa = common::bundle_files(&a);
    let fb = common::bundle_files(&b);
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(fb[k] == *v, "{k} differs between two builds");
    }
}

#[test]
fn module_manifest_matches_the_module() {
    let (_d, out) = build(&["--target", "module"]);
    let all = common::bundle_files(&out);
    let psm1 = String::from_utf8(all["module/L2tpIpsecFix/L2tpIpsecFix.psm1"].clone()).unwrap();
    let psd1 = String::from_utf8(all["module/L2tpIpsecFix/L2tpIpsecFix.psd1"].clone()).unwrap();
    assert!(
        !all.keys().any(|k| k.starts_with("scripts/")),
        "only the module target"
    );
    let defined = pwsh::defined_functions(&psm1);
    // FunctionsToExport: the string values between `FunctionsToExport = @(` and `)`.
    let start = psd1.find("FunctionsToExport").expect("FunctionsToExport");
    let end = start + psd1[start..].find(')').expect("end of list");
    let exports = pwsh::string_values(&psd1[start..=end]);
    // Test-/change function per recipe, Invoke-<Bundle> and Undo-<Bundle>.
    assert_eq!(exports.len(), 6 * 2 + 2, "{exports:?}");
    for e in &exports {
        assert!(defined.contains_key(e), "exported {e} is not defined");
        let verb = e.split('-').next().unwrap();
        assert!(common::pwsh_allowlist::is_approved_verb(verb), "{e}");
    }
    for id in [
        "IpsecServices",
        "NatTraversal",
        "VpnSecurity",
        "FirewallPorts",
        "RecreateConnection",
        "WindowsUpdate",
    ] {
        let t = format!("Test-L2tpIpsecFix{id}");
        assert!(exports.contains(&t), "{t} missing");
        // The Test- function only reads: no Set-/New-/Remove-/Add- command inside it.
        let body_start = psm1.find(&format!("function {t} {{")).unwrap();
        let body = &psm1[body_start..body_start + psm1[body_start..].find("\r\n}\r\n").unwrap()];
        for c in pwsh::commands(body) {
            assert!(
                ["Get-", "Test-"].iter().any(|p| c.name.starts_with(p)),
                "{t} calls {}",
                c.name
            );
        }
    }
    assert!(exports.contains(&"Invoke-L2tpIpsecFix".to_string()));
    let values = pwsh::string_values(&psd1);
    for want in [
        "1.0.0",
        "5.1",
        "Desktop",
        "Core",
        "L2tpIpsecFix.psm1",
        "L2tpIpsecFix.psd1",
    ] {
        assert!(
            values.iter().any(|v| v == want),
            "psd1 lacks {want}: {values:?}"
        );
    }
    let guid = &values[values.iter().position(|v| v == "1.0.0").unwrap() + 1];
    assert_eq!(guid.len(), 36, "GUID after ModuleVersion: {guid}");
}

#[test]
fn secrets_are_secure_string_parameters_and_never_baked_in() {
    let (_d, out) = build(&[
        "--set",
        "ConnectionName=Contoso VPN",
        "--set",
        "ServerAddress=vpn.contoso.com",
    ]);
    let all = common::bundle_files(&out);
    let s = String::from_utf8(all["scripts/recreate-connection.ps1"].clone()).unwrap();
    assert!(s.contains("[SecureString]$PreSharedKey"));
    assert!(!s.contains("[string]$PreSharedKey"));
    assert!(
        !s.contains("[string]$ConnectionName"),
        "bound value is not a parameter"
    );
    let values = pwsh::string_values(&s);
    assert!(values.iter().any(|v| v == "Contoso VPN"));
    assert!(values.iter().any(|v| v == "vpn.contoso.com"));
    // A value for the secret is refused without --allow-embedded-secrets, and nothing is written.
    let dir = tempfile::tempdir().unwrap();
    let o = common::fixgen()
        .args(["build", "--set", "PreSharedKey=hunter2", "--out"])
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("PreSharedKey") && err.contains("--allow-embedded-secrets"),
        "{err}"
    );
    assert!(!err.contains("hunter2") && !String::from_utf8_lossy(&o.stdout).contains("hunter2"));
    assert!(!dir.path().join("x").exists());
}

#[test]
fn snapshots_of_the_l2tp_bundle() {
    let (_d, out) = build(&[]);
    for (name, bytes) in common::bundle_files(&out) {
        // SHA256SUMS and manifest.json only hash the files snapshotted here (tests/manifest.rs
        // and tests/build_sign.rs check them against sha256sum and openssl). reg/ and gpo/
        // hold UTF-16 and binary files, checked by tests/reg_*.rs and tests/gpo.rs. REVIEW.md
        // lists hashes too; tests/review.rs snapshots it with hashes redacted.
        if name.starts_with('.')
            || fixgen::pipeline::parts::sign::manifest::is_manifest_file(&name)
            || name.starts_with("reg/")
            || name.starts_with("gpo/")
            || name == "REVIEW.md"
        {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap().replace("\r\n", "\n");
        insta::assert_snapshot!(name.replace('/', "__"), text);
    }
}
