//! What a device remembers about syncing, in its journal file (docs/SYNC.md, "What a
//! device remembers"): the relay, the journal id and device list (the private keys are
//! in the secret store; here only without one), the cursor and the id of the batch there,
//! the relay's incarnation and heads, the last outcome, refused batches, merged changes
//! still waiting for a dependency, pushes not yet seen again, and the other devices'
//! last records. These rows are this device's own: never derived, never rebuilt.

use crate::Result;
use automerge::ChangeHash;
use chrono::{DateTime, TimeZone, Utc};
use onward_protocol::members::LoggedOp;
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension};

/// A journal's sync settings and progress.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    pub relay_url: String,
    /// 1: set up with a shared root secret by an earlier Onward (it must join again);
    /// 2: this device has keys of its own.
    pub protocol: u32,
    /// The journal id on the relay (32 hex characters).
    pub journal_id: String,
    /// The device list as last verified.
    pub members: Vec<LoggedOp>,
    /// The highest relay sequence number pulled and merged (or refused).
    pub cursor: u64,
    /// The id of the batch numbered `cursor`, when known.
    pub cursor_id: Option<String>,
    /// The journal's incarnation on the relay, once seen.
    pub incarnation: Option<String>,
    /// Heads of the changes known to be on the relay.
    pub relay_heads: Vec<ChangeHash>,
    /// This device's id in its sealed records (32 hex characters).
    pub device_id: String,
    /// This device's name in its sealed records.
    pub device_name: String,
    /// The number of this device's last record.
    pub record_counter: u64,
    pub enabled_at: DateTime<Utc>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<(String, DateTime<Utc>)>,
    /// The last time the relay was found to have gone back, and why.
    pub last_recovery: Option<(String, DateTime<Utc>)>,
}

/// A pulled batch that was not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefusedBatch {
    pub seq: u64,
    pub batch_id: String,
    pub reason: String,
    pub at: DateTime<Utc>,
    /// The id of the batch just before it, so a snapshot can stop there.
    #[serde(skip)]
    pub prev_id: Option<String>,
}

/// The last record heard from another device of the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRecord {
    pub device_id: String,
    pub name: String,
    pub counter: u64,
    /// The heads of that device's journal when it wrote the record.
    pub heads: Vec<ChangeHash>,
    /// When that device wrote it (its clock).
    pub at: DateTime<Utc>,
    /// When this device first read it.
    pub heard_at: DateTime<Utc>,
}

fn time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn unsigned(value: i64) -> u64 {
    value.max(0) as u64
}

pub fn heads_to_bytes(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

pub fn heads_from_bytes(bytes: &[u8]) -> Vec<ChangeHash> {
    bytes
        .chunks_exact(32)
        .map(|h| ChangeHash(h.try_into().expect("32-byte chunks")))
        .collect()
}

pub fn load(conn: &Connection) -> Result<Option<SyncSettings>> {
    let settings = conn
        .query_row(
            "SELECT relay_url, members, cursor, cursor_id, incarnation, relay_heads,
                    device_id, device_name, record_counter, enabled_at, last_success_at,
                    last_error, last_error_at, recovered_reason, recovered_at,
                    protocol, journal_id
             FROM sync_state WHERE id = 1",
            [],
            |r| {
                let members: String = r.get(1)?;
                let members = serde_json::from_str(&members).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(1, Type::Text, Box::new(e))
                })?;
                let heads: Vec<u8> = r.get(5)?;
                let error: Option<String> = r.get(11)?;
                let error_at: Option<i64> = r.get(12)?;
                let recovered: Option<String> = r.get(13)?;
                let recovered_at: Option<i64> = r.get(14)?;
                Ok(SyncSettings {
                    relay_url: r.get(0)?,
                    protocol: r.get(15)?,
                    journal_id: r.get(16)?,
                    members,
                    cursor: unsigned(r.get(2)?),
                    cursor_id: r.get(3)?,
                    incarnation: r.get(4)?,
                    relay_heads: heads_from_bytes(&heads),
                    device_id: r.get(6)?,
                    device_name: r.get(7)?,
                    record_counter: unsigned(r.get(8)?),
                    enabled_at: time(r.get(9)?),
                    last_success_at: r.get::<_, Option<i64>>(10)?.map(time),
                    last_error: error.map(|e| (e, time(error_at.unwrap_or(0)))),
                    last_recovery: recovered.map(|e| (e, time(recovered_at.unwrap_or(0)))),
                })
            },
        )
        .optional()?;
    Ok(settings)
}

/// What a device starts syncing with.
pub struct Enable<'a> {
    pub relay_url: &'a str,
    pub journal_id: &'a str,
    pub device_id: &'a str,
    pub device_name: &'a str,
    pub members: &'a [LoggedOp],
    /// This device's keys, when no secret store keeps them.
    pub secrets_in_file: Option<&'a [u8]>,
}

/// Starts syncing with a relay from scratch: cursor 0, nothing known on the relay.
pub fn enable(conn: &Connection, e: &Enable<'_>, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_state (id, relay_url, root_secret, enabled_at, device_id, device_name,
                                 protocol, journal_id, members, secrets)
         VALUES (1, ?1, x'', ?2, ?3, ?4, 2, ?5, ?6, ?7)",
        params![
            e.relay_url,
            now.timestamp_millis(),
            e.device_id,
            e.device_name,
            e.journal_id,
            members_json(e.members),
            e.secrets_in_file,
        ],
    )?;
    Ok(())
}

fn members_json(ops: &[LoggedOp]) -> String {
    serde_json::to_string(ops).expect("operations serialize")
}

/// Keeps the device list as just verified.
pub fn set_members(conn: &Connection, ops: &[LoggedOp]) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET members = ?1 WHERE id = 1",
        [members_json(ops)],
    )?;
    Ok(())
}

/// This device's keys kept in the journal file (no secret store), if any.
pub fn secrets_in_file(conn: &Connection) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row("SELECT secrets FROM sync_state WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .flatten())
}

/// Forgets keys kept in the journal file (they moved to a secret store).
pub fn clear_secrets_in_file(conn: &Connection) -> Result<()> {
    conn.execute("UPDATE sync_state SET secrets = NULL WHERE id = 1", [])?;
    Ok(())
}

/// Replaces the keys kept in the journal file.
pub fn set_secrets_in_file(conn: &Connection, secrets: &[u8]) -> Result<()> {
    conn.execute("UPDATE sync_state SET secrets = ?1 WHERE id = 1", [secrets])?;
    Ok(())
}

/// Forgets the relay and everything about it; the journal itself is not touched.
pub fn disable(conn: &Connection) -> Result<bool> {
    let removed = conn.execute("DELETE FROM sync_state", [])?;
    for table in ["sync_refused", "sync_waiting", "sync_acked", "sync_devices"] {
        conn.execute(&format!("DELETE FROM {table}"), [])?;
    }
    Ok(removed > 0)
}

/// The key in `journal_meta` of what a device keeps after deleting the relay's copy.
const DELETED_COPY: &str = "sync_deleted_relay_copy";

/// What this device kept to restore the relay's deleted copy (JSON), if anything.
pub fn deleted_copy(conn: &Connection) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row(
            "SELECT value FROM journal_meta WHERE key = ?1",
            [DELETED_COPY],
            |r| r.get(0),
        )
        .optional()?)
}

/// Keeps what restoring the relay's deleted copy needs, replacing what was kept.
pub fn keep_deleted_copy(conn: &Connection, kept: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO journal_meta (key, value) VALUES (?1, ?2)",
        params![DELETED_COPY, kept],
    )?;
    Ok(())
}

/// Forgets what was kept to restore the relay's deleted copy.
pub fn forget_deleted_copy(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM journal_meta WHERE key = ?1", [DELETED_COPY])?;
    Ok(())
}

/// Picks sync up where it stopped (after the relay's copy came back): the cursor, the
/// id there, the incarnation and the relay's heads as they were.
pub fn resume(
    conn: &Connection,
    cursor: u64,
    cursor_id: Option<&str>,
    incarnation: &str,
    relay_heads: &[ChangeHash],
) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET cursor = ?1, cursor_id = ?2, incarnation = ?3, relay_heads = ?4
         WHERE id = 1",
        params![
            cursor as i64,
            cursor_id,
            incarnation,
            heads_to_bytes(relay_heads)
        ],
    )?;
    Ok(())
}

/// Moves the cursor forward to batch `seq` with id `batch_id` (never back).
pub fn advance_cursor(conn: &Connection, seq: u64, batch_id: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET cursor = ?1, cursor_id = ?2 WHERE id = 1 AND cursor < ?1",
        params![seq as i64, batch_id],
    )?;
    Ok(())
}

/// Remembers the journal's incarnation on the relay.
pub fn set_incarnation(conn: &Connection, incarnation: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET incarnation = ?1 WHERE id = 1",
        [incarnation],
    )?;
    Ok(())
}

pub fn set_relay_heads(conn: &Connection, heads: &[ChangeHash]) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET relay_heads = ?1 WHERE id = 1",
        [heads_to_bytes(heads)],
    )?;
    Ok(())
}

/// Forgets what this device believed the relay holds, after the relay was found to have
/// gone back: cursor 0, no heads, no acknowledged pushes, no refusals and no waiting
/// changes (everything is pulled again, under the relay's numbers now). The journal's
/// own changes stay; the ones the relay lost become pending.
pub fn start_over(conn: &Connection, reason: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET cursor = 0, cursor_id = NULL, incarnation = NULL,
                relay_heads = x'', recovered_reason = ?1, recovered_at = ?2
         WHERE id = 1",
        params![reason, now.timestamp_millis()],
    )?;
    for table in ["sync_acked", "sync_refused", "sync_waiting"] {
        conn.execute(&format!("DELETE FROM {table}"), [])?;
    }
    Ok(())
}

/// Remembers how the last sync went: `None` for success, else what went wrong.
pub fn record_outcome(conn: &Connection, error: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    let at = now.timestamp_millis();
    match error {
        None => conn.execute(
            "UPDATE sync_state SET last_success_at = ?1, last_error = NULL, last_error_at = NULL WHERE id = 1",
            [at],
        )?,
        Some(error) => conn.execute(
            "UPDATE sync_state SET last_error = ?1, last_error_at = ?2 WHERE id = 1",
            params![error, at],
        )?,
    };
    Ok(())
}

pub fn refuse(conn: &Connection, batch: &RefusedBatch) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO sync_refused (seq, batch_id, reason, at, prev_id)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            batch.seq as i64,
            batch.batch_id,
            batch.reason,
            batch.at.timestamp_millis(),
            batch.prev_id
        ],
    )?;
    Ok(())
}

/// A refused batch that was read after all, or is gone from the relay.
pub fn resolve_refused(conn: &Connection, seq: u64) -> Result<()> {
    conn.execute("DELETE FROM sync_refused WHERE seq = ?1", [seq as i64])?;
    Ok(())
}

pub fn refused(conn: &Connection) -> Result<Vec<RefusedBatch>> {
    let mut stmt =
        conn.prepare("SELECT seq, batch_id, reason, at, prev_id FROM sync_refused ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok(RefusedBatch {
            seq: unsigned(r.get(0)?),
            batch_id: r.get(1)?,
            reason: r.get(2)?,
            at: time(r.get(3)?),
            prev_id: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps the changes of batch `seq`, merged but waiting for a dependency: Automerge
/// holds such changes only in memory, so a document loaded again takes them from here.
pub fn add_waiting(conn: &Connection, seq: u64, changes: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO sync_waiting (seq, changes) VALUES (?1, ?2)",
        params![seq as i64, changes],
    )?;
    Ok(())
}

pub fn waiting(conn: &Connection) -> Result<Vec<(u64, Vec<u8>)>> {
    let mut stmt = conn.prepare("SELECT seq, changes FROM sync_waiting ORDER BY seq")?;
    let rows = stmt.query_map([], |r| Ok((unsigned(r.get(0)?), r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many batches wait, and their bytes.
pub fn waiting_size(conn: &Connection) -> Result<(usize, u64)> {
    let (count, bytes): (i64, i64) = conn.query_row(
        "SELECT count(*), coalesce(sum(length(changes)), 0) FROM sync_waiting",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((unsigned(count) as usize, unsigned(bytes)))
}

pub fn clear_waiting(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM sync_waiting", [])?;
    Ok(())
}

/// Remembers that the relay acknowledged batch `batch_id` as number `seq`, until a pull
/// shows that it serves it there. The first acknowledgement of a number is kept: a
/// relay that gives the number to another batch later has lost the first, and the next
/// pull must find that out.
pub fn add_acked(conn: &Connection, seq: u64, batch_id: &str) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO sync_acked (seq, batch_id) VALUES (?1, ?2)",
        params![seq as i64, batch_id],
    )?;
    Ok(())
}

/// Acknowledged pushes not yet seen again, by number.
pub fn acked(conn: &Connection) -> Result<Vec<(u64, String)>> {
    let mut stmt = conn.prepare("SELECT seq, batch_id FROM sync_acked ORDER BY seq")?;
    let rows = stmt.query_map([], |r| Ok((unsigned(r.get(0)?), r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets the acknowledged pushes a pull has now shown, through `seq`.
pub fn drop_acked_through(conn: &Connection, seq: u64) -> Result<()> {
    conn.execute("DELETE FROM sync_acked WHERE seq <= ?1", [seq as i64])?;
    Ok(())
}

/// Takes the next number for this device's record.
pub fn next_record_counter(conn: &Connection) -> Result<u64> {
    let counter: i64 = conn.query_row(
        "UPDATE sync_state SET record_counter = record_counter + 1 WHERE id = 1
         RETURNING record_counter",
        [],
        |r| r.get(0),
    )?;
    Ok(unsigned(counter))
}

pub fn peers(conn: &Connection) -> Result<Vec<PeerRecord>> {
    let mut stmt = conn.prepare(
        "SELECT device_id, name, counter, heads, at, heard_at FROM sync_devices ORDER BY name, device_id",
    )?;
    let rows = stmt.query_map([], |r| {
        let heads: Vec<u8> = r.get(3)?;
        Ok(PeerRecord {
            device_id: r.get(0)?,
            name: r.get(1)?,
            counter: unsigned(r.get(2)?),
            heads: heads_from_bytes(&heads),
            at: time(r.get(4)?),
            heard_at: time(r.get(5)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps a device's record if it is newer than the one kept.
pub fn keep_peer(conn: &Connection, peer: &PeerRecord) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_devices (device_id, name, counter, heads, at, heard_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, counter = excluded.counter,
             heads = excluded.heads, at = excluded.at, heard_at = excluded.heard_at
         WHERE excluded.counter > sync_devices.counter",
        params![
            peer.device_id,
            peer.name,
            peer.counter as i64,
            heads_to_bytes(&peer.heads),
            peer.at.timestamp_millis(),
            peer.heard_at.timestamp_millis()
        ],
    )?;
    Ok(())
}
