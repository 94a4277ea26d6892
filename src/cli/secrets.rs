//! Secrets given a value at build time: one finding per fact, grouped.
//! - without `--allow-embedded-secrets`: one error per secret param, naming the recipes that
//!   use it (the validator's `secret-embedded`, located at the `--set`/`--values` entry);
//! - with it: one warning line naming how many files hold a secret, by folder.

use std::collections::BTreeMap;

use crate::review::files::FileRow;

/// One line for the files that hold a secret baked in, grouped by top folder; `None` when none.
pub(crate) fn holding_line<'a>(rows: impl IntoIterator<Item = &'a FileRow>) -> Option<String> {
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
