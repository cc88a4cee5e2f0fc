//! Sync on the [`Journal`]: turn it on with a relay and show the pairing code, join from
//! another device's code, sync now, check the status, and run it in the background.
//! Each call blocks until the relay has answered (a runtime owned by the core does the
//! network): call them off the UI thread, as every journal call.

use crate::background_sync::{self, SyncHandle, SyncObserver};
use crate::error::{guard, Result};
use crate::journal::Journal;
use crate::sync_records::{SyncReport, SyncStatus};
use onward_core::sync::{self, progress};
use std::sync::Arc;

#[uniffi::export]
impl Journal {
    /// Turns sync on with the relay at `relay_url` (`https://…`, or `http://` on a
    /// loopback address) and returns the pairing code to show (as text or a QR code) to
    /// the other devices. Nothing is sent yet: `sync_now` or the background sync does
    /// that. A relay that can't be reached raises `Sync` and leaves sync off.
    pub fn enable_sync(&self, relay_url: String) -> Result<String> {
        guard(|| {
            let rt = self.sync_runtime()?;
            let name = sync::default_device_name();
            Ok(rt.block_on(sync::enable(&self.inner, rt.relays(), &relay_url, &name))?)
        })
    }

    /// Joins the journal of a pairing code from another device: this journal's own
    /// entries (if any) and the other devices' are merged, nothing lost. A mangled code
    /// raises `InvalidInput` (field `pairing_code`) and changes nothing; so does a
    /// relay that can't be reached (`Sync`).
    pub fn join_sync(&self, code: String) -> Result<SyncReport> {
        let report = guard(|| {
            let rt = self.sync_runtime()?;
            let name = sync::default_device_name();
            Ok(rt.block_on(sync::join(
                &self.inner,
                rt.relays(),
                &code,
                &name,
                &progress::ignore,
            ))?)
        });
        self.observers.dispatch();
        report.map(Into::into)
    }

    /// Sends what the relay lacks, brings in what other devices sent, and checks the
    /// result with the relay. Raises `Sync` when the relay can't be reached or refuses
    /// this journal; the journal keeps working offline, and nothing is lost.
    pub fn sync_now(&self) -> Result<SyncReport> {
        let report = guard(|| {
            let rt = self.sync_runtime()?;
            Ok(rt.block_on(sync::sync_now(&self.inner, rt.relays(), &progress::ignore))?)
        });
        self.observers.dispatch();
        report.map(Into::into)
    }

    /// Where sync stands, checked with the relay now. A relay that can't be reached is
    /// no error here: the status says so (`unreachable`) and is not in sync.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        guard(|| {
            let rt = self.sync_runtime()?;
            Ok(rt.block_on(sync::status(&self.inner, rt.relays()))?.into())
        })
    }

    /// Whether this journal syncs (no network involved): which sync screen to show.
    pub fn is_sync_enabled(&self) -> Result<bool> {
        self.read(|j| Ok(j.sync_settings()?.is_some()))
    }

    /// The pairing code again, to add another device. Raises `Sync` when sync is off.
    pub fn pairing_code(&self) -> Result<String> {
        self.read(|j| Ok(sync::pairing_code(j)?))
    }

    /// Turns sync off on this device and stops the background sync: the records stay,
    /// the relay and the other devices keep theirs. Says whether sync was on.
    pub fn disable_sync(&self) -> Result<bool> {
        if let Some(running) = self.running() {
            running.stop();
        }
        self.write(|j| Ok(j.disable_sync()?))
    }

    /// Starts syncing in the background: a round now, then after every local change and
    /// whenever another device sends something, retrying with growing pauses while
    /// offline. `observer` hears each state; merged records reach this journal's
    /// observers too. Keep the handle: stopping or dropping it ends the sync. Starting
    /// again replaces a sync already running. Raises `Sync` when sync is off.
    pub fn start_background_sync(
        &self,
        observer: Arc<dyn SyncObserver>,
    ) -> Result<Arc<SyncHandle>> {
        guard(|| {
            if let Some(previous) = self.running() {
                previous.stop();
            }
            let (handle, running) = background_sync::start(
                self.inner.clone(),
                &*self.sync_runtime()?,
                observer,
                self.observers.clone(),
            )?;
            *self
                .background
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = running;
            Ok(Arc::new(handle))
        })
    }
}
