//! One sync's context: the journal (locked only for local steps, never across a network
//! wait), its keys, the relay and whom to tell about progress.

use super::keys::Keys;
use super::progress::{OnProgress, Phase, Progress};
use super::relay::{Connect, Relay};
use crate::{Journal, Result};
use std::sync::{Arc, Mutex, MutexGuard};

pub(crate) struct Session<'a> {
    journal: &'a Mutex<Journal>,
    pub keys: Keys,
    pub relay: Arc<dyn Relay>,
    progress: OnProgress<'a>,
}

impl<'a> Session<'a> {
    /// A session for a journal that syncs ([`crate::Error::SyncNotEnabled`] otherwise).
    pub fn open(
        journal: &'a Mutex<Journal>,
        relays: &dyn Connect,
        progress: OnProgress<'a>,
    ) -> Result<Session<'a>> {
        let settings = lock(journal).sync_enabled()?;
        Ok(Session {
            journal,
            keys: settings.secret.keys(),
            relay: relays.relay(&settings.relay_url)?,
            progress,
        })
    }

    /// Runs `f` with the journal locked. Keep it short: the app may be waiting.
    pub fn with<T>(&self, f: impl FnOnce(&mut Journal) -> Result<T>) -> Result<T> {
        f(&mut lock(self.journal))
    }

    pub fn report(&self, phase: Phase, done: u64, total: u64) {
        (self.progress)(Progress { phase, done, total });
    }
}

/// Locks the journal. A panic elsewhere while it was held leaves SQLite consistent (every
/// write is one transaction), so a poisoned lock is taken over rather than passed on.
pub(crate) fn lock(journal: &Mutex<Journal>) -> MutexGuard<'_, Journal> {
    journal
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
