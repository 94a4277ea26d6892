//! Runs the Pester scenarios of `tests/pester/*.Tests.ps1` in the real PowerShell 7 against the
//! simulated Windows of `tests/pester/sim/SimWindows.psm1` (issue 13; contract in the file
//! header of that module). One `#[test]` per Pester file, plus one that fails when a Pester file
//! has no test here.
//!
//! Each file runs in its own `pwsh` process with:
//! - `FIXGEN_BIN`: the fixgen binary under test;
//! - `FIXGEN_L2TP_BUNDLE`: the embedded L2TP bundle built with values (all targets);
//! - `FIXGEN_L2TP_OPEN`: the same bundle built without values (open parameters);
//! - `FIXGEN_TEST_TMP`: a scratch folder for this file.
//!
//! A test tagged `KnownFailure:<issue>` is inverted: it must fail (a known fault, fixed by that
//! issue), and it fails the run when it passes ("now passes: remove the known-failure mark").
//! Oracle rule: without pwsh or Pester the tests are skipped with a printed reason, and fail
//! under `FIXGEN_REQUIRE_ORACLES=1`.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Bundles {
    _dir: tempfile::TempDir,
    full: PathBuf,
    open: PathBuf,
}

fn build(args: &[&str]) {
    let out = common::fixgen().args(args).output().expect("run fixgen");
    assert!(
        out.status.success(),
        "fixgen {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The two L2TP bundles, built once per `cargo test` process.
fn bundles() -> &'static Bundles {
    static B: OnceLock<Bundles> = OnceLock::new();
    B.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let values = dir.path().join("values.yaml");
        std::fs::write(
            &values,
            "ConnectionName: Contoso VPN\nServerAddress: vpn.contoso.com\nPreSharedKey: correct-horse-battery\n",
        )
        .expect("write values");
        let full = dir.path().join("full");
        let open = dir.path().join("open");
        build(&[
            "build",
            "--values",
            values.to_str().expect("utf-8 path"),
            "--allow-embedded-secrets",
            "--target",
            "all",
            "--out",
            full.to_str().expect("utf-8 path"),
        ]);
        build(&["build", "--out", open.to_str().expect("utf-8 path")]);
        Bundles {
            _dir: dir,
            full,
            open,
        }
    })
}

fn pester_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pester")
}

/// The PowerShell run by each test: Invoke-Pester on one file, then one line per failed test
/// (known failures inverted), and a non-zero exit when any failed or none ran.
const RUNNER: &str = r#"
$ErrorActionPreference = 'Stop'
Import-Module -Name $env:FIXGEN_PESTER_MODULE -Force
$config = New-PesterConfiguration
$config.Run.Path = $env:FIXGEN_PESTER_FILE
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
$failed = 0
$passed = 0
foreach ($test in $result.Tests) {
    $known = @($test.Tag | Where-Object { $_ -like 'KnownFailure:*' })
    $message = ''
    if ($test.ErrorRecord.Count -gt 0) { $message = ($test.ErrorRecord[0].Exception.Message -replace '\s+', ' ') }
    if ($known.Count -gt 0) {
        if ($test.Result -eq 'Passed') {
            Write-Host ('FAILED: ' + $test.ExpandedPath + ' -- now passes: remove the known-failure mark (' + ($known -join ', ') + ')')
            $failed++
        } elseif ($test.Result -eq 'Failed') {
            Write-Host ('KNOWN FAILURE (' + ($known -join ', ') + '): ' + $test.ExpandedPath + ' -- ' + $message)
            $passed++
        }
    } elseif ($test.Result -eq 'Failed') {
        Write-Host ('FAILED: ' + $test.ExpandedPath + ' -- ' + $message)
        $failed++
    } elseif ($test.Result -eq 'Passed') {
        $passed++
    }
}
foreach ($block in @($result.Failed | Where-Object { $_ -isnot [Pester.Test] }) + @($result.FailedBlocks) + @($result.FailedContainers)) {
    if ($null -eq $block) { continue }
    $message = ''
    if ($block.ErrorRecord.Count -gt 0) { $message = ($block.ErrorRecord[0].Exception.Message -replace '\s+', ' ') }
    Write-Host ('FAILED: block ' + $block.Name + ' -- ' + $message)
    $failed++
}
Write-Host ('PESTER SUMMARY: ' + $passed + ' passed (known failures included), ' + $failed + ' failed, ' + $result.Tests.Count + ' tests')
if ($result.Tests.Count -eq 0) {
    Write-Host 'FAILED: no test ran'
    exit 2
}
if ($failed -gt 0) { exit 1 }
exit 0
"#;

fn run_pester_file(file: &str) {
    let Some(pwsh) = common::pwsh_host::pwsh() else {
        return;
    };
    let Some(pester) = common::pwsh_host::pester() else {
        return;
    };
    let path = pester_dir().join(file);
    assert!(path.is_file(), "{} is missing", path.display());
    let b = bundles();
    let tmp = tempfile::tempdir().expect("tempdir");
    let started = std::time::Instant::now();
    let out = common::pwsh_host::pwsh_command(&pwsh)
        .args(["-Command", RUNNER])
        .env("FIXGEN_PESTER_MODULE", &pester)
        .env("FIXGEN_PESTER_FILE", &path)
        .env("FIXGEN_BIN", common::fixgen_bin())
        .env("FIXGEN_L2TP_BUNDLE", &b.full)
        .env("FIXGEN_L2TP_OPEN", &b.open)
        .env("FIXGEN_TEST_TMP", tmp.path())
        .output()
        .expect("start pwsh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    println!("{file}: {:.1} s", started.elapsed().as_secs_f64());
    let failures: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("FAILED:"))
        .collect();
    assert!(
        out.status.success() && failures.is_empty(),
        "{file}: {} failing scenario(s) (exit {:?}):\n{}\n{}",
        failures.len(),
        out.status.code(),
        failures.join("\n"),
        if stdout.contains("PESTER SUMMARY") {
            String::new()
        } else {
            format!("pwsh did not finish the run; stderr:\n{stderr}")
        }
    );
}

/// One test per Pester file; `PESTER_FILES` lists them for the completeness check.
macro_rules! pester_files {
    ($($name:ident => $file:literal),* $(,)?) => {
        const PESTER_FILES: &[&str] = &[$($file),*];
        $(
            #[test]
            fn $name() {
                run_pester_file($file);
            }
        )*
    };
}

pester_files! {
    scripts_tests => "Scripts.Tests.ps1",
    invoke_tests => "Invoke.Tests.ps1",
    undo_tests => "Undo.Tests.ps1",
    registry_names_tests => "RegistryNames.Tests.ps1",
    sim_windows_tests => "SimWindows.Tests.ps1",
    gpo_deploy_tests => "GpoDeploy.Tests.ps1",
    module_tests => "Module.Tests.ps1",
    intune_tests => "Intune.Tests.ps1",
    gpo_tests => "Gpo.Tests.ps1",
}

#[test]
fn every_pester_file_has_a_rust_test() {
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(pester_dir()).expect("read tests/pester") {
        let name = entry.expect("dir entry").file_name();
        let name = name.to_string_lossy().to_string();
        if name.ends_with(".Tests.ps1") && !PESTER_FILES.contains(&name.as_str()) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "Pester files without a test in tests/pester.rs (add them to pester_files!): {missing:?}"
    );
    for file in PESTER_FILES {
        assert!(
            pester_dir().join(file).is_file(),
            "tests/pester.rs lists {file}, which does not exist"
        );
    }
}
