//! Typed deserialization that reports every error it can, each located and explained.
//!
//! The whole document is deserialized with `serde_path_to_error`. On an error the offending part
//! is neutralised (an unknown key removed, a bad step or param replaced by a valid placeholder, a
//! missing field filled in) and deserialization runs again, so one run reports the errors of
//! every step and param, not only the first. Messages of untagged enums and single-key maps are
//! rewritten to say what was expected.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde_norway::{Mapping, Value};

use super::yaml::{join_index, join_key, kind_of, SpanIndex};
use crate::diag::Diagnostic;

/// Most errors reported for one file.
const MAX_ERRORS: usize = 200;

/// One path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn to_segs(p: &serde_path_to_error::Path) -> Vec<Seg> {
    p.iter()
        .map(|s| match s {
            serde_path_to_error::Segment::Seq { index } => Seg::Index(*index),
            serde_path_to_error::Segment::Map { key } => Seg::Key(key.clone()),
            serde_path_to_error::Segment::Enum { variant } => Seg::Key(variant.clone()),
            _ => Seg::Key("?".into()),
        })
        .collect()
}

fn path_string(segs: &[Seg]) -> String {
    let mut s = String::new();
    for seg in segs {
        s = match seg {
            Seg::Key(k) => join_key(&s, k),
            Seg::Index(i) => join_index(&s, *i),
        };
    }
    s
}

fn get_mut<'a>(v: &'a mut Value, segs: &[Seg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for seg in segs {
        cur = match (seg, cur) {
            (Seg::Key(k), Value::Mapping(m)) => m.get_mut(k.as_str())?,
            (Seg::Index(i), Value::Sequence(s)) => s.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Which document is being read: decides placeholders and the granularity of recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocKind {
    Recipe,
    Bundle,
}

fn placeholder_step() -> Value {
    let mut inner = Mapping::new();
    inner.insert("action".into(), "scan".into());
    let mut m = Mapping::new();
    m.insert("windows_update".into(), Value::Mapping(inner));
    Value::Mapping(m)
}

fn placeholder_param() -> Value {
    let mut m = Mapping::new();
    m.insert("type".into(), "string".into());
    Value::Mapping(m)
}

/// A value for a missing required field, so deserialization can go on to find other errors.
fn placeholder_field(parent: &[Seg], field: &str) -> Option<Value> {
    let in_step = |kind: &str| parent.iter().any(|s| *s == Seg::Key(kind.to_string()));
    Some(match field {
        "steps" | "recipes" => Value::Sequence(Vec::new()),
        "direction" => "inbound".into(),
        "protocol" => "any".into(),
        "tunnel" => "l2tp".into(),
        "type" => "string".into(),
        "param" => "x".into(),
        "action" if in_step("windows_update") => "scan".into(),
        "action" => "allow".into(),
        "id" | "title" | "summary" | "key" | "name" | "display_name" | "version"
        | "description" | "publisher" => "".into(),
        _ => return None,
    })
}

/// A valid stand-in for a bad leaf value, so the rest of its step is still checked.
fn placeholder_leaf(segs: &[Seg]) -> Option<Value> {
    let Some(Seg::Key(last)) = segs.last() else {
        return None;
    };
    let parent = &segs[..segs.len() - 1];
    let in_step = |kind: &str| parent.iter().any(|s| *s == Seg::Key(kind.to_string()));
    if !matches!(segs.first(), Some(Seg::Key(k)) if k == "steps") {
        return None;
    }
    Some(match last.as_str() {
        "dword" | "qword" => Value::Number(0u64.into()),
        "string" | "expand_string" | "binary" => "".into(),
        "multi_string" => Value::Sequence(Vec::new()),
        "value" => {
            let mut m = Mapping::new();
            m.insert("string".into(), "".into());
            Value::Mapping(m)
        }
        "direction" => "inbound".into(),
        "protocol" => "tcp".into(),
        "action" if in_step("windows_update") => "scan".into(),
        "action" => "allow".into(),
        "startup" => "manual".into(),
        "tunnel" => "l2tp".into(),
        "encryption" => "required".into(),
        "display_name" | "description" => "x".into(),
        _ => return None,
    })
}

fn missing_field_name(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// The result of [`deserialize`].
#[derive(Debug, Clone)]
pub(crate) struct Outcome<T> {
    /// The document, when it had no error.
    pub value: Option<T>,
    /// After errors: the document with its bad parts replaced by placeholders, so the
    /// validator can still check the rest. Findings on `touched` paths must be ignored.
    pub recovered: Option<T>,
    /// Paths replaced, filled in or removed during recovery.
    pub touched: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Deserialize `value` as `T`, collecting located diagnostics for every problem found.
pub(crate) fn deserialize<T: DeserializeOwned>(
    mut value: Value,
    kind: DocKind,
    file: &str,
    index: &SpanIndex,
) -> Outcome<T> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut filled: BTreeSet<String> = BTreeSet::new();
    let done = |diags: Vec<Diagnostic>, filled: BTreeSet<String>, recovered: Option<T>| Outcome {
        value: None,
        recovered,
        touched: filled.into_iter().collect(),
        diagnostics: diags,
    };
    // Each round fixes one problem; the cap guards against a recovery that makes no progress.
    for _round in 0..4 * MAX_ERRORS {
        let result: Result<T, _> = serde_path_to_error::deserialize(value.clone());
        let e = match result {
            Ok(t) if diags.is_empty() => {
                return Outcome {
                    value: Some(t),
                    recovered: None,
                    touched: Vec::new(),
                    diagnostics: diags,
                }
            }
            Ok(t) => return done(diags, filled, Some(t)),
            Err(e) => e,
        };
        let segs = to_segs(e.path());
        let msg = e.inner().to_string();
        let (segs, path) = if segs.is_empty() {
            (segs, String::new())
        } else {
            let p = path_string(&segs);
            (segs, p)
        };
        if diags.len() >= MAX_ERRORS {
            diags.push(
                Diagnostic::error(
                    "too-many-errors",
                    file,
                    format!("more than {MAX_ERRORS} errors; stopping"),
                )
                .at(1, 1),
            );
            return done(diags, filled, None);
        }

        // Missing required field: report at the map, fill it in and go on.
        if let Some(field) = missing_field_name(&msg) {
            let fpath = join_key(&path, field);
            if !filled.contains(&fpath) {
                let pos = index.value_pos(&path);
                diags.push(
                    Diagnostic::error(
                        "missing-field",
                        file,
                        format!("missing required field `{field}`"),
                    )
                    .at(pos.line, pos.column)
                    .with_field(fpath.clone())
                    .with_hint(format!("add `{field}:` to this map")),
                );
            }
            if let (Some(ph), Some(Value::Mapping(m))) =
                (placeholder_field(&segs, field), get_mut(&mut value, &segs))
            {
                if filled.insert(fpath) {
                    m.insert(field.into(), ph);
                    continue;
                }
            }
            if recover(&mut value, &segs, kind, &mut filled) {
                continue;
            }
            return done(diags, filled, None);
        }

        // Unknown field: report at its key, remove it and go on.
        if msg.starts_with("unknown field `") {
            let pos = index.key_pos(&path);
            let mut d = Diagnostic::error("unknown-field", file, msg.clone())
                .at(pos.line, pos.column)
                .with_field(path.clone());
            if let Some(h) = did_you_mean(&msg) {
                d = d.with_hint(h);
            }
            diags.push(d);
            // (unknown variants get the same hint below)
            if let Some((Seg::Key(k), parent)) = segs.split_last() {
                if let Some(Value::Mapping(m)) = get_mut(&mut value, parent) {
                    if m.remove(k.as_str()).is_some() {
                        continue;
                    }
                }
            }
            if recover(&mut value, &segs, kind, &mut filled) {
                continue;
            }
            return done(diags, filled, None);
        }

        diags.push(explained(&msg, &segs, &path, &value, file, index));
        if !recover(&mut value, &segs, kind, &mut filled) {
            return done(diags, filled, None);
        }
    }
    done(diags, filled, None)
}

/// Any other serde error, located and explained (see [`explain`]).
fn explained(
    msg: &str,
    segs: &[Seg],
    path: &str,
    value: &Value,
    file: &str,
    index: &SpanIndex,
) -> Diagnostic {
    let (code, message, hint, at_key) = explain(msg, segs, path, value, index);
    let pos = if at_key {
        index.key_pos(path)
    } else {
        index.value_pos(path)
    };
    let mut d = Diagnostic::error(code, file, message)
        .at(pos.line, pos.column)
        .with_field(path.to_string());
    if let Some(h) = hint.or_else(|| {
        msg.starts_with("unknown variant")
            .then(|| did_you_mean(msg))
            .flatten()
    }) {
        d = d.with_hint(h);
    }
    d
}

fn code_for(msg: &str) -> &'static str {
    if msg.starts_with("unknown variant") {
        "unknown-variant"
    } else if msg.starts_with("invalid type") {
        "wrong-type"
    } else {
        "invalid-value"
    }
}

/// Neutralise the part of `value` that failed so deserialization can continue. Returns false
/// when nothing could be changed (the caller stops).
fn recover(value: &mut Value, segs: &[Seg], kind: DocKind, filled: &mut BTreeSet<String>) -> bool {
    if let Some(ph) = placeholder_leaf(segs) {
        if let Some(slot) = get_mut(value, segs) {
            if *slot != ph {
                *slot = ph;
                filled.insert(path_string(segs));
                return true;
            }
        }
    }
    let Some(Seg::Key(top)) = segs.first() else {
        return false;
    };
    match (kind, top.as_str(), segs.get(1)) {
        (DocKind::Recipe, "steps", Some(Seg::Index(i))) => {
            if let Some(Value::Sequence(s)) = get_mut(value, &segs[..1]) {
                if let Some(slot) = s.get_mut(*i) {
                    if *slot != placeholder_step() {
                        *slot = placeholder_step();
                        filled.insert(format!("steps[{i}]"));
                        return true;
                    }
                }
            }
            false
        }
        (DocKind::Recipe, "params", Some(Seg::Key(name))) => {
            if let Some(Value::Mapping(m)) = get_mut(value, &segs[..1]) {
                if let Some(slot) = m.get_mut(name.as_str()) {
                    if *slot != placeholder_param() {
                        *slot = placeholder_param();
                        filled.insert(format!("params.{name}"));
                        return true;
                    }
                }
            }
            false
        }
        (DocKind::Bundle, "recipes", Some(Seg::Index(i))) => {
            if let Some(Value::Sequence(s)) = get_mut(value, &segs[..1]) {
                if let Some(slot) = s.get_mut(*i) {
                    if *slot != Value::String(String::new()) {
                        *slot = Value::String(String::new());
                        filled.insert(format!("recipes[{i}]"));
                        return true;
                    }
                }
            }
            false
        }
        _ => {
            // A top-level field: drop it; a required one is filled with a placeholder.
            let Value::Mapping(m) = value else {
                return false;
            };
            if m.remove(top.as_str()).is_none() {
                return false;
            }
            filled.insert(top.clone());
            if let Some(ph) = placeholder_field(&[], top) {
                m.insert(top.as_str().into(), ph);
            }
            true
        }
    }
}

/// "unknown field `nmae`, expected one of `name`, ..." -> "did you mean `name`?"
fn did_you_mean(msg: &str) -> Option<String> {
    let mut parts = msg.split('`');
    parts.next()?;
    let bad = parts.next()?;
    let candidates: Vec<&str> = parts.skip(1).step_by(2).collect();
    let best = candidates
        .iter()
        .map(|c| (edit_distance(bad, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()?;
    Some(format!("did you mean `{}`?", best.1))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn last_key(segs: &[Seg]) -> Option<&str> {
    segs.iter().rev().find_map(|s| match s {
        Seg::Key(k) => Some(k.as_str()),
        Seg::Index(_) => None,
    })
}

/// Turn serde's message into one that says what was expected, with a hint.
fn explain(
    msg: &str,
    segs: &[Seg],
    path: &str,
    root: &Value,
    index: &SpanIndex,
) -> (&'static str, String, Option<String>, bool) {
    let code = code_for(msg);
    let mut probe = root.clone();
    let node = get_mut(&mut probe, segs).cloned();
    // Never quote what may be a secret (a pre-shared key, a param default).
    let may_be_secret = matches!(last_key(segs), Some("psk" | "default"));
    let found = match (&node, index.scalar(path).filter(|_| !may_be_secret)) {
        (Some(Value::String(_)), Some(s)) => format!("text {s:?}"),
        (_, Some(s)) => format!("`{s}`"),
        (Some(v), None) => kind_of(v).to_string(),
        (None, None) => "nothing".to_string(),
    };
    let last = last_key(segs).unwrap_or("");
    let last_is_index = matches!(segs.last(), Some(Seg::Index(_)));

    if msg.contains("expected map with a single key") {
        let keys = match &node {
            Some(Value::Mapping(m)) => m
                .keys()
                .filter_map(|k| k.as_str().map(|s| format!("`{s}`")))
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        let found = if keys.is_empty() {
            found
        } else {
            format!("keys {keys}")
        };
        if last == "value" {
            return (
                "registry-value-kind",
                format!("expected a registry value as a map with exactly one key naming its kind (string, expand_string, multi_string, dword, qword or binary), found {found}"),
                Some("write e.g. `value: { dword: 2 }`".into()),
                false,
            );
        }
        return (
            "step-kind",
            format!("expected a step as a map with exactly one key naming its kind (registry, service, firewall, vpn or windows_update), found {found}"),
            Some("start each step with `- registry:`, `- service:`, ... and indent its fields below".into()),
            false,
        );
    }

    if msg.contains("untagged enum Val")
        || msg.contains("untagged enum PortEntry")
        || msg.contains("untagged enum ParamValue")
    {
        let (code, m, h) = untagged(last, last_is_index, &found);
        return (code, m, h, false);
    }

    if msg.starts_with("unknown variant") {
        if segs.len() == 3
            && matches!(segs.get(1), Some(Seg::Index(_)))
            && segs[0] == Seg::Key("steps".into())
        {
            return (
                "step-kind",
                format!("unknown step kind `{last}`; expected one of registry, service, firewall, vpn or windows_update"),
                None,
                true,
            );
        }
        if matches!(segs.iter().rev().nth(1), Some(Seg::Key(k)) if k == "value") {
            return (
                "registry-value-kind",
                format!("unknown registry value kind `{last}`; expected one of string, expand_string, multi_string, dword, qword or binary"),
                None,
                true,
            );
        }
        return (code, msg.to_string(), None, false);
    }

    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        // "invalid type: string \"x\", expected u32" -> say it in words.
        let expected = rest.split(", expected ").nth(1).unwrap_or("");
        let words = match expected {
            "u32" => "a whole number from 0 to 4294967295",
            "u64" => "a whole number from 0 to 18446744073709551615",
            "i64" => "a whole number",
            "a boolean" => "true or false",
            "a string" => "text",
            "a sequence" => "a list",
            other => other,
        };
        // `version: 1.0` is a number to YAML: say what a version looks like and how to quote.
        let hint = (last == "version" && words == "text" && matches!(node, Some(Value::Number(_))))
            .then(|| {
                "a version is text MAJOR.MINOR.PATCH, e.g. `version: 1.0.0`; YAML reads `1.0` as a number, so quote a version that looks like one (`version: \"1.0.0\"`)".to_string()
            });
        return (
            code,
            format!("expected {words}, found {found}"),
            hint,
            false,
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let expected = rest.split(", expected ").nth(1).unwrap_or(rest);
        return (
            code,
            format!("expected {expected}, found {found}"),
            None,
            false,
        );
    }
    (code, msg.to_string(), None, false)
}

/// A value that is neither of an untagged enum's forms (`Val`: a literal or `{ param: Name }`;
/// a port; a param default): what the field expects.
fn untagged(
    last: &str,
    last_is_index: bool,
    found: &str,
) -> (&'static str, String, Option<String>) {
    match (last, last_is_index) {
    ("dword", _) => (
        "registry-dword",
        format!("expected a REG_DWORD: a whole number from 0 to 4294967295 (32-bit unsigned), or {{ param: Name }}; found {found}"),
        Some("a value that does not fit 32 bits needs `qword`; a negative number is written as its unsigned 32-bit value (-1 is 4294967295)".to_string()),
    ),
    ("qword", _) => (
        "registry-qword",
        format!("expected a REG_QWORD: a whole number from 0 to 18446744073709551615 (64-bit unsigned), or {{ param: Name }}; found {found}"),
        None,
    ),
    ("remote_ports" | "local_ports", true) => (
        "port-invalid",
        format!("expected a port number (1-65535) or a range as text \"lo-hi\", found {found}"),
        Some("write ports as `[500, 4500, \"49152-65535\"]`".to_string()),
    ),
    ("default", _) => (
        "wrong-type",
        format!("expected a default of true/false, a whole number or text, found {found}"),
        None,
    ),
    _ => (
        "wrong-type",
        format!("expected text or a parameter reference {{ param: Name }}, found {found}"),
        Some("a parameter reference is a map with the single key `param`".to_string()),
    ),
}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_field_names() {
        assert_eq!(
            did_you_mean("unknown field `nmae`, expected one of `key`, `name`, `value`"),
            Some("did you mean `name`?".into())
        );
        assert_eq!(
            did_you_mean("unknown field `zzzzzz`, expected `key` or `name`"),
            None
        );
    }
}
