//! The plain-rusqlite baseline: what an app without documents, CRDTs or a derived index
//! would do. One table holds every record with the same fields (the columns a list
//! needs, the searchable words, and all fields as JSON); each user action is one
//! transaction that inserts or updates the rows it touched, at the same durability as
//! the journal (WAL, synchronous=FULL). Search is a `LIKE` per word.

use anyhow::{Context, Result};
use onward_core::model::{Kind, Record};
use rusqlite::{params, Connection, TransactionBehavior};
use serde_json::{Map, Value as Json};
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    occurred_at     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted         INTEGER NOT NULL,
    application_id  TEXT,
    title           TEXT NOT NULL,
    text            TEXT NOT NULL,
    json            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_time ON records (deleted, occurred_at DESC, id);
";

/// One record as a plain row.
#[derive(Debug, Clone)]
pub struct Row {
    id: String,
    kind: &'static str,
    occurred_at: i64,
    created_at: i64,
    updated_at: i64,
    deleted: bool,
    application_id: Option<String>,
    title: String,
    text: String,
    json: String,
}

impl Row {
    pub fn from_record(record: &Record) -> Row {
        let fields = match record.to_json() {
            Json::Object(map) => map,
            _ => Map::new(),
        };
        let meta = record.meta();
        Row {
            id: meta.id.clone(),
            kind: record.kind().as_str(),
            occurred_at: record.occurred_at().timestamp_millis(),
            created_at: meta.created_at.timestamp_millis(),
            updated_at: meta.updated_at.timestamp_millis(),
            deleted: meta.deleted,
            application_id: record.application_id().map(str::to_string),
            title: record.title(),
            // The same words the journal puts in its full-text index.
            text: onward_core::store::index::searchable_text(&fields),
            json: serde_json::to_string(&fields).expect("JSON maps serialise"),
        }
    }
}

pub struct Baseline {
    conn: Connection,
}

impl Baseline {
    /// Opens (or creates) the baseline database with the journal's durability settings.
    pub fn open(path: &Path) -> Result<Baseline> {
        let conn = Connection::open(path)
            .with_context(|| format!("opening the baseline database {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Baseline { conn })
    }

    /// One user action: its rows inserted or updated in one transaction.
    pub fn upsert(&mut self, rows: &[Row]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO records (id, kind, occurred_at, created_at, updated_at, deleted,
                                      application_id, title, text, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (id) DO UPDATE SET kind = ?2, occurred_at = ?3, created_at = ?4,
                    updated_at = ?5, deleted = ?6, application_id = ?7, title = ?8, text = ?9,
                    json = ?10",
            )?;
            for r in rows {
                stmt.execute(params![
                    r.id,
                    r.kind,
                    r.occurred_at,
                    r.created_at,
                    r.updated_at,
                    r.deleted,
                    r.application_id,
                    r.title,
                    r.text,
                    r.json
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The newest `limit` records, decoded as the journal decodes its rows.
    pub fn first_page(&self, limit: usize) -> Result<Vec<Record>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, json FROM records WHERE deleted = 0
             ORDER BY occurred_at DESC, id LIMIT ?1",
        )?;
        let records = decode_rows(stmt.query([limit as i64])?);
        records
    }

    /// Records containing every word of `query` (a `LIKE '%word%'` per word), newest
    /// first, decoded.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Record>> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("%{w}%"))
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from("SELECT kind, json FROM records WHERE deleted = 0");
        for i in 0..words.len() {
            sql.push_str(&format!(" AND text LIKE ?{}", i + 1));
        }
        sql.push_str(&format!(" ORDER BY occurred_at DESC LIMIT {limit}"));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let records = decode_rows(stmt.query(rusqlite::params_from_iter(words.iter()))?);
        records
    }
}

/// Rows of (kind, json) decoded into records.
fn decode_rows(mut rows: rusqlite::Rows<'_>) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(
            &row.get::<_, String>(0)?,
            &row.get::<_, String>(1)?,
        )?);
    }
    Ok(out)
}

fn decode(kind: &str, json: &str) -> Result<Record> {
    let kind: Kind = kind.parse()?;
    Ok(Record::from_json(kind, serde_json::from_str(json)?)?)
}
