//! spotcheck: verifiable "double random, one public" inspection draws.
//!
//! The library is in layers, in the order the data goes through it; each
//! layer uses only the layers before it (DESIGN.md draws the picture):
//!
//! 1. [`base`]: the error type, SHA-256 in hex, work on every processor;
//! 2. [`inputs`]: the plan and the directories, read and checked;
//! 3. [`draw`]: the first and second random, and the frame's Merkle tree;
//! 4. [`seed`]: the ceremony that fixes the seed nobody can choose;
//! 5. [`bundle`]: the files of a draw, written once, and their replay;
//! 6. [`results`]: the inspections' results, in a hash-chained log beside
//!    the bundle, and what is due when;
//! 7. [`public`] and [`office`]: what is published, and what the office
//!    and its inspectors receive.
//!
//! The core is pure: [`draw::targets::draw_targets`] takes a plan, the
//! directories and a seed and returns the draw. Reading files and writing
//! bundles happen at the edges, and [`bundle::verify`] replays a bundle
//! through the same functions ([`bundle::make::make`]).
//!
//! Two functions hold unsafe code: the call into the SHA extensions of
//! x86-64 processors, after checking that the processor has them
//! ([`draw::prepared_block`]), and the mapping of a large input file into
//! memory ([`inputs::file_bytes`]).
#![deny(unsafe_code)]

pub mod base;
pub mod bundle;
pub mod draw;
pub mod inputs;
pub mod office;
pub mod public;
pub mod results;
pub mod seed;
