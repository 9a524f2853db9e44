//! What the office and its inspectors receive: the Excel workbook, one
//! inspector's list, the notices and the calendar files; for a batch
//! bundle, the same over all of its tasks and visits (`batch_*`); the
//! export of the inspections' results (`results_workbook`); and for a
//! plan or a batch, the record forms that the teams fill in on site
//! (`forms`).
//!
//! Uses `results`, `bundle` and everything below them; not `public`.

pub mod batch_calendar;
pub mod batch_listing;
pub mod batch_notices;
pub mod batch_workbook;
pub mod calendar;
pub mod forms;
pub mod listing;
pub mod notices;
pub mod results_workbook;
pub mod workbook;

use crate::base::error::Error;

/// What can stop an office command: the bundle cannot be read or the
/// output written, or one of the office's files cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// Reading the bundle or writing the output.
    #[error(transparent)]
    Bundle(#[from] Error),
    /// A calendar file cannot be made.
    #[error("calendar: {0}")]
    Calendar(#[from] calendar::IcsError),
    /// The workbook cannot be made.
    #[error("workbook: {0}")]
    Workbook(#[from] workbook::ExportError),
}
