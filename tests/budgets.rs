//! Issue 17: output an admin can review. Measures the built L2TP bundle (the real binary):
//! size budgets per file and for the whole default build, recipe data before the machinery, and
//! the runtime blocks: each block is cut out of every file that carries it by its marker lines
//! and hashed by `sha256sum` (an oracle we did not write); every copy must have the SHA-256 that
//! REVIEW.md lists for it, and REVIEW.md must name exactly the files that carry it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn recipes() -> String {
    format!("{}/recipes/l2tp", env!("CARGO_MANIFEST_DIR"))
}

/// Build into `out` with `args` (after the recipe folder and `--out`).
fn build(out: &Path, args: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let o = common::fixgen()
        .args(["build", &recipes(), "--out"])
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    common::bundle_files(out)
}

/// A built bundle: relative path -> bytes.
type Files = BTreeMap<String, Vec<u8>>;

fn is_ps(path: &str) -> bool {
    path.ends_with(".ps1") || path.ends_with(".psm1") || path.ends_with(".psd1")
}

/// Lines of a PowerShell file, comment help included, Authenticode signature block excluded.
fn lines(bytes: &[u8]) -> usize {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let body = match text.find("\r\n# SIG # Begin signature block") {
        Some(i) => &text[..i + 2],
        None => &text[..],
    };
    body.lines().count()
}

fn count(files: &BTreeMap<String, Vec<u8>>, path: &str) -> usize {
    lines(
        files
            .get(path)
            .unwrap_or_else(|| panic!("{path} not built")),
    )
}

fn largest(files: &Files, keep: impl Fn(&str) -> bool) -> (usize, &str) {
    files
        .iter()
        .filter(|(p, _)| keep(p))
        .map(|(p, b)| (lines(b), p.as_str()))
        .max()
        .expect("no file matched")
}

fn both_builds() -> (tempfile::TempDir, Files, Files) {
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("values.yaml");
    std::fs::write(
        &values,
        "ConnectionName: Contoso VPN\nServerAddress: vpn.contoso.com\nPreSharedKey: correct-horse-battery\n",
    )
    .unwrap();
    let default = build(&dir.path().join("default"), &[]);
    let all = build(
        &dir.path().join("all"),
        &[
            "--values",
            values.to_str().unwrap(),
            "--allow-embedded-secrets",
            "--target",
            "all",
        ],
    );
    (dir, default, all)
}

/// Issue 17's budget table, measured on the built bundle: (row, lines, the issue's budget).
fn budget_rows() -> Vec<(String, usize, usize)> {
    let (_dir, default, all) = both_builds();
    let per_recipe_script = |p: &str| {
        p.starts_with("scripts/")
            && !p.starts_with("scripts/Undo-")
            && !p.starts_with("scripts/Invoke-")
    };
    let intune_recipe = |p: &str, file: &str| {
        p.starts_with("intune/") && p.ends_with(file) && !p.starts_with("intune/L2tpIpsecFix/")
    };
    let mut rows: Vec<(String, usize, usize)> = Vec::new();
    for (name, files) in [("default", &default), ("all", &all)] {
        rows.push((
            format!("{name}: scripts/nat-traversal.ps1"),
            count(files, "scripts/nat-traversal.ps1"),
            300,
        ));
        let (n, p) = largest(files, per_recipe_script);
        rows.push((format!("{name}: largest scripts/<id>.ps1 ({p})"), n, 450));
        // Nothing to undo: a few lines and no runtime block; REVIEW.md says why.
        rows.push((
            format!("{name}: scripts/Undo-windows-update.ps1"),
            count(files, "scripts/Undo-windows-update.ps1"),
            120,
        ));
        assert!(cut_blocks(
            "Undo-windows-update",
            &files["scripts/Undo-windows-update.ps1"]
        )
        .is_empty());
        let review = String::from_utf8_lossy(&files["REVIEW.md"]).to_string();
        assert!(
            review.contains("A recipe of only Windows Update steps has nothing to undo"),
            "{name}"
        );
    }
    rows.push((
        "all: intune/nat-traversal/detect.ps1".into(),
        count(&all, "intune/nat-traversal/detect.ps1"),
        150,
    ));
    let (n, p) = largest(&all, |p| intune_recipe(p, "/remediate.ps1"));
    rows.push((
        format!("all: largest per-recipe remediate.ps1 ({p})"),
        n,
        450,
    ));
    let total: usize = default
        .iter()
        .filter(|(p, _)| is_ps(p))
        .map(|(_, b)| lines(b))
        .sum();
    rows.push(("default: all PowerShell".into(), total, 7000));
    rows
}

fn report(rows: &[(String, usize, usize)]) -> String {
    let lines: Vec<String> = rows
        .iter()
        .map(|(what, n, max)| {
            let over = if n > max { "  OVER" } else { "" };
            format!("{what}: {n} lines (issue 17 budget {max}){over}")
        })
        .collect();
    lines.join("\n")
}

/// Issue 17's budgets, every row (the table is printed; see the README, "Size").
#[test]
fn the_l2tp_bundle_meets_every_issue_17_budget() {
    let rows = budget_rows();
    let text = report(&rows);
    println!("{text}");
    assert!(
        rows.iter().all(|(_, n, max)| n <= max),
        "over budget:\n{text}"
    );
}

/// The bytes between `#region fixgen block NAME ...` and `#endregion fixgen block NAME`, by
/// block name; panics on a block opened twice, never closed, or closed without being opened.
fn cut_blocks(path: &str, bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut out = BTreeMap::new();
    let mut open: Option<(String, usize)> = None;
    let mut at = 0;
    for line in text.split_inclusive("\r\n") {
        let start = at;
        at += line.len();
        let l = line.trim_end_matches("\r\n");
        if let Some(rest) = l.strip_prefix("#region fixgen block ") {
            assert!(open.is_none(), "{path}: block opened inside a block: {l}");
            let name = rest.split(' ').next().unwrap().to_string();
            open = Some((name, at));
        } else if let Some(name) = l.strip_prefix("#endregion fixgen block ") {
            let (n, from) = open
                .take()
                .unwrap_or_else(|| panic!("{path}: end without begin: {l}"));
            assert_eq!(n, name, "{path}: block {n} closed as {name}");
            assert!(
                out.insert(n.clone(), bytes[from..start].to_vec()).is_none(),
                "{path}: {n} twice"
            );
        }
    }
    assert!(open.is_none(), "{path}: block never closed");
    out
}

fn sha256sum(tool: &Path, bytes: &[u8]) -> String {
    let mut child = Command::new(tool)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    String::from_utf8(o.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// REVIEW.md's runtime-block table: block name -> (SHA-256, files).
fn review_blocks(review: &str) -> BTreeMap<String, (String, BTreeSet<String>)> {
    let section = review
        .split("## Runtime blocks")
        .nth(1)
        .expect("REVIEW.md has no runtime-block section");
    let mut out = BTreeMap::new();
    for row in section.lines().take_while(|l| !l.starts_with("## ")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        if !row.starts_with("| ") || row.starts_with("| block ") || cells.len() != 5 {
            continue;
        }
        let name = cells[0].trim_start_matches("| ").to_string();
        let hash = cells[3].trim_matches('`').to_string();
        let files = cells[4]
            .trim_end_matches(" |")
            .split("<br>")
            .map(|f| f.trim_matches('`').to_string())
            .collect();
        out.insert(name, (hash, files));
    }
    out
}

/// Every problem with the runtime blocks of a built bundle: a block not in REVIEW.md's table, a
/// copy whose SHA-256 (by `sha256sum`) is not the one listed, a file carrying a block REVIEW.md
/// does not name for it, or a listed file that does not carry it.
fn block_problems(tool: &Path, files: &Files) -> Vec<String> {
    let listed = review_blocks(&String::from_utf8_lossy(&files["REVIEW.md"]));
    let mut out = Vec::new();
    if listed.len() < 10 {
        out.push(format!("REVIEW.md lists only {} blocks", listed.len()));
    }
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, bytes) in files.iter().filter(|(p, _)| is_ps(p)) {
        for (block, text) in cut_blocks(path, bytes) {
            match listed.get(&block) {
                None => out.push(format!("{path} carries block {block}, not in REVIEW.md")),
                Some((hash, carriers)) => {
                    if &sha256sum(tool, &text) != hash {
                        out.push(format!("block {block} in {path} differs from REVIEW.md"));
                    }
                    if !carriers.contains(path) {
                        out.push(format!("REVIEW.md does not list {path} for {block}"));
                    }
                }
            }
            seen.entry(block).or_default().insert(path.clone());
        }
    }
    for (block, (_, carriers)) in &listed {
        if seen.get(block) != Some(carriers) {
            out.push(format!(
                "files carrying {block}: {:?}, REVIEW.md: {carriers:?}",
                seen.get(block)
            ));
        }
    }
    out
}

#[test]
fn every_runtime_block_is_identical_wherever_it_appears_and_listed_in_review_md() {
    let Some(tool) = common::oracle("sha256sum") else {
        return;
    };
    let (_dir, default, mut all) = both_builds();
    for (name, files) in [("default", &default), ("all", &all)] {
        let problems = block_problems(&tool, files);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
    // The check sees a copy that differs: one byte changed inside the `core` block of one file.
    let path = "intune/nat-traversal/detect.ps1";
    let text = String::from_utf8(all[path].clone()).unwrap();
    let at = text.find("#region fixgen block core").unwrap();
    let tampered = format!(
        "{}{}",
        &text[..at],
        text[at..].replacen("'(none)'", "'(nada)'", 1)
    );
    all.insert(path.to_string(), tampered.into_bytes());
    let problems = block_problems(&tool, &all);
    assert_eq!(
        problems,
        vec![format!("block core in {path} differs from REVIEW.md")],
        "a changed copy must be reported"
    );
}

/// Recipe first: the recipe data comes right after the comment help and `param()`, before any
/// block; a detection carries no backup or change code; an undo no install code.
#[test]
fn recipe_data_comes_first_and_files_carry_only_what_they_use() {
    let (_dir, _default, all) = both_builds();
    for (path, bytes) in all
        .iter()
        .filter(|(p, _)| p.ends_with(".ps1") && !p.starts_with("gpo/Deploy"))
    {
        let text = String::from_utf8_lossy(bytes);
        let Some(recipe) = text.find("\r\n#region recipe") else {
            assert!(
                path.starts_with("scripts/Invoke-") || path.contains("/Invoke-"),
                "{path}: no recipe region"
            );
            continue;
        };
        let first_block = text.find("#region fixgen block ").unwrap_or(text.len());
        assert!(recipe < first_block, "{path}: recipe after the machinery");
        assert!(
            text[..recipe].trim_end().ends_with(')'),
            "{path}: something between param() and the recipe"
        );
        let carried: BTreeSet<String> = cut_blocks(path, bytes).into_keys().collect();
        if path.ends_with("/detect.ps1") {
            for b in &carried {
                assert!(
                    !b.starts_with("backup") && !b.ends_with("-set") && b != "run" && b != "files",
                    "{path}: {b}"
                );
            }
        }
        if path.starts_with("intune/") {
            assert!(
                !carried.contains("relaunch"),
                "{path}: Intune runs it in 64-bit PowerShell"
            );
        }
        if path.starts_with("scripts/Undo-") {
            assert!(
                !carried.contains("windows-update-set") && !carried.contains("run"),
                "{path}"
            );
        }
        if path == "scripts/nat-traversal.ps1" || path == "intune/nat-traversal/remediate.ps1" {
            assert!(
                !carried
                    .iter()
                    .any(|b| b.contains("vpn") || b.contains("undo")),
                "{path}: {carried:?}"
            );
        }
    }
}
