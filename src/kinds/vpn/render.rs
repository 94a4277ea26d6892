//! A VPN step as data for the generated PowerShell: its entries of the step hashtable
//! (`render::kinds::vpn`, mounted by `src/render/mod.rs`; called by `ps_model::step_data` and `undo::undo_targets`);
//! and its line among what a `.reg` file cannot express ([`reg`], called by `render::reg`).

use crate::diag::Diagnostic;
use crate::model::{AuthMethod, Encryption, Tunnel, Val};
use crate::plan::{Binding, RecipePlan, Resolved};
use crate::render::escape::PsLit;
use crate::render::ps_steps::Binder;
use crate::render::ps_types::{entry, Entry};
use crate::render::reg_types::RegSink;

fn tunnel_name(t: Tunnel) -> &'static str {
    match t {
        Tunnel::L2tp => "L2tp",
        Tunnel::Pptp => "Pptp",
        Tunnel::Sstp => "Sstp",
        Tunnel::Ikev2 => "Ikev2",
        Tunnel::Automatic => "Automatic",
    }
}

fn auth_name(a: AuthMethod) -> &'static str {
    match a {
        AuthMethod::Pap => "Pap",
        AuthMethod::Chap => "Chap",
        AuthMethod::Mschapv2 => "MSChapv2",
        AuthMethod::Eap => "Eap",
        AuthMethod::MachineCertificate => "MachineCertificate",
    }
}

fn encryption_name(e: Encryption) -> &'static str {
    match e {
        Encryption::None => "NoEncryption",
        Encryption::Optional => "Optional",
        Encryption::Required => "Required",
        Encryption::Maximum => "Maximum",
    }
}

fn opt_bool(b: Option<bool>) -> PsLit {
    b.map(PsLit::bool).unwrap_or_else(PsLit::null)
}

pub(crate) fn entries<'a>(
    b: &mut Binder<'a>,
    v: &'a crate::model::VpnStep,
    e: &mut Vec<Entry>,
) -> Result<(), Diagnostic> {
    e.push(entry(
        "Name",
        b.value(&v.name, |x: &String| PsLit::string(x), "vpn.name")?,
    ));
    let server = match &v.server {
        Some(s) => match b.rp.resolve(s) {
            Resolved::Open { param, decl } if !decl.secret => {
                b.open_optional(param, decl.required, "vpn.server")?
            }
            _ => b.value(s, |x: &String| PsLit::string(x), "vpn.server")?,
        },
        None => PsLit::null(),
    };
    e.push(entry("ServerAddress", server));
    e.push(entry("TunnelType", PsLit::string(tunnel_name(v.tunnel))));
    let psk = match &v.psk {
        Some(p) => b.secret(p, "vpn.psk")?,
        None => PsLit::null(),
    };
    e.push(entry("Psk", psk));
    // The key id (issue 15 item 1): known when the name and the key are bound at build
    // time, also in detection scripts, which never hold the key itself.
    let name_known = match b.rp.resolve(&v.name) {
        Resolved::Known { value, .. } => Some(value),
        Resolved::Open { .. } => None,
    };
    let psk_id = match (&name_known, v.psk.as_ref().map(|p| b.rp.resolve(p))) {
        (Some(n), Some(Resolved::Known { value, .. })) => {
            PsLit::string(&crate::render::vpn_marker::psk_id(n, &value))
        }
        _ => PsLit::null(),
    };
    e.push(entry("PskId", psk_id));
    let recreate_id = if v.recreate {
        let text = |x: &Val<String>| match b.rp.resolve(x) {
            Resolved::Known { value, .. } => value,
            Resolved::Open { param, .. } => format!("${param}"),
        };
        let server = v.server.as_ref().map(text).unwrap_or_default();
        PsLit::string(&crate::render::vpn_marker::recreate_id(
            &b.rp.recipe.id,
            &text(&v.name),
            &server,
        ))
    } else {
        PsLit::null()
    };
    e.push(entry("RecreateId", recreate_id));
    let mut auth = v.authentication.clone();
    auth.sort();
    auth.dedup();
    let auth: Vec<&str> = auth.iter().map(|a| auth_name(*a)).collect();
    e.push(entry("AuthenticationMethod", PsLit::string_array(&auth)));
    e.push(entry(
        "EncryptionLevel",
        v.encryption
            .map(|x| PsLit::string(encryption_name(x)))
            .unwrap_or_else(PsLit::null),
    ));
    e.push(entry("AllUserConnection", PsLit::bool(v.all_users)));
    e.push(entry("SplitTunneling", opt_bool(v.split_tunneling)));
    e.push(entry("RememberCredential", opt_bool(v.remember_credential)));
    // `recreate` is `RecreateId` (null: never recreated); no runtime code reads anything else.
    Ok(())
}

/// Undo's target: the connection name (null when it is a secret or open param) and its scope.
pub(crate) fn undo_target(rp: &RecipePlan, v: &crate::model::VpnStep, e: &mut Vec<Entry>) {
    let name = match &v.name {
        Val::Lit(n) => PsLit::string(n),
        Val::Param(p) => match rp.params.get(&p.param) {
            Some(b) if !b.decl.secret => match &b.binding {
                Binding::Value(crate::model::ParamValue::String(n)) => PsLit::string(n),
                _ => PsLit::null(),
            },
            _ => PsLit::null(),
        },
    };
    e.push(entry("Name", name));
    e.push(entry("AllUserConnection", PsLit::bool(v.all_users)));
}

/// How a VPN step is named in a `.reg` file's comment, without ever showing a param's value.
fn reg_label(v: &crate::model::VpnStep) -> String {
    match &v.name {
        Val::Lit(n) => format!("VPN connection {n:?}"),
        Val::Param(p) => {
            format!("VPN connection named by param {}", p.param)
        }
    }
}

/// For a `.reg` file and Group Policy: a connection is for the scripts only.
pub(crate) fn reg(out: &mut RegSink<'_>, _i: usize, v: &crate::model::VpnStep) {
    out.script_only.push(if v.recreate {
        format!("remove and add the {}", reg_label(v))
    } else {
        format!("settings of the {}", reg_label(v))
    });
}

/// Whether the step needs the 64-bit view (`ps_model::needs_64bit`): yes; the VpnClient module is not verified in a 32-bit host, so it keeps to 64-bit.
pub(crate) fn needs_64bit(_s: &crate::model::VpnStep) -> bool {
    true
}
