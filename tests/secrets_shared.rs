//! Issue 15 item 7, "Secrets in places everyone can read": with `--allow-embedded-secrets` a
//! secret may be baked into `scripts/` and `intune/` only, never into `gpo/` (SYSVOL, readable
//! by every authenticated user of the domain) or `module/` (copied to shared module paths).
//! Through the real binary; the module's parameters are read by real pwsh.

mod common;

use std::path::Path;
use std::process::Output;

const KEY: &str = "Zq8-unique-psk-7f3a91";

fn values(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("values.yaml");
    std::fs::write(
        &p,
        format!(
            "ConnectionName: Contoso VPN\nServerAddress: vpn.contoso.com\nPreSharedKey: {KEY}\n"
        ),
    )
    .unwrap();
    p
}

fn run(args: &[&str]) -> Output {
    common::fixgen().args(args).output().expect("run fixgen")
}

/// Every form of `s` a generated file could carry it in: UTF-8, UTF-16LE, and base64 of both
/// (the middle of the base64 text, whatever the alignment in the encoded stream).
fn forms(s: &str) -> Vec<(String, Vec<u8>)> {
    use base64ct::{Base64, Encoding};
    let utf16: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let mut out = vec![
        ("utf-8".to_string(), s.as_bytes().to_vec()),
        ("utf-16le".to_string(), utf16.clone()),
    ];
    for (name, raw) in [("utf-8", s.as_bytes().to_vec()), ("utf-16le", utf16)] {
        for shift in 0..3 {
            let mut padded = vec![0u8; shift];
            padded.extend(&raw);
            let enc = Base64::encode_string(&padded);
            // Skip the characters that depend on the bytes before, and the padded end.
            let start = (shift * 4).div_ceil(3) + 1;
            let end = enc.trim_end_matches('=').len().saturating_sub(2);
            out.push((
                format!("base64 of {name} (offset {shift})"),
                enc.as_bytes()[start..end].to_vec(),
            ));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `build --values vs --allow-embedded-secrets --target targets`: refused (exit 1, nothing
/// written) with `secret-shared-target` located at the values file's `PreSharedKey` entry;
/// returns what it printed.
fn refused_build(dir: &Path, vs: &str, targets: &str) -> String {
    let out = dir.join(format!("out-{targets}"));
    let o = run(&[
        "build",
        "--values",
        vs,
        "--allow-embedded-secrets",
        "--target",
        targets,
        "--out",
        out.to_str().unwrap(),
    ]);
    let all = common::output_report(&o);
    assert_eq!(o.status.code(), Some(1), "--target {targets}: {all}");
    assert!(!out.exists(), "a refused build wrote {}", out.display());
    assert!(all.contains("secret-shared-target"), "{all}");
    assert!(all.contains(&format!("{vs}:3:15")), "{all}");
    all
}

#[test]
fn secret_in_gpo_target_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let v = values(t.path());
    let vs = v.to_str().unwrap();
    for targets in ["gpo", "scripts,gpo"] {
        // Located at the values file's entry, with the code, why and what instead.
        let all = refused_build(t.path(), vs, targets);
        assert!(all.contains("SYSVOL"), "{all}");
        assert!(all.contains("every authenticated user"), "{all}");
        assert!(all.contains("MS14-025"), "{all}");
        assert!(all.contains("--target scripts,intune"), "{all}");
        assert!(!all.contains(KEY), "the key was shown: {all}");
        // `check` refuses the same.
        let c = run(&[
            "check",
            "--values",
            vs,
            "--allow-embedded-secrets",
            "--target",
            targets,
            "--format",
            "json",
        ]);
        assert_eq!(
            c.status.code(),
            Some(1),
            "check --target {targets}: {}",
            common::output_report(&c)
        );
        let j: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
        let d: Vec<&serde_json::Value> = j["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "secret-shared-target")
            .collect();
        assert_eq!(d.len(), 1, "{j}");
        assert_eq!(d[0]["severity"], "error");
        assert_eq!(d[0]["file"], vs);
        assert_eq!(
            (d[0]["line"].as_u64(), d[0]["column"].as_u64()),
            (Some(3), Some(15))
        );
        assert_eq!(d[0]["field"], "PreSharedKey");
    }
    // Without the secret's value the same target builds.
    let out = t.path().join("out-plain");
    let o = run(&[
        "build",
        "--set",
        "ConnectionName=Contoso VPN",
        "--set",
        "ServerAddress=vpn.contoso.com",
        "--target",
        "gpo",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::output_report(&o));
}

#[test]
fn secret_in_module_target_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let v = values(t.path());
    let vs = v.to_str().unwrap();
    for targets in ["module", "scripts,module"] {
        let all = refused_build(t.path(), vs, targets);
        assert!(all.contains("module paths"), "{all}");
        assert!(all.contains("[SecureString]"), "{all}");
        assert!(!all.contains(KEY), "the key was shown: {all}");
        let c = run(&[
            "check",
            "--values",
            vs,
            "--allow-embedded-secrets",
            "--target",
            targets,
        ]);
        assert_eq!(
            c.status.code(),
            Some(1),
            "check --target {targets}: {}",
            common::output_report(&c)
        );
        assert!(String::from_utf8_lossy(&c.stdout).contains("secret-shared-target"));
    }
    // scripts and intune still take it with the flag.
    let out = t.path().join("out-ok");
    let o = run(&[
        "build",
        "--values",
        vs,
        "--allow-embedded-secrets",
        "--target",
        "scripts,intune",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::output_report(&o));
    let c = run(&[
        "check",
        "--values",
        vs,
        "--allow-embedded-secrets",
        "--target",
        "scripts,intune",
    ]);
    assert_eq!(c.status.code(), Some(0), "{}", common::output_report(&c));
}

/// The default build (`--target all`) with the key and the flag.
fn build_all(t: &Path) -> (std::path::PathBuf, Output) {
    let v = values(t);
    let out = t.join("dist");
    let o = run(&[
        "build",
        "--values",
        v.to_str().unwrap(),
        "--allow-embedded-secrets",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::output_report(&o));
    (out, o)
}

#[test]
fn no_file_under_gpo_or_module_contains_the_key() {
    let t = tempfile::tempdir().unwrap();
    let (out, o) = build_all(t.path());
    let files = common::bundle_files(&out);
    let mut seen_in_scripts = false;
    let mut checked = 0;
    for (path, bytes) in &files {
        let shared = path.starts_with("gpo/") || path.starts_with("module/");
        for (form, needle) in forms(KEY) {
            let found = contains(bytes, &needle);
            if shared {
                assert!(!found, "{path} holds the key ({form})");
            } else if found && path.starts_with("scripts/") {
                seen_in_scripts = true;
            }
        }
        checked += usize::from(shared);
    }
    // The search finds the key where it is (non-vacuous), and both targets were built.
    assert!(seen_in_scripts, "the key is not found even in scripts/");
    assert!(files.keys().any(|p| p.starts_with("module/")), "no module/");
    assert!(files
        .keys()
        .any(|p| p.starts_with("gpo/Machine/Scripts/Startup/")));
    assert!(checked >= 8, "{checked} files under gpo/ and module/");
    // manifest.json marks none of them as holding a secret; the summary line does not count them.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let holding: Vec<String> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["holds_secret"] == true)
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert!(!holding.is_empty());
    assert!(
        holding
            .iter()
            .all(|p| p.starts_with("scripts/") || p.starts_with("intune/")),
        "{holding:?}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("gpo/ ") && !err.contains("module/ "), "{err}");
    // The real grep agrees on the plain form.
    if let Some(grep) = common::oracle("grep") {
        let g = std::process::Command::new(grep)
            .args(["-rlaF", KEY, "gpo", "module"])
            .current_dir(&out)
            .output()
            .unwrap();
        assert_eq!(
            g.status.code(),
            Some(1),
            "grep found: {}",
            common::output_report(&g)
        );
        let g = std::process::Command::new(common::oracle("grep").unwrap())
            .args(["-rlaF", KEY, "scripts"])
            .current_dir(&out)
            .output()
            .unwrap();
        assert_eq!(
            g.status.code(),
            Some(0),
            "grep finds the key in scripts/: {}",
            common::output_report(&g)
        );
    }
}

#[test]
fn gpo_startup_script_leaves_out_recipes_that_need_the_key() {
    let t = tempfile::tempdir().unwrap();
    let (out, o) = build_all(t.path());
    let startup = out.join("gpo/Machine/Scripts/Startup");
    for id in ["recreate-connection", "vpn-security"] {
        assert!(
            !startup.join(format!("{id}.ps1")).exists(),
            "{id}.ps1 in the startup folder"
        );
    }
    // The other recipes still run at startup.
    for id in ["ipsec-services", "nat-traversal", "firewall-ports"] {
        assert!(
            startup.join(format!("{id}.ps1")).exists(),
            "{id}.ps1 missing"
        );
    }
    let invoke = std::fs::read_to_string(startup.join("Invoke-L2tpIpsecFix.ps1")).unwrap();
    assert!(
        !invoke.contains("recreate-connection"),
        "Invoke runs recreate-connection"
    );
    let readme = std::fs::read_to_string(out.join("gpo/README.md")).unwrap();
    assert!(
        readme.contains("`recreate-connection`: its steps use a secret"),
        "{readme}"
    );
    assert!(readme.contains("SYSVOL"), "{readme}");
    assert!(!readme.contains("Warning: a secret is baked"), "{readme}");
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(
        summary.contains("left out: gpo/ startup script: vpn-security, recreate-connection"),
        "{summary}"
    );
    // The startup Invoke script parses and runs only the recipes present (real pwsh).
    let Some(pwsh) = common::pwsh_host::pwsh() else {
        return;
    };
    let script = format!(
        "$t = $null; $e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile('{}', [ref]$t, [ref]$e); $e.Count",
        startup.join("Invoke-L2tpIpsecFix.ps1").display()
    );
    let r = common::pwsh_host::run_pwsh(&pwsh, &script);
    assert_eq!(
        String::from_utf8_lossy(&r.stdout).trim(),
        "0",
        "{}",
        common::output_report(&r)
    );
}

#[test]
fn module_built_with_values_asks_for_the_key_at_run_time() {
    let Some(pwsh) = common::pwsh_host::pwsh() else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let (out, _) = build_all(t.path());
    let psd1 = out.join("module/L2tpIpsecFix/L2tpIpsecFix.psd1");
    // Every module command that applies or checks a recipe using the key takes it as a
    // [SecureString] parameter; the other values given at build time are baked in (no parameter).
    let script = format!(
        "Import-Module '{}' -Force; Get-Command -Module L2tpIpsecFix | Sort-Object Name | ForEach-Object {{ $p = $_.Parameters; \
         $k = if ($p.ContainsKey('PreSharedKey')) {{ $p['PreSharedKey'].ParameterType.FullName }} else {{ '-' }}; \
         $c = $p.ContainsKey('ConnectionName'); \"$($_.Name) $k $c\" }}",
        psd1.display()
    );
    let r = common::pwsh_host::run_pwsh(&pwsh, &script);
    let s = String::from_utf8_lossy(&r.stdout).to_string();
    assert!(r.status.success(), "{}", common::output_report(&r));
    let with_key: Vec<&str> = s
        .lines()
        .filter(|l| l.contains(" System.Security.SecureString "))
        .collect();
    for noun in ["RecreateConnection", "VpnSecurity"] {
        assert!(
            with_key.iter().filter(|l| l.contains(noun)).count() >= 2,
            "no change and test command of {noun} takes -PreSharedKey: {s}"
        );
    }
    assert!(
        with_key
            .iter()
            .any(|l| l.starts_with("Invoke-L2tpIpsecFix ")),
        "Invoke-L2tpIpsecFix takes no -PreSharedKey: {s}"
    );
    assert!(
        s.lines().all(|l| l.ends_with(" False")),
        "ConnectionName was given at build time, yet a command asks for it: {s}"
    );
}

#[test]
fn gpo_of_a_bundle_whose_every_startup_recipe_needs_the_key_has_no_startup_script() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("vpnonly");
    std::fs::create_dir(&src).unwrap();
    let recipe = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes/l2tp/recreate-connection.yaml"),
    )
    .unwrap();
    std::fs::write(src.join("recreate-connection.yaml"), recipe).unwrap();
    std::fs::write(
        src.join("bundle.yaml"),
        "name: VpnOnly\ntitle: One VPN recipe\nversion: 1.0.0\ndescription: Recreate the connection.\npublisher: fixgen tests\nrecipes: [recreate-connection]\n",
    )
    .unwrap();
    let v = values(t.path());
    let out = t.path().join("dist");
    let o = run(&[
        "build",
        src.to_str().unwrap(),
        "--values",
        v.to_str().unwrap(),
        "--allow-embedded-secrets",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::output_report(&o));
    assert!(!out.join("gpo/Machine/Scripts/psscripts.ini").exists());
    assert!(!out.join("gpo/Machine/Scripts/Startup").exists());
    let readme = std::fs::read_to_string(out.join("gpo/README.md")).unwrap();
    assert!(
        readme.contains("**No startup script.** No recipe of this bundle runs"),
        "{readme}"
    );
    assert!(
        readme.contains("`recreate-connection`: its steps use a secret"),
        "{readme}"
    );
    for (path, bytes) in common::bundle_files(&out) {
        if path.starts_with("gpo/") || path.starts_with("module/") {
            assert!(!contains(&bytes, KEY.as_bytes()), "{path} holds the key");
        }
    }
    // The Intune profile carries it instead.
    assert!(out.join("intune/VpnOnly/vpnProfile.json").exists());
}

/// Without `--allow-embedded-secrets`, a secret for `--target gpo` or `--target module` alone is
/// refused by `secret-embedded`; its hint must not send the user to the flag (which would only
/// lead to `secret-shared-target`), but say what works for these targets.
#[test]
fn secret_for_gpo_or_module_alone_without_the_flag_is_not_told_to_use_the_flag() {
    let t = tempfile::tempdir().unwrap();
    let v = values(t.path());
    let vs = v.to_str().unwrap();
    for targets in ["gpo", "module", "gpo,module"] {
        for cmd in ["build", "check"] {
            let out = t.path().join(format!("out-{cmd}-{targets}"));
            let mut args = vec![cmd, "--values", vs, "--target", targets];
            if cmd == "build" {
                args.extend(["--out", out.to_str().unwrap()]);
            }
            let o = run(&args);
            let all = common::output_report(&o);
            assert_eq!(o.status.code(), Some(1), "{cmd} --target {targets}: {all}");
            assert!(all.contains("secret-embedded"), "{all}");
            assert!(
                !all.contains("pass --allow-embedded-secrets"),
                "{cmd} --target {targets}: the hint names the flag: {all}"
            );
            assert!(all.contains("SYSVOL"), "{all}");
            assert!(all.contains("--target scripts,intune"), "{all}");
            assert!(!all.contains(KEY), "the key was shown: {all}");
        }
    }
    // With scripts among the targets the flag does help: the hint keeps naming it.
    let o = run(&["check", "--values", vs, "--target", "scripts,gpo"]);
    assert!(
        common::output_report(&o).contains("--allow-embedded-secrets"),
        "{}",
        common::output_report(&o)
    );
}
