//! Resource limits on input, in one place. Each one turns hostile or mistaken input (a huge
//! file, a billion-laughs YAML, a recipe with a million steps) into a clear, located error
//! instead of unbounded memory or time. The README's "Limits" section lists them; tests in
//! `tests/limits.rs` exercise each one through the binary.
//!
//! Syntax rules that happen to have a length (kebab ids up to 64 characters, registry key names
//! up to 255, hostnames up to 253, ...) are validation rules and live with the validator
//! (`validate::names`, `registry`); this module holds the limits that exist to bound work.

use serde_norway::Value;

use crate::diag::Diagnostic;
use crate::load::yaml::{join_index, join_key, SpanIndex};

/// Largest recipe, bundle or `--values` file accepted, in bytes (1 MiB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Largest `.reg` file `fixgen check` reads (64 MiB; a full HKLM export is a few hundred MB,
/// and nobody reviews that).
pub const MAX_REG_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Deepest nesting of YAML sequences and mappings accepted.
pub const MAX_DEPTH: usize = 64;
/// Most YAML aliases (`*name`) accepted in one file.
pub const MAX_ALIASES: usize = 256;
/// Most YAML nodes accepted in one file after alias expansion (billion-laughs guard).
pub const MAX_NODES: usize = 200_000;
/// Most characters in any one text value (or map key) of a recipe or bundle file. 32,767 is
/// also the longest Windows command line, so no longer value could be passed to a script.
pub const MAX_TEXT_CHARS: usize = 32_767;
/// Most characters in a recipe title (one line in the review, logs and Intune's list).
pub const MAX_TITLE_CHARS: usize = 200;
/// Most steps in one recipe.
pub const MAX_STEPS: usize = 256;
/// Most recipes in one bundle (files given in one run).
pub const MAX_RECIPES: usize = 1000;

/// Walk a parsed document and report text values longer than [`MAX_TEXT_CHARS`], a title
/// longer than [`MAX_TITLE_CHARS`] and more than [`MAX_STEPS`] steps, located through `index`.
/// `recipe` is false for bundle.yaml (which has no title limit and no steps).
pub fn check_document(
    value: &Value,
    index: &SpanIndex,
    file: &str,
    recipe: bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let at = |code: &str, path: &str, msg: String, hint: &str| {
        let p = index.value_pos(path);
        Diagnostic::error(code, file, msg)
            .at(p.line, p.column)
            .with_field(path.to_string())
            .with_hint(hint.to_string())
    };
    // Iterative walk: the YAML reader already bounds depth, but stay independent of it.
    let mut stack: Vec<(String, &Value)> = vec![(String::new(), value)];
    while let Some((path, v)) = stack.pop() {
        match v {
            Value::String(s) => {
                let n = s.chars().count();
                if n > MAX_TEXT_CHARS {
                    out.push(at(
                        "text-too-long",
                        &path,
                        format!("the text is {n} characters long; the limit is {MAX_TEXT_CHARS}"),
                        "shorten the text; longer values cannot be passed to a Windows program",
                    ));
                }
            }
            Value::Sequence(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((join_index(&path, i), item));
                }
            }
            Value::Mapping(m) => {
                for (k, item) in m.iter() {
                    let key = match k {
                        Value::String(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    let n = key.chars().count();
                    if n > MAX_TEXT_CHARS {
                        // Do not echo the key itself: it is huge.
                        out.push(at(
                            "text-too-long",
                            &path,
                            format!("a key is {n} characters long; the limit is {MAX_TEXT_CHARS}"),
                            "keys are field or parameter names and are short",
                        ));
                        continue;
                    }
                    stack.push((join_key(&path, &key), item));
                }
            }
            Value::Tagged(t) => stack.push((path, &t.value)),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    if recipe {
        if let Value::Mapping(m) = value {
            if let Some(Value::String(t)) = m.get("title") {
                let n = t.chars().count();
                if n > MAX_TITLE_CHARS && n <= MAX_TEXT_CHARS {
                    out.push(at(
                        "title-too-long",
                        "title",
                        format!("the title is {n} characters long; the limit is {MAX_TITLE_CHARS}"),
                        "keep the title to one short line; put detail in `summary`",
                    ));
                }
            }
            if let Some(Value::Sequence(steps)) = m.get("steps") {
                if steps.len() > MAX_STEPS {
                    out.push(at(
                        "too-many-steps",
                        "steps",
                        format!(
                            "the recipe has {} steps; the limit is {MAX_STEPS}",
                            steps.len()
                        ),
                        "split the fix into several recipes of one bundle",
                    ));
                }
            }
        }
    }
    out
}

/// The error for a run with more than [`MAX_RECIPES`] recipe files, located at the bundle's
/// manifest (or at the first recipe of an implicit bundle).
pub fn too_many_recipes(file: &str, count: usize) -> Diagnostic {
    Diagnostic::error(
        "too-many-recipes",
        file,
        format!("the bundle has {count} recipes; the limit is {MAX_RECIPES}"),
    )
    .at(1, 1)
    .with_hint("split the recipes into several bundles")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diags(text: &str) -> Vec<Diagnostic> {
        let doc = crate::load::yaml::read(text);
        let v = doc.value.expect("parses");
        check_document(&v, &doc.index, "x.yaml", true)
    }

    #[test]
    fn long_text_is_located() {
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        let d = diags(&format!(
            "id: x\nsummary: ok\nsteps:\n  - registry:\n      name: {long}\n"
        ));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, "text-too-long");
        assert_eq!(d[0].field, "steps[0].registry.name");
        assert_eq!((d[0].line, d[0].column), (5, 13));
    }

    #[test]
    fn at_the_limit_is_fine() {
        let ok = "a".repeat(MAX_TEXT_CHARS);
        let title = "t".repeat(MAX_TITLE_CHARS);
        assert!(diags(&format!("title: {title}\nsummary: {ok}\n")).is_empty());
        let d = diags(&format!("title: {title}x\n"));
        assert_eq!(d[0].code, "title-too-long");
    }

    #[test]
    fn steps_are_counted() {
        let mut t = String::from("steps:\n");
        for _ in 0..=MAX_STEPS {
            t.push_str("  - windows_update: { action: scan }\n");
        }
        let d = diags(&t);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "too-many-steps");
        assert_eq!((d[0].line, d[0].column), (2, 3));
    }
}
