//! One notice file per inspector, ready to hand out: the list as CSV
//! and as a calendar.

use crate::bundle::view::BundleView;
use crate::office::calendar::{self, IcsError};
use crate::office::listing::{Extras, listing, listing_csv};
use std::collections::BTreeMap;

/// The DTSTAMP of a bundle's calendars: the commitment time for a
/// ceremony draw, else the task's first day at midnight UTC, so that the
/// same bundle always gives the same files.
pub fn calendar_stamp(view: &BundleView) -> String {
    let m = &view.manifest;
    if let Some(c) = &m.seed.ceremony
        && let Ok(t) = chrono::DateTime::parse_from_rfc3339(&c.committed_at)
    {
        return calendar::dtstamp(t.with_timezone(&chrono::Utc));
    }
    format!("{}T000000Z", m.task.start.replace('-', ""))
}

/// One notice per inspector, by file name: `ID.csv` (with BOM, for Excel)
/// and `ID.ics` (the task window and the firms to visit, for calendars).
pub fn notices(view: &BundleView, extras: &Extras) -> Result<BTreeMap<String, Vec<u8>>, IcsError> {
    let mut files = BTreeMap::new();
    let stamp = calendar_stamp(view);
    for id in view.inspectors().keys() {
        if let Some(l) = listing(view, id, extras) {
            let name = safe_file_name(id);
            files.insert(format!("{name}.csv"), listing_csv(&l, true));
            files.insert(format!("{name}.ics"), calendar::calendar(&l, &stamp)?.into_bytes());
        }
    }
    Ok(files)
}

/// An inspector id made safe as a file name.
pub fn safe_file_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
