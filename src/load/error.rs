//! The load stage's error.

use crate::diag::Diagnostic;

/// Why the loader stopped: the load stage's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The paths given cannot be read as a bundle (missing path, not a regular file, no
    /// recipes found, two bundles, an I/O error); each diagnostic names its path. File-content
    /// problems are not here: they are the validator's findings (`Inputs::diagnostics`).
    #[error("{} problem(s) reading the input paths", .0.len())]
    Unreadable(Vec<Diagnostic>),
}

impl LoadError {
    /// The located problems, to print.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        match self {
            LoadError::Unreadable(d) => d,
        }
    }
}
