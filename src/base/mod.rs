//! What every layer may use: the library's error type, SHA-256 in hex,
//! HTML escaping, work on every processor, a fast hasher for internal
//! maps and the progress line of long runs.
//!
//! Uses nothing else of the crate.

pub mod error;
pub(crate) mod fx;
pub mod html;
pub mod parallel;
pub mod progress;
pub mod sha256;
