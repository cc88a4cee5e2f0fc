//! Backing up a relay process's store and restoring it as apps/relay/README.md tells an
//! operator to (the same steps as apps/relay/tests/support/backup.rs, for a relay that is
//! a child process): SQLite with the online backup API (what
//! `sqlite3 relay.db ".backup copy.db"` does), PostgreSQL with `pg_dump -Fc` and
//! `pg_restore --clean`. Restoring stops the relay first and starts it again after.

use super::postgres::PgServer;
use super::relay_process::{RelayProcess, Store};
use std::path::{Path, PathBuf};

/// A backup of a relay's store.
pub enum Backup {
    /// A copy of the SQLite file.
    Sqlite(PathBuf),
    /// A `pg_dump -Fc` archive.
    Postgres(PathBuf),
}

/// Backs up `store` while its relay runs; `pg` is its server when it is PostgreSQL.
pub fn take(store: &Store, pg: Option<&PgServer>, dir: &Path, name: &str) -> Backup {
    match store {
        Store::Sqlite(db) => {
            let copy = dir.join(name);
            let source = rusqlite::Connection::open(db).expect("open the relay's database");
            let mut target = rusqlite::Connection::open(&copy).expect("create the backup file");
            rusqlite::backup::Backup::new(&source, &mut target)
                .expect("start the backup")
                .run_to_completion(64, std::time::Duration::from_millis(5), None)
                .expect("the backup completes");
            Backup::Sqlite(copy)
        }
        Store::Postgres(_) => Backup::Postgres(pg.expect("the PostgreSQL server").dump(name)),
    }
}

/// Stops `relay`, puts `backup` in place of its store and starts it again.
pub fn restore(relay: &mut RelayProcess, store: &Store, pg: Option<&PgServer>, backup: &Backup) {
    relay.stop();
    match (backup, store) {
        (Backup::Sqlite(copy), Store::Sqlite(db)) => {
            // The old write-ahead log goes too: left next to the copy, SQLite would replay
            // the old file's later writes onto it.
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", db.display()));
                match std::fs::remove_file(&side) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => panic!("cannot remove {}: {e}", side.display()),
                }
            }
            std::fs::copy(copy, db).expect("copy the backup over the database");
        }
        (Backup::Postgres(dump), Store::Postgres(_)) => {
            pg.expect("the PostgreSQL server").restore(dump)
        }
        _ => panic!("a backup restores only into the kind of store it came from"),
    }
    relay.start_again();
}
