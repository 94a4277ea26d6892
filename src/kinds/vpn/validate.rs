//! A VPN step: its rules in the validator (`validate::kinds::vpn`, mounted by `src/validate/mod.rs`).

use super::super::*;
use crate::validate::writes::ValueSet;

/// A VPN connection: its name, server and pre-shared key (and their params), and the weak
/// settings.
pub(in crate::validate) fn check(
    cx: &mut Ctx<'_>,
    r: &Recipe,
    base: &str,
    s: &crate::model::VpnStep,
    steps: &mut Steps,
) {
    let used = &mut steps.used;
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

/// No free text beyond what [`check`] checks with its use (`recipe::texts`).
pub(in crate::validate) fn texts<'r>(
    _i: usize,
    _s: &'r crate::model::VpnStep,
    _texts: &mut Vec<(String, &'r str, usize)>,
) {
}

/// A VPN step writes no registry value (`cross::changes`).
pub(in crate::validate) fn value_sets(_i: usize, _s: &crate::model::VpnStep) -> Vec<ValueSet> {
    Vec::new()
}
