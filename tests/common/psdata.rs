//! The data a generated script carries, read back from its syntax tree (tree-sitter-pwsh, an
//! oracle we did not write) and evaluated as PowerShell reads literals, so a test can compare
//! each step's values exactly instead of looking for text anywhere in the file.
//!
//! ```ignore
//! mod common;
//! let recipes = common::psdata::recipes(&text);          // every $FixgenRecipe/$FixgenSteps pair
//! let step = &recipes["registry-kinds"].steps[5];
//! assert_eq!(step.get("Type"), Some(&PsValue::str("QWord")));
//! ```
//!
//! Only constant expressions are evaluated: single-quoted strings, `+` of strings and
//! `[char]0xNNNN`, integer literals (hex as PowerShell types them), `$true`/`$false`/`$null`,
//! `@(...)` arrays, `@{...}` hashtables and `[byte[]]@(...)`. A variable is kept as
//! [`PsValue::Var`]; anything else is [`PsValue::Other`] with its source text, so it never
//! compares equal to a value a test expects.
#![allow(dead_code)]

use std::collections::BTreeMap;

use tree_sitter::Node;

use super::pwsh::{eval_verbatim, parse};

/// A PowerShell value as the literal in the script evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PsValue {
    Str(String),
    /// An integer literal's value (a hex literal of up to 8 digits is an Int32 and up to 16 an
    /// Int64, so `0xFFFFFFFF` is -1, as in PowerShell).
    Int(i128),
    Bool(bool),
    Null,
    /// `$Name`: a script or function parameter.
    Var(String),
    Array(Vec<PsValue>),
    /// `[byte[]]@(...)` of byte-sized integers.
    Bytes(Vec<u8>),
    Hash(PsHash),
    /// Not a constant this evaluator knows: the source text.
    Other(String),
}

impl PsValue {
    pub fn str(s: &str) -> PsValue {
        PsValue::Str(s.to_string())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PsValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_hash(&self) -> Option<&PsHash> {
        match self {
            PsValue::Hash(h) => Some(h),
            _ => None,
        }
    }
}

/// A hashtable literal: entries in source order (keys as written).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PsHash(pub Vec<(String, PsValue)>);

impl PsHash {
    /// The value of `key` (case-insensitive, as PowerShell hashtables are).
    pub fn get(&self, key: &str) -> Option<&PsValue> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// The string value of `key`, if it is a string.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(PsValue::as_str)
    }

    pub fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }
}

/// One recipe's data in a generated file.
#[derive(Debug, Clone)]
pub struct RecipeData {
    pub recipe: PsHash,
    pub steps: Vec<PsHash>,
}

fn named_children(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.named_children(&mut c).collect()
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

/// Descend through wrappers that hold one expression.
fn unwrap(mut n: Node) -> Node {
    while matches!(
        n.kind(),
        "pipeline" | "pipeline_chain" | "unary_expression" | "assignment_value" | "statement_list"
    ) {
        let kids = named_children(n);
        if kids.len() != 1 {
            break;
        }
        n = kids[0];
    }
    n
}

/// PowerShell's value of an integer literal without a suffix.
fn eval_int(text: &str) -> Option<i128> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        if hex.is_empty() || hex.len() > 16 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let bits = u64::from_str_radix(hex, 16).ok()?;
        // An Int32 when the digits fit in 32 bits, else an Int64: the bit pattern is signed.
        return Some(if hex.trim_start_matches('0').len() <= 8 {
            (bits as u32 as i32) as i128
        } else {
            (bits as i64) as i128
        });
    }
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse::<i128>().ok()
}

/// Pieces of a string concatenation: text, or one UTF-16 unit from `[char]0xNNNN`.
fn concat_pieces(n: Node, src: &str, out: &mut Vec<Result<String, u16>>) -> bool {
    let n = unwrap(n);
    match n.kind() {
        "string_literal" => match eval_verbatim(&src[n.byte_range()]) {
            Some(s) => {
                out.push(Ok(s));
                true
            }
            None => false,
        },
        "parenthesized_expression" | "expression_with_unary_operator"
            if named_children(n).len() == 1 && !src[n.byte_range()].starts_with('-') =>
        {
            concat_pieces(named_children(n)[0], src, out)
        }
        "cast_expression" => {
            let kids = named_children(n);
            if kids.len() != 2 || !src[kids[0].byte_range()].eq_ignore_ascii_case("[char]") {
                return false;
            }
            match eval_int(&src[unwrap(kids[1]).byte_range()]) {
                Some(u) if (0..=0xFFFF).contains(&u) => {
                    out.push(Err(u as u16));
                    true
                }
                _ => false,
            }
        }
        "additive_expression" => {
            let mut c = n.walk();
            let kids: Vec<Node> = n.children(&mut c).collect();
            kids.len() == 3
                && src[kids[1].byte_range()].trim() == "+"
                && concat_pieces(kids[0], src, out)
                && concat_pieces(kids[2], src, out)
        }
        _ => false,
    }
}

/// The elements of `@(...)` (a single element, a comma list, or nothing).
fn array_elements(n: Node, src: &str) -> Vec<PsValue> {
    let kids = named_children(n);
    let Some(stmts) = kids.first() else {
        return Vec::new();
    };
    let stmts_kids = named_children(*stmts);
    if stmts_kids.len() != 1 {
        return vec![PsValue::Other(src[n.byte_range()].to_string())];
    }
    let inner = unwrap(stmts_kids[0]);
    if inner.kind() == "array_literal_expression" {
        named_children(inner)
            .into_iter()
            .map(|e| eval(e, src))
            .collect()
    } else {
        vec![eval(inner, src)]
    }
}

/// Evaluate a constant expression node.
pub fn eval(n: Node, src: &str) -> PsValue {
    let n = unwrap(n);
    let text = &src[n.byte_range()];
    let other = || PsValue::Other(text.to_string());
    match n.kind() {
        "string_literal" => eval_verbatim(text).map_or_else(other, PsValue::Str),
        "integer_literal" => eval_int(text).map_or_else(other, PsValue::Int),
        "variable" => match text.to_ascii_lowercase().as_str() {
            "$true" => PsValue::Bool(true),
            "$false" => PsValue::Bool(false),
            "$null" => PsValue::Null,
            _ => PsValue::Var(text[1..].to_string()),
        },
        "array_expression" => PsValue::Array(array_elements(n, src)),
        "hash_literal_expression" => {
            let mut entries = Vec::new();
            for body in named_children(n) {
                for e in named_children(body) {
                    let kids = named_children(e);
                    if e.kind() != "hash_entry" || kids.len() != 2 {
                        return other();
                    }
                    let key = match eval(kids[0], src) {
                        PsValue::Str(s) => s,
                        _ if kids[0].kind() == "key_expression" => {
                            src[kids[0].byte_range()].to_string()
                        }
                        _ => return other(),
                    };
                    entries.push((key, eval(kids[1], src)));
                }
            }
            PsValue::Hash(PsHash(entries))
        }
        "parenthesized_expression" => {
            let mut pieces = Vec::new();
            if concat_pieces(n, src, &mut pieces) && matches!(pieces.first(), Some(Ok(_))) {
                let mut units: Vec<u16> = Vec::new();
                for p in &pieces {
                    match p {
                        Ok(s) => units.extend(s.encode_utf16()),
                        Err(u) => units.push(*u),
                    }
                }
                return String::from_utf16(&units).map_or_else(|_| other(), PsValue::Str);
            }
            match named_children(n).as_slice() {
                [one] => eval(*one, src),
                _ => other(),
            }
        }
        "expression_with_unary_operator" => {
            let kids = named_children(n);
            match kids.as_slice() {
                [one] if text.starts_with('-') => match eval(*one, src) {
                    PsValue::Int(i) => PsValue::Int(-i),
                    _ => other(),
                },
                [one] if one.kind() == "cast_expression" => eval(*one, src),
                _ => other(),
            }
        }
        "cast_expression" => {
            let kids = named_children(n);
            if kids.len() == 2 && src[kids[0].byte_range()].eq_ignore_ascii_case("[byte[]]") {
                if let PsValue::Array(items) = eval(kids[1], src) {
                    let bytes: Option<Vec<u8>> = items
                        .iter()
                        .map(|v| match v {
                            PsValue::Int(i) => u8::try_from(*i).ok(),
                            _ => None,
                        })
                        .collect();
                    if let Some(b) = bytes {
                        return PsValue::Bytes(b);
                    }
                }
            }
            other()
        }
        _ => other(),
    }
}

/// The evaluated right-hand side of every `$<var> = ...` (name case-insensitive), in order.
pub fn assignments(src: &str, var: &str) -> Vec<PsValue> {
    let tree = parse(src);
    let want = format!("${var}").to_ascii_lowercase();
    let mut out = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.kind() != "assignment_expression" {
            return true;
        }
        let kids = named_children(n);
        let (Some(left), Some(value)) = (kids.first(), kids.last()) else {
            return true;
        };
        let is_var = unwrap(named_children(*left).first().copied().unwrap_or(*left));
        if left.kind() == "left_assignment_expression"
            && is_var.kind() == "variable"
            && src[is_var.byte_range()].to_ascii_lowercase() == want
            && kids.len() == 3
        {
            out.push(eval(*value, src));
            return false;
        }
        true
    });
    out
}

fn hashes(v: PsValue, what: &str) -> Vec<PsHash> {
    match v {
        PsValue::Array(items) => items
            .into_iter()
            .map(|i| match i {
                PsValue::Hash(h) => h,
                x => panic!("{what}: an element is not a hashtable literal: {x:?}"),
            })
            .collect(),
        x => panic!("{what}: not an @(...) array: {x:?}"),
    }
}

/// Every recipe's data in a generated script or module, by recipe id: each `$FixgenRecipe`
/// assignment with the `$FixgenSteps` assignment that follows it (scripts, module definition
/// functions), or each `@{ Recipe = ...; Steps = ... }` of `$FixgenRecipes` (Intune scripts).
/// Panics when the file holds no recipe data or a recipe id twice.
pub fn recipes(src: &str) -> BTreeMap<String, RecipeData> {
    let mut pairs: Vec<RecipeData> = Vec::new();
    let metas = assignments(src, "FixgenRecipe");
    let steps = assignments(src, "FixgenSteps");
    assert_eq!(
        metas.len(),
        steps.len(),
        "every $FixgenRecipe has its $FixgenSteps"
    );
    for (m, s) in metas.into_iter().zip(steps) {
        let recipe = match m {
            PsValue::Hash(h) => h,
            x => panic!("$FixgenRecipe is not a hashtable literal: {x:?}"),
        };
        pairs.push(RecipeData {
            steps: hashes(s, "$FixgenSteps"),
            recipe,
        });
    }
    for list in assignments(src, "FixgenRecipes") {
        for entry in hashes(list, "$FixgenRecipes") {
            let recipe = entry
                .get("Recipe")
                .and_then(PsValue::as_hash)
                .cloned()
                .unwrap_or_else(|| panic!("$FixgenRecipes entry without Recipe: {entry:?}"));
            let steps = hashes(
                entry.get("Steps").cloned().unwrap_or(PsValue::Null),
                "$FixgenRecipes Steps",
            );
            pairs.push(RecipeData { recipe, steps });
        }
    }
    assert!(!pairs.is_empty(), "no recipe data in the file");
    let mut out = BTreeMap::new();
    for p in pairs {
        let id = p
            .recipe
            .str("Id")
            .unwrap_or_else(|| panic!("recipe without a string Id: {:?}", p.recipe))
            .to_string();
        assert!(out.insert(id.clone(), p).is_none(), "recipe {id} twice");
    }
    out
}

/// Source text of the function `name` defined in `src` (for running it alone in pwsh).
pub fn function_source(src: &str, name: &str) -> String {
    let tree = parse(src);
    let mut found = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.kind() == "function_statement" {
            if named_children(n).iter().any(|c| {
                c.kind() == "function_name" && src[c.byte_range()].eq_ignore_ascii_case(name)
            }) {
                found.push(src[n.byte_range()].to_string());
            }
            return false;
        }
        true
    });
    assert_eq!(
        found.len(),
        1,
        "function {name} defined {} times",
        found.len()
    );
    found.remove(0)
}

/// Source text of every `$<var> = ...` statement (name case-insensitive), in order.
pub fn assignment_sources(src: &str, var: &str) -> Vec<String> {
    let tree = parse(src);
    let want = format!("${var}").to_ascii_lowercase();
    let mut out = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.kind() != "assignment_expression" {
            return true;
        }
        let text = &src[n.byte_range()];
        let left = text.split('=').next().unwrap_or("").trim();
        if left.to_ascii_lowercase() == want {
            out.push(text.to_string());
            return false;
        }
        true
    });
    out
}
