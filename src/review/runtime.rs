//! REVIEW.md's "Runtime blocks" section (issue 17: review the machinery once).
//!
//! Every generated PowerShell file carries its machinery as named blocks
//! ([`crate::render::blocks`]), each between a begin and an end marker line. The section lists
//! each block once: its SHA-256 (of the bytes between the two marker lines, CRLF line ends, as
//! they are in the files), its size and the files that carry it, so an admin reviews a block one
//! time and then reads only the recipe part of each file. `tests/budgets.rs` extracts the blocks
//! from the built files by their markers and checks every copy against this list.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::escape::md;
use crate::render::blocks::{self, BLOCKS};
use crate::review::files::FileRow;

/// The names of the blocks a file carries, in order (from its begin marker lines).
pub(crate) fn blocks_in(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.split("\r\n")
        .filter_map(|line| {
            let name = line
                .strip_prefix("#region fixgen block ")?
                .split(' ')
                .next()?;
            (blocks::begin_marker(name) == line).then(|| name.to_string())
        })
        .collect()
}

/// A block's text as the files carry it: CRLF line ends.
fn file_text(name: &str) -> String {
    blocks::block(name).text.replace('\n', "\r\n")
}

/// SHA-256 (hex) of a block's text as the files carry it.
pub(crate) fn sha256(name: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(file_text(name).as_bytes()))
}

/// The Markdown section; empty when no file carries a block.
pub(crate) fn section(files: &[FileRow]) -> String {
    let mut carriers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in files {
        for b in &f.blocks {
            carriers
                .entry(b.as_str())
                .or_default()
                .push(f.path.as_str());
        }
    }
    if carriers.is_empty() {
        return String::new();
    }
    let mut o = String::from("## Runtime blocks (review each once)\n\n");
    o.push_str("Each generated PowerShell file starts with its comment help, its parameters and its recipe as data (`#region recipe`: the steps, their target values and conditions; compare them with the tables above). The machinery follows as named blocks, each between `#region fixgen block <name> ...` and `#endregion fixgen block <name>`. A block's text is the same, byte for byte, in every file that carries it, and a file carries only the blocks its steps and its role need (a detection script no backup or change code, an undo script no install code). Review each block below once; the SHA-256 is of the lines between the two markers (CRLF line ends), so `tests/budgets.rs` and anyone with `sha256sum` can check every copy.\n\n");
    o.push_str("A recipe of only Windows Update steps has nothing to undo (installed updates cannot be rolled back, and a scan changes nothing): its undo script carries no runtime block and only says so.\n\n");
    // Block names are plain words (`[a-z-]+`), so a row never starts like a file row ("| `").
    o.push_str("| block | what it does | lines | SHA-256 | files |\n|---|---|---|---|---|\n");
    for b in BLOCKS {
        let Some(paths) = carriers.get(b.name) else {
            continue;
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | `{}` | {} |",
            b.name,
            md(b.purpose),
            b.text.lines().count(),
            sha256(b.name),
            paths
                .iter()
                .map(|p| format!("`{}`", p.replace('`', "'")))
                .collect::<Vec<_>>()
                .join("<br>")
        );
    }
    o.push('\n');
    o
}
