//! Push: the changes the relay doesn't hold yet, in batches, each recorded as held once
//! the relay has acknowledged it (so an interrupted push resumes where it stopped), and
//! remembered by number until a pull shows the relay serves it there.

use super::batches;
use super::envelope::{self, Sealed};
use super::progress::Phase;
use super::session::Session;
use crate::{Error, Result};

/// What a push sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pushed {
    pub changes: usize,
    pub batches: usize,
    /// Batches the relay already had (sent before, acknowledged late).
    pub duplicates: usize,
    pub bytes: u64,
}

impl Pushed {
    /// Adds what a later push sent.
    pub fn add(&mut self, more: Pushed) {
        self.changes += more.changes;
        self.batches += more.batches;
        self.duplicates += more.duplicates;
        self.bytes += more.bytes;
    }
}

pub(crate) async fn push(s: &Session<'_>) -> Result<Pushed> {
    let planned = {
        let changes = s.with(|j| j.pending_changes())?;
        batches::plan(&s.keys, &changes)
    };
    let total = planned.len() as u64;
    let mut pushed = Pushed::default();
    if total > 0 {
        s.report(Phase::Pushing, 0, total);
    }
    for (i, batch) in planned.into_iter().enumerate() {
        let sealed = envelope::seal(&s.keys, Sealed::Batch, &batch.id, &batch.plaintext)?;
        pushed.bytes += sealed.len() as u64;
        let stored = s.relay.put_batch(&s.keys, &batch.id, sealed).await?;
        // A new batch under a number this device already pulled: the relay went back
        // and numbers on. Recorded as held, the batch would be believed safe once the
        // relay is back where it was, and lost.
        let cursor = s.with(|j| Ok(j.sync_enabled()?.cursor))?;
        if !stored.duplicate && stored.seq <= cursor {
            return Err(Error::RelayWentBack {
                reason: format!(
                    "it gave number {} to a new batch, and this device had already received batch {cursor}",
                    stored.seq
                ),
            });
        }
        s.with(|j| j.record_pushed(&batch.changes, stored.seq, &batch.id))?;
        pushed.changes += batch.changes.len();
        pushed.batches += 1;
        pushed.duplicates += usize::from(stored.duplicate);
        s.report(Phase::Pushing, i as u64 + 1, total);
    }
    Ok(pushed)
}
