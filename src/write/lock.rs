//! The names of a build's staging and old folders beside `--out`, the lock that keeps two
//! builds of one `--out` apart, and recovery from a build that was killed half-way.

use super::*;

/// Names of the working folders beside `out`.
pub(super) struct Names {
    pub(super) out: PathBuf,
    pub(super) parent: PathBuf,
    /// `.NAME.fixgen-`
    pub(super) prefix: String,
    pub(super) pid: u32,
}

impl Names {
    pub(super) fn new(out: &Path) -> Result<Names, WriteError> {
        let name = match out.components().next_back() {
            Some(Component::Normal(n)) => n.to_string_lossy().into_owned(),
            _ => {
                return Err(werr(
                    out,
                    "the output folder needs a name (not `/`, `.` or `..`)",
                ))
            }
        };
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Ok(Names {
            out: out.to_path_buf(),
            parent,
            prefix: format!(".{name}.fixgen-"),
            pid: std::process::id(),
        })
    }

    pub(super) fn path(&self, kind: &str) -> PathBuf {
        self.parent
            .join(format!("{}{kind}-{}", self.prefix, self.pid))
    }

    pub(super) fn lock(&self) -> PathBuf {
        self.parent.join(format!("{}lock", self.prefix))
    }
}

/// The lock held while writing; removed when dropped.
pub(super) struct Lock {
    pub(super) path: PathBuf,
    pub(super) file: fs::File,
}

impl Lock {
    pub(super) fn acquire(path: PathBuf, out: &Path) -> Result<Lock, WriteError> {
        for _ in 0..3 {
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| werr(&path, format!("cannot create the lock file: {e}")))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(werr(
                        out,
                        format!(
                            "another fixgen build is writing this folder right now (it holds {}); wait for it to finish",
                            path.display()
                        ),
                    ))
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(werr(&path, format!("cannot lock: {e}")))
                }
            }
            // The previous holder removes the file after unlocking: make sure we locked the
            // file that is at `path` now, not one that was just removed.
            if same_file(&file, &path) {
                return Ok(Lock { path, file });
            }
        }
        Err(werr(&path, "cannot lock: the lock file keeps changing"))
    }
}

#[cfg(unix)]
pub(super) fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
pub(super) fn same_file(_file: &fs::File, path: &Path) -> bool {
    // Windows does not let an open file be deleted by another process unless it opted in,
    // which std does not do for the lock file; existence is enough.
    path.exists()
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Clean up after an interrupted earlier build to the same folder (see the module docs).
pub(super) fn recover(names: &Names, notes: &mut Vec<String>) -> Result<(), WriteError> {
    let rd = match fs::read_dir(&names.parent) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(werr(&names.parent, format!("cannot read: {e}"))),
    };
    let mut olds = Vec::new();
    let mut junk = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| werr(&names.parent, format!("cannot read: {e}")))?;
        let file_name = entry.file_name();
        let Some(rest) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(names.prefix.as_str()))
        else {
            continue;
        };
        let kind = rest.split('-').next().unwrap_or("");
        let has_pid = rest
            .split_once('-')
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if !has_pid {
            continue;
        }
        match kind {
            "old" => olds.push(entry.path()),
            "staging" | "trash" => junk.push(entry.path()),
            _ => {}
        }
    }
    olds.sort();
    junk.sort();
    let out_missing = matches!(
        fs::symlink_metadata(&names.out),
        Err(ref e) if e.kind() == std::io::ErrorKind::NotFound
    );
    if out_missing {
        if let Some(old) = olds.pop() {
            fs::rename(&old, &names.out).map_err(|e| {
                werr(
                    &old,
                    format!("cannot restore the previous bundle left by an interrupted build: {e}"),
                )
            })?;
            fault::step("restore the previous bundle");
            notes.push(format!(
                "restored the previous bundle from {} (an earlier build was interrupted while swapping folders)",
                old.display()
            ));
        }
    }
    for p in olds.iter().chain(junk.iter()) {
        remove_folder(p).map_err(|e| {
            werr(
                p,
                format!("cannot remove a leftover of an interrupted build: {e}; remove it by hand"),
            )
        })?;
        fault::step("remove a leftover");
        notes.push(format!(
            "removed {} left by an interrupted build",
            p.display()
        ));
    }
    Ok(())
}

pub(super) fn remove_folder(p: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}
