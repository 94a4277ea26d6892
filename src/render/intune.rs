//! Intune target: Remediations (detection + remediation script pairs), a platform script, and
//! the Microsoft Graph payloads to upload them.
//!
//! Layout, for every recipe and once for the whole bundle:
//! - `intune/<id>/detect.ps1`: read-only; one summary line; exit 1 when anything a remediation can change is off, else 0 (report-only findings go into the line);
//! - `intune/<id>/remediate.ps1`: applies the recipe (each step read, change, read again);
//!   exit 0 when fixed or compliant, 1 on failure; a needed restart is reported, never done;
//! - `intune/<id>/deviceHealthScript.json`: the Graph `deviceHealthScript` (beta) body;
//! - `intune/<Bundle>/...`: the same for all recipes of one context together, plus
//!   `deviceManagementScript.json` (a platform script running the bundle's remediation once);
//! - `intune/README.md`: how to upload and assign them.
//!
//! The scripts are rendered by [`render_intune`] from the same data and step code as the
//! PowerShell target ([`crate::render::powershell`]); the JSON payloads and README by
//! [`add_payloads`], which runs after Authenticode signing (the base64 in a payload is of the
//! signed bytes) and before the manifest ([`crate::sign::finalize_bundle`] calls it).
//!
//! Intune scripts take no parameters: every param a recipe uses needs a value at build time
//! ([`param_problems`]). An optional param left without a value means "leave as it is" (`$null`).
//! A secret is embedded only with `allow_embedded_secrets`; detection scripts never hold one.

use askama::Template;
use serde::Serialize;

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::model::{Context, RegValue, Step};
use crate::plan::{Binding, Plan};
use crate::render::blocks::{self, Role};
use crate::render::escape::{PsComment, PsLit, PsName};
use crate::render::powershell::{
    self, Entry, Help, Kinds, PsOptions, RecipeModel, RenderError, ScriptMode, StepData,
};
use crate::render::{Artifacts, OutputFile};

/// Intune accepts script files of 1 to 200,000 bytes; every script must stay under this.
pub const MAX_SCRIPT_BYTES: usize = 200_000;
/// Intune keeps the first 2,048 characters of a script's output; the summary line stays
/// within this many.
pub const MAX_LINE_CHARS: usize = 2000;
/// Folder of the target inside the bundle.
pub const DIR: &str = "intune";
pub const DETECT_FILE: &str = "detect.ps1";
pub const REMEDIATE_FILE: &str = "remediate.ps1";
pub const HEALTH_SCRIPT_FILE: &str = "deviceHealthScript.json";
pub const PLATFORM_SCRIPT_FILE: &str = "deviceManagementScript.json";
pub const README_FILE: &str = "intune/README.md";

const HELP_WIDTH: usize = 96;

/// Who Intune runs a package as (`runAsAccount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunAs {
    System,
    User,
}

impl RunAs {
    pub fn as_str(self) -> &'static str {
        match self {
            RunAs::System => "system",
            RunAs::User => "user",
        }
    }

    fn of(c: Context) -> RunAs {
        match c {
            Context::System => RunAs::System,
            Context::User => RunAs::User,
        }
    }
}

/// One Intune package (a detection/remediation pair and its payload). Also what the review
/// report shows: the folder, who it runs as (user-context packages need "Run this script using
/// the logged-on credentials" = Yes, which the payload's `runAsAccount` sets) and its recipes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntunePackage {
    /// `intune/<id>` or `intune/<Bundle>`.
    pub folder: String,
    /// A recipe id, or the bundle name for the bundle package.
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub run_as: RunAs,
    /// Recipe ids in run order.
    pub recipes: Vec<String>,
    /// The bundle package (it also gets a platform script payload).
    pub is_bundle: bool,
}

impl IntunePackage {
    pub fn detect_path(&self) -> String {
        format!("{}/{DETECT_FILE}", self.folder)
    }
    pub fn remediate_path(&self) -> String {
        format!("{}/{REMEDIATE_FILE}", self.folder)
    }
    pub fn health_script_path(&self) -> String {
        format!("{}/{HEALTH_SCRIPT_FILE}", self.folder)
    }
    pub fn platform_script_path(&self) -> String {
        format!("{}/{PLATFORM_SCRIPT_FILE}", self.folder)
    }
}

fn err(recipe: &str, message: impl Into<String>) -> RenderError {
    RenderError {
        recipe: recipe.to_string(),
        message: message.into(),
    }
}

/// Recipes of the bundle package: all of them when they share one context; in a mixed bundle
/// the system-context ones (a user-context recipe run as SYSTEM would change SYSTEM's own
/// profile), and the user-context recipes go out only as their own packages.
fn bundle_members(plan: &Plan) -> (Vec<usize>, RunAs) {
    let system: Vec<usize> = plan
        .recipes
        .iter()
        .enumerate()
        .filter(|(_, r)| r.recipe.context == Context::System)
        .map(|(i, _)| i)
        .collect();
    if system.is_empty() {
        ((0..plan.recipes.len()).collect(), RunAs::User)
    } else {
        (system, RunAs::System)
    }
}

/// Every package the Intune target writes for `plan`, recipes in run order, then the bundle.
pub fn packages(plan: &Plan) -> Vec<IntunePackage> {
    let b = &plan.bundle;
    let mut out: Vec<IntunePackage> = plan
        .recipes
        .iter()
        .map(|rp| {
            let r = &rp.recipe;
            IntunePackage {
                folder: format!("{DIR}/{}", r.id),
                name: r.id.clone(),
                display_name: format!("{} {} - {} ({})", b.name, b.version, r.title, r.id),
                description: format!(
                    "{} Context: {}. Restart: {}. Recipe {} of bundle {} {}, source SHA-256 {}. Generated by fixgen {}.",
                    r.summary.trim(),
                    RunAs::of(r.context).as_str(),
                    reboot_text(r.reboot),
                    r.id,
                    b.name,
                    b.version,
                    rp.source_sha256,
                    env!("CARGO_PKG_VERSION")
                ),
                run_as: RunAs::of(r.context),
                recipes: vec![r.id.clone()],
                is_bundle: false,
            }
        })
        .collect();
    let (members, run_as) = bundle_members(plan);
    if !members.is_empty() {
        let ids: Vec<String> = members
            .iter()
            .map(|&i| plan.recipes[i].recipe.id.clone())
            .collect();
        let included: std::collections::BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        let left_out: Vec<&str> = plan
            .recipes
            .iter()
            .filter(|r| !included.contains(r.recipe.id.as_str()))
            .map(|r| r.recipe.id.as_str())
            .collect();
        let mut description = format!(
            "{} Recipes, in order: {}.",
            b.description.trim(),
            ids.join(", ")
        );
        if !left_out.is_empty() {
            description.push_str(&format!(
                " Not included (they run as the signed-in user; deploy their own packages): {}.",
                left_out.join(", ")
            ));
        }
        description.push_str(&format!(
            " Bundle {} {}, SHA-256 {}. Generated by fixgen {}.",
            b.name,
            b.version,
            plan.bundle_sha256,
            env!("CARGO_PKG_VERSION")
        ));
        out.push(IntunePackage {
            folder: format!("{DIR}/{}", b.name),
            name: b.name.clone(),
            display_name: format!("{} {} - {}", b.name, b.version, b.title),
            description,
            run_as,
            recipes: ids,
            is_bundle: true,
        });
    }
    out
}

fn reboot_text(r: crate::model::Reboot) -> &'static str {
    match r {
        crate::model::Reboot::None => "none",
        crate::model::Reboot::Recommended => "recommended",
        crate::model::Reboot::Required => "required",
    }
}

/// Why the Intune target cannot be built with these values: every param a recipe uses and
/// that is required but has no value (Intune scripts take no parameters), and every secret
/// given a value without `allow_embedded_secrets`. All of them, in recipe order; each names
/// the recipe, the param and what to pass. Secret values never appear in the messages.
pub fn param_problems(plan: &Plan, allow_embedded_secrets: bool) -> Vec<RenderError> {
    let mut out = Vec::new();
    for rp in &plan.recipes {
        let id = &rp.recipe.id;
        let used = powershell::used_params(&rp.recipe.steps);
        let strict = strict_params(&rp.recipe.steps);
        for (name, bound) in &rp.params {
            if !used.contains(name) {
                continue;
            }
            let secret = bound.decl.secret;
            match &bound.binding {
                Binding::Open if bound.decl.required || strict.contains(name) => {
                    let how = if secret {
                        format!(
                            "put `{name}: VALUE` in a --values FILE (keeps it out of the shell history; --set {name}=VALUE also works) and pass --allow-embedded-secrets"
                        )
                    } else {
                        format!("give it with --set {name}=VALUE (or in a --values FILE)")
                    };
                    out.push(err(
                        id,
                        format!(
                            "param `{name}` has no value, and an Intune script takes no parameters; {how}"
                        ),
                    ));
                }
                Binding::Value(_) if secret && !allow_embedded_secrets => {
                    out.push(err(
                        id,
                        format!(
                            "secret param `{name}` has a value, which an Intune script can only carry embedded in {DIR}/{id}/{REMEDIATE_FILE} (and its {HEALTH_SCRIPT_FILE}); pass --allow-embedded-secrets to allow that (the files are then marked holds_secret in manifest.json), or build without the intune target"
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    out
}

/// Params used where a value is needed even when the param is optional (a registry value, a
/// VPN connection name). The VPN server and pre-shared key may stay unset ("leave as it is").
fn strict_params(steps: &[Step]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in steps {
        let name = match s {
            Step::Registry(r) => match &r.value {
                Some(RegValue::String(v)) | Some(RegValue::ExpandString(v)) => v.param_name(),
                Some(RegValue::Dword(v)) => v.param_name(),
                Some(RegValue::Qword(v)) => v.param_name(),
                _ => None,
            },
            Step::Vpn(v) => v.name.param_name(),
            _ => None,
        };
        if let Some(n) = name {
            out.insert(n.to_string());
        }
    }
    out
}

/// One recipe's data in an Intune script.
struct RecipeData<'a> {
    /// The recipe metadata the script uses: detection only `Id` and `Needs64Bit` (one line);
    /// remediation all but the `Summary` (it is in REVIEW.md and the payload).
    recipe: Vec<Entry>,
    steps: &'a [StepData],
}

#[derive(Template)]
#[template(path = "intune/script.ps1", escape = "none")]
struct IntuneScriptTemplate<'a> {
    requires_admin: bool,
    help: &'a Help,
    name: PsLit,
    recipes: Vec<RecipeData<'a>>,
    detect: bool,
    machinery: String,
}

fn union(a: Kinds, b: Kinds) -> Kinds {
    Kinds {
        registry: a.registry || b.registry,
        service: a.service || b.service,
        firewall: a.firewall || b.firewall,
        vpn: a.vpn || b.vpn,
        windows_update: a.windows_update || b.windows_update,
    }
}

fn help(plan: &Plan, pkg: &IntunePackage, mode: ScriptMode) -> Help {
    let recipes = pkg.recipes.join(", ");
    let what = match mode {
        // Report-only findings: see the comment of the intune-detect block.
        ScriptMode::Detect => format!(
            "Read-only Intune detection for {recipes} (writes nothing): one line naming each setting that is off; exit 1 when the remediation would change something, else 0."
        ),
        ScriptMode::Remediate => format!(
            "Intune remediation script for {recipes}: each step is read, changed only if it differs and read again to verify; one summary line; exit 0 when compliant or fixed, 1 when anything failed. A needed restart is reported, never done. Log (CMTrace): $env:windir\\Logs\\fixgen\\{}.log. No parameters: every value is in the recipe data below. Intune runs it in 64-bit PowerShell (runAs32Bit: false).",
            pkg.name
        ),
    };
    let context = match pkg.run_as {
        RunAs::System => "Run as SYSTEM (\"Run this script using the logged-on credentials\" = No)",
        RunAs::User => {
            "Run as the signed-in user (\"Run this script using the logged-on credentials\" = Yes)"
        }
    };
    Help {
        synopsis: PsComment::text(&pkg.display_name, HELP_WIDTH),
        description: PsComment::text(&what, HELP_WIDTH),
        params: Vec::new(),
        examples: Vec::new(),
        notes: PsComment::text(
            &format!(
                "{context}; do not edit (signed).\nBundle SHA-256 {}, fixgen {}",
                plan.bundle_sha256,
                env!("CARGO_PKG_VERSION"),
            ),
            HELP_WIDTH,
        ),
    }
}

fn render_script(
    plan: &Plan,
    pkg: &IntunePackage,
    models: &[&RecipeModel],
    mode: ScriptMode,
) -> Result<OutputFile, RenderError> {
    let kinds = models
        .iter()
        .fold(Kinds::default(), |k, m| union(k, m.kinds));
    let h = help(plan, pkg, mode);
    let t = IntuneScriptTemplate {
        requires_admin: models.iter().any(|m| m.requires_admin),
        help: &h,
        name: PsLit::string(&pkg.name),
        recipes: models
            .iter()
            .map(|m| RecipeData {
                recipe: m
                    .recipe
                    .iter()
                    .filter(|e| match mode {
                        ScriptMode::Detect => {
                            matches!(e.key, "Id" | "Needs64Bit")
                        }
                        ScriptMode::Remediate => e.key != "Summary",
                    })
                    .cloned()
                    .collect(),
                steps: &m.steps,
            })
            .collect(),
        detect: mode == ScriptMode::Detect,
        machinery: blocks::machinery(&blocks::blocks_for(
            match mode {
                ScriptMode::Detect => Role::IntuneDetect,
                ScriptMode::Remediate => Role::IntuneRemediate,
            },
            kinds,
            false,
        )),
    };
    let path = match mode {
        ScriptMode::Detect => pkg.detect_path(),
        ScriptMode::Remediate => pkg.remediate_path(),
    };
    let bytes = powershell::render_ps(&t).map_err(|m| err(&pkg.name, m))?;
    check_size(&pkg.name, &path, bytes.len())?;
    let mut f = OutputFile::new(path, bytes);
    f.holds_secret = models.iter().any(|m| m.holds_secret);
    Ok(f)
}

fn check_size(name: &str, path: &str, len: usize) -> Result<(), RenderError> {
    if len >= MAX_SCRIPT_BYTES {
        return Err(err(
            name,
            format!(
                "{path} is {len} bytes; Intune takes scripts under {MAX_SCRIPT_BYTES} bytes. Split the recipe or the bundle"
            ),
        ));
    }
    Ok(())
}

/// Options for the scripts of the Intune target.
fn ps_options(allow_embedded_secrets: bool, mode: ScriptMode) -> PsOptions {
    PsOptions {
        allow_open_params: false,
        allow_embedded_secrets,
        // Intune runs these in 64-bit PowerShell (the payload says runAs32Bit: false): no relaunch.
        relaunch: false,
        omit_secrets: mode == ScriptMode::Detect,
    }
}

/// `intune/<id>/detect.ps1` and `remediate.ps1` for every recipe, and the bundle pair. The
/// JSON payloads and `intune/README.md` come later, from [`add_payloads`].
pub fn render_intune(
    plan: &Plan,
    allow_embedded_secrets: bool,
) -> Result<Artifacts, Vec<RenderError>> {
    let problems = param_problems(plan, allow_embedded_secrets);
    if !problems.is_empty() {
        return Err(problems);
    }
    let pkgs = packages(plan);
    if let Some(b) = pkgs.iter().find(|p| p.is_bundle) {
        if let Some(r) = plan
            .recipes
            .iter()
            .find(|r| r.recipe.id.eq_ignore_ascii_case(&b.name))
        {
            return Err(vec![err(
                &r.recipe.id,
                format!(
                    "the recipe id and the bundle name `{}` give the same folder {} (names are case-insensitive on Windows); rename one",
                    b.name, b.folder
                ),
            )]);
        }
        PsName::new(&b.name).map_err(|m| vec![err("", format!("bundle name: {m}"))])?;
    }
    let detect = powershell::recipe_models(
        plan,
        &ps_options(allow_embedded_secrets, ScriptMode::Detect),
    )?;
    let remediate = powershell::recipe_models(
        plan,
        &ps_options(allow_embedded_secrets, ScriptMode::Remediate),
    )?;
    let index: std::collections::BTreeMap<&str, usize> = detect
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut out = Artifacts::default();
    let mut errors = Vec::new();
    for pkg in &pkgs {
        for (mode, models) in [
            (ScriptMode::Detect, &detect),
            (ScriptMode::Remediate, &remediate),
        ] {
            // In run order; a lookup by id, so the target stays linear in the bundle's size.
            let mut at: Vec<usize> = pkg
                .recipes
                .iter()
                .filter_map(|id| index.get(id.as_str()).copied())
                .collect();
            at.sort_unstable();
            at.dedup();
            let chosen: Vec<&RecipeModel> = at.iter().map(|&i| &models[i]).collect();
            match render_script(plan, pkg, &chosen, mode) {
                Ok(f) => out.add(f),
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

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

fn json<T: Serialize>(name: &str, v: &T) -> Result<Vec<u8>, RenderError> {
    let mut s = serde_json::to_string_pretty(v)
        .map_err(|e| err(name, format!("internal error writing JSON: {e}")))?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// The post-signing stage of the Intune target: for every package whose scripts are in
/// `artifacts`, `deviceHealthScript.json` (and for the bundle `deviceManagementScript.json`)
/// with the base64 of the scripts' bytes exactly as they are now (signed, when signing), and
/// `intune/README.md`. Does nothing when the Intune target was not rendered. Returns the number
/// of payloads written.
pub fn add_payloads(
    artifacts: &mut Artifacts,
    plan: &Plan,
    signed: bool,
) -> Result<usize, RenderError> {
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
            check_size(&pkg.name, &f.path, f.bytes.len())?;
        }
        let secret = detect.holds_secret || remediate.holds_secret;
        let enforce = signed
            && crate::sign::has_signature_block(&detect.bytes)
            && crate::sign::has_signature_block(&remediate.bytes);
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
        let mut f = OutputFile::new(pkg.health_script_path(), json(&pkg.name, &health)?);
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
            let mut f = OutputFile::new(pkg.platform_script_path(), json(&pkg.name, &platform)?);
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
    s.push_str(&super::vpn_profile::readme_section(plan));
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

/// `fixgen sign --bundle`: after every PowerShell file of a built bundle was signed, make each
/// package's payloads again from the signed bytes beside them (the same types and JSON writer
/// as the build: a payload differs from a signed build's only where the bytes do), and say
/// "signed" in intune/README.md. Returns the number of payloads made.
pub fn resign_payloads(artifacts: &mut Artifacts) -> Result<usize, String> {
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
                .ok_or_else(|| format!("{path}: {folder}/{name} is missing"))
        };
        let (detect, remediate) = (get(DETECT_FILE)?, get(REMEDIATE_FILE)?);
        let enforce = crate::sign::has_signature_block(&detect.bytes)
            && crate::sign::has_signature_block(&remediate.bytes);
        all_enforced &= enforce;
        let old = &artifacts.files[path];
        let bad = |e: serde_json::Error| format!("{path}: not a payload fixgen wrote: {e}");
        let bytes = if path.ends_with(HEALTH_SCRIPT_FILE) {
            let mut h: DeviceHealthScript = serde_json::from_slice(&old.bytes).map_err(bad)?;
            h.enforce_signature_check = enforce;
            h.detection_script_content = b64(&detect.bytes);
            h.remediation_script_content = b64(&remediate.bytes);
            json(folder, &h).map_err(|e| e.to_string())?
        } else {
            let mut m: DeviceManagementScript = serde_json::from_slice(&old.bytes).map_err(bad)?;
            m.enforce_signature_check = enforce;
            m.script_content = b64(&remediate.bytes);
            json(folder, &m).map_err(|e| e.to_string())?
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
    fn run_as_serializes_as_graph_expects() {
        assert_eq!(serde_json::to_string(&RunAs::System).unwrap(), "\"system\"");
        assert_eq!(serde_json::to_string(&RunAs::User).unwrap(), "\"user\"");
    }

    #[test]
    fn base64_is_standard_with_padding() {
        assert_eq!(b64(b"ab"), "YWI=");
        assert_eq!(b64(b""), "");
    }
}
