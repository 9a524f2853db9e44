//! One notice file per inspector, ready to hand out: the list as CSV
//! and as a calendar.

use crate::bundle::view::BundleView;
use crate::office::calendar::{self, IcsError};
use crate::office::listing::{Extras, listing, listing_csv};
use crate::seed::record::SeedRecord;
use std::collections::BTreeMap;

/// The DTSTAMP of a bundle's calendars: the commitment time for a
/// ceremony draw, else the task's first day at midnight UTC, so that the
/// same bundle always gives the same files.
pub fn calendar_stamp(view: &BundleView) -> String {
    stamp_of(&view.manifest.seed, &view.manifest.task.start)
}

/// The DTSTAMP for a draw with this seed record: the commitment time for
/// a ceremony's seed, else midnight UTC of `first_day` (`YYYY-MM-DD`).
pub fn stamp_of(seed: &SeedRecord, first_day: &str) -> String {
    if let Some(c) = &seed.ceremony
        && let Ok(t) = chrono::DateTime::parse_from_rfc3339(&c.committed_at)
    {
        return calendar::dtstamp(t.with_timezone(&chrono::Utc));
    }
    format!("{}T000000Z", first_day.replace('-', ""))
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
