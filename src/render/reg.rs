//! `.reg` output: `reg/<id>.reg` for each recipe with registry or service-startup changes and
//! `reg/<Bundle>.reg` with all of them.
//!
//! The registry changes of a plan are collected once by [`registry_changes`] (shared with the
//! Group Policy renderer): registry steps as they are, service startup types as the
//! `Services\<name>` values `Start` and `DelayedAutostart` that the Service Control Manager
//! reads at boot. Everything a `.reg` file cannot express (firewall rules, VPN profiles,
//! starting or stopping services, Windows Update) is listed in the file's header comment with
//! the script that does it.

use crate::diag::Diagnostic;
use crate::model::{Ensure, Reboot, RegValue, ServiceState, Startup, Step};
use crate::plan::{Plan, RecipePlan, Resolved};
use crate::regfile::write::RegWriter;
use crate::regfile::RegData;
use crate::registry::RegPath;
use crate::render::{Artifacts, OutputFile};

/// Where a registry change comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A `registry` step.
    Registry,
    /// A `service` step's startup type.
    ServiceStartup { service: String, startup: Startup },
}

/// One registry value to set or delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegChange {
    /// Index of the step in its recipe.
    pub step: usize,
    pub path: RegPath,
    /// Value name; empty for the key's default value.
    pub name: String,
    /// `Some(data)` to set the value, `None` to delete it (`ensure: absent`).
    pub data: Option<RegData>,
    pub origin: Origin,
}

/// A recipe's registry changes and the steps a registry file cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecipeChanges {
    pub recipe_id: String,
    pub title: String,
    pub summary: String,
    pub reboot: Reboot,
    pub source_path: String,
    /// File name only, for generated headers (machine-independent output).
    pub source_name: String,
    pub source_sha256: String,
    pub changes: Vec<RegChange>,
    /// One line per step (or part of a step) that needs the recipe's script.
    pub script_only: Vec<String>,
}

impl RecipeChanges {
    /// `scripts/<id>.ps1`, the script that performs every step of the recipe.
    pub(crate) fn script_path(&self) -> String {
        format!("scripts/{}.ps1", self.recipe_id)
    }
}

fn startup_label(s: Startup) -> &'static str {
    match s {
        Startup::Automatic => "Automatic",
        Startup::AutomaticDelayed => "Automatic (Delayed Start)",
        Startup::Manual => "Manual",
        Startup::Disabled => "Disabled",
    }
}

fn diag(rp: &RecipePlan, field: String, message: String, hint: Option<String>) -> Diagnostic {
    let d = Diagnostic::error("render-registry", rp.source_path.clone(), message).with_field(field);
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// A value the registry file needs at build time: an open param or a secret is an error.
fn known<'a, T>(
    rp: &'a RecipePlan,
    r: Resolved<'a, T>,
    field: &str,
    target: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<T> {
    match r {
        Resolved::Known { value, param } => {
            if let Some(p) = param.filter(|p| rp.is_secret(p)) {
                errors.push(diag(
                    rp,
                    field.to_string(),
                    format!(
                        "the value comes from the secret param `{p}`; {target} would hold it in clear text"
                    ),
                    Some("leave this recipe out of the target, or do not take the value from a secret".into()),
                ));
                return None;
            }
            Some(value)
        }
        Resolved::Open { param, .. } => {
            errors.push(diag(
                rp,
                field.to_string(),
                format!("param `{param}` has no value, and {target} cannot take parameters"),
                Some(format!(
                    "give it with --set {param}=VALUE (or in a --values file)"
                )),
            ));
            None
        }
    }
}

fn reg_data(
    rp: &RecipePlan,
    v: &RegValue,
    field: &str,
    target: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<RegData> {
    Some(match v {
        RegValue::String(s) => RegData::Sz(known(rp, rp.resolve(s), field, target, errors)?),
        RegValue::ExpandString(s) => {
            RegData::ExpandSz(known(rp, rp.resolve(s), field, target, errors)?)
        }
        RegValue::MultiString(items) => RegData::MultiSz(items.clone()),
        RegValue::Dword(d) => RegData::Dword(known(rp, rp.resolve(d), field, target, errors)?),
        RegValue::Qword(q) => RegData::Qword(known(rp, rp.resolve(q), field, target, errors)?),
        RegValue::Binary(h) => match h.parsed() {
            Ok(b) => RegData::Binary(b.to_vec()),
            Err(m) => {
                errors.push(diag(rp, field.to_string(), m.to_string(), None));
                return None;
            }
        },
    })
}

/// How a VPN step is named in a review line, without ever showing a param's value.
fn vpn_label(v: &crate::model::VpnStep) -> String {
    match &v.name {
        crate::model::Val::Lit(n) => format!("VPN connection {n:?}"),
        crate::model::Val::Param(p) => {
            format!("VPN connection named by param {}", p.param)
        }
    }
}

/// Collect every recipe's registry changes. `target` names the output in messages
/// ("a .reg file", "Group Policy").
pub(crate) fn registry_changes(
    plan: &Plan,
    target: &str,
) -> Result<Vec<RecipeChanges>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for rp in &plan.recipes {
        let r = &rp.recipe;
        let mut changes = Vec::new();
        let mut script_only = Vec::new();
        for (i, step) in r.steps.iter().enumerate() {
            match step {
                Step::Registry(s) => {
                    let field = format!("steps[{i}].registry");
                    let path = match RegPath::parse(&s.key) {
                        Ok(p) => p,
                        Err(e) => {
                            errors.push(diag(rp, format!("{field}.key"), e.to_string(), None));
                            continue;
                        }
                    };
                    let data = match (s.ensure, &s.value) {
                        (Ensure::Absent, _) => None,
                        (Ensure::Present, Some(v)) => {
                            match reg_data(rp, v, &format!("{field}.value"), target, &mut errors) {
                                Some(d) => Some(d),
                                None => continue,
                            }
                        }
                        (Ensure::Present, None) => {
                            errors.push(diag(
                                rp,
                                format!("{field}.value"),
                                "a registry step with ensure: present needs a value".into(),
                                None,
                            ));
                            continue;
                        }
                    };
                    changes.push(RegChange {
                        step: i,
                        path,
                        name: s.name.clone(),
                        data,
                        origin: Origin::Registry,
                    });
                }
                Step::Service(s) => {
                    service_changes(rp, i, s, &mut changes, &mut script_only, &mut errors)
                }
                Step::Firewall(f) => script_only.push(format!(
                    "Windows Defender Firewall rule {} ({})",
                    f.id, f.display_name
                )),
                Step::Vpn(v) => script_only.push(if v.recreate {
                    format!("remove and add the {}", vpn_label(v))
                } else {
                    format!("settings of the {}", vpn_label(v))
                }),
                Step::WindowsUpdate(w) => script_only.push(match w.action {
                    crate::model::UpdateAction::Scan => {
                        "Windows Update: search for pending updates".to_string()
                    }
                    crate::model::UpdateAction::Install => {
                        "Windows Update: download and install pending updates".to_string()
                    }
                }),
            }
        }
        out.push(RecipeChanges {
            recipe_id: r.id.clone(),
            title: r.title.clone(),
            summary: r.summary.clone(),
            reboot: r.reboot,
            source_path: rp.source_path.clone(),
            source_name: rp.source_file_name().to_string(),
            source_sha256: rp.source_sha256.clone(),
            changes,
            script_only,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A service step: its startup type as the `Start` (and `DelayedAutostart`) values of its key;
/// starting or stopping it is for the scripts only.
fn service_changes(
    rp: &RecipePlan,
    i: usize,
    s: &crate::model::ServiceStep,
    changes: &mut Vec<RegChange>,
    script_only: &mut Vec<String>,
    errors: &mut Vec<Diagnostic>,
) {
    if let Some(startup) = s.startup {
        let path = match crate::registry::service_key(&s.name) {
            Ok(p) => p,
            Err(m) => {
                errors.push(diag(rp, format!("steps[{i}].service.name"), m, None));
                return;
            }
        };
        let origin = Origin::ServiceStartup {
            service: s.name.clone(),
            startup,
        };
        changes.push(RegChange {
            step: i,
            path: path.clone(),
            name: "Start".into(),
            data: Some(RegData::Dword(startup.start_value())),
            origin: origin.clone(),
        });
        let delayed = match startup {
            Startup::Automatic => Some(0),
            Startup::AutomaticDelayed => Some(1),
            Startup::Manual | Startup::Disabled => None,
        };
        if let Some(d) = delayed {
            changes.push(RegChange {
                step: i,
                path,
                name: "DelayedAutostart".into(),
                data: Some(RegData::Dword(d)),
                origin,
            });
        }
    }
    match s.state {
        Some(ServiceState::Running) => script_only.push(format!(
            "start service {} now and check it is running",
            s.name
        )),
        Some(ServiceState::Stopped) => script_only.push(format!("stop service {} now", s.name)),
        None => {}
    }
}

/// A file name stem from an id or bundle name: ASCII letters, digits, `-`, `_` and `.` only.
pub(crate) fn file_stem(s: &str) -> Option<&str> {
    let ok = !s.is_empty()
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then_some(s)
}

/// Word-wrap text into lines of at most `width` characters (longer words stay whole). Line
/// breaks in the text are kept; the comment writer sanitises whatever else it holds.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push(line);
    }
    out
}

fn reboot_line(r: Reboot) -> Option<&'static str> {
    match r {
        Reboot::None => None,
        Reboot::Recommended => Some("A restart is recommended after importing this file."),
        Reboot::Required => {
            Some("Restart the machine after importing: the change takes effect only then.")
        }
    }
}

/// A one-line description of a change for comments and reviews.
pub(crate) fn describe_change(c: &RegChange) -> String {
    let name = if c.name.is_empty() {
        "(Default)".to_string()
    } else {
        c.name.clone()
    };
    match &c.data {
        Some(d) => format!("{}  {} = {}", c.path.short(), name, d.describe()),
        None => format!("{}  {}: delete the value", c.path.short(), name),
    }
}

fn write_recipe_body(w: &mut RegWriter, rc: &RecipeChanges) -> Result<(), String> {
    let mut i = 0;
    while i < rc.changes.len() {
        let c = &rc.changes[i];
        // One block per step: a comment, the key, the values of that step under that key.
        match &c.origin {
            Origin::Registry => w.comment(&format!(
                "{} steps[{}]: {}",
                rc.recipe_id,
                c.step,
                describe_change(c)
            )),
            Origin::ServiceStartup { service, startup } => {
                w.comment(&format!(
                    "{} steps[{}]: service {} startup type {} (Start = {}{}).",
                    rc.recipe_id,
                    c.step,
                    service,
                    startup_label(*startup),
                    startup.start_value(),
                    match startup {
                        Startup::Automatic => ", DelayedAutostart = 0",
                        Startup::AutomaticDelayed => ", DelayedAutostart = 1",
                        _ => "",
                    }
                ));
                w.comment(
                    "The Service Control Manager reads these at boot: the startup type takes effect after a restart.",
                );
                w.comment(&format!(
                    "If {service} is not installed, importing creates an incomplete service key; check with: sc.exe qc {service}"
                ));
            }
        }
        w.key(&c.path);
        let mut j = i;
        while j < rc.changes.len() && rc.changes[j].step == c.step && rc.changes[j].path == c.path {
            let cj = &rc.changes[j];
            let r = match &cj.data {
                Some(d) => w.set(&cj.name, d),
                None => w.delete(&cj.name),
            };
            r.map_err(|e| e.to_string())?;
            j += 1;
        }
        w.blank();
        i = j;
    }
    Ok(())
}

fn script_only_comment(w: &mut RegWriter, rc: &RecipeChanges) {
    if rc.script_only.is_empty() {
        return;
    }
    w.comment(&format!(
        "Not in this file (a .reg file cannot express it); {} does it:",
        rc.script_path()
    ));
    for s in &rc.script_only {
        w.comment(&format!("  - {s}"));
    }
}

fn render_error(rc: &RecipeChanges, message: String) -> Diagnostic {
    Diagnostic::error("render-registry", rc.source_path.clone(), message).with_field("steps")
}

/// Render `reg/<id>.reg` per recipe with changes and `reg/<Bundle>.reg`.
pub fn render(plan: &Plan) -> Result<Artifacts, Vec<Diagnostic>> {
    let all = registry_changes(plan, "a .reg file")?;
    let b = &plan.bundle;
    let mut errors = Vec::new();
    let mut arts = Artifacts::default();
    let generator = format!("fixgen {}", env!("CARGO_PKG_VERSION"));

    let Some(bundle_stem) = file_stem(&b.name) else {
        return Err(vec![Diagnostic::error(
            "render-registry",
            "bundle.yaml",
            format!("the bundle name {:?} cannot be used as a file name", b.name),
        )
        .with_field("name")
        .with_hint("use letters and digits only (PascalCase)")]);
    };

    for rc in all.iter().filter(|rc| !rc.changes.is_empty()) {
        let Some(stem) = file_stem(&rc.recipe_id) else {
            errors.push(render_error(
                rc,
                format!(
                    "the recipe id {:?} cannot be used as a file name",
                    rc.recipe_id
                ),
            ));
            continue;
        };
        let mut w = RegWriter::new();
        w.blank();
        w.comment(&format!("{stem}.reg - {}", rc.title));
        w.comment(&format!(
            "Recipe {} of bundle {} {} ({}).",
            rc.recipe_id, b.name, b.version, b.title
        ));
        w.comment(&format!(
            "Generated by {generator} from {} (SHA-256 {}).",
            rc.source_name, rc.source_sha256
        ));
        w.comment("");
        for l in wrap(&rc.summary, 96) {
            w.comment(&l);
        }
        w.comment("");
        w.comment("This file changes:");
        for c in &rc.changes {
            w.comment(&format!("  {}", describe_change(c)));
        }
        if let Some(l) = reboot_line(rc.reboot) {
            w.comment(l);
        }
        script_only_comment(&mut w, rc);
        w.comment("");
        w.comment(&format!(
            "Import as an administrator: reg.exe import {stem}.reg (or double-click it). Review every line first."
        ));
        w.blank();
        if let Err(m) = write_recipe_body(&mut w, rc) {
            errors.push(render_error(rc, m));
            continue;
        }
        arts.add(OutputFile::new(format!("reg/{stem}.reg"), w.into_bytes()));
    }

    bundle_file(plan, &all, bundle_stem, &generator, &mut arts, &mut errors);

    if errors.is_empty() {
        Ok(arts)
    } else {
        Err(errors)
    }
}

/// `reg/<Bundle>.reg`: every recipe's changes in run order.
fn bundle_file(
    plan: &Plan,
    all: &[RecipeChanges],
    bundle_stem: &str,
    generator: &str,
    arts: &mut Artifacts,
    errors: &mut Vec<Diagnostic>,
) {
    let b = &plan.bundle;
    let with: Vec<&RecipeChanges> = all.iter().filter(|rc| !rc.changes.is_empty()).collect();
    if !with.is_empty() {
        let mut w = RegWriter::new();
        w.blank();
        w.comment(&format!("{bundle_stem}.reg - {}", b.title));
        w.comment(&format!(
            "Every registry change of bundle {} {}, recipe by recipe, in run order.",
            b.name, b.version
        ));
        w.comment(&format!("Generated by {generator}."));
        w.comment("");
        for rc in &with {
            w.comment(&format!("{}: {}", rc.recipe_id, rc.title));
            for c in &rc.changes {
                w.comment(&format!("  {}", describe_change(c)));
            }
        }
        let max_reboot = with.iter().map(|rc| rc.reboot).max().unwrap_or_default();
        if let Some(l) = reboot_line(max_reboot) {
            w.comment(l);
        }
        let script_steps: Vec<&RecipeChanges> =
            all.iter().filter(|rc| !rc.script_only.is_empty()).collect();
        if !script_steps.is_empty() {
            w.comment("");
            w.comment("Not in this file (a .reg file cannot express it); run the scripts:");
            for rc in script_steps {
                w.comment(&format!("  {} ({}):", rc.script_path(), rc.recipe_id));
                for s in &rc.script_only {
                    w.comment(&format!("    - {s}"));
                }
            }
        }
        w.comment("");
        w.comment(&format!(
            "Import as an administrator: reg.exe import {bundle_stem}.reg (or double-click it). Review every line first."
        ));
        w.blank();
        for rc in &with {
            if let Err(m) = write_recipe_body(&mut w, rc) {
                errors.push(render_error(rc, m));
            }
        }
        let path = format!("reg/{bundle_stem}.reg");
        if arts.files.contains_key(&path) {
            errors.push(
                Diagnostic::error(
                    "render-registry",
                    "bundle.yaml",
                    format!("the bundle file {path} has the same name as a recipe's file"),
                )
                .with_field("name")
                .with_hint("rename the bundle or the recipe"),
            );
        } else {
            arts.add(OutputFile::new(path, w.into_bytes()));
        }
    }
}
