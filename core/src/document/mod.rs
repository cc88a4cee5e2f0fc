//! The journal as one Automerge document: records in per-kind maps keyed by id.
//! This module only knows the document; persisting it is [`crate::store`]'s job.

mod convert;
pub use convert::stored_form;
pub mod layout;

use crate::model::Kind;
use crate::{Error, Result};
use automerge::{
    hydrate,
    transaction::{CommitOptions, Transactable},
    ActorId, AutoCommit, Automerge, AutomergeError, ChangeHash, LoadOptions, ObjId, ObjType,
    OnPartialLoad, PatchAction, Prop, ReadDoc, ScalarValue, Value, ROOT,
};
use serde_json::{Map, Value as Json};
use std::collections::BTreeSet;

/// Parses `bytes` on their own, strictly: every chunk must be whole and its checksum
/// right. Changes whose dependencies are elsewhere (the usual case) are fine.
fn check_well_formed(bytes: &[u8]) -> Result<()> {
    let strict = LoadOptions::new().on_partial_load(OnPartialLoad::Error);
    match Automerge::load_with_options(bytes, strict) {
        Ok(_) | Err(AutomergeError::MissingDeps) => Ok(()),
        Err(e) => Err(Error::Document(format!(
            "the changes could not be read: {e}"
        ))),
    }
}

/// What a change touched, so the index updates only those rows.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Touched {
    pub records: BTreeSet<(Kind, String)>,
    pub reminders: BTreeSet<String>,
}

impl Touched {
    pub fn extend(&mut self, other: Touched) {
        self.records.extend(other.records);
        self.reminders.extend(other.reminders);
    }
}

pub struct JournalDoc {
    doc: AutoCommit,
}

impl JournalDoc {
    /// A new journal's document, written by `actor` from now on.
    pub fn new(actor: &[u8]) -> JournalDoc {
        let mut doc = layout::genesis();
        doc.set_actor(ActorId::from(actor));
        JournalDoc { doc }
    }

    /// Loads a saved document followed by the change chunks saved after it.
    pub fn load<'a>(
        snapshot: &[u8],
        chunks: impl IntoIterator<Item = &'a [u8]>,
        actor: &[u8],
    ) -> Result<JournalDoc> {
        let mut doc = AutoCommit::load(snapshot)?;
        for chunk in chunks {
            doc.load_incremental(chunk)?;
        }
        doc.set_actor(ActorId::from(actor));
        let journal = JournalDoc { doc };
        journal.check_layout()?;
        Ok(journal)
    }

    /// Refuses documents that are not journals (valid Automerge, wrong shape).
    fn check_layout(&self) -> Result<()> {
        for kind in Kind::ALL {
            match self.doc.get(ROOT, kind.collection())? {
                Some((Value::Object(ObjType::Map), _)) => {}
                _ => {
                    return Err(Error::Document(format!(
                        "it has no \"{}\" map, so it is not an Onward journal",
                        kind.collection()
                    )))
                }
            }
        }
        Ok(())
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Every change not among `have` or their ancestors, dependencies first.
    pub fn changes_after(&mut self, have: &[ChangeHash]) -> Vec<automerge::Change> {
        self.doc.get_changes(have)
    }

    /// Whether the document has every change of `heads` (and so everything before them).
    pub fn has_all(&mut self, heads: &[ChangeHash]) -> bool {
        heads
            .iter()
            .all(|h| self.doc.get_change_by_hash(h).is_some())
    }

    /// Hashes that merged changes depend on but the document doesn't have yet: those
    /// changes wait, unapplied, until their dependencies arrive.
    pub fn missing_deps(&mut self) -> Vec<ChangeHash> {
        self.doc.get_missing_deps(&[])
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The changes made after `heads` (what has not been persisted yet).
    pub fn save_after(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        self.doc.save_after(heads)
    }

    fn collection(&self, name: &str) -> Result<ObjId> {
        match self.doc.get(ROOT, name)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Err(Error::Document(format!("the \"{name}\" map is missing"))),
        }
    }

    /// The ids of every record of `kind`, deleted ones included.
    pub fn ids(&self, kind: Kind) -> Result<Vec<String>> {
        let coll = self.collection(kind.collection())?;
        Ok(self.doc.keys(&coll).collect())
    }

    /// A record's fields as JSON, or `None` when there is no such record.
    pub fn read(&self, kind: Kind, id: &str) -> Result<Option<Map<String, Json>>> {
        self.read_in(kind.collection(), id)
    }

    fn read_in(&self, collection: &str, key: &str) -> Result<Option<Map<String, Json>>> {
        let coll = self.collection(collection)?;
        Ok(match self.doc.get(&coll, key)? {
            Some((Value::Object(ObjType::Map), obj)) => Some(self.fields_of(&obj)),
            _ => None,
        })
    }

    /// Every record of `kind`, id and fields, in id order, until `each` says stop: the
    /// collection read in one pass (an index rebuild reads them all, and a look-up per
    /// id seeks the collection and then the id again each time).
    pub fn each_record(
        &self,
        kind: Kind,
        mut each: impl FnMut(String, Map<String, Json>) -> bool,
    ) -> Result<()> {
        let coll = self.collection(kind.collection())?;
        for item in self.doc.map_range(&coll, ..) {
            let obj = item.id();
            if item.value.into_value() != Value::Object(ObjType::Map) {
                continue;
            }
            if !each(item.key.to_string(), self.fields_of(&obj)) {
                break;
            }
        }
        Ok(())
    }

    /// A record map's fields, with the fields two devices wrote apart named.
    fn fields_of(&self, obj: &ObjId) -> Map<String, Json> {
        let mut conflicts = Vec::new();
        let mut fields = convert::read_record(&self.doc, obj, &mut conflicts);
        if !conflicts.is_empty() {
            fields.insert(layout::CONFLICTS.into(), conflicts.into());
        }
        fields
    }

    /// Writes a record's fields: creates it, or updates only what changed.
    pub fn write(&mut self, kind: Kind, id: &str, fields: &Map<String, Json>) -> Result<()> {
        let mut fields = fields.clone();
        // Derived when read, never stored; the revision is counted below.
        fields.remove(layout::CONFLICTS);
        fields.remove(layout::REVISION);
        let coll = self.collection(kind.collection())?;
        if self.doc.get(&coll, id)?.is_none() {
            // A new record goes in as one batch: far fewer op-set updates than a put per
            // field (see BENCHMARKS.md).
            let mut value = convert::to_hydrate_map(&fields);
            value.insert(
                layout::REVISION.into(),
                hydrate::Value::scalar(ScalarValue::counter(1)),
            );
            self.doc
                .batch_create_object(&coll, id, &hydrate::Value::Map(value.into()), false)?;
            return Ok(());
        }
        let obj = self.write_in(kind.collection(), id, &fields)?;
        // Every write counts up the record's revision. Counters add up across devices, so
        // a merge that brings any write to a record changes a visible value there, and
        // the diff names the record even when only a losing version of a text changed.
        match self.doc.get(&obj, layout::REVISION)? {
            Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Counter(_)) => {
                self.doc.increment(&obj, layout::REVISION, 1)?
            }
            _ => self
                .doc
                .put(&obj, layout::REVISION, ScalarValue::counter(1))?,
        }
        Ok(())
    }

    fn write_in(
        &mut self,
        collection: &str,
        key: &str,
        fields: &Map<String, Json>,
    ) -> Result<ObjId> {
        let coll = self.collection(collection)?;
        let obj = match self.doc.get(&coll, key)? {
            Some((Value::Object(ObjType::Map), obj)) => obj,
            _ => self.doc.put_object(&coll, key, ObjType::Map)?,
        };
        convert::write_fields(&mut self.doc, &obj, fields)?;
        Ok(obj)
    }

    /// Every reminder state, keyed by reminder key.
    pub fn reminder_states(&self) -> Result<Vec<(String, Map<String, Json>)>> {
        let coll = self.collection(layout::REMINDERS)?;
        let keys: Vec<String> = self.doc.keys(&coll).collect();
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(state) = self.read_in(layout::REMINDERS, &key)? {
                out.push((key, state));
            }
        }
        Ok(out)
    }

    pub fn reminder_state(&self, key: &str) -> Result<Option<Map<String, Json>>> {
        self.read_in(layout::REMINDERS, key)
    }

    pub fn write_reminder_state(&mut self, key: &str, state: &Map<String, Json>) -> Result<()> {
        self.write_in(layout::REMINDERS, key, state).map(|_| ())
    }

    /// Closes the pending change. `time` is seconds since the epoch (advisory only).
    pub fn commit(&mut self, message: &str, time: i64) -> Option<ChangeHash> {
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(message)
                .with_time(time),
        )
    }

    /// Drops uncommitted ops (after a failed action, so nothing half-done is kept).
    pub fn rollback(&mut self) {
        self.doc.rollback();
    }

    /// Applies another copy's bytes: a saved document or saved changes. Returns what the
    /// new changes touched (empty when everything was already known).
    ///
    /// Damaged bytes are refused whole (Automerge itself would skip a damaged tail), and
    /// so are changes from another journal, which would hide this one's collections. On
    /// an error the caller must drop this document: it may hold part of the changes.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<Touched> {
        let before = self.doc.get_heads();
        self.absorb(bytes)?;
        let after = self.doc.get_heads();
        if before == after {
            return Ok(Touched::default());
        }
        Ok(self.touched_between(&before, &after))
    }

    /// [`Self::merge_bytes`] without working out what the changes touched (a diff over
    /// the document): for a caller that indexes everything afterwards anyway.
    pub fn absorb(&mut self, bytes: &[u8]) -> Result<()> {
        check_well_formed(bytes)?;
        let collections_before = self.collection_ids()?;
        self.doc
            .load_incremental(bytes)
            .map_err(|e| Error::Document(format!("the changes could not be read: {e}")))?;
        if self.collection_ids()? != collections_before {
            return Err(Error::Document(
                "these changes belong to a different journal; nothing was merged".into(),
            ));
        }
        Ok(())
    }

    /// How many changes the document has beyond `have` (and their ancestors), without
    /// building them (only their metadata is read).
    pub fn count_changes_after(&mut self, have: &[ChangeHash]) -> usize {
        self.doc.get_changes_meta(have).len()
    }

    /// Writes this document's next changes as `actor`.
    pub fn set_actor(&mut self, actor: &[u8]) {
        self.doc.set_actor(ActorId::from(actor));
    }

    /// The object ids of the root collections, with every conflicting value: another
    /// journal's changes would add a second value under a collection's key.
    fn collection_ids(&self) -> Result<Vec<Vec<ObjId>>> {
        let mut names: Vec<&str> = Kind::ALL.iter().map(|k| k.collection()).collect();
        names.push(layout::REMINDERS);
        names
            .into_iter()
            .map(|name| {
                Ok(self
                    .doc
                    .get_all(ROOT, name)?
                    .into_iter()
                    .map(|(_, id)| id)
                    .collect())
            })
            .collect()
    }

    /// Which records and reminders differ between two versions of the document.
    pub fn touched_between(&mut self, before: &[ChangeHash], after: &[ChangeHash]) -> Touched {
        let mut touched = Touched::default();
        for patch in self.doc.diff(before, after) {
            let collection = match patch.path.first() {
                Some((_, Prop::Map(name))) => name.clone(),
                _ => continue,
            };
            let key = match (patch.path.get(1), &patch.action) {
                (Some((_, Prop::Map(key))), _) => key.clone(),
                (None, PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key }) => {
                    key.clone()
                }
                _ => continue,
            };
            if collection == layout::REMINDERS {
                touched.reminders.insert(key);
            } else if let Some(kind) = Kind::from_collection(&collection) {
                touched.records.insert((kind, key));
            }
        }
        touched
    }
}
