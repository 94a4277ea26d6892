//! `REVIEW.md`: the review report in every bundle, for the admin who approves the change.
//!
//! It is produced after Authenticode signing (so the SHA-256 it lists are those of the final,
//! signed files) and before the manifest stage (so `manifest.json` and `SHA256SUMS` list
//! REVIEW.md itself). It therefore lists every file except itself, `manifest.json`,
//! `SHA256SUMS` and `SHA256SUMS.p7s`, and says so.
//!
//! Recipe text reaches Markdown only through [`md`] (inline text: Markdown punctuation
//! backslash-escaped, `<`, `>` and `&` as entities, line breaks as spaces) and [`link`]
//! (http/https URLs only, percent-encoded destination), so a recipe cannot inject HTML, links or
//! structure into the report.

use std::fmt::Write as _;

use super::files::FileRow;
use super::{kinds, PlanReport};

/// Path of the report inside the bundle.
pub(crate) const REVIEW_FILE: &str = "REVIEW.md";

pub(crate) use crate::escape::{md, md_start};

/// A Markdown link for an http(s) URL, else the URL as plain text.
pub(crate) fn link(url: &str) -> String {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return md(url);
    }
    let mut dest = String::new();
    for b in url.bytes() {
        if b.is_ascii_graphic()
            && !matches!(b, b'<' | b'>' | b'\\' | b'"' | b'\'' | b'`' | b'(' | b')')
        {
            dest.push(b as char);
        } else {
            let _ = write!(dest, "%{b:02X}");
        }
    }
    format!("[{}](<{dest}>)", md(url))
}

fn cell(s: &str) -> String {
    let t = md(s);
    if t.is_empty() {
        " ".into()
    } else {
        t
    }
}

/// REVIEW.md for `report` and the (signed) files in `files`.
pub(crate) fn render(report: &PlanReport, files: &[FileRow]) -> String {
    let mut o = String::new();
    header(&mut o, report);
    glance(&mut o, report);
    recipes(&mut o, report, files);
    warnings(&mut o, report);
    parameters(&mut o, report);
    secrets(&mut o, report, files);
    o.push_str(&super::runtime::section(files));
    undo(&mut o);
    o.push_str(&files_section(files));
    o
}

/// The title, description, source and publisher, and what to check before approving.
fn header(o: &mut String, report: &PlanReport) {
    let b = &report.bundle;
    let _ = writeln!(o, "# Review: {} {}", md(&b.name), md(&b.version));
    o.push('\n');
    let _ = writeln!(o, "**{}**", md(&b.title));
    o.push('\n');
    let _ = writeln!(o, "Description: {}", md(&b.description));
    o.push('\n');
    if let Some(t) = &b.source_title {
        let _ = write!(o, "Source article: {}", md(t));
        if let Some(u) = &b.source_url {
            let _ = write!(o, " ({})", link(u));
        }
        o.push_str("\n\n");
    }
    if b.sha256.is_empty() {
        let _ = writeln!(
            o,
            "Publisher: {}. Built by fixgen {} from recipes without a bundle.yaml (an implicit bundle).",
            md(&b.publisher),
            report.fixgen_version
        );
    } else {
        let _ = writeln!(
            o,
            "Publisher: {}. Built by fixgen {} from bundle.yaml with SHA-256 `{}`.",
            md(&b.publisher),
            report.fixgen_version,
            b.sha256
        );
    }
    o.push('\n');
    o.push_str("## Before you approve\n\n");
    o.push_str(
        "- Read the change table: every setting the scripts may change, with its new value.\n",
    );
    o.push_str("- Each script reads the current state first and changes only what differs; a second run changes nothing.\n");
    o.push_str("- Run a script with `-WhatIf` on a test machine first: it logs what it would change and changes nothing.\n");
    o.push_str("- Exit codes: 0 compliant or fixed, 3010 fixed but a restart is needed, 1 failed. No script restarts the machine.\n");
    o.push_str("- Logs (CMTrace format): `%windir%\\Logs\\fixgen\\<recipe>.log`.\n");
    o.push_str("- Check the files against the list at the end, or run `fixgen verify` on the bundle folder.\n");
    o.push('\n');
}

/// The change table of every recipe, and the user-context recipes.
fn glance(o: &mut String, report: &PlanReport) {
    let _ = writeln!(
        o,
        "## Changes at a glance ({} recipes, {} settings)\n",
        report.recipes.len(),
        report.changes.len()
    );
    o.push_str("| Recipe | Target | Setting | New value | Context | Reboot |\n");
    o.push_str("|---|---|---|---|---|---|\n");
    for c in &report.changes {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&c.recipe),
            cell(&c.target),
            cell(&c.setting),
            cell(&c.value_and_condition()),
            c.context,
            c.reboot
        );
    }
    o.push('\n');

    let users = report.user_context_recipes();
    if !users.is_empty() {
        o.push_str("## User-context recipes\n\n");
        o.push_str("These run as the signed-in user and change only that user's settings. Deploy them in the user context (Intune: \"Run this script using the logged-on credentials\"); run as SYSTEM they change SYSTEM's own profile instead.\n\n");
        for r in &users {
            let _ = writeln!(o, "- {}: {}", md_start(&r.id), md(&r.title));
        }
        o.push('\n');
    }
}

/// One section per recipe: what it implements, reads, changes, its scripts and undo.
fn recipes(o: &mut String, report: &PlanReport, files: &[FileRow]) {
    o.push_str("## Recipes\n\n");
    // Looked up once per recipe: a set, so the report stays linear in the bundle's size.
    let paths: std::collections::BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for (i, r) in report.recipes.iter().enumerate() {
        let _ = writeln!(o, "### {}. {}: {}\n", i + 1, md(&r.id), md(&r.title));
        if let Some(s) = &r.source_step {
            let _ = writeln!(o, "- Implements: {}", md(s));
        }
        let _ = writeln!(o, "- Summary: {}", md(&r.summary));
        if let Some(s) = &r.symptom {
            let _ = writeln!(o, "- Symptom: {}", md(s));
        }
        let ctx = if r.context == "user" {
            "**user** (runs as the signed-in user)"
        } else {
            "system (SYSTEM or an elevated administrator)"
        };
        let _ = writeln!(o, "- Context: {ctx}; restart: {}", r.reboot);
        let startup = if r.gpo_startup {
            "run by the GPO computer startup script"
        } else if r.channels.contains(&"gpo") {
            "**not** in the GPO computer startup script (user context: it would change SYSTEM's profile at boot)"
        } else if !r.channels_given {
            "**not** in the GPO (a Windows Update step is left out of the GPO by default: no network scan at every boot)"
        } else {
            "**not** in the GPO (its `channels` leave `gpo` out)"
        };
        let _ = writeln!(o, "- Channels: {}; {startup}", r.channels.join(", "));
        let _ = writeln!(
            o,
            "- Recipe file: `{}`, SHA-256 `{}`",
            r.source.replace('`', "'"),
            r.source_sha256
        );
        let scripts: Vec<String> = [
            format!("scripts/{}.ps1", r.id),
            format!("scripts/Undo-{}.ps1", r.id),
        ]
        .into_iter()
        .filter(|p| paths.contains(p.as_str()))
        .map(|p| format!("`{}`", p.replace('`', "'")))
        .collect();
        if !scripts.is_empty() {
            let _ = writeln!(o, "- Scripts: {}", scripts.join(", "));
        }
        if !r.open_params.is_empty() {
            let _ = writeln!(
                o,
                "- Params given at run time: {}",
                md(&r.open_params.join(", "))
            );
        }
        o.push_str("- Reads:\n");
        for rd in &r.reads {
            let _ = writeln!(o, "  - {}", md_start(rd));
        }
        o.push_str("- Changes:\n");
        for c in &r.changes {
            let _ = writeln!(
                o,
                "  - {}: {} = {}",
                md_start(&c.target),
                md(&c.setting),
                md(&c.value_and_condition())
            );
        }
        let _ = writeln!(o, "- Undo: {}", md(&r.undo));
        if !r.references.is_empty() {
            o.push_str("- References:\n");
            for u in &r.references {
                let _ = writeln!(o, "  - {}", link(u));
            }
        }
        o.push('\n');
    }
}

/// The validator's warnings and the notes.
fn warnings(o: &mut String, report: &PlanReport) {
    let _ = writeln!(o, "## Warnings ({})\n", report.warnings.len());
    if report.warnings.is_empty() {
        o.push_str("The validator reported no warnings.\n\n");
    } else {
        for w in &report.warnings {
            let field = if w.field.is_empty() {
                String::new()
            } else {
                format!(" `{}`", w.field.replace('`', "'"))
            };
            let _ = write!(
                o,
                "- {} `{}` at {}{}: {}",
                w.severity,
                w.code.replace('`', "'"),
                md(&w.location),
                field,
                md(&w.message)
            );
            if let Some(h) = &w.hint {
                let _ = write!(o, " Hint: {}", md(h));
            }
            o.push('\n');
        }
        o.push('\n');
    }

    if !report.notes.is_empty() {
        o.push_str("## Notes\n\n");
        for n in &report.notes {
            let _ = writeln!(o, "- {}", md_start(n));
        }
        o.push('\n');
    }
}

/// The parameter table.
fn parameters(o: &mut String, report: &PlanReport) {
    o.push_str("## Parameters\n\n");
    if report.params.is_empty() {
        o.push_str("The bundle has no parameters.\n\n");
    } else {
        o.push_str("| Name | Type | Value | Recipes |\n|---|---|---|---|\n");
        for p in &report.params {
            let mut ty = p.ty.to_string();
            if p.secret {
                ty.push_str(", secret");
            }
            if p.required {
                ty.push_str(", required");
            }
            let value = match &p.value {
                Some(v) => format!("{} ({})", md(v), p.source),
                None => "open: given at run time".into(),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                cell(&p.name),
                ty,
                value,
                cell(&p.recipes.join(", "))
            );
        }
        o.push('\n');
    }
}

/// Which params are secret and which files hold a secret value.
fn secrets(o: &mut String, report: &PlanReport, files: &[FileRow]) {
    o.push_str("## Secrets\n\n");
    let secret_params: Vec<&str> = report
        .params
        .iter()
        .filter(|p| p.secret)
        .map(|p| p.name.as_str())
        .collect();
    if secret_params.is_empty() {
        o.push_str("No parameter is secret.\n");
    } else {
        let _ = writeln!(
            o,
            "Secret parameters: {}. Their values never appear in this report, the manifest, logs or terminal output.",
            md(&secret_params.join(", "))
        );
    }
    let holders: Vec<&FileRow> = files.iter().filter(|f| f.holds_secret).collect();
    if holders.is_empty() {
        o.push_str("No file of this bundle holds a secret value: secrets are given at run time (as a SecureString).\n\n");
    } else {
        o.push_str("These files hold a secret value (built with `--allow-embedded-secrets`); store and distribute them like the secret itself:\n\n");
        for f in holders {
            let _ = writeln!(o, "- `{}`", f.path.replace('`', "'"));
        }
        o.push('\n');
    }
}

/// What the backups hold and what undo cannot restore.
fn undo(o: &mut String) {
    o.push_str("## Undo\n\n");
    o.push_str("Before its first change, each script saves the prior state of everything its recipe touches as JSON in `%ProgramData%\\fixgen\\backup\\<recipe>\\<UTC time>.json` (registry values with their kind, or their absence; service startup type and status; firewall rule presence and settings; VPN connection settings, never the pre-shared key). The folder is restricted to SYSTEM and Administrators, and undo refuses a backup folder or file owned by anyone else. A run that changes nothing writes no backup. At most 10 backup files are kept per recipe: restored ones are deleted first, then un-restored ones except the oldest (the state before the first change).\n\n");
    o.push_str("`scripts/Undo-<recipe>.ps1`, and `Undo-<Bundle>` in the module (all recipes in reverse order, or `-Recipe <id>`), restore per item the oldest backup not yet restored (the state before the first change since the last undo, even after a drift and a second run), then mark the backups used as restored (`<UTC time>-<n>.restored.json`). Both are idempotent (a second run changes nothing), honour `-WhatIf`, log like the other scripts and exit 0 (restored or nothing to do) or 1 (failed).\n\n");
    o.push_str("What undo cannot restore, by step kind:\n\n");
    for limits in crate::model::step_kind_items!(kinds::KIND::UNDO_LIMITS) {
        o.push_str(limits);
    }
    o.push('\n');
}

/// The heading that starts the last section of REVIEW.md, the list of files.
pub(crate) const FILES_HEADING: &str = "## Files\n\n";

/// The last section of REVIEW.md: every file with its size, SHA-256 and signature (also used by
/// `fixgen sign --bundle`, which keeps the rest of a built bundle's REVIEW.md).
pub(crate) fn files_section(files: &[FileRow]) -> String {
    let mut o = String::from(FILES_HEADING);
    let _ = writeln!(
        o,
        "Every file of the bundle except this REVIEW.md, `manifest.json`, `SHA256SUMS` and `SHA256SUMS.p7s` (those list REVIEW.md in turn; `SHA256SUMS` covers every file, and `SHA256SUMS.p7s` signs it when the bundle is signed). {} of {} files carry an Authenticode signature.\n",
        files.iter().filter(|f| f.authenticode).count(),
        files.len()
    );
    o.push_str("| File | Size (bytes) | SHA-256 | Authenticode | Holds a secret |\n|---|---:|---|---|---|\n");
    for f in files {
        let _ = writeln!(
            o,
            "| `{}` | {} | `{}` | {} | {} |",
            f.path.replace('`', "'"),
            f.size,
            f.sha256,
            if f.authenticode { "signed" } else { "no" },
            if f.holds_secret { "yes" } else { "no" }
        );
    }
    o.push('\n');
    o.push_str("Check them with `sha256sum -c SHA256SUMS` (in the bundle folder) or `fixgen verify <folder>`.\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_cannot_inject_html_links_or_structure() {
        assert_eq!(md("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(md("a|b [x](y) *z* `c`"), "a\\|b \\[x\\](y) \\*z\\* \\`c\\`");
        assert_eq!(md("line\nbreak"), "line break");
        assert_eq!(md("1.0.0"), "1.0.0");
        assert_eq!(md_start("1. item"), "1\\. item");
        assert_eq!(md_start("- item"), "\\- item");
        assert_eq!(md("\u{1b}[31m"), "&#x1b;\\[31m");
        assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(
            link("https://e.com/a b)c"),
            "[https://e.com/a b)c](<https://e.com/a%20b%29c>)"
        );
    }
}
