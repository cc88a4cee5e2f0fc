//! Where things live in the journal's Automerge document. `docs/DOCUMENT.md` describes
//! the same layout for readers using other Automerge implementations.
//!
//! ```text
//! ROOT
//!   layout: 1                     (int) version of this layout
//!   applications: { <id>: {..} }  one map per kind, records keyed by id
//!   interviews, contacts, rejections, messages, entries, moods, activities, goals
//!   reminders: { <key>: {status, until, at} }   done/snoozed state of derived reminders
//! ```

use crate::model::Kind;
use automerge::{
    transaction::{CommitOptions, Transactable},
    ActorId, AutoCommit, ObjType, ROOT,
};

pub const LAYOUT_VERSION: i64 = 1;

/// Added to a record when read: the text fields that hold two versions.
pub const CONFLICTS: &str = "conflicts";

/// A record's revision: a counter every write adds one to (see `JournalDoc::write`).
pub const REVISION: &str = "rev";

/// Map of reminder key to its state (done or snoozed).
pub const REMINDERS: &str = "reminders";

/// Fields holding text a person writes at length. They are plain strings (Automerge
/// Text cost 4x the load time and 3x the memory, see BENCHMARKS.md); when two devices
/// change one apart, both versions are kept and shown (see `convert::read_text`).
const TEXT_FIELDS: &[&str] = &[
    "notes",
    "body",
    "message_text",
    "feedback",
    "note",
    "reply_summary",
    "description",
];

/// Maps whose every value is long text (prompt id to answer).
const TEXT_MAPS: &[&str] = &["answers"];

/// Lists that behave as sets: stored as maps of `value: true`, so concurrent additions on
/// two devices both survive and a removal removes only that value.
const SET_FIELDS: &[&str] = &["tags", "context_factors", "words"];

pub fn is_text(key: &str, parent: Option<&str>) -> bool {
    TEXT_FIELDS.contains(&key) || parent.is_some_and(|p| TEXT_MAPS.contains(&p))
}

pub fn is_set(key: &str) -> bool {
    SET_FIELDS.contains(&key)
}

/// The document every journal starts from. It is the same change on every device (fixed
/// actor, time and content, hence the same hash), so all copies share the collection
/// maps and two journals created apart can still be merged without one hiding the other.
pub fn genesis() -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(b"onward-genesis-1".as_slice()));
    doc.put(ROOT, "layout", LAYOUT_VERSION)
        .expect("root accepts a value");
    for kind in Kind::ALL {
        doc.put_object(ROOT, kind.collection(), ObjType::Map)
            .expect("root accepts a map");
    }
    doc.put_object(ROOT, REMINDERS, ObjType::Map)
        .expect("root accepts a map");
    doc.commit_with(
        CommitOptions::default()
            .with_time(0)
            .with_message("onward journal"),
    );
    doc
}
