//! The VPN connection and its pre-shared key as an Intune VPN configuration profile (issue 15
//! item 7): `intune/<Bundle>/vpnProfile.json`, the Microsoft Graph body of a Windows 10 custom
//! configuration profile (`#microsoft.graph.windows10CustomConfiguration`) with one OMA-URI
//! setting per L2TP connection, `./Device/Vendor/MSFT/VPNv2/<ProfileName>/ProfileXML` (or
//! `./User/...` for a connection of the user's phonebook), whose value is a VPNv2 ProfileXML
//! with `NativeProfile` (Servers, RoutingPolicyType, NativeProtocolType `L2TP`, L2tpPsk,
//! Authentication/UserMethod). Intune delivers the key through the MDM channel, so it sits in
//! no script body. The ProfileXML follows `schema/vpnv2-profile.xsd` (written from Microsoft's
//! VPNv2 CSP and ProfileXML XSD pages; `tests/vpn_profile.rs` checks every profile with
//! `xmllint --schema`).
//!
//! Written only for a `vpn` step with `tunnel: l2tp`, a pre-shared key given a value (so only
//! with `--allow-embedded-secrets`), the name and server known, and `authentication` exactly
//! `[mschapv2]` (the CSP's native user methods are EAP, which needs an EAP configuration
//! fixgen does not write, and MSChapv2). Several steps for the same connection name give one
//! setting: the last in run order (the state the bundle leaves).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{AuthMethod, Step, Tunnel};
use crate::plan::{Plan, Resolved};

use super::escape::{uri_segment, XmlText};
use super::{Artifacts, OutputFile};
use crate::diag::Diagnostic;

/// File name of the payload in the bundle's Intune folder.
const PROFILE_FILE: &str = "vpnProfile.json";

/// One L2TP connection as a VPNv2 profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VpnProfile {
    /// The recipe whose step it comes from.
    pub recipe: String,
    /// Connection name (the VPNv2 profile name).
    pub name: String,
    /// `./Device/Vendor/MSFT/VPNv2/<name, URL-escaped>/ProfileXML` (`./User/...` when the
    /// step is not `all_users`).
    pub oma_uri: String,
    /// The ProfileXML (holds the key).
    pub xml: String,
}

/// A connection that gets no profile, and why (intune/README.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoProfile {
    pub recipe: String,
    pub why: String,
}

fn known<'a>(r: Resolved<'a, String>) -> Option<String> {
    match r {
        Resolved::Known { value, .. } => Some(value),
        Resolved::Open { .. } => None,
    }
}

fn element(out: &mut String, name: &str, text: &str) -> Result<(), String> {
    let t = XmlText::new(text)?;
    out.push_str(&format!("<{name}>{}</{name}>", t.as_str()));
    Ok(())
}

/// The ProfileXML of one connection, children in the order of Microsoft's ProfileXML XSD.
fn profile_xml(
    server: &str,
    psk: &str,
    split_tunneling: Option<bool>,
    remember_credential: Option<bool>,
) -> Result<String, String> {
    let mut x = String::from("<VPNProfile>");
    if let Some(r) = remember_credential {
        element(
            &mut x,
            "RememberCredentials",
            if r { "true" } else { "false" },
        )?;
    }
    x.push_str("<NativeProfile>");
    element(&mut x, "Servers", server)?;
    if let Some(s) = split_tunneling {
        let policy = if s { "SplitTunnel" } else { "ForceTunnel" };
        element(&mut x, "RoutingPolicyType", policy)?;
    }
    element(&mut x, "NativeProtocolType", "L2TP")?;
    element(&mut x, "L2tpPsk", psk)?;
    x.push_str("<Authentication>");
    element(&mut x, "UserMethod", "MSChapv2")?;
    x.push_str("</Authentication></NativeProfile></VPNProfile>");
    Ok(x)
}

/// Every L2TP connection of `plan` that gets a profile (one per name, the last step in run
/// order), and the steps that do not, with why. Never fails for a validated plan: a value a
/// profile cannot carry means no profile for that step (so `check` and `build` agree).
pub(crate) fn profiles(plan: &Plan) -> Result<(Vec<VpnProfile>, Vec<NoProfile>), Vec<Diagnostic>> {
    let mut by_name: BTreeMap<String, VpnProfile> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut none = Vec::new();
    let errors: Vec<Diagnostic> = Vec::new();
    for rp in &plan.recipes {
        let id = &rp.recipe.id;
        for step in &rp.recipe.steps {
            let Step::Vpn(v) = step else { continue };
            let Some(psk) = v.psk.as_ref().and_then(|p| known(rp.resolve(p))) else {
                // No key given at build time: nothing to deliver (the scripts keep the key the
                // connection has, or ask for it).
                continue;
            };
            let no = |why: &str| NoProfile {
                recipe: id.clone(),
                why: why.to_string(),
            };
            if v.tunnel != Tunnel::L2tp {
                none.push(no("its tunnel is not L2TP"));
                continue;
            }
            if v.authentication != [AuthMethod::Mschapv2] {
                none.push(no("its `authentication` is not exactly `[mschapv2]` (the VPNv2 native profile takes EAP, which needs an EAP configuration fixgen does not write, or MSChapv2)"));
                continue;
            }
            let (Some(name), Some(server)) = (
                known(rp.resolve(&v.name)),
                v.server.as_ref().and_then(|s| known(rp.resolve(s))),
            ) else {
                none.push(no("its connection name or server has no value"));
                continue;
            };
            // `Servers` is a comma-separated list of `server[;friendly name]`.
            if server.contains([',', ';']) {
                none.push(no(
                    "its server holds `,` or `;`, which a VPNv2 profile reads as list separators",
                ));
                continue;
            }
            if name.is_empty() {
                none.push(no("its connection name is empty"));
                continue;
            }
            // A value XML cannot carry: no profile rather than a failed target (`check` cannot
            // know it), said in intune/README.md.
            let Ok(xml) = profile_xml(&server, &psk, v.split_tunneling, v.remember_credential)
            else {
                none.push(no("a value holds a character XML 1.0 cannot carry"));
                continue;
            };
            let scope = if v.all_users { "Device" } else { "User" };
            let p = VpnProfile {
                recipe: id.clone(),
                name: name.clone(),
                oma_uri: format!(
                    "./{scope}/Vendor/MSFT/VPNv2/{}/ProfileXML",
                    uri_segment(&name)
                ),
                xml,
            };
            if by_name.insert(name.clone(), p).is_none() {
                order.push(name);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let list = order
        .into_iter()
        .filter_map(|n| by_name.remove(&n))
        .collect();
    Ok((list, none))
}

#[derive(Serialize)]
struct OmaSetting<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    #[serde(rename = "displayName")]
    display_name: String,
    description: String,
    #[serde(rename = "omaUri")]
    oma_uri: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct CustomConfiguration<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    #[serde(rename = "displayName")]
    display_name: String,
    description: String,
    #[serde(rename = "omaSettings")]
    oma_settings: Vec<OmaSetting<'a>>,
}

/// Path of the payload for `plan`'s bundle.
fn profile_path(plan: &Plan) -> String {
    format!("{}/{}/{PROFILE_FILE}", super::intune::DIR, plan.bundle.name)
}

/// `intune/<Bundle>/vpnProfile.json` (marked `holds_secret`), or nothing when no connection
/// gets a profile.
pub(crate) fn render(plan: &Plan) -> Result<Artifacts, Vec<Diagnostic>> {
    let (list, _) = profiles(plan)?;
    let mut a = Artifacts::default();
    if list.is_empty() {
        return Ok(a);
    }
    let b = &plan.bundle;
    let body = CustomConfiguration {
        odata_type: "#microsoft.graph.windows10CustomConfiguration",
        display_name: format!("{} {} - VPN connections", b.name, b.version),
        description: format!(
            "L2TP/IPsec VPN connections with their pre-shared key (VPNv2 CSP), from bundle {} {}. Generated by fixgen {}.",
            b.name,
            b.version,
            env!("CARGO_PKG_VERSION")
        ),
        oma_settings: list
            .iter()
            .map(|p| OmaSetting {
                odata_type: "#microsoft.graph.omaSettingString",
                display_name: format!("VPNv2 profile {}", p.name),
                description: format!("From recipe {}.", p.recipe),
                oma_uri: &p.oma_uri,
                value: &p.xml,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&body).map_err(|e| {
        let path = profile_path(plan);
        vec![Diagnostic::error(
            "internal-json",
            path.clone(),
            format!("internal error writing JSON {path}: {e}"),
        )]
    })?;
    text.push('\n');
    let mut f = OutputFile::new(profile_path(plan), text.into_bytes());
    f.holds_secret = true;
    a.add(f);
    Ok(a)
}

/// The Intune target with its VPN profile payload added.
pub(crate) fn with_profile(
    plan: &Plan,
    intune: Result<Artifacts, Vec<Diagnostic>>,
) -> Result<Artifacts, Vec<Diagnostic>> {
    let mut a = intune?;
    a.extend(render(plan)?);
    Ok(a)
}

/// The section of intune/README.md about secrets, Microsoft's guidance for Remediations and
/// the VPN profile.
pub(crate) fn readme_section(plan: &Plan) -> String {
    let mut s = String::from("## Secrets, Remediations and the VPN profile\n\n");
    s.push_str("Microsoft's requirements for Remediations scripts say: do not include any type of sensitive information in scripts (such as passwords) (<https://learn.microsoft.com/en-us/intune/intune-service/fundamentals/remediations>, \"Script requirements\"). A script's content is shown to every administrator who can view the script package (its properties show the detection and remediation script content), and it is cached on each device. A package marked \"holds a secret\" above goes against that guidance: deliver the key with the VPN profile below instead, and upload only packages that hold no secret, where the bundle allows it.\n\n");
    let plan = plan.for_channel(crate::model::Channel::Intune);
    let Ok((list, none)) = profiles(&plan) else {
        return s;
    };
    if list.is_empty() && none.is_empty() {
        return s;
    }
    if !list.is_empty() {
        s.push_str(&format!(
            "**VPN profile.** `{}` is the Microsoft Graph body of a Windows 10 custom configuration profile (`#microsoft.graph.windows10CustomConfiguration`) holding each L2TP connection as a VPNv2 `ProfileXML` (NativeProfile: Servers, RoutingPolicyType, NativeProtocolType `L2TP`, L2tpPsk, Authentication/UserMethod `MSChapv2`; <https://learn.microsoft.com/en-us/windows/client-management/mdm/vpnv2-csp>). Intune delivers it through the MDM channel, so the key sits in no script. The file holds the key in clear (manifest.json: `holds_secret`): keep it like the key and delete it after the upload. Intune keeps OMA-URI string values encrypted: Graph returns them masked, and reading one in clear (`getOmaSettingPlainTextValue`) needs `DeviceManagementConfiguration.ReadWrite.All` (<https://learn.microsoft.com/en-us/graph/api/intune-deviceconfig-deviceconfiguration-getomasettingplaintextvalue>). Upload: `Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations' -Body (Get-Content .\\{} -Raw) -ContentType 'application/json'`, then assign it to a device group (`POST .../deviceConfigurations/{{id}}/assign`); or in the admin center: Devices > Configuration > Create > Windows 10 and later > Templates > Custom, one OMA-URI row per setting (data type String, the value as it is in the file).\n\n",
            profile_path(&plan),
            profile_path(&plan).replace('/', "\\"),
        ));
        s.push_str("| Connection | From recipe | OMA-URI |\n|---|---|---|\n");
        for p in &list {
            s.push_str(&format!(
                "| {} | `{}` | `{}` |\n",
                crate::escape::md(&p.name),
                p.recipe,
                p.oma_uri
            ));
        }
        s.push_str("\nNot in the profile (the remediation scripts still set them): data encryption level (`encryption`; the ProfileXML has no such setting), and the per-user phonebook checks. A `./Device` profile is for every user of the device (the recipe's `all_users: true`); Microsoft documents the `./Device` and `./User` paths, but fixgen has not seen how Windows places a non-device-tunnel L2TP profile of `./Device` in the phonebook: check one device before assigning widely.\n\n");
    }
    for n in &none {
        s.push_str(&format!("- `{}`: no VPN profile: {}.\n", n.recipe, n.why));
    }
    if !none.is_empty() {
        s.push('\n');
    }
    s
}
