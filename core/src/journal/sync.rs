//! The journal's side of sync: its settings, its pending changes, and merging what the
//! relay sends through the normal write path, so the index updates and a merge, the
//! cursor and the relay's heads are saved in one transaction.

use super::{Changed, Journal};
use crate::sync::batches::{heads_after, ChangeRef};
use crate::sync::keys::RootSecret;
use crate::sync::state::{self, RefusedBatch, SyncSettings};
use crate::{Error, Result};
use automerge::{Change, ChangeHash};
use rusqlite::TransactionBehavior;

/// What merging one pulled batch or snapshot did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// Records created or changed.
    pub changed: Changed,
    /// Changes this journal did not have before.
    pub new_changes: usize,
}

impl Journal {
    /// The sync settings, or `None` when this journal does not sync.
    pub fn sync_settings(&self) -> Result<Option<SyncSettings>> {
        state::load(&self.conn)
    }

    /// The settings of a journal that syncs; [`Error::SyncNotEnabled`] otherwise.
    pub fn sync_enabled(&self) -> Result<SyncSettings> {
        self.sync_settings()?.ok_or(Error::SyncNotEnabled)
    }

    /// Starts syncing with `relay_url` under `secret`, from nothing pulled or pushed.
    pub fn enable_sync(&mut self, relay_url: &str, secret: &RootSecret) -> Result<()> {
        let now = self.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(settings) = state::load(&tx)? {
            return Err(Error::SyncAlreadyEnabled {
                url: settings.relay_url,
            });
        }
        state::enable(&tx, relay_url, secret, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets the relay; the journal and its records stay as they are. Says whether
    /// sync was on.
    pub fn disable_sync(&mut self) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let was_on = state::disable(&tx)?;
        tx.commit()?;
        Ok(was_on)
    }

    /// The changes the relay does not hold yet, dependencies first.
    pub fn pending_changes(&mut self) -> Result<Vec<Change>> {
        let heads = self.sync_enabled()?.relay_heads;
        self.with_document(|doc| Ok(doc.changes_after(&heads)))
    }

    /// Notes that the relay now holds `changes` (a pushed batch).
    pub fn record_pushed(&mut self, changes: &[ChangeRef]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let settings = state::load(&tx)?.ok_or(Error::SyncNotEnabled)?;
        state::set_relay_heads(&tx, &heads_after(&settings.relay_heads, changes))?;
        tx.commit()?;
        Ok(())
    }

    /// Merges the changes of pulled batch `seq` and moves the cursor past it, in one
    /// transaction. Changes waiting for a dependency are kept and merged again with
    /// each later batch until it arrives. Bytes that aren't this journal's changes give
    /// [`Error::Document`] and change nothing.
    pub fn merge_pulled(&mut self, seq: u64, changes: &[u8]) -> Result<Merged> {
        self.merge_from_relay("merge from relay", seq, changes, &[])
    }

    /// Merges a snapshot (a whole saved document) covering the relay's batches up to
    /// `covers`, and moves the cursor there.
    pub fn merge_snapshot(&mut self, covers: u64, document: &[u8]) -> Result<Merged> {
        let heads = automerge::Automerge::load(document)
            .map_err(|e| Error::Document(format!("the snapshot could not be read: {e}")))?
            .get_heads();
        self.merge_from_relay("merge snapshot from relay", covers, document, &heads)
    }

    fn merge_from_relay(
        &mut self,
        message: &str,
        seq: u64,
        bytes: &[u8],
        also_on_relay: &[ChangeHash],
    ) -> Result<Merged> {
        let ((new_changes, _), changed) = self.write(message, |doc, tx, _| {
            let settings = state::load(tx)?.ok_or(Error::SyncNotEnabled)?;
            let before = doc.heads();
            let mut touched = doc.merge_bytes(bytes)?;
            let waiting = state::waiting(tx)?;
            for (_, earlier) in &waiting {
                touched.extend(doc.merge_bytes(earlier)?);
            }
            let added: Vec<ChangeRef> = doc
                .changes_after(&before)
                .iter()
                .map(ChangeRef::from)
                .collect();
            let mut known = settings.relay_heads.clone();
            known.extend_from_slice(also_on_relay);
            state::set_relay_heads(tx, &heads_after(&known, &added))?;
            if doc.missing_deps().is_empty() {
                state::clear_waiting(tx)?;
            } else {
                state::add_waiting(tx, seq, bytes)?;
            }
            state::advance_cursor(tx, seq)?;
            Ok(((added.len(), ()), touched))
        })?;
        Ok(Merged {
            changed,
            new_changes,
        })
    }

    /// Records that pulled batch `seq` was not applied, and moves the cursor past it so
    /// the batches after it still come in.
    pub fn refuse_pulled(&mut self, seq: u64, batch_id: &str, reason: &str) -> Result<()> {
        let now = self.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        state::refuse(&tx, seq, batch_id, reason, now)?;
        state::advance_cursor(&tx, seq)?;
        tx.commit()?;
        Ok(())
    }

    /// Remembers how the last sync went: `None` for success, else the error's words.
    pub fn record_sync_outcome(&mut self, error: Option<&str>) -> Result<()> {
        let now = self.now();
        state::record_outcome(&self.conn, error, now)
    }

    /// Pulled batches that were not applied, oldest first.
    pub fn refused_batches(&self) -> Result<Vec<RefusedBatch>> {
        state::refused(&self.conn)
    }

    /// Pulled batches whose changes still wait for a change they depend on.
    pub fn waiting_batches(&self) -> Result<usize> {
        Ok(state::waiting(&self.conn)?.len())
    }
}
