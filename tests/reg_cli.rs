//! The real binary: `fixgen check FILE.reg` and `fixgen build --target reg`.

mod common;

use common::fixgen;

fn utf16_reg(body: &str) -> Vec<u8> {
    let mut b = vec![0xff, 0xfe];
    b.extend(fixgen::pipeline::parts::regfile::utf16le(&format!(
        "Windows Registry Editor Version 5.00\r\n\r\n{body}"
    )));
    b
}

#[test]
fn check_reports_every_finding_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.reg");
    std::fs::write(
        &f,
        utf16_reg(concat!(
            "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent]\r\n",
            "\"AssumeUDPEncapsulationContextOnSendRule\"=dword:00000005\r\n",
            "\"x\"=dword:123456789\r\n",
            "[HKXX\\Foo]\r\n",
            "\"q\"=hex(b):01,02\r\n",
        )),
    )
    .unwrap();
    let o = fixgen()
        .args(["check", "--format", "json"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let found: Vec<(String, u64, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["file"].as_str().unwrap(), f.display().to_string());
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("registry-known-value".to_string(), 4, 1),
            ("reg-syntax".to_string(), 5, 11),
            ("registry-path".to_string(), 6, 2),
            ("registry-data-width".to_string(), 7, 1),
        ]
    );
}

#[test]
fn check_accepts_what_build_writes_and_reads_regedit4() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let o = fixgen()
        .args(["build", "--target", "reg", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files: Vec<_> = std::fs::read_dir(out.join("reg"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    // The same build again gives the same bytes.
    let again = dir.path().join("again");
    let o = fixgen()
        .args(["build", "--target", "reg", "--out"])
        .arg(&again)
        .output()
        .unwrap();
    assert!(o.status.success());
    for f in &files {
        let name = f.file_name().unwrap();
        assert_eq!(
            std::fs::read(f).unwrap(),
            std::fs::read(again.join("reg").join(name)).unwrap(),
            "{name:?} differs between two builds"
        );
    }
    let old = dir.path().join("old.reg");
    std::fs::write(
        &old,
        b"REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\Software\\X]\r\n\"a\"=\"b\"\r\n",
    )
    .unwrap();
    files.push(old);
    let o = fixgen().arg("check").args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        stdout.matches("registry file checked").count(),
        4,
        "{stdout}"
    );
}

#[test]
fn reg_target_with_an_open_param_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("b");
    common::write_bundle(
        &src,
        &[
            ("bundle.yaml", "name: ParamFix\ntitle: t\nversion: 1.0.0\ndescription: d\npublisher: p\nrecipes: [p]\n"),
            ("p.yaml", "id: p\ntitle: t\nsummary: s\nparams:\n  Level: { type: int, description: level }\nsteps:\n  - registry: { key: HKLM\\SOFTWARE\\Fixgen, name: Level, value: { dword: { param: Level } } }\n"),
        ],
    );
    let out = dir.path().join("dist");
    let o = fixgen()
        .arg("build")
        .arg(&src)
        .args(["--target", "reg", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`Level`") && err.contains("--set Level=VALUE"),
        "{err}"
    );
    assert!(!out.exists(), "a failed build wrote files");

    // Under `all` the reg target is left out with a warning; the scripts are built.
    let o = fixgen()
        .arg("build")
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("left out: reg/"), "{summary}");
    assert!(!out.join("reg").exists());

    // With the value given, the .reg file holds it.
    let o = fixgen()
        .arg("build")
        .arg(&src)
        .args(["--target", "reg", "--set", "Level=7", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(out.join("reg/p.reg")).unwrap();
    let parsed = fixgen::pipeline::parts::regfile::read::parse(&bytes);
    let v = &parsed.file.sections[0].values[0];
    assert_eq!(v.name, "Level");
    assert_eq!(
        v.action,
        fixgen::pipeline::parts::regfile::ValueAction::Set(
            fixgen::pipeline::parts::regfile::RegData::Dword(7)
        )
    );
}
