//! A recipe's `channels` (issue 15 items 4 and 8): which build targets carry it, the default
//! that leaves Windows Update out of the GPO, user-context recipes kept out of the computer
//! startup script, and the validator's errors. The behaviour of the startup script itself is
//! proven in the simulated Windows (tests/pester/Gpo.Tests.ps1).

mod common;

use std::path::Path;

const BUNDLE: &str = "name: ChanFix\ntitle: Channels\nversion: 1.0.0\ndescription: Channels.\npublisher: fixgen tests\nrecipes: [reg-only, wu, wu-gpo, user-reg]\n";

fn recipe(id: &str, extra: &str, steps: &str) -> String {
    format!("id: {id}\ntitle: Recipe {id}\nsummary: Test recipe {id}.\n{extra}steps:\n{steps}")
}

fn write(dir: &Path, channels_reg_only: &str) {
    let reg_only = recipe(
        "reg-only",
        &format!("context: system\n{channels_reg_only}"),
        "  - registry: { key: 'HKLM\\SOFTWARE\\Contoso\\Fix', name: Level, value: { dword: 2 } }\n",
    );
    let wu = recipe("wu", "", "  - windows_update: { action: scan }\n");
    let wu_gpo = recipe(
        "wu-gpo",
        "channels: [scripts, gpo]\n",
        "  - windows_update: { action: scan }\n",
    );
    let user_reg = recipe(
        "user-reg",
        "context: user\n",
        "  - registry: { key: 'HKCU\\Software\\Contoso\\Fix', name: Mode, value: { string: on } }\n",
    );
    common::write_bundle(
        dir,
        &[
            ("bundle.yaml", BUNDLE),
            ("reg-only.yaml", &reg_only),
            ("wu.yaml", &wu),
            ("wu-gpo.yaml", &wu_gpo),
            ("user-reg.yaml", &user_reg),
        ],
    );
}

fn utf16(bytes: &[u8]) -> String {
    assert_eq!(&bytes[..2], &[0xff, 0xfe], "UTF-16LE with BOM");
    fixgen::pipeline::parts::regfile::from_utf16le(&bytes[2..]).expect("UTF-16LE")
}

#[test]
fn channels_choose_the_targets_and_the_startup_script() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    write(&src, "channels: [reg, gpo]\n");
    let out = dir.path().join("out");
    let o = common::fixgen()
        .args(["build", "--target", "all", "--out"])
        .arg(&out)
        .arg(&src)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = common::bundle_files(&out);
    let has = |p: &str| files.contains_key(p);
    let text = |p: &str| String::from_utf8_lossy(&files[p]).to_string();

    // reg-only: channels [reg, gpo].
    assert!(!has("scripts/reg-only.ps1"));
    assert!(!has("scripts/Undo-reg-only.ps1"));
    assert!(has("reg/reg-only.reg"));
    assert!(!files.keys().any(|p| p.starts_with("intune/reg-only/")));
    assert!(!text("module/ChanFix/ChanFix.psm1").contains("reg-only"));
    assert!(!text("scripts/Invoke-ChanFix.ps1").contains("'reg-only.ps1'"));
    assert!(has("gpo/Machine/Scripts/Startup/reg-only.ps1"));
    assert!(has("gpo/Machine/Preferences/Registry/Registry.xml"));

    // wu: no channels, a windows_update step: everywhere but the GPO.
    assert!(has("scripts/wu.ps1"));
    assert!(files.keys().any(|p| p.starts_with("intune/wu/")));
    assert!(text("scripts/Invoke-ChanFix.ps1").contains("'wu.ps1'"));
    assert!(!has("gpo/Machine/Scripts/Startup/wu.ps1"));

    // wu-gpo: asks for the GPO.
    assert!(has("gpo/Machine/Scripts/Startup/wu-gpo.ps1"));
    assert!(!files.keys().any(|p| p.starts_with("intune/wu-gpo/")));

    // user-reg: context user: HKCU value on the User side, never in the computer startup.
    assert!(has("scripts/user-reg.ps1"));
    assert!(!has("gpo/Machine/Scripts/Startup/user-reg.ps1"));
    assert!(has("gpo/User/Preferences/Registry/Registry.xml"));
    assert!(!text("gpo/Machine/Preferences/Registry/Registry.xml")
        .contains("Contoso\\Fix\" name=\"Mode"));

    // The startup Invoke script runs exactly the startup recipes; psscripts.ini runs it.
    let invoke = text("gpo/Machine/Scripts/Startup/Invoke-ChanFix.ps1");
    for (id, runs) in [
        ("reg-only", true),
        ("wu", false),
        ("wu-gpo", true),
        ("user-reg", false),
    ] {
        assert_eq!(invoke.contains(&format!("'{id}.ps1'")), runs, "{id}");
    }
    let ini = utf16(&files["gpo/Machine/Scripts/psscripts.ini"]);
    assert_eq!(
        ini,
        "\r\n[Startup]\r\n0CmdLine=Invoke-ChanFix.ps1\r\n0Parameters=\r\n"
    );
    assert!(!has("gpo/User/Scripts/psscripts.ini"));
    let startup: Vec<&String> = files
        .keys()
        .filter(|p| p.starts_with("gpo/Machine/Scripts/Startup/"))
        .collect();
    assert_eq!(startup.len(), 3, "{startup:?}");

    // The README and REVIEW.md say which recipes are left out and why.
    let readme = text("gpo/README.md");
    assert!(
        readme.contains("- `wu`: it has a Windows Update step"),
        "{readme}"
    );
    assert!(
        readme.contains("- `user-reg`: it runs in the user's context"),
        "{readme}"
    );
    let review = text("REVIEW.md");
    assert!(review.contains("- Channels: gpo, reg; run by the GPO computer startup script"));
    assert!(review.contains(
        "- Channels: scripts, module, intune, reg; **not** in the GPO (a Windows Update step"
    ));
    assert!(review.contains("**not** in the GPO computer startup script (user context"));
}

#[test]
fn check_rejects_empty_and_repeated_channels_with_the_field() {
    for (channels, field, needle) in [
        ("channels: []\n", "channels", "`channels` is empty"),
        (
            "channels: [reg, gpo, reg]\n",
            "channels[2]",
            "channel `reg` is listed twice",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        write(&src, channels);
        let o = common::fixgen()
            .args(["check", "--format", "json"])
            .arg(&src)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{channels}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains(needle), "{out}");
        assert!(
            out.contains(&format!("\"field\":\"{field}\""))
                || out.contains(&format!("\"field\": \"{field}\"")),
            "{out}"
        );
        assert!(out.contains("reg-only.yaml"), "{out}");
        // build rejects it too and writes nothing.
        let target = dir.path().join("out");
        let b = common::fixgen()
            .args(["build", "--out"])
            .arg(&target)
            .arg(&src)
            .output()
            .unwrap();
        assert!(!b.status.success());
        assert!(!target.exists());
    }
    // An unknown channel is a parse error naming the field.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    write(&src, "channels: [sccm]\n");
    let o = common::fixgen().args(["check"]).arg(&src).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("sccm") && err.contains("reg-only.yaml"),
        "{err}"
    );
}

/// The conditions of issue 15 items 4, 5, 6 and 8, read from `fixgen plan --format json`.
#[test]
fn plan_json_states_the_conditions() {
    let o = common::fixgen()
        .args(["plan", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("plan JSON");
    let entry = |id: &str| -> serde_json::Value {
        v["recipes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in the plan"))
    };
    // 15.4: Windows Update is report-only, never decides an exit code, not in the GPO.
    let wu = entry("windows-update");
    assert_eq!(wu["gpo_startup"], false);
    assert_eq!(wu["channels_given"], false);
    assert!(!wu["channels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "gpo"));
    let row = &wu["changes"][0]["new_value"];
    assert!(
        row.as_str()
            .unwrap()
            .contains("never decides the exit code"),
        "{row}"
    );
    assert!(wu["reads"][0].as_str().unwrap().contains(
        "definition updates (category E0789628-CE08-4437-BE74-2495B842F43B) not counted"
    ));
    // 15.5: a service that must run and is missing is an error.
    let svc = entry("ipsec-services");
    assert!(svc["reads"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.as_str().unwrap().contains("not installed is an error")));
    assert_eq!(svc["gpo_startup"], true);
    // 15.6: undo restores the state before the first change, per item.
    assert!(svc["undo"]
        .as_str()
        .unwrap()
        .contains("per item, the state saved before the first change not yet undone"));

    // 15.5 (the other side) and 15.8, on a bundle of their own.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    write(&src, "");
    std::fs::write(
        src.join("bundle.yaml"),
        BUNDLE.replace(
            "[reg-only, wu, wu-gpo, user-reg]",
            "[reg-only, wu, wu-gpo, user-reg, svc-off]",
        ),
    )
    .unwrap();
    std::fs::write(
        src.join("svc-off.yaml"),
        recipe(
            "svc-off",
            "",
            "  - service: { name: RemoteAccess, startup: disabled, state: stopped }\n",
        ),
    )
    .unwrap();
    let o = common::fixgen()
        .args(["plan", "--format", "json"])
        .arg(&src)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("plan JSON");
    let find = |id: &str| {
        v["recipes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert!(find("svc-off")["reads"][0]
        .as_str()
        .unwrap()
        .contains("not installed counts as compliant"));
    let user = find("user-reg");
    assert_eq!(user["context"], "user");
    assert_eq!(user["gpo_startup"], false);
    assert!(user["channels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "gpo"));
    assert_eq!(find("wu-gpo")["gpo_startup"], true);
}
