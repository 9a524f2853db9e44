//! Reading the inputs: the bytes of a file, CSV as offices write it, the
//! credit code, the enterprise directory, the history, the inspector
//! directory and conflicts, the plan and its ratios, a batch plan and its
//! item list, the holiday calendar and its working days, and every input
//! of a plan or a batch read once with its hash and its record. Any of
//! the tables may be a sheet of an Excel workbook (`xlsx`), except the
//! holiday calendar, whose comment lines name its sources.
//!
//! Uses `base` only.

pub mod batch_plan;
pub mod directory;
pub mod file_bytes;
pub mod history;
pub mod holidays;
pub mod input_path;
pub mod inspectors;
pub mod items;
pub mod plan;
pub mod plan_words;
pub mod ratio;
pub mod read;
pub mod read_batch;
pub mod record;
pub mod result_words;
pub mod results_file;
pub mod table;
pub mod uscc;
pub mod xlsx;
