//! The last stages of `fixgen build`, one batch of rendered files at a time:
//! sign -> hash -> sink, then REVIEW.md and the manifest from the hashes.
//!
//! A renderer hands over a batch (a few recipes' scripts, or one target's files); [`Stream::add`]
//! Authenticode-signs its PowerShell files (with a signer) and adds the Intune payloads of any
//! Intune package in it ([`crate::sign::sign_stage_with`]), hashes every file once, passes it to
//! the [`Sink`] (the staging folder of the build) and drops it. Only one row per file (path,
//! size, SHA-256, signed or not) stays in memory, so a bundle of 10,000 recipes (over a gigabyte
//! of scripts) is built in a bounded amount of memory. [`Stream::finish`] then writes REVIEW.md
//! (which lists the final, signed files) and `manifest.json`, `SHA256SUMS` and
//! `SHA256SUMS.p7s` (which list REVIEW.md too) from those rows.
//!
//! Every file's bytes are the same whatever the batches are: batches only bound memory.

use std::collections::BTreeMap;

use crate::plan::Plan;
use crate::render::{Artifacts, OutputFile};
use crate::review::files::FileRow;
use crate::review::markdown::REVIEW_FILE;
use crate::review::PlanReport;
use crate::sign::manifest::{self, file_row, is_manifest_file};
use crate::sign::{SignError, Signer};
use crate::write::{Sink, WriteError};

fn io_error(e: WriteError) -> SignError {
    SignError::Io {
        path: e.path.display().to_string(),
        message: e.message,
    }
}

/// See the module docs.
pub struct Stream<'a> {
    plan: &'a Plan,
    signer: Option<&'a Signer>,
    on_signed: &'a (dyn Fn() + Sync),
    sink: &'a mut dyn Sink,
    rows: BTreeMap<String, FileRow>,
    signed: usize,
}

/// What [`Stream::finish`] produced.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Every file of the bundle by path, REVIEW.md and the manifest files included.
    pub rows: BTreeMap<String, FileRow>,
    /// Files Authenticode-signed.
    pub signed: usize,
}

impl<'a> Stream<'a> {
    /// `on_signed` is called after each Authenticode-signed file (progress bar).
    pub fn new(
        plan: &'a Plan,
        signer: Option<&'a Signer>,
        sink: &'a mut dyn Sink,
        on_signed: &'a (dyn Fn() + Sync),
    ) -> Stream<'a> {
        Stream {
            plan,
            signer,
            on_signed,
            sink,
            rows: BTreeMap::new(),
            signed: 0,
        }
    }

    /// Sign, hash and hand over one batch (see the module docs).
    pub fn add(&mut self, mut batch: Artifacts) -> Result<(), SignError> {
        self.signed +=
            crate::sign::sign_stage_with(&mut batch, self.plan, self.signer, self.on_signed)?;
        let files: Vec<OutputFile> = batch.files.into_values().collect();
        // Hashing is most of the work here: on every core.
        let rows = crate::par::map(&files, file_row);
        for f in &files {
            if f.path == REVIEW_FILE || is_manifest_file(&f.path) || self.rows.contains_key(&f.path)
            {
                return Err(SignError::Script {
                    path: f.path.clone(),
                    message: "internal error: two renderers wrote the same path".into(),
                });
            }
        }
        self.sink.put_all(&files).map_err(io_error)?;
        for (f, row) in files.into_iter().zip(rows) {
            self.rows.insert(f.path, row);
        }
        Ok(())
    }

    /// The rows of the files added so far, by path.
    pub fn rows(&self) -> &BTreeMap<String, FileRow> {
        &self.rows
    }

    /// Write REVIEW.md, then the manifest stage's files (see the module docs).
    pub fn finish(mut self, report: &PlanReport) -> Result<Finished, SignError> {
        let listed: Vec<FileRow> = self.rows.values().cloned().collect();
        let review = OutputFile::new(
            REVIEW_FILE,
            crate::review::markdown::render(report, &listed).into_bytes(),
        );
        self.rows.insert(REVIEW_FILE.to_string(), file_row(&review));
        self.sink.put(&review).map_err(io_error)?;
        drop(review);
        let listed: Vec<FileRow> = self.rows.values().cloned().collect();
        for f in manifest::manifest_files(self.plan, &listed, self.signer)? {
            self.rows.insert(f.path.clone(), file_row(&f));
            self.sink.put(&f).map_err(io_error)?;
        }
        Ok(Finished {
            rows: self.rows,
            signed: self.signed,
        })
    }
}
