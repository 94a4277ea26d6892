//! `--set`/`--values` names that no recipe of the bundle declares: an error (a value meant for
//! a param that does not exist is a mistake, most often a typo), with the nearest declared name
//! suggested; `--allow-unknown-values` turns it into a warning and the value is ignored.

use std::path::Path;

use crate::load::Bundle;
use crate::plan::ParamValues;
use crate::term::errln;

/// The declared param closest to `name` (a typo, a different case), if one is close enough.
pub(crate) fn nearest<'a>(
    name: &str,
    declared: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    declared
        .into_iter()
        .map(|d| {
            let dist = strsim::damerau_levenshtein(&lower, &d.to_ascii_lowercase());
            (dist, d)
        })
        .filter(|(dist, d)| *dist <= (d.len().max(name.len()) / 3).max(1))
        .min()
        .map(|(_, d)| d)
}

/// Where a value came from, for the message: `--set NAME=...` or `FILE:LINE`.
fn origin(name: &str, set: &[String], values_file: Option<&Path>) -> String {
    if set
        .iter()
        .any(|s| s.split_once('=').is_some_and(|(k, _)| k == name))
    {
        return format!("--set {name}=...");
    }
    let Some(file) = values_file else {
        return format!("`{name}`");
    };
    // The line of the key (a --values file is a flat map: `Name: value`).
    let line = std::fs::read_to_string(file).ok().and_then(|t| {
        t.lines().position(|l| {
            let l = l.trim_start_matches(['"', '\'']);
            l.strip_prefix(name).is_some_and(|r| {
                r.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':')
            })
        })
    });
    match line {
        Some(n) => format!("{}:{}: `{name}`", file.display(), n + 1),
        None => format!("{}: `{name}`", file.display()),
    }
}

/// Report every value no recipe declares. `Err` (nothing may be built) unless `allow`.
pub(crate) fn check_undeclared(
    bundle: &Bundle,
    values: &ParamValues,
    set: &[String],
    values_file: Option<&Path>,
    allow: bool,
) -> Result<(), usize> {
    let unknown = crate::plan::undeclared_values(bundle, values);
    if unknown.is_empty() {
        return Ok(());
    }
    report_undeclared(bundle, &unknown, set, values_file, allow);
    if allow {
        Ok(())
    } else {
        Err(unknown.len())
    }
}

/// Print one line per value (`unknown`) that no recipe of `bundle` declares, with the nearest
/// declared name; unless `allow`, how to ignore them.
pub(crate) fn report_undeclared(
    bundle: &Bundle,
    unknown: &[&str],
    set: &[String],
    values_file: Option<&Path>,
    allow: bool,
) {
    let declared: std::collections::BTreeSet<&str> = bundle
        .recipes
        .iter()
        .flat_map(|r| r.recipe.params.keys().map(String::as_str))
        .collect();
    let level = if allow { "warning" } else { "error" };
    for k in unknown {
        let hint = match nearest(k, declared.iter().copied()) {
            Some(d) => format!("; did you mean `{d}`?"),
            None if declared.is_empty() => "; it declares no params".to_string(),
            None => format!(
                "; its params are {}",
                declared
                    .iter()
                    .map(|d| format!("`{d}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let tail = if allow { " (value ignored)" } else { "" };
        errln!(
            "{level}: {}: no recipe of bundle `{}` declares this param{hint}{tail}",
            origin(k, set, values_file),
            bundle.manifest.name
        );
    }
    if !allow {
        errln!(
            "  (pass --allow-unknown-values to ignore values that no recipe declares, e.g. one values file for several bundles)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn suggests_the_nearest_declared_name() {
        let d = ["ConnectionName", "ServerAddress", "PreSharedKey"];
        assert_eq!(nearest("ConectionName", d), Some("ConnectionName"));
        assert_eq!(nearest("serveraddress", d), Some("ServerAddress"));
        assert_eq!(nearest("Psk", d), None);
    }
}
