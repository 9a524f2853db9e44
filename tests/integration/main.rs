//! Integration tests: the real `spotcheck` binary on real files in
//! temporary folders (one test binary, as in ripgrep's tests).

mod batch;
mod ceremony;
mod crosscheck;
mod csv_shapes;
mod draw;
mod errors;
mod forms;
mod golden;
mod invariants;
mod mutate;
mod office;
mod office_batch;
mod province;
mod publish_batch;
mod publish_results;
mod readme;
mod refused;
mod results;
mod results_export;
mod teams;
mod util;
mod verify;
mod xlsx;
