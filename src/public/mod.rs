//! "One public" (一公开): the public bundle and its format, checking it
//! with nothing but its own files, the web page, and a firm's own proof.
//!
//! Uses `bundle` and everything below it; not `office`.

pub mod announcement;
pub mod batch_format;
pub mod batch_page;
pub mod check;
pub mod check_batch;
pub mod format;
pub mod page;
pub mod proof;
pub mod publish;
pub mod publish_batch;
