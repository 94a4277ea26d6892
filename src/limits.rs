//! Resource limits on input, in one place. Each one turns hostile or mistaken input (a huge
//! file, a billion-laughs YAML, a recipe with a million steps) into a clear, located error
//! instead of unbounded memory or time. The README's "Limits" section lists them; tests in
//! `tests/limits.rs` and `tests/bad_corpus.rs` exercise each one through the binary.
//!
//! Where each is enforced: file sizes in `load::read_file`, `cli::check` (.reg) and
//! `cli::build` (`--values`); YAML structure in `load::yaml`; counts and text lengths in
//! `validate` (located at the field).
//!
//! Syntax rules that happen to have a length (kebab ids up to 64 characters, registry key names
//! up to 255, hostnames up to 253, ...) are validation rules and live with the validator
//! (`validate::names`, `registry`); this module holds the limits that exist to bound work.

/// Largest recipe, bundle or `--values` file accepted, in bytes (1 MiB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Largest `.reg` file `fixgen check` reads (64 MiB; a full HKLM export is a few hundred MB,
/// and nobody reviews that).
pub const MAX_REG_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Deepest nesting of YAML sequences and mappings accepted.
pub(crate) const MAX_DEPTH: usize = 64;
/// Most YAML aliases (`*name`) accepted in one file.
pub(crate) const MAX_ALIASES: usize = 256;
/// Most YAML nodes accepted in one file after alias expansion (billion-laughs guard).
pub(crate) const MAX_NODES: usize = 200_000;
/// Most steps in one recipe.
pub const MAX_STEPS: usize = 256;
/// Most params in one recipe.
pub const MAX_PARAMS: usize = 64;
/// Most recipes in one bundle (implicit, or listed in bundle.yaml). Issue 9 sets speed and
/// memory targets for bundles of 10,000 recipes (BENCHMARKS.md measures them), so that size is
/// supported and the limit sits there.
pub const MAX_RECIPES: usize = 10_000;
/// Longest title (characters); it is a one-line synopsis.
pub const MAX_TITLE: usize = 200;
/// Longest free text (summary, symptom, descriptions), in characters.
pub const MAX_TEXT: usize = 10_000;
/// Longest registry string data (characters) written from a recipe; also the longest Windows
/// command line.
pub const MAX_REG_TEXT: usize = 32_767;
/// Longest firewall rule display name (characters).
pub const MAX_DISPLAY_NAME: usize = 255;
