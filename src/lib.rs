//! spotcheck: verifiable "double random, one public" inspection draws.
//!
//! The core is pure: [`draw::draw_targets`] takes a plan, the directories
//! and a seed and returns the draw. Reading files and writing bundles
//! happen at the edges ([`bundle`]), and [`verify`] replays a bundle
//! through the same functions.
//!
//! One function holds unsafe code: the call into the SHA extensions of
//! x86-64 processors, after checking that the processor has them
//! ([`prepared_block`]).
#![deny(unsafe_code)]

pub mod beacon;
pub mod bundle;
pub mod ceremony;
pub mod demo;
pub mod directory;
pub mod draw;
pub mod error;
pub mod export;
pub mod history;
pub mod ics;
pub mod inputs;
pub mod inspectors;
pub mod manifest;
pub mod merkle;
pub mod notices;
pub mod page;
pub mod plan;
pub mod prepared_block;
pub mod proof;
pub mod publish;
pub mod ratio;
pub mod run;
pub mod summary;
pub mod table;
pub mod teams;
pub mod ticket;
pub mod uscc;
pub mod verify;
pub mod view;

/// How many threads the parallel parts use: one per processor, at most 8.
/// Asked of the system once (each asking reads the process's CPU limits).
pub(crate) fn processors() -> usize {
    static PROCESSORS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *PROCESSORS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8))
}
