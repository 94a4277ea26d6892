//! A step as data for the generated scripts: one hashtable of escaped literals per step
//! ([`step_data`]), with the recipe's params bound ([`Binder`]: a value given at build time, a
//! script parameter, or a secret).

use crate::model::{
    AuthMethod, Direction, Encryption, Ensure, FirewallAction, Port, Profile, Protocol, RegValue,
    Startup, Step, Tunnel, UpdateAction, Val,
};
use crate::plan::{FromParamValue, RecipePlan, Resolved};
use crate::registry::RegPath;
use crate::render::escape::{PsLit, PsName};
use crate::render::ps_types::{
    entry, err, Entry, PsOptions, RenderError, StepData, SERVICE_TIMEOUT_SECONDS,
};

/// Context for turning step values into literals, collecting params that steps use.
pub(crate) struct Binder<'a> {
    pub(crate) rp: &'a RecipePlan,
    pub(crate) opts: &'a PsOptions,
    pub(crate) holds_secret: bool,
}

impl<'a> Binder<'a> {
    fn id(&self) -> &str {
        &self.rp.recipe.id
    }

    /// A non-secret value: literal, or `$Param` when open.
    fn value<T: FromParamValue>(
        &mut self,
        v: &'a Val<T>,
        lit: impl Fn(&T) -> PsLit,
        field: &str,
    ) -> Result<PsLit, RenderError> {
        match self.rp.resolve(v) {
            Resolved::Known { value, param } => {
                if let Some(p) = param {
                    if self.rp.is_secret(p) {
                        return Err(err(
                            self.id(),
                            format!("{field}: param `{p}` is secret and cannot be used here"),
                        ));
                    }
                }
                Ok(lit(&value))
            }
            Resolved::Open { param, decl } => {
                if decl.secret {
                    return Err(err(
                        self.id(),
                        format!("{field}: param `{param}` is secret and cannot be used here"),
                    ));
                }
                self.open(param, field)
            }
        }
    }

    /// An open param in a field that may be left unset (`vpn.server`, `vpn.psk`): without
    /// script parameters (Intune), an optional param without a value is `$null` ("leave as it
    /// is"); otherwise as [`Binder::open`].
    fn open_optional(
        &self,
        param: &str,
        required: bool,
        field: &str,
    ) -> Result<PsLit, RenderError> {
        if !self.opts.allow_open_params && !required {
            return Ok(PsLit::null());
        }
        self.open(param, field)
    }

    fn open(&self, param: &str, field: &str) -> Result<PsLit, RenderError> {
        if !self.opts.allow_open_params {
            return Err(err(
                self.id(),
                format!("{field}: param `{param}` has no value; give one with --set {param}=VALUE or --values"),
            ));
        }
        let name = PsName::param(param).map_err(|m| err(self.id(), m))?;
        Ok(PsLit::variable(&name))
    }

    /// A secret string (the VPN pre-shared key): `$Param` ([SecureString]) when open; a
    /// `ConvertTo-SecureString` of the baked-in value only with `allow_embedded_secrets`.
    fn secret(&mut self, v: &'a Val<String>, field: &str) -> Result<PsLit, RenderError> {
        let Some(param) = v.param_name() else {
            return Err(err(
                self.id(),
                format!("{field}: must come from a param marked `secret: true`, not a literal"),
            ));
        };
        if !self.rp.is_secret(param) {
            return Err(err(
                self.id(),
                format!("{field}: param `{param}` must be marked `secret: true`"),
            ));
        }
        if self.opts.omit_secrets {
            return Ok(PsLit::null());
        }
        match self.rp.resolve(v) {
            Resolved::Open { param, decl } => self.open_optional(param, decl.required, field),
            Resolved::Known { value, .. } => {
                if !self.opts.allow_embedded_secrets {
                    return Err(err(
                        self.id(),
                        format!(
                            "{field}: secret param `{param}` was given a value; scripts take it as a [SecureString] parameter at run time. Leave it unset, or pass --allow-embedded-secrets to bake it into the files"
                        ),
                    ));
                }
                self.holds_secret = true;
                Ok(PsLit::secure_string_from_plain(&value))
            }
        }
    }
}

fn startup_name(s: Startup) -> &'static str {
    match s {
        Startup::Automatic => "Automatic",
        Startup::AutomaticDelayed => "AutomaticDelayed",
        Startup::Manual => "Manual",
        Startup::Disabled => "Disabled",
    }
}

/// The NetSecurity cmdlets' spelling (`-Protocol TCP`, `ICMPv4`), which the generated scripts
/// compare with `Get-NetFirewallPortFilter`; not the YAML spelling [`Protocol::name`].
fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
        Protocol::Icmpv4 => "ICMPv4",
        Protocol::Icmpv6 => "ICMPv6",
        Protocol::Any => "Any",
    }
}

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

fn profile_name(p: Profile) -> &'static str {
    match p {
        Profile::Domain => "Domain",
        Profile::Private => "Private",
        Profile::Public => "Public",
    }
}

fn opt_bool(b: Option<bool>) -> PsLit {
    b.map(PsLit::bool).unwrap_or_else(PsLit::null)
}

fn port_texts(ports: &[Port]) -> Vec<String> {
    if ports.is_empty() {
        return vec!["Any".to_string()];
    }
    ports.iter().map(Port::to_string).collect()
}

pub(crate) fn step_data<'a>(b: &mut Binder<'a>, step: &'a Step) -> Result<StepData, RenderError> {
    let kind = step.kind();
    let mut e = vec![entry("Kind", PsLit::string(kind))];
    match step {
        Step::Registry(r) => registry_entries(b, r, &mut e)?,
        Step::Service(s) => service_entries(s, &mut e)?,
        Step::Firewall(f) => firewall_entries(f, &mut e)?,
        Step::Vpn(v) => vpn_entries(b, v, &mut e)?,
        Step::WindowsUpdate(w) => update_entries(w, &mut e)?,
    }
    Ok(StepData { kind, entries: e })
}

fn registry_entries<'a>(
    b: &mut Binder<'a>,
    r: &'a crate::model::RegistryStep,
    e: &mut Vec<Entry>,
) -> Result<(), RenderError> {
    let path = RegPath::parse(&r.key)
        .map_err(|m| err(b.id(), format!("registry key `{}`: {m}", r.key)))?;
    e.push(entry("Path", PsLit::string(&path.provider_path())));
    e.push(entry("Name", PsLit::string(&r.name)));
    match (r.ensure, &r.value) {
        (Ensure::Absent, _) => e.push(entry("Ensure", PsLit::string("Absent"))),
        (Ensure::Present, None) => {
            return Err(err(
                b.id(),
                format!("registry value `{}` has no `value`", r.name),
            ))
        }
        (Ensure::Present, Some(v)) => {
            e.push(entry("Ensure", PsLit::string("Present")));
            let (ty, lit) = match v {
                RegValue::String(s) => (
                    "String",
                    b.value(s, |x: &String| PsLit::string(x), "value.string")?,
                ),
                RegValue::ExpandString(s) => (
                    "ExpandString",
                    b.value(s, |x: &String| PsLit::string(x), "value.expand_string")?,
                ),
                RegValue::MultiString(items) => ("MultiString", PsLit::string_array(items)),
                RegValue::Dword(d) => (
                    "DWord",
                    b.value(d, |x: &u32| PsLit::uint(u64::from(*x)), "value.dword")?,
                ),
                RegValue::Qword(q) => (
                    "QWord",
                    b.value(q, |x: &u64| PsLit::uint(*x), "value.qword")?,
                ),
                RegValue::Binary(h) => (
                    "Binary",
                    PsLit::bytes(h.parsed().map_err(|m| err(b.id(), m))?),
                ),
            };
            e.push(entry("Type", PsLit::string(ty)));
            e.push(entry("Value", lit));
        }
    }
    Ok(())
}

fn service_entries(s: &crate::model::ServiceStep, e: &mut Vec<Entry>) -> Result<(), RenderError> {
    e.push(entry("Name", PsLit::string(&s.name)));
    e.push(entry(
        "Startup",
        s.startup
            .map(|x| PsLit::string(startup_name(x)))
            .unwrap_or_else(PsLit::null),
    ));
    e.push(entry(
        "State",
        s.state
            .map(|x| {
                PsLit::string(match x {
                    crate::model::ServiceState::Running => "Running",
                    crate::model::ServiceState::Stopped => "Stopped",
                })
            })
            .unwrap_or_else(PsLit::null),
    ));
    e.push(entry(
        "TimeoutSeconds",
        PsLit::uint(SERVICE_TIMEOUT_SECONDS),
    ));
    Ok(())
}

fn firewall_entries(f: &crate::model::FirewallStep, e: &mut Vec<Entry>) -> Result<(), RenderError> {
    e.push(entry("Name", PsLit::string(&f.id)));
    e.push(entry("DisplayName", PsLit::string(&f.display_name)));
    e.push(entry(
        "Description",
        PsLit::string(f.description.as_deref().unwrap_or("")),
    ));
    e.push(entry(
        "Direction",
        PsLit::string(match f.direction {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }),
    ));
    e.push(entry("Protocol", PsLit::string(protocol_name(f.protocol))));
    e.push(entry(
        "LocalPort",
        PsLit::string_array(&port_texts(&f.local_ports)),
    ));
    e.push(entry(
        "RemotePort",
        PsLit::string_array(&port_texts(&f.remote_ports)),
    ));
    e.push(entry(
        "Action",
        PsLit::string(match f.action {
            FirewallAction::Allow => "Allow",
            FirewallAction::Block => "Block",
        }),
    ));
    let mut profiles: Vec<Profile> = f.profiles.clone();
    profiles.sort();
    profiles.dedup();
    let names: Vec<&str> = if profiles.is_empty() {
        vec!["Any"]
    } else {
        profiles.iter().map(|p| profile_name(*p)).collect()
    };
    e.push(entry("Profile", PsLit::string_array(&names)));
    Ok(())
}

fn vpn_entries<'a>(
    b: &mut Binder<'a>,
    v: &'a crate::model::VpnStep,
    e: &mut Vec<Entry>,
) -> Result<(), RenderError> {
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
    e.push(entry("Recreate", PsLit::bool(v.recreate)));
    Ok(())
}

fn update_entries(
    w: &crate::model::WindowsUpdateStep,
    e: &mut Vec<Entry>,
) -> Result<(), RenderError> {
    let (action, report_only) = match w.action {
        UpdateAction::Scan => ("Scan", true),
        UpdateAction::Install => ("Install", false),
    };
    e.push(entry("Action", PsLit::string(action)));
    e.push(entry("ReportOnly", PsLit::bool(report_only)));
    Ok(())
}
