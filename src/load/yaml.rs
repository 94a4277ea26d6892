//! YAML text -> `serde_norway::Value` plus a position index, from saphyr-parser events.
//!
//! One pass over the parser's events builds the value tree that serde later deserializes, and an
//! index from field paths (`steps[2].firewall.remote_ports[1]`, the same spelling
//! `serde_path_to_error` uses) to line and column. The same pass enforces the structural limits:
//! nesting depth, alias count and alias expansion (billion laughs), duplicate keys, one document
//! per file, no tags, text-only keys. It never panics and stops at the first structural error of
//! a file (after one, positions of later nodes are not trustworthy), except duplicate keys, which
//! are all collected.

use std::collections::{BTreeMap, HashMap};

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_norway::{Mapping, Number, Value};

/// Structural limits: nesting depth, aliases, nodes after alias expansion (see `crate::limits`).
pub(crate) use crate::limits::{MAX_ALIASES, MAX_DEPTH, MAX_NODES};

/// 1-based line and column (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn of(span: &Span) -> Pos {
        Pos {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

/// What the index knows about one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// Where the key of a mapping entry starts (None for sequence items and the root).
    pub key: Option<Pos>,
    /// Where the value starts.
    pub value: Pos,
    /// The scalar's text as written (after YAML unescaping), for messages.
    pub scalar: Option<String>,
    /// The scalar was quoted (so it is text even if it looks like a number).
    pub quoted: bool,
}

/// Field path -> node positions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpanIndex {
    map: HashMap<String, NodeInfo>,
}

impl SpanIndex {
    pub fn get(&self, path: &str) -> Option<&NodeInfo> {
        self.map.get(path)
    }

    /// The node at `path`, or its nearest ancestor that is indexed (values reached through an
    /// alias are indexed at the alias).
    pub fn nearest(&self, path: &str) -> Option<&NodeInfo> {
        let mut p = path;
        loop {
            if let Some(n) = self.map.get(p) {
                return Some(n);
            }
            if p.is_empty() {
                return None;
            }
            p = parent_path(p);
        }
    }

    /// Position of the value at `path` (or the nearest indexed ancestor); 1:1 if none.
    pub fn value_pos(&self, path: &str) -> Pos {
        self.nearest(path)
            .map(|n| n.value)
            .unwrap_or(Pos { line: 1, column: 1 })
    }

    /// Position of the key of the entry at `path` when it is a mapping entry, else its value.
    pub fn key_pos(&self, path: &str) -> Pos {
        match self.map.get(path) {
            Some(NodeInfo { key: Some(k), .. }) => *k,
            _ => self.value_pos(path),
        }
    }

    /// Scalar text at exactly `path`.
    pub fn scalar(&self, path: &str) -> Option<&str> {
        self.map.get(path).and_then(|n| n.scalar.as_deref())
    }
}

/// `a.b[2].c` -> `a.b[2]` -> `a.b` -> `a` -> ``.
fn parent_path(p: &str) -> &str {
    if p.ends_with(']') {
        if let Some(i) = p.rfind('[') {
            return &p[..i];
        }
    }
    match p.rfind(['.', '[']) {
        Some(i) if p.as_bytes()[i] == b'.' => &p[..i],
        Some(i) => &p[..i],
        None => "",
    }
}

/// Join a key to a path the way `serde_path_to_error` displays it.
pub(crate) fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

pub(crate) fn join_index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// A structural problem found while reading events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub code: &'static str,
    pub pos: Pos,
    pub field: String,
    pub message: String,
    pub hint: Option<String>,
}

/// Result of reading one YAML document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    /// `None` when the file has no content (empty or only comments) or a fatal error occurred.
    pub value: Option<Value>,
    pub index: SpanIndex,
    pub errors: Vec<YamlError>,
}

enum Frame {
    Seq {
        path: String,
        items: Vec<Value>,
        anchor: usize,
        nodes: usize,
    },
    Map {
        path: String,
        map: Mapping,
        /// Key read, waiting for its value: (key text, key position).
        pending: Option<String>,
        seen: BTreeMap<String, Pos>,
        anchor: usize,
        nodes: usize,
    },
}

struct Builder {
    stack: Vec<Frame>,
    index: SpanIndex,
    anchors: HashMap<usize, (Value, usize)>,
    aliases: usize,
    nodes: usize,
    root: Option<Value>,
    errors: Vec<YamlError>,
}

fn err(code: &'static str, pos: Pos, field: &str, message: impl Into<String>) -> YamlError {
    YamlError {
        code,
        pos,
        field: field.to_string(),
        message: message.into(),
        hint: None,
    }
}

/// Plain-scalar resolution as serde_norway does it (YAML 1.2 core schema).
fn resolve_plain(s: &str) -> Value {
    if s.is_empty() || matches!(s, "null" | "Null" | "NULL" | "~") {
        return Value::Null;
    }
    match s {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(u) = parse_unsigned(s) {
        return Value::Number(Number::from(u));
    }
    if let Some(i) = parse_negative(s) {
        return Value::Number(Number::from(i));
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let leading_zero_digits =
        digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit());
    if !leading_zero_digits && !looks_integer(s) {
        if let Some(f) = parse_float(s) {
            return Value::Number(Number::from(f));
        }
    }
    Value::String(s.to_string())
}

/// An integer too big for 64 bits stays text (so the error can quote it) instead of a float.
fn looks_integer(s: &str) -> bool {
    let d = s.strip_prefix(['-', '+']).unwrap_or(s);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn parse_radix(s: &str) -> Option<(u32, &str)> {
    if let Some(r) = s.strip_prefix("0x") {
        Some((16, r))
    } else if let Some(r) = s.strip_prefix("0o") {
        Some((8, r))
    } else if let Some(r) = s.strip_prefix("0b") {
        Some((2, r))
    } else {
        None
    }
}

fn parse_unsigned(s: &str) -> Option<u64> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.starts_with(['+', '-']) {
        return None;
    }
    if let Some((radix, rest)) = parse_radix(s) {
        if rest.starts_with(['+', '-']) {
            return None;
        }
        return u64::from_str_radix(rest, radix).ok();
    }
    if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
        if s.len() > 1 && s.starts_with('0') {
            return None;
        }
        return s.parse().ok();
    }
    None
}

fn parse_negative(s: &str) -> Option<i64> {
    let rest = s.strip_prefix('-')?;
    if let Some((radix, r)) = parse_radix(rest) {
        if r.starts_with(['+', '-']) {
            return None;
        }
        return i64::from_str_radix(&format!("-{r}"), radix).ok();
    }
    if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
        if rest.len() > 1 && rest.starts_with('0') {
            return None;
        }
        return s.parse().ok();
    }
    None
}

fn parse_float(s: &str) -> Option<f64> {
    let u = s.strip_prefix('+').unwrap_or(s);
    if u.starts_with(['+', '-']) && s.starts_with('+') {
        return None;
    }
    match u {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // Only plain decimal notation; Rust also accepts "inf"/"nan", YAML does not.
    if !u
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
    {
        return None;
    }
    u.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
    }
}

impl Builder {
    fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Path of the node that starts now, and the key position if it is a mapping value.
    /// Returns `None` when the node is a mapping key.
    fn child_path(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Seq { path, items, .. }) => Some(join_index(path, items.len())),
            Some(Frame::Map { path, pending, .. }) => pending.as_ref().map(|k| join_key(path, k)),
        }
    }

    fn is_key_position(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }))
    }

    fn record(&mut self, path: String, pos: Pos, scalar: Option<String>, quoted: bool) {
        let key = match self.stack.last() {
            Some(Frame::Map { .. }) => self.index.map.get(&path).and_then(|n| n.key),
            _ => None,
        };
        self.index.map.insert(
            path,
            NodeInfo {
                key,
                value: pos,
                scalar,
                quoted,
            },
        );
    }

    /// Attach a finished node to its parent (or make it the root).
    fn finish(&mut self, value: Value, nodes: usize, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), nodes));
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq {
                items, nodes: n, ..
            }) => {
                items.push(value);
                *n += nodes;
            }
            Some(Frame::Map {
                map,
                pending,
                nodes: n,
                ..
            }) => {
                if let Some(k) = pending.take() {
                    map.insert(Value::String(k), value);
                    *n += nodes;
                }
            }
        }
    }

    /// A scalar used as a key: check for duplicates and remember it.
    fn key(&mut self, text: String, pos: Pos) -> Result<(), YamlError> {
        let Some(Frame::Map {
            path,
            pending,
            seen,
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        let field = join_key(path, &text);
        if let Some(first) = seen.get(&text) {
            let mut e = err(
                "yaml-duplicate-key",
                pos,
                &field,
                format!(
                    "duplicate key `{text}`: it is already defined at line {}, column {}",
                    first.line, first.column
                ),
            );
            e.hint = Some("each key may appear once in a map; remove one of them".into());
            self.errors.push(e);
            // Read the duplicate's value under a name nobody uses so nothing is lost or
            // overwritten; the error stops the file anyway.
            *pending = Some(format!("{text}\u{0}dup{}", seen.len()));
            return Ok(());
        }
        seen.insert(text.clone(), pos);
        *pending = Some(text);
        self.index.map.insert(
            field,
            NodeInfo {
                key: Some(pos),
                value: pos,
                scalar: None,
                quoted: false,
            },
        );
        Ok(())
    }

    fn count(&mut self, n: usize, pos: Pos, path: &str) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(err(
                "yaml-too-large",
                pos,
                path,
                format!(
                    "the document expands to more than {MAX_NODES} values (through aliases?); a recipe is far smaller"
                ),
            ));
        }
        Ok(())
    }

    fn event(&mut self, ev: Event<'_>, span: Span) -> Result<(), YamlError> {
        let pos = Pos::of(&span);
        match ev {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => Ok(()),
            Event::DocumentStart(_) => {
                if self.root.is_some() {
                    return Err(err(
                        "yaml-multiple-documents",
                        pos,
                        "",
                        "a second YAML document (`---`); a recipe file holds exactly one",
                    ));
                }
                Ok(())
            }
            Event::Alias(id) => {
                let path = self.child_path().unwrap_or_default();
                if self.is_key_position() {
                    return Err(err(
                        "yaml-key",
                        pos,
                        &path,
                        "an alias used as a map key; keys must be plain text",
                    ));
                }
                self.aliases += 1;
                if self.aliases > MAX_ALIASES {
                    return Err(err(
                        "yaml-aliases",
                        pos,
                        &path,
                        format!("more than {MAX_ALIASES} aliases (`*name`) in one file"),
                    ));
                }
                let Some(nodes) = self.anchors.get(&id).map(|(_, n)| *n) else {
                    return Err(err("yaml-syntax", pos, &path, "alias to an unknown anchor"));
                };
                self.count(nodes, pos, &path)?;
                let Some(value) = self.anchors.get(&id).map(|(v, _)| v.clone()) else {
                    return Ok(());
                };
                self.record(path, pos, None, false);
                self.finish(value, nodes, 0);
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(tag) = tag {
                    let path = self.child_path().unwrap_or_default();
                    return Err(err(
                        "yaml-tag",
                        pos,
                        &path,
                        format!(
                            "YAML tag `{}{}` is not supported; write the value without a tag",
                            tag.handle, tag.suffix
                        ),
                    ));
                }
                if self.is_key_position() {
                    if anchor != 0 {
                        return Err(err(
                            "yaml-key",
                            pos,
                            "",
                            "an anchor on a map key is not supported",
                        ));
                    }
                    return self.key(text.into_owned(), pos);
                }
                let path = self.child_path().unwrap_or_default();
                self.count(1, pos, &path)?;
                let quoted = !matches!(style, ScalarStyle::Plain);
                let value = if quoted {
                    Value::String(text.to_string())
                } else {
                    resolve_plain(&text)
                };
                self.record(path, pos, Some(text.into_owned()), quoted);
                self.finish(value, 1, anchor);
                Ok(())
            }
            Event::SequenceStart(anchor, tag) => self.start(false, anchor, tag.is_some(), pos),
            Event::MappingStart(anchor, tag) => self.start(true, anchor, tag.is_some(), pos),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (value, nodes, anchor) = match frame {
                    Frame::Seq {
                        items,
                        anchor,
                        nodes,
                        ..
                    } => (Value::Sequence(items), nodes, anchor),
                    Frame::Map {
                        map, anchor, nodes, ..
                    } => (Value::Mapping(map), nodes, anchor),
                };
                self.finish(value, nodes + 1, anchor);
                Ok(())
            }
        }
    }

    fn start(
        &mut self,
        is_map: bool,
        anchor: usize,
        tagged: bool,
        pos: Pos,
    ) -> Result<(), YamlError> {
        let what = if is_map { "map" } else { "list" };
        if self.is_key_position() {
            let path = match self.stack.last() {
                Some(Frame::Map { path, .. }) => path.clone(),
                _ => String::new(),
            };
            return Err(err(
                "yaml-key",
                pos,
                &path,
                format!("a {what} used as a map key; keys must be plain text"),
            ));
        }
        let path = self.child_path().unwrap_or_default();
        if tagged {
            return Err(err(
                "yaml-tag",
                pos,
                &path,
                "YAML tags are not supported; write the value without a tag",
            ));
        }
        if self.depth() >= MAX_DEPTH {
            return Err(err(
                "yaml-depth",
                pos,
                &path,
                format!("nesting deeper than {MAX_DEPTH} levels; a recipe needs far fewer"),
            ));
        }
        self.count(1, pos, &path)?;
        self.record(path.clone(), pos, None, false);
        self.stack.push(if is_map {
            Frame::Map {
                path,
                map: Mapping::new(),
                pending: None,
                seen: BTreeMap::new(),
                anchor,
                nodes: 0,
            }
        } else {
            Frame::Seq {
                path,
                items: Vec::new(),
                anchor,
                nodes: 0,
            }
        });
        Ok(())
    }
}

/// Read one YAML document from `text`.
/// True for a character allowed raw in a recipe: everything but the C0 controls other than
/// tab, line feed and carriage return, which YAML 1.2 excludes from a stream (`c-printable`).
/// DEL and C1, which YAML 1.2 excludes too, are accepted as JSON-style strings carry them raw;
/// like every character they reach the terminal escaped (`crate::term`).
fn yaml_printable(c: char) -> bool {
    !matches!(c, '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}')
}

const C0_NAMES: [&str; 32] = [
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
    "FS", "GS", "RS", "US",
];

/// The first raw C0 control character but tab, line feed and carriage return, located, with how
/// many there are.
fn control_char(text: &str) -> Option<YamlError> {
    let (off, c) = text.char_indices().find(|(_, c)| !yaml_printable(*c))?;
    let more = text[off..].chars().filter(|c| !yaml_printable(*c)).count() - 1;
    let (line, column) = crate::diag::line_col(text.as_bytes(), off);
    let name = C0_NAMES.get(c as usize).copied().unwrap_or("control");
    let more = match more {
        0 => String::new(),
        n => format!(" ({n} more after it)"),
    };
    let mut e = err(
        "yaml-control-char",
        Pos { line, column },
        "",
        format!(
            "raw control character U+{:04X} ({name}) in the YAML text{more}; YAML 1.2 allows only tab, line feed and carriage return",
            c as u32
        ),
    );
    e.hint = Some(
        "remove it; a value that needs such a character writes it as an escape inside a double-quoted string (\"\\x07\")"
            .to_string(),
    );
    Some(e)
}

pub(crate) fn read(text: &str) -> Document {
    if let Some(e) = control_char(text) {
        return Document {
            value: None,
            index: SpanIndex::default(),
            errors: vec![e],
        };
    }
    let mut b = Builder {
        stack: Vec::new(),
        index: SpanIndex::default(),
        anchors: HashMap::new(),
        aliases: 0,
        nodes: 0,
        root: None,
        errors: Vec::new(),
    };
    let mut fatal = false;
    for item in Parser::new_from_str(text) {
        match item {
            Ok((ev, span)) => {
                if let Err(e) = b.event(ev, span) {
                    b.errors.push(e);
                    fatal = true;
                    break;
                }
            }
            Err(e) => {
                let m = e.marker();
                let mut ye = err(
                    "yaml-syntax",
                    Pos {
                        line: m.line(),
                        column: m.col() + 1,
                    },
                    "",
                    format!("malformed YAML: {}", e.info()),
                );
                ye.hint = syntax_hint(e.info());
                b.errors.push(ye);
                fatal = true;
                break;
            }
        }
    }
    let value = if fatal || !b.errors.is_empty() {
        None
    } else {
        b.root.filter(|v| !matches!(v, Value::Null))
    };
    Document {
        value,
        index: b.index,
        errors: b.errors,
    }
}

fn syntax_hint(info: &str) -> Option<String> {
    let h = if info.contains("tab") {
        "indent with spaces; YAML does not allow tabs for indentation"
    } else if info.contains("mapping values are not allowed") {
        "check this line's indentation, or quote a value that contains `: `"
    } else if info.contains("did not find expected") || info.contains("unclosed") {
        "a bracket, brace or quote is not closed"
    } else if info.contains("block sequence entries are not allowed") {
        "a `- ` list item needs its own line, indented under its key"
    } else {
        return None;
    };
    Some(h.to_string())
}

/// A short description of a value's kind for messages ("a list", "text", ...).
pub(crate) fn kind_of(v: &Value) -> &'static str {
    describe(v)
}
