//! Group Policy output, `gpo/`, laid out like a GPO's folder in SYSVOL:
//!
//! - `Machine/Preferences/Registry/Registry.xml` (and `User/...` for HKCU values): Group
//!   Policy Preferences registry items ([MS-GPPREF]), action Update (Delete for
//!   `ensure: absent`), uids derived from the content, `changed` only when
//!   `SOURCE_DATE_EPOCH` is set;
//! - `Machine/Registry.pol` (and `User/Registry.pol` for HKCU values): the Administrative
//!   Templates file ([MS-GPREG] PReg version 1), deletions as `**del.<name>`;
//! - `Machine/Scripts/Startup/`: the bundle's PowerShell scripts exactly as the script target
//!   renders them, with `Machine/Scripts/psscripts.ini` (UTF-16LE with BOM) running
//!   `Invoke-<Bundle>.ps1` at startup;
//! - `README.md`: how to put these into a GPO and raise its version.
//!
//! The registry changes are the ones the `.reg` target writes ([`super::reg::registry_changes`]),
//! service startup types included. Text reaches XML only through `files::xml_attr` / `files::xml_text`.

use std::fmt::Write as _;

use askama::Template;

use crate::diag::Diagnostic;
use crate::escape::{PsComment, PsLit};
use crate::model::Channel;
use crate::plan::Plan;
use crate::regfile::RegData;
use crate::registry::Hive;
use crate::render::reg::registry_changes;
use crate::render::reg_types::{Origin, RecipeChanges, RegChange};
use crate::render::{Artifacts, OutputFile};

/// `<RegistrySettings clsid=...>`: the Preferences registry extension's file.
pub(crate) const REGISTRY_SETTINGS_CLSID: &str = "{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}";
/// `<Registry clsid=...>`: one registry item.
pub(crate) const REGISTRY_ITEM_CLSID: &str = "{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}";

/// Client-side extension (CSE) and tool extension GUIDs for `gPCMachineExtensionNames` and
/// `gPCUserExtensionNames` ([MS-GPOL] 1.8: each extension declares a CSE GUID and a tool
/// extension GUID).
///
/// Administrative Templates (Registry.pol), [MS-GPREG] 1.9 Standards Assignments.
pub(crate) const CSE_REGISTRY_GUID: &str = "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}";
/// [MS-GPREG] 1.9: tool extension GUID for computer policy settings.
pub(crate) const TOOL_REGISTRY_MACHINE: &str = "{D02B1F72-3407-48AE-BA88-E8213C6761F1}";
/// [MS-GPREG] 1.9: tool extension GUID for user policy settings.
pub(crate) const TOOL_REGISTRY_USER: &str = "{D02B1F73-3407-48AE-BA88-E8213C6761F1}";
/// Preferences registry items, [MS-GPPREF] 1.9 Standards Assignments ("Registry").
pub(crate) const CSE_PREFERENCES_REGISTRY_GUID: &str = "{B087BE9D-ED37-454F-AF9C-04291E351182}";
/// [MS-GPPREF] 1.9: the Registry preference type's tool extension GUID.
pub(crate) const TOOL_PREFERENCES_REGISTRY: &str = "{BEE07A6A-EC9F-4659-B8C9-0B1937907C83}";
/// The null GUID: GPMC also lists every preference tool GUID under it.
pub(crate) const NULL_GUID: &str = "{00000000-0000-0000-0000-000000000000}";
/// Scripts extension, [MS-GPSCR] 1.9 Standards Assignments: CSE GUID.
pub const CSE_SCRIPTS_GUID: &str = "{42B5FAAE-6536-11D2-AE5A-0000F87571E3}";
/// [MS-GPSCR] 1.9: tool extension GUID for computer (startup/shutdown) scripts.
pub const TOOL_SCRIPTS_MACHINE: &str = "{40B6664F-4972-11D1-A7CA-0000F87571E3}";

/// The brackets for the Administrative Templates on the computer side.
pub const CSE_REGISTRY: &str =
    "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]";
pub const CSE_PREFERENCES_REGISTRY: &str =
    "[{B087BE9D-ED37-454F-AF9C-04291E351182}{BEE07A6A-EC9F-4659-B8C9-0B1937907C83}]";
pub const CSE_PREFERENCES_TOOL: &str =
    "[{00000000-0000-0000-0000-000000000000}{BEE07A6A-EC9F-4659-B8C9-0B1937907C83}]";
pub const CSE_SCRIPTS_MACHINE: &str =
    "[{42B5FAAE-6536-11D2-AE5A-0000F87571E3}{40B6664F-4972-11D1-A7CA-0000F87571E3}]";

/// Merge `(CSE GUID, tool GUID)` pairs into an extension-names attribute value: one
/// `[{CSE}{tool}{tool}...]` bracket per client-side extension, brackets in ascending order of
/// CSE GUID and the tool GUIDs inside each in ascending order, GUIDs compared as upper-case
/// text ([MS-GPOL] 1.8 and 2.2 for the attribute, [MS-GPPREF] 3.2.5.1.2 for the text order).
/// Entries already present are kept (compared without regard to case), so merging the same
/// pairs twice gives the same value. `None` when `existing` is not a list of brackets of GUIDs.
pub fn merge_extension_names(existing: &str, add: &[(&str, &str)]) -> Option<String> {
    use std::collections::BTreeMap;
    let mut cses: BTreeMap<String, (String, BTreeMap<String, String>)> = BTreeMap::new();
    let mut rest = existing.trim();
    while !rest.is_empty() {
        let body = rest.strip_prefix('[')?;
        let end = body.find(']')?;
        let guids = parse_guids(&body[..end])?;
        rest = body[end + 1..].trim_start();
        let (cse, tools) = guids.split_first()?;
        let entry = cses
            .entry(cse.to_ascii_uppercase())
            .or_insert_with(|| (cse.clone(), BTreeMap::new()));
        for t in tools {
            entry
                .1
                .entry(t.to_ascii_uppercase())
                .or_insert_with(|| t.clone());
        }
    }
    for (cse, tool) in add {
        let entry = cses
            .entry(cse.to_ascii_uppercase())
            .or_insert_with(|| (cse.to_string(), BTreeMap::new()));
        entry
            .1
            .entry(tool.to_ascii_uppercase())
            .or_insert_with(|| tool.to_string());
    }
    let mut out = String::new();
    for (cse, tools) in cses.values() {
        out.push('[');
        out.push_str(cse);
        for t in tools.values() {
            out.push_str(t);
        }
        out.push(']');
    }
    Some(out)
}

/// `{GUID}{GUID}...` as its GUIDs, or None.
fn parse_guids(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let g = rest.get(..38)?;
        let b = g.as_bytes();
        let ok = b[0] == b'{'
            && b[37] == b'}'
            && g[1..37].char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if !ok {
            return None;
        }
        out.push(g.to_string());
        rest = &rest[38..];
    }
    (!out.is_empty()).then_some(out)
}

/// True for a key under `SOFTWARE\Policies` or `SOFTWARE\Microsoft\Windows\CurrentVersion\Policies`:
/// the keys the Administrative Templates extension clears and rewrites at every refresh, so a
/// Registry.pol value there goes away when the GPO stops applying. Elsewhere a Registry.pol
/// value stays ("tattoos"); those values go into Registry.xml (Preferences) instead.
pub fn is_policy_key(subkey: &str) -> bool {
    let k = subkey.to_ascii_lowercase();
    [
        "software\\policies",
        "software\\microsoft\\windows\\currentversion\\policies",
    ]
    .iter()
    .any(|p| k == *p || k.starts_with(&format!("{p}\\")))
}

/// `GPT.ini` (`[General]` `Version=`, [MS-GPOL] 4.10 Sample gpt.ini File): the GPO file
/// system version, user version in the upper 16 bits and computer version in the lower 16 bits
/// ([MS-GPOL] 3.3.5.4 GPO File System Version Update). `machine` and `user` are the versions the files represent.
pub(crate) fn gpt_ini(machine: u16, user: u16) -> Vec<u8> {
    let v = (u32::from(user) << 16) | u32::from(machine);
    format!("[General]\r\nVersion={v}\r\n").into_bytes()
}

/// Options of the Group Policy renderer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpoOptions {
    /// Seconds since 1970 (UTC) for the items' `changed` attribute; `None` leaves it out, so
    /// the same recipes give the same bytes.
    pub source_date_epoch: Option<i64>,
}

impl GpoOptions {
    /// `SOURCE_DATE_EPOCH` from the environment (reproducible-builds.org): unset or empty
    /// means no timestamp; anything but a whole number is an error (`gpo-options`, located at
    /// the variable).
    pub fn from_env() -> Result<GpoOptions, Diagnostic> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if v.trim().is_empty() => Ok(GpoOptions::default()),
            Ok(v) => v
                .trim()
                .parse::<i64>()
                .map(|s| GpoOptions {
                    source_date_epoch: Some(s),
                })
                .map_err(|_| {
                    Diagnostic::error(
                        "gpo-options",
                        "SOURCE_DATE_EPOCH",
                        format!("SOURCE_DATE_EPOCH must be a whole number of seconds, found {v:?}"),
                    )
                }),
            Err(_) => Ok(GpoOptions::default()),
        }
    }
}

/// Why a recipe is not in the startup script (gpo/README.md).
const LEFT_OUT_WINDOWS_UPDATE: &str = "it has a Windows Update step, which is left out of the GPO by default: a startup script runs at every boot, often before the network is up, and must not search Windows Update each time. Deploy it with Intune or a scheduled script, or list `gpo` in the recipe's `channels` to put it here.";
const LEFT_OUT_CHANNELS: &str =
    "its `channels` list does not name `gpo`: none of its settings are in this GPO.";
const LEFT_OUT_USER: &str = "it runs in the user's context (`context: user`); a computer startup script runs as SYSTEM and would change SYSTEM's own profile. Its HKCU registry values are in the `User` side of this GPO; run its `scripts/<id>.ps1` as the signed-in user (an Intune script with \"Run this script using the logged-on credentials\", or a logon script you add) for its other steps.";

/// Folder of the startup scripts in the bundle.
mod files;
mod readme;
use files::{psscripts_ini, registry_item, registry_pol, registry_xml};
use readme::readme;

const STARTUP_DIR: &str = "gpo/Machine/Scripts/Startup/";

/// A file of the script target (`scripts/<name>`) as its copy in the startup folder.
pub(crate) fn startup_copy(f: OutputFile) -> OutputFile {
    let name = f.path.strip_prefix("scripts/").unwrap_or(&f.path);
    OutputFile {
        path: format!("{STARTUP_DIR}{name}"),
        bytes: f.bytes,
        holds_secret: f.holds_secret,
    }
}

/// The bundle's PowerShell scripts for the startup folder, or why there are none.
#[derive(Debug, Clone, Copy)]
pub enum StartupScripts<'a> {
    /// The script target's output (`scripts/<id>.ps1`, `scripts/Invoke-<Bundle>.ps1`).
    Scripts(&'a Artifacts),
    /// The caller writes each `gpo/Machine/Scripts/Startup/<name>` itself (`fixgen build`
    /// streams them with the scripts): their file names, and whether any holds a secret.
    Elsewhere {
        names: &'a [String],
        holds_secret: bool,
    },
    /// Why the scripts could not be rendered for a startup script (e.g. params without a
    /// value: a startup script runs without parameters).
    Unavailable(&'a str),
}

/// `gpo/Deploy-<Bundle>Gpo.ps1` (templates/gpo/deploy.ps1): every recipe text through
/// [`PsLit`] / [`PsComment`].
#[derive(Template)]
#[template(path = "gpo/deploy.ps1", escape = "none")]
struct DeployTemplate {
    synopsis: PsComment,
    example_whatif: PsComment,
    example_link: PsComment,
    default_name: PsLit,
    policy: Vec<DeployValue>,
    prefs: Vec<DeployValue>,
    startup_files: Vec<PsLit>,
    cse_scripts: &'static str,
    tool_scripts: &'static str,
}

/// One registry value for the deploy script.
struct DeployValue {
    /// `Computer` or `User` (Set-GPPrefRegistryValue -Context).
    context: &'static str,
    /// Full key with the hive: `HKLM\SOFTWARE\...`.
    key: PsLit,
    name: PsLit,
    /// A [Microsoft.Win32.RegistryValueKind] name.
    kind: &'static str,
    value: PsLit,
    /// `$true` for a policy deletion.
    delete: PsLit,
    /// `Update` or `Delete` (Set-GPPrefRegistryValue -Action).
    action: &'static str,
}

fn deploy_value(c: &RegChange) -> Result<DeployValue, String> {
    let (kind, value) = match &c.data {
        None => ("String", PsLit::string("")),
        Some(RegData::Sz(s)) => ("String", PsLit::string(s)),
        Some(RegData::ExpandSz(s)) => ("ExpandString", PsLit::string(s)),
        Some(RegData::MultiSz(items)) => ("MultiString", PsLit::string_array(items)),
        Some(RegData::Dword(v)) => ("DWord", PsLit::uint(u64::from(*v))),
        Some(RegData::Qword(v)) => ("QWord", PsLit::uint(*v)),
        Some(RegData::Binary(b)) => ("Binary", PsLit::bytes(b)),
        Some(RegData::Raw { kind, .. }) => {
            return Err(format!(
                "the GroupPolicy cmdlets cannot write a value of type {}",
                crate::regfile::kind::name(*kind)
            ))
        }
    };
    Ok(DeployValue {
        context: if c.path.hive == Hive::CurrentUser {
            "User"
        } else {
            "Computer"
        },
        key: PsLit::string(&format!("{}\\{}", c.path.hive.short_name(), c.path.subkey)),
        name: PsLit::string(&c.name),
        kind,
        value,
        delete: PsLit::bool(c.data.is_none()),
        action: if c.data.is_some() { "Update" } else { "Delete" },
    })
}

/// Render `gpo/Deploy-<stem>Gpo.ps1`: the same split as the files (Policies keys through
/// Set-GPRegistryValue, every other value through Set-GPPrefRegistryValue), and the startup
/// files (relative to `Machine/Scripts`) when there is a startup script.
fn deploy_script(
    plan: &Plan,
    stem: &str,
    all: &[RecipeChanges],
    startup_files: &[String],
) -> Result<Vec<u8>, Diagnostic> {
    let mut policy = Vec::new();
    let mut prefs = Vec::new();
    for rc in all {
        for c in &rc.changes {
            // Located by the pipeline (`Plan::locate`), like the other findings about a step.
            let v = deploy_value(c).map_err(|m| {
                Diagnostic::error("render-gpo", rc.source_path.clone(), m)
                    .with_field(format!("steps[{}]", c.step))
            })?;
            let pol = is_policy_key(&c.path.subkey)
                && matches!(c.path.hive, Hive::LocalMachine | Hive::CurrentUser);
            if pol {
                policy.push(v);
            } else {
                prefs.push(v);
            }
        }
    }
    let script = format!("Deploy-{stem}Gpo.ps1");
    let t = DeployTemplate {
        synopsis: PsComment::text(
            &format!(
                "Creates or updates the Group Policy object of the fixgen bundle {} {}.",
                plan.bundle.name, plan.bundle.version
            ),
            96,
        ),
        example_whatif: PsComment::text(&format!("PS> .\\{script} -WhatIf"), 200),
        example_link: PsComment::text(
            &format!("PS> .\\{script} -LinkTo 'OU=Workstations,DC=contoso,DC=com'"),
            200,
        ),
        default_name: PsLit::string(&plan.bundle.name),
        policy,
        prefs,
        startup_files: startup_files.iter().map(|f| PsLit::string(f)).collect(),
        cse_scripts: CSE_SCRIPTS_GUID,
        tool_scripts: TOOL_SCRIPTS_MACHINE,
    };
    let what = format!("gpo/{script}");
    super::powershell::render_ps(&t).map_err(|m| super::ps_types::internal(&what, m))
}

/// A Group Policy error about the bundle, located at `field` of bundle.yaml.
fn err(plan: &Plan, field: &str, message: String) -> Diagnostic {
    plan.bundle_error("render-gpo", field, message)
}

/// Render `gpo/`.
pub fn render(
    plan: &Plan,
    startup: StartupScripts<'_>,
    opts: &GpoOptions,
) -> Result<Artifacts, Vec<Diagnostic>> {
    let left_out = left_out_recipes(plan);
    let gplan = plan.for_channel(Channel::Gpo);
    let plan: &Plan = &gplan;
    let all = registry_changes(plan, "Group Policy")?;
    let mut arts = Artifacts::default();
    let bundle = &plan.bundle;
    let Some(stem) = super::reg::file_stem(&bundle.name) else {
        return Err(vec![err(
            plan,
            "name",
            format!(
                "the bundle name {:?} cannot be used as a file name",
                bundle.name
            ),
        )]);
    };

    registry_files(&all, opts, &mut arts)?;

    let invoke = format!("Invoke-{stem}.ps1");
    let (startup_files, startup_secret, startup_note) =
        startup_scripts(startup, &left_out, &mut arts);
    if startup_note.is_none() {
        if !startup_files.contains(&invoke) {
            return Err(vec![err(
                plan,
                "",
                format!("internal error: the script target did not produce scripts/{invoke}"),
            )]);
        }
        arts.add(OutputFile::new(
            "gpo/Machine/Scripts/psscripts.ini",
            psscripts_ini(&invoke),
        ));
    }

    let machine_side = arts.files.keys().any(|p| p.starts_with("gpo/Machine/"))
        || !startup_files.is_empty() && startup_note.is_none();
    let user_side = arts.files.keys().any(|p| p.starts_with("gpo/User/"));
    arts.add(OutputFile::new(
        "gpo/GPT.ini",
        gpt_ini(u16::from(machine_side), u16::from(user_side)),
    ));

    let deploy_files: Vec<String> = if startup_note.is_none() {
        let mut v: Vec<String> = startup_files
            .iter()
            .map(|f| format!("Startup\\{f}"))
            .collect();
        v.push("psscripts.ini".to_string());
        v
    } else {
        Vec::new()
    };
    match deploy_script(plan, stem, &all, &deploy_files) {
        Ok(bytes) => arts.add(OutputFile::new(format!("gpo/Deploy-{stem}Gpo.ps1"), bytes)),
        Err(d) => return Err(vec![d]),
    }

    let secret = startup_secret
        || arts
            .files
            .values()
            .any(|f| f.holds_secret && f.path.starts_with("gpo/"));
    let mut text = readme(
        plan,
        stem,
        &all,
        &arts,
        &invoke,
        &startup_files,
        startup_note.as_deref(),
        &left_out,
    );
    if secret {
        text.push_str("
## Warning: a secret is baked into the startup scripts

This build used `--allow-embedded-secrets`. Everything in SYSVOL is readable by every authenticated user of the domain, so anyone can read the secret from these scripts. Prefer a script target run by Intune or another channel that protects it, and change the secret if these files were published.\n");
    }
    arts.add(OutputFile::new("gpo/README.md", text.into_bytes()));
    Ok(arts)
}

/// Recipes left out of the computer startup script, with the reason (gpo/README.md).
fn left_out_recipes(plan: &Plan) -> Vec<(String, &'static str)> {
    plan.recipes
        .iter()
        .filter(|rp| !super::secret_scope::runs_at_startup(rp))
        .map(|rp| {
            let r = &rp.recipe;
            let why = if r.in_startup_script() {
                super::secret_scope::LEFT_OUT_OF_GPO
            } else if !r.in_channel(Channel::Gpo) {
                if r.channels.is_none() {
                    LEFT_OUT_WINDOWS_UPDATE
                } else {
                    LEFT_OUT_CHANNELS
                }
            } else {
                LEFT_OUT_USER
            };
            (r.id.clone(), why)
        })
        .collect()
}

/// Registry.xml (Preferences) and Registry.pol of both sides, into `arts`.
///
/// One mechanism per value: Registry.pol for the Policies keys of HKLM and HKCU (the
/// Administrative Templates extension removes them when the GPO stops applying), Registry.xml
/// (Preferences, with removePolicy) for everything else. The deploy script uses the same split.
fn registry_files(
    all: &[RecipeChanges],
    opts: &GpoOptions,
    arts: &mut Artifacts,
) -> Result<(), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut machine_items = Vec::new();
    let mut user_items = Vec::new();
    let mut machine_pol: Vec<&RegChange> = Vec::new();
    let mut user_pol: Vec<&RegChange> = Vec::new();
    // One mechanism per value: Registry.pol for the Policies keys of HKLM and HKCU (the
    // Administrative Templates extension removes them when the GPO stops applying), Registry.xml
    // (Preferences, with removePolicy) for everything else. The deploy script uses the same split.
    for rc in all {
        for c in &rc.changes {
            let pol = is_policy_key(&c.path.subkey);
            match c.path.hive {
                Hive::LocalMachine if pol => {
                    machine_pol.push(c);
                    continue;
                }
                Hive::CurrentUser if pol => {
                    user_pol.push(c);
                    continue;
                }
                _ => {}
            }
            match registry_item(rc, c, opts) {
                Ok(item) => match c.path.hive {
                    Hive::CurrentUser => user_items.push(item),
                    _ => machine_items.push(item),
                },
                Err(m) => errors.push(
                    Diagnostic::error("render-gpo", rc.source_path.clone(), m)
                        .with_field(format!("steps[{}]", c.step)),
                ),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !machine_items.is_empty() {
        arts.add(OutputFile::new(
            "gpo/Machine/Preferences/Registry/Registry.xml",
            registry_xml(&machine_items),
        ));
    }
    if !user_items.is_empty() {
        arts.add(OutputFile::new(
            "gpo/User/Preferences/Registry/Registry.xml",
            registry_xml(&user_items),
        ));
    }
    if !machine_pol.is_empty() {
        arts.add(OutputFile::new(
            "gpo/Machine/Registry.pol",
            registry_pol(&machine_pol),
        ));
    }
    if !user_pol.is_empty() {
        arts.add(OutputFile::new(
            "gpo/User/Registry.pol",
            registry_pol(&user_pol),
        ));
    }
    Ok(())
}

/// The startup copies of the scripts (or their names, rendered elsewhere) into `arts`: the
/// file names under Startup\, whether one holds a secret, and why there is no startup script.
fn startup_scripts(
    startup: StartupScripts<'_>,
    left_out: &[(String, &'static str)],
    arts: &mut Artifacts,
) -> (Vec<String>, bool, Option<String>) {
    let mut startup_files = Vec::new();
    let mut startup_secret = false;
    let startup_note = match startup {
        StartupScripts::Unavailable(why) => Some(why.to_string()),
        StartupScripts::Scripts(scripts) => {
            for f in scripts
                .files
                .values()
                .filter(|f| f.path.starts_with("scripts/"))
                // Never a secret in SYSVOL (issue 15 item 7).
                .filter(|f| !f.holds_secret)
                .filter(|f| {
                    // Only the recipes the startup script runs (and the Invoke script).
                    let name = &f.path["scripts/".len()..];
                    !left_out.iter().any(|(id, _)| {
                        name == format!("{id}.ps1") || name == format!("Undo-{id}.ps1")
                    })
                })
            {
                let copy = startup_copy(f.clone());
                startup_files.push(copy.path[STARTUP_DIR.len()..].to_string());
                arts.add(copy);
            }
            None
        }
        StartupScripts::Elsewhere {
            names,
            holds_secret,
        } => {
            startup_secret = holds_secret;
            startup_files.extend(names.iter().cloned());
            None
        }
    };
    (startup_files, startup_secret, startup_note)
}

#[cfg(test)]
mod tests;
