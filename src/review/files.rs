//! One generated file as REVIEW.md's file list and the manifest describe it.

/// One generated file as REVIEW.md lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    pub path: String,
    pub size: usize,
    pub sha256: String,
    pub authenticode: bool,
    pub holds_secret: bool,
    /// The runtime blocks the file carries (`crate::review::runtime`).
    pub blocks: Vec<String>,
}
