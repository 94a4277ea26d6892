//! `fixgen build --check --out DIR`: compare a fresh build with a bundle folder.
//!
//! Every regular file under DIR is compared with the fresh build by size and SHA-256 (the build
//! keeps only each file's row, not its bytes, so a bundle of any size is checked in bounded
//! memory). The writer's
//! `.fixgen-bundle` marker must be present but its text is not compared (it carries no
//! content of the bundle). A file only in DIR is *added*, a file only in the
//! build is *removed* (missing from DIR), a file in both with other bytes is *changed*.
//! Symlinks and other special files in DIR count as added (a bundle never has them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::files::FileRow;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Drift {
    /// In DIR but not in a fresh build.
    pub added: Vec<String>,
    /// In a fresh build but missing from DIR.
    pub removed: Vec<String>,
    /// In both, with different bytes.
    pub changed: Vec<String>,
    /// Files compared and found identical.
    pub unchanged: usize,
}

impl Drift {
    pub(crate) fn is_clean(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Every entry under `dir` that is not a folder, by `/`-separated relative path; `true` for
/// regular files.
fn walk(dir: &Path) -> Result<BTreeMap<String, bool>, DriftError> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<(PathBuf, String)> = vec![(dir.to_path_buf(), String::new())];
    while let Some((abs, rel)) = stack.pop() {
        let rd = std::fs::read_dir(&abs)
            .map_err(|e| DriftError::Unreadable(format!("{}: cannot read: {e}", abs.display())))?;
        for entry in rd {
            let entry = entry.map_err(|e| {
                DriftError::Unreadable(format!("{}: cannot read: {e}", abs.display()))
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let ft = entry.file_type().map_err(|e| {
                DriftError::Unreadable(format!("{}: cannot read: {e}", entry.path().display()))
            })?;
            if ft.is_dir() {
                stack.push((entry.path(), r));
            } else {
                out.insert(r, ft.is_file());
            }
        }
    }
    Ok(out)
}

/// Why `--check` could not compare: the review stage's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DriftError {
    /// The folder (or a file in it) cannot be read; the text names it and says why.
    #[error("{0}")]
    Unreadable(String),
}

/// Compare `expected` (a fresh build) with the folder `dir`; `presence_only` names files that
/// must exist but whose bytes are not compared (the writer's marker). An error means DIR could
/// not be read (exit code 2).
pub(crate) fn compare(
    dir: &Path,
    expected: &BTreeMap<String, FileRow>,
    presence_only: &[&str],
) -> Result<Drift, DriftError> {
    let meta = std::fs::metadata(dir)
        .map_err(|e| DriftError::Unreadable(format!("{}: {e}", dir.display())))?;
    if !meta.is_dir() {
        return Err(DriftError::Unreadable(format!(
            "{}: not a folder",
            dir.display()
        )));
    }
    let mut want: BTreeMap<&str, Option<&FileRow>> = expected
        .values()
        .map(|f| (f.path.as_str(), Some(f)))
        .collect();
    for p in presence_only {
        want.insert(p, None);
    }
    let present = walk(dir)?;
    let mut d = Drift::default();
    for (path, regular) in &present {
        match want.get(path.as_str()) {
            None => d.added.push(path.clone()),
            Some(_) if !regular => d.changed.push(path.clone()),
            Some(None) => d.unchanged += 1,
            Some(Some(row)) => {
                if same_file(&dir.join(path), row).map_err(|e| {
                    DriftError::Unreadable(format!(
                        "{}: cannot read: {e}",
                        dir.join(path).display()
                    ))
                })? {
                    d.unchanged += 1;
                } else {
                    d.changed.push(path.clone());
                }
            }
        }
    }
    for path in want.keys() {
        if !present.contains_key(*path) {
            d.removed.push(path.to_string());
        }
    }
    Ok(d)
}

/// True when the file at `p` has the size and SHA-256 of `row` (read in pieces; a file of
/// another size is not read).
fn same_file(p: &Path, row: &FileRow) -> std::io::Result<bool> {
    use sha2::{Digest, Sha256};
    // A FIFO or device in the folder is a difference, not a read that never ends.
    let mut f = match crate::load::open_regular(p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => return Ok(false),
        Err(e) => return Err(e),
    };
    if f.metadata()?.len() != row.size as u64 {
        return Ok(false);
    }
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()) == row.sha256)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Artifacts, OutputFile};
    use sha2::Digest;

    #[test]
    fn finds_added_removed_and_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("s")).unwrap();
        std::fs::write(dir.path().join("s/a.ps1"), b"same").unwrap();
        std::fs::write(dir.path().join("s/b.ps1"), b"old").unwrap();
        std::fs::write(dir.path().join("extra.txt"), b"x").unwrap();
        let mut a = Artifacts::default();
        a.add(OutputFile::new("s/a.ps1", b"same".to_vec()));
        a.add(OutputFile::new("s/b.ps1", b"new".to_vec()));
        a.add(OutputFile::new("s/c.ps1", b"c".to_vec()));
        std::fs::write(dir.path().join(".marker"), b"any text").unwrap();
        let rows = a
            .files
            .values()
            .map(|f| {
                let row = FileRow {
                    path: f.path.clone(),
                    size: f.bytes.len(),
                    sha256: hex::encode(sha2::Sha256::digest(&f.bytes)),
                    authenticode: false,
                    holds_secret: false,
                    blocks: Vec::new(),
                };
                (f.path.clone(), row)
            })
            .collect();
        let d = compare(dir.path(), &rows, &[".marker", ".gone"]).unwrap();
        assert_eq!(d.added, vec!["extra.txt"]);
        assert_eq!(d.removed, vec![".gone", "s/c.ps1"]);
        assert_eq!(d.changed, vec!["s/b.ps1"]);
        assert_eq!(d.unchanged, 2);
        assert!(!d.is_clean());
    }
}
