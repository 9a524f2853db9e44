//! One notice per inspector of a batch, ready to hand out: all of his or
//! her visits as CSV (with BOM, for Excel) and as a calendar.

use crate::bundle::batch_view::BatchView;
use crate::inputs::items::ItemList;
use crate::office::OfficeError;
use crate::office::batch_calendar::batch_calendar;
use crate::office::batch_listing::{batch_listing, batch_listing_csv};
use crate::office::calendar::IcsError;
use crate::office::listing::Extras;
use crate::office::notices::{safe_file_name, stamp_of};
use std::collections::BTreeMap;
use std::path::Path;

/// The DTSTAMP of a batch's calendars: the commitment time for a
/// ceremony draw, else the batch's first day at midnight UTC.
pub fn batch_calendar_stamp(view: &BatchView) -> String {
    stamp_of(&view.manifest.seed, &view.manifest.batch.start)
}

/// One notice per inspector with a visit, by file name: `ID.csv` and
/// `ID.ics`, each with all of the inspector's visits in the batch.
pub fn batch_notices(
    view: &BatchView,
    extras: &Extras,
    items: &Option<ItemList>,
) -> Result<BTreeMap<String, Vec<u8>>, IcsError> {
    let mut files = BTreeMap::new();
    let stamp = batch_calendar_stamp(view);
    for id in view.inspectors().keys() {
        if let Some(l) = batch_listing(view, id, extras, items) {
            let name = safe_file_name(id);
            files.insert(format!("{name}.csv"), batch_listing_csv(&l, true));
            files.insert(format!("{name}.ics"), batch_calendar(&l, &stamp)?.into_bytes());
        }
    }
    Ok(files)
}

/// The notices of the batch bundle in `dir`, with the firms' extra
/// columns and the items when the inputs are there.
pub fn batch_notices_in(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, OfficeError> {
    let view = BatchView::open_with_teams(dir)?;
    let items = view.items()?;
    Ok(batch_notices(&view, &view.firm_extras(), &items)?)
}
