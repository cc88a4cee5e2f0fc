//! The SQLite backend: one file, WAL, one connection behind a mutex (SQLite has one writer
//! anyway), every call on tokio's blocking pool.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use onward_protocol::members::{envelope, LoggedOp, SignedOp, SignedWrap};
use onward_protocol::InvitationUpload;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::members::{self as list, Plan};
use super::rules::{self, KnownSnapshot};
use super::stall::PushStall;
use super::{
    signed, unsigned, Access, Creation, JournalState, MemberRow, MembersRequest, NewJournal,
    PartStored, PullPage, PullRange, Pushed, SnapshotPart, SnapshotState, Storage, StoredBatch,
    StoredDevice, StoredInvitation, Totals, Writer,
};
use crate::error::Error;
use crate::ids::Id;

/// The schema version this relay writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 3;

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

/// Version 3 (protocol v2, devices with their own keys): each journal's key epoch and
/// deletion time, its signed device list (the authority), the members derived from it
/// (to authenticate a request without verifying the list), wrapped keys and invitations.
/// Journals from before keep their `credential_sha256` but have no members: no
/// credential opens them any more.
const SCHEMA_V3: &str = "
ALTER TABLE journals ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE journals ADD COLUMN deleted_at_ms INTEGER;
CREATE TABLE member_ops (
    journal TEXT NOT NULL REFERENCES journals(id),
    idx INTEGER NOT NULL,
    body TEXT NOT NULL,
    signer TEXT NOT NULL,
    signature TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (journal, idx)
);
CREATE TABLE members (
    journal TEXT NOT NULL REFERENCES journals(id),
    device TEXT NOT NULL,
    sign_pk TEXT NOT NULL,
    credential_sha256 TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (journal, device)
);
CREATE TABLE wraps (
    journal TEXT NOT NULL REFERENCES journals(id),
    epoch INTEGER NOT NULL,
    device TEXT NOT NULL,
    wrap TEXT NOT NULL,
    PRIMARY KEY (journal, epoch, device)
);
CREATE TABLE invitations (
    journal TEXT NOT NULL REFERENCES journals(id),
    id TEXT NOT NULL,
    invitation TEXT NOT NULL,
    payload TEXT,
    used INTEGER NOT NULL DEFAULT 0,
    expires_at_ms INTEGER NOT NULL,
    PRIMARY KEY (journal, id)
);
";

/// The tables holding a journal's rows, children first (what a purge deletes).
const JOURNAL_TABLES: [&str; 8] = [
    "invitations",
    "wraps",
    "members",
    "member_ops",
    "devices",
    "snapshot_parts",
    "snapshots",
    "batches",
];

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
    epoch: u32,
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
    if version < 3 {
        tx.execute_batch(SCHEMA_V3)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

fn journal_row(tx: &Connection, journal: &Id) -> Result<JournalRow, Error> {
    let row = tx
        .query_row(
            "SELECT latest_seq, pruned_through, bytes_used, incarnation, pruned_through_id, epoch
               FROM journals WHERE id = ?1",
            params![journal.as_str()],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, i64>(5)?,
                ))
            },
        )
        .optional()?
        // The journal was purged between authorization and this call.
        .ok_or(Error::Unauthorized)?;
    let (latest_seq, pruned_through, bytes_used, incarnation, pruned_through_id, epoch) = row;
    Ok(JournalRow {
        latest_seq: unsigned(latest_seq),
        pruned_through: unsigned(pruned_through),
        bytes_used: unsigned(bytes_used),
        incarnation: Id::parse("incarnation", &incarnation)?,
        pruned_through_id: pruned_through_id
            .map(|id| Id::parse("batch", &id))
            .transpose()?,
        epoch: u32::try_from(epoch).unwrap_or(0),
    })
}

/// The device list of `journal`, oldest first.
fn load_ops(tx: &Connection, journal: &Id) -> Result<Vec<LoggedOp>, Error> {
    let mut stmt = tx.prepare_cached(
        "SELECT body, signer, signature, seq FROM member_ops WHERE journal = ?1 ORDER BY idx",
    )?;
    let rows = stmt.query_map(params![journal.as_str()], |r| {
        Ok(LoggedOp {
            op: SignedOp {
                body: r.get(0)?,
                signer: r.get(1)?,
                signature: r.get(2)?,
            },
            seq: unsigned(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn insert_op(tx: &Connection, journal: &Id, index: u32, logged: &LoggedOp) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO member_ops (journal, idx, body, signer, signature, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            journal.as_str(),
            i64::from(index),
            logged.op.body,
            logged.op.signer,
            logged.op.signature,
            signed(logged.seq, "seq")?
        ],
    )?;
    Ok(())
}

fn member_rows(tx: &Connection, journal: &Id) -> Result<Vec<MemberRow>, Error> {
    let mut stmt = tx.prepare_cached(
        "SELECT device, sign_pk, credential_sha256, removed FROM members WHERE journal = ?1 ORDER BY device",
    )?;
    let rows = stmt.query_map(params![journal.as_str()], |r| {
        Ok(MemberRow {
            device: r.get(0)?,
            sign_pk: r.get(1)?,
            credential_sha256: r.get(2)?,
            removed: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn insert_member(tx: &Connection, journal: &Id, m: &MemberRow) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO members (journal, device, sign_pk, credential_sha256, removed) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![journal.as_str(), m.device, m.sign_pk, m.credential_sha256, m.removed],
    )?;
    Ok(())
}

fn insert_wrap(tx: &Connection, journal: &Id, wrap: &SignedWrap) -> Result<(), Error> {
    tx.execute(
        "INSERT OR REPLACE INTO wraps (journal, epoch, device, wrap) VALUES (?1, ?2, ?3, ?4)",
        params![
            journal.as_str(),
            i64::from(wrap.epoch),
            wrap.device,
            to_json(wrap)?
        ],
    )?;
    Ok(())
}

/// Whether `device` is removed (`None`: not a member).
fn removed(tx: &Connection, journal: &Id, device: &str) -> Result<Option<bool>, Error> {
    Ok(tx
        .query_row(
            "SELECT removed FROM members WHERE journal = ?1 AND device = ?2",
            params![journal.as_str(), device],
            |r| r.get(0),
        )
        .optional()?)
}

/// Checks the writer under the lock (see [`rules::check_writer`]).
fn check_writer(tx: &Connection, journal: &Id, epoch: u32, writer: &Writer) -> Result<(), Error> {
    rules::check_writer(epoch, removed(tx, journal, &writer.device)?, writer)
}

fn stored_invitation(
    tx: &Connection,
    journal: &Id,
    id: &Id,
) -> Result<Option<StoredInvitation>, Error> {
    let row: Option<(String, Option<String>, bool)> = tx
        .query_row(
            "SELECT invitation, payload, used FROM invitations WHERE journal = ?1 AND id = ?2",
            params![journal.as_str(), id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    row.map(|(invitation, payload, used)| {
        Ok(StoredInvitation {
            invitation: from_json(&invitation)?,
            payload,
            used,
        })
    })
    .transpose()
}

/// Stores a change the device-list rules accepted.
fn store_plan(tx: &Connection, journal: &Id, plan: &Plan) -> Result<(), Error> {
    let j = journal.as_str();
    insert_op(tx, journal, plan.index, &plan.op)?;
    if let Some(member) = &plan.added {
        insert_member(tx, journal, member)?;
    }
    if let Some(device) = &plan.removed {
        tx.execute(
            "UPDATE members SET removed = 1 WHERE journal = ?1 AND device = ?2",
            params![j, device],
        )?;
    }
    for wrap in &plan.wraps {
        insert_wrap(tx, journal, wrap)?;
    }
    if let Some(id) = &plan.uses_invitation {
        tx.execute(
            "UPDATE invitations SET used = 1, payload = NULL WHERE journal = ?1 AND id = ?2",
            params![j, id],
        )?;
    }
    tx.execute(
        "UPDATE journals SET epoch = ?2 WHERE id = ?1",
        params![j, i64::from(plan.epoch)],
    )?;
    Ok(())
}

/// The parts of `snapshot`, concatenated in index order.
fn snapshot_bytes(tx: &Connection, journal: &Id, snapshot: &Id) -> Result<Vec<u8>, Error> {
    let mut stmt = tx.prepare_cached(
        "SELECT bytes FROM snapshot_parts WHERE journal = ?1 AND snapshot = ?2 ORDER BY idx",
    )?;
    let mut rows = stmt.query(params![journal.as_str(), snapshot.as_str()])?;
    let mut whole = Vec::new();
    while let Some(r) = rows.next()? {
        let part: Vec<u8> = r.get(0)?;
        whole.extend_from_slice(&part);
    }
    Ok(whole)
}

/// Drops an unfinished snapshot and gives its bytes back to the quota.
fn drop_snapshot(tx: &Connection, journal: &Id, snapshot: &Id) -> Result<(), Error> {
    let (j, s) = (journal.as_str(), snapshot.as_str());
    let freed: i64 = tx.query_row(
        "SELECT COALESCE(SUM(LENGTH(bytes)), 0) + COUNT(*) * ?3 FROM snapshot_parts WHERE journal = ?1 AND snapshot = ?2",
        params![j, s, rules::ROW_OVERHEAD_SQL],
        |r| r.get(0),
    )?;
    tx.execute(
        "DELETE FROM snapshot_parts WHERE journal = ?1 AND snapshot = ?2",
        params![j, s],
    )?;
    tx.execute(
        "DELETE FROM snapshots WHERE journal = ?1 AND id = ?2",
        params![j, s],
    )?;
    tx.execute(
        "UPDATE journals SET bytes_used = MAX(bytes_used - ?2, 0) WHERE id = ?1",
        params![j, freed],
    )?;
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("json: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| Error::Internal(format!("stored json: {e}")))
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
            "SELECT COALESCE(SUM(LENGTH(bytes)), 0) + COUNT(*) * ?4 FROM snapshot_parts WHERE journal = ?1 AND snapshot IN ({older})"
        ),
        params![j, s, covers, rules::ROW_OVERHEAD_SQL],
        |row| row.get(0),
    )?;
    let freed_batches: i64 = tx.query_row(
        "SELECT COALESCE(SUM(LENGTH(envelope)), 0) + COUNT(*) * ?3 FROM batches WHERE journal = ?1 AND seq <= ?2",
        params![j, covers, rules::ROW_OVERHEAD_SQL],
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
        "UPDATE journals SET pruned_through = MAX(pruned_through, ?2), bytes_used = MAX(bytes_used - ?3, 0) WHERE id = ?1",
        params![j, covers, freed_parts + freed_batches],
    )?;
    Ok(())
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn create_journal(&self, journal: &Id, new: NewJournal) -> Result<Creation, Error> {
        let journal = journal.clone();
        self.write(move |tx| {
            let j = journal.as_str();
            let existing: Option<Option<i64>> = tx
                .query_row(
                    "SELECT deleted_at_ms FROM journals WHERE id = ?1",
                    params![j],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(deleted_at) = existing {
                return Ok(Creation::Existing {
                    genesis: load_ops(tx, &journal)?.into_iter().next().map(|l| l.op),
                    deleted_at_ms: deleted_at.map(unsigned),
                });
            }
            // `credential_sha256` was the protocol v1 journal credential; members have their own.
            tx.execute(
                "INSERT INTO journals (id, credential_sha256, incarnation, epoch) VALUES (?1, '', ?2, ?3)",
                params![j, Id::random()?.as_str(), i64::from(new.epoch)],
            )?;
            for (index, op) in new.ops.iter().enumerate() {
                let logged = LoggedOp {
                    op: op.clone(),
                    seq: 0,
                };
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                insert_op(tx, &journal, index, &logged)?;
            }
            for member in &new.members {
                insert_member(tx, &journal, member)?;
            }
            for wrap in &new.wraps {
                insert_wrap(tx, &journal, wrap)?;
            }
            Ok(Creation::Created)
        })
        .await
    }

    async fn access(&self, journal: &Id) -> Result<Option<Access>, Error> {
        let journal = journal.clone();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let row: Option<(i64, Option<i64>, String)> = tx
                .query_row(
                    "SELECT epoch, deleted_at_ms, incarnation FROM journals WHERE id = ?1",
                    params![journal.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((epoch, deleted_at_ms, incarnation)) = row else {
                return Ok(None);
            };
            Ok(Some(Access {
                epoch: u32::try_from(epoch).unwrap_or(0),
                deleted_at_ms: deleted_at_ms.map(unsigned),
                incarnation: Id::parse("incarnation", &incarnation)?,
                members: member_rows(&tx, &journal)?,
            }))
        })
        .await
    }

    async fn journal(&self, journal: &Id) -> Result<JournalState, Error> {
        let journal = journal.clone();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let row = journal_row(&tx, &journal)?;
            let members: i64 = tx.query_row(
                "SELECT COUNT(*) FROM members WHERE journal = ?1 AND removed = 0",
                params![journal.as_str()],
                |r| r.get(0),
            )?;
            Ok(JournalState {
                latest_seq: row.latest_seq,
                pruned_through: row.pruned_through,
                bytes_used: row.bytes_used,
                incarnation: row.incarnation,
                epoch: row.epoch,
                members: u32::try_from(members).unwrap_or(u32::MAX),
                snapshot: newest_snapshot(&tx, &journal)?,
            })
        })
        .await
    }

    async fn set_deleted(&self, journal: &Id, at_ms: Option<u64>) -> Result<(), Error> {
        let journal = journal.clone();
        self.write(move |tx| {
            let at = at_ms.map(|ms| signed(ms, "deleted_at_ms")).transpose()?;
            tx.execute(
                "UPDATE journals SET deleted_at_ms = ?2 WHERE id = ?1",
                params![journal.as_str(), at],
            )?;
            Ok(())
        })
        .await
    }

    async fn purge(&self, deleted_by_ms: u64, now_ms: u64) -> Result<u64, Error> {
        self.write(move |tx| {
            let by = signed(deleted_by_ms, "deleted_by_ms")?;
            let gone = "SELECT id FROM journals WHERE deleted_at_ms IS NOT NULL AND deleted_at_ms <= ?1";
            for table in JOURNAL_TABLES {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE journal IN ({gone})"),
                    params![by],
                )?;
            }
            let purged = tx.execute(&format!("DELETE FROM journals WHERE id IN ({gone})"), params![by])?;
            tx.execute(
                "UPDATE invitations SET payload = NULL WHERE payload IS NOT NULL AND expires_at_ms <= ?1",
                params![signed(now_ms, "now_ms")?],
            )?;
            Ok(purged as u64)
        })
        .await
    }

    async fn push_batch(
        &self,
        journal: &Id,
        batch: &Id,
        envelope: Bytes,
        writer: &Writer,
        quota: u64,
    ) -> Result<Pushed, Error> {
        let (journal, batch, stall) = (journal.clone(), batch.clone(), self.stall);
        let writer = writer.clone();
        self.write(move |tx| {
            let row = journal_row(tx, &journal)?;
            check_writer(tx, &journal, row.epoch, &writer)?;
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
            let size = rules::stored_size(envelope.len());
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

    async fn pull(&self, journal: &Id, range: PullRange) -> Result<PullPage, Error> {
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
            Ok(PullPage {
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
        writer: &Writer,
        quota: u64,
    ) -> Result<PartStored, Error> {
        let journal = journal.clone();
        let writer = writer.clone();
        self.write(move |tx| {
            let row = journal_row(tx, &journal)?;
            check_writer(tx, &journal, row.epoch, &writer)?;
            let (j, s) = (journal.as_str(), part.snapshot.as_str());
            let known = tx
                .query_row(
                    "SELECT parts, covers, complete FROM snapshots WHERE journal = ?1 AND id = ?2",
                    params![j, s],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, bool>(2)?)),
                )
                .optional()?;
            let known_rules = known.map(|(parts, covers, complete)| KnownSnapshot {
                parts: u32::try_from(parts).unwrap_or(0),
                covers: unsigned(covers),
                complete,
            });
            rules::check_snapshot_part(&part, known_rules, row.latest_seq, row.pruned_through)?;
            let index = i64::from(part.index);
            let replaced: i64 = tx
                .query_row(
                    "SELECT LENGTH(bytes) + ?4 FROM snapshot_parts WHERE journal = ?1 AND snapshot = ?2 AND idx = ?3",
                    params![j, s, index, rules::ROW_OVERHEAD_SQL],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            let size = rules::stored_size(part.bytes.len());
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
            let received: i64 = tx.query_row(
                "SELECT COUNT(*) FROM snapshot_parts WHERE journal = ?1 AND snapshot = ?2",
                params![j, s],
                |r| r.get(0),
            )?;
            if received < i64::from(part.parts) {
                return Ok(PartStored::Incomplete);
            }
            let whole = snapshot_bytes(tx, &journal, &part.snapshot)?;
            let members = member_rows(tx, &journal)?;
            let checked = list::check_envelope(
                &journal,
                envelope::SNAPSHOT,
                s,
                &whole,
                row.epoch,
                &members,
                None,
            );
            if let Err(refused) = checked {
                drop_snapshot(tx, &journal, &part.snapshot)?;
                return Ok(PartStored::Refused(refused.to_string()));
            }
            complete_snapshot(tx, &journal, &part, covers)?;
            Ok(PartStored::Complete)
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
        record: Bytes,
        writer: &Writer,
        quota: u64,
    ) -> Result<(), Error> {
        let (journal, writer) = (journal.clone(), writer.clone());
        self.write(move |tx| {
            let row = journal_row(tx, &journal)?;
            check_writer(tx, &journal, row.epoch, &writer)?;
            let (j, d) = (journal.as_str(), writer.device.as_str());
            let replaced: Option<i64> = tx
                .query_row(
                    "SELECT LENGTH(record) + ?3 FROM devices WHERE journal = ?1 AND device = ?2",
                    params![j, d, rules::ROW_OVERHEAD_SQL],
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
            let size = rules::stored_size(record.len());
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

    async fn member_ops(&self, journal: &Id) -> Result<Vec<LoggedOp>, Error> {
        let journal = journal.clone();
        self.run(move |conn| load_ops(conn, &journal)).await
    }

    async fn change_members(
        &self,
        journal: &Id,
        request: MembersRequest,
    ) -> Result<Vec<LoggedOp>, Error> {
        let journal = journal.clone();
        self.write(move |tx| {
            let row = journal_row(tx, &journal)?;
            let log = load_ops(tx, &journal)?;
            let invitation = match &request {
                MembersRequest::Accept { invitation, .. } => {
                    stored_invitation(tx, &journal, invitation)?
                }
                MembersRequest::Change { .. } => None,
            };
            let plan = list::plan(
                &journal,
                &log,
                row.latest_seq,
                &request,
                invitation.as_ref(),
            )?;
            store_plan(tx, &journal, &plan)?;
            let mut log = log;
            log.push(plan.op);
            Ok(log)
        })
        .await
    }

    async fn wraps(&self, journal: &Id, device: &str) -> Result<Vec<SignedWrap>, Error> {
        let (journal, device) = (journal.clone(), device.to_owned());
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT wrap FROM wraps WHERE journal = ?1 AND device = ?2 ORDER BY epoch",
            )?;
            let texts = stmt
                .query_map(params![journal.as_str(), device], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            texts.iter().map(|t| from_json(t)).collect()
        })
        .await
    }

    async fn put_invitation(&self, journal: &Id, upload: InvitationUpload) -> Result<(), Error> {
        let journal = journal.clone();
        self.write(move |tx| {
            journal_row(tx, &journal)?;
            let inv = &upload.invitation;
            let id = Id::parse("invitation", &inv.id)?;
            list::check_invitation(&journal, &load_ops(tx, &journal)?, inv)?;
            rules::check_new_invitation(stored_invitation(tx, &journal, &id)?.as_ref(), inv)?;
            tx.execute(
                "INSERT OR IGNORE INTO invitations (journal, id, invitation, payload, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    journal.as_str(),
                    id.as_str(),
                    to_json(inv)?,
                    upload.payload,
                    signed(inv.expires_at_ms, "expires_at_ms")?
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn invitation(&self, journal: &Id, id: &Id) -> Result<Option<StoredInvitation>, Error> {
        let (journal, id) = (journal.clone(), id.clone());
        self.run(move |conn| stored_invitation(conn, &journal, &id))
            .await
    }

    async fn totals(&self) -> Result<Totals, Error> {
        self.run(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT COUNT(*), COALESCE(SUM(bytes_used), 0), COALESCE(SUM(pruned_through), 0) FROM journals",
            )?;
            Ok(stmt.query_row([], |r| {
                Ok(Totals {
                    journals: unsigned(r.get(0)?),
                    stored_bytes: unsigned(r.get(1)?),
                    pruned_batches: unsigned(r.get(2)?),
                })
            })?)
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
