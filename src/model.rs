//! The recipe model: what a YAML recipe and a `bundle.yaml` deserialize into.
//!
//! Every struct denies unknown fields. Values that a recipe may take from a parameter are
//! `Val<T>`: either a literal or `{ param: Name }` (a whole value; there is no interpolation).
//! The JSON Schema written by `fixgen schema` is generated from these types (schemars).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod kinds;
mod values;
pub(crate) use kinds::{step_kind_dispatch, step_kind_items};
pub use values::{HexBytes, Port, PortEntry, PortRange};

/// One fix: metadata, typed parameters and ordered steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// kebab-case identifier, unique in the bundle, equal to the file stem.
    pub id: String,
    /// One line shown as the script synopsis and in the review.
    pub title: String,
    /// What the fix does and why, for the reviewer.
    pub summary: String,
    /// The error message or symptom this recipe addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symptom: Option<String>,
    /// Which step of the source article this recipe implements (shown in REVIEW.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_step: Option<String>,
    /// Documentation links (Microsoft Learn first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Who runs the generated script.
    #[serde(default)]
    pub context: Context,
    /// Whether the change needs a restart to take effect.
    #[serde(default)]
    pub reboot: Reboot,
    /// The deployment channels (build targets) this recipe is part of. Absent: every channel,
    /// except that a recipe with a `windows_update` step is left out of `gpo` (a startup script
    /// must not search Windows Update at every boot); list `gpo` to put it there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub channels: Option<Vec<Channel>>,
    /// Typed parameters, referenced from steps as `{ param: Name }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, Param>,
    /// The changes, applied in order. Steps and registry values are written as single-key
    /// maps (`- registry: {...}`, `value: { dword: 2 }`), not YAML tags.
    #[serde(with = "serde_norway::with::singleton_map_recursive")]
    #[schemars(with = "Vec<Step>")]
    pub steps: Vec<Step>,
}

/// Who runs the generated script.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// SYSTEM or an elevated administrator (Intune default, GPO startup scripts).
    #[default]
    System,
    /// The signed-in user.
    User,
}

/// A deployment channel: a build target a recipe can be part of.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// `scripts/<id>.ps1` and its place in `Invoke-<Bundle>.ps1`.
    Scripts,
    /// The bundle's PowerShell module.
    Module,
    /// `intune/<id>/` and the bundle's Intune package.
    Intune,
    /// `gpo/`: Registry.xml/Registry.pol values and the computer startup script.
    Gpo,
    /// `reg/<id>.reg` and the bundle's .reg file.
    Reg,
}

impl Channel {
    pub fn name(self) -> &'static str {
        match self {
            Channel::Scripts => "scripts",
            Channel::Module => "module",
            Channel::Intune => "intune",
            Channel::Gpo => "gpo",
            Channel::Reg => "reg",
        }
    }
}

impl Recipe {
    /// Whether this recipe is built into `channel`: as its `channels` list says, or when absent
    /// every channel except `gpo` for a recipe with a `windows_update` step.
    pub fn in_channel(&self, channel: Channel) -> bool {
        match &self.channels {
            Some(list) => list.contains(&channel),
            None => {
                channel != Channel::Gpo
                    || !self
                        .steps
                        .iter()
                        .any(|s| matches!(s, Step::WindowsUpdate(_)))
            }
        }
    }

    /// Whether the GPO's computer startup script runs this recipe: in the `gpo` channel and
    /// `context: system` (a user recipe would change SYSTEM's own profile at boot).
    pub fn in_startup_script(&self) -> bool {
        self.in_channel(Channel::Gpo) && self.context == Context::System
    }
}

/// Whether a restart is needed after the change.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Reboot {
    #[default]
    None,
    Recommended,
    Required,
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// The build (or the script's caller) must supply a value.
    #[serde(default)]
    pub required: bool,
    /// Never logged, shown or written to a review; a PowerShell `[SecureString]`.
    #[serde(default)]
    pub secret: bool,
    /// Used when no value is given with `--set`/`--values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<ParamValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    String,
    /// A DNS name or an IPv4/IPv6 address.
    Hostname,
    Int,
    Bool,
}

/// A parameter value as given in YAML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    String(String),
}

/// Reference to a parameter: `{ param: Name }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamRef {
    pub param: String,
}

/// A literal value or a parameter reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Val<T> {
    Param(ParamRef),
    Lit(T),
}

impl<T> Val<T> {
    pub fn param_name(&self) -> Option<&str> {
        match self {
            Val::Param(p) => Some(&p.param),
            Val::Lit(_) => None,
        }
    }
}

/// One change. Externally tagged: `- registry: {...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Registry(RegistryStep),
    Service(ServiceStep),
    Firewall(FirewallStep),
    Vpn(VpnStep),
    WindowsUpdate(WindowsUpdateStep),
}

impl Protocol {
    /// The NetSecurity cmdlets' spelling (`-Protocol TCP`, `ICMPv4`), which the generated
    /// scripts compare with `Get-NetFirewallPortFilter` and REVIEW.md shows; not the YAML
    /// spelling [`Protocol::name`].
    pub fn cmdlet_name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmpv4 => "ICMPv4",
            Protocol::Icmpv6 => "ICMPv6",
            Protocol::Any => "Any",
        }
    }
}

impl Step {
    /// Whether the step installs updates (a Windows Update step with `action: install`): what
    /// it changes cannot be undone by fixgen.
    pub fn installs_updates(&self) -> bool {
        matches!(self, Step::WindowsUpdate(w) if w.action == UpdateAction::Install)
    }

    /// Whether the step removes what it names (`ensure: absent`; only registry steps can).
    pub fn removes(&self) -> bool {
        matches!(self, Step::Registry(r) if r.ensure == Ensure::Absent)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Step::Registry(_) => "registry",
            Step::Service(_) => "service",
            Step::Firewall(_) => "firewall",
            Step::Vpn(_) => "vpn",
            Step::WindowsUpdate(_) => "windows_update",
        }
    }
}

/// Set or delete one registry value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryStep {
    /// `HIVE\path`, hive HKLM/HKCU/HKCR/HKU/HKCC (long or short name).
    pub key: String,
    /// Value name; the empty string is the key's default value.
    pub name: String,
    /// Required with `ensure: present`, forbidden with `ensure: absent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<RegValue>,
    #[serde(default)]
    pub ensure: Ensure,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ensure {
    #[default]
    Present,
    Absent,
}

/// Registry data with its kind, in native widths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegValue {
    /// REG_SZ
    String(Val<String>),
    /// REG_EXPAND_SZ
    ExpandString(Val<String>),
    /// REG_MULTI_SZ
    MultiString(Vec<String>),
    /// REG_DWORD (0..=4294967295)
    Dword(Val<u32>),
    /// REG_QWORD (0..=18446744073709551615)
    Qword(Val<u64>),
    /// REG_BINARY as hex digits, optionally separated by spaces, commas or colons.
    Binary(HexBytes),
}

impl RegValue {
    pub fn kind_name(&self) -> &'static str {
        match self {
            RegValue::String(_) => "string",
            RegValue::ExpandString(_) => "expand_string",
            RegValue::MultiString(_) => "multi_string",
            RegValue::Dword(_) => "dword",
            RegValue::Qword(_) => "qword",
            RegValue::Binary(_) => "binary",
        }
    }
}

/// Startup type and state of a Windows service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceStep {
    /// Service (key) name, e.g. IKEEXT.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Startup>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ServiceState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Startup {
    Automatic,
    AutomaticDelayed,
    Manual,
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    Running,
    Stopped,
}

/// A Windows Defender Firewall rule, found by its stable `id` (the rule's -Name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirewallStep {
    /// Stable rule name (`-Name`), e.g. fixgen-l2tp-udp-out.
    pub id: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub direction: Direction,
    pub protocol: Protocol,
    /// Ports and "lo-hi" ranges; only with tcp/udp.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_ports: Vec<Port>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_ports: Vec<Port>,
    pub action: FirewallAction,
    /// Empty means all profiles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<Profile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Tcp,
    Udp,
    Icmpv4,
    Icmpv6,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FirewallAction {
    Allow,
    Block,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Domain,
    Private,
    Public,
}

/// A VPN connection (VpnClient cmdlets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnStep {
    pub name: Val<String>,
    /// Server name or address; required when the connection may be created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<Val<String>>,
    pub tunnel: Tunnel,
    /// L2TP pre-shared key; must come from a `secret` param.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psk: Option<Val<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication: Vec<AuthMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    /// All-user phonebook (`-AllUserConnection`); false writes the running user's phonebook.
    #[serde(default = "yes")]
    pub all_users: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_tunneling: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_credential: Option<bool>,
    /// Remove and add the connection instead of correcting it in place.
    #[serde(default)]
    pub recreate: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tunnel {
    L2tp,
    Pptp,
    Sstp,
    Ikev2,
    Automatic,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    Pap,
    Chap,
    Mschapv2,
    Eap,
    MachineCertificate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Encryption {
    None,
    Optional,
    Required,
    Maximum,
}

/// Windows Update through the Windows Update Agent COM API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowsUpdateStep {
    pub action: UpdateAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UpdateAction {
    /// Search and report pending software updates; change nothing.
    Scan,
    /// Download and install pending software updates; report a needed reboot.
    Install,
}

/// `bundle.yaml`: the bundle's identity and the recipes in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleManifest {
    /// PascalCase, used as the PowerShell noun: `Invoke-<name>`, module `<name>`.
    pub name: String,
    pub title: String,
    /// Semantic version `MAJOR.MINOR.PATCH` (the module's ModuleVersion).
    pub version: String,
    pub description: String,
    /// Shown in generated help and Intune payloads.
    pub publisher: String,
    /// The article or document the fixes come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceDoc>,
    /// Recipe ids in the order they run.
    pub recipes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Values given on the command line (`--set K=V`) or in a `--values` file, as text.
pub type ParamValues = BTreeMap<String, String>;

impl Startup {
    /// `Start` in the service's registry key: 2 automatic, 3 manual, 4 disabled.
    pub fn start_value(self) -> u32 {
        match self {
            Startup::Automatic | Startup::AutomaticDelayed => 2,
            Startup::Manual => 3,
            Startup::Disabled => 4,
        }
    }
}

/// A step field that may hold a `{ param: Name }`, as [`Step::param_uses`] yields it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamUse<'a> {
    /// The field inside the step (`name`, `server`, `psk`, `value.string`, ...).
    pub field: &'static str,
    pub value: UseVal<'a>,
}

/// The value of a [`ParamUse`], with the type the field takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UseVal<'a> {
    Text(&'a Val<String>),
    Dword(&'a Val<u32>),
    Qword(&'a Val<u64>),
}

impl UseVal<'_> {
    pub fn param_name(&self) -> Option<&str> {
        match self {
            UseVal::Text(v) => v.param_name(),
            UseVal::Dword(v) => v.param_name(),
            UseVal::Qword(v) => v.param_name(),
        }
    }
}

impl Step {
    /// Every field of this step that may hold a param reference, in field order: the one walk
    /// over param uses (validation, binding, the scripts' parameter lists).
    pub fn param_uses(&self) -> Vec<ParamUse<'_>> {
        let one = |field, value| ParamUse { field, value };
        match self {
            Step::Registry(r) => match &r.value {
                Some(RegValue::String(v)) => vec![one("value.string", UseVal::Text(v))],
                Some(RegValue::ExpandString(v)) => {
                    vec![one("value.expand_string", UseVal::Text(v))]
                }
                Some(RegValue::Dword(v)) => vec![one("value.dword", UseVal::Dword(v))],
                Some(RegValue::Qword(v)) => vec![one("value.qword", UseVal::Qword(v))],
                _ => Vec::new(),
            },
            Step::Vpn(v) => {
                let mut out = vec![one("name", UseVal::Text(&v.name))];
                if let Some(s) = &v.server {
                    out.push(one("server", UseVal::Text(s)));
                }
                if let Some(k) = &v.psk {
                    out.push(one("psk", UseVal::Text(k)));
                }
                out
            }
            Step::Service(_) | Step::Firewall(_) | Step::WindowsUpdate(_) => Vec::new(),
        }
    }
}

/// Names of the params the steps use.
pub fn used_params(steps: &[Step]) -> std::collections::BTreeSet<String> {
    steps
        .iter()
        .flat_map(Step::param_uses)
        .filter_map(|u| u.value.param_name().map(str::to_string))
        .collect()
}

/// The PowerShell verb of a recipe's function: `Reset` when a VPN connection is recreated,
/// `Install`/`Find` for Windows Update alone, `Enable` when every step allows or starts
/// something, else `Set`.
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
                sv.startup != Some(Startup::Disabled) && sv.state != Some(ServiceState::Stopped)
            }
            _ => false,
        })
    {
        return "Enable";
    }
    "Set"
}

/// The one naming oracle of the model's enums: `name()` is the value's spelling in YAML (its
/// serde name; a test checks they agree), used in messages, the review and the plan.
macro_rules! yaml_names {
    ($($t:ident { $($v:ident => $s:literal),+ $(,)? })+) => {
        $(impl $t {
            /// The value as written in YAML.
            pub fn name(self) -> &'static str {
                match self {
                    $($t::$v => $s),+
                }
            }
        })+
        #[cfg(test)]
        fn every_yaml_name() -> Vec<(String, &'static str)> {
            vec![$($((serde_json::to_string(&$t::$v).unwrap(), $s)),+),+]
        }
    };
}

yaml_names! {
    Context { System => "system", User => "user" }
    Reboot { None => "none", Recommended => "recommended", Required => "required" }
    ParamType { String => "string", Hostname => "hostname", Int => "int", Bool => "bool" }
    Ensure { Present => "present", Absent => "absent" }
    Startup {
        Automatic => "automatic",
        AutomaticDelayed => "automatic_delayed",
        Manual => "manual",
        Disabled => "disabled",
    }
    ServiceState { Running => "running", Stopped => "stopped" }
    Direction { Inbound => "inbound", Outbound => "outbound" }
    Protocol { Tcp => "tcp", Udp => "udp", Icmpv4 => "icmpv4", Icmpv6 => "icmpv6", Any => "any" }
    FirewallAction { Allow => "allow", Block => "block" }
    Profile { Domain => "domain", Private => "private", Public => "public" }
    Tunnel { L2tp => "l2tp", Pptp => "pptp", Sstp => "sstp", Ikev2 => "ikev2", Automatic => "automatic" }
    AuthMethod {
        Pap => "pap",
        Chap => "chap",
        Mschapv2 => "mschapv2",
        Eap => "eap",
        MachineCertificate => "machine_certificate",
    }
    Encryption { None => "none", Optional => "optional", Required => "required", Maximum => "maximum" }
    UpdateAction { Scan => "scan", Install => "install" }
}

impl ParamType {
    /// What a value of this type looks like, for messages ("expected a whole number").
    pub fn expected(self) -> &'static str {
        match self {
            ParamType::String => "text",
            ParamType::Hostname => "a host name or IP address as text",
            ParamType::Int => "a whole number",
            ParamType::Bool => "true or false",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_names_are_the_serde_names() {
        let all = every_yaml_name();
        assert!(all.len() > 40, "{}", all.len());
        for (serde, name) in all {
            assert_eq!(serde, format!("{name:?}"));
        }
    }
}
