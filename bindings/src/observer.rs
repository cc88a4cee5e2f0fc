//! Telling the app what changed. The core calls its observers inside each write, while
//! the journal's lock is held; here those calls only queue the news, and the queue is
//! handed to the app's observers after the lock is released, so an observer may call
//! back into the journal.

use crate::kinds::RecordKind;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// Implemented by the app to hear about changes: after every write through this journal
/// handle (its own quick-logs, edits, imports) and every merge of another device's
/// changes. Called on the thread that made the write, after it finished; hand the news
/// to the UI thread from there. Calls from two writing threads may overlap.
#[uniffi::export(with_foreign)]
pub trait JournalObserver: Send + Sync {
    /// `change` lists the records created or changed.
    fn on_change(&self, change: JournalChange);
}

/// What one write changed.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct JournalChange {
    /// The records created or changed (deleted and restored ones included), sorted.
    pub ids: Vec<String>,
    /// Their kinds, each once: which lists to refresh.
    pub kinds: Vec<RecordKind>,
    /// Reminder keys marked done or snoozed.
    pub reminders: Vec<String>,
}

impl From<onward_core::Changed> for JournalChange {
    fn from(c: onward_core::Changed) -> Self {
        JournalChange {
            ids: c.ids,
            kinds: c.kinds,
            reminders: c.reminders,
        }
    }
}

type Listener = (u64, Arc<dyn JournalObserver>);

/// The app's observers of one journal handle, and the news not yet told.
#[derive(Default)]
pub(crate) struct Registry {
    next: AtomicU64,
    listeners: Mutex<Vec<Listener>>,
    pending: Mutex<Vec<onward_core::Changed>>,
}

impl Registry {
    /// The observer to register on the core journal: it only queues (the lock is held).
    pub(crate) fn core_hook(self: &Arc<Self>) -> onward_core::Observer {
        let registry = Arc::downgrade(self);
        Arc::new(move |changed| {
            if let Some(registry) = registry.upgrade() {
                if !locked(&registry.listeners).is_empty() {
                    locked(&registry.pending).push(changed.clone());
                }
            }
        })
    }

    pub(crate) fn add(self: &Arc<Self>, observer: Arc<dyn JournalObserver>) -> ObserverHandle {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        locked(&self.listeners).push((id, observer));
        ObserverHandle {
            id,
            registry: Arc::downgrade(self),
        }
    }

    fn remove(&self, id: u64) {
        locked(&self.listeners).retain(|(known, _)| *known != id);
    }

    /// Tells the observers the queued news. Call with the journal's lock released.
    pub(crate) fn dispatch(&self) {
        let news = std::mem::take(&mut *locked(&self.pending));
        if news.is_empty() {
            return;
        }
        // A copy, so an observer may register or stop observers while it is told.
        let listeners: Vec<Listener> = locked(&self.listeners).clone();
        for changed in news {
            for (_, observer) in &listeners {
                let change = JournalChange::from(changed.clone());
                // An observer that throws must not take the journal down with it.
                let _ = catch_unwind(AssertUnwindSafe(|| observer.on_change(change)));
            }
        }
    }
}

/// Locks a list, recovering it if a panic poisoned it (the lists stay whole: every
/// change to them is one push or retain).
fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keeps an observer registered. Call `stop()`, or drop the handle (Kotlin: `close()`),
/// to stop notifications.
#[derive(uniffi::Object)]
pub struct ObserverHandle {
    id: u64,
    registry: Weak<Registry>,
}

#[uniffi::export]
impl ObserverHandle {
    /// Stops notifications to this observer. Stopping twice is harmless.
    pub fn stop(&self) {
        if let Some(registry) = self.registry.upgrade() {
            registry.remove(self.id);
        }
    }
}

impl Drop for ObserverHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
