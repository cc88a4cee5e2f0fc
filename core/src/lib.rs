//! onward-core: a private job-search journal, kept as one Automerge document per journal
//! and persisted in SQLite with a derived index for fast lists and search.
//!
//! Start with [`Journal::open`]. Records are plain structs in [`model`]; the journal
//! creates, edits, deletes (softly) and finds them, merges copies from other devices,
//! and derives gentle reminders. The rules every shell follows (what Today shows, what to notify, stage order,
//! titles, ranges, the names people see) live here too, so no shell keeps a copy.
//! Nothing here knows about a UI or an FFI.

pub mod error;
pub mod export;
pub mod fuzz_targets;
pub mod import;
#[macro_use]
pub mod model;
pub mod document;
pub mod insights;
pub mod journal;
pub mod limits;
pub mod notify;
pub mod prompts;
pub mod reminders;
pub mod reports;
pub mod store;
pub mod suggestions;
pub mod sync;
pub mod templates;
pub mod today;
pub mod vocabulary;
pub mod words;
pub mod zone;

pub use error::{Error, Result};
pub use journal::{
    Changed, IndexCheck, Journal, Merged, NextSteps, Observer, ObserverId, Reader, Recovered,
    RejectionLogged, WriteCounts,
};
pub use store::queries::{short, Filter, Hit, Link, Listed, Pulse};
