//! Command-line subcommands. `main.rs` parses arguments with clap and calls `run` of the
//! subcommand's module here; each module owns its argument struct.

pub mod build;
pub mod check;
pub mod drift;
pub mod list;
pub mod out_guard;
pub mod plan;
pub mod schema;
pub mod secrets;
pub mod sign;
pub mod sign_bundle;
pub mod summary;
pub mod values;
pub mod verify;

use std::io::IsTerminal;

pub use crate::exit::{Exit, EXIT_CODES_HELP};

/// Output format of commands that report findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// text for a person to read
    #[default]
    Human,
    /// one stable JSON document on stdout
    Json,
}

/// Colours only on a terminal and when `NO_COLOR` is unset or empty.
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Colours for stdout.
pub fn stdout_color() -> bool {
    use_color(std::io::stdout().is_terminal())
}

/// Colours for stderr.
pub fn stderr_color() -> bool {
    use_color(std::io::stderr().is_terminal())
}

/// Read the paths given, or the embedded bundle when none are.
pub fn inputs(
    paths: &[std::path::PathBuf],
) -> Result<crate::load::Inputs, Vec<crate::diag::Diagnostic>> {
    if paths.is_empty() {
        Ok(crate::load::Inputs::embedded())
    } else {
        crate::load::read_paths(paths)
    }
}

/// Print usage/I-O diagnostics (exit code 2) in the chosen format.
pub fn report_usage_errors(diags: &mut Vec<crate::diag::Diagnostic>, format: Format) -> Exit {
    crate::diag::sort(diags);
    match format {
        Format::Json => crate::term::out_json(&crate::diag::render_json(diags)),
        Format::Human => {
            crate::term::err_rendered(&crate::diag::render_human(diags, &[], stderr_color()))
        }
    }
    Exit::Usage
}
