//! The journal's devices (docs/SYNC.md, "Devices and keys" to "Recovery kit"): invite
//! one, see what a code joins and join it, list them, remove one (a lost phone), leave,
//! delete the relay's copy, and the recovery kit. The rules are the core's; these calls
//! run its steps on the handle's sync runtime and convert what they return.

use crate::device_records::{
    DeviceInfo, Invitation, InvitationPreview, RelayCopyDeleted, RemovedDevice,
};
use crate::error::{guard, Result};
use crate::journal::Journal;
use crate::sync_records::SyncReport;
use onward_core::sync::{self, progress};
use std::time::Duration;

#[uniffi::export]
impl Journal {
    /// A one-time invitation for another device, valid `lifetime_minutes` (10 unless
    /// said; at most a day, else `InvalidInput`, field `expires`) or until used. Show
    /// its code as a QR code and as text on a screen kept out of screenshots, and put
    /// it away once used or expired. Raises `Sync` when sync is off or the relay can't
    /// be reached.
    #[uniffi::method(default(lifetime_minutes = 10))]
    pub fn invite_device(&self, lifetime_minutes: u32) -> Result<Invitation> {
        guard(|| {
            let rt = self.sync_runtime()?;
            let lifetime = Duration::from_secs(u64::from(lifetime_minutes) * 60);
            Ok(rt
                .block_on(sync::invite(&self.inner, rt.relays(), lifetime))?
                .into())
        })
    }

    /// What the invitation `code` would join (its relay, the devices there, when it
    /// expires), checked with the relay; nothing changes here or there. Show it and ask
    /// before `join_sync`. A mangled code raises `InvalidInput` (field `invitation`),
    /// and so does one already used or expired.
    pub fn preview_invitation(&self, code: String) -> Result<InvitationPreview> {
        guard(|| {
            let rt = self.sync_runtime()?;
            Ok(rt.block_on(sync::preview(rt.relays(), &code))?.into())
        })
    }

    /// Joins the journal of an invitation (after `preview_invitation` and the person's
    /// yes): the invitation is used up, this device makes its own keys, and this
    /// journal's own entries (if any) and the other devices' are merged, nothing lost.
    /// `device_name` is how the others list this device (the machine's name when null).
    /// A mangled, used or expired code raises `InvalidInput` (field `invitation`) and
    /// changes nothing; so does a relay that can't be reached (`Sync`).
    #[uniffi::method(default(device_name = None))]
    pub fn join_sync(&self, code: String, device_name: Option<String>) -> Result<SyncReport> {
        let report = guard(|| {
            let rt = self.sync_runtime()?;
            let name = device_name.unwrap_or_else(sync::default_device_name);
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

    /// The journal's devices and recovery kit, as this device last checked them (no
    /// network: sync first for the newest). Raises `Sync` when sync is off.
    pub fn devices(&self) -> Result<Vec<DeviceInfo>> {
        self.read(|j| Ok(sync::devices(j)?.into_iter().map(Into::into).collect()))
    }

    /// Removes another device (a lost phone, one sold) by its name or id: syncs first,
    /// then the relay refuses that device from now on and what is written next is under
    /// a new key it never gets. The other devices carry on by themselves. An unknown
    /// name raises `NotFound`; this device's own name raises `InvalidInput` (field
    /// `device`: that is `leave_sync`).
    pub fn remove_device(&self, name: String) -> Result<RemovedDevice> {
        let removed = guard(|| {
            let rt = self.sync_runtime()?;
            Ok(rt.block_on(sync::remove(
                &self.inner,
                rt.relays(),
                &name,
                &progress::ignore,
            ))?)
        });
        self.observers.dispatch();
        removed.map(Into::into)
    }

    /// Takes this device off the journal's devices (the others get a new key) and turns
    /// sync off here; every record stays on this device. The journal's only device
    /// can't leave (`InvalidInput`, field `device`): turn sync off, or delete the
    /// relay's copy.
    pub fn leave_sync(&self) -> Result<()> {
        let left = guard(|| {
            let rt = self.sync_runtime()?;
            Ok(rt.block_on(sync::leave(&self.inner, rt.relays()))?)
        });
        // Sync is off now: the loop would stop at its next round; stop it at once.
        if left.is_ok() {
            self.stop_background();
        }
        left
    }

    /// Asks the relay to delete its copy of the journal and turns sync off here; every
    /// record stays on this device. Only the last device may (`InvalidInput`, field
    /// `device`, while others sync). Until `purge_after`, `restore_relay_copy` on this
    /// device brings the copy back: its keys stay in the secret store until then.
    pub fn delete_relay_copy(&self) -> Result<RelayCopyDeleted> {
        let deleted = guard(|| {
            let rt = self.sync_runtime()?;
            let answer = rt.block_on(sync::delete_relay_copy(&self.inner, rt.relays()))?;
            Ok(RelayCopyDeleted::from_ms(answer.purge_after_ms))
        });
        if deleted.is_ok() {
            self.stop_background();
        }
        deleted
    }

    /// Brings back the relay's copy this device deleted (`delete_relay_copy`) while
    /// the relay keeps it, turns sync on again where it stopped, and syncs. Raises
    /// `Sync` when there is nothing to restore, or when the relay already dropped it
    /// for good (its keys are then forgotten here).
    pub fn restore_relay_copy(&self) -> Result<SyncReport> {
        let report = guard(|| {
            let rt = self.sync_runtime()?;
            Ok(rt.block_on(sync::restore_relay_copy(
                &self.inner,
                rt.relays(),
                &progress::ignore,
            ))?)
        });
        self.observers.dispatch();
        report.map(Into::into)
    }

    /// A new recovery kit (`ONWARDKIT1-…`): with it, a new device gets the journal back
    /// when every other is gone. It is the only place its secret exists and it opens
    /// the journal: show it once, only when asked, with a warning to keep it like a
    /// house key, never on a shared clipboard. A kit made before stops working.
    pub fn recovery_kit(&self) -> Result<String> {
        guard(|| {
            let rt = self.sync_runtime()?;
            Ok(rt.block_on(sync::recovery_kit(&self.inner, rt.relays()))?)
        })
    }

    /// Brings the journal of a recovery kit onto this device, which doesn't sync yet:
    /// the device joins by the kit and everything comes in, merged with what is here.
    /// A mangled kit raises `InvalidInput` (field `recovery_kit`) and changes nothing.
    #[uniffi::method(default(device_name = None))]
    pub fn recover_from_kit(&self, kit: String, device_name: Option<String>) -> Result<SyncReport> {
        let report = guard(|| {
            let rt = self.sync_runtime()?;
            let name = device_name.unwrap_or_else(sync::default_device_name);
            Ok(rt.block_on(sync::recover_from_kit(
                &self.inner,
                rt.relays(),
                &kit,
                &name,
                &progress::ignore,
            ))?)
        });
        self.observers.dispatch();
        report.map(Into::into)
    }
}
