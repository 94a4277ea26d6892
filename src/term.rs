//! Everything the commands print goes through here.
//!
//! - **Escaping.** Recipe text, file names and values can hold control characters: an escape
//!   sequence (ESC `[2J`, OSC titles, C1 CSI), a carriage return that overwrites a line, a bell,
//!   or a bidirectional override that makes text read differently than it is. [`escape`] shows
//!   each such character as `\u{XX}`: C0 (all of them in [`escape`], all but line feed in
//!   [`escape_text`]), DEL, C1 and the Unicode bidi controls. Human text is escaped whether or
//!   not the stream is a terminal (a redirected log is read on a terminal later); JSON keeps the
//!   data and uses JSON's own `\uXXXX` escapes ([`escape_json`]).
//! - **Write errors.** `println!` panics when stdout cannot be written (exit 101). The
//!   [`outln!`](crate::term::outln)/[`errln!`](crate::term::errln) macros write through
//!   [`out`]/[`err`], which record the first error of each stream and print nothing more to it,
//!   and [`finish`] turns that into the exit code: a closed pipe (`| head -1`) ends output
//!   quietly and keeps the command's exit code; any other write error (a full disk,
//!   `>/dev/full`) is an I/O error, exit 2, said on stderr when stderr still works. Work is not
//!   cut short by a failed write: a build still writes its bundle (atomically, complete or not
//!   at all) and only its report is lost.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Mutex;

use crate::exit::Exit;

/// Unicode bidirectional formatting characters (LRE..RLO, LRI..PDI, LRM, RLM, ALM).
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// True for a character that is never printed raw: C0, DEL, C1 and bidi controls.
pub(crate) fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn escape_with(s: &str, keep_newline: bool) -> Cow<'_, str> {
    let bad = |c: char| needs_escape(c) && !(keep_newline && c == '\n');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of text safe for a terminal: every control character (line breaks too), DEL, C1
/// and bidi control shown as `\u{XX}`.
pub(crate) fn escape(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

/// Multi-line text safe for a terminal: as [`escape`], but line feeds are kept.
pub(crate) fn escape_text(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

/// JSON text (as serde_json writes it) safe for a terminal, with the same data: DEL, C1 and
/// bidi controls (which JSON allows raw inside strings) become `\uXXXX` escapes. A raw control
/// character can only be inside a string there, so the escape keeps the document valid.
fn escape_json(s: &str) -> Cow<'_, str> {
    let bad = |c: char| needs_escape(c) && c != '\n';
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// First write error of each stream; nothing more is written to a stream that failed.
struct State {
    stdout: Option<std::io::Error>,
    stderr: Option<std::io::Error>,
}

static STATE: Mutex<State> = Mutex::new(State {
    stdout: None,
    stderr: None,
});

#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

fn write_raw(stream: Stream, bytes: &[u8]) {
    let mut st = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let slot = match stream {
        Stream::Out => &mut st.stdout,
        Stream::Err => &mut st.stderr,
    };
    if slot.is_some() {
        return;
    }
    // Flushed at once, so an error shows here and not in the silent flush at exit.
    let r = match stream {
        Stream::Out => {
            let mut o = std::io::stdout().lock();
            o.write_all(bytes).and_then(|()| o.flush())
        }
        Stream::Err => {
            let mut e = std::io::stderr().lock();
            e.write_all(bytes).and_then(|()| e.flush())
        }
    };
    if let Err(e) = r {
        *slot = Some(e);
    }
}

/// Print human text on stdout, escaped with [`escape_text`].
pub(crate) fn out(s: &str) {
    write_raw(Stream::Out, escape_text(s).as_bytes());
}

/// Print human text on stderr, escaped with [`escape_text`].
pub(crate) fn err(s: &str) {
    write_raw(Stream::Err, escape_text(s).as_bytes());
}

/// Print a JSON document on stdout, escaped with [`escape_json`].
pub(crate) fn out_json(s: &str) {
    write_raw(Stream::Out, escape_json(s).as_bytes());
}

/// Print diagnostics rendered by [`crate::diag::render_human`] (already escaped; may hold the
/// colour sequences it added itself) on stdout.
pub(crate) fn out_rendered(s: &str) {
    write_raw(Stream::Out, s.as_bytes());
}

/// As [`out_rendered`], on stderr.
pub(crate) fn err_rendered(s: &str) {
    write_raw(Stream::Err, s.as_bytes());
}

/// True when the error only means the reader went away (`| head`): not a failure of the run.
fn closed(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

/// The exit code of a run that would exit with `exit`, given the write errors seen: 2 when a
/// stream could not be written for any reason but a closed pipe (said on stderr when it works).
pub(crate) fn finish(exit: Exit) -> Exit {
    let (out_err, err_err) = {
        let mut st = STATE.lock().unwrap_or_else(|e| e.into_inner());
        (st.stdout.take(), st.stderr.take())
    };
    let mut code = exit;
    if let Some(e) = out_err.filter(|e| !closed(e)) {
        if err_err.is_none() {
            let _ = writeln!(
                std::io::stderr().lock(),
                "error: cannot write to standard output: {e}"
            );
        }
        code = Exit::Usage;
    }
    if err_err.is_some_and(|e| !closed(&e)) {
        code = Exit::Usage;
    }
    code
}

/// `println!` through [`out`]: escaped, never panics.
macro_rules! outln {
    () => { $crate::term::out("\n") };
    ($($t:tt)*) => { $crate::term::out(&format!("{}\n", format_args!($($t)*))) };
}

/// `eprintln!` through [`err`]: escaped, never panics.
macro_rules! errln {
    () => { $crate::term::err("\n") };
    ($($t:tt)*) => { $crate::term::err(&format!("{}\n", format_args!($($t)*))) };
}

pub(crate) use errln;
pub(crate) use outln;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_control_and_bidi_character() {
        assert_eq!(
            escape("a\u{1b}[31mb\u{7}\r\n\t\u{7f}\u{9b}\u{202e}\u{2066}é"),
            "a\\u{1b}[31mb\\u{7}\\u{d}\\u{a}\\u{9}\\u{7f}\\u{9b}\\u{202e}\\u{2066}é"
        );
        assert_eq!(escape_text("a\nb\r\n"), "a\nb\\u{d}\n");
        assert!(matches!(escape("plain HKLM\\Software"), Cow::Borrowed(_)));
        let j = serde_json::to_string(&"x\u{1b}\u{9b}\u{202e}\u{7f}").unwrap();
        let e = escape_json(&j);
        assert_eq!(e, "\"x\\u001b\\u009b\\u202e\\u007f\"");
        let back: String = serde_json::from_str(&e).unwrap();
        assert_eq!(back, "x\u{1b}\u{9b}\u{202e}\u{7f}");
    }
}
