//! `fixgen plan` for the terminal: a change table an admin can scan, then each recipe's reads,
//! article step and undo, the warnings and the params still open.
//!
//! Recipe text is shown through [`clean`]: control characters (escape sequences could rewrite
//! the terminal) are printed as `\u{..}` instead.

use std::fmt::Write as _;

use super::PlanReport;

/// Text safe for a terminal: every control character (C0, DEL, C1) and bidi control shown as
/// `\u{XX}` ([`crate::term::escape`], the one helper every command uses).
pub(crate) fn clean(s: &str) -> String {
    crate::term::escape(s).into_owned()
}

/// Rows as a left-aligned table with a header, two spaces between columns, no trailing
/// spaces.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>], indent: &str) -> String {
    let cols = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::from(indent);
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                let pad = width[i] - c.chars().count() + 2;
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

/// The whole report as text, ending in a newline. Deterministic.
pub(crate) fn render(r: &PlanReport) -> String {
    let mut o = String::new();
    header(&mut o, r);
    recipes(&mut o, r);
    warnings(&mut o, r);
    params(&mut o, r);
    o
}

/// The bundle (name, title, source, bundle.yaml's hash) and the change table.
fn header(o: &mut String, r: &PlanReport) {
    let b = &r.bundle;
    let _ = writeln!(
        o,
        "Plan for bundle {} {}",
        clean(&b.name),
        clean(&b.version)
    );
    let _ = writeln!(o, "  {}", clean(&b.title));
    if let Some(t) = &b.source_title {
        let _ = write!(o, "  Source: {}", clean(t));
        if let Some(u) = &b.source_url {
            let _ = write!(o, " ({})", clean(u));
        }
        o.push('\n');
    }
    if b.sha256.is_empty() {
        let _ = writeln!(
            o,
            "  no bundle.yaml: an implicit bundle (named after the folder, version 0.0.0, recipes in file-name order)"
        );
    } else {
        let _ = writeln!(o, "  bundle.yaml SHA-256: {}", b.sha256);
    }
    let _ = writeln!(
        o,
        "  This command changes nothing. Run a script with -WhatIf on a test machine to see what it would change there."
    );
    o.push('\n');

    let _ = writeln!(
        o,
        "Changes ({} recipe(s), {} setting(s)):",
        r.recipes.len(),
        r.changes.len()
    );
    let rows: Vec<Vec<String>> = r
        .changes
        .iter()
        .map(|c| {
            vec![
                clean(&c.recipe),
                clean(&c.target),
                clean(&c.setting),
                clean(&c.value_and_condition()),
                c.context.to_string(),
                c.reboot.to_string(),
            ]
        })
        .collect();
    o.push_str(&table(
        &[
            "RECIPE",
            "TARGET",
            "SETTING",
            "NEW VALUE",
            "CONTEXT",
            "REBOOT",
        ],
        &rows,
        "  ",
    ));
    o.push('\n');
}

/// Each recipe in run order: what it reads, its undo, its open params.
fn recipes(o: &mut String, r: &PlanReport) {
    let _ = writeln!(o, "Recipes (in run order):");
    for (i, rec) in r.recipes.iter().enumerate() {
        let _ = writeln!(o, "  {}. {}: {}", i + 1, clean(&rec.id), clean(&rec.title));
        if let Some(s) = &rec.source_step {
            let _ = writeln!(o, "     implements: {}", clean(s));
        }
        let mut ctx = format!("context {}, reboot {}", rec.context, rec.reboot);
        if rec.context == "user" {
            ctx.push_str(
                " (USER CONTEXT: runs as the signed-in user, changes only that user's settings)",
            );
        }
        let _ = writeln!(o, "     {ctx}");
        let _ = writeln!(
            o,
            "     source: {} (SHA-256 {})",
            clean(&rec.source),
            rec.source_sha256
        );
        let _ = writeln!(o, "     reads:");
        for rd in &rec.reads {
            let _ = writeln!(o, "       - {}", clean(rd));
        }
        let _ = writeln!(o, "     undo: {}", clean(&rec.undo));
        if !rec.open_params.is_empty() {
            let _ = writeln!(
                o,
                "     open params: {}",
                clean(&rec.open_params.join(", "))
            );
        }
    }
    o.push('\n');
}

/// The validator's warnings and the notes.
fn warnings(o: &mut String, r: &PlanReport) {
    let _ = writeln!(o, "Warnings ({}):", r.warnings.len());
    if r.warnings.is_empty() {
        let _ = writeln!(o, "  none");
    }
    for w in &r.warnings {
        let field = if w.field.is_empty() {
            String::new()
        } else {
            format!(" [{}]", clean(&w.field))
        };
        let _ = writeln!(
            o,
            "  {}: {}{}: {} ({})",
            w.severity,
            clean(&w.location),
            field,
            clean(&w.message),
            clean(&w.code)
        );
        if let Some(h) = &w.hint {
            let _ = writeln!(o, "    hint: {}", clean(h));
        }
    }
    o.push('\n');

    if !r.notes.is_empty() {
        let _ = writeln!(o, "Notes:");
        for n in &r.notes {
            let _ = writeln!(o, "  - {}", clean(n));
        }
        o.push('\n');
    }
}

/// The params, and which are open.
fn params(o: &mut String, r: &PlanReport) {
    let _ = writeln!(o, "Params:");
    if r.params.is_empty() {
        let _ = writeln!(o, "  none");
    } else {
        let rows: Vec<Vec<String>> = r
            .params
            .iter()
            .map(|p| {
                let mut ty = p.ty.to_string();
                if p.secret {
                    ty.push_str(", secret");
                }
                if p.required {
                    ty.push_str(", required");
                }
                let value = match (&p.value, p.source) {
                    (Some(v), s) => format!("{} ({s})", clean(v)),
                    (None, _) => "open: given at run time".to_string(),
                };
                vec![clean(&p.name), ty, value, clean(&p.recipes.join(", "))]
            })
            .collect();
        o.push_str(&table(&["NAME", "TYPE", "VALUE", "RECIPES"], &rows, "  "));
    }
    if r.open_params.is_empty() {
        let _ = writeln!(o, "Open params: none");
    } else {
        let _ = writeln!(
            o,
            "Open params: {} (scripts take them as parameters at run time; give a value at build time with --set NAME=VALUE or --values FILE)",
            clean(&r.open_params.join(", "))
        );
    }
}
