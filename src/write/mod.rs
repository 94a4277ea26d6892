//! Bundle writer: all files into a staging folder beside the output folder, then renamed into
//! place. A failed build writes nothing at `--out` and leaves an existing folder untouched.
//!
//! An existing output folder is replaced only when it is empty or was written by fixgen (it
//! holds the marker file [`MARKER`]), so `--out` pointing at a folder full of other files is an
//! error instead of a deletion.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::render::Artifacts;

pub mod sync;

/// Marker file written at the root of every bundle folder.
pub const MARKER: &str = ".fixgen-bundle";
/// Content of the marker file (`fixgen verify` accepts the marker only with exactly this text).
pub const MARKER_TEXT: &str =
    "This folder was written by fixgen. `fixgen build` replaces it as a whole; do not keep other files here.\r\n";

#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for WriteError {}

fn werr(path: &Path, message: impl Into<String>) -> WriteError {
    WriteError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Check that a renderer path is relative, uses `/`, and has no `.`/`..` segments.
fn relative_path(p: &str) -> Option<PathBuf> {
    if p.is_empty() || p.contains('\\') || p.starts_with('/') {
        return None;
    }
    let mut out = PathBuf::new();
    for seg in p.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." || seg.contains(':') {
            return None;
        }
        out.push(seg);
    }
    if out.components().all(|c| matches!(c, Component::Normal(_))) {
        Some(out)
    } else {
        None
    }
}

fn write_tree(root: &Path, artifacts: &Artifacts) -> Result<usize, WriteError> {
    fs::create_dir(root).map_err(|e| werr(root, format!("cannot create: {e}")))?;
    let mut n = 0;
    let mut written = Vec::with_capacity(artifacts.files.len());
    for (name, file) in &artifacts.files {
        let rel = relative_path(name)
            .ok_or_else(|| werr(Path::new(name), "internal error: not a safe relative path"))?;
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| werr(dir, format!("cannot create: {e}")))?;
        }
        let mut f =
            fs::File::create(&path).map_err(|e| werr(&path, format!("cannot create: {e}")))?;
        f.write_all(&file.bytes)
            .map_err(|e| werr(&path, format!("cannot write: {e}")))?;
        written.push(path);
        n += 1;
    }
    // Flushed together, before the rename that publishes them (see `sync`).
    sync::sync_files(&written).map_err(|(p, e)| werr(&p, format!("cannot write: {e}")))?;
    let marker = root.join(MARKER);
    fs::write(&marker, MARKER_TEXT).map_err(|e| werr(&marker, format!("cannot write: {e}")))?;
    Ok(n)
}

fn may_replace(out: &Path) -> Result<bool, WriteError> {
    match fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(werr(out, format!("cannot read: {e}"))),
        Ok(m) if !m.is_dir() => Err(werr(out, "exists and is not a folder")),
        Ok(_) => {
            if out.join(MARKER).is_file() {
                return Ok(true);
            }
            let mut entries =
                fs::read_dir(out).map_err(|e| werr(out, format!("cannot read: {e}")))?;
            if entries.next().is_none() {
                Ok(true)
            } else {
                Err(werr(
                    out,
                    format!(
                        "exists, is not empty and was not written by fixgen (no {MARKER}); choose another --out or empty it first"
                    ),
                ))
            }
        }
    }
}

/// Write `artifacts` as the folder `out`, atomically: staging folder, then rename.
/// Returns the number of files written (without the marker).
pub fn write_bundle(out: &Path, artifacts: &Artifacts) -> Result<usize, WriteError> {
    let name = out
        .file_name()
        .ok_or_else(|| werr(out, "the output folder needs a name (not `/` or `..`)"))?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let replace = may_replace(out)?;
    fs::create_dir_all(&parent).map_err(|e| werr(&parent, format!("cannot create: {e}")))?;
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.fixgen-staging-{pid}"));
    let old = parent.join(format!(".{name}.fixgen-old-{pid}"));
    for p in [&staging, &old] {
        if p.exists() {
            fs::remove_dir_all(p).map_err(|e| werr(p, format!("cannot remove leftover: {e}")))?;
        }
    }
    let n = match write_tree(&staging, artifacts) {
        Ok(n) => n,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if replace {
        if let Err(e) = fs::rename(out, &old) {
            let _ = fs::remove_dir_all(&staging);
            return Err(werr(out, format!("cannot move the old folder aside: {e}")));
        }
    }
    if let Err(e) = fs::rename(&staging, out) {
        if replace {
            let _ = fs::rename(&old, out);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(werr(
            out,
            format!("cannot move the new folder into place: {e}"),
        ));
    }
    if replace {
        fs::remove_dir_all(&old).map_err(|e| {
            werr(
                &old,
                format!("new bundle written; cannot remove the old one: {e}"),
            )
        })?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::render::{Artifacts, OutputFile};

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failed_write_leaves_the_old_folder_and_no_staging() {
        let tmp = std::env::temp_dir().join(format!("fixgen-write-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).unwrap();
        let out = tmp.join("dist");
        let mut good = Artifacts::default();
        good.add(OutputFile::new("scripts/a.ps1", b"old".to_vec()));
        assert_eq!(write_bundle(&out, &good).unwrap(), 1);
        let mut bad = Artifacts::default();
        bad.add(OutputFile::new("scripts/a.ps1", b"new".to_vec()));
        bad.add(OutputFile::new("../escape.ps1", b"x".to_vec()));
        assert!(write_bundle(&out, &bad).is_err());
        assert_eq!(fs::read(out.join("scripts/a.ps1")).unwrap(), b"old");
        assert_eq!(listing(&tmp), vec!["dist".to_string()]);
        // A good rebuild replaces the folder as a whole.
        let mut next = Artifacts::default();
        next.add(OutputFile::new("module/m.psm1", b"m".to_vec()));
        write_bundle(&out, &next).unwrap();
        assert_eq!(
            listing(&out),
            vec![MARKER.to_string(), "module".to_string()]
        );
        assert_eq!(listing(&tmp), vec!["dist".to_string()]);
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn rejects_unsafe_paths() {
        assert!(relative_path("scripts/a.ps1").is_some());
        for bad in ["", "/a", "a/../b", "a//b", "a\\b", "./a", "C:/x"] {
            assert!(relative_path(bad).is_none(), "{bad}");
        }
    }
}
