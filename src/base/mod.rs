//! What every layer may use: the library's error type, SHA-256 in hex,
//! HTML escaping, work on every processor and a fast hasher for internal
//! maps.
//!
//! Uses nothing else of the crate.

pub mod error;
pub(crate) mod fx;
pub mod html;
pub mod parallel;
pub mod sha256;
