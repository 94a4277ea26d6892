//! Bundle writer: all files into a staging folder beside the output folder, then renamed into
//! place. A failed or killed build writes nothing at `--out` and leaves an existing bundle
//! untouched; an existing bundle is replaced only by a complete new one.
//!
//! Names used beside `--out DIR` (in DIR's parent folder, all hidden):
//! - `.DIR.fixgen-lock`: held (OS file lock) while a build writes DIR; a second build to the same
//!   DIR at the same time is refused. Removed at the end.
//! - `.DIR.fixgen-staging-PID`: the new bundle while it is written. Only ever incomplete.
//! - `.DIR.fixgen-old-PID`: the previous bundle while it is swapped out. Always complete.
//! - `.DIR.fixgen-trash-PID`: an old bundle being deleted. Never complete.
//!
//! The swap is: write and fsync staging; exchange staging and DIR in one atomic step (Linux
//! `renameat2(RENAME_EXCHANGE)`), so DIR holds the old bundle and then the new one with no moment
//! in between; rename the old bundle (now at the staging name) to trash; delete trash. A build
//! killed at any point leaves the previous bundle or the new one at DIR (checked for a stop
//! after every file-system step by `tests/write_faults.rs`, through [`fault`]).
//! Where the exchange is not available (other systems, file systems without it), the fallback is
//! rename DIR -> old; rename staging -> DIR; rename old -> trash; delete trash: killed between
//! the two renames, the previous bundle is complete in `old`. The next build to the same DIR
//! recovers before writing: it deletes staging and trash leftovers, moves a leftover `old` back
//! to DIR when DIR is missing (else deletes it), and says so on stderr.
//!
//! An existing output folder is replaced only when it is empty or is a fixgen bundle (it holds
//! the marker file [`MARKER`] or a fixgen `manifest.json`), so `--out` pointing at a folder of
//! other files is an error unless `--force` is given.

use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::render::{Artifacts, OutputFile};

mod lock;
pub(crate) mod sync;

use lock::{recover, remove_folder, Lock, Names};

pub(crate) use crate::sign::manifest::{MARKER, MARKER_TEXT};
/// The manifest written by the sign/manifest stage; it also marks a folder as a bundle.
const MANIFEST: &str = "manifest.json";
/// A manifest.json larger than this is not read to recognise a bundle.
const MAX_MANIFEST_PROBE: u64 = 64 * 1024 * 1024;

/// Why writing stopped: the write stage's error (the folder, the file and what failed).
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub message: String,
}

fn werr(path: &Path, message: impl Into<String>) -> WriteError {
    WriteError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// How to write.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WriteOptions {
    /// Replace a non-empty folder that is not a fixgen bundle (its files are deleted).
    pub force: bool,
}

/// What a successful write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files written (without the marker).
    pub files: usize,
    /// Leftovers of an interrupted earlier build that were cleaned up or restored, and cleanup
    /// that failed after the new bundle was in place: one line each, for stderr.
    pub notes: Vec<String>,
}

/// Test-only fault injection: a simulated crash after the N-th file-system step of a build's
/// writer (`tests/write_faults.rs` checks that the old or the new bundle is complete at `--out`
/// after a stop at every step).
///
/// Only in debug builds (`cfg(debug_assertions)`, what `cargo test` runs): when the environment
/// variable `FIXGEN_FAULT_AFTER_FS_STEP` is a number N, the process prints the step to stderr and
/// ends at once with exit code [`fault::EXIT_CODE`] after the N-th step, without running any
/// clean-up (as a kill would). A release build has no such code: [`fault::step`] is empty.
pub(crate) mod fault {
    /// Exit code of a simulated crash.
    pub const EXIT_CODE: i32 = 86;
    /// The environment variable (read in debug builds only).
    pub const ENV: &str = "FIXGEN_FAULT_AFTER_FS_STEP";

    /// Mark that a file-system step (`what`) has just been done.
    #[cfg(debug_assertions)]
    pub(crate) fn step(what: &str) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::OnceLock;
        static LIMIT: OnceLock<Option<usize>> = OnceLock::new();
        static DONE: AtomicUsize = AtomicUsize::new(0);
        let Some(limit) = *LIMIT.get_or_init(|| std::env::var(ENV).ok()?.parse().ok()) else {
            return;
        };
        let n = DONE.fetch_add(1, Ordering::SeqCst) + 1;
        if n == limit {
            crate::term::err(&format!(
                "fault injection: stopped after file-system step {n} ({what})"
            ));
            std::process::exit(EXIT_CODE);
        }
    }

    #[cfg(not(debug_assertions))]
    #[inline(always)]
    pub fn step(_what: &str) {}
}

/// Swap two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`): `a` gets `b`'s content and
/// `b` gets `a`'s, with no moment where either name is missing. `Ok(false)` when the system or
/// the file system cannot do it (the caller falls back to two renames).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let cb = CString::new(b.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: two valid NUL-terminated paths, resolved relative to the current directory.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
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

/// Flush a folder's entries to disk (so a rename after it cannot expose missing files after a
/// power cut). Best effort: not every platform can open a folder.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// True when `dir/manifest.json` is a fixgen manifest (a JSON object with `fixgen_version`).
fn has_fixgen_manifest(dir: &Path) -> bool {
    // A regular file only: a FIFO named manifest.json would block the open forever.
    let Ok(f) = crate::load::open_regular(&dir.join(MANIFEST)) else {
        return false;
    };
    let mut bytes = Vec::new();
    if f.take(MAX_MANIFEST_PROBE).read_to_end(&mut bytes).is_err() {
        return false;
    }
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("fixgen_version").map(|x| x.is_string()))
        .unwrap_or(false)
}

/// True when `dir` was written by fixgen.
pub(crate) fn is_bundle(dir: &Path) -> bool {
    dir.join(MARKER).is_file() || has_fixgen_manifest(dir)
}

/// Whether `out` exists (and so must be swapped out), or an error when it must not be replaced.
fn may_replace(out: &Path, force: bool) -> Result<bool, WriteError> {
    match fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(werr(out, format!("cannot read: {e}"))),
        Ok(m) if m.file_type().is_symlink() => Err(werr(
            out,
            "is a symbolic link; give the real folder as --out (a build replaces the folder, not the link target)",
        )),
        Ok(m) if !m.is_dir() => Err(werr(out, "exists and is not a folder; choose another --out")),
        Ok(_) => {
            if force || is_bundle(out) {
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
                        "exists, is not empty and was not written by fixgen (it is not a fixgen bundle: no {MARKER} \
                         or fixgen {MANIFEST}); \
                         choose another --out, empty it, or pass --force to replace it and delete its files"
                    ),
                ))
            }
        }
    }
}

/// Fail early, before any work, when `out` may not be written (see [`write_bundle_with`]).
pub(crate) fn check_out(out: &Path, force: bool) -> Result<(), WriteError> {
    Names::new(out)?;
    may_replace(out, force).map(|_| ())
}

/// Where finished files go: the staging folder of a build ([`Staging`]), memory
/// ([`Artifacts`], for tests and the library API), or nowhere (`fixgen build --check` keeps only
/// the hashes).
pub trait Sink {
    fn put(&mut self, file: &OutputFile) -> Result<(), WriteError>;

    /// Every file of `files`, in order (a sink may write them in parallel).
    fn put_all(&mut self, files: &[OutputFile]) -> Result<(), WriteError> {
        files.iter().try_for_each(|f| self.put(f))
    }
}

impl Sink for Artifacts {
    fn put(&mut self, file: &OutputFile) -> Result<(), WriteError> {
        if self.files.contains_key(&file.path) {
            return Err(werr(
                Path::new(&file.path),
                "internal error: two renderers wrote the same path",
            ));
        }
        self.add(file.clone());
        Ok(())
    }
}

/// A sink that keeps nothing (the caller keeps what it needs, e.g. the hashes).
#[derive(Debug, Default)]
pub(crate) struct Discard;

impl Sink for Discard {
    fn put(&mut self, _file: &OutputFile) -> Result<(), WriteError> {
        Ok(())
    }
}

/// A bundle being written: files go into a staging folder beside `out` as they are produced
/// (so a build never holds the whole bundle in memory), and [`Staging::commit`] flushes them
/// and renames the folder into place. Dropped without `commit` (an error anywhere in the
/// build), it deletes the staging folder: `out` is untouched. The lock beside `out` is held
/// from [`Staging::begin`] to the end, so two builds to the same folder cannot interleave.
pub(crate) struct Staging {
    root: PathBuf,
    names: Names,
    replace: bool,
    /// Folders created inside `root` (flushed before the rename).
    dirs: Vec<PathBuf>,
    /// Files written, in order (flushed together at commit).
    written: Vec<PathBuf>,
    notes: Vec<String>,
    committed: bool,
    /// Folders above `out` created by [`Staging::begin`], deepest first.
    created: Vec<PathBuf>,
    /// Released in `Drop`, after an uncommitted staging folder is removed.
    lock: Option<Lock>,
}

impl Staging {
    /// Take the lock beside `out`, clean up after an interrupted earlier build, check that
    /// `out` may be replaced, and create an empty staging folder.
    pub(crate) fn begin(out: &Path, opts: WriteOptions) -> Result<Staging, WriteError> {
        let names = Names::new(out)?;
        let mut notes = Vec::new();
        // Folders above `out` that this build creates: removed again (when still empty) if
        // the build fails, so a failed build leaves nothing behind.
        let mut created = Vec::new();
        let mut p = names.parent.as_path();
        while !p.as_os_str().is_empty() && fs::symlink_metadata(p).is_err() {
            created.push(p.to_path_buf());
            match p.parent() {
                Some(up) => p = up,
                None => break,
            }
        }
        let started = (|| {
            fs::create_dir_all(&names.parent)
                .map_err(|e| werr(&names.parent, format!("cannot create: {e}")))?;
            let lock = Lock::acquire(names.lock(), out)?;
            fault::step("lock");
            recover(&names, &mut notes)?;
            let replace = may_replace(out, opts.force)?;
            let root = names.path("staging");
            fs::create_dir(&root).map_err(|e| werr(&root, format!("cannot create: {e}")))?;
            fault::step("create the staging folder");
            Ok((lock, replace, root))
        })();
        let (lock, replace, root) = match started {
            Ok(x) => x,
            Err(e) => {
                remove_empty(&created);
                return Err(e);
            }
        };
        Ok(Staging {
            dirs: vec![root.clone()],
            root,
            names,
            replace,
            written: Vec::new(),
            notes,
            committed: false,
            created,
            lock: Some(lock),
        })
    }

    /// Files written so far.
    pub(crate) fn len(&self) -> usize {
        self.written.len()
    }

    /// Flush every file, add the marker, and swap the staging folder into place (see the
    /// module docs).
    pub(crate) fn commit(mut self) -> Result<WriteReport, WriteError> {
        // Flushed together, before the rename that publishes them (see `sync`).
        sync::sync_files(&self.written).map_err(|(p, e)| werr(&p, format!("cannot write: {e}")))?;
        fault::step("flush the files");
        let marker = self.root.join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(|e| werr(&marker, format!("cannot write: {e}")))?;
        fault::step("write the marker");
        for d in self.dirs.iter().rev() {
            sync_dir(d);
        }
        fault::step("flush the folders");
        let out = self.names.out.clone();
        let (staging, old, trash) = (
            self.root.clone(),
            self.names.path("old"),
            self.names.path("trash"),
        );
        // Preferred: one atomic exchange, so `out` always holds a complete bundle (the old one,
        // then the new one); the old bundle is then at the staging name and is deleted.
        let exchanged = self.replace
            && exchange(&staging, &out)
                .map_err(|e| werr(&out, format!("cannot swap in the new folder: {e}")))?;
        if exchanged {
            fault::step("exchange the folders");
            self.committed = true;
            sync_dir(&self.names.parent);
            fault::step("flush the parent folder");
            let mut report = WriteReport {
                files: self.written.len(),
                notes: std::mem::take(&mut self.notes),
            };
            let gone = fs::rename(&staging, &trash).and_then(|_| {
                fault::step("move the old bundle to trash");
                remove_folder(&trash)
            });
            if let Err(e) = gone {
                report.notes.push(format!(
                    "the new bundle is in place, but the previous one could not be removed ({e}); the next build removes it"
                ));
            }
            fault::step("remove the old bundle");
            return Ok(report);
        }
        // Fallback (no atomic exchange): old aside, new in place. A stop between the two
        // renames leaves the old bundle complete in `old`, which the next build restores.
        if self.replace {
            fs::rename(&out, &old)
                .map_err(|e| werr(&out, format!("cannot move the old folder aside: {e}")))?;
            fault::step("move the old folder aside");
        }
        if let Err(e) = fs::rename(&staging, &out) {
            let restored = !self.replace || fs::rename(&old, &out).is_ok();
            let tail = if restored {
                "the previous folder is unchanged"
            } else {
                "the previous bundle is kept in the folder named above; the next build restores it"
            };
            return Err(werr(
                &out,
                format!(
                    "cannot move the new folder into place: {e}; {tail} ({})",
                    old.display()
                ),
            ));
        }
        fault::step("move the new folder into place");
        self.committed = true;
        sync_dir(&self.names.parent);
        fault::step("flush the parent folder");
        let mut report = WriteReport {
            files: self.written.len(),
            notes: std::mem::take(&mut self.notes),
        };
        if self.replace {
            let gone = fs::rename(&old, &trash).and_then(|_| {
                fault::step("move the old bundle to trash");
                remove_folder(&trash)
            });
            if let Err(e) = gone {
                report.notes.push(format!(
                    "the new bundle is in place, but the previous one could not be removed ({e}); the next build removes it"
                ));
            }
            fault::step("remove the old bundle");
        }
        Ok(report)
    }
}

impl Staging {
    /// The staging path of `file`, its folder created.
    fn prepare(&mut self, file: &OutputFile) -> Result<PathBuf, WriteError> {
        let rel = relative_path(&file.path).ok_or_else(|| {
            werr(
                Path::new(&file.path),
                "internal error: not a safe relative path",
            )
        })?;
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            if !self.dirs.iter().any(|d| d == dir) && !dir.is_dir() {
                fs::create_dir_all(dir).map_err(|e| werr(dir, format!("cannot create: {e}")))?;
                self.dirs.push(dir.to_path_buf());
            }
        }
        Ok(path)
    }
}

/// Create `path` (it must not exist) for writing.
fn create_new(path: &Path) -> Result<fs::File, WriteError> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| werr(path, format!("cannot create: {e}")))
}

/// Create `path` (it must not exist) with `bytes`.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    create_new(path)?
        .write_all(bytes)
        .map_err(|e| werr(path, format!("cannot write: {e}")))
}

impl Sink for Staging {
    fn put(&mut self, file: &OutputFile) -> Result<(), WriteError> {
        let path = self.prepare(file)?;
        write_new(&path, &file.bytes)?;
        self.written.push(path);
        fault::step("write a file");
        Ok(())
    }

    /// Files are created one after another (creating files in one folder from several
    /// threads makes them spin on the folder's lock: on ext4 that tripled a 10,000-recipe
    /// build's system time), then filled from every core (the copy into the page cache is
    /// most of a large build's system time).
    fn put_all(&mut self, files: &[OutputFile]) -> Result<(), WriteError> {
        // A few hundred open files at a time (a target can be thousands of files).
        for chunk in files.chunks(256) {
            let mut jobs = Vec::with_capacity(chunk.len());
            for f in chunk {
                let path = self.prepare(f)?;
                let file = create_new(&path)?;
                fault::step("create a file");
                jobs.push((path, file, f.bytes.as_slice()));
            }
            let results = crate::par::map(&jobs, |(path, file, bytes)| {
                let mut file: &fs::File = file;
                file.write_all(bytes)
                    .map_err(|e| werr(path, format!("cannot write: {e}")))
            });
            // Files created are in `written` even when filling one failed: the staging
            // folder is removed as a whole.
            self.written.extend(jobs.into_iter().map(|(p, _, _)| p));
            results.into_iter().collect::<Result<(), _>>()?;
            fault::step("fill the files");
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_folder(&self.root);
        }
        // The lock file lives beside `out`: gone before the folders it sits in.
        drop(self.lock.take());
        if !self.committed {
            remove_empty(&self.created);
        }
    }
}

/// Remove each folder of `dirs` (deepest first) that is empty; stop at the first that is not.
fn remove_empty(dirs: &[PathBuf]) {
    for d in dirs {
        if fs::remove_dir(d).is_err() {
            break;
        }
    }
}

/// Write `artifacts` as the folder `out`, atomically: staging folder, then rename.
/// Returns the number of files written (without the marker).
pub(crate) fn write_bundle(out: &Path, artifacts: &Artifacts) -> Result<usize, WriteError> {
    write_bundle_with(out, artifacts, WriteOptions::default(), &mut |_| {}).map(|r| r.files)
}

/// [`write_bundle`] with options; `progress` is called with the number of files written so far.
pub(crate) fn write_bundle_with(
    out: &Path,
    artifacts: &Artifacts,
    opts: WriteOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<WriteReport, WriteError> {
    let mut staging = Staging::begin(out, opts)?;
    for file in artifacts.files.values() {
        staging.put(file)?;
        progress(staging.len());
    }
    staging.commit()
}

#[cfg(test)]
mod tests;
