//! The bundle: a draw made into its files (`make`), written once and
//! atomically (`write`), its manifest, its replay (`verify`), reading it
//! back (`view`), the commands' work from flags to a bundle (`run`) and
//! the summary printed after a draw; a batch's bundle (`batch`), its
//! replay (`verify_batch`) and reading it back (`batch_view`).
//!
//! Uses `seed`, `draw`, `inputs` and `base`.

pub mod batch;
pub mod batch_view;
pub mod make;
pub mod manifest;
pub mod run;
pub mod summary;
pub mod verify;
pub mod verify_batch;
pub mod view;
pub mod write;
