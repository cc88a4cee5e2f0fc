//! Who hears about writes: callbacks registered on a [`Journal`], told after every
//! successful write (a local action, an import batch, a merge from another device)
//! which records it changed, so a UI can refresh only those.

use super::{Changed, Journal};
use std::sync::Arc;

/// A callback told what each write changed. It runs on the writing thread, right after
/// the write is committed, so it should be quick (hand the news to a queue or a UI loop).
pub type Observer = Arc<dyn Fn(&Changed) + Send + Sync>;

/// Identifies a registered observer, to remove it with [`Journal::unobserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObserverId(u64);

/// The observers of one journal handle, in the order they were registered.
#[derive(Default)]
pub(crate) struct Observers {
    next: u64,
    registered: Vec<(ObserverId, Observer)>,
}

impl Observers {
    /// Tells every observer about a write. A write that changed nothing (merging changes
    /// already known) is not news.
    pub(crate) fn notify(&self, changed: &Changed) {
        if changed.is_empty() {
            return;
        }
        for (_, observer) in &self.registered {
            observer(changed);
        }
    }
}

impl Journal {
    /// Registers `observer` to hear about every write through this handle from now on,
    /// merges included. Writes made by other handles on the same file are heard when
    /// this handle next writes (it catches up with them first).
    pub fn observe(&mut self, observer: Observer) -> ObserverId {
        let observers = &mut self.observers;
        observers.next += 1;
        let id = ObserverId(observers.next);
        observers.registered.push((id, observer));
        id
    }

    /// Stops an observer. Returns whether it was registered.
    pub fn unobserve(&mut self, id: ObserverId) -> bool {
        let before = self.observers.registered.len();
        self.observers.registered.retain(|(known, _)| *known != id);
        self.observers.registered.len() != before
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Application, Kind, Mood};
    use crate::Journal;
    use std::sync::{Arc, Mutex};

    fn journal() -> (tempfile::TempDir, Journal) {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path().join("j.onward")).unwrap();
        (dir, journal)
    }

    #[test]
    fn every_write_and_merge_is_heard_until_unobserved() {
        let (_dir, mut journal) = journal();
        let heard = Arc::new(Mutex::new(Vec::new()));
        let sink = heard.clone();
        let id = journal.observe(Arc::new(move |c| sink.lock().unwrap().push(c.clone())));

        let app = journal
            .add_application(Application::new("Acme", "Data Engineer"))
            .unwrap();
        journal.delete(&app.meta.id).unwrap();

        let (_other_dir, mut other) = self::journal();
        let mood = other.create(Mood::new(4, chrono::Utc::now())).unwrap();
        let bytes = other.document_bytes().unwrap();
        journal.merge_bytes(&bytes).unwrap();
        // Merging the same bytes again changes nothing, and is not news.
        journal.merge_bytes(&bytes).unwrap();

        assert!(journal.unobserve(id));
        journal
            .add_application(Application::new("Globex", "Analyst"))
            .unwrap();

        let heard = heard.lock().unwrap();
        assert_eq!(heard.len(), 3, "{heard:?}");
        assert_eq!(heard[0].ids, vec![app.meta.id.clone()]);
        assert_eq!(heard[0].kinds, vec![Kind::Application]);
        assert_eq!(heard[1].ids, vec![app.meta.id.clone()]);
        assert_eq!(heard[2].ids, vec![mood.meta.id.clone()]);
        assert_eq!(heard[2].kinds, vec![Kind::Mood]);
        assert!(!journal.unobserve(id), "already gone");
    }

    #[test]
    fn a_failed_write_is_not_heard() {
        let (_dir, mut journal) = journal();
        let heard = Arc::new(Mutex::new(0));
        let sink = heard.clone();
        journal.observe(Arc::new(move |_| *sink.lock().unwrap() += 1));
        assert!(journal.create(Mood::new(9, chrono::Utc::now())).is_err());
        assert!(journal.merge_bytes(b"not automerge").is_err());
        assert_eq!(*heard.lock().unwrap(), 0);
    }
}
