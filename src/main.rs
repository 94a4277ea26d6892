//! `fixgen`: parse arguments, call the subcommand. The work happens in the library.

// All output goes through `fixgen::term` (see there).
#![deny(clippy::print_stdout, clippy::print_stderr)]

use clap::{Parser, Subcommand};
use fixgen::cli::{self, build, check, list, plan, schema, sign, verify};

#[derive(Parser)]
#[command(
    name = "fixgen",
    version,
    about = "Turns Windows fix recipes (YAML) into reviewed, signed PowerShell, .reg, Intune and Group Policy artifacts",
    after_help = cli::EXIT_CODES_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a bundle (default: the embedded L2TP bundle) into an output folder
    #[command(after_help = cli::EXIT_CODES_HELP)]
    Build(build::BuildArgs),
    /// Validate recipes and bundles; print every finding
    #[command(after_help = cli::EXIT_CODES_HELP)]
    Check(check::CheckArgs),
    /// List the recipes of a bundle in run order
    #[command(after_help = cli::EXIT_CODES_HELP)]
    List(list::ListArgs),
    /// Show what a bundle reads and changes (secrets masked); changes nothing
    #[command(after_help = cli::EXIT_CODES_HELP)]
    Plan(plan::PlanArgs),
    /// Print or write the JSON Schema of recipes and bundle.yaml
    #[command(after_help = cli::EXIT_CODES_HELP)]
    Schema(schema::SchemaArgs),
    /// Authenticode-sign PowerShell files in place (replaces an existing signature)
    #[command(after_help = cli::EXIT_CODES_HELP)]
    Sign(sign::SignArgs),
    /// Check a bundle folder (SHA256SUMS, manifest.json, signatures) or one signed script
    #[command(after_help = cli::EXIT_CODES_HELP)]
    Verify(verify::VerifyArgs),
}

fn main() -> std::process::ExitCode {
    fixgen::memory::tune();
    // Help, version and usage errors are printed like every other output (escaped, and a write
    // error is an exit code, not a panic); see `fixgen::term`.
    let command = match Cli::try_parse() {
        Ok(c) => c.command,
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                fixgen::term::err(&text);
            } else {
                fixgen::term::out(&text);
            }
            let exit = if e.exit_code() == 0 {
                cli::Exit::Ok
            } else {
                cli::Exit::Usage
            };
            return fixgen::term::finish(exit).into();
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
    fixgen::term::finish(exit).into()
}
