//! PowerShell renderer: standalone scripts (`scripts/<id>.ps1`, `scripts/Invoke-<Bundle>.ps1`)
//! and a module (`module/<Bundle>/<Bundle>.psm1` + `.psd1`).
//!
//! Structure of every generated file (askama templates in `templates/ps/`, one per construct):
//! - `runtime.ps1`: logging (CMTrace), compliance objects, `Test-FixgenRecipe` (read-only) and
//!   `Invoke-FixgenRecipe` (read -> change under ShouldProcess -> verify, exit code);
//! - `step_<kind>.ps1`: per step kind a read-only `Test-Fixgen<Kind>Step` returning compliance
//!   objects (Recipe, Target, Setting, Expected, Actual, Compliant) and a
//!   `Set-Fixgen<Kind>Step`; the set part is left out in [`ScriptMode::Detect`];
//! - the recipe itself only as data: `$FixgenRecipe` (metadata) and `$FixgenSteps` (one
//!   hashtable per step), every value a [`PsLit`] built by [`crate::render::escape`].
//!
//! A detection script (Intune) is [`render_recipe_script`] with [`ScriptMode::Detect`]: the same
//! data and test parts, no set parts, exit 1 when any check is not compliant.

use std::collections::BTreeMap;

use askama::Template;

use crate::model::{
    AuthMethod, Context, Direction, Encryption, Ensure, FirewallAction, ParamType, PortEntry,
    Profile, Protocol, Reboot, RegValue, Startup, Step, Tunnel, UpdateAction, Val,
};
use crate::plan::{FromParamValue, Plan, RecipePlan, Resolved};
use crate::registry::RegPath;
use crate::render::blocks::{self, Role};
use crate::render::escape::{PsComment, PsLit, PsName, PsText};
use crate::render::{Artifacts, OutputFile};

/// Width of wrapped help text.
const HELP_WIDTH: usize = 96;
/// Seconds a service step waits for Running/Stopped.
pub const SERVICE_TIMEOUT_SECONDS: u64 = 60;

/// A problem that stops a recipe from rendering (reported with the recipe id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    pub recipe: String,
    pub message: String,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.recipe.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "recipe `{}`: {}", self.recipe, self.message)
        }
    }
}

impl std::error::Error for RenderError {}

/// What a rendered script does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptMode {
    /// Read, change under ShouldProcess, verify; exit 0, 3010 or 1.
    Remediate,
    /// Read only: compliance checks, one summary line, exit 0 (compliant) or 1 (not).
    Detect,
}

/// Options of the PowerShell renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PsOptions {
    /// A param without a value becomes a script parameter. When false (Intune), an open param
    /// is an error.
    pub allow_open_params: bool,
    /// A secret param given a value at build time is baked into the script (the file is marked
    /// `holds_secret`). When false, that is an error.
    pub allow_embedded_secrets: bool,
    /// Include the 64-bit relaunch through sysnative.
    pub relaunch: bool,
    /// Leave secret values out (`$null`) whatever their binding: for read-only scripts
    /// (Intune detection) that never use them, so they never hold a secret.
    pub omit_secrets: bool,
}

impl Default for PsOptions {
    fn default() -> Self {
        PsOptions {
            allow_open_params: true,
            allow_embedded_secrets: false,
            relaunch: true,
            omit_secrets: false,
        }
    }
}

/// One `Key = value` line of a generated hashtable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: &'static str,
    pub value: PsLit,
}

fn entry(key: &'static str, value: PsLit) -> Entry {
    Entry { key, value }
}

/// One step as data: `@{ Kind = 'registry'; ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepData {
    pub kind: &'static str,
    pub entries: Vec<Entry>,
}

/// A generated script/function parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamDecl {
    pub name: PsName,
    /// `string`, `long`, `bool` or `SecureString`.
    pub ps_type: &'static str,
    pub mandatory: bool,
    pub secret: bool,
    pub help: PsComment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpParam {
    pub name: PsName,
    pub help: PsComment,
}

/// Comment-based help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Help {
    pub synopsis: PsComment,
    pub description: PsComment,
    pub params: Vec<HelpParam>,
    pub examples: Vec<PsComment>,
    pub notes: PsComment,
}

/// Which step kinds a file needs code for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kinds {
    pub registry: bool,
    pub service: bool,
    pub firewall: bool,
    pub vpn: bool,
    pub windows_update: bool,
}

impl Kinds {
    fn add(&mut self, step: &Step) {
        match step {
            Step::Registry(_) => self.registry = true,
            Step::Service(_) => self.service = true,
            Step::Firewall(_) => self.firewall = true,
            Step::Vpn(_) => self.vpn = true,
            Step::WindowsUpdate(_) => self.windows_update = true,
        }
    }

    /// Whether a step of `kind` (the `Kind` value of the step data) is present.
    pub fn has(&self, kind: &str) -> bool {
        match kind {
            "registry" => self.registry,
            "service" => self.service,
            "firewall" => self.firewall,
            "vpn" => self.vpn,
            "windows_update" => self.windows_update,
            _ => false,
        }
    }

    pub fn union(self, o: Kinds) -> Kinds {
        Kinds {
            registry: self.registry || o.registry,
            service: self.service || o.service,
            firewall: self.firewall || o.firewall,
            vpn: self.vpn || o.vpn,
            windows_update: self.windows_update || o.windows_update,
        }
    }
}

/// Everything a template needs about one recipe, all escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipeModel {
    pub id: String,
    /// PascalCase noun from the id, `NatTraversal`.
    pub noun: PsName,
    /// Approved verb of the module's change function.
    pub verb: &'static str,
    pub requires_admin: bool,
    pub params: Vec<ParamDecl>,
    pub recipe: Vec<Entry>,
    pub steps: Vec<StepData>,
    pub kinds: Kinds,
    /// Some step needs the 64-bit view of Windows ([`needs_64bit`]): the scripts relaunch in, and
    /// the runtime insists on, 64-bit PowerShell.
    pub needs_64bit: bool,
    pub holds_secret: bool,
    /// Help for the script / change function.
    pub help: Help,
    /// Help for the module's `Test-` function.
    pub test_help: Help,
}

/// What `Invoke-<Bundle>.ps1` needs of one recipe (a small part of its [`RecipeModel`], so a
/// build can keep one per recipe without keeping the models).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeEntry {
    pub id: String,
    pub params: Vec<ParamDecl>,
    pub requires_admin: bool,
    pub holds_secret: bool,
}

impl RecipeModel {
    pub fn invoke_entry(&self) -> InvokeEntry {
        InvokeEntry {
            id: self.id.clone(),
            params: self.params.clone(),
            requires_admin: self.requires_admin,
            holds_secret: self.holds_secret,
        }
    }
}

fn err(recipe: &str, message: impl Into<String>) -> RenderError {
    RenderError {
        recipe: recipe.to_string(),
        message: message.into(),
    }
}

/// Context for turning step values into literals, collecting params that steps use.
struct Binder<'a> {
    rp: &'a RecipePlan,
    opts: &'a PsOptions,
    holds_secret: bool,
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

fn port_texts(ports: &[PortEntry]) -> Vec<String> {
    if ports.is_empty() {
        return vec!["Any".to_string()];
    }
    ports
        .iter()
        .map(|p| match p {
            PortEntry::Number(n) => n.to_string(),
            PortEntry::Text(s) => s.trim().to_string(),
        })
        .collect()
}

/// Parse REG_BINARY text: hex digits, optionally separated by spaces, commas or colons.
pub fn parse_binary(text: &str) -> Result<Vec<u8>, String> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | ',' | ':' | '\t' | '\n' | '\r'))
        .collect();
    if !digits.len().is_multiple_of(2) {
        return Err("binary data has an odd number of hex digits".into());
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| {
            digits
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("binary data has a non-hex digit near position {i}"))
        })
        .collect()
}

fn step_data<'a>(b: &mut Binder<'a>, step: &'a Step) -> Result<StepData, RenderError> {
    let kind = step.kind();
    let mut e = vec![entry("Kind", PsLit::string(kind))];
    match step {
        Step::Registry(r) => {
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
                            PsLit::bytes(&parse_binary(h).map_err(|m| err(b.id(), m))?),
                        ),
                    };
                    e.push(entry("Type", PsLit::string(ty)));
                    e.push(entry("Value", lit));
                }
            }
        }
        Step::Service(s) => {
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
        }
        Step::Firewall(f) => {
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
        }
        Step::Vpn(v) => {
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
        }
        Step::WindowsUpdate(w) => {
            let (action, report_only) = match w.action {
                UpdateAction::Scan => ("Scan", true),
                UpdateAction::Install => ("Install", false),
            };
            e.push(entry("Action", PsLit::string(action)));
            e.push(entry("ReportOnly", PsLit::bool(report_only)));
        }
    }
    Ok(StepData { kind, entries: e })
}

/// The approved verb of a recipe's change function in the module.
pub fn recipe_verb(steps: &[Step]) -> &'static str {
    if steps
        .iter()
        .any(|s| matches!(s, Step::Vpn(v) if v.recreate))
    {
        return "Reset";
    }
    if !steps.is_empty() && steps.iter().all(|s| matches!(s, Step::WindowsUpdate(_))) {
        let install = steps
            .iter()
            .any(|s| matches!(s, Step::WindowsUpdate(w) if w.action == UpdateAction::Install));
        return if install { "Install" } else { "Find" };
    }
    if !steps.is_empty()
        && steps.iter().all(|s| match s {
            Step::Firewall(f) => f.action == FirewallAction::Allow,
            Step::Service(sv) => {
                sv.startup != Some(Startup::Disabled)
                    && sv.state != Some(crate::model::ServiceState::Stopped)
            }
            _ => false,
        })
    {
        return "Enable";
    }
    "Set"
}

fn param_type(ty: ParamType, secret: bool) -> &'static str {
    if secret {
        return "SecureString";
    }
    match ty {
        ParamType::String | ParamType::Hostname => "string",
        ParamType::Int => "long",
        ParamType::Bool => "bool",
    }
}

fn context_name(c: Context) -> &'static str {
    match c {
        Context::System => "System",
        Context::User => "User",
    }
}

fn reboot_name(r: Reboot) -> &'static str {
    match r {
        Reboot::None => "None",
        Reboot::Recommended => "Recommended",
        Reboot::Required => "Required",
    }
}

/// Build the escaped model of one recipe.
pub fn recipe_model(
    plan: &Plan,
    rp: &RecipePlan,
    opts: &PsOptions,
) -> Result<RecipeModel, Vec<RenderError>> {
    let id = rp.recipe.id.clone();
    let mut errors = Vec::new();
    let noun = match PsName::pascal_from_kebab(&id) {
        Ok(n) => Some(n),
        Err(m) => {
            errors.push(err(&id, m));
            None
        }
    };
    let mut binder = Binder {
        rp,
        opts,
        holds_secret: false,
    };
    let mut steps = Vec::new();
    let mut kinds = Kinds::default();
    for (i, step) in rp.recipe.steps.iter().enumerate() {
        kinds.add(step);
        match step_data(&mut binder, step) {
            Ok(s) => steps.push(s),
            Err(mut e) => {
                e.message = format!("steps[{i}].{}: {}", step.kind(), e.message);
                errors.push(e);
            }
        }
    }
    let holds_secret = binder.holds_secret;

    // Parameters: every open param a step uses (an unused open param is not a parameter).
    let mut params = Vec::new();
    if opts.allow_open_params {
        let used = used_params(&rp.recipe.steps);
        for (name, decl) in rp.open_params() {
            if !used.contains(name) {
                continue;
            }
            match PsName::param(name) {
                Ok(n) => {
                    let mut text = decl
                        .description
                        .clone()
                        .unwrap_or_else(|| "(no description)".to_string());
                    if !text.ends_with('.') {
                        text.push('.');
                    }
                    if decl.secret {
                        text.push_str(
                            " A SecureString, e.g. (Read-Host -AsSecureString); converted to plain text only where the cmdlet needs it, never logged.",
                        );
                    }
                    if !decl.required {
                        text.push_str(" Optional.");
                    }
                    params.push(ParamDecl {
                        name: n,
                        ps_type: param_type(decl.ty, decl.secret),
                        mandatory: decl.required,
                        secret: decl.secret,
                        help: PsComment::text(&text, HELP_WIDTH),
                    });
                }
                Err(m) => errors.push(err(&id, m)),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let noun = noun.ok_or_else(Vec::new)?;
    let r = &rp.recipe;
    let recipe = vec![
        entry("Id", PsLit::string(&r.id)),
        entry("Title", PsLit::string(&r.title)),
        entry("Summary", PsLit::string(&r.summary)),
        entry("Context", PsLit::string(context_name(r.context))),
        entry("Reboot", PsLit::string(reboot_name(r.reboot))),
        entry("Bundle", PsLit::string(&plan.bundle.name)),
        entry("BundleVersion", PsLit::string(&plan.bundle.version)),
        entry("SourceSha256", PsLit::string(&rp.source_sha256)),
        entry("Needs64Bit", PsLit::bool(r.steps.iter().any(needs_64bit))),
    ];

    let mut description = r.summary.clone();
    if let Some(s) = &r.symptom {
        description.push_str(&format!("\n\nSymptom: {s}"));
    }
    if let Some(s) = &r.source_step {
        description.push_str(&format!("\n\nSource: {s}"));
    }
    description.push_str(&format!(
        "\n\nContext: {}. Restart: {}.",
        context_name(r.context).to_ascii_lowercase(),
        reboot_name(r.reboot).to_ascii_lowercase()
    ));
    if !r.references.is_empty() {
        description.push_str("\n\nReferences:");
        for u in &r.references {
            description.push_str(&format!("\n{u}"));
        }
    }
    let help_params: Vec<HelpParam> = params
        .iter()
        .map(|p| HelpParam {
            name: p.name.clone(),
            help: p.help.clone(),
        })
        .collect();
    let args: String = params
        .iter()
        .filter(|p| p.mandatory)
        .map(|p| {
            if p.secret {
                format!(" -{} (Read-Host -AsSecureString)", p.name)
            } else {
                format!(" -{} <{}>", p.name, p.ps_type)
            }
        })
        .collect();
    let examples = vec![PsComment::text(
        &format!(
            "PS> .\\{id}.ps1{args} -WhatIf\n\nShows what would change (each step is read, changed only if it differs, read again to verify). Then run it with -Verbose."
        ),
        usize::MAX,
    )];
    let identity = format!(
        "Recipe: {id} ({}), bundle {} {}, fixgen {}\nSource SHA-256: {}",
        rp.source_file_name(),
        plan.bundle.name,
        plan.bundle.version,
        env!("CARGO_PKG_VERSION"),
        rp.source_sha256,
    );
    let notes = PsComment::text(
        &format!(
            "{identity}\nExit codes: 0 compliant or fixed, 3010 fixed but a restart is needed (never restarts), 1 failed.\nLog (CMTrace): $env:windir\\Logs\\fixgen\\{id}.log"
        ),
        HELP_WIDTH,
    );
    // Test-<Noun> only returns compliance objects: no exit code, no log.
    let test_notes = PsComment::text(&identity, HELP_WIDTH);
    let help = Help {
        synopsis: PsComment::text(&r.title, HELP_WIDTH),
        description: PsComment::text(&description, HELP_WIDTH),
        params: help_params.clone(),
        examples,
        notes: notes.clone(),
    };
    let test_help = Help {
        synopsis: PsComment::text(&format!("Checks (read-only): {}", r.title), HELP_WIDTH),
        description: PsComment::text(
            &format!(
                "Returns one compliance object per checked setting (Recipe, Target, Setting, Expected, Actual, Compliant). Changes nothing. {}",
                r.title
            ),
            HELP_WIDTH,
        ),
        params: help_params,
        examples: vec![PsComment::text(
            &format!(
                "PS> Test-{}{}{args} | Where-Object {{ -not $_.Compliant }}",
                plan.bundle.name, noun
            ),
            usize::MAX,
        )],
        notes: test_notes,
    };
    Ok(RecipeModel {
        id,
        verb: recipe_verb(&r.steps),
        noun,
        requires_admin: r.context == Context::System,
        params,
        recipe,
        steps,
        kinds,
        needs_64bit: r.steps.iter().any(needs_64bit),
        holds_secret,
        help,
        test_help,
    })
}

/// Whether a step needs the 64-bit view of Windows, from a 32-bit PowerShell host on 64-bit
/// Windows: a registry value under a key WOW64 redirects (`HKLM\SOFTWARE`; `HKLM\SYSTEM` and the
/// rest are shared, one physical key for both views), and firewall, VPN and Windows Update steps
/// (their modules and COM classes are not verified in 32-bit hosts, so they keep to 64-bit). A
/// service step (Get-Service, sc.exe, the shared `Services` key) works the same in both.
pub fn needs_64bit(step: &Step) -> bool {
    match step {
        Step::Registry(r) => RegPath::parse(&r.key).map_or(true, |p| p.is_wow64_redirected()),
        Step::Service(_) => false,
        Step::Firewall(_) | Step::Vpn(_) | Step::WindowsUpdate(_) => true,
    }
}

/// Names of the params the steps use.
pub fn used_params(steps: &[Step]) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut add = |n: Option<&str>| {
        if let Some(n) = n {
            out.insert(n.to_string());
        }
    };
    for s in steps {
        match s {
            Step::Registry(r) => match &r.value {
                Some(RegValue::String(v)) | Some(RegValue::ExpandString(v)) => add(v.param_name()),
                Some(RegValue::Dword(v)) => add(v.param_name()),
                Some(RegValue::Qword(v)) => add(v.param_name()),
                _ => {}
            },
            Step::Vpn(v) => {
                add(v.name.param_name());
                add(v.server.as_ref().and_then(|x| x.param_name()));
                add(v.psk.as_ref().and_then(|x| x.param_name()));
            }
            _ => {}
        }
    }
    out
}

#[derive(Template)]
#[template(path = "ps/script.ps1", escape = "none")]
struct ScriptTemplate<'a> {
    requires_admin: bool,
    help: &'a Help,
    params: &'a [ParamDecl],
    recipe: &'a [Entry],
    steps: &'a [StepData],
    detect: bool,
    relaunch: bool,
    machinery: String,
}

#[derive(Template)]
#[template(path = "ps/invoke.ps1", escape = "none")]
struct InvokeTemplate<'a> {
    requires_admin: bool,
    help: &'a Help,
    params: &'a [ParamDecl],
    bundle: PsLit,
    scripts: Vec<InvokeScript>,
    relaunch: bool,
    machinery: String,
}

struct InvokeScript {
    file: PsLit,
    args: Vec<PsName>,
}

#[derive(Template)]
#[template(path = "ps/module.psm1", escape = "none")]
struct ModuleTemplate<'a> {
    header: PsComment,
    bundle_name: PsName,
    recipes: &'a [RecipeModel],
    machinery: String,
    invoke_help: &'a Help,
    invoke_params: &'a [ParamDecl],
    exports: Vec<PsLit>,
    /// `Undo-<Bundle>` (templates/ps/undo_module.ps1).
    undo: Vec<super::undo::UndoRecipe>,
    undo_help: Help,
}

#[derive(Template)]
#[template(path = "ps/manifest.psd1", escape = "none")]
struct ManifestTemplate {
    header: PsComment,
    root_module: PsLit,
    version: PsLit,
    guid: PsLit,
    author: PsLit,
    description: PsLit,
    exports: Vec<PsLit>,
    files: Vec<PsLit>,
}

/// Render a PowerShell template straight into a [`PsText`] (checked, CRLF, trailing blanks
/// trimmed: see [`crate::render::escape::finish_ps`]): the text is never held twice.
pub fn render_ps<T: Template>(t: &T) -> Result<Vec<u8>, String> {
    render_ps_sized(t, T::SIZE_HINT.max(4096))
}

/// [`render_ps`] into a buffer of `capacity` bytes to start with.
pub fn render_ps_sized<T: Template>(t: &T, capacity: usize) -> Result<Vec<u8>, String> {
    let mut w = PsText::with_capacity(capacity);
    match t.render_into(&mut w) {
        // A write error is recorded in `w` (the character that may not be written).
        Ok(()) | Err(askama::Error::Fmt) => w.finish(),
        Err(e) => Err(format!("internal template error: {e}")),
    }
}

fn finish<T: Template>(recipe: &str, t: &T) -> Result<Vec<u8>, RenderError> {
    render_ps(t).map_err(|m| err(recipe, m))
}

/// Render one recipe as a standalone script: remediation or detection.
pub fn render_recipe_script(
    model: &RecipeModel,
    mode: ScriptMode,
    opts: &PsOptions,
) -> Result<Vec<u8>, RenderError> {
    let t = ScriptTemplate {
        requires_admin: model.requires_admin,
        help: &model.help,
        params: &model.params,
        recipe: &model.recipe,
        steps: &model.steps,
        detect: mode == ScriptMode::Detect,
        relaunch: opts.relaunch && model.needs_64bit,
        machinery: blocks::machinery(&blocks::blocks_for(
            match mode {
                ScriptMode::Detect => Role::Detect,
                ScriptMode::Remediate => Role::Script,
            },
            model.kinds,
            opts.relaunch && model.needs_64bit,
        )),
    };
    finish(&model.id, &t)
}

/// The escaped models of every recipe, in run order; all errors of all recipes.
pub fn recipe_models(plan: &Plan, opts: &PsOptions) -> Result<Vec<RecipeModel>, Vec<RenderError>> {
    recipe_models_with(plan, opts, |m| m)
}

/// [`recipe_models`], keeping `keep(model)` of each (e.g. only its [`InvokeEntry`]).
pub fn recipe_models_with<R: Send>(
    plan: &Plan,
    opts: &PsOptions,
    keep: impl Fn(RecipeModel) -> R + Sync,
) -> Result<Vec<R>, Vec<RenderError>> {
    let mut errors = Vec::new();
    let mut models = Vec::new();
    // Recipes are independent: on every core, a chunk at a time, in recipe order. After the
    // first error only errors are kept (a failed bundle holds no models).
    for chunk in plan.recipes.chunks(256) {
        for r in crate::par::map(chunk, |rp| recipe_model(plan, rp, opts).map(&keep)) {
            match r {
                Ok(m) if errors.is_empty() => models.push(m),
                Ok(_) => {}
                Err(e) => {
                    models = Vec::new();
                    errors.extend(e);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(models)
    } else {
        Err(errors)
    }
}

/// Union of the recipes' parameters (for `Invoke-<Bundle>`); the same name must have the same
/// type everywhere.
fn union_params<'a>(
    recipes: impl IntoIterator<Item = (&'a str, &'a [ParamDecl])>,
) -> Result<Vec<ParamDecl>, Vec<RenderError>> {
    let mut by_name: BTreeMap<String, ParamDecl> = BTreeMap::new();
    let mut errors = Vec::new();
    for (id, params) in recipes {
        for p in params {
            match by_name.get_mut(p.name.as_str()) {
                Some(prev) => {
                    if prev.ps_type != p.ps_type {
                        errors.push(err(
                            id,
                            format!(
                                "param `{}` is [{}] here but [{}] in another recipe of the bundle",
                                p.name, p.ps_type, prev.ps_type
                            ),
                        ));
                    }
                    // Mandatory in any recipe: mandatory, with the help of that declaration
                    // (an optional one's help says "Optional.").
                    if p.mandatory && !prev.mandatory {
                        prev.help = p.help.clone();
                    }
                    prev.mandatory |= p.mandatory;
                }
                None => {
                    by_name.insert(p.name.as_str().to_string(), p.clone());
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(by_name.into_values().collect())
    } else {
        Err(errors)
    }
}

fn bundle_name(plan: &Plan) -> Result<PsName, Vec<RenderError>> {
    PsName::new(&plan.bundle.name).map_err(|m| {
        vec![err(
            "",
            format!("bundle name: {m}; it is the PowerShell noun of Invoke-<name>"),
        )]
    })
}

fn invoke_help(plan: &Plan, params: &[ParamDecl], module: bool) -> Help {
    let b = &plan.bundle;
    let what = if module {
        "Runs the change function of every recipe of the bundle in order"
    } else {
        "Runs every recipe script of the bundle in order (they sit in the same folder)"
    };
    let mut description = format!(
        "{}\n\n{what}. Exit code: 1 if any recipe failed, else 3010 if any needs a restart, else 0. Never restarts the machine.",
        b.description
    );
    if let Some(s) = &b.source {
        description.push_str(&format!("\n\nSource: {}", s.title));
        if let Some(u) = &s.url {
            description.push_str(&format!(" ({u})"));
        }
    }
    let args: String = params
        .iter()
        .filter(|p| p.mandatory)
        .map(|p| {
            if p.secret {
                format!(" -{} (Read-Host -AsSecureString)", p.name)
            } else {
                format!(" -{} <{}>", p.name, p.ps_type)
            }
        })
        .collect();
    let cmd = if module {
        format!("Invoke-{}", b.name)
    } else {
        format!(".\\Invoke-{}.ps1", b.name)
    };
    Help {
        synopsis: PsComment::text(&b.title, HELP_WIDTH),
        description: PsComment::text(&description, HELP_WIDTH),
        params: params
            .iter()
            .map(|p| HelpParam {
                name: p.name.clone(),
                help: p.help.clone(),
            })
            .collect(),
        examples: vec![
            PsComment::text(
                &format!("PS> {cmd}{args} -WhatIf\n\nShows what every recipe would change."),
                usize::MAX,
            ),
            PsComment::text(&format!("PS> {cmd}{args} -Verbose"), usize::MAX),
        ],
        notes: PsComment::text(
            &format!(
                "Bundle: {} {}\nBundle SHA-256: {}\nGenerated by fixgen {}",
                b.name,
                b.version,
                plan.bundle_sha256,
                env!("CARGO_PKG_VERSION")
            ),
            HELP_WIDTH,
        ),
    }
}

/// `scripts/<id>.ps1` for every recipe and `scripts/Invoke-<Bundle>.ps1`.
pub fn render_scripts(plan: &Plan, opts: &PsOptions) -> Result<Artifacts, Vec<RenderError>> {
    let models = recipe_models(plan, opts)?;
    let mut out = Artifacts::default();
    let mut errors = Vec::new();
    for m in &models {
        match script_file(m, opts) {
            Ok(f) => out.add(f),
            Err(e) => errors.push(e),
        }
    }
    let entries: Vec<InvokeEntry> = models.iter().map(RecipeModel::invoke_entry).collect();
    match invoke_file(plan, &entries, opts) {
        Ok(f) => out.add(f),
        Err(e) => errors.extend(e),
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// `scripts/<id>.ps1`: one recipe's standalone remediation script.
pub fn script_file(m: &RecipeModel, opts: &PsOptions) -> Result<OutputFile, RenderError> {
    let bytes = render_recipe_script(m, ScriptMode::Remediate, opts)?;
    Ok(script_output(m, bytes))
}

/// `scripts/<id>.ps1` of `m` with `bytes` (rendered from `m`, or from an equal model).
pub fn script_output(m: &RecipeModel, bytes: Vec<u8>) -> OutputFile {
    let mut f = OutputFile::new(format!("scripts/{}.ps1", m.id), bytes);
    f.holds_secret = m.holds_secret;
    f
}

/// `scripts/Invoke-<Bundle>.ps1`: runs every recipe script of the bundle in order.
pub fn invoke_file(
    plan: &Plan,
    models: &[InvokeEntry],
    opts: &PsOptions,
) -> Result<OutputFile, Vec<RenderError>> {
    let bundle = bundle_name(plan)?;
    let params = union_params(models.iter().map(|m| (m.id.as_str(), m.params.as_slice())))?;
    let t = InvokeTemplate {
        requires_admin: models.iter().any(|m| m.requires_admin),
        help: &invoke_help(plan, &params, false),
        params: &params,
        bundle: PsLit::string(&plan.bundle.name),
        scripts: models
            .iter()
            .map(|m| InvokeScript {
                file: PsLit::string(&format!("{}.ps1", m.id)),
                args: m.params.iter().map(|p| p.name.clone()).collect(),
            })
            .collect(),
        relaunch: opts.relaunch,
        machinery: blocks::machinery(&["relaunch"]),
    };
    let bytes = finish("", &t).map_err(|e| vec![e])?;
    Ok(OutputFile::new(
        format!("scripts/Invoke-{bundle}.ps1"),
        bytes,
    ))
}

/// A GUID derived from the bundle name: SHA-256 of a fixed namespace and the name, first 16
/// bytes, with the version nibble set to 5 and the RFC 4122 variant bits (UUID v5 layout with
/// SHA-256 instead of SHA-1). Same name, same GUID, on every machine.
pub fn module_guid(bundle_name: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"fixgen PowerShell module GUID\0");
    h.update(bundle_name.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// `module/<Bundle>/<Bundle>.psm1` and `.psd1`.
pub fn render_module(plan: &Plan, opts: &PsOptions) -> Result<Artifacts, Vec<RenderError>> {
    let models = recipe_models(plan, opts)?;
    render_module_from(plan, &models)
}

/// [`render_module`] from the recipes' models (computed once per build).
pub fn render_module_from(
    plan: &Plan,
    models: &[RecipeModel],
) -> Result<Artifacts, Vec<RenderError>> {
    let bundle = bundle_name(plan)?;
    let params = union_params(models.iter().map(|m| (m.id.as_str(), m.params.as_slice())))?;
    let mut kinds = Kinds::default();
    for m in models {
        kinds = kinds.union(m.kinds);
    }
    let mut nouns: BTreeMap<String, &str> = BTreeMap::new();
    for m in models {
        if let Some(other) = nouns.insert(m.noun.as_str().to_ascii_lowercase(), &m.id) {
            return Err(vec![err(
                &m.id,
                format!(
                    "its PowerShell noun {} is the same as recipe `{other}`'s (names are case-insensitive); rename one",
                    m.noun
                ),
            )]);
        }
    }
    let mut exports = Vec::new();
    for m in models {
        exports.push(format!("Test-{bundle}{}", m.noun));
        exports.push(format!("{}-{bundle}{}", m.verb, m.noun));
    }
    exports.push(format!("Invoke-{bundle}"));
    exports.push(format!("Undo-{bundle}"));
    let header = PsComment::text(
        &format!(
            "{} {}\n{}\nGenerated by fixgen {} from bundle {}.\nBundle SHA-256: {}\nDo not edit; regenerate instead.",
            plan.bundle.name,
            plan.bundle.version,
            plan.bundle.title,
            env!("CARGO_PKG_VERSION"),
            plan.bundle.name,
            plan.bundle_sha256
        ),
        HELP_WIDTH,
    );
    let ih = invoke_help(plan, &params, true);
    let t = ModuleTemplate {
        header: header.clone(),
        bundle_name: bundle.clone(),
        recipes: models,
        machinery: blocks::machinery(&blocks::blocks_for(Role::Module, kinds, false)),
        invoke_help: &ih,
        invoke_params: &params,
        exports: exports.iter().map(|e| PsLit::string(e)).collect(),
        undo: super::undo::undo_recipes(plan, models),
        undo_help: super::undo::undo_module_help(plan),
    };
    // Reserved generously: untouched capacity costs address space, not memory, and a buffer
    // that never grows is never copied (a copy would briefly hold the module twice).
    let psm1 =
        render_ps_sized(&t, (1 << 20) + models.len() * 16 * 1024).map_err(|m| vec![err("", m)])?;
    drop(t);
    let psm1_name = format!("{bundle}.psm1");
    let psd1_name = format!("{bundle}.psd1");
    let m = ManifestTemplate {
        header,
        root_module: PsLit::string(&psm1_name),
        version: PsLit::string(&plan.bundle.version),
        guid: PsLit::string(&module_guid(&plan.bundle.name)),
        author: PsLit::data_text(&plan.bundle.publisher),
        description: PsLit::data_text(&plan.bundle.description),
        exports: exports.iter().map(|e| PsLit::string(e)).collect(),
        files: vec![PsLit::string(&psm1_name), PsLit::string(&psd1_name)],
    };
    let psd1 = finish("", &m).map_err(|e| vec![e])?;
    let mut out = Artifacts::default();
    let mut f = OutputFile::new(format!("module/{bundle}/{psm1_name}"), psm1);
    f.holds_secret = models.iter().any(|m| m.holds_secret);
    out.add(f);
    out.add(OutputFile::new(
        format!("module/{bundle}/{psd1_name}"),
        psd1,
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_is_stable_and_versioned() {
        let g = module_guid("L2tpIpsecFix");
        assert_eq!(g, module_guid("L2tpIpsecFix"));
        assert_ne!(g, module_guid("Other"));
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "5");
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn binary_parsing() {
        assert_eq!(parse_binary("01 ff,0A:0b").unwrap(), vec![1, 255, 10, 11]);
        assert!(parse_binary("0").is_err());
        assert!(parse_binary("zz").is_err());
    }
}
