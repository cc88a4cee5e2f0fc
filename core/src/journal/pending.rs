//! Applying the outbox: each acknowledged action waiting there becomes one Automerge
//! change, in the order the actions were acknowledged, in the transaction that stores
//! the changes and empties the outbox. Applying is deterministic: the same rows on the
//! same document with the same actor make the same changes, byte for byte, so another
//! journal merging this file (which applies them in memory, see `merge_file`) and this
//! file applying them later agree on every change.

use super::{Begun, Journal};
use crate::document::{JournalDoc, Touched};
use crate::store::{
    self,
    document::Cursor,
    outbox::{Pending, Put},
};
use crate::Result;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

impl Journal {
    /// Turns the writes waiting in the outbox into changes in the document and brings
    /// the index in line with it; returns how many actions were waiting. Cheap when
    /// none wait. The apps call it in the background after a write returns, so the
    /// document is loaded off the path of a person's tap.
    pub fn apply_pending(&mut self) -> Result<usize> {
        let waiting = self.pending_writes()?;
        if waiting == 0 {
            return Ok(0);
        }
        self.in_document(
            |Begun {
                 tx, doc, touched, ..
             }| {
                store::index::update(&tx, doc, &touched)?;
                tx.commit()?;
                Ok(waiting)
            },
        )
    }

    /// What the shells run at idle, after a write has returned: the outbox applied,
    /// then a compaction when due, then the WAL folded into the file. The apps run it on
    /// a journal handle of its own (a second connection), so a person's writes never
    /// wait for the document to load or for a checkpoint.
    pub fn tidy(&mut self) -> Result<()> {
        self.apply_pending()?;
        self.compact_if_due()?;
        self.checkpoint()
    }

    /// Copies what the WAL holds into the journal file, as far as no reader still needs
    /// it, without waiting for anyone (SQLite's passive checkpoint). Off a person's
    /// write: the commit that crosses SQLite's threshold would do it otherwise.
    pub fn checkpoint(&self) -> Result<()> {
        let conn = &self.conn;
        self.named(
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                .map_err(Into::into),
        )
    }

    /// How many acknowledged actions wait in the outbox.
    pub fn pending_writes(&self) -> Result<usize> {
        self.named(store::outbox::count(&self.conn))
    }

    /// Whether the document is in memory (for tests: a person's write never loads it).
    pub fn document_loaded(&self) -> bool {
        self.doc.is_some()
    }
}

/// Applies what waits in `conn`'s outbox to `doc` (loaded and caught up), stores the
/// changes as one chunk and empties the outbox. On an error the caller drops `doc`.
pub(super) fn apply_stored(
    conn: &Connection,
    doc: &mut JournalDoc,
    cursor: &mut Cursor,
    now: DateTime<Utc>,
) -> Result<Touched> {
    let waiting = store::outbox::all(conn)?;
    if waiting.is_empty() {
        return Ok(Touched::default());
    }
    let base = doc.heads();
    let touched = apply(doc, &waiting)?;
    let bytes = doc.save_after(&base);
    if !bytes.is_empty() {
        store::document::append(conn, cursor, &bytes, now.timestamp_millis())?;
    }
    store::outbox::clear(conn)?;
    Ok(touched)
}

/// Makes one change per waiting action, in order, each with the action's message and
/// time.
pub(crate) fn apply(doc: &mut JournalDoc, waiting: &[Pending]) -> Result<Touched> {
    let mut touched = Touched::default();
    for action in waiting {
        for put in &action.puts {
            match put {
                Put::Record { kind, id, fields } => {
                    doc.write(*kind, id, fields)?;
                    touched.records.insert((*kind, id.clone()));
                }
                Put::Reminder { key, state } => {
                    doc.write_reminder_state(key, state)?;
                    touched.reminders.insert(key.clone());
                }
            }
        }
        doc.commit(&action.message, action.time);
    }
    Ok(touched)
}
