//! Command-line subcommands. [`main`] parses arguments with clap and calls `run` of the
//! subcommand's module; each module owns its argument struct.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod drift;
pub(crate) mod exit_codes;
pub(crate) mod list;
pub(crate) mod out_guard;
pub(crate) mod plan;
pub(crate) mod schema;
pub(crate) mod secrets;
pub(crate) mod sign;
pub(crate) mod sign_bundle;
pub(crate) mod summary;
pub(crate) mod values;
pub(crate) mod verify;

use std::io::IsTerminal;

use clap::{Parser, Subcommand};

pub(crate) use crate::exit::{Exit, EXIT_CODES_HELP};

/// Output format of commands that report findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// text for a person to read
    #[default]
    Human,
    /// one stable JSON document on stdout
    Json,
}

/// Colours only on a terminal and when `NO_COLOR` is unset or empty.
fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Colours for stdout.
pub(crate) fn stdout_color() -> bool {
    use_color(std::io::stdout().is_terminal())
}

/// Colours for stderr.
pub(crate) fn stderr_color() -> bool {
    use_color(std::io::stderr().is_terminal())
}

/// Print the load stage's error (paths that cannot be read) in the chosen format; its exit code.
pub(crate) fn report_load_error(e: crate::load::LoadError, format: Format) -> Exit {
    use exit_codes::ExitCode;
    let exit = e.exit();
    let mut diags = e.into_diagnostics();
    crate::diag::sort(&mut diags);
    match format {
        Format::Json => crate::term::out_json(&crate::diag::render_json(&diags)),
        Format::Human => {
            crate::term::err_rendered(&crate::diag::render_human(&diags, &[], stderr_color()))
        }
    }
    exit
}

#[derive(Parser)]
#[command(
    name = "fixgen",
    version,
    about = "Turns Windows fix recipes (YAML) into reviewed, signed PowerShell, .reg, Intune and Group Policy artifacts",
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a bundle (default: the embedded L2TP bundle) into an output folder
    #[command(after_help = EXIT_CODES_HELP)]
    Build(build::BuildArgs),
    /// Validate recipes and bundles; print every finding
    #[command(after_help = EXIT_CODES_HELP)]
    Check(check::CheckArgs),
    /// List the recipes of a bundle in run order
    #[command(after_help = EXIT_CODES_HELP)]
    List(list::ListArgs),
    /// Show what a bundle reads and changes (secrets masked); changes nothing
    #[command(after_help = EXIT_CODES_HELP)]
    Plan(plan::PlanArgs),
    /// Print or write the JSON Schema of recipes and bundle.yaml
    #[command(after_help = EXIT_CODES_HELP)]
    Schema(schema::SchemaArgs),
    /// Authenticode-sign PowerShell files in place (replaces an existing signature)
    #[command(after_help = EXIT_CODES_HELP)]
    Sign(sign::SignArgs),
    /// Check a bundle folder (SHA256SUMS, manifest.json, signatures) or one signed script
    #[command(after_help = EXIT_CODES_HELP)]
    Verify(verify::VerifyArgs),
}

/// The `fixgen` command: parse the arguments, run the subcommand, map the outcome to an exit
/// code. `src/main.rs` only calls this.
pub fn main() -> std::process::ExitCode {
    crate::memory::tune();
    // Help, version and usage errors are printed like every other output (escaped, and a write
    // error is an exit code, not a panic); see `crate::term`.
    let command = match Cli::try_parse() {
        Ok(c) => c.command,
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                crate::term::err(&text);
            } else {
                crate::term::out(&text);
            }
            let exit = if e.exit_code() == 0 {
                Exit::Ok
            } else {
                Exit::Usage
            };
            return crate::term::finish(exit).into();
        }
    };
    // FIXGEN_PARSE_ONLY=1: stop after the argument parser accepted the command line (exit 0;
    // a rejected one exits 2 as always). tests/doc_commands.rs runs every command line the
    // documentation shows this way.
    if std::env::var_os("FIXGEN_PARSE_ONLY").is_some_and(|v| v == "1") {
        return std::process::ExitCode::SUCCESS;
    }
    let exit = match command {
        Command::Build(a) => build::run(a),
        Command::Check(a) => check::run(a),
        Command::List(a) => list::run(a),
        Command::Plan(a) => plan::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Verify(a) => verify::run(a),
    };
    crate::term::finish(exit).into()
}

/// Print a usage error (arguments that cannot work together, a missing option) and return its
/// exit code (`exit_codes`).
pub(crate) fn usage_error(message: String) -> Exit {
    use exit_codes::ExitCode;
    let e = exit_codes::UsageError(message);
    crate::term::errln!("error: {e}");
    e.exit()
}
