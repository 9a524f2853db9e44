//! "One public", second half (SPEC.md §11): the results of a bundle's
//! inspections, kept in a hash-chained log beside the draw; corrections
//! and substitutions as lines of their own; what is recorded and what is
//! due.
//!
//! Uses `bundle` and everything below it; `public` and `office` use it.

pub mod check;
pub mod drawn;
pub mod export;
pub mod log;
pub mod record;
pub mod state;
pub mod status;
pub mod substitute;
pub mod template;
