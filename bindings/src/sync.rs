//! Sync on the [`Journal`]: turn it on with a relay, sync now, check the status, run it
//! in the background, turn it off. Adding and removing devices is in `devices.rs`.
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
    /// Turns sync on with the relay at `relay_url`: this device makes its own keys (kept
    /// in the `SecretStore` given to `open`) and registers a new journal there. Then
    /// `invite_device` adds the next device. `device_name` is how the other devices list
    /// this one (the machine's name when null). `relay_url` must be `https://`; plain
    /// `http://` is refused (`InvalidInput`, field `relay`) unless it is this machine
    /// or `allow_plain_http` is set. Nothing of the journal is sent yet: `sync_now` or
    /// the background sync does that. A relay that can't be reached raises `Sync` and
    /// leaves sync off.
    #[uniffi::method(default(device_name = None, allow_plain_http = false))]
    pub fn enable_sync(
        &self,
        relay_url: String,
        device_name: Option<String>,
        allow_plain_http: bool,
    ) -> Result<()> {
        guard(|| {
            let rt = self.sync_runtime()?;
            let name = device_name.unwrap_or_else(sync::default_device_name);
            Ok(rt.block_on(sync::enable(
                &self.inner,
                rt.relays(),
                &relay_url,
                allow_plain_http,
                &name,
            ))?)
        })
    }

    /// Sends what the relay lacks, brings in what other devices sent, and checks the
    /// result with the relay. Raises `Sync` when the relay can't be reached or refuses
    /// this journal (this device removed, say: `detail` says so); the journal keeps
    /// working offline, and nothing is lost.
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

    /// Turns sync off on this device and stops the background sync, telling no one:
    /// the records stay, the relay and the other devices keep theirs, and the device
    /// list still names this device (`leave_sync` takes it off). Says whether sync was
    /// on.
    pub fn disable_sync(&self) -> Result<bool> {
        self.stop_background();
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
            self.stop_background();
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

impl Journal {
    /// Stops the background sync, if one runs (before sync is turned off here).
    pub(crate) fn stop_background(&self) {
        if let Some(running) = self.running() {
            running.stop();
        }
    }
}
