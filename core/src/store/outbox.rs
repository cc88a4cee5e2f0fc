//! The outbox: actions acknowledged but not yet turned into Automerge changes. A user's
//! write commits its row here and its index rows in one transaction, without loading
//! the document; `Journal::apply_pending` (and everything that needs the document)
//! later turns each row into one change, in order, and deletes the rows in the same
//! transaction that stores the changes. See docs/DOCUMENT.md, "The outbox".

use crate::model::Kind;
use crate::{Error, Result};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

/// One write of an action, as `JournalDoc::write` and `write_reminder_state` take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "put", rename_all = "snake_case")]
pub enum Put {
    Record {
        kind: Kind,
        id: String,
        fields: Map<String, Json>,
    },
    Reminder {
        key: String,
        state: Map<String, Json>,
    },
}

/// An acknowledged action waiting to become a change.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub seq: i64,
    /// The change's message ("add entry").
    pub message: String,
    /// The change's time, seconds since the epoch.
    pub time: i64,
    pub puts: Vec<Put>,
}

/// Queues one action's writes.
pub fn push(conn: &Connection, message: &str, time: i64, puts: &[Put]) -> Result<()> {
    let json = serde_json::to_string(puts).expect("puts serialise");
    conn.prepare_cached("INSERT INTO outbox (message, time, puts) VALUES (?1, ?2, ?3)")?
        .execute(params![message, time, json])?;
    Ok(())
}

/// Every waiting action, oldest first. A row that does not read is damage.
pub fn all(conn: &Connection) -> Result<Vec<Pending>> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, message, time, puts FROM outbox ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, message, time, json) = row?;
        let puts = serde_json::from_str(&json).map_err(|e| {
            Error::Document(format!(
                "a write waiting in the outbox ({seq}) does not read: {e}"
            ))
        })?;
        out.push(Pending {
            seq,
            message,
            time,
            puts,
        });
    }
    Ok(out)
}

/// How many actions wait.
pub fn count(conn: &Connection) -> Result<usize> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM outbox")?
        .query_row([], |r| r.get(0))?;
    Ok(n as usize)
}

/// Empties the outbox (in the transaction that stored its changes).
pub fn clear(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM outbox", [])?;
    Ok(())
}
