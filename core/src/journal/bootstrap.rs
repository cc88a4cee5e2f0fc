//! Starting from a relay's snapshot: a journal that is empty, or much smaller than the
//! snapshot (a new device), takes the snapshot as its document instead of merging it
//! change by change, then builds its index in one pass and adds its own changes on top.
//! At 10,000 records the merge took 8.8 s: applying some 11,000 changes one by one,
//! diffing them for the records they touched, saving them again as one chunk and then
//! compacting. Loading the saved document is one decode.

use super::sync::{resolve_covered, set_relay_state, OnRelay};
use super::{catch_up, pending, Changed, Journal, Merged};
use crate::document::{JournalDoc, Touched};
use crate::model::Kind;
use crate::store::sync_state as state;
use crate::store::{self};
use crate::sync::sealed::SnapshotHeader;
use crate::{Error, Result};
use rusqlite::TransactionBehavior;

/// A snapshot this many times the journal's stored size (or more) is taken whole.
const TAKE_WHOLE_RATIO: i64 = 4;

impl Journal {
    /// Whether a snapshot of `snapshot_bytes` is much bigger than this journal, so that
    /// taking it whole beats merging it.
    pub(super) fn takes_snapshot_whole(&self, snapshot_bytes: usize) -> Result<bool> {
        let sizes = store::document::sizes(&self.conn)?;
        let local = sizes.snapshot_bytes + sizes.chunk_bytes;
        Ok(local.saturating_mul(TAKE_WHOLE_RATIO) <= snapshot_bytes as i64)
    }

    /// Takes `snapshot` (`document`, its bytes, already loaded and checked against its
    /// header) as this journal's document, with this journal's own changes merged in,
    /// and rebuilds the index from it, all in one transaction. `indexed(done, total)`
    /// hears how the index build goes.
    pub(super) fn start_from_snapshot(
        &mut self,
        header: &SnapshotHeader,
        mut snapshot: JournalDoc,
        document: &[u8],
        indexed: &dyn Fn(u64, u64),
    ) -> Result<Merged> {
        let now = self.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let settings = state::load(&tx)?.ok_or(Error::SyncNotEnabled)?;
        // This journal as it stands (small: that is why the snapshot is taken whole).
        catch_up(&tx, &mut self.doc, &self.path, now)?;
        let (local, cursor) = self.doc.as_mut().expect("catch_up loads the document");
        // This device's writes waiting in the outbox go along with its own changes.
        pending::apply_stored(&tx, local, cursor, now)?;
        let local_heads = local.heads();
        snapshot.set_actor(&store::document::actor(&tx)?);
        let heads_of_snapshot = snapshot.heads();
        if !snapshot.has_all(&local_heads) {
            snapshot.absorb(&local.save())?;
        }
        // Changes kept waiting for a dependency are in the table, not in a document.
        for (_, earlier) in state::waiting(&tx)? {
            snapshot.absorb(&earlier)?;
        }
        let doc = &mut snapshot;
        let new_changes = doc.count_changes_after(&local_heads);
        let rest = doc.save_after(&heads_of_snapshot);
        let next = store::document::replace(&tx, document, &rest, *cursor, now.timestamp_millis())?;
        store::index::rebuild_reporting(&tx, doc, indexed)?;
        set_relay_state(
            &tx,
            doc,
            &settings,
            (header.covers, &header.covers_id),
            // The snapshot has every dependency; what still waits is in the table.
            &[],
            OnRelay::Heads(&heads_of_snapshot),
        )?;
        tx.commit()?;

        let mut touched = Touched::default();
        for kind in Kind::ALL {
            touched
                .records
                .extend(doc.ids(*kind)?.into_iter().map(|id| (*kind, id)));
        }
        touched.reminders = doc
            .reminder_states()?
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        self.doc = Some((snapshot, next));
        resolve_covered(&self.conn, header.covers)?;
        let changed = Changed::from(&touched);
        self.observers.notify(&changed);
        Ok(Merged {
            changed,
            new_changes,
        })
    }
}
