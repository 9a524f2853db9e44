//! A progress line on standard error for long runs: rows read, the phase,
//! and the time left while the directory is read. Off unless the command
//! line turns it on ([`show`], when standard error is a terminal and the
//! user did not ask for quiet); the library's work calls the functions
//! below whether or not it is on, and they cost nothing when it is off.
//! It is never part of any output file.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::OnceLock;
use std::time::Duration;

/// The line, once [`show`] has been called.
static LINE: OnceLock<ProgressBar> = OnceLock::new();

/// Turns the progress line on, drawn on standard error.
pub fn show() {
    LINE.get_or_init(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()));
}

/// Reading a file of `bytes` bytes: a bar with the rows read so far and
/// the time left.
pub fn reading(what: &str, bytes: u64) {
    if let Some(line) = LINE.get() {
        line.set_length(bytes);
        line.set_position(0);
        line.set_message(format!("reading {what}"));
        line.set_style(
            ProgressStyle::with_template("{msg} {wide_bar} {bytes}/{total_bytes}, {eta} left")
                .expect("a valid template"),
        );
    }
}

/// `bytes` more of the file read, `rows` rows in all so far.
pub fn read(what: &str, bytes: u64, rows: u64) {
    if let Some(line) = LINE.get() {
        line.inc(bytes);
        line.set_message(format!("reading {what}: {rows} rows"));
    }
}

/// A phase without a measure of its own (drawing, the frame tree,
/// writing): a spinner with its name.
pub fn phase(name: &str) {
    if let Some(line) = LINE.get() {
        line.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"));
        line.set_message(name.to_string());
        line.enable_steady_tick(Duration::from_millis(200));
    }
}

/// Takes the line off the terminal, before the command prints its result
/// or its error.
pub fn done() {
    if let Some(line) = LINE.get() {
        line.finish_and_clear();
    }
}
