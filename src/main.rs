//! `fixgen`: everything happens in the library (`fixgen::main`, in `src/cli/mod.rs`).

fn main() -> std::process::ExitCode {
    fixgen::main()
}
