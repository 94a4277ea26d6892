//! `.reg` output: `reg/<id>.reg` for each recipe with registry or service-startup changes and
//! `reg/<Bundle>.reg` with all of them.
//!
//! The registry changes of a plan are collected once by [`registry_changes`] (shared with the
//! Group Policy renderer): registry steps as they are, service startup types as the
//! `Services\<name>` values `Start` and `DelayedAutostart` that the Service Control Manager
//! reads at boot. Everything a `.reg` file cannot express (firewall rules, VPN profiles,
//! starting or stopping services, Windows Update) is listed in the file's header comment with
//! the script that does it. What each step kind gives a registry file is its `reg` function in
//! `src/kinds/<kind>/render.rs`; the types are in `reg_types.rs`.

use crate::diag::Diagnostic;
use crate::model::Reboot;
use crate::plan::Plan;
use crate::regfile::write::RegWriter;
use crate::render::kinds;
use crate::render::reg_types::{Origin, RecipeChanges, RegChange, RegSink};
use crate::render::{Artifacts, OutputFile};

/// Collect every recipe's registry changes. `target` names the output in messages
/// ("a .reg file", "Group Policy"). Each step kind says what it gives a registry file
/// (`reg` in `src/kinds/<kind>/render.rs`).
pub(crate) fn registry_changes(
    plan: &Plan,
    target: &str,
) -> Result<Vec<RecipeChanges>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for rp in &plan.recipes {
        let r = &rp.recipe;
        let mut sink = RegSink {
            rp,
            target,
            changes: Vec::new(),
            script_only: Vec::new(),
            errors: &mut errors,
        };
        for (i, step) in r.steps.iter().enumerate() {
            crate::model::step_kind_dispatch!(step, s => kinds::KIND::reg(&mut sink, i, s));
        }
        let RegSink {
            changes,
            script_only,
            ..
        } = sink;
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
                kinds::service::reg_comment(w, &rc.recipe_id, c.step, service, *startup)
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
        return Err(vec![plan
            .bundle_error(
                "render-registry",
                "name",
                format!("the bundle name {:?} cannot be used as a file name", b.name),
            )
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
                plan.bundle_error(
                    "render-registry",
                    "name",
                    format!("the bundle file {path} has the same name as a recipe's file"),
                )
                .with_hint("rename the bundle or the recipe"),
            );
        } else {
            arts.add(OutputFile::new(path, w.into_bytes()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding about the bundle points into bundle.yaml (its `name`), like the validator's.
    #[test]
    fn a_bundle_name_that_cannot_be_a_file_name_is_located_in_bundle_yaml() {
        let (bundle, plan) = super::super::tests::plan_with_name("Bad/Name");
        let errors = render(&plan).unwrap_err();
        super::super::tests::assert_at_bundle_name(&bundle, &plan, &errors[0]);
    }
}
