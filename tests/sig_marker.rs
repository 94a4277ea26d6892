//! Issue 14, item 1: a `# SIG # Begin signature block` line in recipe text, or anywhere in a
//! script, must never make the signer cut the script short, and `fixgen verify` must accept
//! only a file's final, well-formed signature block. Through the real binary; the signed
//! scripts are checked against the unsigned build (byte for byte) and by osslsigncode.

mod common;
mod pki;

use std::collections::BTreeMap;
use std::path::Path;

use common::fixgen;

const BEGIN: &str = "# SIG # Begin signature block";
const END: &str = "# SIG # End signature block";

/// A bundle whose every kind of recipe text carries the marker lines: bundle description,
/// title, summary (own lines, and a long line that wraps with a marker at the start of a
/// wrapped line for some width), symptom, source step, param description, a param default and
/// a literal registry value (with line breaks around the marker).
fn write_marker_bundle(dir: &Path) {
    let long = format!("lead {}", [BEGIN, END].repeat(12).join(" x "));
    let bundle = format!(
        r#"name: MarkerFix
title: Marker bundle
version: 1.0.0
description: |-
  Bundle text.
  {BEGIN}
  {END}
  tail
publisher: fixgen tests
recipes:
  - marker-text
"#
    );
    let recipe = format!(
        r#"id: marker-text
title: "{BEGIN}"
summary: |-
  First line.
  {BEGIN}
  # MIIx
  {END}
    {BEGIN}
  # sig # begin SIGNATURE block
  {long}
  After the markers.
symptom: "{BEGIN}"
source_step: "{END}"
context: system
reboot: none
params:
  Note:
    type: string
    default: "a\n{BEGIN}\n{END}\nb"
    description: |-
      Param help.
      {BEGIN}
      {END}
steps:
  - registry:
      key: HKLM\SOFTWARE\FixgenTests\Marker
      name: Note
      value: {{ string: {{ param: Note }} }}
  - registry:
      key: HKLM\SOFTWARE\FixgenTests\Marker
      name: Literal
      value: {{ string: "x\r\n{BEGIN}\r\n# AAAA\r\n{END}\r\ny" }}
"#
    );
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("bundle.yaml"), bundle).unwrap();
    std::fs::write(dir.join("marker-text.yaml"), recipe).unwrap();
}

fn is_powershell(p: &str) -> bool {
    [".ps1", ".psm1", ".psd1"].iter().any(|e| p.ends_with(e))
}

fn powershell_files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    common::bundle_files(root)
        .into_iter()
        .filter(|(p, _)| is_powershell(p))
        .collect()
}

/// A line a signature tool could take for a block marker: any case, any indentation.
fn marker_like(line: &str) -> bool {
    let t = line.trim_start().to_ascii_lowercase();
    t.starts_with(&BEGIN.to_ascii_lowercase()) || t.starts_with(&END.to_ascii_lowercase())
}

#[test]
fn marker_lines_in_recipe_text_never_cut_a_signed_script() {
    let Some(p) = pki::pki() else { return };
    let dir = pki::scratch("marker-build");
    let src = dir.join("recipes");
    write_marker_bundle(&src);
    let targets = "scripts,module,intune,gpo";
    let unsigned = dir.join("unsigned");
    let o = fixgen()
        .arg("build")
        .arg(&src)
        .args(["--target", targets, "--out"])
        .arg(&unsigned)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "unsigned build: {}",
        common::output_text(&o)
    );
    let signed = dir.join("signed");
    let o = fixgen()
        .arg("build")
        .arg(&src)
        .args(["--target", targets, "--out"])
        .arg(&signed)
        .args(p.rsa2048.key_args())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "signed build: {}",
        common::output_text(&o)
    );

    let plain = powershell_files(&unsigned);
    let with_sig = powershell_files(&signed);
    assert!(
        plain.len() >= 3,
        "expected scripts, module and more: {plain:?}"
    );
    assert_eq!(
        plain.keys().collect::<Vec<_>>(),
        with_sig.keys().collect::<Vec<_>>()
    );
    // The recipe text did reach the scripts (as escaped help text), so the test exercises it.
    let script = String::from_utf8_lossy(&plain["scripts/marker-text.ps1"]).to_string();
    assert!(script.contains("After the markers."), "{script}");
    assert!(script.contains("SIG"), "{script}");

    // Real PowerShell parses every generated file without error, and the escaped help text is
    // still help text: the title (a marker line) is the script's synopsis.
    // Without pwsh, pwsh_host::pwsh() has printed why (visibly) or panicked in CI.
    if let Some(exe) = common::pwsh_host::pwsh() {
        let script = format!(
                "$bad = 0; Get-ChildItem -Recurse -File '{}' | Where-Object {{ $_.Extension -in '.ps1','.psm1','.psd1' }} | \
                 ForEach-Object {{ $e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile($_.FullName, [ref]$null, [ref]$e); \
                 if ($e.Count) {{ $bad++; Write-Output \"PARSE $($_.Name): $($e[0].Message)\" }} }}; \
                 Write-Output \"parse errors: $bad\"; Write-Output (\"synopsis: \" + (Get-Help (Join-Path '{}' 'scripts/marker-text.ps1')).Synopsis)",
                unsigned.display(),
                unsigned.display()
            );
        let o = common::pwsh_host::run_pwsh(&exe, &script);
        let t = common::output_text(&o);
        assert!(o.status.success() && t.contains("parse errors: 0"), "{t}");
        assert!(
            t.contains("synopsis: U+0023 SIG # Begin signature block"),
            "{t}"
        );
    }

    for (path, bytes) in &plain {
        let t = String::from_utf8_lossy(bytes);
        for (n, line) in t.lines().enumerate() {
            assert!(
                !marker_like(line),
                "{path} line {} reads as a signature marker: {line:?}",
                n + 1
            );
        }
        // The signed file is the unsigned one, complete, followed by exactly one block.
        let s = &with_sig[path];
        assert!(
            s.len() > bytes.len() && s.starts_with(bytes),
            "{path}: the signed file does not start with the whole unsigned file ({} signed bytes, {} unsigned)",
            s.len(),
            bytes.len()
        );
        let block = String::from_utf8(s[bytes.len()..].to_vec()).unwrap();
        assert!(
            block.starts_with(&format!("\r\n{BEGIN}\r\n"))
                && block.ends_with(&format!("{END}\r\n")),
            "{path}: {block}"
        );
        assert_eq!(block.matches("SIG #").count(), 2, "{path}: {block}");
        let f = signed.join(path);
        // Without osslsigncode, common::oracle has printed why (visibly) or panicked in CI.
        if let Some((ok, out)) = pki::osslsigncode_verify(&f, &p.ca) {
            assert!(ok, "osslsigncode rejected {path}:\n{out}");
        }
        // fixgen verify says how many bytes it verified: the whole unsigned file.
        let v = fixgen()
            .arg("verify")
            .arg(&f)
            .args(pki::ca_json_args(&p.ca))
            .output()
            .unwrap();
        assert!(v.status.success(), "{path}: {}", common::output_text(&v));
        let j: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
        assert_eq!(j["signature"]["signed_bytes"], bytes.len() as u64, "{path}");
        assert_eq!(j["signature"]["file_bytes"], s.len() as u64, "{path}");
        let v = fixgen().arg("verify").arg(&f).output().unwrap();
        assert!(
            common::output_text(&v).contains(&format!("over {} of {} bytes", bytes.len(), s.len())),
            "{path}: {}",
            common::output_text(&v)
        );
    }
    // The bundle verifies as a whole too, with the byte counts in its report.
    let v = fixgen()
        .arg("verify")
        .arg(&signed)
        .args(pki::ca_json_args(&p.ca))
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", common::output_text(&v));
    let j: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    let files = j["files"].as_array().unwrap();
    for (path, bytes) in &plain {
        let f = files.iter().find(|f| f["path"] == path.as_str()).unwrap();
        assert_eq!(f["signature"]["signed_bytes"], bytes.len() as u64, "{path}");
    }
}

/// A script body with a marker line in the middle (in a here-string and as a comment).
fn mid_marker_script() -> String {
    format!(
        "$help = @'\r\nUsage notes\r\n{BEGIN}\r\nmore notes\r\n'@\r\n# {BEGIN}\r\n{BEGIN}\r\nWrite-Output $help\r\nWrite-Output 'the last line'\r\n"
    )
}

#[test]
fn fixgen_sign_never_truncates_a_file_with_a_marker_line() {
    let Some(p) = pki::pki() else { return };
    let dir = pki::scratch("marker-sign");
    let original = mid_marker_script();
    let cases: Vec<(&str, String)> = vec![
        ("mid.ps1", original.clone()),
        // Only the end marker, or the marker indented / in another letter case.
        (
            "end.ps1",
            format!("Write-Output 1\r\n{END}\r\nWrite-Output 2\r\n"),
        ),
        (
            "indented.psm1",
            format!("function F {{\r\n    {BEGIN}\r\n}}\r\n"),
        ),
        (
            "case.psd1",
            "@{\r\n# sig # begin signature block\r\nModuleVersion = '1.0'\r\n}\r\n".to_string(),
        ),
    ];
    for (name, body) in &cases {
        let f = dir.join(name);
        std::fs::write(&f, body).unwrap();
        let o = fixgen()
            .arg("sign")
            .arg(&f)
            .args(p.rsa2048.key_args())
            .output()
            .unwrap();
        let after = std::fs::read_to_string(&f).unwrap();
        assert!(
            after.starts_with(body.as_str()),
            "{name}: content was dropped ({} of {} bytes left):\n{after}",
            after.len(),
            body.len()
        );
        assert_eq!(
            o.status.code(),
            Some(1),
            "{name}: {}",
            common::output_text(&o)
        );
        assert_eq!(&after, body, "{name}: a refused file must stay unchanged");
        let t = common::output_text(&o);
        assert!(
            t.contains(name) && t.contains("line ") && t.contains("is refused"),
            "{name}: {t}"
        );
    }

    // A signed file whose content gains a marker line is not re-signed either: the old block
    // is not the only marker, so nothing is cut.
    let f = dir.join("resign.ps1");
    std::fs::write(&f, "Write-Output 'ok'\r\n").unwrap();
    let sign = |f: &Path| {
        fixgen()
            .arg("sign")
            .arg(f)
            .args(p.rsa2048.key_args())
            .output()
            .unwrap()
    };
    let o = sign(&f);
    assert!(o.status.success(), "{}", common::output_text(&o));
    let once = std::fs::read_to_string(&f).unwrap();
    let tampered = format!("{BEGIN}\r\nWrite-Output 'x'\r\n{once}");
    std::fs::write(&f, &tampered).unwrap();
    let o = sign(&f);
    assert_eq!(o.status.code(), Some(1), "{}", common::output_text(&o));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), tampered);
    // Re-signing a well-formed signed file still replaces its block.
    std::fs::write(&f, &once).unwrap();
    let o = sign(&f);
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("re-signed"),
        "{}",
        common::output_text(&o)
    );
    let twice = std::fs::read_to_string(&f).unwrap();
    assert!(twice.starts_with("Write-Output 'ok'\r\n\r\n# SIG # Begin"));
    assert_eq!(twice.matches("SIG #").count(), 2);
}

#[test]
fn fixgen_verify_accepts_only_a_final_well_formed_block() {
    let Some(p) = pki::pki() else { return };
    let dir = pki::scratch("marker-verify");
    let f = dir.join("good.ps1");
    let content = "Write-Output 'signed'\r\nWrite-Output 'twice'\r\n";
    std::fs::write(&f, content).unwrap();
    let o = fixgen()
        .arg("sign")
        .arg(&f)
        .args(p.rsa2048.key_args())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    let good = std::fs::read_to_string(&f).unwrap();
    let block_at = good.find(&format!("\r\n{BEGIN}")).unwrap();
    assert_eq!(block_at, content.len());
    let block = &good[block_at..];
    let lines: Vec<&str> = block.split("\r\n").collect();
    let mut short = lines.clone();
    let cut = short[3][..40].to_string();
    short[3] = &cut;

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "junk-after-end",
            format!("{good}Write-Output 'appended'\r\n"),
            "text follows",
        ),
        (
            "junk-same-line",
            format!("{}x\r\n", good.trim_end()),
            "line ",
        ),
        (
            "block-mid-then-code",
            format!("{content}{block}Write-Output 'after the block'\r\n"),
            "text follows",
        ),
        (
            "block-twice",
            format!("{good}{}", &block[2..]),
            "only line breaks may follow",
        ),
        (
            "truncated-no-end",
            good[..good.find(END).unwrap()].to_string(),
            "truncated",
        ),
        (
            "truncated-line",
            format!("{content}{}", short.join("\r\n")),
            "64",
        ),
        (
            "stray-marker-before",
            format!("{BEGIN}\r\n{good}"),
            "another begin marker",
        ),
        (
            "lf-line-breaks",
            format!("{content}{}", block.replace("\r\n", "\n")),
            "CRLF",
        ),
    ];
    for (label, bytes, expect) in &cases {
        let g = dir.join(format!("{label}.ps1"));
        std::fs::write(&g, bytes).unwrap();
        for format in ["human", "json"] {
            let v = fixgen()
                .arg("verify")
                .arg(&g)
                .arg("--ca")
                .arg(&p.ca)
                .args(["--format", format])
                .output()
                .unwrap();
            assert_eq!(
                v.status.code(),
                Some(1),
                "{label}: {}",
                common::output_text(&v)
            );
            let t = common::output_text(&v);
            assert!(
                t.contains(expect) && t.contains("signature block"),
                "{label} ({format}): {t}"
            );
            if format == "human" {
                assert!(t.contains("FAILED"), "{label}: {t}");
            }
        }
    }
    // The good file passes and says what it covered.
    let v = fixgen()
        .arg("verify")
        .arg(&f)
        .arg("--ca")
        .arg(&p.ca)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", common::output_text(&v));
    assert!(
        common::output_text(&v).contains(&format!(
            "over {} of {} bytes",
            content.len(),
            good.len()
        )),
        "{}",
        common::output_text(&v)
    );
}
