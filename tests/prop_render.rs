//! Property test: arbitrary valid recipes (registry and firewall steps full of PowerShell
//! metacharacters, quotes, non-ASCII and line breaks) load, validate, and render to PowerShell
//! that tree-sitter-pwsh parses with no ERROR/MISSING node, pure ASCII with CRLF, and that
//! carries every value unchanged in its place: the recipe's and each step's data, read back from
//! the syntax tree and evaluated (`tests/common/psdata.rs`, whose string evaluation follows
//! PowerShell's quoting rules), holds exactly the recipe's title, summary, and each step's key,
//! name, kind and data (text, list or number), in the script and in the module.
//!
//! Runs through the library (no process per case) with a modest case count for CI; raise it with
//! `PROPTEST_CASES=1000 cargo test --test prop_render`.

mod common;

use proptest::prelude::*;

use common::psdata::{self, PsValue};
use common::pwsh;
use fixgen::diag::SourceFile;
use fixgen::pipeline::parts::load::Inputs;
use fixgen::pipeline::parts::plan::ParamValues;
use fixgen::pipeline::parts::render::powershell::PsOptions;
use fixgen::pipeline::{render, Target};

/// Text weighted towards what breaks generated code.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        3 => prop::sample::select(vec![
            '\'', '"', '`', '$', '(', ')', '{', '}', '@', '#', '<', '>', ';', '|', '&', ',',
            '\\', '%', ' ', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}', '\u{201C}', '\u{201D}',
            '\u{e9}', '\u{4e2d}', '\u{1F600}', '\u{85}', '\u{2028}', '\u{FEFF}', '\t',
        ]),
        2 => prop::char::range('a', 'z'),
    ]
}

fn text(max: usize, ok: fn(char) -> bool) -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 1..max).prop_map(move |v| {
        let s: String = v.into_iter().filter(|c| ok(*c)).collect();
        let s = s.trim().to_string();
        if s.is_empty() {
            "x".to_string()
        } else {
            s
        }
    })
}

/// One line of text (titles, names).
fn line(max: usize) -> impl Strategy<Value = String> {
    text(max, |c| !c.is_control() && c != '\u{2028}' && c != '\u{85}')
}

/// What the validator lets into generated files (XML 1.0 for Group Policy): no C0 control
/// but TAB, LF and CR, no U+FFFE/U+FFFF (issue 14, `text-control`).
fn xml_ok(c: char) -> bool {
    (c >= ' ' || matches!(c, '\t' | '\n' | '\r')) && c != '\u{fffe}' && c != '\u{ffff}'
}

/// Registry data: anything a generated file can carry, line breaks included.
fn data(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        text(max, xml_ok),
        text(max, xml_ok).prop_map(|s| format!("{s}\r\nnext '@\n#>")),
    ]
}

#[derive(Debug, Clone)]
enum Data {
    Sz(String),
    Expand(String),
    Multi(Vec<String>),
    Dword(u32),
    Qword(u64),
}

#[derive(Debug, Clone)]
struct RegStep {
    segments: Vec<String>,
    name: String,
    data: Data,
}

#[derive(Debug, Clone)]
struct Fw {
    display: String,
    description: String,
    ports: Vec<u16>,
}

#[derive(Debug, Clone)]
struct Case {
    title: String,
    summary: String,
    regs: Vec<RegStep>,
    fw: Option<Fw>,
}

fn reg_step() -> impl Strategy<Value = RegStep> {
    (
        prop::collection::vec(
            line(20).prop_map(|s| match s.replace('\\', "/") {
                // `.` and `..` are refused as key segments (`registry-path`).
                s if s == "." || s == ".." => "x".to_string(),
                s => s,
            }),
            1..3,
        ),
        // Value names: no control character (`registry-value-name`).
        prop_oneof![1 => Just(String::new()), 5 => text(20, |c| c >= ' ' && xml_ok(c))],
        prop_oneof![
            data(40).prop_map(Data::Sz),
            data(40).prop_map(Data::Expand),
            prop::collection::vec(data(20), 1..4).prop_map(Data::Multi),
            any::<u32>().prop_map(Data::Dword),
            any::<u64>().prop_map(Data::Qword),
        ],
    )
        .prop_map(|(segments, name, data)| RegStep {
            segments,
            name,
            data,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        line(60),
        data(80),
        prop::collection::vec(reg_step(), 1..4),
        prop::option::of((
            line(40),
            data(60),
            prop::collection::btree_set(1u16..=65535, 1..4),
        )),
    )
        .prop_map(|(title, summary, regs, fw)| Case {
            title,
            summary,
            regs,
            fw: fw.map(|(display, description, ports)| Fw {
                display,
                description,
                ports: ports.into_iter().collect(),
            }),
        })
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

impl Case {
    fn key(r: &RegStep) -> String {
        format!("HKLM\\SOFTWARE\\FixgenProp\\{}", r.segments.join("\\"))
    }

    fn yaml(&self) -> String {
        let mut y = format!(
            "id: prop\ntitle: {}\nsummary: {}\ncontext: system\nreboot: none\nsteps:\n",
            q(&self.title),
            q(&self.summary)
        );
        for (i, r) in self.regs.iter().enumerate() {
            let value = match &r.data {
                Data::Sz(s) => format!("{{ string: {} }}", q(s)),
                Data::Expand(s) => format!("{{ expand_string: {} }}", q(s)),
                Data::Multi(v) => format!(
                    "{{ multi_string: [{}] }}",
                    v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
                ),
                Data::Dword(n) => format!("{{ dword: {n} }}"),
                Data::Qword(n) => format!("{{ qword: {n} }}"),
            };
            // Distinct value names per step (a key/name pair may be set once per recipe).
            let name = format!("{}{i}", r.name);
            y.push_str(&format!(
                "  - registry:\n      key: {}\n      name: {}\n      value: {value}\n",
                q(&Self::key(r)),
                q(&name)
            ));
        }
        if let Some(f) = &self.fw {
            y.push_str(&format!(
                "  - firewall:\n      id: fixgen-prop\n      display_name: {}\n      description: {}\n      direction: inbound\n      protocol: tcp\n      local_ports: [{}]\n      action: allow\n",
                q(&f.display),
                q(&f.description),
                f.ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
            ));
        }
        y
    }

    /// What each step's data must hold, key by key, in recipe order.
    fn steps(&self) -> Vec<Vec<(&'static str, PsValue)>> {
        let s = |v: &str| PsValue::Str(v.to_string());
        let mut out = Vec::new();
        for (i, r) in self.regs.iter().enumerate() {
            let (kind, value) = match &r.data {
                Data::Sz(v) => ("String", s(v)),
                Data::Expand(v) => ("ExpandString", s(v)),
                Data::Multi(v) => (
                    "MultiString",
                    PsValue::Array(v.iter().map(|x| s(x)).collect()),
                ),
                Data::Dword(n) => ("DWord", PsValue::Int(i128::from(*n))),
                Data::Qword(n) => ("QWord", PsValue::Int(i128::from(*n))),
            };
            out.push(vec![
                ("Kind", s("registry")),
                (
                    "Path",
                    s(&format!(
                        "Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\FixgenProp\\{}",
                        r.segments.join("\\")
                    )),
                ),
                ("Name", s(&format!("{}{i}", r.name))),
                ("Ensure", s("Present")),
                ("Type", s(kind)),
                ("Value", value),
            ]);
        }
        if let Some(f) = &self.fw {
            out.push(vec![
                ("Kind", s("firewall")),
                ("Name", s("fixgen-prop")),
                ("DisplayName", s(&f.display)),
                ("Description", s(&f.description)),
                ("Direction", s("Inbound")),
                ("Protocol", s("TCP")),
                (
                    "LocalPort",
                    PsValue::Array(f.ports.iter().map(|p| s(&p.to_string())).collect()),
                ),
                ("Action", s("Allow")),
            ]);
        }
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_recipes_render_to_parseable_powershell_carrying_every_value(c in case()) {
        let yaml = c.yaml();
        let report = fixgen::pipeline::parts::validate::check(Inputs::from_sources(vec![SourceFile {
            path: "prop/prop.yaml".into(),
            text: yaml.clone(),
        }]));
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        prop_assert!(errors.is_empty(), "valid recipe rejected: {errors:#?}\n{yaml}");
        let bundle = report.into_bundle().unwrap();
        let plan = fixgen::pipeline::parts::plan::build(&bundle, &ParamValues::new())
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let artifacts = render(&plan, &[Target::Scripts, Target::Module], &PsOptions::default())
            .map_err(|e| TestCaseError::fail(format!("render failed: {e:?}\n{yaml}")))?;
        let mut scripts = 0;
        for (path, f) in &artifacts.files {
            let text = String::from_utf8(f.bytes.clone()).unwrap();
            let problems = pwsh::check_generated(path, &text);
            prop_assert!(problems.is_empty(), "{problems:#?}\n{yaml}");
            if path.ends_with("/prop.ps1") || path.ends_with(".psm1") {
                scripts += 1;
                // The recipe's data, read back from the syntax tree and evaluated: every value
                // is exactly what the recipe says, in its step, with its kind.
                let data = psdata::recipes(&text);
                prop_assert_eq!(data.len(), 1, "{}", path);
                let prop = &data["prop"];
                // A script shows them only in its help (SYNOPSIS, DESCRIPTION; issue 17), the
                // module carries them as data too.
                if path.ends_with(".psm1") {
                    prop_assert_eq!(prop.recipe.str("Title"), Some(c.title.as_str()), "{}", path);
                    prop_assert_eq!(prop.recipe.str("Summary"), Some(c.summary.as_str()), "{}", path);
                }
                let want = c.steps();
                prop_assert_eq!(prop.steps.len(), want.len(), "{}: {:#?}\n{}", path, prop.steps, yaml);
                for (i, (got, want)) in prop.steps.iter().zip(&want).enumerate() {
                    for (key, value) in want {
                        prop_assert_eq!(
                            got.get(key),
                            Some(value),
                            "{}: step {} {}\n{}",
                            path,
                            i,
                            key,
                            yaml
                        );
                    }
                }
            }
        }
        prop_assert_eq!(scripts, 2);
    }
}
