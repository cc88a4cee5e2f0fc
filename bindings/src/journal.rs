//! [`Journal`]: the one entry object. Every call is blocking (SQLite on the device):
//! call it off the UI thread. The handle may be shared between threads; calls take turns.

use crate::background_sync::Running;
use crate::clock::Time;
use crate::edits::{ApplicationEdit, EntryEdit, GoalEdit};
use crate::error::{guard, OnwardError, Result};
use crate::insights::Insights;
use crate::kinds::{Outcome, Stage};
use crate::listing::{RecordDetail, SearchHit, TimelineItem, TimelineQuery};
use crate::notify::{posted_to_core, Notifications, PostedNotice};
use crate::observer::{JournalObserver, ObserverHandle, Registry};
use crate::quick_log::{
    NewActivity, NewApplication, NewEntry, NewGoal, NewInterview, NewMood, NewRejection,
};
use crate::records::RejectionLogged;
use crate::records::{Activity, Application, Entry, Goal, Interview, Message, Mood, Record};
use crate::reminders::Reminder;
use crate::secret_store::{Adapter, SecretStore};
use crate::tidy::Tidy;
use crate::time::{to_utc, to_utc_opt};
use crate::today::Today;
use onward_core::model::{self as core, MessageKind};
use onward_core::sync::SyncRuntime;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::SystemTime;

/// One person's journal file, opened. Storage calls are blocking: call them off the UI
/// thread (a background dispatcher, a `DispatchQueue`, a thread pool). The handle is
/// safe to share between threads; calls take turns on the one file.
#[derive(uniffi::Object)]
pub struct Journal {
    /// Shared with the background sync, which locks it only for local steps.
    pub(crate) inner: Arc<Mutex<onward_core::Journal>>,
    pub(crate) observers: Arc<Registry>,
    /// Set by the core whenever a write changed something (read by `write`).
    wrote: Arc<AtomicBool>,
    /// The background sync, while one runs: nudged after local writes.
    pub(crate) background: Mutex<Weak<Running>>,
    /// The runtime and relay connections of this handle's sync, made on first use.
    sync_runtime: Mutex<Option<Arc<SyncRuntime>>>,
    /// The app's store for this device's sync keys, given again to a journal reopened
    /// after a panic.
    secrets: Option<Arc<dyn onward_core::sync::SecretStore>>,
    /// The app's clock and the person's time zone, given again to a reopened journal.
    pub(crate) time: Arc<Time>,
    /// A read connection of its own: the timeline, search, records and insights never
    /// wait for `inner`'s lock, which a write or a merge from sync holds meanwhile.
    reader: Mutex<onward_core::Reader>,
    /// Nudged on every change: compacts once the write has returned.
    tidy: Arc<Tidy>,
}

/// What a JSON import did.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ImportSummary {
    /// Records written.
    pub written: u64,
    /// Records left as they were: the journal already had their id.
    pub skipped: u64,
    /// Reminders marked done or snoozed again, as in the file.
    pub reminders_restored: u64,
}

#[uniffi::export]
impl Journal {
    /// Opens the journal at `path`, creating it if there is no file there yet. A file
    /// that is not a journal, is damaged, or comes from a newer Onward raises
    /// `CorruptJournal` and is left untouched. `secrets` is where this device's sync
    /// keys live (the Keychain, a Keystore-wrapped file): give it on every open of a
    /// journal that syncs, or may. Without one the keys are kept in the journal file,
    /// which is only fit for tests and tools.
    #[uniffi::constructor(default(secrets = None))]
    pub fn open(path: String, secrets: Option<Arc<dyn SecretStore>>) -> Result<Arc<Journal>> {
        guard(|| {
            let secrets = secrets
                .map(|store| Arc::new(Adapter(store)) as Arc<dyn onward_core::sync::SecretStore>);
            let mut inner = onward_core::Journal::open(&path)?;
            let observers = Arc::new(Registry::default());
            let wrote = Arc::new(AtomicBool::new(false));
            let time = Arc::new(Time::default());
            let (tidy, woken) = Tidy::channel();
            let tidy = Arc::new(tidy);
            hook(&mut inner, &observers, &wrote, &secrets, &time, &tidy);
            let reader = Mutex::new(inner.open_reader()?);
            let inner = Arc::new(Mutex::new(inner));
            crate::tidy::start(woken, path.clone().into(), Arc::downgrade(&inner)).map_err(
                |e| {
                    OnwardError::from(onward_core::Error::Io {
                        path: path.clone().into(),
                        source: e,
                    })
                },
            )?;
            Ok(Arc::new(Journal {
                inner,
                observers,
                wrote,
                background: Mutex::new(Weak::new()),
                sync_runtime: Mutex::new(None),
                secrets,
                time,
                reader,
                tidy,
            }))
        })
    }

    /// The journal file's path.
    pub fn path(&self) -> String {
        self.lock().path().display().to_string()
    }

    // ----- quick log -----

    /// Logs an application in one call.
    pub fn log_application(&self, new: NewApplication) -> Result<Application> {
        let app = new.into_core()?;
        self.write(|j| Ok(j.add_application(app)?.into()))
    }

    /// Logs an interview: its application moves to the matching stage, and the
    /// interviewers become contacts.
    pub fn log_interview(&self, new: NewInterview) -> Result<Interview> {
        let (interview, interviewers) = new.into_core()?;
        self.write(|j| Ok(j.log_interview(interview, &interviewers)?.into()))
    }

    /// Logs a rejection and returns the next small steps to offer right then: a
    /// check-in, one restorative idea, a thank-you note and a feedback request drafted.
    pub fn log_rejection(&self, new: NewRejection) -> Result<RejectionLogged> {
        self.write(|j| {
            let (rejection, stage_given) = new.into_core(j.now())?;
            Ok(j.log_rejection(rejection, stage_given)?.into())
        })
    }

    /// Logs a mood check-in. One given for a rejection belongs to its application too.
    pub fn log_mood(&self, new: NewMood) -> Result<Mood> {
        self.write(|j| {
            let mood = new.into_core(j.now())?;
            Ok(j.log_mood(mood)?.into())
        })
    }

    /// Logs a restorative activity, planned or done.
    pub fn log_activity(&self, new: NewActivity) -> Result<Activity> {
        let activity = new.into_core()?;
        self.write(|j| Ok(j.create(activity)?.into()))
    }

    /// Marks a planned activity done now, with how one felt after (1 to 5).
    pub fn complete_activity(&self, id: String, mood_after: Option<u8>) -> Result<Activity> {
        self.write(|j| {
            let now = j.now();
            j.update::<core::Activity>(&id, |a| {
                a.done_at = Some(now);
                a.mood_after = mood_after.or(a.mood_after);
                Ok(())
            })
            .map(Into::into)
            .map_err(Into::into)
        })
    }

    /// Sets a growth goal.
    pub fn add_goal(&self, new: NewGoal) -> Result<Goal> {
        let goal = new.into_core()?;
        self.write(|j| {
            let mut goal = goal;
            goal.origin_id = goal.origin_id.map(|id| j.resolve(&id)).transpose()?;
            Ok(j.create(goal)?.into())
        })
    }

    /// Writes a journal entry. Answers are checked against the prompts of its kind.
    pub fn write_entry(&self, new: NewEntry) -> Result<Entry> {
        self.write(|j| {
            let entry = new.into_core(j.now())?;
            Ok(j.add_entry(entry)?.into())
        })
    }

    /// Drafts a note from its template, filled with what the journal knows (the
    /// application, its interviewer). `body` replaces the template when given.
    pub fn draft_message(
        &self,
        kind: MessageKind,
        application_id: Option<String>,
        body: Option<String>,
    ) -> Result<Message> {
        self.write(|j| {
            Ok(
                j.draft_message(kind, application_id.as_deref(), None, None, body)?
                    .into(),
            )
        })
    }

    // ----- edit, delete, restore -----

    /// Moves an application to a stage (now, unless `at` is given); the history keeps it.
    pub fn move_stage(
        &self,
        id: String,
        stage: Stage,
        at: Option<SystemTime>,
    ) -> Result<Application> {
        let at = to_utc_opt("at", at)?;
        self.write(|j| Ok(j.move_stage(&id, stage, at)?.into()))
    }

    /// Records how an application ended, or reopens it with `Outcome.OPEN`.
    pub fn set_outcome(
        &self,
        id: String,
        outcome: Outcome,
        at: Option<SystemTime>,
    ) -> Result<Application> {
        let at = to_utc_opt("at", at)?;
        self.write(|j| Ok(j.set_outcome(&id, outcome, at)?.into()))
    }

    /// Changes an application's details; fields left out stay as they are.
    pub fn edit_application(&self, id: String, edit: ApplicationEdit) -> Result<Application> {
        let change = edit.into_change()?;
        self.write(|j| {
            j.update::<core::Application>(&id, |a| {
                change(a);
                Ok(())
            })
            .map(Into::into)
            .map_err(Into::into)
        })
    }

    /// Changes a journal entry's text or answers.
    pub fn edit_entry(&self, id: String, edit: EntryEdit) -> Result<Entry> {
        self.write(|j| {
            j.update::<core::Entry>(&id, |e| {
                edit.apply(e);
                Ok(())
            })
            .map(Into::into)
            .map_err(Into::into)
        })
    }

    /// Moves a goal along: progress, status, notes.
    pub fn edit_goal(&self, id: String, edit: GoalEdit) -> Result<Goal> {
        self.write(|j| {
            j.update::<core::Goal>(&id, |g| {
                edit.apply(g);
                Ok(())
            })
            .map(Into::into)
            .map_err(Into::into)
        })
    }

    /// Adds and removes tags on a record of any kind.
    pub fn tag(&self, id: String, add: Vec<String>, remove: Vec<String>) -> Result<Record> {
        self.write(|j| Ok(j.retag(&id, &add, &remove)?.into()))
    }

    /// Deletes a record softly: it leaves lists and search, and `restore` brings it back.
    pub fn delete(&self, id: String) -> Result<Record> {
        self.write(|j| Ok(j.delete(&id)?.into()))
    }

    /// Brings a deleted record back.
    pub fn restore(&self, id: String) -> Result<Record> {
        self.write(|j| Ok(j.restore(&id)?.into()))
    }

    // ----- reading -----

    /// One page of the timeline, newest first.
    pub fn timeline(&self, query: TimelineQuery) -> Result<Vec<TimelineItem>> {
        self.query(|j| {
            let application = query
                .application_id
                .as_deref()
                .map(|id| j.resolve(id))
                .transpose()?;
            let filter = query.into_filter(application)?;
            Ok(j.timeline(&filter)?.into_iter().map(Into::into).collect())
        })
    }

    /// Applications, newest first; with `active_only`, those still open.
    pub fn applications(&self, active_only: bool) -> Result<Vec<Application>> {
        self.query(|j| {
            Ok(j.list::<core::Application>()?
                .into_iter()
                .filter(|a| !active_only || a.is_active())
                .map(Into::into)
                .collect())
        })
    }

    /// One record (by id or a unique start of it) with its links both ways.
    pub fn record(&self, id: String) -> Result<RecordDetail> {
        self.query(|j| {
            let record = j.record(&id)?;
            let (links_to, linked_from) = j.links(record.id())?;
            let title = record.title();
            Ok(RecordDetail {
                item: TimelineItem::new(record, title),
                links_to: links_to.into_iter().map(Into::into).collect(),
                linked_from: linked_from.into_iter().map(Into::into).collect(),
            })
        })
    }

    /// Full-text search over everything written; every word must appear (as a prefix).
    pub fn search(&self, text: String, limit: u32) -> Result<Vec<SearchHit>> {
        self.query(|j| {
            Ok(j.search(&text, limit as usize)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    // ----- today, reminders, notifications, insights -----

    /// What the Today screen shows now: a greeting, a few due reminders (and how many
    /// more), the latest records, and how things stand.
    pub fn today(&self) -> Result<Today> {
        self.read(|j| Ok(j.today()?.into()))
    }

    /// What to post as system notifications now, given those `posted` before (keep at
    /// least the last day's): nothing in quiet hours, a few a day, each reminder once.
    /// Post each notice under its key, and pass it back next time.
    pub fn notifications(&self, posted: Vec<PostedNotice>) -> Result<Notifications> {
        let posted = posted_to_core(posted)?;
        self.read(|j| Ok(j.notifications(&posted)?.into()))
    }

    /// The reminders due now, oldest first.
    pub fn due_reminders(&self) -> Result<Vec<Reminder>> {
        self.read(|j| Ok(j.reminders()?.into_iter().map(Into::into).collect()))
    }

    /// Marks a reminder done, by its key (or a unique start of it). Returns the full key.
    pub fn complete_reminder(&self, key: String) -> Result<String> {
        self.write(|j| Ok(j.complete_reminder(&key)?))
    }

    /// Puts a reminder off until `until`. Returns the full key.
    pub fn snooze_reminder(&self, key: String, until: SystemTime) -> Result<String> {
        let until = to_utc("until", until)?;
        self.write(|j| Ok(j.snooze_reminder(&key, until)?))
    }

    /// The big picture over the last `weeks` weeks (`limits().insight_weeks`: 1 to 104), with
    /// days and weeks in the journal's time zone. A number outside is refused.
    pub fn insights(&self, weeks: u32) -> Result<Insights> {
        let options = onward_core::insights::InsightsOptions {
            weeks,
            ..Default::default()
        };
        let (now, zone) = (self.time.now(), self.time.zone());
        self.query(|reader| Ok(reader.insights(now, zone, &options)?.into()))
    }

    // ----- export, import, merge -----

    /// Everything, as the JSON export (`docs/EXPORT.md`): deleted records and reminder
    /// states included. Save it where the person chooses; `import_json` reads it back.
    pub fn export_json(&self) -> Result<String> {
        self.write(|j| {
            let snapshot = onward_core::export::Snapshot::of(j)?;
            Ok(onward_core::export::json::to_string(&snapshot, j.now()))
        })
    }

    /// Brings a JSON export in. The file is checked whole first (a bad one changes
    /// nothing, and the error names the place); records the journal already has are
    /// left as they are, so importing twice adds nothing.
    pub fn import_json(&self, text: String) -> Result<ImportSummary> {
        self.write(|j| {
            let parsed = onward_core::import::json::parse(&text)?;
            let done = onward_core::import::json::store(j, parsed, &mut |_, _| {})?;
            Ok(ImportSummary {
                written: done.records.written as u64,
                skipped: done.records.skipped as u64,
                reminders_restored: done.reminders_restored as u64,
            })
        })
    }

    /// The whole journal as one Automerge document (what another device merges).
    pub fn document_bytes(&self) -> Result<Vec<u8>> {
        self.write(|j| Ok(j.document_bytes()?))
    }

    /// Merges another copy's Automerge bytes (a whole document or changes). Returns the
    /// ids of the records it changed; observers hear about them too.
    pub fn merge_bytes(&self, bytes: Vec<u8>) -> Result<Vec<String>> {
        self.write(|j| Ok(j.merge_bytes(&bytes)?.ids))
    }

    // ----- observing -----

    /// Registers `observer` to hear which records changed after every write and merge
    /// through this handle. Keep the returned handle: stopping or dropping it ends the
    /// notifications.
    pub fn observe(&self, observer: Arc<dyn JournalObserver>) -> Arc<ObserverHandle> {
        Arc::new(self.observers.add(observer))
    }
}

/// The prompts offered for one kind of journal entry.
#[uniffi::export]
pub fn prompts(kind: onward_core::model::EntryKind) -> crate::records::PromptSet {
    onward_core::prompts::for_kind(kind).into()
}

impl Journal {
    /// Runs an index query on the read connection, guarded against panics; it never
    /// waits for the journal's lock.
    pub(crate) fn query<T>(&self, f: impl FnOnce(&onward_core::Reader) -> Result<T>) -> Result<T> {
        // The reader keeps no state a panic could leave half-made: a poisoned lock is fine.
        guard(|| {
            f(&self
                .reader
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()))
        })
    }

    /// Runs a read under the lock, guarded against panics.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&onward_core::Journal) -> Result<T>) -> Result<T> {
        guard(|| f(&self.lock()))
    }

    /// Runs a write under the lock, guarded against panics, then tells the observers
    /// what changed once the lock is released, and nudges a running background sync
    /// when something did change, so the change goes out promptly.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut onward_core::Journal) -> Result<T>,
    ) -> Result<T> {
        let mut changed = false;
        let result = guard(|| {
            let mut journal = self.lock();
            self.wrote.store(false, Ordering::Relaxed);
            let result = f(&mut journal);
            changed = self.wrote.swap(false, Ordering::Relaxed);
            result
        });
        self.observers.dispatch();
        if changed {
            if let Some(running) = self.running() {
                running.nudge();
            }
        }
        result
    }

    /// This handle's sync runtime (one runtime and one kept-alive connection pool for
    /// every sync call and the background loop), made on first use.
    pub(crate) fn sync_runtime(&self) -> Result<Arc<SyncRuntime>> {
        let mut slot = self
            .sync_runtime
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(runtime) = slot.as_ref() {
            return Ok(runtime.clone());
        }
        let runtime = Arc::new(SyncRuntime::new()?);
        *slot = Some(runtime.clone());
        Ok(runtime)
    }

    /// The background sync, if one runs.
    pub(crate) fn running(&self) -> Option<Arc<Running>> {
        self.background
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .upgrade()
    }

    /// The core journal. After a panic in an earlier call it is opened afresh from its
    /// file: the panic may have left its in-memory document half-edited, while the
    /// file only ever holds committed writes.
    pub(crate) fn lock(&self) -> MutexGuard<'_, onward_core::Journal> {
        match self.inner.lock() {
            Ok(journal) => journal,
            Err(poisoned) => {
                let mut journal = poisoned.into_inner();
                if let Ok(mut fresh) = onward_core::Journal::open(journal.path()) {
                    hook(
                        &mut fresh,
                        &self.observers,
                        &self.wrote,
                        &self.secrets,
                        &self.time,
                        &self.tidy,
                    );
                    *journal = fresh;
                    self.inner.clear_poison();
                }
                journal
            }
        }
    }
}

/// Registers this handle's observers on a core journal: the app's (queued, told after
/// the lock is released), the flag that says a write changed something and the tidy
/// thread's nudge; and gives
/// it the app's secret store, clock and time zone.
fn hook(
    journal: &mut onward_core::Journal,
    observers: &Arc<Registry>,
    wrote: &Arc<AtomicBool>,
    secrets: &Option<Arc<dyn onward_core::sync::SecretStore>>,
    time: &Arc<Time>,
    tidy: &Arc<Tidy>,
) {
    time.apply(journal);
    if let Some(store) = secrets {
        journal.set_secret_store(store.clone());
    }
    journal.observe(observers.core_hook());
    let wrote = wrote.clone();
    journal.observe(Arc::new(move |_| wrote.store(true, Ordering::Relaxed)));
    let tidy = tidy.clone();
    journal.observe(Arc::new(move |_| tidy.nudge()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::OnwardError;

    #[test]
    fn a_panic_inside_the_core_is_an_error_and_the_journal_carries_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.onward").display().to_string();
        let journal = Journal::open(path, None).unwrap();
        let failed = journal.write(|j| -> Result<()> {
            j.create(core::Mood::new(3, j.now()))?;
            panic!("the index and the document disagree")
        });
        match failed {
            Err(OnwardError::Internal { detail }) => {
                assert!(
                    detail.contains("the index and the document disagree"),
                    "{detail}"
                )
            }
            other => panic!("expected Internal, got {other:?}"),
        }
        // The lock was poisoned by the panic; the next call reopens the file and works.
        let app = journal
            .log_application(NewApplication {
                company: "Acme".into(),
                role: "Dev".into(),
                applied_at: None,
                source: None,
                url: None,
                location: None,
                work_mode: None,
                salary: None,
                excitement: None,
                next_action_at: None,
                notes: String::new(),
            })
            .unwrap();
        assert_eq!(journal.applications(false).unwrap()[0].meta.id, app.meta.id);
        // The mood committed before the panic is there too: a write is a write.
        assert_eq!(journal.timeline(TimelineQuery::default()).unwrap().len(), 2);
    }

    /// The timeline, search and a record answer while a merge from sync (here: a write
    /// transaction with the document loaded) holds the journal's lock. Not timed: the
    /// lock is held until they have answered.
    #[test]
    fn reads_answer_while_the_journal_is_locked_by_a_write() {
        use std::sync::mpsc;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.onward").display().to_string();
        let journal = Journal::open(path, None).unwrap();
        let mood = journal
            .write(|j| Ok(j.create(core::Mood::new(4, j.now()))?))
            .unwrap();
        let (holding, held) = mpsc::channel();
        let (answer, answered) = mpsc::channel::<usize>();
        let inner = journal.inner.clone();
        let writer = std::thread::spawn(move || {
            inner
                .lock()
                .unwrap()
                .with_document(|_| {
                    holding.send(()).unwrap();
                    // Gives up after a minute so a read that waits fails, not hangs.
                    Ok(answered
                        .recv_timeout(std::time::Duration::from_secs(60))
                        .ok())
                })
                .unwrap()
        });
        held.recv().unwrap();
        let page = journal.timeline(TimelineQuery::default()).unwrap();
        journal.record(mood.meta.id.clone()).unwrap();
        journal.insights(8).unwrap();
        answer.send(page.len()).unwrap();
        assert_eq!(writer.join().unwrap(), Some(1));
    }
}
