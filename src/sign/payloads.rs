//! The Intune payloads: the Microsoft Graph bodies (`deviceHealthScript.json`,
//! `deviceManagementScript.json`) and `intune/README.md`, made from the scripts' bytes as they
//! are after Authenticode signing (the base64 in a payload is of the signed bytes), before the
//! manifest. The scripts themselves are rendered by [`crate::render::intune`].

use std::borrow::Cow;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::plan::Plan;
use crate::render::intune::{
    check_size, packages, IntunePackage, RunAs, DETECT_FILE, DIR, HEALTH_SCRIPT_FILE,
    PLATFORM_SCRIPT_FILE, README_FILE, REMEDIATE_FILE,
};
use crate::render::{Artifacts, OutputFile};

/// Graph `deviceHealthScript` (beta): a Remediations script package.
/// (Read back by `fixgen sign --bundle`: `Cow` fields, so the same type writes the same bytes.)
#[derive(Debug, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeviceHealthScript<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: Cow<'a, str>,
    display_name: Cow<'a, str>,
    description: Cow<'a, str>,
    publisher: Cow<'a, str>,
    version: Cow<'a, str>,
    run_as_account: RunAs,
    run_as_32_bit: bool,
    enforce_signature_check: bool,
    detection_script_content: String,
    remediation_script_content: String,
}

/// Graph `deviceManagementScript` (beta): a platform script.
#[derive(Debug, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeviceManagementScript<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: Cow<'a, str>,
    display_name: Cow<'a, str>,
    description: Cow<'a, str>,
    file_name: Cow<'a, str>,
    run_as_account: RunAs,
    run_as_32_bit: bool,
    enforce_signature_check: bool,
    script_content: String,
}

fn b64(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}

/// `v` as pretty JSON for the file `path`; a failure is an internal error.
fn json<T: Serialize>(path: &str, v: &T) -> Result<Vec<u8>, Diagnostic> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| {
        Diagnostic::error(
            "internal-json",
            path,
            format!("internal error writing JSON {path}: {e}"),
        )
    })?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// The post-signing stage of the Intune target: for every package whose scripts are in
/// `artifacts`, `deviceHealthScript.json` (and for the bundle `deviceManagementScript.json`)
/// with the base64 of the scripts' bytes exactly as they are now (signed, when signing), and
/// `intune/README.md`. Does nothing when the Intune target was not rendered. Returns the number
/// of payloads written.
pub(crate) fn add_payloads(
    artifacts: &mut Artifacts,
    plan: &Plan,
    signed: bool,
) -> Result<usize, Diagnostic> {
    // Most batches `fixgen build` streams hold no Intune file (the target comes as one batch):
    // then there is nothing to do, and the package list (linear in the recipes) is not built.
    let prefix = format!("{DIR}/");
    if !artifacts.files.keys().any(|p| p.starts_with(&prefix)) {
        return Ok(0);
    }
    let mut written = Vec::new();
    for pkg in packages(plan) {
        let (Some(detect), Some(remediate)) = (
            artifacts.files.get(&pkg.detect_path()),
            artifacts.files.get(&pkg.remediate_path()),
        ) else {
            continue;
        };
        for f in [detect, remediate] {
            check_size(plan, &pkg, &f.path, f.bytes.len())?;
        }
        let secret = detect.holds_secret || remediate.holds_secret;
        let enforce = signed
            && super::has_signature_block(&detect.bytes)
            && super::has_signature_block(&remediate.bytes);
        let health = DeviceHealthScript {
            odata_type: "#microsoft.graph.deviceHealthScript".into(),
            display_name: pkg.display_name.as_str().into(),
            description: pkg.description.as_str().into(),
            publisher: plan.bundle.publisher.as_str().into(),
            version: plan.bundle.version.as_str().into(),
            run_as_account: pkg.run_as,
            run_as_32_bit: false,
            enforce_signature_check: enforce,
            detection_script_content: b64(&detect.bytes),
            remediation_script_content: b64(&remediate.bytes),
        };
        let mut files = Vec::new();
        let mut f = OutputFile::new(
            pkg.health_script_path(),
            json(&pkg.health_script_path(), &health)?,
        );
        f.holds_secret = secret;
        files.push(f);
        if pkg.is_bundle {
            let platform = DeviceManagementScript {
                odata_type: "#microsoft.graph.deviceManagementScript".into(),
                display_name: pkg.display_name.as_str().into(),
                description: pkg.description.as_str().into(),
                file_name: REMEDIATE_FILE.into(),
                run_as_account: pkg.run_as,
                run_as_32_bit: false,
                enforce_signature_check: enforce,
                script_content: b64(&remediate.bytes),
            };
            let mut f = OutputFile::new(
                pkg.platform_script_path(),
                json(&pkg.platform_script_path(), &platform)?,
            );
            f.holds_secret = remediate.holds_secret;
            files.push(f);
        }
        let holds = files.iter().any(|f| f.holds_secret) || secret;
        for f in files {
            artifacts.files.remove(&f.path);
            artifacts.add(f);
        }
        written.push((pkg, enforce, holds));
    }
    if written.is_empty() {
        return Ok(0);
    }
    let n = written
        .iter()
        .map(|(p, ..)| 1 + usize::from(p.is_bundle))
        .sum();
    artifacts.files.remove(README_FILE);
    artifacts.add(OutputFile::new(README_FILE, readme(plan, &written, signed)));
    Ok(n)
}

/// `intune/README.md`: what each package is and how to upload and assign it.
fn readme(plan: &Plan, pkgs: &[(IntunePackage, bool, bool)], signed: bool) -> Vec<u8> {
    let b = &plan.bundle;
    let mut s = String::new();
    s.push_str(&format!(
        "# Intune packages: {} {}\n\nGenerated by fixgen {}. Every value the recipes need was fixed at build time: the scripts take no parameters. Upload the files as they are: a signed script must stay byte for byte as it is (no re-encoding, no line-ending changes).\n\n",
        md(&b.name),
        md(&b.version),
        env!("CARGO_PKG_VERSION")
    ));
    s.push_str("| Folder | Recipes | Runs as | Signature check | Holds a secret |\n|---|---|---|---|---|\n");
    for (p, enforce, holds) in pkgs {
        s.push_str(&format!(
            "| `{}/` | {} | {} | {} | {} |\n",
            p.folder,
            md(&p.recipes.join(", ")),
            match p.run_as {
                RunAs::System => "system",
                RunAs::User => "**user** (logged-on credentials)",
            },
            signature_cell(*enforce),
            if *holds { "**yes**" } else { "no" }
        ));
    }
    s.push_str(&format!(
        "\nEach folder holds `{DETECT_FILE}` (read-only: exit 1 when something the remediation can change is off, 0 when compliant, one summary line; report-only findings such as pending Windows updates or a pending restart are named in the line but never decide the exit code), `{REMEDIATE_FILE}` (applies and verifies: exit 0 fixed or compliant, 1 failed; a needed restart is reported in its output line, never done) and `{HEALTH_SCRIPT_FILE}`, the Microsoft Graph body for both. The bundle folder `{DIR}/{}/` also has `{PLATFORM_SCRIPT_FILE}`: the bundle's `{REMEDIATE_FILE}` as a platform script that runs once.\n\n",
        b.name
    ));
    if pkgs.iter().any(|(_, _, h)| *h) {
        s.push_str("**Secrets.** Files marked \"holds a secret\" (and the JSON payloads that carry them) contain a secret embedded with `--allow-embedded-secrets`. Handle them like the secret itself; manifest.json lists them with `holds_secret: true`. Detection scripts never hold a secret.\n\n");
    }
    s.push_str(signing_paragraph(signed));
    s.push_str(&crate::render::vpn_profile::readme_section(plan));
    s.push_str(&format!(
        "## Upload in the Intune admin center\n\n\
1. Devices > Scripts and remediations > Remediations > Create (the bundle's platform script: Devices > Scripts and remediations > Platform scripts > Add > Windows 10 and later).\n\
2. Basics: name and description from `{HEALTH_SCRIPT_FILE}` (`displayName`, `description`).\n\
3. Settings: detection script file `{DETECT_FILE}`, remediation script file `{REMEDIATE_FILE}`; \"Run this script using the logged-on credentials\": **No** for system packages, **Yes** for user packages (table above); \"Enforce script signature check\": Yes only for a signed build; \"Run script in 64-bit PowerShell\": Yes (the payloads say `runAs32Bit: false`); with No the scripts change nothing and exit 1 (a 32-bit host would see the redirected registry view).\n\
4. Assignments: a device group and a schedule (for example daily).\n\n\
## Upload with Microsoft Graph PowerShell\n\n\
The JSON files are ready-made request bodies (Graph beta). With the Microsoft.Graph.Authentication module:\n\n\
```powershell\n\
Connect-MgGraph -Scopes 'DeviceManagementScripts.ReadWrite.All', 'DeviceManagementConfiguration.ReadWrite.All'\n\
# Remediation (detection + remediation pair) of one folder. The JSON is UTF-8 without a BOM:\n\
# -Encoding UTF8 keeps Windows PowerShell 5.1 from reading it in the ANSI code page.\n\
$script = Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/deviceManagement/deviceHealthScripts' -Body (Get-Content -LiteralPath '.\\{DIR}\\{name}\\{HEALTH_SCRIPT_FILE}' -Raw -Encoding UTF8) -ContentType 'application/json'\n\
# Assign it to a group, running daily at 09:00 local time\n\
$assignment = @{{\n\
    deviceHealthScriptAssignments = @(@{{\n\
        target = @{{ '@odata.type' = '#microsoft.graph.groupAssignmentTarget'; groupId = '<group object id>' }}\n\
        runRemediationScript = $true\n\
        runSchedule = @{{ '@odata.type' = '#microsoft.graph.deviceHealthScriptDailySchedule'; interval = 1; time = '09:00:00'; useUtc = $false }}\n\
    }})\n\
}} | ConvertTo-Json -Depth 6\n\
Invoke-MgGraphRequest -Method POST -Uri \"https://graph.microsoft.com/beta/deviceManagement/deviceHealthScripts/$($script.id)/assign\" -Body $assignment -ContentType 'application/json'\n\
\n\
# Platform script (the bundle's remediation, run once per device)\n\
$platform = Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/deviceManagement/deviceManagementScripts' -Body (Get-Content -LiteralPath '.\\{DIR}\\{name}\\{PLATFORM_SCRIPT_FILE}' -Raw -Encoding UTF8) -ContentType 'application/json'\n\
$assignment = @{{\n\
    deviceManagementScriptAssignments = @(@{{\n\
        target = @{{ '@odata.type' = '#microsoft.graph.groupAssignmentTarget'; groupId = '<group object id>' }}\n\
    }})\n\
}} | ConvertTo-Json -Depth 6\n\
Invoke-MgGraphRequest -Method POST -Uri \"https://graph.microsoft.com/beta/deviceManagement/deviceManagementScripts/$($platform.id)/assign\" -Body $assignment -ContentType 'application/json'\n\
```\n\n\
Check before uploading: `fixgen verify` on the bundle folder (hashes and signatures). The base64 in each JSON file is exactly the bytes of the `.ps1` files beside it.\n",
        name = b.name
    ));
    s.into_bytes()
}

/// The "Signature check" cell of intune/README.md.
fn signature_cell(enforce: bool) -> &'static str {
    if enforce {
        "enforced (signed)"
    } else {
        "off (unsigned)"
    }
}

/// The paragraph of intune/README.md that says whether the bundle is signed.
fn signing_paragraph(signed: bool) -> &'static str {
    if signed {
        "**Signed.** The payloads say `enforceSignatureCheck: true` and carry the signed bytes. Devices must trust the signer: its certificate in Trusted Publishers (and its CA in Trusted Root Certification Authorities).\n\n"
    } else {
        "**Unsigned.** This bundle was built without signing options, so the payloads say `enforceSignatureCheck: false` and Intune runs the scripts with execution policy Bypass. Build with signing options to get signed scripts and `enforceSignatureCheck: true` (the signer's certificate must then be in the devices' Trusted Publishers store).\n\n"
    }
}

/// Why the payloads of a built bundle cannot be made again (`fixgen sign --bundle`).
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// A package is incomplete, or its payload is not one fixgen wrote.
    #[error("{0}")]
    NotFixgen(String),
    /// The JSON writer failed (an internal error, located at the payload).
    #[error("{}", .0.message)]
    Internal(crate::diag::Diagnostic),
}

/// `fixgen sign --bundle`: after every PowerShell file of a built bundle was signed, make each
/// package's payloads again from the signed bytes beside them (the same types and JSON writer
/// as the build: a payload differs from a signed build's only where the bytes do), and say
/// "signed" in intune/README.md. Returns the number of payloads made.
pub(crate) fn resign_payloads(artifacts: &mut Artifacts) -> Result<usize, PayloadError> {
    let prefix = format!("{DIR}/");
    let health: Vec<String> = artifacts
        .files
        .keys()
        .filter(|p| {
            p.starts_with(&prefix)
                && (p.ends_with(&format!("/{HEALTH_SCRIPT_FILE}"))
                    || p.ends_with(&format!("/{PLATFORM_SCRIPT_FILE}")))
        })
        .cloned()
        .collect();
    let mut all_enforced = true;
    for path in &health {
        let folder = &path[..path.rfind('/').unwrap_or(0)];
        let get = |name: &str| {
            artifacts
                .files
                .get(&format!("{folder}/{name}"))
                .ok_or_else(|| {
                    PayloadError::NotFixgen(format!("{path}: {folder}/{name} is missing"))
                })
        };
        let (detect, remediate) = (get(DETECT_FILE)?, get(REMEDIATE_FILE)?);
        let enforce = super::has_signature_block(&detect.bytes)
            && super::has_signature_block(&remediate.bytes);
        all_enforced &= enforce;
        let old = &artifacts.files[path];
        let bad = |e: serde_json::Error| {
            PayloadError::NotFixgen(format!("{path}: not a payload fixgen wrote: {e}"))
        };
        let bytes = if path.ends_with(HEALTH_SCRIPT_FILE) {
            let mut h: DeviceHealthScript = serde_json::from_slice(&old.bytes).map_err(bad)?;
            h.enforce_signature_check = enforce;
            h.detection_script_content = b64(&detect.bytes);
            h.remediation_script_content = b64(&remediate.bytes);
            json(path, &h).map_err(PayloadError::Internal)?
        } else {
            let mut m: DeviceManagementScript = serde_json::from_slice(&old.bytes).map_err(bad)?;
            m.enforce_signature_check = enforce;
            m.script_content = b64(&remediate.bytes);
            json(path, &m).map_err(PayloadError::Internal)?
        };
        let mut f = OutputFile::new(path.clone(), bytes);
        f.holds_secret = old.holds_secret;
        artifacts.files.remove(path);
        artifacts.add(f);
    }
    if let Some(readme) = artifacts.files.get_mut(README_FILE) {
        let text = String::from_utf8_lossy(&readme.bytes).into_owned();
        let text = text.replace(
            &format!("| {} |", signature_cell(false)),
            &format!("| {} |", signature_cell(true)),
        );
        let text = text.replace(signing_paragraph(false), signing_paragraph(all_enforced));
        readme.bytes = text.into_bytes();
    }
    Ok(health.len())
}

/// Text for a Markdown table cell: no pipes or line breaks.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_standard_with_padding() {
        assert_eq!(b64(b"ab"), "YWI=");
        assert_eq!(b64(b""), "");
    }
}
