//! spotcheck: verifiable "double random, one public" inspection draws.
pub mod uscc;
