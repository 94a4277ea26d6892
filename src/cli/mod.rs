//! Command line: argument parsing only; each subcommand lives in its own file.

use clap::{Parser, Subcommand};

pub mod build;

/// Exit codes shared by every subcommand.
pub const EXIT_OK: i32 = 0;
/// Findings: invalid recipes, verification failed.
pub const EXIT_FINDINGS: i32 = 1;
/// Usage or I/O error.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "fixgen",
    version,
    about = "Turns Windows fix recipes (YAML) into reviewed PowerShell, .reg, Intune and Group Policy artifacts"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a bundle (default: the embedded L2TP bundle) into an output folder.
    Build(build::BuildArgs),
}

pub fn run() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(a) => build::run(&a),
    }
}
