//! The shape of `src/` (issue 16): modules depend only on earlier pipeline stages, no two
//! modules import each other, no function is longer than 120 lines and no file longer than 700.
//!
//! The stage order is read from `src/lib.rs` (its `//! Pipeline:` and `//! Foundations:` lines),
//! so the order is written down once. Imports are read from the code itself: every `crate::`
//! path outside comments and string literals, and every `use super::` line at the top level of a
//! file, and every path through a name that stands for a module (an imported module, or one the
//! file declares: `kinds::vpn::entries(..)`). A path is mapped to the module file it names
//! (`crate::render::undo::Foo` -> `render::undo`); the top-level module is its first segment.
//! A step kind's file (`src/kinds/vpn/render.rs`) is a node of its own, named by the module path
//! its stage mounts it as (`render::kinds::vpn`).

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
fn module_of(file: &str) -> String {
    let f = file.trim_end_matches(".rs");
    let f = f.strip_suffix("/mod").unwrap_or(f);
    if f == "lib" || f == "main" {
        return String::new();
    }
    f.replace('/', "::")
}

/// The module path of every file. A file mounted with `#[path]` (a step kind's file for one
/// stage, `kinds/vpn/review.rs`) is named by the module path it is mounted as
/// (`review::kinds::vpn`), read from the mounting file's
/// `#[path = "../kinds"] mod kinds { #[path = "vpn/review.rs"] mod vpn; }`; any other file by
/// its place in `src/` ([`module_of`]).
fn module_names(files: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut mounted = BTreeMap::new();
    for (file, text) in files {
        let me = module_of(file);
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        // The directory and module path of the open inline module with a `#[path]`.
        let mut outer: Option<(String, String)> = None;
        let mut pending: Option<&str> = None;
        for line in text.lines().map(str::trim) {
            if let Some(p) = line
                .strip_prefix("#[path = \"")
                .and_then(|r| r.strip_suffix("\"]"))
            {
                pending = Some(p);
                continue;
            }
            if line == "}" {
                outer = None;
            }
            let Some(name) = mod_decl(line) else {
                continue;
            };
            let Some(p) = pending.take() else {
                continue;
            };
            let (base, parent) = outer.clone().unwrap_or((dir.to_string(), me.clone()));
            let module = [parent.as_str(), name]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("::");
            let path = normalize(&format!("{base}/{p}"));
            if line.ends_with('{') {
                outer = Some((path, module));
            } else {
                mounted.insert(path, module);
            }
        }
    }
    files
        .keys()
        .map(|f| {
            let m = mounted.get(f).cloned().unwrap_or_else(|| module_of(f));
            (f.clone(), m)
        })
        .collect()
}

/// The name of a `mod name;` or `mod name {` line (any visibility).
fn mod_decl(line: &str) -> Option<&str> {
    let rest = line.split_once("mod ")?;
    let vis = rest.0.trim();
    if !(vis.is_empty() || vis.starts_with("pub")) {
        return None;
    }
    let name = rest.1.trim_end_matches(['{', ';']).trim();
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(name)
}

/// `render/../kinds/vpn/render.rs` -> `kinds/vpn/render.rs`.
fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// The module files each file imports, by module path (`render::undo`).
fn imports(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let names = module_names(files);
    let modules: BTreeSet<String> = names.values().cloned().collect();
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
        let me = names[file].clone();
        let code = code_only(text);
        let mut found = BTreeSet::new();
        // Names that stand for a module path in this file: each imported path by its last
        // segment (`use crate::render::kinds;` -> `kinds`), and each `mod m;` or `mod m {` it
        // declares.
        let mut aliases: BTreeMap<String, String> = BTreeMap::new();
        let mut alias = |path: &str| {
            let path = path.trim_end_matches("::self");
            if let Some(last) = path.rsplit("::").next() {
                aliases.insert(last.to_string(), path.to_string());
            }
        };
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
                alias(&path);
            }
        }
        // `use super::x` at the top level of a file (not inside an inline `mod tests`).
        let parent: Vec<&str> = {
            let mut segs: Vec<&str> = me.split("::").filter(|s| !s.is_empty()).collect();
            segs.pop();
            segs
        };
        for line in code.lines() {
            if let Some(name) = mod_decl(line.trim()) {
                let m = if me.is_empty() {
                    name.to_string()
                } else {
                    format!("{me}::{name}")
                };
                alias(&m);
            }
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
                alias(&segs.join("::"));
            }
        }
        // A `super::x::f(..)` path written in the code (not a `use` line), outside the file's
        // own `mod tests`: `super` is the parent module; each further `super::` one more up.
        let body = code.split("mod tests {").next().unwrap_or_default();
        for (pos, _) in body.match_indices("super::") {
            let prev = body[..pos].chars().next_back();
            if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let line_start = body[..pos].rfind('\n').map_or(0, |i| i + 1);
            if body[line_start..pos].trim_start().starts_with("use ")
                || body[line_start..pos].contains(" use ")
            {
                continue; // `use super::..` lines are read above
            }
            let mut rest = &body[pos..];
            let mut segs = me.split("::").filter(|s| !s.is_empty()).collect::<Vec<_>>();
            while let Some(r) = rest.strip_prefix("super::") {
                segs.pop();
                rest = r;
            }
            for path in expand(rest) {
                let mut full = segs.clone();
                full.extend(path.split("::").filter(|s| !s.is_empty()));
                if let Some(m) = resolve(&full) {
                    found.insert(m);
                }
            }
        }
        // A path through such a name (`kinds::vpn::entries(..)`, `files::registry_xml(..)`)
        // reaches the module file it names, that module or one below it (`render::kinds::vpn`).
        for (name, path) in &aliases {
            let below = format!("{path}::");
            if !modules.contains(path) && !modules.iter().any(|m| m.starts_with(&below)) {
                continue;
            }
            let at = format!("{name}::");
            for (pos, _) in code.match_indices(&at) {
                let prev = code[..pos].chars().next_back();
                if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                for rest in expand(&code[pos + at.len()..]) {
                    // `step_kind_dispatch!(step, s => kinds::KIND::f(..))` calls `f` of every
                    // kind module under `kinds` (src/model/kinds.rs).
                    if rest.starts_with("KIND::") {
                        found.extend(modules.iter().filter(|m| m.starts_with(&below)).cloned());
                        continue;
                    }
                    let full = format!("{path}::{rest}");
                    let segs: Vec<&str> = full.split("::").filter(|s| !s.is_empty()).collect();
                    if let Some(m) = resolve(&segs).filter(|m| m == path || m.starts_with(&below)) {
                        found.insert(m);
                    }
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
    let (stages, foundations) = stated_order();
    let problems = import_problems(&sources(), &stages, &foundations);
    assert!(
        problems.is_empty(),
        "{} import problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every import problem of the files (by path relative to `src/`) against the stage order.
fn import_problems(
    files: &BTreeMap<String, String>,
    stages: &[String],
    foundations: &BTreeSet<String>,
) -> Vec<String> {
    let graph = imports(files);
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

    // No two module files import each other, except a file and a module it declares or mounts
    // (Rust's parent and child: `validate/mod.rs` calls `kinds::vpn::check`, which uses the
    // parent's `Ctx`); siblings, and a kind file with any other module, may not.
    let files_of: BTreeSet<&String> = graph.keys().collect();
    let declarer = |m: &str| -> Option<String> {
        let mut segs: Vec<&str> = m.split("::").collect();
        while segs.pop().is_some() {
            let p = segs.join("::");
            if files_of.contains(&p) {
                return Some(p);
            }
        }
        None
    };
    for (a, tos) in &graph {
        for b in tos {
            let parent_child = declarer(a).as_deref() == Some(b.as_str())
                || declarer(b).as_deref() == Some(a.as_str());
            if a < b && !parent_child && graph.get(b).is_some_and(|t| t.contains(a)) {
                problems.push(format!("`{a}` and `{b}` import each other"));
            }
        }
    }
    problems
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
    // The kind files are nodes of their own, reached through the stage's `kinds` module.
    for (from, to) in [
        ("render::reg", "render::kinds::vpn"),
        ("render::ps_model", "render::kinds::registry"),
        ("validate", "validate::kinds::firewall"),
        ("review", "review::kinds::windows_update"),
        ("render::kinds::service", "render::reg_types"),
        ("render::kinds::vpn", "render::vpn_marker"),
    ] {
        assert!(
            graph.get(from).is_some_and(|t| t.contains(to)),
            "{from} -> {to} not seen: {:?}",
            graph.get(from)
        );
    }

    // A step kind's file is its own node, named by the module path its stage mounts it as
    // (`#[path]`), reached through the stage's `kinds` module: a cycle through it is reported,
    // and so is an import of a later stage.
    let known = |files: &[(&str, &str)]| -> Vec<String> {
        let files: BTreeMap<String, String> = files
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        let stages: Vec<String> = ["load", "validate", "plan", "render"]
            .map(String::from)
            .into();
        let foundations = BTreeSet::from(["model".to_string()]);
        import_problems(&files, &stages, &foundations)
    };
    let mount = |stage: &str| {
        format!(
            "#[path = \"../kinds\"]\nmod kinds {{\n    #[path = \"vpn/{stage}.rs\"]\n    pub(crate) mod vpn;\n}}\npub mod reg;\n"
        )
    };
    let render_mod = mount("render");
    let validate_mod = mount("validate");
    let problems = known(&[
        ("lib.rs", ""),
        ("model.rs", ""),
        ("render/mod.rs", &render_mod),
        (
            "render/reg.rs",
            "use crate::model::Step;\nuse crate::render::kinds;\nfn f(s: &Step) {\n    kinds::vpn::reg(s);\n}\n",
        ),
        (
            "kinds/vpn/render.rs",
            "use crate::model::VpnStep;\nuse crate::render::reg::describe;\n",
        ),
        // The stage's own file and the kind file it mounts may use each other (parent, child).
        (
            "validate/mod.rs",
            &format!("{validate_mod}fn f() {{\n    kinds::vpn::check();\n}}\n"),
        ),
        ("validate/reg.rs", ""),
        (
            "kinds/vpn/validate.rs",
            "use super::super::*;\npub(crate) fn check() {\n    crate::render::reg::describe();\n}\n",
        ),
        // Siblings through a `super::x::f()` call in the code (not a `use` line).
        ("render/a.rs", "fn f() {\n    super::b::g();\n}\n"),
        ("render/b.rs", "use crate::render::a::X;\n"),
    ]);
    assert_eq!(
        problems,
        [
            "`validate::kinds::vpn` imports `render::reg`: `render` is not before `validate` in the pipeline",
            "`render::a` and `render::b` import each other",
            "`render::kinds::vpn` and `render::reg` import each other",
        ],
        "{problems:#?}"
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

/// The kind names a text lists: every `$kinds::NAME::` (the dispatch macro) or `kind: "NAME"`
/// (`STEP_KINDS`).
fn kind_names(text: &str, before: &str, after: &str) -> BTreeSet<String> {
    text.match_indices(before)
        .filter_map(|(i, _)| {
            let rest = &text[i + before.len()..];
            rest.find(after).map(|j| rest[..j].to_string())
        })
        .collect()
}

#[test]
fn one_list_of_step_kinds_in_rust_one_in_powershell_one_folder_each() {
    let src = src_dir();
    let folders: BTreeSet<String> = std::fs::read_dir(src.join("kinds"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let dispatch = std::fs::read_to_string(src.join("model/kinds.rs")).unwrap();
    let rust = kind_names(&code_only(&dispatch), "$kinds::", "::");
    let blocks = std::fs::read_to_string(src.join("render/blocks.rs")).unwrap();
    let powershell = kind_names(&blocks, "kind: \"", "\"");
    assert_eq!(
        rust, folders,
        "src/model/kinds.rs dispatches to exactly the folders of src/kinds"
    );
    assert_eq!(
        powershell, folders,
        "STEP_KINDS in src/render/blocks.rs names the same kinds"
    );
    // Every stage dispatches through the macros: no match arm on a step kind calls its kind
    // file by hand (`Step::Vpn(v) => kinds::vpn::f(..)`), no list names every kind's item.
    let by_hand: Vec<String> = sources()
        .iter()
        .filter(|(f, _)| !f.starts_with("model"))
        .filter(|(_, t)| dispatches_by_hand(&code_only(t), &folders))
        .map(|(f, _)| format!("src/{f}"))
        .collect();
    assert!(
        by_hand.is_empty(),
        "dispatch by hand instead of step_kind_dispatch!: {by_hand:?}"
    );
    // The scanners see what they claim to see, on known text.
    let named = kind_names("$kinds::registry::f() $kinds::vpn::g()", "$kinds::", "::");
    assert_eq!(
        named,
        BTreeSet::from(["registry".to_string(), "vpn".to_string()])
    );
    let two: BTreeSet<String> = named.iter().cloned().collect();
    assert!(dispatches_by_hand(
        "match s {\n    Step::Vpn(v) => kinds::vpn::f(v),\n}",
        &two
    ));
    assert!(dispatches_by_hand(
        "[kinds::registry::X, kinds::vpn::X]",
        &two
    ));
    assert!(!dispatches_by_hand(
        "step_kind_dispatch!(s, k => kinds::KIND::f(k))",
        &two
    ));
    assert!(!dispatches_by_hand("kinds::vpn::only_this_kind(v)", &two));
}

/// A match arm on a step kind that calls its kind file (`Step::Vpn(v) => kinds::vpn::f(..)`),
/// or every kind's item listed by hand (`kinds::registry::X`, ..., for each of `kinds`).
fn dispatches_by_hand(code: &str, kinds: &BTreeSet<String>) -> bool {
    let arm = code.match_indices("Step::").any(|(i, _)| {
        let rest = &code[i..];
        rest.find("=>").is_some_and(|j| {
            !rest[..j].contains('\n') && rest[j + 2..].trim_start().starts_with("kinds::")
        })
    });
    arm || kinds
        .iter()
        .all(|k| code.contains(&format!("kinds::{k}::")))
}
