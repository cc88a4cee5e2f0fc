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
    /// A session for a journal that syncs ([`crate::Error::SyncNotEnabled`] otherwise),
    /// with the keys and device list as this device last verified them.
    pub fn open(
        journal: &'a Mutex<Journal>,
        relays: &dyn Connect,
        progress: OnProgress<'a>,
    ) -> Result<Session<'a>> {
        let (settings, keys) = {
            let j = lock(journal);
            (j.sync_enabled()?, j.sync_keys()?)
        };
        Ok(Session {
            journal,
            keys,
            relay: relays.relay(&settings.relay_url)?,
            progress,
        })
    }

    /// A session that first reads the device list and any new key from the relay
    /// ([`super::membership::refresh`]): a device removed meanwhile learns it here, the
    /// others move to a new epoch. A relay that can't be reached or can't answer right
    /// now (a 503 from its proxy) leaves the kept list in place; the calls after say so,
    /// and a status check still shows what this device knows.
    pub async fn start(
        journal: &'a Mutex<Journal>,
        relays: &dyn Connect,
        progress: OnProgress<'a>,
    ) -> Result<Session<'a>> {
        let mut s = Session::open(journal, relays, progress)?;
        match super::membership::refresh(&mut s).await {
            Err(crate::Error::RelayUnreachable { .. } | crate::Error::Relay { .. }) => {}
            other => other?,
        }
        Ok(s)
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
