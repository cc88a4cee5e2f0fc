//! Opening a journal file: recognise it, refuse what is not ours without touching it,
//! set the durability pragmas, upgrade the schema.

use super::schema;
use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::Path;

/// An open journal database and what opening it found.
pub struct Opened {
    pub conn: Connection,
    pub upgrade: schema::Upgrade,
}

pub fn open(path: &Path) -> Result<Opened> {
    if path.is_dir() {
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("this is a folder; give the path of a journal file"),
        });
    }
    let exists = path.metadata().map(|m| m.len() > 0).unwrap_or(false);
    if exists {
        // Look before writing anything: a read-only connection can't alter the file.
        check_existing(path)?;
    } else if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }

    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL with FULL sync: an acknowledged write survives a crash of the process and of
    // the machine.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let upgrade = if version < schema::VERSION {
        schema::upgrade_from(&tx, version)?
    } else {
        schema::Upgrade::default()
    };
    tx.commit()?;
    Ok(Opened { conn, upgrade })
}

fn check_existing(path: &Path) -> Result<()> {
    let corrupt = |e: rusqlite::Error| Error::Corrupt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    // Read-write but never creating, and only reading: nothing is written to a file
    // that is not ours. (Read-write so that SQLite can roll back a hot journal left by
    // a process killed mid-transaction, restoring the last committed state; a read-only
    // connection would refuse the file instead.)
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(corrupt)?;
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(corrupt)?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(corrupt)?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(corrupt)?;
    if app_id != schema::APPLICATION_ID && (tables > 0 || version != 0) {
        return Err(Error::NotAJournal {
            path: path.to_path_buf(),
        });
    }
    if version > schema::VERSION {
        return Err(Error::TooNew {
            path: path.to_path_buf(),
            found: version,
            known: schema::VERSION,
        });
    }
    Ok(())
}
