//! Background sync for the apps: the core's loop (`onward_core::sync::background`) on
//! the app's one journal, reporting to an observer the app implements, stopped by the
//! handle it returns. The loop locks the journal only between network calls, so the app
//! keeps logging while it waits on the relay.

use crate::observer::Registry;
use crate::sync_records::{RefusedBatch, SyncProgress, SyncStatus};
use onward_core::sync as core;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

/// How the background sync stands, as the sync screen shows it.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum SyncState {
    /// A round is under way; `progress` once there is some to tell (big journals).
    Syncing { progress: Option<SyncProgress> },
    /// A round finished and was checked with the relay. Show "in sync" only when
    /// `status.in_sync`; otherwise `status.summary` says what stands in the way (another
    /// device's change arriving meanwhile, say: the next round follows by itself).
    Checked { status: SyncStatus },
    /// The last round failed: offline, the relay down or refusing. `message` says so in
    /// words fit to show. The loop tries again after `retry_in` (sooner after a local
    /// write); `retry_in` is null when it has stopped because sync was turned off.
    Offline {
        message: String,
        retry_in: Option<Duration>,
    },
    /// Batches received in this round could not be opened or merged and were not
    /// applied (the others were). Log them; the journal is fine.
    Refused { batches: Vec<RefusedBatch> },
}

impl From<core::SyncState> for SyncState {
    fn from(s: core::SyncState) -> Self {
        match s {
            core::SyncState::Syncing { progress } => SyncState::Syncing {
                progress: progress.map(Into::into),
            },
            core::SyncState::Synced { status } => SyncState::Checked {
                status: (*status).into(),
            },
            core::SyncState::Offline { error, retry_in } => SyncState::Offline {
                message: error,
                retry_in: (retry_in != Duration::MAX).then_some(retry_in),
            },
            core::SyncState::Refused { batches } => SyncState::Refused {
                batches: batches.into_iter().map(Into::into).collect(),
            },
        }
    }
}

/// Implemented by the app to follow the background sync. Called on the sync's own
/// thread: hand the state to the UI thread from there, and don't call `sync_now`,
/// `join_sync` or `sync_status` from inside it (they would wait on that same thread).
/// Records merged from other devices reach the journal's `JournalObserver`s as well.
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    fn on_state(&self, state: SyncState);
}

/// The running loop, shared by its handle and the journal (which nudges it after local
/// writes and stops it when sync is turned off). Empty once stopped.
#[derive(Default)]
pub(crate) struct Running(Mutex<Option<core::SyncHandle>>);

impl Running {
    fn slot(&self) -> MutexGuard<'_, Option<core::SyncHandle>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks the loop for a round soon.
    pub(crate) fn nudge(&self) {
        if let Some(handle) = self.slot().as_ref() {
            handle.nudge();
        }
    }

    /// Stops the loop. The core handle is dropped outside the slot's lock.
    pub(crate) fn stop(&self) {
        let handle = self.slot().take();
        drop(handle);
    }
}

/// Keeps the background sync running. Call `stop()`, or drop the handle (Kotlin:
/// `close()`), to end it; what it merged or sent so far stays.
#[derive(uniffi::Object)]
pub struct SyncHandle {
    running: Arc<Running>,
}

#[uniffi::export]
impl SyncHandle {
    /// Stops the background sync. Stopping twice is harmless.
    pub fn stop(&self) {
        self.running.stop();
    }

    /// Asks for a round now (when the app comes to the front, or on a pull-to-refresh).
    pub fn sync_soon(&self) {
        self.running.nudge();
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.running.stop();
    }
}

/// Starts the core loop on `journal`, telling `observer` and, after each state (a
/// round's merges are done by then), the journal's observers what changed.
pub(crate) fn start(
    journal: Arc<Mutex<onward_core::Journal>>,
    runtime: &core::SyncRuntime,
    observer: Arc<dyn SyncObserver>,
    observers: Arc<Registry>,
) -> onward_core::Result<(SyncHandle, Weak<Running>)> {
    let forwarder = Arc::new(StateForwarder {
        observer,
        observers,
    });
    let handle = core::SyncHandle::start(journal, runtime, forwarder)?;
    let running = Arc::new(Running(Mutex::new(Some(handle))));
    let weak = Arc::downgrade(&running);
    Ok((SyncHandle { running }, weak))
}

/// Passes the core loop's states on to the app.
struct StateForwarder {
    observer: Arc<dyn SyncObserver>,
    observers: Arc<Registry>,
}

impl core::SyncObserver for StateForwarder {
    fn on_state(&self, state: core::SyncState) {
        // The loop calls this with the journal unlocked, so observers may read it. What
        // was merged so far is told first: the app refreshes before it shows "in sync".
        self.observers.dispatch();
        let state = SyncState::from(state);
        // An observer that throws must not end the sync.
        let _ = catch_unwind(AssertUnwindSafe(|| self.observer.on_state(state)));
    }
}
