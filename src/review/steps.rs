//! What REVIEW.md and `fixgen plan` say about each step kind: the rows of the change table
//! (target, setting, value, when it is changed) and what the script reads before changing.

use super::*;

/// A row of the change table: target, setting, value, and when it is changed (VPN rows).
pub(super) type Row = (String, String, String, Option<String>);

/// A registry value: set (with its kind and data) or deleted.
pub(super) fn registry_rows(
    rp: &RecipePlan,
    r: &crate::model::RegistryStep,
    reads: &mut Vec<String>,
    rows: &mut Vec<Row>,
) {
    let mut row = |t: &str, s: &str, v: String| rows.push((t.to_string(), s.to_string(), v, None));
    let key = RegPath::parse(&r.key)
        .map(|p| p.short())
        .unwrap_or_else(|_| r.key.clone());
    let name = if r.name.is_empty() {
        "(default)".to_string()
    } else {
        r.name.clone()
    };
    reads.push(format!(
        "registry value {key}\\{name}: kind and data, or absence"
    ));
    match (r.ensure, &r.value) {
        (Ensure::Absent, _) => row(&key, &name, "deleted (value removed)".into()),
        (Ensure::Present, Some(v)) => row(&key, &name, reg_value_text(rp, v)),
        (Ensure::Present, None) => {}
    }
}

/// A service: startup type and status, and whether a missing service is compliant.
pub(super) fn service_rows(
    _rp: &RecipePlan,
    s: &crate::model::ServiceStep,
    reads: &mut Vec<String>,
    rows: &mut Vec<Row>,
) {
    let mut row = |t: &str, s: &str, v: String| rows.push((t.to_string(), s.to_string(), v, None));
    let t = format!("service {}", s.name);
    // Issue 15 item 5: a service that is not installed satisfies a step that only
    // disables and/or stops it; any other step fails there and says so.
    let absent_ok = (s.startup.is_some() || s.state.is_some())
        && matches!(s.startup, None | Some(Startup::Disabled))
        && matches!(s.state, None | Some(ServiceState::Stopped));
    reads.push(format!(
        "service {}: {}; {}",
        s.name,
        if s.startup.is_some() {
            "startup type and status"
        } else {
            "status"
        },
        if absent_ok {
            "not installed counts as compliant (nothing to disable or stop)"
        } else {
            "not installed is an error that says so (nothing is installed)"
        }
    ));
    if let Some(st) = s.startup {
        row(&t, "startup type", startup_str(st).into());
    }
    if let Some(st) = s.state {
        row(
            &t,
            "status",
            match st {
                ServiceState::Running => "Running (started now)",
                ServiceState::Stopped => "Stopped (stopped now)",
            }
            .into(),
        );
    }
}

/// A firewall rule: its settings as the firewall console shows them.
pub(super) fn firewall_rows(
    _rp: &RecipePlan,
    f: &crate::model::FirewallStep,
    reads: &mut Vec<String>,
    rows: &mut Vec<Row>,
) {
    let mut row = |t: &str, s: &str, v: String| rows.push((t.to_string(), s.to_string(), v, None));
    let t = format!("firewall rule {}", f.id);
    reads.push(format!(
        "firewall rule {} (by its Name) and its port filter",
        f.id
    ));
    row(&t, "rule", "present, enabled, group fixgen".into());
    row(&t, "display name", f.display_name.clone());
    row(
        &t,
        "direction, action",
        format!(
            "{}, {}",
            match f.direction {
                Direction::Inbound => "Inbound",
                Direction::Outbound => "Outbound",
            },
            match f.action {
                FirewallAction::Allow => "Allow",
                FirewallAction::Block => "Block",
            }
        ),
    );
    row(&t, "protocol", protocol_str(f.protocol).into());
    if matches!(f.protocol, Protocol::Tcp | Protocol::Udp) {
        row(&t, "local ports", ports_str(&f.local_ports));
        row(&t, "remote ports", ports_str(&f.remote_ports));
    }
    let mut profiles = f.profiles.clone();
    profiles.sort();
    profiles.dedup();
    let p = if profiles.is_empty() {
        "Any".to_string()
    } else {
        profiles
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    row(&t, "profiles", p);
}

/// A VPN connection: each setting and when it is changed.
pub(super) fn vpn_rows(
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

/// Windows Update: scan or install.
pub(super) fn windows_update_rows(
    _rp: &RecipePlan,
    w: &crate::model::WindowsUpdateStep,
    reads: &mut Vec<String>,
    rows: &mut Vec<Row>,
) {
    let mut row = |t: &str, s: &str, v: String| rows.push((t.to_string(), s.to_string(), v, None));
    reads.push(
            "Windows Update Agent: applicable software updates not yet installed, definition updates (category E0789628-CE08-4437-BE74-2495B842F43B) not counted; whether a restart is pending".into(),
        );
    match w.action {
            UpdateAction::Scan => row(
                "Windows Update",
                "pending updates",
                "reported only (scan): named in the output line, never decides the exit code; nothing installed".into(),
            ),
            UpdateAction::Install => row(
                "Windows Update",
                "pending updates",
                "when any is pending: downloaded and installed (cannot be undone); never restarts (a restart already pending is reported, never exit 3010 without a change)".into(),
            ),
        }
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
