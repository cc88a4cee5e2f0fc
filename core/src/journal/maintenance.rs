//! Keeping a journal healthy and whole: merging another copy, rebuilding and checking
//! the index, compacting, and handing out the raw document.

use super::{pending, Begun, Changed, Journal, COMPACT_AFTER_BYTES, COMPACT_AFTER_CHUNKS};
use crate::document::JournalDoc;
use crate::store::{self, document::Cursor};
use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeSet;
use std::path::Path;

/// The result of comparing the index with one rebuilt from the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexCheck {
    /// Index rows that differ (rows only in one of the two), at most a few.
    pub differences: Vec<String>,
    pub rows: usize,
}

impl IndexCheck {
    pub fn is_consistent(&self) -> bool {
        self.differences.is_empty()
    }
}

impl Journal {
    /// Merges another copy of this journal: Automerge bytes, either a whole saved
    /// document or saved changes (as another device sends them). Already known changes
    /// are skipped, so merging twice changes nothing.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<Changed> {
        let (_, changed) = self.write_document("merge", |doc, _| {
            // A copy of a different journal layout is refused before anything is applied.
            let touched = doc.merge_bytes(bytes)?;
            Ok(((), touched))
        })?;
        Ok(changed)
    }

    /// Merges another copy from a file: a journal database from another device, or a
    /// raw Automerge document (as `onward export --format automerge` writes). The other
    /// file is only read, never changed.
    pub fn merge_file(&mut self, other: &Path) -> Result<Changed> {
        let bytes = read_document_file(other)?;
        let mut changed = Changed::default();
        for chunk in bytes {
            changed.absorb(self.merge_bytes(&chunk)?);
        }
        Ok(changed)
    }

    /// The whole document, compacted: what another Automerge implementation can load.
    pub fn document_bytes(&mut self) -> Result<Vec<u8>> {
        self.with_document(|doc| Ok(doc.save()))
    }

    /// Runs `f` on the up-to-date document (loading it if needed).
    pub fn with_document<T>(
        &mut self,
        f: impl FnOnce(&mut crate::document::JournalDoc) -> Result<T>,
    ) -> Result<T> {
        self.in_document(
            |Begun {
                 tx, doc, touched, ..
             }| {
                store::index::update(&tx, doc, &touched)?;
                let value = f(doc)?;
                tx.commit()?;
                Ok(value)
            },
        )
    }

    /// Empties the index and fills it again from the document.
    pub fn rebuild_index(&mut self) -> Result<()> {
        self.in_document(|Begun { tx, doc, .. }| {
            store::index::rebuild(&tx, doc)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Compares the index with one rebuilt from the document, without changing it.
    pub fn check_index(&mut self) -> Result<IndexCheck> {
        // The index as it stands, the rows of writes still in the outbox included: they
        // must be what the document gives once those writes are applied.
        let before = self.named(store::index::dump(&self.conn))?;
        let after = self.in_document(|Begun { tx, doc, .. }| {
            store::index::rebuild(&tx, doc)?;
            let after = store::index::dump(&tx)?;
            // Only a comparison: the rebuilt rows (and the outbox applied) are thrown away.
            tx.rollback()?;
            Ok(after)
        })?;
        // The document holds what the rolled back transaction applied: read it afresh.
        self.doc = None;
        let (before_set, after_set): (BTreeSet<&String>, BTreeSet<&String>) =
            (before.iter().collect(), after.iter().collect());
        let mut differences: Vec<String> = before_set
            .difference(&after_set)
            .map(|row| format!("only in the index: {row}"))
            .chain(
                after_set
                    .difference(&before_set)
                    .map(|row| format!("missing from the index: {row}")),
            )
            .collect();
        differences.truncate(20);
        Ok(IndexCheck {
            differences,
            rows: before.len(),
        })
    }

    /// SQLite's own check of the file: `Ok(())` or the problems it found.
    pub fn integrity_check(&self) -> Result<std::result::Result<(), Vec<String>>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(if rows == ["ok"] { Ok(()) } else { Err(rows) })
    }

    /// Folds the change chunks into one snapshot once they outgrow it (and
    /// [`COMPACT_AFTER_BYTES`]) or number more than [`COMPACT_AFTER_CHUNKS`]; says whether
    /// it did. Writes never compact, so a user's tap never waits for a whole-document
    /// save: the shells call this at idle (the apps after a write returns, the command
    /// line after its output). Cheap when not due: the sizes come from the tables (other
    /// connections append too), and the document is loaded only to compact.
    pub fn compact_if_due(&mut self) -> Result<bool> {
        let sizes = store::document::sizes(&self.conn);
        let due = due_by_sizes(&self.named(sizes)?);
        if due {
            self.compact()?;
        }
        Ok(due)
    }

    /// Folds the change chunks into one snapshot now.
    pub fn compact(&mut self) -> Result<()> {
        let now = self.now();
        self.in_document(
            |Begun {
                 tx,
                 doc,
                 cursor,
                 touched,
             }| {
                store::index::update(&tx, doc, &touched)?;
                *cursor = store::document::compact(&tx, doc, *cursor, now.timestamp_millis())?;
                tx.commit()?;
                Ok(())
            },
        )
    }

    /// Sizes of the stored document, for `doctor`.
    pub fn storage_sizes(&self) -> Result<store::document::Sizes> {
        store::document::sizes(&self.conn)
    }
}

/// The document bytes stored in another journal file, opened read-only.
fn read_document_file(path: &Path) -> Result<Vec<Vec<u8>>> {
    let corrupt = |e: rusqlite::Error| Error::Corrupt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(io)?;
    let is_sqlite = std::io::Read::read_exact(&mut file, &mut header).is_ok()
        && &header == b"SQLite format 3\0";
    if !is_sqlite {
        return Ok(vec![std::fs::read(path).map_err(io)?]);
    }
    let conn =
        store::page_checksums::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(corrupt)?;
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(corrupt)?;
    if app_id != store::schema::APPLICATION_ID {
        return Err(Error::NotAJournal {
            path: path.to_path_buf(),
        });
    }
    let named = |e: Error| match e {
        Error::Storage(e) => corrupt(e),
        Error::Document(detail) => Error::Corrupt {
            path: path.to_path_buf(),
            detail,
        },
        other => other,
    };
    // One read transaction: the chunks and the outbox as one writer left them.
    conn.execute_batch("BEGIN").map_err(corrupt)?;
    let (mut bytes, _) = store::document::changes_since(&conn, Cursor::default()).map_err(named)?;
    let waiting = other_outbox(&conn).map_err(named)?;
    conn.execute_batch("COMMIT").map_err(corrupt)?;
    if let Some((actor, waiting)) = waiting {
        // The other journal's acknowledged writes not yet in its document: made into
        // the very changes that journal will make when it applies them (see `pending`).
        let mut doc = JournalDoc::new(&actor);
        for chunk in &bytes {
            doc.absorb(chunk).map_err(named)?;
        }
        let base = doc.heads();
        pending::apply(&mut doc, &waiting).map_err(named)?;
        bytes.push(doc.save_after(&base));
    }
    Ok(bytes)
}

/// Another journal file's actor and waiting writes, when it has any (a file from before
/// the outbox has none).
fn other_outbox(conn: &Connection) -> Result<Option<(Vec<u8>, Vec<store::outbox::Pending>)>> {
    if !store::has_table(conn, "outbox")? {
        return Ok(None);
    }
    let waiting = store::outbox::all(conn)?;
    if waiting.is_empty() {
        return Ok(None);
    }
    let actor = store::document::stored_actor(conn)?.ok_or_else(|| {
        Error::Document("it has writes waiting but no actor to make them as".into())
    })?;
    Ok(Some((actor, waiting)))
}

/// The chunks have outgrown the snapshot (and the floor), or grown too many, by the
/// tables' sizes.
fn due_by_sizes(sizes: &store::document::Sizes) -> bool {
    sizes.chunks > COMPACT_AFTER_CHUNKS
        || Cursor {
            snapshot_bytes: sizes.snapshot_bytes,
            chunk_bytes: sizes.chunk_bytes,
            ..Cursor::default()
        }
        .wants_compaction(COMPACT_AFTER_BYTES)
}
