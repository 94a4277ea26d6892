//! Secrets given a value at build time: one finding per fact, grouped.
//! - without `--allow-embedded-secrets`: one error per secret param, naming the recipes that
//!   use it, before anything is rendered (not a warning, a note and an error per recipe);
//! - with it: one warning line naming how many files hold a secret, by folder.

use std::collections::BTreeMap;

use crate::plan::{Binding, Plan};
use crate::review::markdown::FileRow;

/// Secret params given a value, with the recipes declaring them (in run order).
fn given_secrets(plan: &Plan) -> BTreeMap<&str, Vec<&str>> {
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for rp in &plan.recipes {
        for (name, bound) in &rp.params {
            if bound.decl.secret && matches!(bound.binding, Binding::Value(_)) {
                out.entry(name).or_default().push(&rp.recipe.id);
            }
        }
    }
    out
}

/// The errors for secrets given a value without `--allow-embedded-secrets`; empty when none.
/// Only for targets that would carry the value (every one but `reg`).
pub fn refused(plan: &Plan, allow: bool, carries_params: bool) -> Vec<String> {
    if allow || !carries_params {
        return Vec::new();
    }
    given_secrets(plan)
        .into_iter()
        .map(|(name, recipes)| {
            format!(
                "secret param `{name}` was given a value (used by recipes {}); the scripts take it as a [SecureString] parameter at run time, so leave it unset, or pass --allow-embedded-secrets to bake it into the files (Intune needs that)",
                recipes.join(", ")
            )
        })
        .collect()
}

/// One line for the files that hold a secret baked in, grouped by top folder; `None` when none.
pub fn holding_line<'a>(rows: impl IntoIterator<Item = &'a FileRow>) -> Option<String> {
    let mut by_dir: BTreeMap<&str, usize> = BTreeMap::new();
    let mut n = 0;
    for f in rows.into_iter().filter(|f| f.holds_secret) {
        n += 1;
        let dir = f.path.split_once('/').map_or(f.path.as_str(), |(d, _)| d);
        *by_dir.entry(dir).or_default() += 1;
    }
    (n > 0).then(|| {
        let groups = by_dir
            .iter()
            .map(|(d, k)| format!("{d}/ {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "warning: {n} files hold a secret baked in with --allow-embedded-secrets ({groups}; manifest.json marks them holds_secret): protect them like the secret itself"
        )
    })
}
