//! Flushing many written files to disk at once.
//!
//! A file must be on disk before the rename that publishes it, or a power cut can leave an
//! empty file under the final name. Calling `fsync` right after writing each file makes every
//! file wait for its own journal commit: with thousands of files that is most of a build's wall
//! time (measured in BENCHMARKS.md: about 7 ms per file on a busy disk). Writing every file
//! first and then flushing them from several threads at once lets the filesystem commit them
//! together, with the same guarantee: [`sync_files`] returns only when every file is on disk.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// Most threads used to flush files; flushing waits on the disk, not on the CPU.
const MAX_THREADS: usize = 16;

/// Flush the contents of every file in `paths` to disk (`fsync`), from up to 16 threads.
/// The files must exist and have been written and closed. On failure, the first failing path
/// in `paths` order and its error.
pub(crate) fn sync_files(paths: &[PathBuf]) -> Result<(), (PathBuf, std::io::Error)> {
    if paths.is_empty() {
        return Ok(());
    }
    let threads = paths.len().clamp(1, MAX_THREADS);
    let per = paths.len().div_ceil(threads);
    let mut failures: Vec<(usize, PathBuf, std::io::Error)> = std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(per)
            .enumerate()
            .map(|(c, chunk)| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .find_map(|(i, p)| sync_one(p).err().map(|e| (c * per + i, p.clone(), e)))
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| {
                h.join().unwrap_or_else(|_| {
                    Some((
                        usize::MAX,
                        PathBuf::new(),
                        std::io::Error::other("a thread flushing files to disk panicked"),
                    ))
                })
            })
            .collect()
    });
    failures.sort_by_key(|f| f.0);
    match failures.into_iter().next() {
        Some((_, p, e)) => Err((p, e)),
        None => Ok(()),
    }
}

/// Open for writing (Windows flushes only handles with write access; nothing is truncated)
/// and flush.
fn sync_one(p: &Path) -> std::io::Result<()> {
    OpenOptions::new().write(true).open(p)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flushes_every_file_and_keeps_contents() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..40)
            .map(|i| {
                let p = dir.path().join(format!("f{i}"));
                std::fs::write(&p, format!("content {i}")).unwrap();
                p
            })
            .collect();
        sync_files(&paths).unwrap();
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(p).unwrap(), format!("content {i}"));
        }
    }

    #[test]
    fn reports_the_first_missing_file_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for i in 0..40 {
            let p = dir.path().join(format!("f{i}"));
            if i != 7 && i != 31 {
                std::fs::write(&p, "x").unwrap();
            }
            paths.push(p);
        }
        let (p, e) = sync_files(&paths).unwrap_err();
        assert_eq!(p, dir.path().join("f7"));
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert!(sync_files(&[]).is_ok());
    }
}
