//! A SQLite relay database backed up while the relay runs, and put back in place of the
//! database of a stopped relay: the steps of apps/relay/README.md. Shared by the relay's
//! tests and the top-level sync tests (included there by path), so it uses nothing else
//! of either.

use std::path::{Path, PathBuf};

/// SQLite's online backup: a consistent copy while other connections read and write.
pub fn sqlite_online_copy(db: &Path, copy: &Path) {
    let source = rusqlite::Connection::open(db).expect("open the relay's database");
    let mut target = rusqlite::Connection::open(copy).expect("create the backup file");
    rusqlite::backup::Backup::new(&source, &mut target)
        .expect("start the backup")
        .run_to_completion(64, std::time::Duration::from_millis(5), None)
        .expect("the backup completes");
}

/// Replaces a stopped relay's database with `copy`. The old write-ahead log goes too: left
/// next to the copy, SQLite would replay the old file's later writes onto it.
pub fn sqlite_replace(copy: &Path, db: &Path) {
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
