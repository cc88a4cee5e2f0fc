//! [`Draft`]: what a user's action writes, gathered without the Automerge document.
//! An action reads records as the index holds them (the document as last indexed,
//! plus the writes still waiting in the outbox) and writes fields as it would write
//! them into the document; the journal then queues the writes in the outbox and brings
//! the index in line with what they will leave, in one transaction.

use crate::document::{layout, stored_form, Touched};
use crate::model::Kind;
use crate::store::{self, outbox::Put};
use crate::Result;
use rusqlite::Connection;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

pub(crate) struct Draft<'c> {
    conn: &'c Connection,
    puts: Vec<Put>,
    /// Records as they stand after the writes so far.
    records: HashMap<(Kind, String), Map<String, Json>>,
    reminders: HashMap<String, Map<String, Json>>,
}

impl<'c> Draft<'c> {
    pub fn new(conn: &'c Connection) -> Draft<'c> {
        Draft {
            conn,
            puts: Vec::new(),
            records: HashMap::new(),
            reminders: HashMap::new(),
        }
    }

    /// A record's fields, as `JournalDoc::read` gives them, or `None`.
    pub fn read(&self, kind: Kind, id: &str) -> Result<Option<Map<String, Json>>> {
        match self.records.get(&(kind, id.to_string())) {
            Some(fields) => Ok(Some(fields.clone())),
            None => store::index::indexed(self.conn, kind, id),
        }
    }

    /// Writes a record's fields as `JournalDoc::write` would: only the keys given
    /// change (a null removes one), and the revision counts up.
    pub fn write(&mut self, kind: Kind, id: &str, fields: &Map<String, Json>) -> Result<()> {
        let before = self.read(kind, id)?;
        let revision = before
            .as_ref()
            .and_then(|f| f.get(layout::REVISION))
            .and_then(Json::as_i64)
            .unwrap_or(0);
        let mut after = before.unwrap_or_default();
        // The document derives conflicts when read; a write settles the fields it sets,
        // and the index is read from the document again once the write is applied.
        after.remove(layout::CONFLICTS);
        for (key, value) in fields {
            match stored_form(key, value) {
                Some(stored) => after.insert(key.clone(), stored),
                None => after.remove(key),
            };
        }
        after.insert(layout::REVISION.into(), (revision + 1).into());
        self.records.insert((kind, id.to_string()), after);
        self.puts.push(Put::Record {
            kind,
            id: id.to_string(),
            fields: fields.clone(),
        });
        Ok(())
    }

    /// Marks a reminder done or snoozed, as `JournalDoc::write_reminder_state` would.
    pub fn write_reminder_state(&mut self, key: &str, state: &Map<String, Json>) -> Result<()> {
        let after = self.reminders.entry(key.to_string()).or_default();
        for (k, v) in state {
            match stored_form(k, v) {
                Some(stored) => after.insert(k.clone(), stored),
                None => after.remove(k),
            };
        }
        self.puts.push(Put::Reminder {
            key: key.to_string(),
            state: state.clone(),
        });
        Ok(())
    }

    /// The writes, in order, for the outbox.
    pub fn puts(&self) -> &[Put] {
        &self.puts
    }

    /// What the writes touched.
    pub fn touched(&self) -> Touched {
        let mut touched = Touched::default();
        touched.records.extend(self.records.keys().cloned());
        touched.reminders.extend(self.reminders.keys().cloned());
        touched
    }
}

/// The index reads a pending write's records from the draft, and the records it does
/// not write (those titled after an application it changed) from the index itself.
impl store::index::Source for Draft<'_> {
    fn record(&self, kind: Kind, id: &str) -> Result<Option<Map<String, Json>>> {
        self.read(kind, id)
    }
    fn reminder(&self, key: &str) -> Result<Option<Map<String, Json>>> {
        Ok(self.reminders.get(key).cloned())
    }
}
