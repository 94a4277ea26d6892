//! PowerShell checks with the tree-sitter-pwsh grammar (an oracle we did not write):
//! syntax errors, string values (by un-escaping the syntax tree), and command/parameter use
//! against the allowlist in `pwsh_allowlist.rs`.
//!
//! Reuse from any integration test:
//! ```ignore
//! mod common;
//! let problems = common::pwsh::syntax_problems(&text);       // ERROR / MISSING nodes
//! let values = common::pwsh::string_values(&text);           // every string expression, evaluated
//! let bad = common::pwsh::allowlist_violations(&text);       // unknown commands/parameters
//! ```
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::{Node, Parser, Tree};

use super::pwsh_allowlist::{
    is_approved_verb, lookup_cmdlet, ALLOWED_DYNAMIC_INVOCATIONS, COMMON_PARAMETERS,
    FORBIDDEN_COMMANDS, SHOULD_PROCESS_PARAMETERS,
};

/// Parse PowerShell source.
pub fn parse(src: &str) -> Tree {
    let mut p = Parser::new();
    p.set_language(&tree_sitter_pwsh::LANGUAGE.into())
        .expect("tree-sitter-pwsh loads");
    p.parse(src, None).expect("tree-sitter returns a tree")
}

fn walk<'t>(n: Node<'t>, f: &mut dyn FnMut(Node<'t>) -> bool) {
    if !f(n) {
        return;
    }
    let mut c = n.walk();
    let children: Vec<Node<'t>> = n.children(&mut c).collect();
    for ch in children {
        walk(ch, f);
    }
}

/// Every ERROR and MISSING node, as `line:column: kind near "text"`. Empty means the grammar
/// accepted the whole file.
pub fn syntax_problems(src: &str) -> Vec<String> {
    let tree = parse(src);
    let mut out = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.is_error() || n.is_missing() {
            let p = n.start_position();
            let near: String = src[n.byte_range()].chars().take(60).collect();
            out.push(format!(
                "{}:{}: {} near {:?}",
                p.row + 1,
                p.column + 1,
                if n.is_missing() {
                    format!("MISSING {}", n.kind())
                } else {
                    "ERROR".to_string()
                },
                near
            ));
        }
        true
    });
    out
}

/// Number of nodes in the tree (for reporting how much was checked).
pub fn node_count(src: &str) -> usize {
    let tree = parse(src);
    let mut n = 0;
    walk(tree.root_node(), &mut |_| {
        n += 1;
        true
    });
    n
}

const QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// Value of a single-quoted literal as PowerShell reads it: strip the quotes, and a quote
/// character followed by another quote character stands for the second one.
pub fn eval_verbatim(token: &str) -> Option<String> {
    let mut chars: Vec<char> = token.chars().collect();
    if chars.len() < 2 || !QUOTES.contains(&chars[0]) || !QUOTES.contains(&chars[chars.len() - 1]) {
        return None;
    }
    chars.remove(0);
    chars.pop();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if QUOTES.contains(&c) {
            // Inside the literal a quote must be doubled; a lone one would have ended it.
            if i + 1 < chars.len() && QUOTES.contains(&chars[i + 1]) {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            return None;
        }
        out.push(c);
        i += 1;
    }
    Some(out)
}

fn only_named_child(n: Node) -> Option<Node> {
    let mut c = n.walk();
    let named: Vec<Node> = n.named_children(&mut c).collect();
    if named.len() == 1 {
        Some(named[0])
    } else {
        None
    }
}

/// Descend through single-child wrappers (pipeline, pipeline_chain, unary_expression).
fn unwrap(mut n: Node) -> Node {
    while matches!(
        n.kind(),
        "pipeline" | "pipeline_chain" | "unary_expression" | "statement_list"
    ) {
        match only_named_child(n) {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

/// Pieces of a string expression: a verbatim literal, `[char]0xNNNN`, or `a + b` of those.
enum Piece {
    Text(String),
    Unit(u16),
}

fn eval_piece(n: Node, src: &str, out: &mut Vec<Piece>) -> bool {
    let n = unwrap(n);
    match n.kind() {
        "string_literal" => {
            let text = &src[n.byte_range()];
            match only_named_child(n) {
                Some(c) if c.kind() == "verbatim_string_characters" => match eval_verbatim(text) {
                    Some(s) => {
                        out.push(Piece::Text(s));
                        true
                    }
                    None => false,
                },
                _ => false,
            }
        }
        "parenthesized_expression" => match only_named_child(n) {
            Some(c) => eval_piece(c, src, out),
            None => false,
        },
        "expression_with_unary_operator" => match only_named_child(n) {
            Some(c) => eval_piece(c, src, out),
            None => false,
        },
        "cast_expression" => {
            let mut c = n.walk();
            let named: Vec<Node> = n.named_children(&mut c).collect();
            if named.len() != 2 || !src[named[0].byte_range()].eq_ignore_ascii_case("[char]") {
                return false;
            }
            let lit = src[unwrap(named[1]).byte_range()].to_string();
            match lit
                .strip_prefix("0x")
                .and_then(|h| u16::from_str_radix(h, 16).ok())
            {
                Some(u) => {
                    out.push(Piece::Unit(u));
                    true
                }
                None => false,
            }
        }
        "additive_expression" => {
            let mut c = n.walk();
            let kids: Vec<Node> = n.children(&mut c).collect();
            if kids.len() != 3 || src[kids[1].byte_range()].trim() != "+" {
                return false;
            }
            eval_piece(kids[0], src, out) && eval_piece(kids[2], src, out)
        }
        _ => false,
    }
}

fn join_pieces(pieces: &[Piece]) -> Option<String> {
    // PowerShell: the first operand must be a string for + to concatenate (a group starting
    // with a string is a string, so the first leaf decides).
    if !matches!(pieces.first(), Some(Piece::Text(_))) {
        return None;
    }
    let mut units: Vec<u16> = Vec::new();
    for p in pieces {
        match p {
            Piece::Text(s) => units.extend(s.encode_utf16()),
            Piece::Unit(u) => units.push(*u),
        }
    }
    String::from_utf16(&units).ok()
}

/// Every string expression in the file, evaluated: single-quoted literals, and parenthesised
/// `+` concatenations of single-quoted literals and `[char]0xNNNN` casts (as one value).
/// Double-quoted strings are returned with their raw inner text.
pub fn string_values(src: &str) -> Vec<String> {
    let tree = parse(src);
    let mut out = Vec::new();
    walk(tree.root_node(), &mut |n| match n.kind() {
        "parenthesized_expression" => {
            let Some(inner) = only_named_child(n) else {
                return true;
            };
            let inner = unwrap(inner);
            if inner.kind() != "additive_expression" {
                return true;
            }
            let mut pieces = Vec::new();
            if eval_piece(inner, src, &mut pieces) {
                if let Some(s) = join_pieces(&pieces) {
                    out.push(s);
                    return false;
                }
            }
            true
        }
        "string_literal" => {
            let text = &src[n.byte_range()];
            if let Some(s) = eval_verbatim(text) {
                out.push(s);
            } else if text.len() >= 2 && text.starts_with('"') {
                out.push(text[1..text.len() - 1].to_string());
            }
            false
        }
        _ => true,
    });
    out
}

/// One command invocation found in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandUse {
    /// Command name as written, or `&$variable` for a dynamic invocation.
    pub name: String,
    pub params: Vec<String>,
    pub line: usize,
}

/// Every command invocation with its named parameters.
pub fn commands(src: &str) -> Vec<CommandUse> {
    let tree = parse(src);
    let mut out = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.kind() != "command" {
            return true;
        }
        let mut name = None;
        let mut params = Vec::new();
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            match ch.kind() {
                "command_name" => name = Some(src[ch.byte_range()].to_string()),
                "command_name_expr" => {
                    let t = src[ch.byte_range()].to_string();
                    name = Some(if t.starts_with('$') {
                        format!("&{t}")
                    } else {
                        t
                    });
                }
                "command_elements" => {
                    let mut c2 = ch.walk();
                    for el in ch.named_children(&mut c2) {
                        if el.kind() == "command_parameter" {
                            let t = &src[el.byte_range()];
                            let t = t.trim_start_matches('-').trim_end_matches(':');
                            params.push(t.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        out.push(CommandUse {
            name: name.unwrap_or_default(),
            params,
            line: n.start_position().row + 1,
        });
        true
    });
    out
}

/// Functions defined in the file: name -> (declared parameters, supports ShouldProcess).
pub fn defined_functions(src: &str) -> BTreeMap<String, (BTreeSet<String>, bool)> {
    let tree = parse(src);
    let mut out = BTreeMap::new();
    walk(tree.root_node(), &mut |n| {
        if n.kind() != "function_statement" {
            return true;
        }
        let mut name = String::new();
        let mut params = BTreeSet::new();
        let mut should_process = false;
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            if ch.kind() == "function_name" {
                name = src[ch.byte_range()].to_string();
            }
            if ch.kind() == "script_block" {
                let mut c2 = ch.walk();
                for pb in ch.named_children(&mut c2) {
                    if pb.kind() != "param_block" {
                        continue;
                    }
                    let text = &src[pb.byte_range()];
                    should_process = text.contains("SupportsShouldProcess");
                    walk(pb, &mut |x| {
                        if x.kind() == "script_parameter" {
                            let mut c3 = x.walk();
                            for v in x.named_children(&mut c3) {
                                if v.kind() == "variable" {
                                    params.insert(
                                        src[v.byte_range()].trim_start_matches('$').to_string(),
                                    );
                                }
                            }
                            return false;
                        }
                        true
                    });
                }
            }
        }
        out.insert(name, (params, should_process));
        true
    });
    out
}

/// All checks for one generated PowerShell file: pure ASCII, CRLF line ends without a BOM,
/// zero ERROR/MISSING nodes, and the allowlist. Empty means the file passed.
pub fn check_generated(name: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !text.is_ascii() {
        out.push(format!("{name}: not pure ASCII"));
    }
    let b = text.as_bytes();
    if b.iter().enumerate().any(|(i, c)| {
        (*c == b'\n' && (i == 0 || b[i - 1] != b'\r'))
            || (*c == b'\r' && b.get(i + 1) != Some(&b'\n'))
    }) {
        out.push(format!("{name}: line ends are not all CRLF"));
    }
    out.extend(
        syntax_problems(text)
            .into_iter()
            .map(|p| format!("{name}: {p}")),
    );
    out.extend(
        allowlist_violations(text)
            .into_iter()
            .map(|p| format!("{name}: {p}")),
    );
    out
}

/// Every use of a command or parameter the allowlist does not know, every function with an
/// unapproved verb, and every forbidden command (aliases, Invoke-Expression, Write-Host).
pub fn allowlist_violations(src: &str) -> Vec<String> {
    let defined = defined_functions(src);
    let mut out = Vec::new();
    for (name, _) in defined.iter() {
        let verb = name.split('-').next().unwrap_or("");
        if !name.contains('-') || !is_approved_verb(verb) {
            out.push(format!("function {name}: not an approved Verb-Noun name"));
        }
        if lookup_cmdlet(name).is_some() {
            out.push(format!("function {name}: shadows a built-in cmdlet"));
        }
    }
    for cmd in commands(src) {
        let at = format!("line {}", cmd.line);
        if FORBIDDEN_COMMANDS
            .iter()
            .any(|f| f.eq_ignore_ascii_case(&cmd.name))
        {
            out.push(format!("{at}: forbidden command `{}`", cmd.name));
            continue;
        }
        if cmd.name.starts_with('&') {
            if !ALLOWED_DYNAMIC_INVOCATIONS.contains(&&cmd.name[1..]) {
                out.push(format!(
                    "{at}: dynamic invocation `{}` not allowed",
                    cmd.name
                ));
            }
            continue;
        }
        let (known, should_process): (BTreeSet<String>, bool) =
            if let Some((params, sp)) = defined.get(&cmd.name) {
                (params.iter().map(|p| p.to_ascii_lowercase()).collect(), *sp)
            } else if let Some(c) = lookup_cmdlet(&cmd.name) {
                (
                    c.params.iter().map(|p| p.to_ascii_lowercase()).collect(),
                    c.should_process,
                )
            } else {
                out.push(format!("{at}: unknown command `{}`", cmd.name));
                continue;
            };
        if cmd.name
            != lookup_cmdlet(&cmd.name)
                .map(|c| c.name)
                .unwrap_or(&cmd.name)
            && !defined.contains_key(&cmd.name)
        {
            out.push(format!("{at}: `{}` is not spelled as documented", cmd.name));
        }
        for p in &cmd.params {
            let pl = p.to_ascii_lowercase();
            let ok = known.contains(&pl)
                || COMMON_PARAMETERS.iter().any(|c| c.eq_ignore_ascii_case(p))
                || (should_process
                    && SHOULD_PROCESS_PARAMETERS
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(p)));
            if !ok {
                out.push(format!("{at}: `{}` has no parameter -{p}", cmd.name));
            }
        }
    }
    out
}

/// Automatic and preference variables generated code may read without assigning them.
const AUTOMATIC_VARIABLES: &[&str] = &[
    "_",
    "true",
    "false",
    "null",
    "pscmdlet",
    "psboundparameters",
    "lastexitcode",
    "pid",
    "pscommandpath",
    "psscriptroot",
    "whatifpreference",
    "confirmpreference",
    "verbosepreference",
    "matches",
    "args",
    "error",
];

fn variable_name(text: &str) -> String {
    let t = text.trim_start_matches(['$', '@']);
    let t = t
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(t);
    t.to_ascii_lowercase()
}

fn in_function(n: Node) -> Option<Node> {
    let mut cur = n.parent();
    while let Some(p) = cur {
        if p.kind() == "function_statement" {
            return Some(p);
        }
        cur = p.parent();
    }
    None
}

/// Variables read but never assigned, declared as a parameter or bound by `foreach`, in the
/// same function (or at file level for code outside functions); `$script:` variables must be
/// assigned somewhere in the file. Catches template typos no PowerShell run here could find.
pub fn undefined_variables(src: &str) -> Vec<String> {
    let tree = parse(src);
    // (function start byte or usize::MAX for file level) -> defined names
    let mut defined: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut script_scope: BTreeSet<String> = BTreeSet::new();
    let mut uses: Vec<(usize, String, usize)> = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.kind() != "variable" {
            return true;
        }
        let name = variable_name(&src[n.byte_range()]);
        let scope = in_function(n).map(|f| f.start_byte()).unwrap_or(usize::MAX);
        let parent = n.parent();
        let grand = parent.and_then(|p| p.parent());
        let is_def = parent.is_some_and(|p| {
            p.kind() == "left_assignment_expression"
                || p.kind() == "script_parameter"
                || p.kind() == "foreach_statement"
        }) || grand.is_some_and(|g| g.kind() == "left_assignment_expression");
        if is_def {
            if let Some(s) = name.strip_prefix("script:") {
                script_scope.insert(s.to_string());
            }
            defined.entry(scope).or_default().insert(name);
        } else {
            uses.push((scope, name, n.start_position().row + 1));
        }
        true
    });
    let mut out = Vec::new();
    for (scope, name, line) in uses {
        if name.starts_with("env:")
            || name == "global:lastexitcode"
            || AUTOMATIC_VARIABLES.contains(&name.as_str())
        {
            continue;
        }
        if let Some(s) = name.strip_prefix("script:") {
            if script_scope.contains(s) {
                continue;
            }
        } else if defined.get(&scope).is_some_and(|d| d.contains(&name)) {
            continue;
        }
        out.push(format!(
            "line {line}: ${name} is read but never set in its scope"
        ));
    }
    out
}

/// Member names read from `$<var>.<Member>` in the file, with their line.
pub fn member_reads(src: &str, var: &str) -> Vec<(String, usize)> {
    let tree = parse(src);
    let want = var.to_ascii_lowercase();
    let mut out = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.kind() == "member_access" {
            let mut c = n.walk();
            let kids: Vec<Node> = n.named_children(&mut c).collect();
            if kids.len() == 2
                && kids[0].kind() == "variable"
                && variable_name(&src[kids[0].byte_range()]) == want
            {
                out.push((
                    src[kids[1].byte_range()].to_string(),
                    n.start_position().row + 1,
                ));
            }
        }
        true
    });
    out
}

/// Keys of every `Key = value` entry of hashtable literals, with their line.
pub fn hashtable_keys(src: &str) -> Vec<(String, usize)> {
    let tree = parse(src);
    let mut out = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.kind() == "hash_entry" {
            let mut c = n.walk();
            let key = n
                .named_children(&mut c)
                .find(|k| k.kind() == "key_expression");
            if let Some(k) = key {
                out.push((src[k.byte_range()].to_string(), n.start_position().row + 1));
            }
        }
        true
    });
    out
}
