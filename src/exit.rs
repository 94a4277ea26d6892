//! Exit codes of the `fixgen` binary: every error of every stage ends here as one of three.

/// Exit codes, shown in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: no error (warnings and infos may have been shown).
    Ok = 0,
    /// 1: findings (an error in the input) or verification failed.
    Findings = 1,
    /// 2: usage or I/O error (bad arguments, missing or unreadable path).
    Usage = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// Text for `--help`.
pub(crate) const EXIT_CODES_HELP: &str = "Exit codes:\n  0  ok (no errors)\n  1  findings: the input has errors (or verification failed)\n  2  usage or I/O error (also: stdout or stderr cannot be written; a closed pipe is not an error)";
