//! The generated PowerShell read by the real PowerShell 7 parser (an oracle we did not write):
//! every .ps1/.psm1/.psd1 of the L2TP bundle, built by the real binary unsigned and signed, with
//! `--values` and `--target all` and without, goes through
//! `[System.Management.Automation.Language.Parser]::ParseFile` with zero errors; an AST walk
//! rejects every construct Windows PowerShell 5.1 cannot run ([`PS51_RULES`], each proven to bite
//! by a snippet); `Test-ModuleManifest` and `Import-Module` accept the generated module, which
//! does no work at import and exports exactly its manifest's `FunctionsToExport`; and no registry
//! value name (a recipe with `*`, `?`, `[a]`, a backtick and the default value) reaches a `-Name`
//! parameter that expands wildcards.
//!
//! One pwsh process does all of it (`tests/pwsh_parse/check.ps1`: start-up costs about a second);
//! the tests below read its output. pwsh follows the oracle rule (`common::pwsh_host`).

mod common;
mod pki;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::pwsh_host;

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pwsh_parse/check.ps1");

/// What the AST walk rejects: (rule id printed by check.ps1, why Windows PowerShell 5.1 cannot
/// run it, a snippet that must be reported with exactly that rule). Keep in step with check.ps1.
const PS51_RULES: &[(&str, &str, &str)] = &[
    ("ternary", "`a ? b : c` is PowerShell 7.0 syntax; 5.1 fails to parse it", "$x = $true ? 1 : 2\n"),
    ("null-coalescing", "`??` is PowerShell 7.0 syntax", "$x = $null ?? 'fallback'\n"),
    ("null-coalescing-assignment", "`??=` is PowerShell 7.0 syntax", "$x = $null\n$x ??= 'fallback'\n"),
    ("null-conditional-member", "`?.` is PowerShell 7.1 syntax (experimental in 7.0)", "$o = $null\n${o}?.Length\n"),
    ("null-conditional-index", "`?[]` is PowerShell 7.1 syntax (experimental in 7.0)", "$a = $null\n${a}?[0]\n"),
    ("pipeline-chain", "`&&` and `||` between pipelines are PowerShell 7.0 syntax", "Get-Date && Get-Date\nGet-Date || Get-Date\n"),
    ("clean-block", "the `clean` block of a script block is PowerShell 7.3 syntax", "function F {\n    process { 1 }\n    clean { 2 }\n}\n"),
    ("background-operator", "a trailing `&` (background job) is PowerShell 6.0 syntax", "Get-Date &\n"),
    ("enum-underlying-type", "an enum with an underlying type (`enum E : byte`) is PowerShell 6.2 syntax", "enum Small : byte { One = 1 }\n"),
    ("binary-literal", "binary number literals (`0b101`) are PowerShell 7.0 syntax", "$x = 0b101\n"),
    ("number-suffix", "the number suffixes u, y, uy, s, us, ul, n are PowerShell 6.2/7.0 syntax", "$x = 5u\n"),
    ("unicode-escape", "the `` `u{...} `` escape in double-quoted strings is PowerShell 6.0; 5.1 prints u{...}", "$x = \"`u{263A}\"\n"),
    ("variable-psstyle", "`$PSStyle` exists from PowerShell 7.2; in 5.1 it is $null", "$PSStyle.Reset\n"),
    ("variable-isplatform", "`$IsWindows`, `$IsLinux`, `$IsMacOS`, `$IsCoreCLR` exist from 6.0; in 5.1 they are $null, so a test of them is silently false", "if ($IsWindows) { 1 }\n"),
    ("variable-psnativecommand", "`$PSNativeCommandArgumentPassing` and `$PSNativeCommandUseErrorActionPreference` exist from 7.3", "$PSNativeCommandUseErrorActionPreference = $true\n"),
    ("variable-experimentalfeatures", "`$EnabledExperimentalFeatures` exists from 6.2", "$EnabledExperimentalFeatures\n"),
    ("foreach-parallel", "`ForEach-Object -Parallel` is PowerShell 7.0", "1..2 | ForEach-Object -Parallel { $_ }\n"),
    ("convertfrom-json-ashashtable", "`ConvertFrom-Json -AsHashtable` is PowerShell 6.0", "'{}' | ConvertFrom-Json -AsHashtable\n"),
    ("convertfrom-json-depth", "`ConvertFrom-Json -Depth` is PowerShell 6.2", "'{}' | ConvertFrom-Json -Depth 5\n"),
    ("convertfrom-json-noenumerate", "`ConvertFrom-Json -NoEnumerate` is PowerShell 7.0", "'[]' | ConvertFrom-Json -NoEnumerate\n"),
    ("convertto-json-asarray", "`ConvertTo-Json -AsArray` is PowerShell 6.0", "1 | ConvertTo-Json -AsArray\n"),
    ("convertto-json-escapehandling", "`ConvertTo-Json -EscapeHandling` is PowerShell 6.2", "1 | ConvertTo-Json -EscapeHandling EscapeHtml\n"),
    ("join-path-additionalchildpath", "`Join-Path -AdditionalChildPath` is PowerShell 6.0 (5.1 joins two parts)", "Join-Path a b -AdditionalChildPath c\n"),
    ("content-asbytestream", "`-AsByteStream` of Get-/Set-/Add-Content is PowerShell 6.0 (5.1 has -Encoding Byte)", "Get-Content -LiteralPath x -AsByteStream\nSet-Content -LiteralPath x -Value 1 -AsByteStream\n"),
    ("split-path-leafbase", "`Split-Path -LeafBase` is PowerShell 6.0", "Split-Path -LeafBase a.txt\n"),
    ("split-path-extension", "`Split-Path -Extension` is PowerShell 6.0", "Split-Path -Extension a.txt\n"),
    ("get-date-asutc", "`Get-Date -AsUTC` is PowerShell 7.1", "Get-Date -AsUTC\n"),
    ("get-date-unixtimeseconds", "`Get-Date -UnixTimeSeconds` is PowerShell 7.1", "Get-Date -UnixTimeSeconds 0\n"),
    ("test-connection-targetname", "`Test-Connection -TargetName` is PowerShell 6.0 (5.1 has -ComputerName)", "Test-Connection -TargetName localhost\n"),
    ("web-skipcertificatecheck", "`-SkipCertificateCheck` of Invoke-WebRequest/Invoke-RestMethod is PowerShell 6.0", "Invoke-WebRequest -Uri https://example.invalid -SkipCertificateCheck\n"),
    ("select-string-raw", "`Select-String -Raw` is PowerShell 7.0", "'a' | Select-String -Pattern a -Raw\n"),
    ("start-process-environment", "`Start-Process -Environment` is PowerShell 7.4", "Start-Process -FilePath x -Environment @{ A = 1 }\n"),
    ("encoding-name", "`-Encoding utf8NoBOM`, `utf8BOM` and `ansi` are PowerShell 6.0/7.4 names; 5.1's FileSystemCmdletProviderEncoding lacks them", "Set-Content -LiteralPath x -Value 1 -Encoding utf8NoBOM\n"),
    ("encoding-codepage", "a numeric code page for -Encoding is PowerShell 7.2", "Set-Content -LiteralPath x -Value 1 -Encoding 1252\n"),
    ("join-string", "Join-String is PowerShell 6.2", "1, 2 | Join-String\n"),
    ("test-json", "Test-Json is PowerShell 6.1", "Test-Json -Json '{}'\n"),
    ("get-error", "Get-Error is PowerShell 7.0", "Get-Error\n"),
    ("remove-alias", "Remove-Alias is PowerShell 6.0", "Remove-Alias -Name x\n"),
    ("remove-service", "Remove-Service is PowerShell 6.0", "Remove-Service -Name x\n"),
    ("get-uptime", "Get-Uptime is PowerShell 6.0", "Get-Uptime\n"),
    ("markdown-cmdlets", "ConvertFrom-Markdown and Show-Markdown are PowerShell 6.1", "ConvertFrom-Markdown -Path x.md\n"),
    ("get-securerandom", "Get-SecureRandom is PowerShell 7.4", "Get-SecureRandom\n"),
    ("clixml-string-cmdlets", "ConvertTo-CliXml and ConvertFrom-CliXml are PowerShell 7.5", "1 | ConvertTo-CliXml\n"),
    ("start-threadjob", "Start-ThreadJob ships with PowerShell 7 (a Gallery module on 5.1)", "Start-ThreadJob -ScriptBlock { 1 }\n"),
];

/// Uses of cmdlets whose -Name expands wildcards: (snippet, reported as WILDNAME?). A constant
/// name without wildcard characters is the only accepted form.
const WILDNAME_CASES: &[(&str, bool)] = &[
    (
        "Remove-ItemProperty -LiteralPath $p -Name $name -Force\n",
        true,
    ),
    ("Get-ItemProperty -LiteralPath $p -Name 'Run*'\n", true),
    ("Get-ItemProperty $p $name\n", true),
    ("Clear-ItemProperty -LiteralPath $p -Na:$name\n", true),
    (
        "Get-ItemPropertyValue -LiteralPath $p -Name ([WildcardPattern]::Escape($n))\n",
        true,
    ),
    (
        "Get-ItemProperty -LiteralPath $p -Name 'DelayedAutostart' -ErrorAction SilentlyContinue\n",
        false,
    ),
];

/// A snippet that uses only what 5.1 has, including look-alikes of the rules above.
const CLEAN_SNIPPET: &str = r#"[CmdletBinding(SupportsShouldProcess)]
param([string]$Path)
$o = [ordered]@{ A = 1 }
$h = @{ Value = 0x1b; Long = 5l; Dec = 5d; Size = 1kb }
if ($null -eq $Path) { $Path = 'x' } else { $Path = $Path }
$text = "tab`tquote`" and u{263A} without a backtick"
Get-Content -LiteralPath $Path -Encoding UTF8 -Raw | ConvertFrom-Json
Set-Content -LiteralPath $Path -Value 1 -Encoding Byte
Join-Path -Path a -ChildPath b
1..3 | ForEach-Object -Process { $_ } | Where-Object { $_ -gt 1 }
class Thing { [string]$Name }
enum Color { Red = 1 }
Test-Connection -ComputerName localhost -Count 1
"#;

/// Registry value names that are wildcard patterns (and the default value, ""), for the
/// registry-names bundle: (name, ensure absent?).
const REGISTRY_NAMES: &[(&str, bool)] = &[
    ("*", true),
    ("?", false),
    ("[a]", true),
    ("`", false),
    ("", true),
];

struct Bundle {
    label: &'static str,
    dir: PathBuf,
    files: Vec<PathBuf>,
}

struct Run {
    bundles: Vec<Bundle>,
    /// (rule id or "clean" / "wildname-N", snippet file)
    snippets: Vec<(String, PathBuf)>,
    manifests: Vec<PathBuf>,
    checked: usize,
    out: String,
    _root: tempfile::TempDir,
}

fn ps_files(dir: &Path) -> Vec<PathBuf> {
    common::bundle_files(dir)
        .keys()
        .filter(|k| k.ends_with(".ps1") || k.ends_with(".psm1") || k.ends_with(".psd1"))
        .map(|k| dir.join(k))
        .collect()
}

fn build(label: &'static str, out: &Path, args: &[&str], signed: Option<&pki::Pki>) -> Bundle {
    let mut c = common::fixgen();
    c.arg("build").args(args).arg("--out").arg(out);
    if let Some(p) = signed {
        c.arg("--pfx")
            .arg(&p.pfx_modern)
            .args(["--password-env", "FIXGEN_PW"])
            .env("FIXGEN_PW", pki::PASSWORD);
    }
    let o = c.output().expect("run fixgen");
    assert!(
        o.status.success(),
        "{label}: fixgen build failed:\n{}",
        common::output_text(&o)
    );
    let files = ps_files(out);
    assert!(
        !files.is_empty(),
        "{label}: no PowerShell files in {}",
        out.display()
    );
    Bundle {
        label,
        dir: out.to_path_buf(),
        files,
    }
}

fn registry_names_recipe(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut steps = String::new();
    for (name, absent) in REGISTRY_NAMES {
        let name = serde_json::to_string(name).unwrap();
        if *absent {
            steps.push_str(&format!(
                "  - registry: {{ key: HKLM\\SOFTWARE\\FixgenNames, name: {name}, ensure: absent }}\n"
            ));
        } else {
            steps.push_str(&format!(
                "  - registry: {{ key: HKLM\\SOFTWARE\\FixgenNames, name: {name}, value: {{ dword: 1 }} }}\n"
            ));
        }
    }
    common::write_bundle(
        dir,
        &[
            (
                "bundle.yaml",
                "name: NamesFix\ntitle: Wildcard value names\nversion: 0.1.0\ndescription: Registry value names that are wildcard patterns.\npublisher: fixgen tests\nrecipes: [names]\n",
            ),
            (
                "names.yaml",
                &format!(
                    "id: names\ntitle: Value names that are wildcard patterns\nsummary: Value names such as * and [a] are legal; they must be taken literally.\ncontext: system\nreboot: none\nsteps:\n{steps}"
                ),
            ),
        ],
    );
}

fn run() -> Option<&'static Run> {
    let exe = pwsh_host::pwsh()?;
    static RUN: OnceLock<Run> = OnceLock::new();
    Some(RUN.get_or_init(|| {
        let root = tempfile::tempdir().expect("temp dir");
        let r = root.path();
        let values = r.join("values.yaml");
        std::fs::write(
            &values,
            "ConnectionName: Contoso VPN\nServerAddress: vpn.contoso.com\nPreSharedKey: correct-horse-battery\n",
        )
        .unwrap();
        let v = values.to_str().unwrap();
        let with_values = ["--values", v, "--allow-embedded-secrets", "--target", "all"];
        let mut bundles = vec![
            build("unsigned", &r.join("unsigned"), &[], None),
            build("unsigned --values --target all", &r.join("unsigned-all"), &with_values, None),
        ];
        match pki::pki() {
            Some(p) => {
                bundles.push(build("signed", &r.join("signed"), &[], Some(p)));
                bundles.push(build(
                    "signed --values --target all",
                    &r.join("signed-all"),
                    &with_values,
                    Some(p),
                ));
            }
            None => common::skipped("the signed builds (no test PKI without openssl)"),
        }
        let names_src = r.join("names-src");
        registry_names_recipe(&names_src);
        let o = common::fixgen().arg("check").arg(&names_src).output().unwrap();
        assert!(
            o.status.success(),
            "fixgen check refused legal value names:\n{}",
            common::output_text(&o)
        );
        bundles.push(build(
            "registry names --target all",
            &r.join("names"),
            &[names_src.to_str().unwrap(), "--target", "all"],
            None,
        ));

        let snippet_dir = r.join("snippets");
        std::fs::create_dir_all(&snippet_dir).unwrap();
        let mut snippets = Vec::new();
        for (rule, _, code) in PS51_RULES {
            let p = snippet_dir.join(format!("{rule}.ps1"));
            std::fs::write(&p, code).unwrap();
            snippets.push((rule.to_string(), p));
        }
        for (i, (code, _)) in WILDNAME_CASES.iter().enumerate() {
            let p = snippet_dir.join(format!("wildname-{i}.ps1"));
            std::fs::write(&p, code).unwrap();
            snippets.push((format!("wildname-{i}"), p));
        }
        let clean = snippet_dir.join("clean.ps1");
        std::fs::write(&clean, CLEAN_SNIPPET).unwrap();
        snippets.push(("clean".to_string(), clean));

        let mut list = String::new();
        for f in bundles.iter().flat_map(|b| &b.files) {
            list.push_str(f.to_str().unwrap());
            list.push('\n');
        }
        for (_, f) in &snippets {
            list.push_str(f.to_str().unwrap());
            list.push('\n');
        }
        let list_file = r.join("files.txt");
        std::fs::write(&list_file, &list).unwrap();
        let manifests: Vec<PathBuf> = bundles
            .iter()
            .flat_map(|b| &b.files)
            .filter(|f| f.extension().is_some_and(|e| e == "psd1"))
            .cloned()
            .collect();
        let mut mlist = String::new();
        for m in &manifests {
            mlist.push_str(m.to_str().unwrap());
            mlist.push('\n');
        }
        let manifest_file = r.join("manifests.txt");
        std::fs::write(&manifest_file, &mlist).unwrap();

        let o = pwsh_host::pwsh_command(&exe)
            .args(["-File", CHECKER, "-ListFile"])
            .arg(&list_file)
            .arg("-ManifestListFile")
            .arg(&manifest_file)
            .output()
            .expect("start pwsh");
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            o.status.success() && o.stderr.is_empty(),
            "the checker failed (exit {:?}):\n{}",
            o.status.code(),
            common::output_text(&o)
        );
        let checked = out
            .lines()
            .find_map(|l| l.strip_prefix("CHECKED "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no CHECKED line:\n{out}"));
        Run {
            bundles,
            snippets,
            manifests,
            checked,
            out,
            _root: root,
        }
    }))
}

/// Output lines with `prefix` about `file` (its path followed by `:`).
fn lines_about<'a>(out: &'a str, prefix: &str, file: &Path) -> Vec<&'a str> {
    let head = format!("{prefix} {}:", file.display());
    out.lines().filter(|l| l.starts_with(&head)).collect()
}

/// Field `n` (0: `line:column`, 1: rule, 2: text) of a `PREFIX <file>:<line>:<column>: ...` line.
fn field<'a>(line: &'a str, file: &Path, n: usize) -> &'a str {
    let rest = &line[line.find(&format!("{}:", file.display())).unwrap()
        + file.display().to_string().len()
        + 1..];
    rest.splitn(3, ": ").nth(n).unwrap_or("")
}

fn is_bundle_file(run: &Run, line: &str) -> bool {
    run.bundles
        .iter()
        .any(|b| line.contains(&format!(" {}/", b.dir.display())))
}

#[test]
fn every_generated_file_parses_with_zero_errors() {
    let Some(run) = run() else { return };
    let total: usize = run.bundles.iter().map(|b| b.files.len()).sum();
    assert_eq!(
        run.checked,
        total + run.snippets.len(),
        "pwsh did not parse every file:\n{}",
        run.out
    );
    // Every artifact kind is in the set: scripts, undo scripts, the module, Intune, GPO.
    let all = run
        .bundles
        .iter()
        .find(|b| b.label == "unsigned --values --target all")
        .unwrap();
    for part in [
        "/scripts/Invoke-L2tpIpsecFix.ps1",
        "/scripts/Undo-nat-traversal.ps1",
        "/module/L2tpIpsecFix/L2tpIpsecFix.psm1",
        "/module/L2tpIpsecFix/L2tpIpsecFix.psd1",
        "/intune/L2tpIpsecFix/detect.ps1",
        "/intune/nat-traversal/remediate.ps1",
        "/gpo/Machine/Scripts/Startup/Invoke-L2tpIpsecFix.ps1",
    ] {
        assert!(
            all.files
                .iter()
                .any(|f| f.to_str().unwrap().ends_with(part)),
            "{part} missing from {}",
            all.dir.display()
        );
    }
    let errors: Vec<&str> = run
        .out
        .lines()
        .filter(|l| l.starts_with("PARSE ") && is_bundle_file(run, l))
        .collect();
    assert!(
        errors.is_empty(),
        "{} parse errors in generated files:\n{}",
        errors.len(),
        errors.join("\n")
    );
    for b in &run.bundles {
        eprintln!("parsed {} files of the {} build", b.files.len(), b.label);
    }
}

#[test]
fn no_generated_file_uses_what_windows_powershell_5_1_lacks() {
    let Some(run) = run() else { return };
    let found: Vec<&str> = run
        .out
        .lines()
        .filter(|l| l.starts_with("PS51 ") && is_bundle_file(run, l))
        .collect();
    assert!(
        found.is_empty(),
        "constructs Windows PowerShell 5.1 cannot run:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_5_1_walk_reports_each_construct_and_nothing_else() {
    let Some(run) = run() else { return };
    let documented: BTreeSet<&str> = PS51_RULES.iter().map(|(r, _, _)| *r).collect();
    assert_eq!(documented.len(), PS51_RULES.len(), "duplicate rule ids");
    for (rule, why, _) in PS51_RULES {
        assert!(!why.is_empty(), "{rule}: no reason documented");
    }
    for (id, file) in &run.snippets {
        assert!(
            lines_about(&run.out, "PARSE", file).is_empty(),
            "snippet {id} does not parse:\n{}",
            run.out
        );
        let rules: BTreeSet<&str> = lines_about(&run.out, "PS51", file)
            .iter()
            .map(|l| field(l, file, 1))
            .collect();
        for r in &rules {
            assert!(
                documented.contains(r),
                "rule {r} is not documented in PS51_RULES"
            );
        }
        let wild = lines_about(&run.out, "WILDNAME", file);
        if id == "clean" {
            assert!(
                rules.is_empty() && wild.is_empty(),
                "clean snippet reported: {rules:?} {wild:?}"
            );
        } else if let Some(i) = id.strip_prefix("wildname-") {
            let (code, expected) = WILDNAME_CASES[i.parse::<usize>().unwrap()];
            assert!(rules.is_empty(), "{code}: {rules:?}");
            assert_eq!(
                !wild.is_empty(),
                expected,
                "WILDNAME for {code:?}: {wild:?}"
            );
        } else {
            assert_eq!(
                rules,
                BTreeSet::from([id.as_str()]),
                "snippet for {id} reported {rules:?}"
            );
        }
    }
}

#[test]
fn generated_module_imports_and_exports_exactly_its_manifest_list() {
    let Some(run) = run() else { return };
    assert!(!run.manifests.is_empty());
    let out = &run.out;
    assert!(
        out.lines()
            .any(|l| l == format!("MODULES {}", run.manifests.len())),
        "not every module was checked:\n{out}"
    );
    for m in &run.manifests {
        let errors = lines_about(out, "MODULE-ERROR", m);
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        let get = |prefix: &str| -> BTreeSet<String> {
            let l = lines_about(out, prefix, m);
            assert_eq!(l.len(), 1, "{prefix} for {}:\n{out}", m.display());
            let (_, list) = l[0].rsplit_once(": ").unwrap();
            list.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        let listed = get("MANIFEST-EXPORTS");
        let exported = get("MODULE-EXPORTS");
        assert!(!listed.is_empty(), "{} lists no functions", m.display());
        assert_eq!(
            exported,
            listed,
            "{}: exports differ from FunctionsToExport",
            m.display()
        );
        let psm1 = m.with_extension("psm1");
        let at_import = lines_about(out, "TOPLEVEL", &psm1);
        assert!(
            at_import.is_empty(),
            "{} does work at import:\n{}",
            psm1.display(),
            at_import.join("\n")
        );
    }
    // The L2TP module exports its bundle entry points (the names come from the recipes, not
    // from the template, so this also checks that the list is the L2TP one).
    let l2tp: Vec<&PathBuf> = run
        .manifests
        .iter()
        .filter(|m| m.ends_with("L2tpIpsecFix/L2tpIpsecFix.psd1"))
        .collect();
    assert_eq!(
        l2tp.len(),
        run.bundles.len() - 1,
        "one L2TP module per L2TP build"
    );
    for m in l2tp {
        let line = lines_about(out, "MODULE-EXPORTS", m)[0];
        for f in [
            "Invoke-L2tpIpsecFix",
            "Undo-L2tpIpsecFix",
            "Set-L2tpIpsecFixNatTraversal",
            "Test-L2tpIpsecFixNatTraversal",
        ] {
            assert!(
                line.split([' ', ',']).any(|n| n == f),
                "{f} not exported: {line}"
            );
        }
    }
}

#[test]
fn registry_value_names_never_reach_a_wildcard_parameter() {
    let Some(run) = run() else { return };
    let wild: Vec<&str> = run
        .out
        .lines()
        .filter(|l| l.starts_with("WILDNAME ") && is_bundle_file(run, l))
        .collect();
    assert!(
        wild.is_empty(),
        "registry value names reach a -Name that expands wildcards:\n{}",
        wild.join("\n")
    );
    // Each script of the names bundle carries the names verbatim in its step data.
    let names = run
        .bundles
        .iter()
        .find(|b| b.label.starts_with("registry names"))
        .unwrap();
    let expected: BTreeSet<String> = REGISTRY_NAMES
        .iter()
        .map(|(n, _)| serde_json::to_string(n).unwrap())
        .collect();
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &names.files {
        for l in lines_about(&run.out, "REGSTEP", f) {
            let json = &l[format!("REGSTEP {}: ", f.display()).len()..];
            seen.entry(f.display().to_string())
                .or_default()
                .insert(json.to_string());
        }
    }
    for part in [
        "scripts/names.ps1",
        "scripts/Undo-names.ps1",
        "module/NamesFix/NamesFix.psm1",
        "intune/names/detect.ps1",
        "intune/names/remediate.ps1",
    ] {
        let file = names.dir.join(part).display().to_string();
        assert_eq!(
            seen.get(&file),
            Some(&expected),
            "value names in {part} as pwsh reads them"
        );
    }
}
