//! The draw: consistent-sampler tickets, the prepared SHA-256 blocks
//! behind them, the first random (targets), the second random (teams)
//! and the frame's Merkle tree. Pure functions of the inputs and a seed.
//!
//! Uses `inputs` and `base`.

pub mod batch;
pub mod frame;
pub mod prepared_block;
pub mod targets;
pub mod teams;
pub mod ticket;

/// The version of the draw algorithm in SPEC.md that a bundle follows.
pub const SPEC_VERSION: &str = "spotcheck-draw/1";
