//! Progress bar on a terminal for long builds and signing runs.
//!
//! Shown on stderr only when stderr is a terminal, and only once the work has taken more than
//! [`DELAY`]: quick runs print nothing extra, and a redirected or piped stderr (CI logs, scripts)
//! never gets control sequences. `NO_COLOR` does not hide it (it has no colours), `FIXGEN_NO_PROGRESS=1` does.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before the bar appears (`FIXGEN_PROGRESS_DELAY_MS` overrides it).
const DELAY: Duration = Duration::from_secs(1);

/// A counted progress bar that stays hidden for [`DELAY`] and when stderr is not a terminal.
/// Shared by reference across threads (`inc` takes `&self`).
pub(crate) struct Progress {
    bar: ProgressBar,
    started: Instant,
    delay: Duration,
    enabled: bool,
    shown: AtomicBool,
}

impl Progress {
    /// A bar for `len` items of work, labelled `what` ("writing", "signing").
    pub(crate) fn new(len: u64, what: &str) -> Progress {
        let enabled = std::io::stderr().is_terminal()
            && std::env::var_os("FIXGEN_NO_PROGRESS").is_none_or(|v| v != "1");
        Progress::with(len, what, enabled)
    }

    fn with(len: u64, what: &str, enabled: bool) -> Progress {
        // FIXGEN_PROGRESS_DELAY_MS: a shorter or longer delay (tests use 0).
        let delay = std::env::var("FIXGEN_PROGRESS_DELAY_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(DELAY, Duration::from_millis);
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{msg:>9} [{bar:30}] {pos}/{len} {elapsed}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        Progress {
            bar,
            started: Instant::now(),
            delay,
            enabled,
            shown: AtomicBool::new(false),
        }
    }

    /// Change the label and the total (a new stage of the same run).
    pub(crate) fn stage(&self, len: u64, what: &str) {
        self.bar.set_length(len);
        self.bar.set_position(0);
        self.bar.set_message(what.to_string());
        self.tick();
    }

    /// Set how many items are done.
    #[cfg(test)]
    pub(crate) fn set(&self, done: u64) {
        self.bar.set_position(done);
        self.tick();
    }

    /// One more item done.
    pub(crate) fn inc(&self) {
        self.bar.inc(1);
        self.tick();
    }

    fn tick(&self) {
        if self.enabled
            && !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= self.delay
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Run `f` (which prints) with the bar cleared, then redraw it.
    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// True once the bar has been drawn.
    #[cfg(test)]
    fn is_visible(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }

    /// Remove the bar from the terminal (before printing the result line).
    pub(crate) fn finish(self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_until_the_delay_and_never_when_disabled() {
        let mut p = Progress::with(10, "writing", true);
        p.inc();
        assert!(!p.is_visible(), "shown before the delay");
        p.started -= DELAY;
        p.inc();
        assert!(p.is_visible());
        p.finish();
        let mut q = Progress::with(10, "writing", false);
        q.started -= DELAY * 2;
        q.set(5);
        assert!(!q.is_visible());
    }
}
