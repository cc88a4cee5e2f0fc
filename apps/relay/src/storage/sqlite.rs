//! The SQLite backend: one file, WAL, one connection behind a mutex (SQLite has one writer
//! anyway), every call on tokio's blocking pool.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::rules::{self, KnownSnapshot};
use super::stall::PushStall;
use super::{
    signed, unsigned, Creation, JournalState, PullRange, Pulled, Pushed, SnapshotPart,
    SnapshotState, Storage, StoredBatch, StoredDevice,
};
use crate::error::Error;
use crate::ids::Id;

/// The schema version this relay writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 2;

/// Version 1: journals with their counters, batches, snapshots and their parts.
const SCHEMA_V1: &str = "
CREATE TABLE journals (
    id TEXT PRIMARY KEY,
    credential_sha256 TEXT NOT NULL,
    latest_seq INTEGER NOT NULL DEFAULT 0,
    pruned_through INTEGER NOT NULL DEFAULT 0,
    bytes_used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE batches (
    journal TEXT NOT NULL REFERENCES journals(id),
    seq INTEGER NOT NULL,
    batch_id TEXT NOT NULL,
    envelope BLOB NOT NULL,
    PRIMARY KEY (journal, seq),
    UNIQUE (journal, batch_id)
);
CREATE TABLE snapshots (
    journal TEXT NOT NULL REFERENCES journals(id),
    id TEXT NOT NULL,
    parts INTEGER NOT NULL,
    covers INTEGER NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (journal, id)
);
CREATE TABLE snapshot_parts (
    journal TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    idx INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (journal, snapshot, idx),
    FOREIGN KEY (journal, snapshot) REFERENCES snapshots(journal, id)
);
";

/// Version 2: each journal's incarnation (a random one for every journal already there:
/// `randomblob` is evaluated per row), the id of the last batch a snapshot pruned, and
/// the devices' sealed records.
const SCHEMA_V2: &str = "
ALTER TABLE journals ADD COLUMN incarnation TEXT NOT NULL DEFAULT '';
UPDATE journals SET incarnation = lower(hex(randomblob(16)));
ALTER TABLE journals ADD COLUMN pruned_through_id TEXT;
CREATE TABLE devices (
    journal TEXT NOT NULL REFERENCES journals(id),
    device TEXT NOT NULL,
    record BLOB NOT NULL,
    PRIMARY KEY (journal, device)
);
";

/// Journals in one SQLite file.
#[derive(Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    stall: PushStall,
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        Error::Internal(format!("sqlite: {error}"))
    }
}

/// The counters of one journal row.
struct JournalRow {
    latest_seq: u64,
    pruned_through: u64,
    bytes_used: u64,
    incarnation: Id,
    pruned_through_id: Option<Id>,
}

impl SqliteStorage {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let mut conn = Connection::open(path).map_err(|e| {
            Error::Internal(format!(
                "cannot open the database {}: {e}. Check that its folder exists and is writable (--db).",
                path.display()
            ))
        })?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(SqliteStorage {
            conn: Arc::new(Mutex::new(conn)),
            stall: PushStall::default(),
        })
    }

    /// Holds every push of a new batch before its commit (the test knob, see [`PushStall`]).
    pub fn with_push_stall(mut self, stall: PushStall) -> Self {
        self.stall = stall;
        self
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn run<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, Error> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| {
                Error::Internal("the database connection was poisoned by a panic".into())
            })?;
            f(&mut conn)
        })
        .await
        .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
    }

    /// Runs `f` in an immediate (write-locking) transaction and commits when it succeeds.
    async fn write<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, Error> + Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
    }
}

/// Creates or upgrades the schema; refuses a database written by a newer relay.
fn migrate(conn: &mut Connection) -> Result<(), Error> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::Internal(format!(
            "the database has schema version {version}, newer than this relay's {SCHEMA_VERSION}; \
             run a newer onward-relay"
        )));
    }
    if version < 1 {
        tx.execute_batch(SCHEMA_V1)?;
    }
    if version < 2 {
        tx.execute_batch(SCHEMA_V2)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

fn journal_row(tx: &Connection, journal: &Id) -> Result<JournalRow, Error> {
    let row = tx
        .query_row(
            "SELECT latest_seq, pruned_through, bytes_used, incarnation, pruned_through_id
               FROM journals WHERE id = ?1",
            params![journal.as_str()],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            },
        )
        .optional()?
        // The journal was deleted between authorization and this call.
        .ok_or(Error::Unauthorized)?;
    let (latest_seq, pruned_through, bytes_used, incarnation, pruned_through_id) = row;
    Ok(JournalRow {
        latest_seq: unsigned(latest_seq),
        pruned_through: unsigned(pruned_through),
        bytes_used: unsigned(bytes_used),
        incarnation: Id::parse("incarnation", &incarnation)?,
        pruned_through_id: pruned_through_id
            .map(|id| Id::parse("batch", &id))
            .transpose()?,
    })
}

fn newest_snapshot(tx: &Connection, journal: &Id) -> Result<Option<SnapshotState>, Error> {
    let row = tx
        .query_row(
            "SELECT s.id, s.covers, s.parts,
                    (SELECT COALESCE(SUM(LENGTH(p.bytes)), 0) FROM snapshot_parts p
                      WHERE p.journal = s.journal AND p.snapshot = s.id)
               FROM snapshots s WHERE s.journal = ?1 AND s.complete = 1
              ORDER BY s.covers DESC LIMIT 1",
            params![journal.as_str()],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, i64>(3)?,
                ))
            },
        )
        .optional()?;
    row.map(|(id, covers, parts, bytes)| {
        Ok(SnapshotState {
            id: Id::parse("snapshot", &id)?,
            covers: unsigned(covers),
            parts: u32::try_from(parts).unwrap_or(0),
            bytes: unsigned(bytes),
        })
    })
    .transpose()
}

/// Marks `part.snapshot` complete, drops the older snapshots and the batches it covers.
fn complete_snapshot(
    tx: &Connection,
    journal: &Id,
    part: &SnapshotPart,
    covers: i64,
) -> Result<(), Error> {
    let (j, s) = (journal.as_str(), part.snapshot.as_str());
    tx.execute(
        "UPDATE snapshots SET complete = 1 WHERE journal = ?1 AND id = ?2",
        params![j, s],
    )?;
    let older = "SELECT id FROM snapshots WHERE journal = ?1 AND id <> ?2 AND covers <= ?3";
    let freed_parts: i64 = tx.query_row(
        &format!(
            "SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM snapshot_parts WHERE journal = ?1 AND snapshot IN ({older})"
        ),
        params![j, s, covers],
        |row| row.get(0),
    )?;
    let freed_batches: i64 = tx.query_row(
        "SELECT COALESCE(SUM(LENGTH(envelope)), 0) FROM batches WHERE journal = ?1 AND seq <= ?2",
        params![j, covers],
        |row| row.get(0),
    )?;
    tx.execute(
        &format!("DELETE FROM snapshot_parts WHERE journal = ?1 AND snapshot IN ({older})"),
        params![j, s, covers],
    )?;
    tx.execute(
        "DELETE FROM snapshots WHERE journal = ?1 AND id <> ?2 AND covers <= ?3",
        params![j, s, covers],
    )?;
    // Kept before the batch goes, so a pull after `covers` can still name it. A snapshot
    // covering no more than the last one finds no batch there and keeps the old id.
    tx.execute(
        "UPDATE journals SET pruned_through_id = COALESCE(
             (SELECT batch_id FROM batches WHERE journal = ?1 AND seq = ?2), pruned_through_id)
          WHERE id = ?1",
        params![j, covers],
    )?;
    tx.execute(
        "DELETE FROM batches WHERE journal = ?1 AND seq <= ?2",
        params![j, covers],
    )?;
    tx.execute(
        "UPDATE journals SET pruned_through = MAX(pruned_through, ?2), bytes_used = bytes_used - ?3 WHERE id = ?1",
        params![j, covers, freed_parts + freed_batches],
    )?;
    Ok(())
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn create_journal(
        &self,
        journal: &Id,
        credential_sha256: &str,
    ) -> Result<Creation, Error> {
        let (journal, hash) = (journal.clone(), credential_sha256.to_owned());
        self.write(move |tx| {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT credential_sha256 FROM journals WHERE id = ?1",
                    params![journal.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(credential_sha256) = existing {
                return Ok(Creation::Existing { credential_sha256 });
            }
            tx.execute(
                "INSERT INTO journals (id, credential_sha256, incarnation) VALUES (?1, ?2, ?3)",
                params![journal.as_str(), hash, Id::random()?.as_str()],
            )?;
            Ok(Creation::Created)
        })
        .await
    }

    async fn credential(&self, journal: &Id) -> Result<Option<String>, Error> {
        let journal = journal.clone();
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT credential_sha256 FROM journals WHERE id = ?1",
                    params![journal.as_str()],
                    |row| row.get(0),
                )
                .optional()?)
        })
        .await
    }

    async fn journal(&self, journal: &Id) -> Result<JournalState, Error> {
        let journal = journal.clone();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let row = journal_row(&tx, &journal)?;
            Ok(JournalState {
                latest_seq: row.latest_seq,
                pruned_through: row.pruned_through,
                bytes_used: row.bytes_used,
                incarnation: row.incarnation,
                snapshot: newest_snapshot(&tx, &journal)?,
            })
        })
        .await
    }

    async fn delete_journal(&self, journal: &Id) -> Result<(), Error> {
        let journal = journal.clone();
        self.write(move |tx| {
            let j = journal.as_str();
            tx.execute("DELETE FROM devices WHERE journal = ?1", params![j])?;
            tx.execute("DELETE FROM snapshot_parts WHERE journal = ?1", params![j])?;
            tx.execute("DELETE FROM snapshots WHERE journal = ?1", params![j])?;
            tx.execute("DELETE FROM batches WHERE journal = ?1", params![j])?;
            tx.execute("DELETE FROM journals WHERE id = ?1", params![j])?;
            Ok(())
        })
        .await
    }

    async fn push_batch(
        &self,
        journal: &Id,
        batch: &Id,
        envelope: Bytes,
        quota: u64,
    ) -> Result<Pushed, Error> {
        let (journal, batch, stall) = (journal.clone(), batch.clone(), self.stall);
        self.write(move |tx| {
            let row = journal_row(tx, &journal)?;
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT seq FROM batches WHERE journal = ?1 AND batch_id = ?2",
                    params![journal.as_str(), batch.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(seq) = existing {
                return Ok(Pushed {
                    seq: unsigned(seq),
                    duplicate: true,
                });
            }
            let size = envelope.len() as u64;
            rules::check_quota(row.bytes_used, 0, size, quota)?;
            let seq = row.latest_seq + 1;
            tx.execute(
                "INSERT INTO batches (journal, seq, batch_id, envelope) VALUES (?1, ?2, ?3, ?4)",
                params![
                    journal.as_str(),
                    signed(seq, "seq")?,
                    batch.as_str(),
                    envelope.as_ref()
                ],
            )?;
            tx.execute(
                "UPDATE journals SET latest_seq = ?2, bytes_used = bytes_used + ?3 WHERE id = ?1",
                params![journal.as_str(), signed(seq, "seq")?, signed(size, "size")?],
            )?;
            stall.before_commit_blocking(&batch);
            Ok(Pushed {
                seq,
                duplicate: false,
            })
        })
        .await
    }

    async fn pull(&self, journal: &Id, range: PullRange) -> Result<Pulled, Error> {
        let journal = journal.clone();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let row = journal_row(&tx, &journal)?;
            rules::check_pull(range.after, row.pruned_through)?;
            let at_after: Option<String> = tx
                .query_row(
                    "SELECT batch_id FROM batches WHERE journal = ?1 AND seq = ?2",
                    params![journal.as_str(), signed(range.after, "after")?],
                    |r| r.get(0),
                )
                .optional()?;
            let at_after = at_after.map(|id| Id::parse("batch", &id)).transpose()?;
            let mut stmt = tx.prepare_cached(
                "SELECT seq, batch_id, envelope FROM batches WHERE journal = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let mut rows = stmt.query(params![
                journal.as_str(),
                signed(range.after, "after")?,
                i64::from(range.limit)
            ])?;
            let mut batches = Vec::new();
            let mut bytes = 0usize;
            while let Some(r) = rows.next()? {
                let envelope: Vec<u8> = r.get(2)?;
                if !batches.is_empty() && bytes + envelope.len() > range.max_bytes {
                    break;
                }
                bytes += envelope.len();
                batches.push(StoredBatch {
                    seq: unsigned(r.get(0)?),
                    id: Id::parse("batch", &r.get::<_, String>(1)?)?,
                    envelope: Bytes::from(envelope),
                });
            }
            Ok(Pulled {
                batches,
                latest_seq: row.latest_seq,
                pruned_through: row.pruned_through,
                after_id: rules::after_id(
                    range.after,
                    at_after,
                    row.pruned_through,
                    row.pruned_through_id,
                ),
                incarnation: row.incarnation,
            })
        })
        .await
    }

    async fn put_snapshot_part(
        &self,
        journal: &Id,
        part: SnapshotPart,
        quota: u64,
    ) -> Result<bool, Error> {
        let journal = journal.clone();
        self.write(move |tx| {
            let row = journal_row(tx, &journal)?;
            let (j, s) = (journal.as_str(), part.snapshot.as_str());
            let known = tx
                .query_row(
                    "SELECT parts, covers, complete FROM snapshots WHERE journal = ?1 AND id = ?2",
                    params![j, s],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, bool>(2)?)),
                )
                .optional()?;
            let known_rules = known.map(|(parts, covers, _)| KnownSnapshot {
                parts: u32::try_from(parts).unwrap_or(0),
                covers: unsigned(covers),
            });
            rules::check_snapshot_part(&part, known_rules, row.latest_seq, row.pruned_through)?;
            let index = i64::from(part.index);
            let replaced: i64 = tx
                .query_row(
                    "SELECT LENGTH(bytes) FROM snapshot_parts WHERE journal = ?1 AND snapshot = ?2 AND idx = ?3",
                    params![j, s, index],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            let size = part.bytes.len() as u64;
            rules::check_quota(row.bytes_used, unsigned(replaced), size, quota)?;
            let covers = signed(part.covers, "covers")?;
            if known.is_none() {
                tx.execute(
                    "INSERT INTO snapshots (journal, id, parts, covers) VALUES (?1, ?2, ?3, ?4)",
                    params![j, s, i64::from(part.parts), covers],
                )?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO snapshot_parts (journal, snapshot, idx, bytes) VALUES (?1, ?2, ?3, ?4)",
                params![j, s, index, part.bytes.as_ref()],
            )?;
            tx.execute(
                "UPDATE journals SET bytes_used = bytes_used - ?2 + ?3 WHERE id = ?1",
                params![j, replaced, signed(size, "size")?],
            )?;
            if matches!(known, Some((_, _, true))) {
                return Ok(true);
            }
            let received: i64 = tx.query_row(
                "SELECT COUNT(*) FROM snapshot_parts WHERE journal = ?1 AND snapshot = ?2",
                params![j, s],
                |r| r.get(0),
            )?;
            if received < i64::from(part.parts) {
                return Ok(false);
            }
            complete_snapshot(tx, &journal, &part, covers)?;
            Ok(true)
        })
        .await
    }

    async fn snapshot_part(
        &self,
        journal: &Id,
        snapshot: &Id,
        index: u32,
    ) -> Result<Option<Bytes>, Error> {
        let (journal, snapshot) = (journal.clone(), snapshot.clone());
        self.run(move |conn| {
            let bytes: Option<Vec<u8>> = conn
                .query_row(
                    "SELECT bytes FROM snapshot_parts WHERE journal = ?1 AND snapshot = ?2 AND idx = ?3",
                    params![journal.as_str(), snapshot.as_str(), i64::from(index)],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(bytes.map(Bytes::from))
        })
        .await
    }

    async fn put_device(
        &self,
        journal: &Id,
        device: &Id,
        record: Bytes,
        quota: u64,
    ) -> Result<(), Error> {
        let (journal, device) = (journal.clone(), device.clone());
        self.write(move |tx| {
            let row = journal_row(tx, &journal)?;
            let (j, d) = (journal.as_str(), device.as_str());
            let replaced: Option<i64> = tx
                .query_row(
                    "SELECT LENGTH(record) FROM devices WHERE journal = ?1 AND device = ?2",
                    params![j, d],
                    |r| r.get(0),
                )
                .optional()?;
            let devices: i64 = tx.query_row(
                "SELECT COUNT(*) FROM devices WHERE journal = ?1",
                params![j],
                |r| r.get(0),
            )?;
            rules::check_device_count(unsigned(devices), replaced.is_none())?;
            let replaced = replaced.unwrap_or(0);
            let size = record.len() as u64;
            rules::check_quota(row.bytes_used, unsigned(replaced), size, quota)?;
            tx.execute(
                "INSERT OR REPLACE INTO devices (journal, device, record) VALUES (?1, ?2, ?3)",
                params![j, d, record.as_ref()],
            )?;
            tx.execute(
                "UPDATE journals SET bytes_used = bytes_used - ?2 + ?3 WHERE id = ?1",
                params![j, replaced, signed(size, "size")?],
            )?;
            Ok(())
        })
        .await
    }

    async fn devices(&self, journal: &Id) -> Result<Vec<StoredDevice>, Error> {
        let journal = journal.clone();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT device, record FROM devices WHERE journal = ?1 ORDER BY device",
            )?;
            let mut rows = stmt.query(params![journal.as_str()])?;
            let mut devices = Vec::new();
            while let Some(r) = rows.next()? {
                devices.push(StoredDevice {
                    device: Id::parse("device", &r.get::<_, String>(0)?)?,
                    record: Bytes::from(r.get::<_, Vec<u8>>(1)?),
                });
            }
            Ok(devices)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_database_gets_a_random_incarnation_per_journal() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        for id in ["a", "b", "c"] {
            conn.execute(
                "INSERT INTO journals (id, credential_sha256) VALUES (?1, 'x')",
                params![id],
            )
            .unwrap();
        }
        migrate(&mut conn).unwrap();
        let mut stmt = conn.prepare("SELECT incarnation FROM journals").unwrap();
        let incarnations: std::collections::BTreeSet<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            incarnations.len(),
            3,
            "one each, all different: {incarnations:?}"
        );
        for incarnation in &incarnations {
            assert!(onward_protocol::is_id(incarnation), "{incarnation:?}");
        }
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }
}
