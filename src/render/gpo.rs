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
//! service startup types included. Text reaches XML only through [`xml_attr`] / [`xml_text`].

use std::fmt::Write as _;

use crate::diag::Diagnostic;
use crate::plan::Plan;
use crate::regfile::{kind, utf16le, RegData};
use crate::registry::Hive;
use crate::render::reg::{registry_changes, Origin, RecipeChanges, RegChange};
use crate::render::{Artifacts, OutputFile};

/// `<RegistrySettings clsid=...>`: the Preferences registry extension's file.
pub const REGISTRY_SETTINGS_CLSID: &str = "{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}";
/// `<Registry clsid=...>`: one registry item.
pub const REGISTRY_ITEM_CLSID: &str = "{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}";

/// Client-side extension and snap-in GUIDs for `gPCMachineExtensionNames` (and
/// `gPCUserExtensionNames`), as GPMC writes them.
pub const CSE_REGISTRY: &str =
    "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]";
pub const CSE_PREFERENCES_REGISTRY: &str =
    "[{B087BE9D-ED37-454F-AF9C-04291E351182}{BEE07A6A-EC9F-4659-B8C9-0B1937907C83}]";
pub const CSE_PREFERENCES_TOOL: &str =
    "[{00000000-0000-0000-0000-000000000000}{BEE07A6A-EC9F-4659-B8C9-0B1937907C83}]";
pub const CSE_SCRIPTS_MACHINE: &str =
    "[{42B5FAAE-6536-11D2-AE5A-0000F87571E3}{40B6664F-4972-11D1-A7CA-0000F87571E3}]";

/// Options of the Group Policy renderer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpoOptions {
    /// Seconds since 1970 (UTC) for the items' `changed` attribute; `None` leaves it out, so
    /// the same recipes give the same bytes.
    pub source_date_epoch: Option<i64>,
}

impl GpoOptions {
    /// `SOURCE_DATE_EPOCH` from the environment (reproducible-builds.org): unset or empty
    /// means no timestamp; anything but a whole number is an error.
    pub fn from_env() -> Result<GpoOptions, String> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if v.trim().is_empty() => Ok(GpoOptions::default()),
            Ok(v) => v
                .trim()
                .parse::<i64>()
                .map(|s| GpoOptions {
                    source_date_epoch: Some(s),
                })
                .map_err(|_| {
                    format!("SOURCE_DATE_EPOCH must be a whole number of seconds, found {v:?}")
                }),
            Err(_) => Ok(GpoOptions::default()),
        }
    }
}

/// Folder of the startup scripts in the bundle.
const STARTUP_DIR: &str = "gpo/Machine/Scripts/Startup/";

/// A file of the script target (`scripts/<name>`) as its copy in the startup folder.
pub fn startup_copy(f: OutputFile) -> OutputFile {
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

/// XML attribute value: `& < > " '` as entities, TAB/LF/CR as character references (so
/// attribute normalisation keeps them). Characters XML 1.0 cannot carry (other C0 controls,
/// U+FFFE, U+FFFF) are an error.
pub fn xml_attr(s: &str) -> Result<String, String> {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' => o.push_str("&#9;"),
            '\n' => o.push_str("&#10;"),
            '\r' => o.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                return Err(format!(
                    "the character U+{:04X} cannot be written in an XML file",
                    c as u32
                ))
            }
            c => o.push(c),
        }
    }
    Ok(o)
}

/// XML element text: like [`xml_attr`].
pub fn xml_text(s: &str) -> Result<String, String> {
    xml_attr(s)
}

/// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` from a SHA-256 of `parts` (RFC 9562 version 8
/// layout): the same content gives the same uid on every machine.
pub fn content_guid(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"fixgen GPP registry item\0");
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode_upper(b);
    format!(
        "{{{}-{}-{}-{}-{}}}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// `YYYY-MM-DD HH:MM:SS` (UTC), GPP's `changed` format.
pub fn gpp_timestamp(epoch: i64) -> Result<String, String> {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch)
        .map_err(|e| format!("SOURCE_DATE_EPOCH {epoch} is out of range: {e}"))?;
    Ok(format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// GPP's `type` and `value` for data: DWORD and QWORD as upper-case hex digits (8 and 16),
/// binary as lower-case hex digits without separators, strings as they are; a multi-string's
/// `value` is its items joined by spaces (the items themselves go in `<Values>`).
fn gpp_type_value(d: &RegData) -> Result<(&'static str, String), String> {
    Ok(match d {
        RegData::Sz(s) => ("REG_SZ", s.clone()),
        RegData::ExpandSz(s) => ("REG_EXPAND_SZ", s.clone()),
        RegData::MultiSz(items) => ("REG_MULTI_SZ", items.join(" ")),
        RegData::Dword(v) => ("REG_DWORD", format!("{v:08X}")),
        RegData::Qword(v) => ("REG_QWORD", format!("{v:016X}")),
        RegData::Binary(b) => ("REG_BINARY", hex::encode(b)),
        RegData::Raw { kind, .. } => {
            return Err(format!(
                "Group Policy Preferences cannot write a value of type {}",
                crate::regfile::kind::name(*kind)
            ))
        }
    })
}

/// GPMC's icon index for an item: string kinds 5-8, numbers 10-13, binary 15-18, plus the
/// action (Create 0, Replace 1, Update 2, Delete 3).
fn gpp_image(d: Option<&RegData>) -> u32 {
    match d {
        None => 8,
        Some(RegData::Dword(_) | RegData::Qword(_)) => 12,
        Some(RegData::Binary(_)) => 17,
        Some(_) => 7,
    }
}

/// One `<Registry>` element.
fn registry_item(rc: &RecipeChanges, c: &RegChange, opts: &GpoOptions) -> Result<String, String> {
    let shown = if c.name.is_empty() {
        "(Default)".to_string()
    } else {
        c.name.clone()
    };
    let (action, ty, value) = match &c.data {
        Some(d) => {
            let (t, v) = gpp_type_value(d)?;
            ("U", t, v)
        }
        None => ("D", "REG_SZ", String::new()),
    };
    let uid = content_guid(&[
        rc.recipe_id.as_bytes(),
        c.step.to_string().as_bytes(),
        c.path.hive.long_name().as_bytes(),
        c.path.subkey.as_bytes(),
        c.name.as_bytes(),
        action.as_bytes(),
        ty.as_bytes(),
        &c.data.as_ref().map(RegData::to_bytes).unwrap_or_default(),
    ]);
    let desc = match &c.origin {
        Origin::Registry => format!("fixgen {} steps[{}]: {}", rc.recipe_id, c.step, rc.title),
        Origin::ServiceStartup { service, .. } => format!(
            "fixgen {} steps[{}]: startup type of service {service}; takes effect after a restart",
            rc.recipe_id, c.step
        ),
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "\t<Registry clsid=\"{REGISTRY_ITEM_CLSID}\" name=\"{}\" status=\"{}\" image=\"{}\"",
        xml_attr(&shown)?,
        xml_attr(&shown)?,
        gpp_image(c.data.as_ref())
    );
    if let Some(epoch) = opts.source_date_epoch {
        let _ = write!(s, " changed=\"{}\"", gpp_timestamp(epoch)?);
    }
    let _ = write!(
        s,
        " uid=\"{uid}\" desc=\"{}\" bypassErrors=\"1\">",
        xml_attr(&desc)?
    );
    let decimal = matches!(c.data, Some(RegData::Dword(_) | RegData::Qword(_)));
    let _ = write!(
        s,
        "<Properties action=\"{action}\" displayDecimal=\"{}\" default=\"{}\" hive=\"{}\" key=\"{}\" name=\"{}\" type=\"{ty}\" value=\"{}\"",
        u8::from(decimal),
        u8::from(c.name.is_empty()),
        c.path.hive.long_name(),
        xml_attr(&c.path.subkey)?,
        xml_attr(&c.name)?,
        xml_attr(&value)?
    );
    match &c.data {
        Some(RegData::MultiSz(items)) => {
            s.push_str("><Values>");
            for it in items {
                let _ = write!(s, "<Value>{}</Value>", xml_text(it)?);
            }
            s.push_str("</Values></Properties></Registry>");
        }
        _ => s.push_str("/></Registry>"),
    }
    Ok(s)
}

/// A whole `Registry.xml`: UTF-8 without BOM, CRLF, one item per line.
fn registry_xml(items: &[String]) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n");
    let _ = write!(
        s,
        "<RegistrySettings clsid=\"{REGISTRY_SETTINGS_CLSID}\">\r\n"
    );
    for it in items {
        s.push_str(it);
        s.push_str("\r\n");
    }
    s.push_str("</RegistrySettings>\r\n");
    s.into_bytes()
}

/// One PReg record: `[key;name;type;size;data]`, brackets and semicolons UTF-16LE, key and
/// name UTF-16LE with a terminating NUL, type and size u32 little-endian.
fn pol_record(out: &mut Vec<u8>, key: &str, name: &str, kind: u32, data: &[u8]) {
    let ch = |c: char| utf16le(&c.to_string());
    out.extend(ch('['));
    out.extend(utf16le(key));
    out.extend([0, 0]);
    out.extend(ch(';'));
    out.extend(utf16le(name));
    out.extend([0, 0]);
    out.extend(ch(';'));
    out.extend(kind.to_le_bytes());
    out.extend(ch(';'));
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(ch(';'));
    out.extend(data);
    out.extend(ch(']'));
}

/// `Registry.pol` for one hive's changes (the file's folder decides the hive).
pub fn registry_pol(changes: &[&RegChange]) -> Vec<u8> {
    let mut out = Vec::from(*b"PReg");
    out.extend(1u32.to_le_bytes());
    for c in changes {
        match &c.data {
            Some(d) => pol_record(&mut out, &c.path.subkey, &c.name, d.kind(), &d.to_bytes()),
            // Deleting a value: `**del.<name>`, data a single space (what gpedit writes).
            None => pol_record(
                &mut out,
                &c.path.subkey,
                &format!("**del.{}", c.name),
                kind::REG_SZ,
                &RegData::Sz(" ".into()).to_bytes(),
            ),
        }
    }
    out
}

/// `psscripts.ini`: UTF-16LE with BOM, CRLF, one startup script without parameters.
pub fn psscripts_ini(script: &str) -> Vec<u8> {
    let text = format!("\r\n[Startup]\r\n0CmdLine={script}\r\n0Parameters=\r\n");
    let mut out = vec![0xff, 0xfe];
    out.extend(utf16le(&text));
    out
}

fn err(message: String) -> Diagnostic {
    Diagnostic::error("render-gpo", "bundle.yaml", message)
}

/// Render `gpo/`.
pub fn render(
    plan: &Plan,
    startup: StartupScripts<'_>,
    opts: &GpoOptions,
) -> Result<Artifacts, Vec<Diagnostic>> {
    let all = registry_changes(plan, "Group Policy")?;
    let mut errors = Vec::new();
    let mut arts = Artifacts::default();
    let bundle = &plan.bundle;
    let Some(stem) = super::reg::file_stem(&bundle.name) else {
        return Err(vec![err(format!(
            "the bundle name {:?} cannot be used as a file name",
            bundle.name
        ))]);
    };

    let mut machine_items = Vec::new();
    let mut user_items = Vec::new();
    let mut machine_pol: Vec<&RegChange> = Vec::new();
    let mut user_pol: Vec<&RegChange> = Vec::new();
    for rc in &all {
        for c in &rc.changes {
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
            match c.path.hive {
                Hive::LocalMachine => machine_pol.push(c),
                Hive::CurrentUser => user_pol.push(c),
                // Registry.pol applies to HKLM (Machine) or HKCU (User) only.
                _ => {}
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

    let invoke = format!("Invoke-{stem}.ps1");
    let mut startup_files = Vec::new();
    let mut startup_secret = false;
    let startup_note = match startup {
        StartupScripts::Unavailable(why) => Some(why.to_string()),
        StartupScripts::Scripts(scripts) => {
            for f in scripts
                .files
                .values()
                .filter(|f| f.path.starts_with("scripts/"))
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
    if startup_note.is_none() {
        if !startup_files.contains(&invoke) {
            return Err(vec![err(format!(
                "the script target did not produce scripts/{invoke}"
            ))]);
        }
        arts.add(OutputFile::new(
            "gpo/Machine/Scripts/psscripts.ini",
            psscripts_ini(&invoke),
        ));
    }

    let secret = startup_secret
        || arts
            .files
            .values()
            .any(|f| f.holds_secret && f.path.starts_with("gpo/"));
    let mut text = readme(
        plan,
        &all,
        &arts,
        &invoke,
        &startup_files,
        startup_note.as_deref(),
    );
    if secret {
        text.push_str("
## Warning: a secret is baked into the startup scripts

This build used `--allow-embedded-secrets`. Everything in SYSVOL is readable by every authenticated user of the domain, so anyone can read the secret from these scripts. Prefer a script target run by Intune or another channel that protects it, and change the secret if these files were published.\n");
    }
    arts.add(OutputFile::new("gpo/README.md", text.into_bytes()));
    Ok(arts)
}

/// Markdown text from recipe text: one line, no HTML, Markdown punctuation escaped.
fn md(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => o.push(' '),
            c if c.is_control() => o.push_str(&format!("<U+{:04X}>", c as u32)),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '&' => {
                o.push('\\');
                o.push(c);
            }
            c => o.push(c),
        }
    }
    o
}

fn readme(
    plan: &Plan,
    all: &[RecipeChanges],
    arts: &Artifacts,
    invoke: &str,
    startup_files: &[String],
    startup_note: Option<&str>,
) -> String {
    let b = &plan.bundle;
    let has = |p: &str| arts.files.contains_key(p);
    let machine_prefs = has("gpo/Machine/Preferences/Registry/Registry.xml");
    let user_prefs = has("gpo/User/Preferences/Registry/Registry.xml");
    let machine_pol = has("gpo/Machine/Registry.pol");
    let user_pol = has("gpo/User/Registry.pol");
    let scripts = startup_note.is_none();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Group Policy files for {} {}\n",
        md(&b.name),
        md(&b.version)
    );
    let _ = writeln!(s, "{}\n", md(&b.title));
    let _ = writeln!(
        s,
        "Generated by fixgen {}. The folders mirror a GPO's folder in SYSVOL \
         (`\\\\<domain>\\SYSVOL\\<domain>\\Policies\\{{GPO-GUID}}\\`).\n",
        env!("CARGO_PKG_VERSION")
    );
    s.push_str("## What is here\n\n");
    if machine_prefs {
        s.push_str("- `Machine/Preferences/Registry/Registry.xml`: Group Policy Preferences registry items (computer side), action Update; `ensure: absent` values as Delete items.\n");
    }
    if user_prefs {
        s.push_str("- `User/Preferences/Registry/Registry.xml`: the HKCU values as user-side Preferences items.\n");
    }
    if machine_pol {
        s.push_str("- `Machine/Registry.pol`: the same HKLM values for the Administrative Templates extension (PReg file).\n");
    }
    if user_pol {
        s.push_str("- `User/Registry.pol`: the same HKCU values for the user side.\n");
    }
    if scripts {
        let _ = writeln!(
            s,
            "- `Machine/Scripts/Startup/`: the bundle's PowerShell scripts ({}) and `Machine/Scripts/psscripts.ini`, which runs `{invoke}` as a computer startup script (as SYSTEM, before logon).",
            startup_files.iter().map(|f| format!("`{}`", md(f))).collect::<Vec<_>>().join(", ")
        );
    }
    s.push_str("\nRegistry changes:\n\n");
    for rc in all.iter().filter(|rc| !rc.changes.is_empty()) {
        let _ = writeln!(s, "- {} ({}):", md(&rc.recipe_id), md(&rc.title));
        for c in &rc.changes {
            let _ = writeln!(s, "  - {}", md(&super::reg::describe_change(c)));
        }
    }
    let service_startup = all
        .iter()
        .flat_map(|rc| &rc.changes)
        .any(|c| matches!(c.origin, Origin::ServiceStartup { .. }));
    if service_startup {
        s.push_str("\nService startup types are the `Start` and `DelayedAutostart` values of `HKLM\\SYSTEM\\CurrentControlSet\\Services\\<name>`: the Service Control Manager reads them at boot, so they take effect after a restart.\n");
    }
    let script_only: Vec<&RecipeChanges> =
        all.iter().filter(|rc| !rc.script_only.is_empty()).collect();
    if !script_only.is_empty() {
        s.push_str("\nNot expressible as registry values; the startup script does them:\n\n");
        for rc in script_only {
            for x in &rc.script_only {
                let _ = writeln!(s, "- {} (`{}`)", md(x), md(&rc.script_path()));
            }
        }
    }
    if let Some(why) = startup_note {
        let _ = writeln!(
            s,
            "\n**No startup script.** A Group Policy startup script runs without parameters, and the scripts could not be built that way: {}. Build again with every parameter given (`--set NAME=VALUE` or `--values FILE`) to get `Machine/Scripts/`.",
            md(why)
        );
    }

    s.push_str("\n## Use one registry mechanism\n\n");
    s.push_str("Registry.xml (Preferences) and Registry.pol (Administrative Templates) set the same values. Use one of them:\n\n");
    s.push_str("- **Preferences** (`Registry.xml`): shown and editable in the Group Policy Management Editor under Computer Configuration > Preferences > Windows Settings > Registry; the items re-apply at every refresh.\n");
    s.push_str("- **Registry.pol**: applied by the Administrative Templates extension. Values outside the `Policies` keys are not removed when the GPO stops applying (they \"tattoo\" the registry), and the editor shows them only as \"Extra Registry Settings\" in reports.\n");

    s.push_str("\n## Put the files into a domain GPO\n\n");
    s.push_str("1. In Group Policy Management (GPMC), create a GPO (or `New-GPO -Name \"<name>\"`) and note its GUID (Details tab, Unique ID).\n");
    s.push_str("2. Copy the `Machine` folder (and `User`, if present) into `\\\\<domain>\\SYSVOL\\<domain>\\Policies\\{GPO-GUID}\\`, merging with what is there. If the GPO already has a `Registry.xml` or `Registry.pol`, merge the items instead of overwriting the file.\n");
    s.push_str("3. Raise the GPO's version, or clients ignore the new files. `GPT.ini` in the GPO folder holds `Version=`: the low 16 bits count computer-side changes, the high 16 bits user-side changes. Add 1 for the computer side (and 65536 for the user side if you copied `User`), write the new number to `GPT.ini` and to the `versionNumber` attribute of the GPO's object in Active Directory (`CN={GPO-GUID},CN=Policies,CN=System,DC=...`), e.g. with ADSI Edit or `Set-ADObject -Replace @{versionNumber=N}`.\n");
    s.push_str("4. Register the client-side extensions on the same AD object, in `gPCMachineExtensionNames` (computer side; `gPCUserExtensionNames` for `User`). Keep the entries that are there, add the ones for the files you copied, sorted by GUID:\n");
    let _ = writeln!(s, "   - Preferences registry items: `{CSE_PREFERENCES_TOOL}` and `{CSE_PREFERENCES_REGISTRY}`");
    let _ = writeln!(
        s,
        "   - Registry.pol (Administrative Templates): `{CSE_REGISTRY}`"
    );
    let _ = writeln!(s, "   - Startup scripts: `{CSE_SCRIPTS_MACHINE}`");
    s.push_str("5. Link the GPO to the OU of the computers, then on one of them run `gpupdate /force` and check with `gpresult /h report.html`.\n");
    s.push_str("\nEditing the GPO in the Group Policy Management Editor after copying also raises the version; the extension names still have to be present.\n");
    s.push_str("\nFor a single machine without a domain, `LGPO.exe /m Machine\\Registry.pol` (Microsoft Security Compliance Toolkit) imports the `.pol` file into the local policy.\n");

    if scripts {
        s.push_str("\n## Startup script\n\n");
        let _ = writeln!(s, "`psscripts.ini` runs `{invoke}` from `Machine\\Scripts\\Startup` with no parameters; it calls the recipe scripts beside it. Startup scripts run as SYSTEM and Windows waits for them (600 s by default). The scripts log to `%windir%\\Logs\\fixgen\\`.");
        s.push_str("\nWhere PowerShell's execution policy is AllSigned, sign the scripts (`fixgen build --sign ...` signs every `.ps1`, these copies included) and trust the signer on the clients. Do not re-encode or edit signed scripts: the signature covers their exact bytes.\n");
        if startup_files.is_empty() {
            s.push_str("\n(No scripts were produced.)\n");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(
            xml_attr("a&b<c>\"d'\te\r\nf").unwrap(),
            "a&amp;b&lt;c&gt;&quot;d&apos;&#9;e&#13;&#10;f"
        );
        assert!(xml_attr("x\u{1}").is_err());
        assert!(xml_attr("x\u{ffff}").is_err());
        assert_eq!(xml_attr("ü😀").unwrap(), "ü😀");
    }

    #[test]
    fn guid_layout_and_stability() {
        let g = content_guid(&[b"a", b"b"]);
        assert_eq!(g.len(), 38);
        assert_eq!(&g[15..16], "8");
        assert!(matches!(&g[20..21], "8" | "9" | "A" | "B"));
        assert_eq!(g, content_guid(&[b"a", b"b"]));
        assert_ne!(g, content_guid(&[b"ab", b""]));
    }

    #[test]
    fn timestamps() {
        assert_eq!(gpp_timestamp(0).unwrap(), "1970-01-01 00:00:00");
        assert_eq!(gpp_timestamp(1_700_000_000).unwrap(), "2023-11-14 22:13:20");
    }

    #[test]
    fn psscripts_ini_is_utf16_with_bom() {
        let b = psscripts_ini("Invoke-X.ps1");
        assert_eq!(&b[..2], &[0xff, 0xfe]);
        let text = crate::regfile::from_utf16le(&b[2..]).unwrap();
        assert_eq!(
            text,
            "\r\n[Startup]\r\n0CmdLine=Invoke-X.ps1\r\n0Parameters=\r\n"
        );
    }
}
