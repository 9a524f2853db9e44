//! The seed: the commitment published before any randomness exists, the
//! drand beacon round, the dice, and the derivation of the seed from them.
//!
//! Uses `inputs` (the records of what is committed), `draw` (the spec
//! version) and `base`.

pub mod beacon;
pub mod ceremony;
pub mod record;
