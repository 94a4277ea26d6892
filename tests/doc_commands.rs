//! Docs that work as written: every `fixgen ...` command line in README.md and in the READMEs a
//! build generates goes through the real binary's argument parser (`FIXGEN_PARSE_ONLY=1`: clap
//! parses, rejects unknown flags with exit 2, and nothing runs); a synopsis (`[--out DIR]`,
//! `a|b`, `...`) has each of its `--flags` checked against `fixgen <command> --help`. Every
//! ```` ```powershell ```` block parses in the real PowerShell
//! (`[System.Management.Automation.Language.Parser]::ParseInput`, no errors) and names only
//! commands and parameters that exist: documented cmdlets from `common/pwsh_allowlist.rs`,
//! the bundle's own scripts (their `param()` blocks, read by pwsh) and the functions of the
//! bundle's module.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::pwsh_allowlist::{lookup_doc_cmdlet, COMMON_PARAMETERS, SHOULD_PROCESS_PARAMETERS};

const VALUES: &str = "ConnectionName: Contoso VPN\nServerAddress: vpn.contoso.com\nPreSharedKey: correct-horse-battery\n";

/// The embedded bundle built with every value (all targets: scripts, module, reg, gpo,
/// intune), or with no values (`open`: the scripts keep their parameters, as README.md shows).
fn built_bundle(dir: &Path, open: bool) -> PathBuf {
    let out = dir.join(if open { "open" } else { "dist" });
    let mut c = common::fixgen();
    c.arg("build");
    if !open {
        let values = dir.join("values.yaml");
        std::fs::write(&values, VALUES).unwrap();
        c.args(["--allow-embedded-secrets", "--values"]).arg(values);
    }
    let o = c.arg("--out").arg(&out).output().expect("run fixgen build");
    assert!(
        o.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

/// The Markdown files to check: the project README and every `.md` of the built bundle.
fn documents(bundle: &Path) -> Vec<(String, String)> {
    let mut docs = vec![(
        "README.md".to_string(),
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README.md"),
    )];
    for (rel, bytes) in common::bundle_files(bundle) {
        if rel.ends_with(".md") {
            docs.push((
                format!("<bundle>/{rel}"),
                String::from_utf8(bytes).expect("UTF-8 Markdown"),
            ));
        }
    }
    docs
}

/// Fenced code blocks: (info string, first line number, text).
fn fenced_blocks(md: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    for (i, line) in md.lines().enumerate() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("```") {
            match open.take() {
                Some(block) => out.push(block),
                None => open = Some((rest.trim().to_string(), i + 2, String::new())),
            }
            continue;
        }
        if let Some((_, _, text)) = open.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

/// Every fixgen command line: lines of non-PowerShell code blocks that start with `fixgen `
/// (a trailing `# comment` removed), and inline code spans that start with `fixgen `.
fn fixgen_commands(md: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (_info, first, text) in fenced_blocks(md) {
        // PowerShell blocks too: a fixgen line there is the same command line.
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.starts_with("fixgen ") {
                let cmd = match t.find(" #") {
                    Some(p) => &t[..p],
                    None => t,
                };
                out.push((first + i, cmd.trim().to_string()));
            }
        }
    }
    let mut in_block = false;
    for (i, line) in md.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        // An escaped backtick (`\``) is a literal character, not a code span delimiter.
        let line = line.replace("\\`", "\u{0}");
        for (j, span) in line.split('`').enumerate() {
            if j % 2 == 1 && span.starts_with("fixgen ") {
                out.push((i + 1, span.trim().to_string()));
            }
        }
    }
    out
}

fn is_synopsis(cmd: &str) -> bool {
    cmd.contains('[') || cmd.contains('|') || cmd.contains("...") || cmd.contains('(')
}

/// Words of a shell command line: whitespace-separated, `'...'` and `"..."` quoting.
fn shell_words(cmd: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in cmd.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                started = true;
            }
            None if c.is_whitespace() => {
                if started || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            None => cur.push(c),
        }
    }
    if started || !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn help_of(sub: &str) -> Option<String> {
    let o = common::fixgen()
        .args([sub, "--help"])
        .output()
        .expect("run");
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Problems with one fixgen command line, empty when it parses.
fn check_fixgen(cmd: &str) -> Vec<String> {
    let words = shell_words(cmd);
    let Some(sub) = words.get(1) else {
        return vec![format!("`{cmd}`: no subcommand")];
    };
    let Some(help) = help_of(sub) else {
        return vec![format!("`{cmd}`: `fixgen {sub}` is not a command")];
    };
    if words.len() == 2 {
        // `fixgen verify` named in prose: the command exists (its help printed).
        return Vec::new();
    }
    if is_synopsis(cmd) {
        let mut out = Vec::new();
        for w in cmd.split(|c: char| c.is_whitespace() || "[]|(),".contains(c)) {
            if let Some(flag) = w.strip_prefix("--") {
                let flag = format!("--{}", flag.split('=').next().unwrap_or(""));
                let known = help
                    .split(|c: char| !(c.is_alphanumeric() || c == '-'))
                    .any(|t| t == flag);
                if !known {
                    out.push(format!("`{cmd}`: `fixgen {sub}` has no option {flag}"));
                }
            }
        }
        return out;
    }
    let o = common::fixgen()
        .args(&words[1..])
        .env("FIXGEN_PARSE_ONLY", "1")
        .output()
        .expect("run fixgen");
    if o.status.success() {
        Vec::new()
    } else {
        vec![format!(
            "`{cmd}`: the argument parser rejects it: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )]
    }
}

#[test]
fn every_fixgen_command_line_in_the_docs_parses() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = built_bundle(dir.path(), false);
    let mut problems = Vec::new();
    let mut n = 0;
    let mut generated = 0;
    for (name, text) in documents(&bundle) {
        for (line, cmd) in fixgen_commands(&text) {
            n += 1;
            if name.starts_with("<bundle>") {
                generated += 1;
            }
            problems.extend(
                check_fixgen(&cmd)
                    .into_iter()
                    .map(|p| format!("{name}:{line}: {p}")),
            );
        }
    }
    eprintln!("checked {n} fixgen command lines ({generated} in generated READMEs)");
    assert!(n >= 20, "only {n} fixgen command lines found");
    assert!(generated >= 2, "only {generated} in generated READMEs");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_parse_check_rejects_an_unknown_flag() {
    // The check above can fail: an unknown flag, a synopsis naming one, a missing command.
    assert!(!check_fixgen("fixgen build --sign --out dist").is_empty());
    assert!(!check_fixgen("fixgen build [--sign] ...").is_empty());
    assert!(!check_fixgen("fixgen deploy").is_empty());
    assert!(check_fixgen("fixgen build --target gpo --out dist").is_empty());
    assert!(check_fixgen("fixgen build [--out DIR] [--target all|gpo]").is_empty());
}

/// What pwsh says about one snippet: parse errors, and the parameter names of scripts.
const PARSE_SNIPPET: &str = r#"
$errs = $null; $toks = $null
$src = [System.IO.File]::ReadAllText($args[0])
[void][System.Management.Automation.Language.Parser]::ParseInput($src, [ref]$toks, [ref]$errs)
foreach ($e in $errs) { 'ERROR ' + $e.Extent.StartLineNumber + ': ' + $e.Message }
"#;

const SCRIPT_PARAMS: &str = r#"
$errs = $null; $toks = $null
$ast = [System.Management.Automation.Language.Parser]::ParseFile($args[0], [ref]$toks, [ref]$errs)
$sp = $false
if ($ast.ParamBlock) {
  foreach ($a in $ast.ParamBlock.Attributes) { if ($a.Extent.Text -match 'SupportsShouldProcess') { $sp = $true } }
  foreach ($p in $ast.ParamBlock.Parameters) { 'PARAM ' + $p.Name.VariablePath.UserPath }
}
'SHOULDPROCESS ' + $sp
"#;

/// Run `script` (saved as a file in `dir`) with `pwsh -File`, passing `arg`.
fn pwsh_file(
    pwsh: &Path,
    dir: &Path,
    name: &str,
    script: &str,
    arg: &Path,
) -> std::process::Output {
    let helper = dir.join(name);
    if !helper.exists() {
        std::fs::write(&helper, script).unwrap();
    }
    let o = common::pwsh_host::pwsh_command(pwsh)
        .arg("-File")
        .arg(&helper)
        .arg(arg)
        .output()
        .expect("run pwsh");
    assert!(
        o.status.success(),
        "pwsh failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn script_params(pwsh: &Path, dir: &Path, file: &Path) -> (BTreeSet<String>, bool) {
    let o = pwsh_file(pwsh, dir, "script-params.ps1", SCRIPT_PARAMS, file);
    let text = String::from_utf8_lossy(&o.stdout);
    let params = text
        .lines()
        .filter_map(|l| l.strip_prefix("PARAM "))
        .map(|p| p.trim().to_ascii_lowercase())
        .collect();
    (params, text.contains("SHOULDPROCESS True"))
}

/// Native programs the docs' PowerShell examples run: fixgen itself and the .NET SDK's `dotnet`
/// (README "Tests": installing PowerShell and Pester).
const NATIVE_PROGRAMS: &[&str] = &["fixgen", "dotnet"];

#[test]
fn every_powershell_snippet_in_the_docs_parses_and_names_real_commands() {
    let Some(pwsh) = common::pwsh_host::pwsh() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bundle = built_bundle(dir.path(), false);
    let open = built_bundle(dir.path(), true);
    // The bundle's module functions: name -> (parameters, ShouldProcess).
    let mut module_fns: BTreeMap<String, (BTreeSet<String>, bool)> = BTreeMap::new();
    for (rel, bytes) in common::bundle_files(&bundle) {
        if rel.ends_with(".psm1") {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            for (name, (params, sp)) in common::pwsh::defined_functions(&text) {
                let params = params.iter().map(|p| p.to_ascii_lowercase()).collect();
                module_fns.insert(name.to_ascii_lowercase(), (params, sp));
            }
        }
    }
    let mut problems = Vec::new();
    let mut snippets = 0;
    let mut commands = 0;
    for (name, text) in documents(&bundle) {
        for (info, first, code) in fenced_blocks(&text) {
            if info != "powershell" {
                continue;
            }
            snippets += 1;
            let at = |l: usize| format!("{name}:{}", first + l - 1);
            let file = dir.path().join(format!("snippet{snippets}.ps1"));
            std::fs::write(&file, &code).unwrap();
            let o = pwsh_file(&pwsh, dir.path(), "parse-snippet.ps1", PARSE_SNIPPET, &file);
            for l in String::from_utf8_lossy(&o.stdout).lines() {
                problems.push(format!("{name} (block at line {first}): pwsh: {l}"));
            }
            for cmd in common::pwsh::commands(&code) {
                commands += 1;
                let lower = cmd.name.to_ascii_lowercase();
                let (known, sp): (BTreeSet<String>, bool) = if let Some(c) =
                    lookup_doc_cmdlet(&cmd.name)
                {
                    if c.name != cmd.name {
                        problems.push(format!(
                            "{}: `{}` is spelled {}",
                            at(cmd.line),
                            cmd.name,
                            c.name
                        ));
                    }
                    (
                        c.params.iter().map(|p| p.to_ascii_lowercase()).collect(),
                        c.should_process,
                    )
                } else if let Some(rel) = lower.strip_prefix(".\\").filter(|p| p.ends_with(".ps1"))
                {
                    // README.md shows the scripts of a build without values (open params).
                    let root = if name == "README.md" { &open } else { &bundle };
                    let path = root.join(cmd.name[2..].replace('\\', "/"));
                    if !path.is_file() {
                        problems.push(format!(
                            "{}: `{}` is not a file of the bundle",
                            at(cmd.line),
                            cmd.name
                        ));
                        continue;
                    }
                    let _ = rel;
                    script_params(&pwsh, dir.path(), &path)
                } else if let Some(f) = module_fns.get(&lower) {
                    f.clone()
                } else if NATIVE_PROGRAMS.contains(&lower.as_str()) {
                    // A native program, not a cmdlet: its flags are its own (fixgen's command
                    // lines are run through its parser by every_fixgen_command_line_in_the_docs_parses).
                    continue;
                } else {
                    problems.push(format!("{}: unknown command `{}`", at(cmd.line), cmd.name));
                    continue;
                };
                for p in &cmd.params {
                    let pl = p.to_ascii_lowercase();
                    let ok = known.contains(&pl)
                        || COMMON_PARAMETERS.iter().any(|c| c.eq_ignore_ascii_case(p))
                        || (sp
                            && SHOULD_PROCESS_PARAMETERS
                                .iter()
                                .any(|c| c.eq_ignore_ascii_case(p)));
                    if !ok {
                        problems.push(format!(
                            "{}: `{}` has no parameter -{p}",
                            at(cmd.line),
                            cmd.name
                        ));
                    }
                }
                // Windows PowerShell 5.1 reads a file without a BOM in the ANSI code page: a
                // snippet that reads a (UTF-8, BOM-less) file must say which encoding.
                if lower == "get-content"
                    && !cmd
                        .params
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case("Encoding"))
                {
                    problems.push(format!(
                        "{}: Get-Content without -Encoding reads UTF-8 as ANSI in Windows PowerShell 5.1",
                        at(cmd.line)
                    ));
                }
            }
        }
    }
    eprintln!("checked {snippets} PowerShell snippets, {commands} commands");
    assert!(snippets >= 3, "only {snippets} PowerShell snippets found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
