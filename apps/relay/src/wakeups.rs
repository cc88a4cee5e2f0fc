//! Wakes long-polling pulls of a journal when a batch for it arrives: pushed through this
//! process, or (PostgreSQL) through any process, announced by the database's
//! `NOTIFY` (see [`crate::storage::listen`]).
//!
//! How often a waiting pull looks at storage again on its own depends on [`WakeMode`] and
//! on whether pushes of other processes reach this one: with `Notify` and a connected
//! listener (or SQLite, one process) only every [`SAFETY_RECHECK`]; while the listener is
//! down, every [`WAIT_RECHECK`] as before, so nothing is missed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use onward_protocol::limits::WAIT_RECHECK;
use tokio::sync::Notify;

use crate::ids::Id;

/// The re-check of a waiting pull while pushes through any process wake it: a safety net.
pub const SAFETY_RECHECK: Duration = Duration::from_secs(30);

/// How waiting pulls learn of new batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum WakeMode {
    /// Woken by pushes (this process's, and with PostgreSQL every process's through
    /// `LISTEN/NOTIFY`); storage is re-checked only as a safety net.
    #[default]
    Notify,
    /// The design before `LISTEN/NOTIFY`: woken by pushes through this process, and every
    /// waiting pull re-checks storage every [`WAIT_RECHECK`] (kept to compare the two).
    Poll,
}

/// Why a waiting pull looked at storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// The pull's first look, as any pull.
    First,
    /// A push for its journal woke it.
    Woken,
    /// Its re-check timer ran out.
    Recheck,
    /// The listener reconnected (or went down): every waiting pull looks once.
    Resync,
}

/// The counts a test or `/metrics` reads.
#[derive(Debug, Default)]
pub struct WakeCounts {
    /// Storage pulls made by waiting pulls, by [`Look`].
    pub first: AtomicU64,
    pub woken: AtomicU64,
    pub recheck: AtomicU64,
    pub resync: AtomicU64,
    /// Pulls waiting now.
    pub waiting: AtomicU64,
    /// Wake-ups sent: by a push through this process, by a notification from the database.
    pub local_wakes: AtomicU64,
    pub notified_wakes: AtomicU64,
    /// Times the listener connected after its first connection.
    pub listen_reconnects: AtomicU64,
}

/// One `Notify` per journal that has a waiting pull; entries go away with their last waiter.
#[derive(Default)]
pub struct Wakeups {
    journals: Mutex<HashMap<Id, Weak<Notify>>>,
    mode: WakeMode,
    /// True when pushes of other processes cannot reach this one by notification
    /// (PostgreSQL with the listener down); false for SQLite and a connected listener.
    deaf: AtomicBool,
    /// Counts for tests and metrics.
    pub counts: WakeCounts,
}

impl Wakeups {
    /// Wake-ups in `mode`; `listening` says a listener will bring other processes' pushes
    /// (it starts deaf until [`Wakeups::set_listening`] says it is connected).
    pub fn new(mode: WakeMode, listening: bool) -> Self {
        Wakeups {
            mode,
            deaf: AtomicBool::new(listening),
            ..Default::default()
        }
    }

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

    /// Wakes every pull waiting on `journal` after a push through this process.
    pub fn wake(&self, journal: &Id) {
        if self.notify(journal) {
            self.counts.local_wakes.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Wakes every pull waiting on `journal` after the database announced a batch.
    pub fn wake_notified(&self, journal: &Id) {
        if self.notify(journal) {
            self.counts.notified_wakes.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn notify(&self, journal: &Id) -> bool {
        let journals = self.journals.lock().unwrap_or_else(|e| e.into_inner());
        match journals.get(journal).and_then(Weak::upgrade) {
            Some(notify) => {
                notify.notify_waiters();
                true
            }
            None => false,
        }
    }

    /// Wakes every waiting pull (the listener's state changed: what it missed is found).
    pub fn wake_all(&self) {
        let journals = self.journals.lock().unwrap_or_else(|e| e.into_inner());
        for notify in journals.values().filter_map(Weak::upgrade) {
            notify.notify_waiters();
        }
    }

    /// The listener connected (`true`) or dropped: waiting pulls look once and take the
    /// re-check interval that now holds.
    pub fn set_listening(&self, connected: bool) {
        let was_deaf = self.deaf.swap(!connected, Ordering::SeqCst);
        if was_deaf == connected {
            self.wake_all();
        }
    }

    /// False while pushes through other processes cannot wake this one (for `/readyz`).
    pub fn listening(&self) -> bool {
        !self.deaf.load(Ordering::SeqCst)
    }

    /// How long a waiting pull waits before it looks at storage on its own.
    pub fn recheck_every(&self) -> Duration {
        match self.mode {
            WakeMode::Poll => WAIT_RECHECK,
            WakeMode::Notify if self.deaf.load(Ordering::SeqCst) => WAIT_RECHECK,
            WakeMode::Notify => SAFETY_RECHECK,
        }
    }

    /// The mode the relay runs in.
    pub fn mode(&self) -> WakeMode {
        self.mode
    }

    /// Counts one look at storage by a waiting pull.
    pub fn looked(&self, why: Look) {
        let counter = match why {
            Look::First => &self.counts.first,
            Look::Woken => &self.counts.woken,
            Look::Recheck => &self.counts.recheck,
            Look::Resync => &self.counts.resync,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a pull that starts waiting until the guard drops.
    pub fn waiting(self: &Arc<Self>) -> WaitingGuard {
        self.counts.waiting.fetch_add(1, Ordering::Relaxed);
        WaitingGuard(self.clone())
    }
}

/// Counts a waiting pull while it lives.
pub struct WaitingGuard(Arc<Wakeups>);

impl Drop for WaitingGuard {
    fn drop(&mut self) {
        self.0.counts.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recheck_is_rare_only_while_notifications_arrive() {
        let pg = Wakeups::new(WakeMode::Notify, true);
        assert_eq!(pg.recheck_every(), WAIT_RECHECK, "deaf until connected");
        pg.set_listening(true);
        assert_eq!(pg.recheck_every(), SAFETY_RECHECK);
        pg.set_listening(false);
        assert_eq!(pg.recheck_every(), WAIT_RECHECK);
        let sqlite = Wakeups::new(WakeMode::Notify, false);
        assert_eq!(sqlite.recheck_every(), SAFETY_RECHECK);
        assert!(sqlite.listening());
        let poll = Wakeups::new(WakeMode::Poll, false);
        assert_eq!(poll.recheck_every(), WAIT_RECHECK);
    }
}
