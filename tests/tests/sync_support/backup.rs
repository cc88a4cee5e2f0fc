//! Backing up a relay process's store and restoring it as apps/relay/README.md tells an
//! operator to (the same steps as apps/relay/tests/support/backup.rs, for a relay that is
//! a child process): SQLite with the online backup API (what
//! `sqlite3 relay.db ".backup copy.db"` does), PostgreSQL with `pg_dump -Fc` and
//! `pg_restore --clean`. Restoring stops the relay first and starts it again after.

use super::postgres::PgServer;
use super::relay_process::{RelayProcess, Store};
use super::sqlite_copy::{sqlite_online_copy, sqlite_replace};
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
            sqlite_online_copy(db, &copy);
            Backup::Sqlite(copy)
        }
        Store::Postgres(_) => Backup::Postgres(pg.expect("the PostgreSQL server").dump(name)),
    }
}

/// Stops `relay`, puts `backup` in place of its store and starts it again.
pub fn restore(relay: &mut RelayProcess, store: &Store, pg: Option<&PgServer>, backup: &Backup) {
    relay.stop();
    match (backup, store) {
        (Backup::Sqlite(copy), Store::Sqlite(db)) => sqlite_replace(copy, db),
        (Backup::Postgres(dump), Store::Postgres(_)) => {
            pg.expect("the PostgreSQL server").restore(dump)
        }
        _ => panic!("a backup restores only into the kind of store it came from"),
    }
    relay.start_again();
}
