//! Opening a journal file: recognise it, refuse what is not ours without touching it,
//! set the durability pragmas, upgrade the schema.

use super::{page_checksums, schema};
use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::Path;

/// An open journal database and what opening it found.
pub struct Opened {
    pub conn: Connection,
    pub upgrade: schema::Upgrade,
}

/// How long a write waits for another connection's write (another process's, as a
/// rule) before it gives up with [`Error::Busy`].
pub const BUSY_SECONDS: u64 = 10;

/// WAL pages (4 KiB each) after which a commit checkpoints when nothing else has.
pub const AUTOCHECKPOINT_PAGES: i64 = 8_000;

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

    let mut conn = page_checksums::connect_default(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(BUSY_SECONDS))?;
    if !exists {
        // Before the first page is written: every page keeps room for its checksum.
        page_checksums::reserve_for_checksums(&conn)?;
    } else if page_checksums::reserved_bytes(&conn)? != page_checksums::RESERVED_BYTES {
        // A journal from before page checksums: rewritten with them once, if nobody
        // else has it open. It reads the same either way.
        page_checksums::add_to(&conn)?;
    }
    // WAL with FULL sync: an acknowledged write survives a crash of the process and of
    // the machine.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // SQLite folds the WAL into the file in the commit that crosses this many pages:
    // a person's write would pay for it. The apps' idle tidy checkpoints instead
    // (`Journal::checkpoint`), and closing the journal does; this is the backstop.
    conn.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT_PAGES)?;

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let upgrade = if version < schema::VERSION {
        schema::upgrade_from(&tx, version).map_err(|e| version_damaged(path, version, e))?
    } else {
        schema::Upgrade::default()
    };
    if upgrade.rebuild_index {
        super::index::mark_stale(&tx)?;
    }
    page_checksums::mark_if_reserved(&tx)?;
    tx.commit()?;
    Ok(Opened { conn, upgrade })
}

/// An upgrade step that finds its tables already there: the version in the file's
/// header is lower than the tables it holds (a flipped bit there). Named as damage, as
/// the header is; other errors pass through.
fn version_damaged(path: &Path, version: i64, e: rusqlite::Error) -> Error {
    let (rusqlite::Error::SqliteFailure(failure, Some(ref message))
    | rusqlite::Error::SqlInputError {
        error: failure,
        msg: ref message,
        ..
    }) = e
    else {
        return e.into();
    };
    if failure.code == rusqlite::ErrorCode::Unknown
        && ["already exists", "duplicate column name"]
            .iter()
            .any(|m| message.contains(m))
    {
        return Error::Corrupt {
            path: path.to_path_buf(),
            detail: format!(
                "its header says journal format {version}, but it holds the tables of a later one ({message})"
            ),
        };
    }
    e.into()
}

/// Names the file in an error SQLite gives when it finds the file damaged, busy, or the
/// disk full or failing, so the person hears which file and what to do rather than
/// "database disk image is malformed" or "database or disk is full". Other errors pass
/// through.
pub fn name_damage(path: &Path, e: Error) -> Error {
    use rusqlite::ErrorCode::{
        DatabaseBusy, DatabaseCorrupt, DiskFull, NotADatabase, SystemIoFailure,
    };
    match e {
        // Another connection kept its write lock past the busy timeout.
        Error::Storage(rusqlite::Error::SqliteFailure(failure, _))
            if failure.code == DatabaseBusy =>
        {
            Error::Busy {
                path: path.to_path_buf(),
                seconds: BUSY_SECONDS,
            }
        }
        // SQLite rolled the transaction back: what was saved before it stays.
        Error::Storage(rusqlite::Error::SqliteFailure(failure, _)) if failure.code == DiskFull => {
            Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "the disk is full, so nothing new could be saved (everything saved before \
                     is safe). Free some space on the disk, then try again",
                ),
            }
        }
        // A page whose checksum no longer matches: the file changed on the disk.
        Error::Storage(rusqlite::Error::SqliteFailure(failure, _))
            if failure.extended_code == rusqlite::ffi::SQLITE_IOERR_DATA =>
        {
            Error::Corrupt {
                path: path.to_path_buf(),
                detail: "part of the file changed on the disk since it was saved (a page no \
                         longer matches its checksum)"
                    .into(),
            }
        }
        // SQLite's own text says no more than "disk I/O error"; its extended code says
        // which call failed, for whoever looks into it.
        Error::Storage(rusqlite::Error::SqliteFailure(failure, _))
            if failure.code == SystemIoFailure =>
        {
            Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(format!(
                    "the disk reported an error (SQLite I/O error {}), so the last change may \
                     not have been saved (everything saved before is safe). Check the disk, \
                     or copy the journal to another disk, then try again",
                    failure.extended_code
                )),
            }
        }
        Error::Storage(rusqlite::Error::SqliteFailure(failure, message))
            if matches!(failure.code, DatabaseCorrupt | NotADatabase) =>
        {
            Error::Corrupt {
                path: path.to_path_buf(),
                detail: message.unwrap_or_else(|| failure.to_string()),
            }
        }
        // A value of another type than the one written, or text that is not UTF-8.
        Error::Storage(
            e @ (rusqlite::Error::Utf8Error(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)),
        ) => Error::Corrupt {
            path: path.to_path_buf(),
            detail: format!("a stored value is damaged ({e})"),
        },
        // A table or column that this schema version has is missing: its definition in
        // the file was damaged.
        Error::Storage(
            rusqlite::Error::SqliteFailure(failure, Some(ref message))
            | rusqlite::Error::SqlInputError {
                error: failure,
                msg: ref message,
                ..
            },
        ) if failure.code == rusqlite::ErrorCode::Unknown
            && [
                "no such table",
                "no such column",
                "has no column named",
                // The search table's definition, damaged, names a tokenizer SQLite lacks.
                "error in tokenizer constructor",
            ]
            .iter()
            .any(|m| message.contains(m)) =>
        {
            Error::Corrupt {
                path: path.to_path_buf(),
                detail: format!("its table definitions are damaged ({message})"),
            }
        }
        other => other,
    }
}

fn check_existing(path: &Path) -> Result<()> {
    let corrupt = |e: rusqlite::Error| Error::Corrupt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    check_header(path)?;
    // Read-write but never creating, and only reading: nothing is written to a file
    // that is not ours. (Read-write so that SQLite can roll back a hot journal left by
    // a process killed mid-transaction, restoring the last committed state; a read-only
    // connection would refuse the file instead.)
    let conn = page_checksums::connect(
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
    if version < 0 {
        return Err(Error::Corrupt {
            path: path.to_path_buf(),
            detail: format!("the journal format in its header ({version}) is damaged"),
        });
    }
    if version > schema::VERSION {
        return Err(Error::TooNew {
            path: path.to_path_buf(),
            found: version,
            known: schema::VERSION,
        });
    }
    if tables > 0 && !page_checksums::layout_is_whole(&conn).map_err(corrupt)? {
        // With byte 20 of the header flipped, the checksums would go unchecked and
        // the upgrade would rewrite the file.
        return Err(Error::Corrupt {
            path: path.to_path_buf(),
            detail: "the page layout in its header is damaged".into(),
        });
    }
    Ok(())
}

/// Looks at the file's first 100 bytes (SQLite's header) before SQLite does: a file that
/// does not begin like a database, or one cut short (a copy that stopped half way, a
/// full disk), is refused here. SQLite itself would take a file of a few bytes for an
/// empty database and write a new one over it, and would notice missing pages only
/// when it reached them.
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let corrupt = |detail: String| Error::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    // A kill mid-transaction leaves a rollback journal or a WAL beside the file, from
    // which SQLite restores the last committed state: the file alone may be partly
    // written until then.
    let beside = |suffix: &str| {
        std::fs::metadata(format!("{}{suffix}", path.display())).is_ok_and(|m| m.len() > 0)
    };
    let (hot_journal, wal) = (beside("-journal"), beside("-wal"));
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut header = Vec::with_capacity(100);
    file.take(100).read_to_end(&mut header).map_err(io)?;
    if hot_journal {
        return Ok(());
    }
    if !header.starts_with(b"SQLite format 3\0") {
        return Err(corrupt("it does not begin like a journal file".into()));
    }
    if header.len() < 100 {
        return Err(corrupt(format!(
            "it ends after {len} bytes, inside its own header: it was cut short"
        )));
    }
    let word = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    // The page count in the header is valid only when written with the change counter.
    let pages = u64::from(word(28));
    if wal || word(24) != word(92) || pages == 0 {
        return Ok(());
    }
    let expected = pages * page_size;
    if len < expected {
        return Err(corrupt(format!(
            "it ends after {len} of the {expected} bytes it should have: it was cut short"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_error(code: std::ffi::c_int) -> Error {
        Error::Storage(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            None,
        ))
    }

    #[test]
    fn a_full_or_failing_disk_names_the_file_and_what_to_do() {
        let path = Path::new("/data/journal.onward");
        let full = name_damage(path, sqlite_error(rusqlite::ffi::SQLITE_FULL)).to_string();
        assert!(
            full.starts_with("/data/journal.onward: the disk is full"),
            "{full}"
        );
        assert!(
            full.contains("Free some space on the disk, then try again"),
            "{full}"
        );
        let failing =
            name_damage(path, sqlite_error(rusqlite::ffi::SQLITE_IOERR_WRITE)).to_string();
        assert!(
            failing.starts_with("/data/journal.onward: the disk reported an error"),
            "{failing}"
        );
        assert!(failing.contains("Check the disk"), "{failing}");
        // A lock held past the wait is named as busy, not as damage.
        let busy = name_damage(path, sqlite_error(rusqlite::ffi::SQLITE_BUSY));
        assert!(matches!(busy, Error::Busy { .. }), "{busy}");
        // Other storage errors pass through as they were.
        let other = name_damage(path, sqlite_error(rusqlite::ffi::SQLITE_CONSTRAINT));
        assert!(matches!(other, Error::Storage(_)), "{other}");
    }
}
