//! [`Reader`]: a second connection to the journal file for the index queries. SQLite in
//! WAL mode lets it read the last committed state while the write connection holds a
//! transaction, so a timeline or a search never waits for a write, a merge from sync or
//! a document load. A `Reader` can be held apart from its [`Journal`](super::Journal)
//! (the apps keep one beside the journal's lock).

use crate::insights::{Insights, InsightsOptions};
use crate::model::{Entity, Kind, Record};
use crate::store::{self, queries};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

pub struct Reader {
    path: PathBuf,
    conn: Connection,
}

impl Reader {
    /// Opens a read connection on a journal file the write connection has opened
    /// (and so checked, upgraded and put in WAL mode).
    pub(crate) fn open(path: &Path) -> Result<Reader> {
        // Read-write flags with `query_only`: a read-only connection could not
        // recover the WAL index after a crash of the last writer.
        let conn = store::page_checksums::connect(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "query_only", true)?;
        Ok(Reader {
            path: path.to_path_buf(),
            conn,
        })
    }

    /// The read connection, for other read-only queries.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The full id for an id or a unique prefix of at least 4 characters.
    pub fn resolve(&self, id_or_prefix: &str) -> Result<String> {
        self.named(queries::resolve(&self.conn, id_or_prefix))
    }

    /// Any record by id (or unique prefix).
    pub fn record(&self, id: &str) -> Result<Record> {
        let id = self.resolve(id)?;
        self.named(queries::get(&self.conn, &id))?
            .ok_or(Error::NotFound { id })
    }

    /// A record of a known kind; an id of another kind is reported as not found.
    pub fn get<E: Entity>(&self, id: &str) -> Result<E> {
        let record = self.record(id)?;
        super::expect_kind(record.id(), record.kind(), E::KIND, "id")?;
        serde_json::from_value(record.to_json()).map_err(|e| Error::Document(e.to_string()))
    }

    pub fn timeline(&self, filter: &queries::Filter) -> Result<Vec<queries::Listed>> {
        self.named(queries::timeline(&self.conn, filter))
    }

    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<queries::Hit>> {
        self.named(queries::search(&self.conn, text, limit))
    }

    /// Links from a record to others (`.0`) and from others to it (`.1`).
    pub fn links(&self, id: &str) -> Result<(Vec<queries::Link>, Vec<queries::Link>)> {
        let id = self.resolve(id)?;
        self.named(queries::links(&self.conn, &id))
    }

    /// All records of one kind, newest first (deleted ones left out).
    pub fn list<E: Entity>(&self) -> Result<Vec<E>> {
        let filter = queries::Filter {
            kinds: vec![E::KIND],
            limit: usize::MAX >> 1,
            ..Default::default()
        };
        self.timeline(&filter)?
            .into_iter()
            .map(|listed| listed.record)
            .map(|r| {
                serde_json::from_value(r.to_json()).map_err(|e| Error::Document(e.to_string()))
            })
            .collect()
    }

    /// Open applications, and how much was logged since `since`.
    pub fn pulse(&self, since: DateTime<Utc>) -> Result<queries::Pulse> {
        self.named(queries::pulse(&self.conn, since))
    }

    pub fn counts(&self) -> Result<Vec<(Kind, i64)>> {
        self.named(queries::counts(&self.conn))
    }

    /// The insights as of `now`, with days and weeks in `zone`.
    pub fn insights(
        &self,
        now: DateTime<Utc>,
        zone: crate::zone::Zone,
        options: &InsightsOptions,
    ) -> Result<Insights> {
        self.named(crate::insights::compute(&self.conn, now, zone, options))
    }

    /// Names this journal's file in an error that says it is damaged: in a read, a
    /// document or index row that does not read is damage too.
    pub(crate) fn named<T>(&self, result: Result<T>) -> Result<T> {
        named(&self.path, result)
    }
}

/// [`Reader::named`] for a journal's path.
pub(crate) fn named<T>(path: &Path, result: Result<T>) -> Result<T> {
    result.map_err(|e| match e {
        Error::Document(detail) => Error::Corrupt {
            path: path.to_path_buf(),
            detail,
        },
        other => store::open::name_damage(path, other),
    })
}
