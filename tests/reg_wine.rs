//! Oracle: Wine's `reg import` / `reg export` on every generated `.reg` file.
//!
//! One Wine prefix per test run (creating it takes ~15 s). Values that must be deleted are
//! created first with `wine reg add` and checked to exist. Then every `.reg` file fixgen
//! renders for the L2TP bundle and for the torture bundle is imported, the keys are exported
//! again, and every value's type and data in Wine's export is compared with what the recipes
//! say. Wine's exit code is no oracle (it skips bad lines and still exits 0), so only the export
//! counts. The export's text is also compared line by line with what our writer produced for
//! the same values, which checks escaping and regedit's hex wrapping.

mod common;
#[path = "common/torture.rs"]
mod torture;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use fixgen::pipeline::parts::regfile::read::parse;
use fixgen::pipeline::parts::regfile::write::RegWriter;
use fixgen::pipeline::parts::regfile::{from_utf16le, RegData, ValueAction};
use fixgen::pipeline::parts::registry::RegPath;

struct Wine {
    bin: PathBuf,
    prefix: PathBuf,
}

/// Keeps one wineserver running for the whole test (each `wine` call would otherwise start
/// its own, about 2 s each) and stops it at the end, also when the test fails.
struct PersistentServer {
    prefix: PathBuf,
}

impl PersistentServer {
    fn start(prefix: &Path) -> Option<Self> {
        let ok = Command::new("wineserver")
            .arg("-p")
            .env("WINEPREFIX", prefix)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| PersistentServer {
            prefix: prefix.to_path_buf(),
        })
    }
}

impl Drop for PersistentServer {
    fn drop(&mut self) {
        let _ = Command::new("wineserver")
            .arg("-k")
            .env("WINEPREFIX", &self.prefix)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Wine {
    /// Run `wine reg ARGS`. Output goes to files, never pipes: Wine's background processes
    /// (wineserver, winedevice) inherit the handles and would keep a pipe open.
    fn reg<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> (bool, String) {
        let log = self.prefix.with_extension("log");
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let mut c = Command::new(&self.bin);
        c.env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .arg("reg")
            .args(args);
        if std::env::var_os("HOME").is_none() {
            c.env("HOME", self.prefix.parent().unwrap_or(Path::new("/tmp")));
        }
        let status = c
            .status()
            .unwrap_or_else(|e| panic!("cannot run wine: {e}"));
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        (status.success(), text)
    }

    fn import(&self, file: &Path) {
        let (ok, log) = self.reg(&[std::ffi::OsStr::new("import"), file.as_os_str()]);
        // Success proves little (Wine skips bad lines); the export decides.
        assert!(ok, "wine reg import {} failed: {log}", file.display());
    }

    /// Export a key (with its subkeys) and return the file's bytes. A failed export fails the
    /// test: it never stands for "the key is absent" (see [`Wine::subkeys`] for that).
    fn export(&self, key: &str, out: &Path) -> Vec<u8> {
        let _ = std::fs::remove_file(out);
        let (ok, log) = self.reg(&[
            std::ffi::OsStr::new("export"),
            std::ffi::OsStr::new(key),
            out.as_os_str(),
            std::ffi::OsStr::new("/y"),
        ]);
        assert!(ok, "wine reg export {key} failed: {log}");
        std::fs::read(out).unwrap_or_else(|e| panic!("wine reg export {key} wrote no file: {e}"))
    }

    /// The immediate subkeys of `key` as `wine reg query KEY` lists them (full names, lower
    /// case). A failed query fails the test, so a name missing from the answer means the key
    /// does not exist, never that Wine did not answer.
    fn subkeys(&self, key: &str) -> Vec<String> {
        let (ok, log) = self.reg(&["query", key]);
        assert!(ok, "wine reg query {key} failed: {log}");
        log.lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| l.starts_with("hkey_"))
            .collect()
    }
}

/// Key identity for comparison: hive and subkey, case-insensitive like the registry.
fn key_id(p: &RegPath) -> (fixgen::pipeline::parts::registry::Hive, String) {
    (p.hive, p.subkey.to_lowercase())
}

/// What an export holds: key -> value name -> data.
type Exported =
    BTreeMap<(fixgen::pipeline::parts::registry::Hive, String), BTreeMap<String, RegData>>;

fn read_export(bytes: &[u8], what: &str) -> Exported {
    let parsed = parse(bytes);
    let errors: Vec<_> = parsed
        .findings
        .iter()
        .filter(|f| f.severity == fixgen::diag::Severity::Error)
        .collect();
    assert!(
        errors.is_empty(),
        "our reader rejects Wine's export of {what}: {errors:?}"
    );
    let mut out = Exported::new();
    for s in parsed.file.sections {
        let p = RegPath::parse(&s.path)
            .unwrap_or_else(|e| panic!("Wine exported key {:?}: {e}", s.path));
        let m = out.entry(key_id(&p)).or_default();
        for v in s.values {
            match v.action {
                ValueAction::Set(d) => {
                    m.insert(v.name, d);
                }
                ValueAction::Delete => panic!("Wine exported a deletion"),
            }
        }
    }
    out
}

/// The value line(s) our writer produces for one value, as they appear in a file.
fn our_value_text(name: &str, data: &RegData) -> String {
    let mut w = RegWriter::new();
    w.key(&RegPath::parse("HKLM\\X").expect("valid"));
    w.set(name, data).expect("writable");
    let text = w.text();
    let start = text.find("]\r\n").expect("key line") + 3;
    text[start..].trim_end().to_string()
}

#[test]
fn wine_imports_every_generated_reg_file_and_exports_the_recipes_values() {
    let Some(bin) = common::oracle("wine") else {
        return;
    };
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("reg-wine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let wine = Wine {
        bin,
        prefix: dir.join("prefix"),
    };

    // One wineserver for the whole test; the first command creates the prefix.
    std::fs::create_dir_all(&wine.prefix).expect("prefix dir");
    let server = PersistentServer::start(&wine.prefix);
    // Values the recipes delete exist first.
    for (key, name) in torture::preexisting() {
        let (ok, log) = wine.reg(&["add", &key, "/v", &name, "/t", "REG_SZ", "/d", "x", "/f"]);
        assert!(ok, "wine reg add failed: {log}");
        let bytes = wine.export(&key, &dir.join("before.reg"));
        let before = read_export(&bytes, &key);
        let id = key_id(&RegPath::parse(&key).expect("valid"));
        assert!(
            before.get(&id).is_some_and(|m| m.contains_key(&name)),
            "{key} {name} was not created before the import"
        );
    }

    // Render both bundles and import every .reg file.
    let mut files = Vec::new();
    for bundle in [
        fixgen::pipeline::parts::validate::embedded_bundle().expect("embedded bundle loads"),
        torture::bundle(),
    ] {
        let plan =
            fixgen::pipeline::parts::plan::build(&bundle, &Default::default()).expect("plan");
        let arts = fixgen::pipeline::parts::render::reg::render(&plan).expect("reg renders");
        assert!(!arts.files.is_empty());
        for (path, f) in arts.files {
            assert!(path.starts_with("reg/") && path.ends_with(".reg"), "{path}");
            let local = dir.join(path.replace('/', "_"));
            std::fs::write(&local, &f.bytes).expect("write .reg");
            files.push((path, local));
        }
    }
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for expected in [
        "reg/L2tpIpsecFix.reg",
        "reg/nat-traversal.reg",
        "reg/ipsec-services.reg",
        "reg/FixgenTorture.reg",
        "reg/torture.reg",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    // Import each file into a fresh state of the values it sets is not needed: every file of
    // a bundle sets the same data, so importing them all leaves the values the recipes say.
    for (_, local) in &files {
        wine.import(local);
    }

    // Export every key the expectations name (torture keys through their parents).
    let mut expects = torture::l2tp_expectations();
    expects.extend(torture::expectations());
    let roots: Vec<String> = {
        let mut r: Vec<String> = vec![
            torture::TORTURE_KEY.into(),
            torture::TORTURE_USER_KEY.into(),
        ];
        for e in &expects {
            if e.key.starts_with(torture::SERVICE_KEY) && !r.contains(&e.key) {
                r.push(e.key.clone());
            }
        }
        r
    };
    let mut exported = Exported::new();
    let mut export_text = String::new();
    for (i, root) in roots.iter().enumerate() {
        let file = dir.join(format!("export-{i}.reg"));
        let bytes = wine.export(root, &file);
        assert_eq!(&bytes[..2], &[0xff, 0xfe], "Wine exports UTF-16LE with BOM");
        export_text.push_str(&from_utf16le(&bytes[2..]).expect("UTF-16 export"));
        for (k, m) in read_export(&bytes, root) {
            exported.entry(k).or_default().extend(m);
        }
    }

    // Every value has the type and data the recipe says; deleted values are gone.
    let mut checked = 0;
    for e in &expects {
        let id = key_id(&RegPath::parse(&e.key).expect("valid key"));
        let values = exported.get(&id);
        let got = values.and_then(|m| m.get(&e.name));
        let shown = e.name.chars().take(40).collect::<String>();
        match &e.data {
            Some(want) => {
                let got = got
                    .unwrap_or_else(|| panic!("{} {shown:?}: missing from Wine's export", e.key));
                assert_eq!(
                    got,
                    want,
                    "{} {shown:?}: Wine holds {} but the recipe says {}",
                    e.key,
                    got.describe(),
                    want.describe()
                );
                // Wine writes the same text as our writer (escaping, hex wrapping), except
                // for strings with line breaks, which Wine escapes as \r \n and we write as
                // hex(1) (Windows regedit has no such escape).
                if !matches!(want, RegData::Sz(s) if s.contains(['\r', '\n'])) {
                    let ours = our_value_text(&e.name, want);
                    assert!(
                        export_text.contains(&ours),
                        "{} {shown:?}: Wine's export does not contain our line(s):\n{}",
                        e.key,
                        ours.chars().take(400).collect::<String>()
                    );
                }
            }
            None => {
                // Absent from a key Wine did export: not "the key was never exported".
                assert!(
                    values.is_some(),
                    "{}: not in Wine's export, so {shown:?} cannot be shown deleted",
                    e.key
                );
                assert!(
                    got.is_none(),
                    "{} {shown:?} should be deleted but Wine still holds {:?}",
                    e.key,
                    got
                );
            }
        }
        checked += 1;
    }
    assert_eq!(checked, expects.len());

    // Nothing else appeared in the torture keys (a mis-escaped line would add a value).
    for e in expects
        .iter()
        .filter(|e| e.key.starts_with(torture::TORTURE_KEY))
    {
        let id = key_id(&RegPath::parse(&e.key).expect("valid key"));
        let want: Vec<&String> = expects
            .iter()
            .filter(|x| x.data.is_some())
            .filter(|x| key_id(&RegPath::parse(&x.key).expect("valid")) == id)
            .map(|x| &x.name)
            .collect();
        let got: Vec<&String> = exported
            .get(&id)
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        assert_eq!(got, want_sorted, "values of {}", e.key);
    }

    // Recipe text in comments cannot become registry content: HKLM's subkeys, as Wine lists
    // them (the list holds SOFTWARE, so Wine did answer), include neither injected key.
    let hklm = wine.subkeys("HKLM");
    assert!(
        hklm.iter().any(|k| k == "hkey_local_machine\\software"),
        "wine reg query HKLM listed {hklm:?}"
    );
    for injected in ["hkey_local_machine\\injected", "hkey_local_machine\\x"] {
        assert!(
            !hklm.iter().any(|k| k == injected),
            "a comment line escaped into the key {injected}"
        );
    }
    assert!(!export_text.contains("Evil"));

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
