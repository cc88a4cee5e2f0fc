//! Writing many records as they are (ids and times kept), for imports and restores:
//! in batches, one write each, with progress.

use super::{put_record, Journal};
use crate::document::Touched;
use crate::model::Record;
use crate::Result;

/// Records per write: big enough to be quick, small enough to show progress and to keep
/// each change a modest size.
pub const BATCH: usize = 500;

/// What [`Journal::put_records`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriteCounts {
    /// Records written (new, or replacing a stored one).
    pub written: usize,
    /// Records left out because the journal already had their id.
    pub skipped: usize,
}

impl Journal {
    /// Stores `records` exactly as given: their ids, times and fields. With
    /// `keep_existing`, a record whose id the journal already has is left as it is (so
    /// importing the same file twice adds nothing); otherwise it is replaced.
    /// Each record is checked first; links are not, since an import may bring a record
    /// before the one it points at. `progress` hears (done, total) after each batch.
    pub fn put_records(
        &mut self,
        records: Vec<Record>,
        keep_existing: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<WriteCounts> {
        for record in &records {
            record.validate()?;
        }
        let total = records.len();
        let mut stored = WriteCounts::default();
        let mut done = 0;
        for batch in records.chunks(BATCH) {
            let (counts, _) = self.write("import", |doc, _, _| {
                let mut touched = Touched::default();
                let mut counts = WriteCounts::default();
                for record in batch {
                    if keep_existing && doc.read(record.kind(), record.id())?.is_some() {
                        counts.skipped += 1;
                        continue;
                    }
                    touched.extend(put_record(doc, record)?);
                    counts.written += 1;
                }
                Ok((counts, touched))
            })?;
            stored.written += counts.written;
            stored.skipped += counts.skipped;
            done += batch.len();
            progress(done, total);
        }
        Ok(stored)
    }
}
