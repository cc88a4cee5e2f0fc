//! Export: everything a journal holds, in formats other tools read. Nothing here writes
//! to the journal; each format reads one [`Snapshot`] (or the raw document bytes).
//! The JSON layout is described in `docs/EXPORT.md`.

pub mod automerge;
pub mod csv;
pub mod ics;
pub mod json;
pub mod markdown;

use crate::model::{Kind, Record};
use crate::zone::Zone;
use crate::{Journal, Result};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

/// Every record of a journal, deleted ones included, read from the document itself (not
/// the index), with the stored reminder states.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// In the order of [`Kind::ALL`], then by creation time and id.
    pub records: Vec<Record>,
    /// Reminder key to its stored state (`status`, `until`, `at`).
    pub reminder_states: BTreeMap<String, Map<String, Json>>,
    /// The journal's zone: dates shown in an export are the person's local dates
    /// (instants stay UTC).
    pub zone: Zone,
}

impl Snapshot {
    /// Reads the whole journal.
    pub fn of(journal: &mut Journal) -> Result<Snapshot> {
        let zone = journal.zone();
        journal.with_document(|doc| {
            let mut records = Vec::new();
            for &kind in Kind::ALL {
                let mut of_kind = Vec::new();
                for id in doc.ids(kind)? {
                    if let Some(fields) = doc.read(kind, &id)? {
                        of_kind.push(Record::from_json(kind, Json::Object(fields))?);
                    }
                }
                of_kind.sort_by(|a: &Record, b: &Record| {
                    (a.meta().created_at, a.id()).cmp(&(b.meta().created_at, b.id()))
                });
                records.extend(of_kind);
            }
            let reminder_states = doc.reminder_states()?.into_iter().collect();
            Ok(Snapshot {
                records,
                reminder_states,
                zone,
            })
        })
    }

    /// The records of one kind, in the snapshot's order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(move |r| r.kind() == kind)
    }

    /// A record by its full id.
    pub fn find(&self, id: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.id() == id)
    }

    /// How many records, deleted ones included.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// An application's title ("Data Engineer at Acme"), when the snapshot has it.
pub(crate) fn application_title(snapshot: &Snapshot, id: &str) -> Option<String> {
    match snapshot.find(id) {
        Some(Record::Application(a)) => Some(crate::model::application::title(&a.role, &a.company)),
        _ => None,
    }
}

/// A record's fields as exported: its JSON form without what is derived when read.
pub(crate) fn record_fields(record: &Record) -> Map<String, Json> {
    match record.to_json() {
        Json::Object(mut fields) => {
            fields.remove("conflicts");
            fields
        }
        _ => Map::new(),
    }
}

/// An I/O error that names the path it happened on.
pub(crate) fn io_error(path: &std::path::Path, source: std::io::Error) -> crate::Error {
    crate::Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
