//! Backing up a relay's store and restoring it, the way apps/relay/README.md tells an
//! operator to: SQLite with the online backup API (what `sqlite3 relay.db ".backup copy.db"`
//! does), PostgreSQL with `pg_dump -Fc` and `pg_restore --clean`.

use std::path::PathBuf;

use onward_relay::Store;

use super::relay::Fixture;
use super::sqlite_copy::{sqlite_online_copy, sqlite_replace};

/// A backup of a relay's store.
pub enum Backup {
    /// A copy of the SQLite file.
    Sqlite(PathBuf),
    /// A `pg_dump -Fc` archive.
    Postgres(PathBuf),
}

/// Backs up the store of `relay` while it runs.
pub fn take(relay: &Fixture, name: &str) -> Backup {
    match &relay.config.store {
        Store::Sqlite(db) => {
            let copy = relay.dir().join(name);
            sqlite_online_copy(db, &copy);
            Backup::Sqlite(copy)
        }
        Store::Postgres(_) => {
            let pg = relay.pg().expect("a PostgreSQL fixture has its server");
            Backup::Postgres(pg.dump(name))
        }
    }
}

/// Stops the relay, puts `backup` in place of its store and starts it again.
pub async fn restore(relay: &mut Fixture, backup: &Backup) {
    relay.stop().await;
    match (backup, &relay.config.store) {
        (Backup::Sqlite(copy), Store::Sqlite(db)) => sqlite_replace(copy, db),
        (Backup::Postgres(dump), Store::Postgres(_)) => relay
            .pg()
            .expect("a PostgreSQL fixture has its server")
            .restore(dump),
        _ => panic!("a backup restores only into the kind of store it came from"),
    }
    relay.restart().await;
}
