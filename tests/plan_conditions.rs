//! Issue 15 item 1: `fixgen plan --format json` states when each conditional change of the VPN
//! recipes is made, in words (`condition` of a change), and REVIEW.md shows the same text.
//! Also: the key id fixgen embeds in detection scripts is PBKDF2 as openssl computes it.

mod common;

use serde_json::Value;

fn plan_json() -> Value {
    let out = common::fixgen()
        .args(["plan", "--format", "json"])
        .output()
        .expect("run fixgen plan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("plan JSON")
}

fn condition(plan: &Value, recipe: &str, setting: &str) -> String {
    let changes = plan["changes"].as_array().expect("changes array");
    let hits: Vec<&Value> = changes
        .iter()
        .filter(|c| c["recipe"] == recipe && c["setting"] == setting)
        .collect();
    assert_eq!(hits.len(), 1, "{recipe}/{setting}: {changes:#?}");
    hits[0]["condition"]
        .as_str()
        .unwrap_or_else(|| panic!("{recipe}/{setting} has no condition: {:#?}", hits[0]))
        .to_string()
}

#[test]
fn the_pre_shared_key_is_applied_only_when_the_marker_does_not_record_it() {
    let plan = plan_json();
    for recipe in ["vpn-security", "recreate-connection"] {
        let c = condition(&plan, recipe, "L2TP pre-shared key");
        assert!(c.contains("L2tpIPsecAuth is not Psk"), "{c}");
        assert!(c.contains("marker does not record this key"), "{c}");
        let c = condition(&plan, recipe, "L2TP IPsec authentication");
        assert!(c.contains("another method"), "{c}");
    }
}

#[test]
fn recreation_is_a_one_shot_tied_to_a_marker() {
    let plan = plan_json();
    let c = condition(&plan, "recreate-connection", "connection");
    assert!(c.starts_with("only when the recreation marker"), "{c}");
    assert!(
        c.contains("later runs correct differing settings in place"),
        "{c}"
    );
    let c = condition(&plan, "vpn-security", "connection");
    assert!(c.contains("differs or the connection is missing"), "{c}");
}

#[test]
fn the_server_address_is_corrected_when_it_differs() {
    let plan = plan_json();
    for recipe in ["vpn-security", "recreate-connection"] {
        let c = condition(&plan, recipe, "server address");
        assert!(c.contains("Set-VpnConnection -ServerAddress"), "{c}");
    }
}

#[test]
fn settings_set_when_they_differ_carry_no_condition_and_review_shows_conditions() {
    let plan = plan_json();
    let changes = plan["changes"].as_array().expect("changes array");
    for c in changes {
        let recipe = c["recipe"].as_str().unwrap_or_default();
        if !matches!(recipe, "vpn-security" | "recreate-connection") {
            assert!(c.get("condition").is_none(), "{c:#?}");
        }
    }
    // REVIEW.md of a build: the same condition next to the change.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("dist");
    let o = common::fixgen()
        .args(["build", "--target", "scripts", "--out"])
        .arg(&out)
        .output()
        .expect("run fixgen build");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let review = std::fs::read_to_string(out.join("REVIEW.md")).expect("REVIEW.md");
    let c = condition(&plan, "recreate-connection", "connection");
    let md_c = c.replace('\\', "\\\\");
    assert!(
        review.contains(&c) || review.contains(&md_c),
        "REVIEW.md lacks {c:?}"
    );
}

#[test]
fn the_key_id_is_pbkdf2_hmac_sha256_as_openssl_computes_it() {
    let Some(openssl) = common::oracle("openssl") else {
        return;
    };
    let iter = fixgen::pipeline::parts::render::vpn_marker::PSK_ID_ITERATIONS.to_string();
    let salt = format!(
        "salt:{}Contoso VPN",
        fixgen::pipeline::parts::render::vpn_marker::PSK_ID_SALT_PREFIX
    );
    let out = std::process::Command::new(openssl)
        .args([
            "kdf",
            "-keylen",
            "32",
            "-kdfopt",
            "digest:SHA256",
            "-kdfopt",
            "pass:correct-horse-battery",
            "-kdfopt",
            &salt,
            "-kdfopt",
        ])
        .arg(format!("iter:{iter}"))
        .arg("PBKDF2")
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).replace([':', '\n'], "");
    assert_eq!(
        fixgen::pipeline::parts::render::vpn_marker::psk_id("Contoso VPN", "correct-horse-battery"),
        text.trim().to_ascii_lowercase()
    );
}
