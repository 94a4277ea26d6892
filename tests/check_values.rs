//! Values given at build time pass exactly the checks a literal passes, located where they
//! were given; names Windows reserves; `--deny-warnings` for `build` (issue 14). Through the
//! real binary.

mod common;

use std::path::Path;

use serde_json::Value;

fn check_json(args: &[&str]) -> (i32, Vec<Value>) {
    let out = common::fixgen()
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .expect("run fixgen");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let d = v["diagnostics"].as_array().cloned().unwrap_or_default();
    (out.status.code().unwrap_or(-1), d)
}

fn errors(d: &[Value]) -> Vec<&Value> {
    d.iter().filter(|x| x["severity"] == "error").collect()
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

#[test]
fn a_bad_value_in_a_values_file_is_located_at_its_line() {
    let t = tempfile::tempdir().unwrap();
    let values = t.path().join("values.yaml");
    std::fs::write(
        &values,
        "ConnectionName: Office VPN\nServerAddress: \"bad host\"\n",
    )
    .unwrap();
    let vs = values.to_str().unwrap();
    let (code, d) = check_json(&["--values", vs]);
    assert_eq!(code, 1, "{d:?}");
    let e = errors(&d);
    assert!(!e.is_empty());
    for x in &e {
        assert_eq!(x["file"], vs, "{x}");
        assert_eq!(
            (
                x["line"].as_u64(),
                x["column"].as_u64(),
                x["field"].as_str()
            ),
            (Some(2), Some(16), Some("ServerAddress")),
            "{x}"
        );
        assert_eq!(x["code"], "param-value", "{x}");
        assert!(x["message"]
            .as_str()
            .unwrap()
            .contains("expected a DNS name"));
    }
    // `build` refuses the same, with the same location, and writes nothing.
    let out = t.path().join("out");
    let b = build(&["--values", vs], &out);
    assert_eq!(b.status.code(), Some(1));
    let err = String::from_utf8_lossy(&b.stderr);
    assert!(err.contains(&format!("{vs}:2:16")), "{err}");
    assert!(!out.exists());
}

#[test]
fn a_set_value_gets_the_checks_of_a_literal_in_its_place() {
    let t = tempfile::tempdir().unwrap();
    // The same text as a literal connection name and through --set: the same finding.
    let r = t.path().join("name-literal.yaml");
    std::fs::write(
        &r,
        "id: name-literal\ntitle: t\nsummary: s\nsteps:\n  - vpn: { name: \"Office\\nVPN\", server: vpn.example.com, tunnel: ikev2 }\n",
    )
    .unwrap();
    let (code, d) = check_json(&[r.to_str().unwrap()]);
    assert_eq!(code, 1);
    let lit = errors(&d)[0].clone();
    assert_eq!(lit["code"], "vpn-name");

    let p = t.path().join("name-param.yaml");
    std::fs::write(
        &p,
        "id: name-param\ntitle: t\nsummary: s\nparams:\n  Name: { type: string, required: true }\nsteps:\n  - vpn: { name: { param: Name }, server: vpn.example.com, tunnel: ikev2 }\n",
    )
    .unwrap();
    let ps = p.to_str().unwrap();
    let (code, d) = check_json(&[ps]);
    assert_eq!(code, 0, "no value: nothing to check, {d:?}");
    let (code, d) = check_json(&[ps, "--set", "Name=Office\nVPN"]);
    assert_eq!(code, 1);
    let bound = errors(&d)[0].clone();
    assert_eq!(bound["code"], lit["code"]);
    assert_eq!(bound["message"], lit["message"]);
    assert_eq!(bound["file"], "--set Name");
    assert_eq!(bound["field"], "Name");
    assert!(bound["hint"]
        .as_str()
        .unwrap()
        .contains("used at steps[0].vpn.name"));

    // A registry string with a control character, and an empty host name.
    let q = t.path().join("reg-param.yaml");
    std::fs::write(
        &q,
        "id: reg-param\ntitle: t\nsummary: s\nparams:\n  Data: { type: string, required: true }\n  Level: { type: int, required: true }\nsteps:\n  - registry: { key: HKLM\\SOFTWARE\\Contoso, name: Data, value: { string: { param: Data } } }\n  - registry: { key: HKLM\\SOFTWARE\\Contoso, name: Level, value: { dword: { param: Level } } }\n",
    )
    .unwrap();
    let qs = q.to_str().unwrap();
    let (code, d) = check_json(&[qs, "--set", "Data=a\u{1}b", "--set", "Level=4294967296"]);
    assert_eq!(code, 1);
    let codes: Vec<&str> = errors(&d)
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["text-control", "param-value-range"], "{d:?}");
    // Before this rule, build refused the out-of-range number only after validation, and
    // took the control character: now both are refused before anything is rendered.
    let out = t.path().join("out");
    let b = build(&[qs, "--set", "Data=a\u{1}b", "--set", "Level=7"], &out);
    assert_eq!(b.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&b.stderr).contains("text-control"));
    assert!(!out.exists());

    let (code, d) = check_json(&["--set", "ServerAddress="]);
    assert_eq!(code, 1);
    assert!(errors(&d)
        .iter()
        .all(|x| x["file"] == "--set ServerAddress"
            && x["message"].as_str().unwrap().contains("empty")));
}

#[test]
fn a_secret_value_is_checked_and_never_shown() {
    let t = tempfile::tempdir().unwrap();
    let values = t.path().join("values.yaml");
    let secret = "TopSecret\nPSK";
    std::fs::write(
        &values,
        format!("ConnectionName: Office VPN\nServerAddress: vpn.example.com\nPreSharedKey: {secret:?}\n"),
    )
    .unwrap();
    let vs = values.to_str().unwrap();
    let out = common::fixgen()
        .args(["check", "--values", vs, "--allow-embedded-secrets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("vpn-psk-value"), "{text}");
    assert!(text.contains(&format!("{vs}:3:15")), "{text}");
    assert!(!text.contains("TopSecret"), "{text}");
}

#[test]
fn a_secret_given_a_value_needs_allow_embedded_secrets_in_check_as_in_build() {
    let t = tempfile::tempdir().unwrap();
    let values = t.path().join("values.yaml");
    std::fs::write(
        &values,
        "ConnectionName: Office VPN\nServerAddress: vpn.example.com\nPreSharedKey: Sesame-4711\n",
    )
    .unwrap();
    let vs = values.to_str().unwrap();
    let (code, d) = check_json(&["--values", vs]);
    assert_eq!(code, 1);
    let e = errors(&d);
    assert!(!e.is_empty());
    for x in &e {
        assert_eq!(x["code"], "secret-embedded", "{x}");
        assert_eq!(
            (x["line"].as_u64(), x["column"].as_u64()),
            (Some(3), Some(15))
        );
    }
    let out = t.path().join("out");
    let b = build(&["--values", vs], &out);
    assert_eq!(b.status.code(), Some(1));
    assert!(!out.exists());
    assert!(!String::from_utf8_lossy(&b.stderr).contains("Sesame"));
    // With the flag both accept.
    let (code, d) = check_json(&["--values", vs, "--allow-embedded-secrets"]);
    assert_eq!(code, 0, "{d:?}");
    let b = build(&["--values", vs, "--allow-embedded-secrets"], &out);
    assert_eq!(b.status.code(), Some(0));
}

#[test]
fn an_intune_package_too_large_for_intune_is_left_out_under_all() {
    // Six recipes of 200 registry steps: every recipe fits Intune's 200,000-byte limit, the
    // bundle's package does not. `check` cannot see that without rendering; `build --target
    // all` used to fail on it (exit 1, nothing written) after `check` had accepted the bundle.
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("big");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 1..=6 {
        let mut s = format!("id: r{i}\ntitle: t\nsummary: s\nsteps:\n");
        for j in 1..=200 {
            s.push_str(&format!(
                "  - registry: {{ key: HKLM\\SOFTWARE\\Contoso\\K{i}, name: V{j}, value: {{ dword: 1 }} }}\n"
            ));
        }
        std::fs::write(dir.join(format!("r{i}.yaml")), s).unwrap();
    }
    let ds = dir.to_str().unwrap();
    let (code, _) = check_json(&[ds]);
    assert_eq!(code, 0);
    let out = t.path().join("out");
    let b = build(&[ds], &out);
    // The build summary (stdout) names the target left out and why.
    let err = format!(
        "{}{}",
        String::from_utf8_lossy(&b.stdout),
        String::from_utf8_lossy(&b.stderr)
    );
    assert_eq!(b.status.code(), Some(0), "{err}");
    assert!(err.contains("left out: intune/"), "{err}");
    assert!(
        err.contains("Intune takes scripts under 200000 bytes"),
        "{err}"
    );
    assert!(!out.join("intune").exists());
    assert!(out.join("scripts/r1.ps1").is_file());
    // Asked for by name it stays an error, in `check` too (issue 16 item 4: `check --target
    // intune` renders the target in memory): the bundle package's two scripts, reported in
    // the bundle's folder (an implicit bundle: no bundle.yaml) with their sizes.
    let out2 = t.path().join("out2");
    let b = build(&[ds, "--target", "intune"], &out2);
    assert_eq!(b.status.code(), Some(1));
    assert!(!out2.exists());
    let berr = String::from_utf8_lossy(&b.stderr);
    let (code, d) = check_json(&[ds, "--target", "intune"]);
    assert_eq!(code, 1, "check accepts what build refuses: {d:?}");
    let sizes = errors(&d);
    assert_eq!(sizes.len(), 2, "{d:?}");
    for e in sizes {
        assert_eq!(e["code"], "intune-script-size", "{e}");
        let m = e["message"].as_str().unwrap();
        assert!(m.contains("Intune takes scripts under 200000 bytes"), "{m}");
        assert!(berr.contains(m), "build reports the same: {berr}");
    }
}

#[test]
fn names_windows_reserves_are_refused() {
    let t = tempfile::tempdir().unwrap();
    for id in ["con", "nul", "com1", "lpt9", "aux", "prn"] {
        let dir = t.path().join(format!("d-{id}"));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join(format!("{id}.yaml"));
        std::fs::write(
            &f,
            format!("id: {id}\ntitle: t\nsummary: s\nsteps:\n  - service: {{ name: IKEEXT, state: running }}\n"),
        )
        .unwrap();
        let (code, d) = check_json(&[f.to_str().unwrap()]);
        assert_eq!(code, 1, "{id}: {d:?}");
        let e = errors(&d);
        assert_eq!(e.len(), 1, "{d:?}");
        assert_eq!(e[0]["code"], "reserved-name");
        assert_eq!(
            (e[0]["line"].as_u64(), e[0]["column"].as_u64()),
            (Some(1), Some(5))
        );
        let out = t.path().join(format!("out-{id}"));
        let b = build(&[f.to_str().unwrap()], &out);
        assert_eq!(b.status.code(), Some(1), "{id}");
        assert!(!out.exists());
    }
    // An implicit bundle in a folder named like a device gets a safe name.
    let dir = t.path().join("con");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("fix.yaml"),
        "id: fix\ntitle: t\nsummary: s\nsteps:\n  - service: { name: IKEEXT, state: running }\n",
    )
    .unwrap();
    let out = t.path().join("out-implicit");
    let b = build(&[dir.to_str().unwrap(), "--target", "module"], &out);
    assert_eq!(
        b.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    assert!(out.join("module/Recipes/Recipes.psm1").is_file());
}

#[test]
fn deny_warnings_makes_build_write_nothing() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("stop-rpc.yaml");
    std::fs::write(
        &f,
        "id: stop-rpc\ntitle: t\nsummary: s\nsteps:\n  - service: { name: RpcSs, state: stopped }\n",
    )
    .unwrap();
    let fs = f.to_str().unwrap();
    let (code, d) = check_json(&[fs]);
    assert_eq!(code, 0);
    assert_eq!(d[0]["code"], "service-essential");
    assert_eq!(d[0]["severity"], "warning");
    let (code, _) = check_json(&[fs, "--deny-warnings"]);
    assert_eq!(code, 1);

    let out = t.path().join("out");
    let b = build(&[fs, "--deny-warnings", "--target", "scripts"], &out);
    assert_eq!(b.status.code(), Some(1));
    let err = String::from_utf8_lossy(&b.stderr);
    assert!(
        err.contains("service-essential") && err.contains("--deny-warnings"),
        "{err}"
    );
    assert!(!out.exists());
    let b = build(&[fs, "--target", "scripts"], &out);
    assert_eq!(b.status.code(), Some(0));
    assert!(out.join("scripts/stop-rpc.ps1").is_file());
}
