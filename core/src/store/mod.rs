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
