//! Wakes long-polling pulls of a journal when a batch for it arrives in this process.
//! (Batches pushed through another relay process are found by the pull's periodic re-check.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::Notify;

use crate::ids::Id;

/// One `Notify` per journal that has a waiting pull; entries go away with their last waiter.
#[derive(Default)]
pub struct Wakeups {
    journals: Mutex<HashMap<Id, Weak<Notify>>>,
}

impl Wakeups {
    /// The notifier of `journal`, shared by every pull waiting on it.
    pub fn subscribe(&self, journal: &Id) -> Arc<Notify> {
        let mut journals = self.journals.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(notify) = journals.get(journal).and_then(Weak::upgrade) {
            return notify;
        }
        journals.retain(|_, weak| weak.strong_count() > 0);
        let notify = Arc::new(Notify::new());
        journals.insert(journal.clone(), Arc::downgrade(&notify));
        notify
    }

    /// Wakes every pull waiting on `journal`.
    pub fn wake(&self, journal: &Id) {
        let journals = self.journals.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(notify) = journals.get(journal).and_then(Weak::upgrade) {
            notify.notify_waiters();
        }
    }
}
