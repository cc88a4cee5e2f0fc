//! [`Journal`]: one person's journal file, opened. Reads come from the SQLite index. A
//! person's write queues its fields in the outbox and updates the index, in one SQLite
//! transaction, without the Automerge document; the queued writes become changes in the
//! document later (`apply_pending`, and first thing in every transaction that needs
//! the document: a merge, sync, compaction, export of the document). See
//! docs/DOCUMENT.md, "The outbox".

mod actions;
mod bootstrap;
mod bulk;
mod draft;
mod links;
mod maintenance;
mod observers;
mod pending;
mod reader;
mod recover;
mod sync;

pub use actions::{NextSteps, RejectionLogged};
pub use bulk::{WriteCounts, BATCH as WRITE_BATCH};
pub use maintenance::IndexCheck;
pub use observers::{Observer, ObserverId};
pub use reader::Reader;
pub use recover::{partial_path as partial_recovery_path, Recovered};
pub use sync::Merged;

use crate::document::{JournalDoc, Touched};
use crate::model::{Entity, Kind, Record};
use crate::store::{self, document::Cursor, queries};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use draft::Draft;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde_json::{Map, Value as Json};
use std::path::{Path, PathBuf};

type Clock = Box<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Compaction waits until the chunks outgrow the snapshot and this many bytes.
const COMPACT_AFTER_BYTES: i64 = 64 * 1024;
/// ... or until there are this many chunks: loading the document applies them one by
/// one into the whole op set, which in a big journal costs memory with each (a cold
/// load of 100,000 records and 5,700 chunks peaked at 2.2 GB).
const COMPACT_AFTER_CHUNKS: i64 = 500;

pub struct Journal {
    path: PathBuf,
    /// The write connection (and the document tables' reads).
    conn: Connection,
    /// The index queries, on a connection of their own ([`Reader`]).
    reader: Reader,
    /// Loaded when something needs it (a merge, sync, compaction, applying the
    /// outbox); reads and a person's writes never do.
    doc: Option<(JournalDoc, Cursor)>,
    clock: Clock,
    /// The person's time zone: where their days and weeks begin.
    zone: crate::zone::Zone,
    observers: observers::Observers,
    /// Where this device's sync keys live; `None`: in the journal file.
    secrets: Option<std::sync::Arc<dyn crate::sync::SecretStore>>,
}

/// A write transaction with the document ready (see [`Journal::begin`]).
struct Begun<'a> {
    tx: Transaction<'a>,
    doc: &'a mut JournalDoc,
    cursor: &'a mut Cursor,
    touched: Touched,
}

/// What one write did: the records it created or changed, for observers and callers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    /// The records created or changed, sorted.
    pub ids: Vec<String>,
    /// Their kinds, each once (which lists to refresh).
    pub kinds: Vec<Kind>,
    /// Reminder keys marked done or snoozed.
    pub reminders: Vec<String>,
}

impl Changed {
    /// Nothing changed (say, a merge of changes already known).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.reminders.is_empty()
    }

    /// Adds what another write changed.
    pub fn absorb(&mut self, other: Changed) {
        for (mine, theirs) in [
            (&mut self.ids, other.ids),
            (&mut self.reminders, other.reminders),
        ] {
            mine.extend(theirs);
            mine.sort();
            mine.dedup();
        }
        self.kinds.extend(other.kinds);
        self.kinds.sort();
        self.kinds.dedup();
    }
}

impl From<&Touched> for Changed {
    fn from(t: &Touched) -> Self {
        let mut ids: Vec<String> = t.records.iter().map(|(_, id)| id.clone()).collect();
        ids.sort();
        let mut kinds: Vec<Kind> = t.records.iter().map(|(kind, _)| *kind).collect();
        kinds.dedup();
        Changed {
            ids,
            kinds,
            reminders: t.reminders.iter().cloned().collect(),
        }
    }
}

impl Journal {
    /// Opens the journal at `path`, creating it if the file does not exist. A file that
    /// is not a journal, or is damaged, gives an error and is left untouched.
    pub fn open(path: impl AsRef<Path>) -> Result<Journal> {
        let path = path.as_ref();
        Self::open_inner(path).map_err(|e| store::open::name_damage(path, e))
    }

    fn open_inner(path: &Path) -> Result<Journal> {
        let path = path.to_path_buf();
        let opened = store::open::open(&path)?;
        let reader = Reader::open(&path)?;
        let mut journal = Journal {
            path,
            conn: opened.conn,
            reader,
            doc: None,
            clock: Box::new(Utc::now),
            zone: crate::zone::DEFAULT,
            observers: observers::Observers::default(),
            secrets: None,
        };
        let stale = store::index::stored_version(&journal.conn)? != store::index::VERSION;
        if opened.upgrade.rebuild_index || stale {
            journal.rebuild_index()?;
        }
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the clock (for tests and for replaying imports at their own times).
    pub fn set_clock(&mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) {
        self.clock = Box::new(clock);
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Sets the person's time zone (the device's): days, weeks, streaks and reminder
    /// times follow it. UTC until set.
    pub fn set_zone(&mut self, zone: crate::zone::Zone) {
        self.zone = zone;
    }

    pub fn zone(&self) -> crate::zone::Zone {
        self.zone
    }

    /// The write connection, for read-only queries outside [`Reader`] (reminders,
    /// sync state); a caller inside a write's closure gets its transaction instead.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The read connection this journal's index queries use.
    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    /// A new read connection to this journal, to query from another thread while
    /// this handle writes (or loads its document).
    pub fn open_reader(&self) -> Result<Reader> {
        Reader::open(&self.path).map_err(|e| store::open::name_damage(&self.path, e))
    }

    /// Runs `edit` as one user action: its writes are queued in the outbox and the
    /// index updated with what they leave, in one SQLite transaction, without loading
    /// the document. Once this returns Ok the action is durable; it becomes one
    /// Automerge change when the outbox is applied.
    fn write<T>(
        &mut self,
        message: &str,
        edit: impl FnOnce(&mut Draft<'_>, &Transaction<'_>, DateTime<Utc>) -> Result<(T, Touched)>,
    ) -> Result<(T, Changed)> {
        let result = self
            .write_inner(message, edit)
            .map_err(|e| store::open::name_damage(&self.path, e));
        if let Ok((_, changed)) = &result {
            self.observers.notify(changed);
        }
        result
    }

    fn write_inner<T>(
        &mut self,
        message: &str,
        edit: impl FnOnce(&mut Draft<'_>, &Transaction<'_>, DateTime<Utc>) -> Result<(T, Touched)>,
    ) -> Result<(T, Changed)> {
        let now = self.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut draft = Draft::new(&tx);
        // On an error nothing was written: the transaction rolls back as it drops.
        let (value, _) = edit(&mut draft, &tx, now)?;
        let touched = draft.touched();
        if !draft.puts().is_empty() {
            // The actor is fixed before the first change, so whoever applies the outbox
            // (this file, or another journal merging this file) makes the same change.
            store::document::actor(&tx)?;
            store::outbox::push(&tx, message, now.timestamp(), draft.puts())?;
            store::index::update(&tx, &draft, &touched)?;
        }
        drop(draft);
        tx.commit()?;
        Ok((value, Changed::from(&touched)))
    }

    /// Runs `edit` on the document itself (a merge of another copy's changes), with
    /// the outbox applied first: one SQLite transaction holding the changes and the
    /// index update.
    fn write_document<T>(
        &mut self,
        message: &str,
        edit: impl FnOnce(&mut JournalDoc, &Transaction<'_>) -> Result<(T, Touched)>,
    ) -> Result<(T, Changed)> {
        let result = self
            .write_document_inner(message, edit)
            .map_err(|e| store::open::name_damage(&self.path, e));
        match &result {
            Ok((_, changed)) => self.observers.notify(changed),
            // The document may hold a change the database refused: read it afresh.
            Err(_) => self.doc = None,
        }
        result
    }

    fn write_document_inner<T>(
        &mut self,
        message: &str,
        edit: impl FnOnce(&mut JournalDoc, &Transaction<'_>) -> Result<(T, Touched)>,
    ) -> Result<(T, Changed)> {
        let now = self.now();
        let Begun {
            tx,
            doc,
            cursor,
            mut touched,
        } = self.begin()?;
        let base = doc.heads();
        let (value, mine) = match edit(doc, &tx) {
            Ok(done) => done,
            Err(e) => {
                doc.rollback();
                return Err(e);
            }
        };
        // What other connections wrote is re-read too, but they indexed it and told
        // their own observers (the desktop hears other processes by `data_version`);
        // this change's news is what its own edit touched.
        let news = Changed::from(&mine);
        touched.extend(mine);
        doc.commit(message, now.timestamp());
        let bytes = doc.save_after(&base);
        if !bytes.is_empty() {
            store::document::append(&tx, cursor, &bytes, now.timestamp_millis())?;
        }
        store::index::update(&tx, doc, &touched)?;
        // Compaction is not done here: saving the whole document took up to 150 ms at
        // 10k records. The shells call `compact_if_due` at idle.
        tx.commit()?;
        Ok((value, news))
    }

    /// Runs `work` in a transaction with the document ready (see [`Self::begin`]); `work`
    /// commits it. On an error the document is dropped (it may hold what the rolled back
    /// transaction applied) and the error names the file.
    fn in_document<T>(&mut self, work: impl FnOnce(Begun<'_>) -> Result<T>) -> Result<T> {
        let result = self.begin().and_then(work);
        if result.is_err() {
            self.doc = None;
        }
        self.named(result)
    }

    /// Starts a write transaction with the document loaded, caught up with what other
    /// connections saved, and the outbox applied (and its records indexed from the
    /// document); `touched` says which records the other connections' changes touched. A caller whose transaction does not commit must drop the
    /// document (`self.doc = None`): it holds what was applied.
    fn begin(&mut self) -> Result<Begun<'_>> {
        let now = self.now();
        // The long part (reading the whole document) outside the write lock: other
        // connections write meanwhile, and the catch-up below takes what they wrote.
        self.load_document()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let touched = catch_up(&tx, &mut self.doc, &self.path, now)?;
        let (doc, cursor) = self.doc.as_mut().expect("catch_up loads the document");
        // What the outbox held is indexed already (and was heard of when written): its
        // records are read back from the document here, and are not news.
        let applied = pending::apply_stored(&tx, doc, cursor, now)
            .and_then(|applied| store::index::update(&tx, doc, &applied));
        if let Err(e) = applied {
            self.doc = None;
            return Err(e);
        }
        let (doc, cursor) = self.doc.as_mut().expect("catch_up loads the document");
        Ok(Begun {
            tx,
            doc,
            cursor,
            touched,
        })
    }

    // ----- generic records -----

    /// Stores a new record. Its id and times are set here; its fields are checked first.
    pub fn create<E: Entity>(&mut self, mut record: E) -> Result<E> {
        let now = self.now();
        let meta = record.meta_mut();
        if meta.id.is_empty() {
            meta.id = uuid::Uuid::new_v4().to_string();
        }
        meta.created_at = meta.created_at.min(now);
        meta.updated_at = now;
        record.validate()?;
        let message = format!("add {}", E::KIND);
        self.write(&message, |doc, tx, _| {
            let record = links::checked(tx, record, None)?;
            let touched = put(doc, &record)?;
            // As stored: sets sorted and without repeats.
            Ok((read(doc, record.id())?, touched))
        })
        .map(|(r, _)| r)
    }

    /// Changes a record in place: reads the current version from the document, lets
    /// `change` edit it, checks it and writes only the fields that differ.
    pub fn update<E: Entity>(
        &mut self,
        id: &str,
        change: impl FnOnce(&mut E) -> Result<()>,
    ) -> Result<E> {
        let id = self.resolve(id)?;
        expect_kind(&id, self.record(&id)?.kind(), E::KIND, "id")?;
        let message = format!("edit {}", E::KIND);
        self.write(&message, |doc, tx, now| {
            let mut record: E = read(doc, &id)?;
            let before = fields_of(&record);
            change(&mut record)?;
            let meta = record.meta_mut();
            meta.updated_at = now;
            // Writing the record keeps both versions of a conflicted text, settling it.
            meta.conflicts.clear();
            record.validate()?;
            let record = links::checked(tx, record, Some(&before))?;
            let touched = put(doc, &record)?;
            Ok((read(doc, record.id())?, touched))
        })
        .map(|(r, _)| r)
    }

    /// Soft-deletes a record: it leaves lists and search but stays restorable.
    pub fn delete(&mut self, id: &str) -> Result<Record> {
        self.set_deleted(id, true)
    }

    pub fn restore(&mut self, id: &str) -> Result<Record> {
        self.set_deleted(id, false)
    }

    fn set_deleted(&mut self, id: &str, deleted: bool) -> Result<Record> {
        self.edit_any(id, "delete or restore", move |r| {
            r.meta_mut().deleted = deleted;
            Ok(())
        })
    }

    /// Adds and removes tags on a record of any kind.
    pub fn retag(&mut self, id: &str, add: &[String], remove: &[String]) -> Result<Record> {
        let add: Vec<String> = add
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let remove = remove.to_vec();
        self.edit_any(id, "tag", move |r| {
            let tags = &mut r.meta_mut().tags;
            tags.retain(|t| !remove.contains(t));
            for tag in add {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            tags.sort();
            Ok(())
        })
    }

    /// Edits a record whose kind the caller does not know.
    fn edit_any(
        &mut self,
        id: &str,
        message: &str,
        change: impl FnOnce(&mut Record) -> Result<()>,
    ) -> Result<Record> {
        let id = self.resolve(id)?;
        let kind = self.record(&id)?.kind();
        self.write(message, |doc, _, now| {
            let fields = doc
                .read(kind, &id)?
                .ok_or_else(|| Error::NotFound { id: id.clone() })?;
            let mut record = Record::from_json(kind, Json::Object(fields))?;
            change(&mut record)?;
            let meta = record.meta_mut();
            meta.updated_at = now;
            meta.conflicts.clear();
            let touched = put_record(doc, &record)?;
            Ok((record, touched))
        })
        .map(|(r, _)| r)
    }

    // ----- reading -----

    /// The full id for an id or a unique prefix of at least 4 characters.
    pub fn resolve(&self, id_or_prefix: &str) -> Result<String> {
        self.reader.resolve(id_or_prefix)
    }

    /// Any record by id (or unique prefix).
    pub fn record(&self, id: &str) -> Result<Record> {
        self.reader.record(id)
    }

    /// A record of a known kind; an id of another kind is reported as not found.
    pub fn get<E: Entity>(&self, id: &str) -> Result<E> {
        self.reader.get(id)
    }

    pub fn timeline(&self, filter: &queries::Filter) -> Result<Vec<queries::Listed>> {
        self.reader.timeline(filter)
    }

    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<queries::Hit>> {
        self.reader.search(text, limit)
    }

    /// Links from a record to others (`.0`) and from others to it (`.1`).
    pub fn links(&self, id: &str) -> Result<(Vec<queries::Link>, Vec<queries::Link>)> {
        self.reader.links(id)
    }

    /// All records of one kind, newest first (deleted ones left out).
    pub fn list<E: Entity>(&self) -> Result<Vec<E>> {
        self.reader.list()
    }

    /// Open applications, and how much was logged since `since`.
    pub fn pulse(&self, since: DateTime<Utc>) -> Result<queries::Pulse> {
        self.reader.pulse(since)
    }

    pub fn counts(&self) -> Result<Vec<(Kind, i64)>> {
        self.reader.counts()
    }

    /// Names this journal's file in an error that says it is damaged. For reads and
    /// maintenance: there, a document or index row that does not read is damage too.
    fn named<T>(&self, result: Result<T>) -> Result<T> {
        reader::named(&self.path, result)
    }
}

impl Journal {
    /// Loads the document now, in a read transaction: writers on other connections go
    /// on meanwhile. A journal that has no document yet is left to its first change.
    pub fn load_document(&mut self) -> Result<()> {
        if self.doc.is_some() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        let loaded = match store::document::stored_actor(&tx)? {
            Some(actor) => {
                store::document::load(&tx, &actor).map_err(|e| document_damage(&self.path, e))?
            }
            None => None,
        };
        drop(tx);
        self.doc = loaded;
        Ok(())
    }
}

/// A document that does not load is damage to the file at `path`.
fn document_damage(path: &Path, e: Error) -> Error {
    match e {
        Error::Document(detail) => Error::Corrupt {
            path: path.to_path_buf(),
            detail,
        },
        other => other,
    }
}

/// Loads the document on first use, or merges what other connections appended since.
/// Returns what those outside changes touched.
fn catch_up(
    conn: &Connection,
    slot: &mut Option<(JournalDoc, Cursor)>,
    path: &Path,
    now: DateTime<Utc>,
) -> Result<Touched> {
    let corrupt = |e: Error| document_damage(path, e);
    match slot {
        None => {
            let actor = store::document::actor(conn)?;
            let loaded = match store::document::load(conn, &actor).map_err(corrupt)? {
                Some(loaded) => loaded,
                None => {
                    let mut doc = JournalDoc::new(&actor);
                    let cursor = store::document::init(conn, &mut doc, now.timestamp_millis())?;
                    (doc, cursor)
                }
            };
            *slot = Some(loaded);
            Ok(Touched::default())
        }
        Some((doc, cursor)) => {
            let (chunks, next) = store::document::changes_since(conn, *cursor)?;
            let mut touched = Touched::default();
            for bytes in chunks {
                touched.extend(doc.merge_bytes(&bytes).map_err(corrupt)?);
            }
            *cursor = next;
            Ok(touched)
        }
    }
}

/// A record's fields as the document stores them.
fn fields_of<E: serde::Serialize>(record: &E) -> Map<String, Json> {
    match serde_json::to_value(record) {
        Ok(Json::Object(map)) => map,
        _ => unreachable!("records serialise to JSON objects"),
    }
}

fn put<E: Entity>(doc: &mut Draft<'_>, record: &E) -> Result<Touched> {
    doc.write(E::KIND, record.id(), &fields_of(record))?;
    Ok(touched_one(E::KIND, record.id()))
}

fn put_record(doc: &mut Draft<'_>, record: &Record) -> Result<Touched> {
    let Json::Object(fields) = record.to_json() else {
        unreachable!("records serialise to JSON objects")
    };
    doc.write(record.kind(), record.id(), &fields)?;
    Ok(touched_one(record.kind(), record.id()))
}

fn read<E: Entity>(doc: &Draft<'_>, id: &str) -> Result<E> {
    let fields = doc
        .read(E::KIND, id)?
        .ok_or_else(|| Error::NotFound { id: id.to_string() })?;
    serde_json::from_value(Json::Object(fields)).map_err(|e| Error::Document(e.to_string()))
}

/// An error saying an id belongs to a record of another kind.
fn expect_kind(id: &str, found: Kind, wanted: Kind, field: &str) -> Result<()> {
    if found == wanted {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!(
            "{} is {}, not {}",
            queries::short(id),
            found.with_article(),
            wanted.with_article()
        ),
    ))
}

fn touched_one(kind: Kind, id: &str) -> Touched {
    let mut t = Touched::default();
    t.records.insert((kind, id.to_string()));
    t
}
