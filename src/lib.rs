//! fixgen: Windows fix recipes (YAML) in; reviewed, signed PowerShell, .reg, Intune and Group
//! Policy artifacts out.
//!
//! Modules depend only on earlier stages (tests/architecture.rs reads the two lines below):
//!
//! Pipeline: `load` -> `validate` -> `plan` -> `render` -> `review` -> `sign` -> `write` -> `pipeline` -> `cli`
//! Foundations: `model` `diag` `exit` `escape` `registry` `regfile` `limits` `term` `par` `progress` `memory`
//!
//! A foundation imports no stage (and no two modules import each other). `pipeline` runs the
//! stages in that order; `cli` turns arguments into pipeline calls (`build` runs the whole
//! build in one call; `check`, `list` and `plan` call `inputs`, `check` and `plan`) and prints
//! what they report.

// `println!` and friends panic when the stream cannot be written: all output goes through
// `term` (escaped, write errors become exit codes).
#![deny(clippy::print_stdout, clippy::print_stderr)]
// The public surface is `main`, `pipeline` (its API and `pipeline::parts`), `model` and `diag`:
// everything else is crate-private, and an item marked `pub` must be reachable from outside.
#![warn(unreachable_pub)]

mod cli;
pub mod diag;
mod escape;
mod exit;
mod limits;
mod load;
mod memory;
pub mod model;
mod par;
pub mod pipeline;
mod plan;
mod progress;
mod regfile;
mod registry;
mod render;
mod review;
mod sign;
mod term;
mod validate;
mod write;

pub use cli::main;
