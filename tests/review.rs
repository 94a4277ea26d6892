//! Review before running (issue 7), through the real binary: `fixgen plan` (text and JSON),
//! REVIEW.md (checked against `sha256sum` and the signed files), `fixgen build --check`, the
//! undo scripts (tree-sitter-pwsh and the allowlist), and secrets never leaking into reviews.

mod common;
mod pki;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{fixgen, pwsh};

/// A value no recipe or template contains: if it shows up, it leaked.
const SECRET: &str = "Zq9vPsk-4711-LeakCanary";

fn run(args: &[&str], extra: &[&Path]) -> Output {
    fixgen()
        .args(args)
        .args(extra)
        .output()
        .expect("run fixgen")
}

fn build(out: &Path, args: &[&str]) -> Output {
    let o = fixgen()
        .arg("build")
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .expect("run fixgen");
    assert!(
        o.status.success(),
        "build failed: {}",
        common::output_text(&o)
    );
    o
}

fn check(out: &Path, args: &[&str]) -> Output {
    fixgen()
        .arg("build")
        .arg("--check")
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .expect("run fixgen")
}

/// Replace every run of 64 lower-case hex digits by `[sha256]`: hashes change with every
/// template edit and are checked against `sha256sum` separately.
fn redact(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let run = b[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            .count();
        if run == 64 {
            out.push_str("[sha256]");
            i += 64;
        } else {
            let ch = s[i..].chars().next().expect("char");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// `sha256sum FILE...` in `dir`: path -> hash, from the oracle.
fn sha256sum(dir: &Path, names: &[&String]) -> Option<BTreeMap<String, String>> {
    let tool = common::oracle("sha256sum")?;
    let o = Command::new(tool)
        .args(names.iter().map(|s| s.as_str()))
        .current_dir(dir)
        .output()
        .expect("sha256sum");
    assert!(o.status.success());
    Some(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter_map(|l| l.split_once("  "))
            .map(|(h, p)| (p.to_string(), h.to_string()))
            .collect(),
    )
}

/// REVIEW.md's file table: path -> (sha256, authenticode cell).
fn review_table(review: &str) -> BTreeMap<String, (String, String)> {
    review
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let c: Vec<&str> = l.split(" | ").collect();
            (
                c[0].trim_start_matches("| ").trim_matches('`').to_string(),
                (c[2].trim_matches('`').to_string(), c[3].to_string()),
            )
        })
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    pki::scratch(&format!("review-{name}"))
}

#[test]
fn plan_text_and_json_snapshots() {
    let o = run(&["plan"], &[]);
    assert!(o.status.success(), "{}", common::output_text(&o));
    let t = String::from_utf8(o.stdout).expect("utf-8");
    insta::assert_snapshot!("plan_text", t);

    let o = run(&["plan", "--format", "json"], &[]);
    assert!(o.status.success(), "{}", common::output_text(&o));
    let j = String::from_utf8(o.stdout).expect("utf-8");
    let v: serde_json::Value = serde_json::from_str(&j).expect("plan JSON parses");
    assert_eq!(v["format"], "fixgen-plan/1");
    assert_eq!(v["recipes"].as_array().map(Vec::len), Some(6));
    let open: Vec<&str> = v["open_params"]
        .as_array()
        .expect("open params")
        .iter()
        .filter_map(|x| x.as_str())
        .collect();
    assert_eq!(open, ["ConnectionName", "PreSharedKey", "ServerAddress"]);
    // every change row names a recipe of the bundle, with context and reboot
    for c in v["changes"].as_array().expect("changes") {
        assert!(c["recipe"].is_string() && c["context"] == "system", "{c}");
    }
    insta::assert_snapshot!("plan_json", j);

    // Deterministic: a second run prints the same bytes.
    let again = run(&["plan", "--format", "json"], &[]);
    assert_eq!(String::from_utf8_lossy(&again.stdout), j);
}

#[test]
fn plan_shows_set_values_and_masks_secrets() {
    let o = run(
        &[
            "plan",
            "--set",
            "ServerAddress=vpn.example.com",
            "--set",
            &format!("PreSharedKey={SECRET}"),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", common::output_text(&o));
    let t = common::output_text(&o);
    assert!(t.contains("vpn.example.com"), "{t}");
    assert!(t.contains("<secret: PreSharedKey>"), "{t}");
    assert!(!t.contains(SECRET), "secret value in plan output: {t}");
    assert!(t.contains("Open params: ConnectionName "), "{t}");
    assert!(
        t.contains("secret param PreSharedKey was given a value")
            && t.contains("--allow-embedded-secrets"),
        "{t}"
    );
}

#[test]
fn plan_of_a_bad_bundle_is_refused_with_located_errors() {
    let dir = scratch("bad-plan");
    common::write_bundle(
        &dir,
        &[
            ("bundle.yaml", "name: Bad\ntitle: t\nversion: 1.0.0\ndescription: d\npublisher: p\nrecipes: [bad-one]\n"),
            ("bad-one.yaml", "id: bad-one\ntitle: t\nsummary: s\nsteps:\n  - registry:\n      key: HKXX\\Nope\n      name: V\n      value: { dword: 1 }\n"),
        ],
    );
    let o = run(&["plan"], &[&dir]);
    assert_eq!(o.status.code(), Some(1), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("bad-one.yaml:"),
        "{}",
        common::output_text(&o)
    );
}

#[test]
fn review_md_lists_the_final_files_and_is_listed_in_the_manifest() {
    let dir = scratch("review-md");
    let out = dir.join("dist");
    build(&out, &[]);
    let all = common::bundle_files(&out);
    let review = String::from_utf8(all["REVIEW.md"].clone()).expect("utf-8");
    // The file rows and counts change whenever another target adds files; they are checked
    // below against the folder and sha256sum instead of the snapshot.
    let stable: Vec<String> = redact(&review)
        .lines()
        .filter(|l| !l.starts_with("| `"))
        .map(|l| match l.find(" files carry an Authenticode signature") {
            Some(_) if l.starts_with("Every file") => {
                let cut = l.rfind(". ").map_or(l.len(), |i| i + 1);
                format!(
                    "{} [n] of [m] files carry an Authenticode signature.",
                    &l[..cut]
                )
            }
            _ => l.to_string(),
        })
        .collect();
    insta::assert_snapshot!("review_md", stable.join("\n"));

    // Every file except REVIEW.md itself, the manifest files and the writer's marker is listed,
    // with the hash sha256sum computes.
    let table = review_table(&review);
    let expected: Vec<&String> = all
        .keys()
        .filter(|p| {
            !matches!(
                p.as_str(),
                "REVIEW.md" | "manifest.json" | "SHA256SUMS" | "SHA256SUMS.p7s" | ".fixgen-bundle"
            )
        })
        .collect();
    assert_eq!(
        table.keys().collect::<Vec<_>>(),
        expected,
        "REVIEW.md lists exactly the bundle's files"
    );
    if let Some(sums) = sha256sum(&out, &expected) {
        for (p, (h, signed)) in &table {
            assert_eq!(Some(h), sums.get(p), "{p}");
            assert_eq!(signed, "no", "{p}: unsigned build");
        }
    }
    // REVIEW.md is covered by SHA256SUMS and manifest.json.
    let sums = String::from_utf8(all["SHA256SUMS"].clone()).unwrap();
    assert!(sums.lines().any(|l| l.ends_with("  REVIEW.md")), "{sums}");
    let manifest: serde_json::Value = serde_json::from_slice(&all["manifest.json"]).unwrap();
    assert!(manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "REVIEW.md"));
    if let Some(tool) = common::oracle("sha256sum") {
        let o = Command::new(tool)
            .args(["-c", "--strict", "--quiet", "SHA256SUMS"])
            .current_dir(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", common::output_text(&o));
    }
    // The article step of every recipe, and the honest notes.
    for step in ["Fix 1:", "Fix 2:", "Fix 3:", "Fix 4:", "Fix 5:", "Fix 6:"] {
        assert!(review.contains(&format!("- Implements: {step}")), "{step}");
    }
    assert!(review.contains("Windows Update installs cannot be undone"));
    assert!(review.contains("except this REVIEW.md"));
}

#[test]
fn review_md_of_a_signed_bundle_lists_the_signed_bytes() {
    let Some(p) = pki::pki() else { return };
    let dir = scratch("review-signed");
    let out = dir.join("dist");
    let cert = p.rsa2048.cert.to_str().unwrap();
    let key = p.rsa2048.key.to_str().unwrap();
    build(&out, &["--cert", cert, "--key", key]);
    let all = common::bundle_files(&out);
    let review = String::from_utf8(all["REVIEW.md"].clone()).unwrap();
    let table = review_table(&review);
    let names: Vec<&String> = table.keys().collect();
    let Some(sums) = sha256sum(&out, &names) else {
        return;
    };
    let mut signed = 0;
    for (path, (h, auth)) in &table {
        assert_eq!(
            Some(h),
            sums.get(path),
            "{path}: REVIEW.md must list the final bytes"
        );
        let ps = path.ends_with(".ps1") || path.ends_with(".psm1") || path.ends_with(".psd1");
        assert_eq!(auth == "signed", ps, "{path}: {auth}");
        if ps {
            signed += 1;
            if let Some((ok, t)) = pki::osslsigncode_verify(&out.join(path), &p.ca) {
                assert!(ok, "{path}: {t}");
            }
        }
    }
    assert!(signed >= 14, "{signed} signed files");

    // Same RSA key: signatures are deterministic, --check passes.
    let o = check(&out, &["--cert", cert, "--key", key]);
    assert_eq!(o.status.code(), Some(0), "{}", common::output_text(&o));
    // Without signing options a signed folder cannot be compared: usage error, not a diff.
    let o = check(&out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("signed bundle"),
        "{}",
        common::output_text(&o)
    );
    // ECDSA signatures differ on every run: refused with a reason.
    let o = check(
        &out,
        &[
            "--cert",
            p.p256.cert.to_str().unwrap(),
            "--key",
            p.p256.key.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("ECDSA"),
        "{}",
        common::output_text(&o)
    );
}

#[test]
fn check_passes_on_a_fresh_build_and_catches_drift() {
    let dir = scratch("check");
    let out = dir.join("dist");
    build(&out, &[]);
    let o = check(&out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("up to date"),
        "{}",
        common::output_text(&o)
    );
    let before = common::bundle_files(&out);

    // One byte changed.
    let victim = out.join("scripts/nat-traversal.ps1");
    let mut b = std::fs::read(&victim).unwrap();
    let i = b.len() / 2;
    b[i] ^= 0x01;
    std::fs::write(&victim, &b).unwrap();
    let o = check(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", common::output_text(&o));
    let t = common::output_text(&o);
    assert!(t.contains("changed: scripts/nat-traversal.ps1"), "{t}");
    assert!(!t.contains("added:") && !t.contains("removed:"), "{t}");
    // --check writes nothing.
    assert_eq!(std::fs::read(&victim).unwrap(), b);

    // A missing file and an extra file as well.
    std::fs::remove_file(out.join("REVIEW.md")).unwrap();
    std::fs::write(out.join("scripts/extra.ps1"), b"Write-Output 1\r\n").unwrap();
    let o = check(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", common::output_text(&o));
    let t = common::output_text(&o);
    assert!(t.contains("removed: REVIEW.md"), "{t}");
    assert!(t.contains("added:   scripts/extra.ps1"), "{t}");
    assert!(t.contains("changed: scripts/nat-traversal.ps1"), "{t}");
    assert!(t.contains("3 difference(s)"), "{t}");

    // Rebuilding restores it, and --check passes again.
    build(&out, &[]);
    assert_eq!(common::bundle_files(&out), before);
    let o = check(&out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::output_text(&o));

    // Other options are compared too: a value set at build time is drift when --check differs.
    let o = check(&out, &["--set", "ServerAddress=vpn.example.com"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::output_text(&o));

    // A folder that does not exist is a usage error.
    let o = check(&dir.join("nope"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", common::output_text(&o));
}

#[test]
fn undo_scripts_parse_and_use_only_allowlisted_commands() {
    let dir = scratch("undo");
    let out = dir.join("dist");
    build(&out, &[]);
    let all = common::bundle_files(&out);
    let ids = [
        "ipsec-services",
        "nat-traversal",
        "vpn-security",
        "firewall-ports",
        "recreate-connection",
    ];
    // Nothing of a Windows-Update-only recipe can be undone: a short script without runtime
    // (issue 17).
    let wu = String::from_utf8(all["scripts/Undo-windows-update.ps1"].clone()).unwrap();
    assert!(wu.contains("nothing to undo") && !wu.contains("function "));
    let mut problems = Vec::new();
    for id in ids {
        let name = format!("scripts/Undo-{id}.ps1");
        let t = String::from_utf8(all[&name].clone()).expect("utf-8");
        problems.extend(pwsh::check_generated(&name, &t));
        let defined = pwsh::defined_functions(&t);
        assert!(
            defined.get("Undo-FixgenRecipe").is_some_and(|(_, sp)| *sp),
            "{name}: Undo-FixgenRecipe with SupportsShouldProcess"
        );
        assert!(
            t.contains("[CmdletBinding(SupportsShouldProcess)]\r\nparam()"),
            "{name}"
        );
        assert!(t.contains("Windows Update installs cannot be"), "{name}");
        assert!(t.contains("exit $fixgenResult.ExitCode"), "{name}");
    }
    // The remediation scripts and the module carry the backup code and call it before the
    // first change.
    for name in [
        "scripts/nat-traversal.ps1",
        "module/L2tpIpsecFix/L2tpIpsecFix.psm1",
    ] {
        let t = String::from_utf8(all[name].clone()).unwrap();
        problems.extend(pwsh::check_generated(name, &t));
        let in_order = "Save-FixgenBackup -Recipe $Recipe -Steps $Steps\r\n                $backupSaved = $true\r\n            }\r\n            $result = Set-FixgenStep -Step $step\r\n            $changed++";
        assert!(
            t.contains(in_order),
            "{name}: backup just before the change"
        );
        assert!(
            t.contains("ConvertTo-Json -InputObject $document -Depth"),
            "{name}"
        );
    }
    let module = String::from_utf8(all["module/L2tpIpsecFix/L2tpIpsecFix.psm1"].clone()).unwrap();
    assert!(pwsh::defined_functions(&module)
        .get("Undo-L2tpIpsecFix")
        .is_some_and(|(params, sp)| *sp && params.contains("Recipe")));
    let psd1 = String::from_utf8(all["module/L2tpIpsecFix/L2tpIpsecFix.psd1"].clone()).unwrap();
    assert!(pwsh::string_values(&psd1).contains(&"Undo-L2tpIpsecFix".to_string()));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn no_secret_in_plan_review_manifest_or_terminal_output() {
    let dir = scratch("secret");
    let out = dir.join("dist");
    let set = [
        "--set",
        "ConnectionName=Office VPN",
        "--set",
        "ServerAddress=vpn.example.com",
        "--set",
    ];
    let psk = format!("PreSharedKey={SECRET}");
    let mut args: Vec<&str> = set.to_vec();
    args.push(&psk);
    args.push("--allow-embedded-secrets");
    let mut outputs = vec![build(&out, &args)];
    let all = common::bundle_files(&out);

    // The scripts that need it hold it (that is what --allow-embedded-secrets asks for), and
    // REVIEW.md and manifest.json say which by name.
    let holders: Vec<&String> = all
        .iter()
        .filter(|(_, b)| String::from_utf8_lossy(b).contains("4711"))
        .map(|(p, _)| p)
        .collect();
    assert!(!holders.is_empty(), "the secret is baked into some script");
    let review = String::from_utf8(all["REVIEW.md"].clone()).unwrap();
    assert!(review.contains("hold a secret value"));
    assert!(review.contains("`scripts/recreate-connection.ps1`"));

    // The Intune VPN profile payload carries the key in clear by design (issue 15 item 7: the
    // key goes to Intune as a profile, not in a script); manifest.json marks it as holding it.
    let manifest: serde_json::Value = serde_json::from_slice(&all["manifest.json"]).unwrap();
    let marked = |p: &str| {
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == p && f["holds_secret"] == true)
    };
    assert!(marked("intune/L2tpIpsecFix/vpnProfile.json"));
    for (path, bytes) in &all {
        let t = String::from_utf8_lossy(bytes);
        let payload = path == "intune/L2tpIpsecFix/vpnProfile.json" && marked(path);
        if (path.ends_with(".json") && !payload)
            || path.ends_with(".md")
            || path.contains("SHA256SUMS")
        {
            assert!(!t.contains(SECRET), "{path} holds the secret");
        }
        if path.contains("/Undo-") {
            assert!(
                !t.contains("4711"),
                "{path}: undo scripts never carry values"
            );
        }
    }
    let mut plan_args = vec!["plan"];
    plan_args.extend(set);
    plan_args.push(&psk);
    outputs.push(run(&plan_args, &[]));
    plan_args.extend(["--format", "json"]);
    outputs.push(run(&plan_args, &[]));
    let mut check_args: Vec<&str> = vec!["build", "--check", "--out", out.to_str().unwrap()];
    check_args.extend(&args);
    outputs.push(run(&check_args, &[]));
    outputs.push(run(&["verify", "--format", "json"], &[&out]));
    for o in &outputs {
        let t = common::output_text(o);
        assert!(!t.contains(SECRET), "secret in terminal output: {t}");
    }
    assert_eq!(
        outputs[3].status.code(),
        Some(0),
        "{}",
        common::output_text(&outputs[3])
    );
    let plan_json: serde_json::Value =
        serde_json::from_slice(&outputs[2].stdout).expect("plan JSON");
    let psk_row = plan_json["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "PreSharedKey")
        .expect("PreSharedKey row");
    assert_eq!(psk_row["value"], "<secret: PreSharedKey>");
    assert_eq!(psk_row["source"], "set");
}

#[test]
fn user_context_recipes_are_flagged_and_recipe_text_cannot_inject_markdown() {
    let dir = scratch("user");
    let b = dir.join("bundle");
    common::write_bundle(
        &b,
        &[
            ("bundle.yaml", "name: UserFix\ntitle: User fix\nversion: 1.2.3\ndescription: d\npublisher: p\nrecipes: [proxy-off]\n"),
            ("proxy-off.yaml", "id: proxy-off\ntitle: 'Turn <img src=x onerror=alert(1)> | off [x](javascript:alert(1))'\nsummary: \"- not a list\\n# not a heading\"\ncontext: user\nsource_step: 'Fix 9: *bold* `code`'\nsteps:\n  - registry:\n      key: HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\n      name: ProxyEnable\n      value: { dword: 0 }\n"),
        ],
    );
    let o = run(&["plan"], &[&b]);
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("USER CONTEXT"),
        "{}",
        common::output_text(&o)
    );

    let out = dir.join("dist");
    let o = fixgen()
        .arg("build")
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    let review = std::fs::read_to_string(out.join("REVIEW.md")).unwrap();
    assert!(review.contains("## User-context recipes"), "{review}");
    assert!(review.contains("- Context: **user**"), "{review}");
    for raw in ["<img", "[x](", "\n# not", "*bold*", "`code`"] {
        assert!(!review.contains(raw), "raw {raw:?} reached REVIEW.md");
    }
    assert!(
        review.contains("&lt;img src=x onerror=alert(1)&gt; \\| off"),
        "{review}"
    );
    // The undo script of a user-context recipe keeps its backups in the user's profile and
    // passes the checks like the others.
    let undo = std::fs::read_to_string(out.join("scripts/Undo-proxy-off.ps1")).unwrap();
    let problems = pwsh::check_generated("Undo-proxy-off.ps1", &undo);
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(undo.contains("Context = 'User'"));
    assert!(!undo.contains("#Requires -RunAsAdministrator"));
}
