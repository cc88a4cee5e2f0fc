//! The PostgreSQL backend, for a deployment with several relay processes over one database.
//!
//! Every write takes the journal's row lock (`SELECT ... FOR UPDATE`) first, in the same
//! transaction as its inserts: the next sequence number is read and written under that
//! lock, so numbers have no gaps and a batch commits before the next number is handed out.
//! `UNIQUE (journal, batch_id)` backs the dedup.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use deadpool_postgres::{ManagerConfig, Pool, PoolConfig, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::{IsolationLevel, NoTls, Transaction};

use super::rules::{self, KnownSnapshot};
use super::stall::PushStall;
use super::{
    signed, unsigned, Creation, JournalState, PullRange, Pulled, Pushed, SnapshotPart,
    SnapshotState, Storage, StoredBatch, StoredDevice,
};
use crate::error::{with_causes, Error};
use crate::ids::Id;

/// The schema version this relay writes.
const SCHEMA_VERSION: i32 = 2;

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
}

impl PostgresStorage {
    /// Connects to `url` (e.g. `postgres://user@host:5432/db`) and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        let mut config = deadpool_postgres::Config::new();
        config.url = Some(url.to_owned());
        config.manager = Some(ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        });
        let mut pool_config = PoolConfig::new(16);
        pool_config.timeouts = Timeouts {
            wait: Some(Duration::from_secs(10)),
            create: Some(Duration::from_secs(10)),
            recycle: Some(Duration::from_secs(10)),
        };
        config.pool = Some(pool_config);
        let pool = config
            .create_pool(Some(Runtime::Tokio1), NoTls)
            .map_err(|e| Error::Internal(format!("the PostgreSQL URL is not usable: {e}")))?;
        let mut client = pool.get().await.map_err(|e| {
            Error::Internal(format!(
                "cannot connect to PostgreSQL: {}. Check that the server is running and that the \
                 --postgres URL (host, port, user, database) is right.",
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

async fn journal_row(tx: &Transaction<'_>, journal: &Id, lock: &str) -> Result<JournalRow, Error> {
    let row = tx
        .query_opt(
            &format!(
                "SELECT latest_seq, pruned_through, bytes_used, incarnation, pruned_through_id
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
    })
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
                "SELECT COALESCE(SUM(octet_length(bytes)), 0)::BIGINT FROM snapshot_parts
                  WHERE journal = $1 AND snapshot IN ({older})"
            ),
            &[&j, &s, &covers],
        )
        .await?
        .get(0);
    let freed_batches: i64 = tx
        .query_one(
            "SELECT COALESCE(SUM(octet_length(envelope)), 0)::BIGINT FROM batches WHERE journal = $1 AND seq <= $2",
            &[&j, &covers],
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
        "UPDATE journals SET pruned_through = GREATEST(pruned_through, $2), bytes_used = bytes_used - $3 WHERE id = $1",
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
    async fn create_journal(
        &self,
        journal: &Id,
        credential_sha256: &str,
    ) -> Result<Creation, Error> {
        let client = self.pool.get().await?;
        let inserted = client
            .query_opt(
                "INSERT INTO journals (id, credential_sha256, incarnation) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING RETURNING id",
                &[
                    &journal.as_str(),
                    &credential_sha256,
                    &Id::random()?.as_str(),
                ],
            )
            .await?;
        if inserted.is_some() {
            return Ok(Creation::Created);
        }
        let existing = client
            .query_opt(
                "SELECT credential_sha256 FROM journals WHERE id = $1",
                &[&journal.as_str()],
            )
            .await?
            // Deleted between the insert and this read: the caller may simply try again.
            .ok_or_else(|| Error::Internal("the journal was deleted while being created".into()))?;
        Ok(Creation::Existing {
            credential_sha256: existing.get(0),
        })
    }

    async fn credential(&self, journal: &Id) -> Result<Option<String>, Error> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT credential_sha256 FROM journals WHERE id = $1",
                &[&journal.as_str()],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn journal(&self, journal: &Id) -> Result<JournalState, Error> {
        let mut client = self.pool.get().await?;
        let tx = read_view(&mut client).await?;
        let row = journal_row(&tx, journal, "").await?;
        let snapshot = newest_snapshot(&tx, journal).await?;
        tx.commit().await?;
        Ok(JournalState {
            latest_seq: row.latest_seq,
            pruned_through: row.pruned_through,
            bytes_used: row.bytes_used,
            incarnation: row.incarnation,
            snapshot,
        })
    }

    async fn delete_journal(&self, journal: &Id) -> Result<(), Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let j = journal.as_str();
        tx.execute("SELECT 1 FROM journals WHERE id = $1 FOR UPDATE", &[&j])
            .await?;
        tx.execute("DELETE FROM devices WHERE journal = $1", &[&j])
            .await?;
        tx.execute("DELETE FROM snapshot_parts WHERE journal = $1", &[&j])
            .await?;
        tx.execute("DELETE FROM snapshots WHERE journal = $1", &[&j])
            .await?;
        tx.execute("DELETE FROM batches WHERE journal = $1", &[&j])
            .await?;
        tx.execute("DELETE FROM journals WHERE id = $1", &[&j])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn push_batch(
        &self,
        journal: &Id,
        batch: &Id,
        envelope: Bytes,
        quota: u64,
    ) -> Result<Pushed, Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = lock_journal(&tx, journal).await?;
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
        let size = envelope.len() as u64;
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
        self.stall.before_commit(batch).await;
        tx.commit().await?;
        Ok(Pushed {
            seq,
            duplicate: false,
        })
    }

    async fn pull(&self, journal: &Id, range: PullRange) -> Result<Pulled, Error> {
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
    }

    async fn put_snapshot_part(
        &self,
        journal: &Id,
        part: SnapshotPart,
        quota: u64,
    ) -> Result<bool, Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = lock_journal(&tx, journal).await?;
        let (j, s) = (journal.as_str(), part.snapshot.as_str());
        let known = tx
            .query_opt(
                "SELECT parts, covers, complete FROM snapshots WHERE journal = $1 AND id = $2",
                &[&j, &s],
            )
            .await?
            .map(|r| (r.get::<_, i32>(0), r.get::<_, i64>(1), r.get::<_, bool>(2)));
        let known_rules = known.map(|(parts, covers, _)| KnownSnapshot {
            parts: u32::try_from(parts).unwrap_or(0),
            covers: unsigned(covers),
        });
        rules::check_snapshot_part(&part, known_rules, row.latest_seq, row.pruned_through)?;
        let index = small(part.index, "index")?;
        let replaced: i64 = tx
            .query_opt(
                "SELECT octet_length(bytes)::BIGINT FROM snapshot_parts WHERE journal = $1 AND snapshot = $2 AND idx = $3",
                &[&j, &s, &index],
            )
            .await?
            .map(|r| r.get(0))
            .unwrap_or(0);
        let size = part.bytes.len() as u64;
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
        let complete = if matches!(known, Some((_, _, true))) {
            true
        } else {
            let received: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM snapshot_parts WHERE journal = $1 AND snapshot = $2",
                    &[&j, &s],
                )
                .await?
                .get(0);
            if received >= i64::from(part.parts) {
                complete_snapshot(&tx, journal, &part.snapshot, covers).await?;
                true
            } else {
                false
            }
        };
        tx.commit().await?;
        Ok(complete)
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
        device: &Id,
        record: Bytes,
        quota: u64,
    ) -> Result<(), Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Under the journal's lock, so two new devices at once cannot both be the 64th.
        let row = lock_journal(&tx, journal).await?;
        let (j, d) = (journal.as_str(), device.as_str());
        let replaced: Option<i64> = tx
            .query_opt(
                "SELECT octet_length(record)::BIGINT FROM devices WHERE journal = $1 AND device = $2",
                &[&j, &d],
            )
            .await?
            .map(|r| r.get(0));
        let devices: i64 = tx
            .query_one("SELECT COUNT(*) FROM devices WHERE journal = $1", &[&j])
            .await?
            .get(0);
        rules::check_device_count(unsigned(devices), replaced.is_none())?;
        let replaced = replaced.unwrap_or(0);
        let size = record.len() as u64;
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
}
