//! What a device remembers about syncing, in its journal file (docs/SYNC.md, "What a
//! device remembers"): the relay, the secret, the cursor, the relay's heads, the last
//! outcome, refused batches and merged changes still waiting for a dependency.

use super::keys::RootSecret;
use crate::Result;
use automerge::ChangeHash;
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// A journal's sync settings and progress.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    pub relay_url: String,
    pub secret: RootSecret,
    /// The highest relay sequence number pulled and merged (or refused).
    pub cursor: u64,
    /// Heads of the changes known to be on the relay.
    pub relay_heads: Vec<ChangeHash>,
    pub enabled_at: DateTime<Utc>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<(String, DateTime<Utc>)>,
}

/// A pulled batch that was not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefusedBatch {
    pub seq: u64,
    pub batch_id: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

fn time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub fn load(conn: &Connection) -> Result<Option<SyncSettings>> {
    let row = conn
        .query_row(
            "SELECT relay_url, root_secret, cursor, relay_heads, enabled_at, last_success_at,
                    last_error, last_error_at
             FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((relay_url, secret, cursor, heads, enabled, success, error, error_at)) = row else {
        return Ok(None);
    };
    Ok(Some(SyncSettings {
        relay_url,
        secret: RootSecret::from_bytes(&secret)?,
        cursor: cursor.max(0) as u64,
        relay_heads: heads
            .chunks_exact(32)
            .map(|h| ChangeHash(h.try_into().expect("32-byte chunks")))
            .collect(),
        enabled_at: time(enabled),
        last_success_at: success.map(time),
        last_error: error.map(|e| (e, time(error_at.unwrap_or(0)))),
    }))
}

/// Starts syncing with a relay from scratch: cursor 0, nothing known on the relay.
pub fn enable(
    conn: &Connection,
    relay_url: &str,
    secret: &RootSecret,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_state (id, relay_url, root_secret, enabled_at) VALUES (1, ?1, ?2, ?3)",
        params![
            relay_url,
            secret.as_bytes().as_slice(),
            now.timestamp_millis()
        ],
    )?;
    Ok(())
}

/// Forgets the relay and everything about it; the journal itself is not touched.
pub fn disable(conn: &Connection) -> Result<bool> {
    let removed = conn.execute("DELETE FROM sync_state", [])?;
    conn.execute("DELETE FROM sync_refused", [])?;
    conn.execute("DELETE FROM sync_waiting", [])?;
    Ok(removed > 0)
}

/// Moves the cursor forward to `seq` (never back).
pub fn advance_cursor(conn: &Connection, seq: u64) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET cursor = max(cursor, ?1) WHERE id = 1",
        [seq as i64],
    )?;
    Ok(())
}

pub fn set_relay_heads(conn: &Connection, heads: &[ChangeHash]) -> Result<()> {
    let bytes: Vec<u8> = heads.iter().flat_map(|h| h.0).collect();
    conn.execute(
        "UPDATE sync_state SET relay_heads = ?1 WHERE id = 1",
        [bytes],
    )?;
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

pub fn refuse(
    conn: &Connection,
    seq: u64,
    batch_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO sync_refused (seq, batch_id, reason, at) VALUES (?1, ?2, ?3, ?4)",
        params![seq as i64, batch_id, reason, now.timestamp_millis()],
    )?;
    Ok(())
}

pub fn refused(conn: &Connection) -> Result<Vec<RefusedBatch>> {
    let mut stmt =
        conn.prepare("SELECT seq, batch_id, reason, at FROM sync_refused ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok(RefusedBatch {
            seq: r.get::<_, i64>(0)?.max(0) as u64,
            batch_id: r.get(1)?,
            reason: r.get(2)?,
            at: time(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps the changes of batch `seq`, merged but waiting for a dependency, so they are
/// merged again (and counted) until it arrives.
pub fn add_waiting(conn: &Connection, seq: u64, changes: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO sync_waiting (seq, changes) VALUES (?1, ?2)",
        params![seq as i64, changes],
    )?;
    Ok(())
}

pub fn waiting(conn: &Connection) -> Result<Vec<(u64, Vec<u8>)>> {
    let mut stmt = conn.prepare("SELECT seq, changes FROM sync_waiting ORDER BY seq")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn clear_waiting(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM sync_waiting", [])?;
    Ok(())
}
