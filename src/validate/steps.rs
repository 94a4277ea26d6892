//! The checks of each step kind.

use super::*;

/// A service step: its name, that it changes something, and warnings for services Windows
/// needs or that are server-side.
pub(super) fn service(cx: &mut Ctx<'_>, base: &str, s: &crate::model::ServiceStep) {
    if let Err(m) = names::check_service_name(&s.name) {
        let hint = names::service_key_for_display_name(&s.name).map(|k| {
            format!(
                "`{}` is the display name; the service name is `{k}`",
                s.name
            )
        });
        cx.push(
            Severity::Error,
            "service-name",
            &format!("{base}.name"),
            m,
            hint.as_deref(),
        );
    }
    if s.startup.is_none() && s.state.is_none() {
        cx.push(
            Severity::Error,
            "service-empty",
            base,
            "the service step sets neither `startup` nor `state`; expected at least one".into(),
            None,
        );
    }
    if s.startup == Some(Startup::Disabled) && s.state == Some(ServiceState::Running) {
        cx.err(
            "service-contradiction",
            &format!("{base}.state"),
            "a disabled service cannot be running; expected `state: stopped` with `startup: disabled`".into(),
        );
    }
    let stops = s.startup == Some(Startup::Disabled) || s.state == Some(ServiceState::Stopped);
    if let (true, Some(display)) = (stops, windows::essential_service(&s.name)) {
        cx.push(
            Severity::Warning,
            "service-essential",
            &format!("{base}.name"),
            format!(
                "{} ({display}) is a service Windows cannot run without: stopping or disabling it breaks the machine and may leave it unable to start or to be managed remotely",
                s.name
            ),
            Some("remove this step unless breaking the machine is intended"),
        );
    }
    if s.name.eq_ignore_ascii_case("RemoteAccess") {
        cx.push(
            Severity::Warning,
            "service-server-side",
            &format!("{base}.name"),
            "RemoteAccess (Routing and Remote Access) is the VPN server service; VPN clients do not need it".into(),
            Some("for the client use RasMan (Remote Access Connection Manager)"),
        );
    }
}

/// A firewall rule: its id (unique in the recipe), display name, ports and profiles.
pub(super) fn firewall(
    cx: &mut Ctx<'_>,
    base: &str,
    s: &crate::model::FirewallStep,
    fw_ids: &mut BTreeMap<String, String>,
) {
    let idf = format!("{base}.id");
    if let Err(m) = names::check_firewall_id(&s.id) {
        cx.err("firewall-id", &idf, m);
    } else if let Some(prev) = fw_ids.insert(s.id.to_ascii_lowercase(), idf.clone()) {
        cx.err(
            "firewall-id-duplicate",
            &idf,
            format!(
                "firewall rule id `{}` is already used at {prev}; each rule needs its own id",
                s.id
            ),
        );
    }
    if s.display_name.trim().is_empty() {
        cx.err(
            "empty-text",
            &format!("{base}.display_name"),
            "`display_name` is empty; expected the name shown in the firewall console".into(),
        );
    }
    let has_ports = matches!(s.protocol, Protocol::Tcp | Protocol::Udp);
    for lf in ["local_ports", "remote_ports"] {
        let list = if lf == "local_ports" {
            &s.local_ports
        } else {
            &s.remote_ports
        };
        let f = format!("{base}.{lf}");
        if !list.is_empty() && !has_ports {
            cx.err(
                "ports-protocol",
                &f,
                format!(
                    "ports are given but protocol `{}` has no ports; expected protocol tcp or udp, or no `{lf}`",
                    s.protocol.name()
                ),
            );
            continue;
        }
        let (_, findings) = ports::check_ports(list, &f);
        for x in findings {
            cx.finding(x);
        }
    }
    let all_profiles = s.profiles.is_empty()
        || [
            crate::model::Profile::Domain,
            crate::model::Profile::Private,
            crate::model::Profile::Public,
        ]
        .iter()
        .all(|p| s.profiles.contains(p));
    if s.direction == crate::model::Direction::Inbound
        && s.action == crate::model::FirewallAction::Allow
        && s.protocol == Protocol::Any
        && s.local_ports.is_empty()
        && s.remote_ports.is_empty()
        && all_profiles
    {
        cx.push(
            Severity::Warning,
            "firewall-allow-all",
            base,
            "this rule allows every inbound connection (all protocols, ports, addresses and profiles): the same as turning the firewall off".into(),
            Some("allow only the protocol and ports needed, e.g. `protocol: udp, local_ports: [500, 4500]`"),
        );
    }
    let mut seen = BTreeSet::new();
    for (j, p) in s.profiles.iter().enumerate() {
        if !seen.insert(*p) {
            cx.push(
                Severity::Warning,
                "profile-duplicate",
                &format!("{base}.profiles[{j}]"),
                "this profile is listed twice".into(),
                None,
            );
        }
    }
}

/// A VPN connection: its name, server and pre-shared key (and their params), and the weak
/// settings.
pub(super) fn vpn(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    base: &str,
    s: &crate::model::VpnStep,
    used: &mut BTreeSet<String>,
) {
    val_use(cx, r, &format!("{base}.name"), &s.name, Want::Text, used);
    if let Val::Lit(n) = &s.name {
        for p in uses::check_text_use(uses::Use::VpnName, n) {
            cx.problem(&format!("{base}.name"), p);
        }
    }
    match &s.server {
        Some(v) => {
            val_use(cx, r, &format!("{base}.server"), v, Want::Host, used);
            if let Val::Lit(h) = v {
                for p in uses::check_text_use(uses::Use::Host, h) {
                    cx.problem(&format!("{base}.server"), p);
                }
            }
        }
        None => cx.push(
            Severity::Error,
            "vpn-server",
            base,
            if s.recreate {
                "a recreated connection needs `server`".to_string()
            } else {
                "the connection may have to be created, which needs `server`".to_string()
            },
            Some("add `server: { param: ServerAddress }`"),
        ),
    }
    match &s.psk {
        Some(v) => {
            let f = format!("{base}.psk");
            if s.tunnel != Tunnel::L2tp {
                cx.err("vpn-psk-tunnel", &f, format!("a pre-shared key is only used with tunnel l2tp, not `{}`", s.tunnel.name()));
            }
            if let Val::Lit(_) = v {
                cx.push(
                    Severity::Error,
                    "secret-literal",
                    &f,
                    "the pre-shared key is written in the recipe in clear; expected `{ param: Name }` naming a `secret: true` param".into(),
                    Some("declare e.g. `PreSharedKey: { type: string, secret: true, required: true }` and pass the value at build or run time"),
                );
            }
            val_use(cx, r, &f, v, Want::Secret, used);
        }
        None if s.recreate && s.tunnel == Tunnel::L2tp => cx.push(
            Severity::Warning,
            "vpn-psk-missing",
            base,
            "an L2TP connection is recreated without a pre-shared key; it will only work with certificate authentication".into(),
            Some("add `psk: { param: PreSharedKey }` with a secret param"),
        ),
        None => {}
    }
    vpn_security(cx, r, base, s);
}

/// The VPN settings that weaken a connection or cannot work: PPTP, PAP/CHAP, machine
/// certificates on a tunnel that cannot use them, no encryption, a per-user connection in a
/// system recipe.
fn vpn_security(cx: &mut Ctx<'_>, r: &Recipe, base: &str, s: &crate::model::VpnStep) {
    if s.tunnel == Tunnel::Pptp {
        cx.push(
            Severity::Warning,
            "vpn-weak",
            &format!("{base}.tunnel"),
            "PPTP is obsolete and insecure".into(),
            Some("use l2tp, sstp or ikev2"),
        );
    }
    for (j, a) in s.authentication.iter().enumerate() {
        if matches!(
            a,
            crate::model::AuthMethod::Pap | crate::model::AuthMethod::Chap
        ) {
            cx.push(
                Severity::Warning,
                "vpn-weak",
                &format!("{base}.authentication[{j}]"),
                "PAP and CHAP protect passwords poorly".into(),
                Some("use mschapv2, eap or machine_certificate"),
            );
        }
    }
    use crate::model::{AuthMethod, Encryption};
    let weak_only = !s.authentication.is_empty()
        && s.authentication
            .iter()
            .all(|a| matches!(a, AuthMethod::Pap | AuthMethod::Chap));
    if weak_only
        && matches!(
            s.encryption,
            Some(Encryption::Required | Encryption::Maximum)
        )
    {
        cx.push(
            Severity::Warning,
            "vpn-auth-encryption",
            &format!("{base}.encryption"),
            "Windows refuses PAP and CHAP when encryption is required (they cannot derive the encryption keys): the connection cannot be created or cannot connect".into(),
            Some("use mschapv2 or eap, or lower the encryption (not recommended)"),
        );
    }
    for (j, a) in s.authentication.iter().enumerate() {
        if *a == AuthMethod::MachineCertificate
            && matches!(s.tunnel, Tunnel::L2tp | Tunnel::Pptp | Tunnel::Sstp)
        {
            cx.push(
                Severity::Warning,
                "vpn-machine-certificate",
                &format!("{base}.authentication[{j}]"),
                format!(
                    "machine-certificate authentication is used by IKEv2 tunnels only; a `{}` connection cannot use it, so it cannot authenticate this way",
                    s.tunnel.name()
                ),
                Some("use `tunnel: ikev2`, or mschapv2/eap (L2TP's IPsec layer takes its machine certificate without this setting)"),
            );
        }
    }
    if matches!(
        s.encryption,
        Some(crate::model::Encryption::None | crate::model::Encryption::Optional)
    ) {
        cx.push(
            Severity::Warning,
            "vpn-weak",
            &format!("{base}.encryption"),
            "the connection may carry data unencrypted".into(),
            Some("use `encryption: required` or `maximum`"),
        );
    }
    if !s.all_users && r.context == Context::System {
        cx.push(
            Severity::Warning,
            "context-per-user",
            &format!("{base}.all_users"),
            "a per-user connection (`all_users: false`) in a `system` recipe is written to SYSTEM's own phonebook, where no user sees it".into(),
            Some("use `all_users: true`, or `context: user`"),
        );
    }
}

/// A registry step: key, value name, `ensure` and the data (see [`registry_key`] and
/// [`registry_value`]), the catalogue of known values, and the context lints.
pub(super) fn registry(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    base: &str,
    s: &crate::model::RegistryStep,
    used: &mut BTreeSet<String>,
) {
    let keyf = format!("{base}.key");
    let path = registry_key(cx, base, s);
    let vf = format!("{base}.value");
    let data = registry_value(cx, r, &vf, s, used);
    let Some(path) = path else { return };
    if let Some(d) = &data {
        for fd in registry::check_catalogue(&path, &s.name, d, &vf) {
            cx.finding(fd);
        }
    }
    // Context lints.
    match (r.context, path.hive) {
        (Context::System, Hive::CurrentUser) => cx.push(
            Severity::Warning,
            "context-hkcu",
            &keyf,
            "HKCU in a `system` recipe writes SYSTEM's own profile (HKU\\S-1-5-18), not the signed-in user's".into(),
            Some("use `context: user` for per-user settings, or an HKLM policy key"),
        ),
        (Context::User, Hive::LocalMachine) => cx.push(
            Severity::Warning,
            "context-hklm-user",
            &keyf,
            "a `user` recipe runs as the signed-in user, who usually cannot write HKLM".into(),
            Some("use `context: system` for machine-wide settings"),
        ),
        _ => {}
    }
    if path.is_wow64_redirected() {
        cx.push(
            Severity::Info,
            "wow64",
            &keyf,
            format!("{} is redirected to WOW6432Node for 32-bit processes; generated scripts relaunch in 64-bit PowerShell so the 64-bit view is written", path.short()),
            None,
        );
    }
}

/// The key path (and its limits) and the value name; the parsed path when it is usable.
fn registry_key(cx: &mut Ctx<'_>, base: &str, s: &crate::model::RegistryStep) -> Option<RegPath> {
    let keyf = format!("{base}.key");
    let path = match RegPath::parse(&s.key) {
        Ok(p) => Some(p),
        Err(e) => {
            cx.push(Severity::Error, "registry-path", &keyf, format!("invalid registry key: {e}"), Some(r"write the key as HIVE\path, e.g. HKLM\SYSTEM\CurrentControlSet\Services\PolicyAgent"));
            None
        }
    };
    let path = match path.as_ref().map(registry_path_limits) {
        Some(Err((code, m))) => {
            cx.err(code, &keyf, m);
            None
        }
        _ => path,
    };
    if let Some(p) = &path {
        let n = p.long().chars().count();
        if n > MAX_KEY_NAME_DOC {
            cx.push(
                Severity::Warning,
                "registry-path-long",
                &keyf,
                format!("the key path is {n} characters long; Microsoft's registry size limits give 255 characters for a key name including its absolute path (HKEY_...), and some tools refuse longer ones"),
                None,
            );
        }
    }
    if let Err(m) = registry::check_value_name(&s.name) {
        cx.err("registry-value-name", &format!("{base}.name"), m);
    } else if let Some((i, c)) = s
        .name
        .chars()
        .enumerate()
        .find(|(_, c)| (*c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}'))
    {
        cx.push(
            Severity::Error,
            "registry-value-name",
            &format!("{base}.name"),
            format!(
                "the value name contains the control character U+{:04X} at position {}; a .reg file cannot carry a line break in a name and Group Policy's Registry.xml no control character",
                c as u32,
                i + 1
            ),
            None,
        );
    }
    path
}

/// `ensure` against `value`, and the data with its param uses; the data as the catalogue
/// checks it.
fn registry_value<'s>(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    vf: &str,
    s: &'s crate::model::RegistryStep,
    used: &mut BTreeSet<String>,
) -> Option<RegData<'s>> {
    let base = &vf[..vf.len() - ".value".len()];
    match (s.ensure, &s.value) {
        (Ensure::Present, None) => cx.push(
            Severity::Error,
            "registry-value-missing",
            base,
            "`ensure: present` needs a `value`".into(),
            Some("add e.g. `value: { dword: 1 }`, or `ensure: absent` to delete the value"),
        ),
        (Ensure::Absent, Some(_)) => cx.push(
            Severity::Error,
            "registry-value-absent",
            vf,
            "`ensure: absent` deletes the value, so `value` must not be given".into(),
            Some("remove `value`, or drop `ensure: absent`"),
        ),
        _ => {}
    }
    s.value.as_ref().map(|v| match v {
        RegValue::String(x) => {
            let f = format!("{vf}.string");
            val_use(cx, r, &f, x, Want::RegistryText, used);
            match x {
                Val::Lit(t) => {
                    for p in uses::check_text_use(uses::Use::RegistryText, t) {
                        cx.problem(&f, p);
                    }
                    RegData::String(t)
                }
                Val::Param(_) => RegData::Param("string"),
            }
        }
        RegValue::ExpandString(x) => {
            let f = format!("{vf}.expand_string");
            val_use(cx, r, &f, x, Want::RegistryText, used);
            match x {
                Val::Lit(t) => {
                    for p in uses::check_text_use(uses::Use::RegistryText, t) {
                        cx.problem(&f, p);
                    }
                    RegData::ExpandString(t)
                }
                Val::Param(_) => RegData::Param("expand_string"),
            }
        }
        RegValue::MultiString(items) => {
            for fd in registry::check_multi_string(items, &format!("{vf}.multi_string")) {
                cx.finding(fd);
            }

            RegData::MultiString(items)
        }
        RegValue::Dword(x) => {
            val_use(cx, r, &format!("{vf}.dword"), x, Want::Unsigned(32), used);
            match x {
                Val::Lit(n) => RegData::Dword(*n),
                Val::Param(_) => RegData::Param("dword"),
            }
        }
        RegValue::Qword(x) => {
            val_use(cx, r, &format!("{vf}.qword"), x, Want::Unsigned(64), used);
            match x {
                Val::Lit(n) => RegData::Qword(*n),
                Val::Param(_) => RegData::Param("qword"),
            }
        }
        RegValue::Binary(h) => {
            if let Err(m) = h.parsed() {
                cx.err("registry-binary", &format!("{vf}.binary"), m.to_string());
            }
            RegData::Binary(&[])
        }
    })
}

/// The documented 255-character key name (see [`registry_path_limits`]).
const MAX_KEY_NAME_DOC: usize = 255;

/// Longest key path, in UTF-16 code units of its long form (`HKEY_...\...`): the kernel takes
/// a key path as a UNICODE_STRING of at most 32,767 code units, which also holds the native
/// root (`\REGISTRY\USER\<SID>_Classes\` for HKCU classes, up to about 200 characters), so
/// 255 are kept for it.
pub const MAX_KEY_PATH: usize = 32_767 - 255;

/// Limits of a parsed key beyond its syntax: no `.` or `..` segment (PowerShell's registry
/// provider resolves them as parent and current key, a .reg file and the registry API take
/// them as names, so the targets would write different keys) and the whole path within
/// [`MAX_KEY_PATH`].
fn registry_path_limits(p: &RegPath) -> Result<(), (&'static str, String)> {
    for (i, seg) in p.subkey.split('\\').enumerate() {
        if seg == "." || seg == ".." {
            return Err((
                "registry-path",
                format!("invalid registry key: segment {} of the key path is `{seg}`; PowerShell would read it as a relative path (the key or its parent) while a .reg file creates a key with that name", i + 1),
            ));
        }
    }
    let n: usize = p.long().encode_utf16().count();
    if n > MAX_KEY_PATH {
        return Err((
            "registry-path",
            format!("invalid registry key: the key path is {n} UTF-16 code units long; Windows takes at most {MAX_KEY_PATH} (a UNICODE_STRING of 32,767 with room for the native root)"),
        ));
    }
    Ok(())
}
