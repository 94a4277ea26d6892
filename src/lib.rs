//! fixgen: Windows fix recipes (YAML) in; reviewed, signed PowerShell, .reg, Intune and Group
//! Policy artifacts out.
//!
//! Modules depend only on earlier stages (tests/architecture.rs reads the two lines below):
//!
//! Pipeline: `load` -> `validate` -> `plan` -> `render` -> `review` -> `sign` -> `write` -> `pipeline` -> `cli`
//! Foundations: `model` `diag` `exit` `escape` `registry` `regfile` `limits` `term` `par` `progress` `memory`
//!
//! A foundation imports no stage (and no two modules import each other). `pipeline` runs the
//! stages in that order; `cli` turns arguments into pipeline calls (`inputs`, `check`, `plan`,
//! `Build::run`) and prints what they report.

// `println!` and friends panic when the stream cannot be written: all output goes through
// `term` (escaped, write errors become exit codes).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod diag;
pub mod escape;
pub mod exit;
pub mod limits;
pub mod load;
pub mod memory;
pub mod model;
pub mod par;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod regfile;
pub mod registry;
pub mod render;
pub mod review;
pub mod sign;
pub mod term;
pub mod validate;
pub mod write;
