//! The shape of `src/` (issue 16): modules depend only on earlier pipeline stages, no two
//! modules import each other, no function is longer than 120 lines and no file longer than 700.
//!
//! The stage order is read from `src/lib.rs` (its `//! Pipeline:` and `//! Foundations:` lines),
//! so the order is written down once. Imports are read from the code itself: every `crate::`
//! path outside comments and string literals, and every `use super::` line at the top level of a
//! file. A path is mapped to the module file it names (`crate::render::undo::Foo` ->
//! `render::undo`); the top-level module is its first segment.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FN_LINES: usize = 120;
const MAX_FILE_LINES: usize = 700;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, by path relative to `src/` with `/` separators.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&src_dir(), &src_dir(), &mut out);
    assert!(out.len() > 20, "src/ has only {} files", out.len());
    out
}

/// The text with comments, string and char literals blanked out (newlines kept), so braces
/// and `crate::` paths are only counted where they are code.
fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < c.len() {
        let prev_ident = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if !prev_ident && (c[i] == 'r' || (c[i] == 'b' && c.get(i + 1) == Some(&'r'))) && {
            let mut j = i + if c[i] == 'b' { 2 } else { 1 };
            while c.get(j) == Some(&'#') {
                j += 1;
            }
            c.get(j) == Some(&'"')
        } {
            // Raw string: r"..", r#".."#, br"..".
            let mut j = i + if c[i] == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while c[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            loop {
                if c[j] == '"' && (0..hashes).all(|k| c.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.extend(c[i..j].iter().map(|&ch| blank(ch)));
            i = j;
        } else if c[i] == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(blank(c[i]));
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c[i] == '\'' {
            // A char literal ('x', '\n', '\u{1b}'), or a lifetime / label ('a), left as is.
            let end = if c.get(i + 1) == Some(&'\\') {
                (i + 2..c.len()).find(|&j| c[j] == '\'')
            } else if c.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    out.extend(c[i..=e].iter().map(|&ch| blank(ch)));
                    i = e + 1;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// Module path of a file: `render/undo.rs` -> `render::undo`, `render/mod.rs` -> `render`.
/// A step kind's file for one stage, `kinds/vpn/review.rs`, is mounted by that stage as
/// `review::kinds::vpn` (a `#[path]` module), so it counts as part of that stage.
fn module_of(file: &str) -> String {
    let f = file.trim_end_matches(".rs");
    if let ["kinds", kind, stage] = f.split('/').collect::<Vec<_>>()[..] {
        return format!("{stage}::kinds::{kind}");
    }
    let f = f.strip_suffix("/mod").unwrap_or(f);
    if f == "lib" || f == "main" {
        return String::new();
    }
    f.replace('/', "::")
}

/// The module files each file imports, by module path (`render::undo`).
fn imports(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = files.keys().map(|f| module_of(f)).collect();
    // The longest module path that is a prefix of `path` (segments).
    let resolve = |segs: &[&str]| -> Option<String> {
        (1..=segs.len())
            .rev()
            .map(|n| segs[..n].join("::"))
            .find(|m| modules.contains(m))
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in files {
        if file == "main.rs" {
            continue;
        }
        let me = module_of(file);
        let code = code_only(text);
        let mut found = BTreeSet::new();
        // Every `crate::a::b` path (also inside `use crate::{a::X, b}` groups).
        for (pos, _) in code.match_indices("crate::") {
            if code[..pos].ends_with('$') {
                continue; // `$crate::` in a macro body
            }
            let rest = &code[pos + "crate::".len()..];
            for path in expand(rest) {
                let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
                if let Some(m) = resolve(&segs) {
                    found.insert(m);
                }
            }
        }
        // `use super::x` at the top level of a file (not inside an inline `mod tests`).
        let parent: Vec<&str> = {
            let mut segs: Vec<&str> = me.split("::").filter(|s| !s.is_empty()).collect();
            segs.pop();
            segs
        };
        for line in code.lines() {
            let Some(rest) = line
                .strip_prefix("use super::")
                .or_else(|| line.strip_prefix("pub(crate) use super::"))
                .or_else(|| line.strip_prefix("pub use super::"))
            else {
                continue;
            };
            for path in expand(rest) {
                let mut segs = parent.clone();
                segs.extend(path.split("::").filter(|s| !s.is_empty()));
                if let Some(m) = resolve(&segs) {
                    found.insert(m);
                }
            }
        }
        found.remove(&me);
        out.entry(me).or_default().extend(found);
    }
    out
}

/// The paths named by the start of `rest`: `a::b::C` -> [`a::b::C`]; `{a::X, b}` -> [`a::X`,
/// `b`]; `a::{B, c::D}` -> [`a::B`, `a::c::D`].
fn expand(rest: &str) -> Vec<String> {
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('{') {
        let mut depth = 1;
        let mut end = 0;
        for (i, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let body = &inner[..end];
        let mut parts = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, ch) in body.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&body[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&body[start..]);
        return parts
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .flat_map(expand)
            .collect();
    }
    let mut head = String::new();
    for (i, ch) in rest.char_indices() {
        if ch.is_alphanumeric() || ch == '_' || ch == ':' {
            head.push(ch);
        } else if ch.is_whitespace() && rest[i..].trim_start().starts_with("::") {
            continue;
        } else if ch == '{' && head.ends_with("::") {
            let prefix = head.clone();
            return expand(&rest[i..])
                .into_iter()
                .map(|p| format!("{prefix}{p}"))
                .collect();
        } else {
            break;
        }
    }
    vec![head.trim_end_matches(':').to_string()]
}

/// The stage order and the foundation modules, as `src/lib.rs` states them.
fn stated_order() -> (Vec<String>, BTreeSet<String>) {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).unwrap();
    let names = |prefix: &str| -> Vec<String> {
        let line = lib
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("src/lib.rs has no `{prefix}` line"));
        line.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let stages = names("//! Pipeline:");
    let foundations: BTreeSet<String> = names("//! Foundations:").into_iter().collect();
    assert!(stages.len() >= 7, "stages read from src/lib.rs: {stages:?}");
    (stages, foundations)
}

fn top(m: &str) -> &str {
    m.split("::").next().unwrap()
}

#[test]
fn modules_import_only_earlier_stages_and_no_cycles() {
    let files = sources();
    let graph = imports(&files);
    let (stages, foundations) = stated_order();
    let rank = |m: &str| -> Option<usize> {
        if foundations.contains(m) {
            Some(0)
        } else {
            stages.iter().position(|s| s == m).map(|p| p + 1)
        }
    };
    let mut problems = Vec::new();

    // Every top-level module has a place in the stated order.
    let tops: BTreeSet<&str> = graph
        .keys()
        .map(|m| top(m))
        .filter(|m| !m.is_empty())
        .collect();
    for m in &tops {
        if rank(m).is_none() {
            problems.push(format!(
                "module `{m}` is neither a pipeline stage nor a foundation in src/lib.rs"
            ));
        }
    }

    // Top-level edges: a stage imports only foundations and earlier stages; a foundation imports
    // only foundations.
    let mut top_edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, tos) in &graph {
        for to in tos {
            let (a, b) = (top(from), top(to));
            if a.is_empty() || a == b {
                continue;
            }
            top_edges.entry(a).or_default().insert(b);
            if let (Some(ra), Some(rb)) = (rank(a), rank(b)) {
                if rb > ra || (rb == ra && ra != 0) {
                    problems.push(format!(
                        "`{from}` imports `{to}`: `{b}` is not before `{a}` in the pipeline"
                    ));
                }
            }
        }
    }

    // No cycle among top-level modules (foundations may import each other, but not in a ring).
    fn cycle_from<'a>(
        n: &'a str,
        edges: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(p) = stack.iter().position(|s| *s == n) {
            let mut c = stack[p..].to_vec();
            c.push(n);
            return Some(c);
        }
        if !done.insert(n) {
            return None;
        }
        stack.push(n);
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = cycle_from(m, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    for n in top_edges.keys() {
        if let Some(c) = cycle_from(n, &top_edges, &mut Vec::new(), &mut done) {
            problems.push(format!("import cycle between modules: {}", c.join(" -> ")));
        }
    }

    // No two module files import each other.
    for (a, tos) in &graph {
        for b in tos {
            if a < b && graph.get(b).is_some_and(|t| t.contains(a)) {
                problems.push(format!("`{a}` and `{b}` import each other"));
            }
        }
    }

    assert!(
        problems.is_empty(),
        "{} import problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn no_long_functions_or_files() {
    let mut problems = Vec::new();
    for (file, text) in sources() {
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            problems.push(format!(
                "src/{file}: {lines} lines (at most {MAX_FILE_LINES})"
            ));
        }
        for (name, line, len) in functions(&code_only(&text)) {
            if len > MAX_FN_LINES {
                problems.push(format!(
                    "src/{file}:{line}: fn {name} is {len} lines (at most {MAX_FN_LINES})"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} size problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every function with a body in `code` (comments and literals blanked): (name, first line,
/// length in lines from the `fn` line to the closing brace).
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    // Byte offset of the start of each line.
    let mut starts = Vec::with_capacity(lines.len());
    let mut off = 0;
    for l in &lines {
        starts.push(off);
        off += l.len() + 1;
    }
    let line_at = |pos: usize| starts.partition_point(|&s| s <= pos);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(found) = code[search..].find("fn ") {
        let at = search + found;
        search = at + 3;
        let before_ok =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        if !before_ok {
            continue;
        }
        let name: String = code[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue; // `fn(` pointer types
        }
        // The body starts at the first `{` before any `;` (a trait method without body).
        let Some(open) = code[at..].find(['{', ';']).map(|o| at + o) else {
            continue;
        };
        if bytes[open] == b';' {
            continue;
        }
        let mut depth = 0usize;
        let mut close = open;
        for (i, b) in code[open..].bytes().enumerate() {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let (first, last) = (line_at(at), line_at(close));
        out.push((name, first, last - first + 1));
    }
    out
}

#[test]
fn the_checks_see_what_they_claim_to_see() {
    // The scanners themselves, on text whose answer is known, so a broken scanner cannot pass
    // the two tests above by seeing nothing.
    let code = code_only(
        "use crate::{a::X, b::{c, d::E}};\n// crate::zz\nlet s = \"crate::yy {\";\nfn f() {\n    let c = '{';\n    g(crate::h::i());\n}\n",
    );
    assert!(!code.contains("zz") && !code.contains("yy"));
    let mut paths: Vec<String> = code
        .match_indices("crate::")
        .flat_map(|(p, _)| expand(&code[p + 7..]))
        .collect();
    paths.sort();
    assert_eq!(paths, ["a::X", "b::c", "b::d::E", "h::i"]);
    assert_eq!(functions(&code), [("f".to_string(), 4, 4)]);
    let graph = imports(&sources());
    assert!(
        graph.get("cli").is_some_and(|t| !t.is_empty()),
        "the CLI imports nothing? {graph:?}"
    );
}

/// The public items `src/lib.rs` declares at the crate root (`pub mod`, `pub use`), by name.
fn root_public_items(lib: &str) -> BTreeSet<String> {
    code_only(lib)
        .lines()
        .map(str::trim)
        .filter_map(|l| {
            let rest = l.strip_prefix("pub mod ").or(l.strip_prefix("pub use "))?;
            let name = rest.trim_end_matches(';').rsplit("::").next()?;
            Some(name.to_string())
        })
        .collect()
}

#[test]
fn the_public_surface_is_main_pipeline_model_and_diag() {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).unwrap();
    let public = root_public_items(&lib);
    let allowed: BTreeSet<String> = ["main", "pipeline", "model", "diag"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(
        public, allowed,
        "src/lib.rs: only these are public; a stage's part other programs need goes in src/pipeline/parts.rs"
    );
    // Every other module is crate-private, and a `pub` item must be reachable from outside:
    // rustc's `unreachable_pub` lint (an error under `cargo clippy -- -D warnings`).
    assert!(
        code_only(&lib).contains("#![warn(unreachable_pub)]")
            || code_only(&lib).contains("#![deny(unreachable_pub)]"),
        "src/lib.rs must keep `#![warn(unreachable_pub)]`"
    );
    // The scanner sees a module made public (so the check above can fail).
    let widened = root_public_items("mod cli;\npub mod sign;\npub use cli::main;\n");
    assert!(widened.contains("sign") && widened.contains("main") && !widened.contains("cli"));
}
