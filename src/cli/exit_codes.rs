//! The one place an error becomes an exit code. Each stage has one error type (`LoadError`,
//! `ValidateError`, `PlanError`, the renderers' diagnostics in `BuildError::Render`,
//! `SignError`, `WriteError`, `DriftError`); the commands print it and return `e.exit()`.
//!
//! The rule, as `--help` says: 2 when fixgen could not do its job with what it was given
//! (arguments, unreadable paths, key material, files it cannot write), 1 when the input itself
//! is at fault (findings in the recipes or values, a script that cannot be signed as it is).

use super::Exit;
use crate::load::LoadError;
use crate::pipeline::{BuildError, ResignError, Stop};
use crate::plan::PlanError;
use crate::review::drift::DriftError;
use crate::sign::bundle::BundleIoError;
use crate::sign::SignError;
use crate::validate::ValidateError;
use crate::write::WriteError;

/// The exit code of an error.
pub(crate) trait ExitCode {
    fn exit(&self) -> Exit;
}

/// A path given cannot be read: usage.
impl ExitCode for LoadError {
    fn exit(&self) -> Exit {
        match self {
            LoadError::Unreadable(_) => Exit::Usage,
        }
    }
}

/// Errors in the recipes: findings.
impl ExitCode for ValidateError {
    fn exit(&self) -> Exit {
        match self {
            ValidateError::Invalid(_) => Exit::Findings,
        }
    }
}

/// A value that does not fit its param: findings.
impl ExitCode for PlanError {
    fn exit(&self) -> Exit {
        match self {
            PlanError::Bind(_) => Exit::Findings,
        }
    }
}

/// A script that cannot be signed as it is (its encoding) is the input's fault; everything
/// else (key, password, certificate, timestamp server, I/O) is what fixgen was given to work with.
impl ExitCode for SignError {
    fn exit(&self) -> Exit {
        match self {
            SignError::Script { .. } => Exit::Findings,
            SignError::Io { .. }
            | SignError::Key(_)
            | SignError::WrongPassword { .. }
            | SignError::NoPassword(_)
            | SignError::KeyMismatch { .. }
            | SignError::NoCodeSigningEku { .. }
            | SignError::Expired { .. }
            | SignError::NotYetValid { .. }
            | SignError::Timestamp { .. }
            | SignError::Crypto(_) => Exit::Usage,
        }
    }
}

/// The output folder cannot be written: usage.
impl ExitCode for WriteError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

/// `--check` cannot read the folder it compares with: usage.
impl ExitCode for DriftError {
    fn exit(&self) -> Exit {
        match self {
            DriftError::Unreadable(_) => Exit::Usage,
        }
    }
}

/// A build stops on the renderers' findings, or on its signing or writing stage.
impl ExitCode for BuildError {
    fn exit(&self) -> Exit {
        match self {
            BuildError::Render(_) => Exit::Findings,
            BuildError::Finish(e) => e.exit(),
            BuildError::Write(e) => e.exit(),
        }
    }
}

/// `fixgen build` in one call: each stage's error as above; denied warnings and values for
/// params no recipe declares are findings.
impl ExitCode for Stop {
    fn exit(&self) -> Exit {
        match self {
            Stop::Load(e) => e.exit(),
            Stop::Invalid(e) => e.exit(),
            Stop::Warnings(_) | Stop::Undeclared(_) => Exit::Findings,
            Stop::Plan(e) => e.exit(),
            Stop::Build(e) => e.exit(),
        }
    }
}

/// `sign --bundle`: a folder that is not a bundle or does not verify is the input's fault
/// (findings, as before this type existed); signing and writing map as above.
impl ExitCode for ResignError {
    fn exit(&self) -> Exit {
        match self {
            ResignError::NotABundle(_) | ResignError::Payload(_) => Exit::Findings,
            ResignError::Sign(e) => e.exit(),
            ResignError::Write(e) => e.exit(),
        }
    }
}

/// `verify`: the folder to verify cannot be read: usage.
impl ExitCode for BundleIoError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

/// A file a command itself reads or writes (`schema --out`, `sign`, `verify`): usage.
impl ExitCode for std::io::Error {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

/// Bad arguments (`--set` syntax, the `--values` file, `--out` over an input): usage.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

impl From<String> for UsageError {
    fn from(message: String) -> Self {
        UsageError(message)
    }
}

impl ExitCode for UsageError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_is_at_fault_only_for_findings_and_unsignable_scripts() {
        let script = SignError::Script {
            path: "a.ps1".into(),
            message: "not UTF-8".into(),
        };
        assert_eq!(script.exit(), Exit::Findings);
        assert_eq!(SignError::Key("bad".into()).exit(), Exit::Usage);
        assert_eq!(BuildError::Finish(script).exit(), Exit::Findings);
        assert_eq!(LoadError::Unreadable(vec![]).exit(), Exit::Usage);
        assert_eq!(ValidateError::Invalid(vec![]).exit(), Exit::Findings);
        assert_eq!(PlanError::Bind(vec![]).exit(), Exit::Findings);
        assert_eq!(DriftError::Unreadable("x".into()).exit(), Exit::Usage);
        assert_eq!(UsageError("x".into()).exit(), Exit::Usage);
    }
}
