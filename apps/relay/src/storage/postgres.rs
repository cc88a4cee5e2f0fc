//! The PostgreSQL backend, for a deployment with several relay processes over one database.
//!
//! Every write takes the journal's row lock (`SELECT ... FOR UPDATE`) first, in the same
//! transaction as its inserts: the next sequence number is read and written under that
//! lock, so numbers have no gaps and a batch commits before the next number is handed out.
//! `UNIQUE (journal, batch_id)` backs the dedup.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use onward_protocol::members::{envelope, LoggedOp, SignedOp, SignedWrap};
use onward_protocol::InvitationUpload;
use tokio_postgres::{IsolationLevel, Transaction};

use super::listen::CHANNEL;
use super::members::{self as list, Plan};
use super::pg_connect::{self, PgTarget};
use super::rules::{self, KnownSnapshot};
use super::stall::PushStall;
use super::{
    signed, unsigned, Access, Creation, JournalState, MemberRow, MembersRequest, NewJournal,
    PartStored, PullPage, PullRange, Pushed, SnapshotPart, SnapshotState, Storage, StoredBatch,
    StoredDevice, StoredInvitation, Totals, Writer,
};
use crate::error::{with_causes, Error};
use crate::ids::Id;

/// The schema version this relay writes.
const SCHEMA_VERSION: i32 = 3;

/// Serializes schema setup between relay processes starting together (any fixed number).
const SCHEMA_LOCK: i64 = 0x6f6e_7761_7264;

/// Version 1: journals with their counters, batches, snapshots and their parts.
const SCHEMA_V1: &str = "
CREATE TABLE journals (
    id TEXT PRIMARY KEY,
    credential_sha256 TEXT NOT NULL,
    latest_seq BIGINT NOT NULL DEFAULT 0,
    pruned_through BIGINT NOT NULL DEFAULT 0,
    bytes_used BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE batches (
    journal TEXT NOT NULL REFERENCES journals(id),
    seq BIGINT NOT NULL,
    batch_id TEXT NOT NULL,
    envelope BYTEA NOT NULL,
    PRIMARY KEY (journal, seq),
    UNIQUE (journal, batch_id)
);
CREATE TABLE snapshots (
    journal TEXT NOT NULL REFERENCES journals(id),
    id TEXT NOT NULL,
    parts INTEGER NOT NULL,
    covers BIGINT NOT NULL,
    complete BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (journal, id)
);
CREATE TABLE snapshot_parts (
    journal TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    idx INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (journal, snapshot, idx),
    FOREIGN KEY (journal, snapshot) REFERENCES snapshots(journal, id)
);
";

/// Version 2: each journal's incarnation, the id of the last batch a snapshot pruned, and
/// the devices' sealed records. The incarnations of journals already there are drawn in
/// [`give_incarnations`] (PostgreSQL has no random bytes without an extension), then the
/// column becomes `NOT NULL`.
const SCHEMA_V2: &str = "
ALTER TABLE journals ADD COLUMN incarnation TEXT;
ALTER TABLE journals ADD COLUMN pruned_through_id TEXT;
CREATE TABLE devices (
    journal TEXT NOT NULL REFERENCES journals(id),
    device TEXT NOT NULL,
    record BYTEA NOT NULL,
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
ALTER TABLE journals ADD COLUMN deleted_at_ms BIGINT;
CREATE TABLE member_ops (
    journal TEXT NOT NULL REFERENCES journals(id),
    idx INTEGER NOT NULL,
    body TEXT NOT NULL,
    signer TEXT NOT NULL,
    signature TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (journal, idx)
);
CREATE TABLE members (
    journal TEXT NOT NULL REFERENCES journals(id),
    device TEXT NOT NULL,
    sign_pk TEXT NOT NULL,
    credential_sha256 TEXT NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
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
    used BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at_ms BIGINT NOT NULL,
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

/// Journals in a PostgreSQL database, shared safely by several relay processes.
#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
    stall: PushStall,
}

impl From<tokio_postgres::Error> for Error {
    fn from(error: tokio_postgres::Error) -> Self {
        Error::Internal(format!("postgres: {}", with_causes(&error)))
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        Error::Internal(format!("postgres pool: {}", with_causes(&error)))
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

impl PostgresStorage {
    /// Connects to `url` (e.g. `postgres://user@host:5432/db?sslmode=require`, see
    /// [`pg_connect`]) and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        Self::connect_to(&pg_connect::parse(url)?).await
    }

    /// Connects to a parsed URL and brings the schema up to date.
    pub async fn connect_to(target: &PgTarget) -> Result<Self, Error> {
        let manager = Manager::from_config(
            target.config.clone(),
            target.tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .recycle_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| Error::Internal(format!("the PostgreSQL URL is not usable: {e}")))?;
        let mut client = pool.get().await.map_err(|e| {
            Error::Internal(format!(
                "cannot connect to PostgreSQL: {}. Check that the server is running and that the \
                 --postgres URL (host, port, user, database, sslmode) is right.",
                with_causes(&e)
            ))
        })?;
        migrate(&mut client).await?;
        Ok(PostgresStorage {
            pool,
            stall: PushStall::default(),
        })
    }

    /// Holds every push of a new batch before its commit (the test knob, see [`PushStall`]).
    pub fn with_push_stall(mut self, stall: PushStall) -> Self {
        self.stall = stall;
        self
    }
}

/// Creates or upgrades the schema under an advisory lock; refuses a newer schema.
async fn migrate(client: &mut deadpool_postgres::Object) -> Result<(), Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS onward_relay_schema (version INTEGER NOT NULL)")
        .await?;
    let version: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM onward_relay_schema",
            &[],
        )
        .await?
        .get(0);
    if version > SCHEMA_VERSION {
        return Err(Error::Internal(format!(
            "the database has schema version {version}, newer than this relay's {SCHEMA_VERSION}; \
             run a newer onward-relay"
        )));
    }
    if version < 1 {
        tx.batch_execute(SCHEMA_V1).await?;
    }
    if version < 2 {
        tx.batch_execute(SCHEMA_V2).await?;
        give_incarnations(&tx).await?;
        tx.batch_execute("ALTER TABLE journals ALTER COLUMN incarnation SET NOT NULL")
            .await?;
    }
    if version < 3 {
        tx.batch_execute(SCHEMA_V3).await?;
    }
    if version < SCHEMA_VERSION {
        tx.execute("DELETE FROM onward_relay_schema", &[]).await?;
        tx.execute(
            "INSERT INTO onward_relay_schema (version) VALUES ($1)",
            &[&SCHEMA_VERSION],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Gives every journal without an incarnation (those from before schema version 2) a
/// random one of its own.
async fn give_incarnations(tx: &Transaction<'_>) -> Result<(), Error> {
    let journals = tx
        .query("SELECT id FROM journals WHERE incarnation IS NULL", &[])
        .await?;
    for journal in journals {
        let id: &str = journal.get(0);
        tx.execute(
            "UPDATE journals SET incarnation = $2 WHERE id = $1",
            &[&id, &Id::random()?.as_str()],
        )
        .await?;
    }
    Ok(())
}

/// A read-only transaction in which every query sees the same moment.
async fn read_view(
    client: &mut deadpool_postgres::Object,
) -> Result<deadpool_postgres::Transaction<'_>, Error> {
    Ok(client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

/// Locks the journal's row for this transaction; `Unauthorized` when it was deleted meanwhile.
async fn lock_journal(tx: &Transaction<'_>, journal: &Id) -> Result<JournalRow, Error> {
    journal_row(tx, journal, " FOR UPDATE").await
}

/// Locks an existing journal's row and reads when it was deleted (`None`: there is no
/// such row, it was purged since the insert found it).
async fn lock_journal_deleted(
    tx: &Transaction<'_>,
    journal: &Id,
) -> Result<Option<Option<i64>>, Error> {
    let row = tx
        .query_opt(
            "SELECT deleted_at_ms FROM journals WHERE id = $1 FOR UPDATE",
            &[&journal.as_str()],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

async fn journal_row(tx: &Transaction<'_>, journal: &Id, lock: &str) -> Result<JournalRow, Error> {
    let row = tx
        .query_opt(
            &format!(
                "SELECT latest_seq, pruned_through, bytes_used, incarnation, pruned_through_id, epoch
                   FROM journals WHERE id = $1{lock}"
            ),
            &[&journal.as_str()],
        )
        .await?
        .ok_or(Error::Unauthorized)?;
    Ok(JournalRow {
        latest_seq: unsigned(row.get(0)),
        pruned_through: unsigned(row.get(1)),
        bytes_used: unsigned(row.get(2)),
        incarnation: Id::parse("incarnation", row.get::<_, &str>(3))?,
        pruned_through_id: row
            .get::<_, Option<&str>>(4)
            .map(|id| Id::parse("batch", id))
            .transpose()?,
        epoch: u32::try_from(row.get::<_, i32>(5)).unwrap_or(0),
    })
}

/// The device list of `journal`, oldest first.
async fn load_ops(tx: &Transaction<'_>, journal: &Id) -> Result<Vec<LoggedOp>, Error> {
    let rows = tx
        .query(
            "SELECT body, signer, signature, seq FROM member_ops WHERE journal = $1 ORDER BY idx",
            &[&journal.as_str()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LoggedOp {
            op: SignedOp {
                body: r.get(0),
                signer: r.get(1),
                signature: r.get(2),
            },
            seq: unsigned(r.get(3)),
        })
        .collect())
}

async fn insert_op(
    tx: &Transaction<'_>,
    journal: &Id,
    index: u32,
    logged: &LoggedOp,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO member_ops (journal, idx, body, signer, signature, seq) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &journal.as_str(),
            &small(index, "index")?,
            &logged.op.body,
            &logged.op.signer,
            &logged.op.signature,
            &signed(logged.seq, "seq")?,
        ],
    )
    .await?;
    Ok(())
}

async fn member_rows(tx: &Transaction<'_>, journal: &Id) -> Result<Vec<MemberRow>, Error> {
    let rows = tx
        .query(
            "SELECT device, sign_pk, credential_sha256, removed FROM members WHERE journal = $1
              ORDER BY device COLLATE \"C\"",
            &[&journal.as_str()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| MemberRow {
            device: r.get(0),
            sign_pk: r.get(1),
            credential_sha256: r.get(2),
            removed: r.get(3),
        })
        .collect())
}

async fn insert_member(tx: &Transaction<'_>, journal: &Id, m: &MemberRow) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO members (journal, device, sign_pk, credential_sha256, removed) VALUES ($1, $2, $3, $4, $5)",
        &[&journal.as_str(), &m.device, &m.sign_pk, &m.credential_sha256, &m.removed],
    )
    .await?;
    Ok(())
}

async fn insert_wrap(tx: &Transaction<'_>, journal: &Id, wrap: &SignedWrap) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO wraps (journal, epoch, device, wrap) VALUES ($1, $2, $3, $4)
         ON CONFLICT (journal, epoch, device) DO UPDATE SET wrap = EXCLUDED.wrap",
        &[
            &journal.as_str(),
            &small(wrap.epoch, "epoch")?,
            &wrap.device,
            &to_json(wrap)?,
        ],
    )
    .await?;
    Ok(())
}

/// Checks the writer under the lock (see [`rules::check_writer`]).
async fn check_writer(
    tx: &Transaction<'_>,
    journal: &Id,
    epoch: u32,
    writer: &Writer,
) -> Result<(), Error> {
    let removed = tx
        .query_opt(
            "SELECT removed FROM members WHERE journal = $1 AND device = $2",
            &[&journal.as_str(), &writer.device],
        )
        .await?
        .map(|r| r.get::<_, bool>(0));
    rules::check_writer(epoch, removed, writer)
}

async fn stored_invitation(
    tx: &Transaction<'_>,
    journal: &Id,
    id: &Id,
) -> Result<Option<StoredInvitation>, Error> {
    let row = tx
        .query_opt(
            "SELECT invitation, payload, used FROM invitations WHERE journal = $1 AND id = $2",
            &[&journal.as_str(), &id.as_str()],
        )
        .await?;
    row.map(|r| {
        Ok(StoredInvitation {
            invitation: from_json(r.get::<_, &str>(0))?,
            payload: r.get(1),
            used: r.get(2),
        })
    })
    .transpose()
}

/// Stores a change the device-list rules accepted.
async fn store_plan(tx: &Transaction<'_>, journal: &Id, plan: &Plan) -> Result<(), Error> {
    let j = journal.as_str();
    insert_op(tx, journal, plan.index, &plan.op).await?;
    if let Some(member) = &plan.added {
        insert_member(tx, journal, member).await?;
    }
    if let Some(device) = &plan.removed {
        tx.execute(
            "UPDATE members SET removed = TRUE WHERE journal = $1 AND device = $2",
            &[&j, device],
        )
        .await?;
    }
    for wrap in &plan.wraps {
        insert_wrap(tx, journal, wrap).await?;
    }
    if let Some(id) = &plan.uses_invitation {
        tx.execute(
            "UPDATE invitations SET used = TRUE, payload = NULL WHERE journal = $1 AND id = $2",
            &[&j, id],
        )
        .await?;
    }
    tx.execute(
        "UPDATE journals SET epoch = $2 WHERE id = $1",
        &[&j, &small(plan.epoch, "epoch")?],
    )
    .await?;
    Ok(())
}

/// The parts of `snapshot`, concatenated in index order.
async fn snapshot_bytes(
    tx: &Transaction<'_>,
    journal: &Id,
    snapshot: &Id,
) -> Result<Vec<u8>, Error> {
    let rows = tx
        .query(
            "SELECT bytes FROM snapshot_parts WHERE journal = $1 AND snapshot = $2 ORDER BY idx",
            &[&journal.as_str(), &snapshot.as_str()],
        )
        .await?;
    let mut whole = Vec::new();
    for r in rows {
        whole.extend_from_slice(r.get::<_, &[u8]>(0));
    }
    Ok(whole)
}

/// Drops an unfinished snapshot and gives its bytes back to the quota.
async fn drop_snapshot(tx: &Transaction<'_>, journal: &Id, snapshot: &Id) -> Result<(), Error> {
    let (j, s) = (journal.as_str(), snapshot.as_str());
    let freed: i64 = tx
        .query_one(
            "SELECT COALESCE(SUM(octet_length(bytes)), 0)::BIGINT + COUNT(*) * $3::BIGINT FROM snapshot_parts
              WHERE journal = $1 AND snapshot = $2",
            &[&j, &s, &rules::ROW_OVERHEAD_SQL],
        )
        .await?
        .get(0);
    tx.execute(
        "DELETE FROM snapshot_parts WHERE journal = $1 AND snapshot = $2",
        &[&j, &s],
    )
    .await?;
    tx.execute(
        "DELETE FROM snapshots WHERE journal = $1 AND id = $2",
        &[&j, &s],
    )
    .await?;
    tx.execute(
        "UPDATE journals SET bytes_used = GREATEST(bytes_used - $2, 0) WHERE id = $1",
        &[&j, &freed],
    )
    .await?;
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("json: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| Error::Internal(format!("stored json: {e}")))
}

async fn newest_snapshot(
    tx: &Transaction<'_>,
    journal: &Id,
) -> Result<Option<SnapshotState>, Error> {
    let row = tx
        .query_opt(
            "SELECT s.id, s.covers, s.parts,
                    (SELECT COALESCE(SUM(octet_length(p.bytes)), 0)::BIGINT FROM snapshot_parts p
                      WHERE p.journal = s.journal AND p.snapshot = s.id)
               FROM snapshots s WHERE s.journal = $1 AND s.complete
              ORDER BY s.covers DESC LIMIT 1",
            &[&journal.as_str()],
        )
        .await?;
    row.map(|row| {
        Ok(SnapshotState {
            id: Id::parse("snapshot", row.get::<_, &str>(0))?,
            covers: unsigned(row.get(1)),
            parts: u32::try_from(row.get::<_, i32>(2)).unwrap_or(0),
            bytes: unsigned(row.get(3)),
        })
    })
    .transpose()
}

/// Marks `part.snapshot` complete, drops the older snapshots and the batches it covers.
async fn complete_snapshot(
    tx: &Transaction<'_>,
    journal: &Id,
    snapshot: &Id,
    covers: i64,
) -> Result<(), Error> {
    let (j, s) = (journal.as_str(), snapshot.as_str());
    tx.execute(
        "UPDATE snapshots SET complete = TRUE WHERE journal = $1 AND id = $2",
        &[&j, &s],
    )
    .await?;
    let older = "SELECT id FROM snapshots WHERE journal = $1 AND id <> $2 AND covers <= $3";
    let freed_parts: i64 = tx
        .query_one(
            &format!(
                "SELECT COALESCE(SUM(octet_length(bytes)), 0)::BIGINT + COUNT(*) * $4::BIGINT FROM snapshot_parts
                  WHERE journal = $1 AND snapshot IN ({older})"
            ),
            &[&j, &s, &covers, &rules::ROW_OVERHEAD_SQL],
        )
        .await?
        .get(0);
    let freed_batches: i64 = tx
        .query_one(
            "SELECT COALESCE(SUM(octet_length(envelope)), 0)::BIGINT + COUNT(*) * $3::BIGINT FROM batches WHERE journal = $1 AND seq <= $2",
            &[&j, &covers, &rules::ROW_OVERHEAD_SQL],
        )
        .await?
        .get(0);
    tx.execute(
        &format!("DELETE FROM snapshot_parts WHERE journal = $1 AND snapshot IN ({older})"),
        &[&j, &s, &covers],
    )
    .await?;
    tx.execute(
        "DELETE FROM snapshots WHERE journal = $1 AND id <> $2 AND covers <= $3",
        &[&j, &s, &covers],
    )
    .await?;
    // Kept before the batch goes, so a pull after `covers` can still name it. A snapshot
    // covering no more than the last one finds no batch there and keeps the old id.
    tx.execute(
        "UPDATE journals SET pruned_through_id = COALESCE(
             (SELECT batch_id FROM batches WHERE journal = $1 AND seq = $2), pruned_through_id)
          WHERE id = $1",
        &[&j, &covers],
    )
    .await?;
    tx.execute(
        "DELETE FROM batches WHERE journal = $1 AND seq <= $2",
        &[&j, &covers],
    )
    .await?;
    tx.execute(
        "UPDATE journals SET pruned_through = GREATEST(pruned_through, $2), bytes_used = GREATEST(bytes_used - $3, 0) WHERE id = $1",
        &[&j, &covers, &(freed_parts + freed_batches)],
    )
    .await?;
    Ok(())
}

/// Converts a part count or index for an `INTEGER` column.
fn small(value: u32, what: &str) -> Result<i32, Error> {
    i32::try_from(value).map_err(|_| Error::BadRequest(format!("`{what}` is too large.")))
}

#[async_trait]
impl Storage for PostgresStorage {
    async fn create_journal(&self, journal: &Id, new: NewJournal) -> Result<Creation, Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let j = journal.as_str();
        // A purge may drop the row between the insert and the lock: then insert again
        // (each statement sees what committed before it).
        let mut existing = None;
        for _ in 0..3 {
            // `credential_sha256` was the protocol v1 journal credential; members have their own.
            let inserted = tx
                .query_opt(
                    "INSERT INTO journals (id, credential_sha256, incarnation, epoch) VALUES ($1, '', $2, $3)
                     ON CONFLICT (id) DO NOTHING RETURNING id",
                    &[&j, &Id::random()?.as_str(), &small(new.epoch, "epoch")?],
                )
                .await?;
            if inserted.is_some() {
                existing = None;
                break;
            }
            // Another process may be creating it right now: its row lock makes us wait.
            existing = lock_journal_deleted(&tx, journal).await?;
            if existing.is_some() {
                break;
            }
        }
        if let Some(deleted) = existing {
            let genesis = load_ops(&tx, journal)
                .await?
                .into_iter()
                .next()
                .map(|l| l.op);
            tx.commit().await?;
            return Ok(Creation::Existing {
                genesis,
                deleted_at_ms: deleted.map(unsigned),
            });
        }
        for (index, op) in new.ops.iter().enumerate() {
            let logged = LoggedOp {
                op: op.clone(),
                seq: 0,
            };
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            insert_op(&tx, journal, index, &logged).await?;
        }
        for member in &new.members {
            insert_member(&tx, journal, member).await?;
        }
        for wrap in &new.wraps {
            insert_wrap(&tx, journal, wrap).await?;
        }
        tx.commit().await?;
        Ok(Creation::Created)
    }

    async fn access(&self, journal: &Id) -> Result<Option<Access>, Error> {
        let mut client = self.pool.get().await?;
        let tx = read_view(&mut client).await?;
        let row = tx
            .query_opt(
                "SELECT epoch, deleted_at_ms, incarnation FROM journals WHERE id = $1",
                &[&journal.as_str()],
            )
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let members = member_rows(&tx, journal).await?;
        tx.commit().await?;
        Ok(Some(Access {
            epoch: u32::try_from(row.get::<_, i32>(0)).unwrap_or(0),
            deleted_at_ms: row.get::<_, Option<i64>>(1).map(unsigned),
            incarnation: Id::parse("incarnation", row.get::<_, &str>(2))?,
            members,
        }))
    }

    async fn journal(&self, journal: &Id) -> Result<JournalState, Error> {
        let mut client = self.pool.get().await?;
        let tx = read_view(&mut client).await?;
        let row = journal_row(&tx, journal, "").await?;
        let snapshot = newest_snapshot(&tx, journal).await?;
        let members: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM members WHERE journal = $1 AND NOT removed",
                &[&journal.as_str()],
            )
            .await?
            .get(0);
        tx.commit().await?;
        Ok(JournalState {
            latest_seq: row.latest_seq,
            pruned_through: row.pruned_through,
            bytes_used: row.bytes_used,
            incarnation: row.incarnation,
            epoch: row.epoch,
            members: u32::try_from(members).unwrap_or(u32::MAX),
            snapshot,
        })
    }

    async fn set_deleted(&self, journal: &Id, at_ms: Option<u64>) -> Result<(), Error> {
        let client = self.pool.get().await?;
        let at = at_ms.map(|ms| signed(ms, "deleted_at_ms")).transpose()?;
        client
            .execute(
                "UPDATE journals SET deleted_at_ms = $2 WHERE id = $1",
                &[&journal.as_str(), &at],
            )
            .await?;
        Ok(())
    }

    async fn purge(&self, deleted_by_ms: u64, now_ms: u64) -> Result<u64, Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let by = signed(deleted_by_ms, "deleted_by_ms")?;
        // Locked first, so a write in flight on another process finishes before its rows go.
        let gone: Vec<String> = tx
            .query(
                "SELECT id FROM journals WHERE deleted_at_ms IS NOT NULL AND deleted_at_ms <= $1
                  ORDER BY id FOR UPDATE",
                &[&by],
            )
            .await?
            .into_iter()
            .map(|r| r.get(0))
            .collect();
        for table in JOURNAL_TABLES {
            tx.execute(
                &format!("DELETE FROM {table} WHERE journal = ANY($1)"),
                &[&gone],
            )
            .await?;
        }
        tx.execute("DELETE FROM journals WHERE id = ANY($1)", &[&gone])
            .await?;
        tx.execute(
            "UPDATE invitations SET payload = NULL WHERE payload IS NOT NULL AND expires_at_ms <= $1",
            &[&signed(now_ms, "now_ms")?],
        )
        .await?;
        tx.commit().await?;
        Ok(gone.len() as u64)
    }

    async fn push_batch(
        &self,
        journal: &Id,
        batch: &Id,
        envelope: Bytes,
        writer: &Writer,
        quota: u64,
    ) -> Result<Pushed, Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = lock_journal(&tx, journal).await?;
        check_writer(&tx, journal, row.epoch, writer).await?;
        let (j, b) = (journal.as_str(), batch.as_str());
        let existing = tx
            .query_opt(
                "SELECT seq FROM batches WHERE journal = $1 AND batch_id = $2",
                &[&j, &b],
            )
            .await?;
        if let Some(existing) = existing {
            return Ok(Pushed {
                seq: unsigned(existing.get(0)),
                duplicate: true,
            });
        }
        let size = rules::stored_size(envelope.len());
        rules::check_quota(row.bytes_used, 0, size, quota)?;
        let seq = row.latest_seq + 1;
        let seq_sql = signed(seq, "seq")?;
        let inserted = tx
            .query_opt(
                "INSERT INTO batches (journal, seq, batch_id, envelope) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (journal, batch_id) DO NOTHING RETURNING seq",
                &[&j, &seq_sql, &b, &envelope.as_ref()],
            )
            .await?;
        if inserted.is_none() {
            // Unreachable while the row lock is held; answered as the dedup it would be.
            let existing = tx
                .query_one(
                    "SELECT seq FROM batches WHERE journal = $1 AND batch_id = $2",
                    &[&j, &b],
                )
                .await?;
            return Ok(Pushed {
                seq: unsigned(existing.get(0)),
                duplicate: true,
            });
        }
        tx.execute(
            "UPDATE journals SET latest_seq = $2, bytes_used = bytes_used + $3 WHERE id = $1",
            &[&j, &seq_sql, &signed(size, "size")?],
        )
        .await?;
        // Delivered to every relay process's listener when (and only if) this commits.
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &j])
            .await?;
        self.stall.before_commit(batch).await;
        tx.commit().await?;
        Ok(Pushed {
            seq,
            duplicate: false,
        })
    }

    async fn pull(&self, journal: &Id, range: PullRange) -> Result<PullPage, Error> {
        let mut client = self.pool.get().await?;
        let tx = read_view(&mut client).await?;
        let row = journal_row(&tx, journal, "").await?;
        rules::check_pull(range.after, row.pruned_through)?;
        let at_after = tx
            .query_opt(
                "SELECT batch_id FROM batches WHERE journal = $1 AND seq = $2",
                &[&journal.as_str(), &signed(range.after, "after")?],
            )
            .await?
            .map(|r| Id::parse("batch", r.get::<_, &str>(0)))
            .transpose()?;
        // The running total keeps a page under max_bytes without reading the envelopes it drops.
        let rows = tx
            .query(
                "SELECT seq, batch_id, envelope FROM (
                     SELECT seq, batch_id, envelope,
                            SUM(octet_length(envelope)) OVER (ORDER BY seq) AS running,
                            ROW_NUMBER() OVER (ORDER BY seq) AS n
                       FROM batches WHERE journal = $1 AND seq > $2 ORDER BY seq LIMIT $3
                 ) page WHERE running <= $4 OR n = 1 ORDER BY seq",
                &[
                    &journal.as_str(),
                    &signed(range.after, "after")?,
                    &i64::from(range.limit),
                    &signed(range.max_bytes as u64, "max_bytes")?,
                ],
            )
            .await?;
        tx.commit().await?;
        let batches = rows
            .into_iter()
            .map(|r| {
                Ok(StoredBatch {
                    seq: unsigned(r.get(0)),
                    id: Id::parse("batch", r.get::<_, &str>(1))?,
                    envelope: Bytes::from(r.get::<_, Vec<u8>>(2)),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
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
    }

    async fn put_snapshot_part(
        &self,
        journal: &Id,
        part: SnapshotPart,
        writer: &Writer,
        quota: u64,
    ) -> Result<PartStored, Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = lock_journal(&tx, journal).await?;
        check_writer(&tx, journal, row.epoch, writer).await?;
        let (j, s) = (journal.as_str(), part.snapshot.as_str());
        let known = tx
            .query_opt(
                "SELECT parts, covers, complete FROM snapshots WHERE journal = $1 AND id = $2",
                &[&j, &s],
            )
            .await?
            .map(|r| (r.get::<_, i32>(0), r.get::<_, i64>(1), r.get::<_, bool>(2)));
        let known_rules = known.map(|(parts, covers, complete)| KnownSnapshot {
            parts: u32::try_from(parts).unwrap_or(0),
            covers: unsigned(covers),
            complete,
        });
        rules::check_snapshot_part(&part, known_rules, row.latest_seq, row.pruned_through)?;
        let index = small(part.index, "index")?;
        let replaced: i64 = tx
            .query_opt(
                "SELECT octet_length(bytes)::BIGINT + $4::BIGINT FROM snapshot_parts WHERE journal = $1 AND snapshot = $2 AND idx = $3",
                &[&j, &s, &index, &rules::ROW_OVERHEAD_SQL],
            )
            .await?
            .map(|r| r.get(0))
            .unwrap_or(0);
        let size = rules::stored_size(part.bytes.len());
        rules::check_quota(row.bytes_used, unsigned(replaced), size, quota)?;
        let covers = signed(part.covers, "covers")?;
        if known.is_none() {
            tx.execute(
                "INSERT INTO snapshots (journal, id, parts, covers) VALUES ($1, $2, $3, $4)",
                &[&j, &s, &small(part.parts, "parts")?, &covers],
            )
            .await?;
        }
        tx.execute(
            "INSERT INTO snapshot_parts (journal, snapshot, idx, bytes) VALUES ($1, $2, $3, $4)
             ON CONFLICT (journal, snapshot, idx) DO UPDATE SET bytes = EXCLUDED.bytes",
            &[&j, &s, &index, &part.bytes.as_ref()],
        )
        .await?;
        tx.execute(
            "UPDATE journals SET bytes_used = bytes_used - $2 + $3 WHERE id = $1",
            &[&j, &replaced, &signed(size, "size")?],
        )
        .await?;
        let received: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM snapshot_parts WHERE journal = $1 AND snapshot = $2",
                &[&j, &s],
            )
            .await?
            .get(0);
        let stored = if received < i64::from(part.parts) {
            PartStored::Incomplete
        } else {
            let whole = snapshot_bytes(&tx, journal, &part.snapshot).await?;
            let members = member_rows(&tx, journal).await?;
            let checked = list::check_envelope(
                journal,
                envelope::SNAPSHOT,
                s,
                &whole,
                row.epoch,
                &members,
                None,
            );
            match checked {
                Ok(()) => {
                    complete_snapshot(&tx, journal, &part.snapshot, covers).await?;
                    PartStored::Complete
                }
                Err(refused) => {
                    drop_snapshot(&tx, journal, &part.snapshot).await?;
                    PartStored::Refused(refused.to_string())
                }
            }
        };
        tx.commit().await?;
        Ok(stored)
    }

    async fn snapshot_part(
        &self,
        journal: &Id,
        snapshot: &Id,
        index: u32,
    ) -> Result<Option<Bytes>, Error> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT bytes FROM snapshot_parts WHERE journal = $1 AND snapshot = $2 AND idx = $3",
                &[&journal.as_str(), &snapshot.as_str(), &small(index, "index")?],
            )
            .await?;
        Ok(row.map(|r| Bytes::from(r.get::<_, Vec<u8>>(0))))
    }

    async fn put_device(
        &self,
        journal: &Id,
        record: Bytes,
        writer: &Writer,
        quota: u64,
    ) -> Result<(), Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Under the journal's lock, so two new devices at once cannot both be the 64th.
        let row = lock_journal(&tx, journal).await?;
        check_writer(&tx, journal, row.epoch, writer).await?;
        let (j, d) = (journal.as_str(), writer.device.as_str());
        let replaced: Option<i64> = tx
            .query_opt(
                "SELECT octet_length(record)::BIGINT + $3::BIGINT FROM devices WHERE journal = $1 AND device = $2",
                &[&j, &d, &rules::ROW_OVERHEAD_SQL],
            )
            .await?
            .map(|r| r.get(0));
        let devices: i64 = tx
            .query_one("SELECT COUNT(*) FROM devices WHERE journal = $1", &[&j])
            .await?
            .get(0);
        rules::check_device_count(unsigned(devices), replaced.is_none())?;
        let replaced = replaced.unwrap_or(0);
        let size = rules::stored_size(record.len());
        rules::check_quota(row.bytes_used, unsigned(replaced), size, quota)?;
        tx.execute(
            "INSERT INTO devices (journal, device, record) VALUES ($1, $2, $3)
             ON CONFLICT (journal, device) DO UPDATE SET record = EXCLUDED.record",
            &[&j, &d, &record.as_ref()],
        )
        .await?;
        tx.execute(
            "UPDATE journals SET bytes_used = bytes_used - $2 + $3 WHERE id = $1",
            &[&j, &replaced, &signed(size, "size")?],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn devices(&self, journal: &Id) -> Result<Vec<StoredDevice>, Error> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT device, record FROM devices WHERE journal = $1 ORDER BY device COLLATE \"C\"",
                &[&journal.as_str()],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredDevice {
                    device: Id::parse("device", r.get::<_, &str>(0))?,
                    record: Bytes::from(r.get::<_, Vec<u8>>(1)),
                })
            })
            .collect()
    }

    async fn member_ops(&self, journal: &Id) -> Result<Vec<LoggedOp>, Error> {
        let mut client = self.pool.get().await?;
        let tx = read_view(&mut client).await?;
        let ops = load_ops(&tx, journal).await?;
        tx.commit().await?;
        Ok(ops)
    }

    async fn change_members(
        &self,
        journal: &Id,
        request: MembersRequest,
    ) -> Result<Vec<LoggedOp>, Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = lock_journal(&tx, journal).await?;
        let mut log = load_ops(&tx, journal).await?;
        let invitation = match &request {
            MembersRequest::Accept { invitation, .. } => {
                stored_invitation(&tx, journal, invitation).await?
            }
            MembersRequest::Change { .. } => None,
        };
        let plan = list::plan(journal, &log, row.latest_seq, &request, invitation.as_ref())?;
        store_plan(&tx, journal, &plan).await?;
        tx.commit().await?;
        log.push(plan.op);
        Ok(log)
    }

    async fn wraps(&self, journal: &Id, device: &str) -> Result<Vec<SignedWrap>, Error> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT wrap FROM wraps WHERE journal = $1 AND device = $2 ORDER BY epoch",
                &[&journal.as_str(), &device],
            )
            .await?;
        rows.iter()
            .map(|r| from_json(r.get::<_, &str>(0)))
            .collect()
    }

    async fn put_invitation(&self, journal: &Id, upload: InvitationUpload) -> Result<(), Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        lock_journal(&tx, journal).await?;
        let inv = &upload.invitation;
        let id = Id::parse("invitation", &inv.id)?;
        list::check_invitation(journal, &load_ops(&tx, journal).await?, inv)?;
        rules::check_new_invitation(stored_invitation(&tx, journal, &id).await?.as_ref(), inv)?;
        tx.execute(
            "INSERT INTO invitations (journal, id, invitation, payload, expires_at_ms) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (journal, id) DO NOTHING",
            &[
                &journal.as_str(),
                &id.as_str(),
                &to_json(inv)?,
                &upload.payload,
                &signed(inv.expires_at_ms, "expires_at_ms")?,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn invitation(&self, journal: &Id, id: &Id) -> Result<Option<StoredInvitation>, Error> {
        let mut client = self.pool.get().await?;
        let tx = read_view(&mut client).await?;
        let stored = stored_invitation(&tx, journal, id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn totals(&self) -> Result<Totals, Error> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT COUNT(*), COALESCE(SUM(bytes_used), 0)::BIGINT,
                        COALESCE(SUM(pruned_through), 0)::BIGINT FROM journals",
                &[],
            )
            .await?;
        Ok(Totals {
            journals: unsigned(row.get(0)),
            stored_bytes: unsigned(row.get(1)),
            pruned_batches: unsigned(row.get(2)),
        })
    }
}
