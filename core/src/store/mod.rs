//! SQLite persistence: the document tables (the truth) and the derived index.

pub mod document;
pub mod index;
pub mod open;
pub mod outbox;
pub mod page_checksums;
pub mod queries;
pub mod salvage;
pub mod schema;
pub mod sync_state;
pub mod vfs_shim;

/// Whether the database has a table of this name (files of older schemas lack some).
pub fn has_table(conn: &rusqlite::Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [name],
        |r| r.get(0),
    )
}
