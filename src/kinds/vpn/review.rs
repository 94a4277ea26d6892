//! A VPN step in REVIEW.md and `fixgen plan`: its rows of the change table and what the script
//! reads first (`review::kinds::vpn`, mounted by `src/review/mod.rs`).

use super::super::*;

/// A VPN connection: each setting and when it is changed.
pub(in crate::review) fn rows(
    rp: &RecipePlan,
    v: &crate::model::VpnStep,
    reads: &mut Vec<String>,
    rows: &mut Vec<Row>,
) {
    // Every VPN row says when it is changed (issue 15 items 1-3).
    let mut crow = |t: &str, s: &str, v: String, c: &str| {
        rows.push((t.to_string(), s.to_string(), v, Some(c.to_string())))
    };
    let name = val_text(rp, &v.name, |x| x.clone());
    let scope = if v.all_users {
        "all users"
    } else {
        "current user"
    };
    let t = format!("VPN connection {name} ({scope})");
    reads.push(format!(
            "VPN connection {name} in the {scope} phonebook: server address, tunnel type, authentication, encryption, options, L2tpIPsecAuth (the pre-shared key cannot be read back)"
        ));
    if v.psk.is_some() {
        reads.push(format!(
                "the pre-shared key marker of {name} in {}\\fixgen\\vpn (the id of the key fixgen last applied; SYSTEM and Administrators only)",
                if v.all_users { "%ProgramData%" } else { "%LOCALAPPDATA%" }
            ));
    }
    if v.all_users {
        reads.push(format!(
                "per-user phonebooks (AppData\\Roaming\\Microsoft\\Network\\Connections\\Pbk\\rasphone.pbk of every profile in the ProfileList key): an entry named {name} is reported as not compliant and never changed"
            ));
    }
    const DIFFERS: &str = "when it differs";
    if v.recreate {
        crow(
                &t,
                "connection",
                "removed and added again once (saved credentials are lost)".into(),
                "only when the recreation marker in %ProgramData%\\fixgen\\vpn does not hold this recipe's recreation id; later runs correct differing settings in place; created when missing",
            );
    } else {
        crow(
            &t,
            "connection",
            "corrected in place; created when missing".into(),
            "when a checked setting differs or the connection is missing",
        );
    }
    if let Some(s) = &v.server {
        crow(
            &t,
            "server address",
            val_text(rp, s, |x| x.clone()),
            "when it differs (Set-VpnConnection -ServerAddress)",
        );
    }
    crow(
        &t,
        "tunnel type",
        format!("{:?}", v.tunnel).replace("L2tp", "L2TP"),
        DIFFERS,
    );
    if !v.authentication.is_empty() {
        let mut a = v.authentication.clone();
        a.sort();
        a.dedup();
        let names: Vec<&str> = a
            .iter()
            .map(|m| match m {
                crate::model::AuthMethod::Pap => "PAP",
                crate::model::AuthMethod::Chap => "CHAP",
                crate::model::AuthMethod::Mschapv2 => "MS-CHAP v2",
                crate::model::AuthMethod::Eap => "EAP",
                crate::model::AuthMethod::MachineCertificate => "machine certificate",
            })
            .collect();
        crow(&t, "authentication", names.join(", "), DIFFERS);
    }
    if let Some(e) = v.encryption {
        crow(
            &t,
            "encryption",
            match e {
                Encryption::None => "None",
                Encryption::Optional => "Optional",
                Encryption::Required => "Required",
                Encryption::Maximum => "Maximum",
            }
            .into(),
            DIFFERS,
        );
    }
    if let Some(b) = v.split_tunneling {
        crow(&t, "split tunneling", b.to_string(), DIFFERS);
    }
    if let Some(b) = v.remember_credential {
        crow(&t, "remember credential", b.to_string(), DIFFERS);
    }
    vpn_psk_rows(rp, v, &t, rows);
}

/// The pre-shared key rows of a VPN connection (the key itself is never shown).
fn vpn_psk_rows(rp: &RecipePlan, v: &crate::model::VpnStep, t: &str, rows: &mut Vec<Row>) {
    let mut crow = |t: &str, s: &str, v: String, c: &str| {
        rows.push((t.to_string(), s.to_string(), v, Some(c.to_string())))
    };
    let Some(k) = &v.psk else { return };
    let mut shown = val_text(rp, k, |_| String::new());
    if let Some(p) = k.param_name() {
        shown = secret_mask(p);
        let required = rp.params.get(p).is_some_and(|b| b.decl.required);
        let open = matches!(rp.params.get(p).map(|b| &b.binding), Some(Binding::Open));
        if open && !required {
            shown.push_str(" (only when given)");
        }
    }
    crow(
        t,
        "L2TP IPsec authentication",
        "pre-shared key (L2tpIPsecAuth Psk)".into(),
        "when a key is given and the connection uses another method",
    );
    crow(
            t,
            "L2TP pre-shared key",
            shown,
            "when L2tpIPsecAuth is not Psk or the marker does not record this key's id (a PBKDF2 hash of the key; a new key means a new id); the marker is written after the key was applied",
        );
}

/// What undo cannot restore for this kind: its line in REVIEW.md's undo section.
pub(in crate::review) const UNDO_LIMITS: &str =
    "- vpn: never the pre-shared key; a connection added back gets only the managed settings (no saved credentials, EAP configuration, routes or DNS settings).\n";
