//! Integration tests: the real `spotcheck` binary on real files in
//! temporary folders (one test binary, as in ripgrep's tests).

mod ceremony;
mod crosscheck;
mod draw;
mod errors;
mod golden;
mod invariants;
mod office;
mod readme;
mod refused;
mod teams;
mod util;
mod verify;
