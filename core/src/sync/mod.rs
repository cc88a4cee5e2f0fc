//! Sync between a person's devices through an end-to-end encrypted relay: the device
//! side of docs/SYNC.md. The relay stores sealed batches of Automerge changes it cannot
//! read; devices push what the relay lacks and pull what others pushed.
//!
//! The relay is trusted for nothing: every answer is checked before it is used
//! ([`answer_check`]), what it could lie about is sealed ([`sealed`]), and a relay that
//! went back to an earlier state (a restored backup) is noticed and caught up again
//! without the person doing anything. The decisions (keys, codes, envelopes, batches,
//! checks) are plain functions without I/O; the policy runs against the [`Relay`] trait
//! ([`http`] is the real one); the steps take the journal behind a `Mutex` and lock it
//! only between relay calls, never across one. [`background`] runs them in a loop for
//! the apps.

pub mod answer_check;
pub mod background;
pub mod batches;
pub mod device_list;
pub mod devices;
pub mod envelope;
pub mod http;
pub mod keys;
pub mod membership;
pub mod pairing;
pub mod progress;
mod pull;
mod push;
mod records;
pub mod relay;
pub mod runtime;
pub mod sealed;
pub mod secrets;
mod session;
mod snapshot;
mod status;

pub use crate::store::sync_state::{PeerRecord, RefusedBatch, SyncSettings};
pub use background::{SyncHandle, SyncObserver, SyncState};
pub use devices::{
    delete_relay_copy, devices, enable, enable_with_token, invite, join, leave, preview,
    recover_from_kit, recovery_kit, remove, restore_relay_copy, Device, InvitationPreview, Invite,
    Removed,
};
pub use http::{HttpRelay, HttpRelays};
pub use keys::Keys;
pub use progress::{OnProgress, Phase, Progress, Unit};
pub use pull::Pulled;
pub use push::Pushed;
pub use relay::{Connect, Relay};
pub use runtime::SyncRuntime;
pub use secrets::{KeyFile, SecretStore};
pub use snapshot::Uploaded;
pub use status::{DeviceStatus, SyncStatus};

use crate::{Error, Journal, Result};
use session::Session;
use std::sync::Mutex;

/// What one round of sync did, and where it left the journal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub pushed: Pushed,
    pub pulled: Pulled,
    pub snapshot: Option<Uploaded>,
    /// Set when the relay was found to have gone back and this device caught it up.
    pub recovered: Option<Recovered>,
    pub status: SyncStatus,
}

/// The relay had gone back to an earlier state, and this device caught it up again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recovered {
    /// How it showed.
    pub reason: String,
    /// Changes of this journal the relay had lost, sent again.
    pub resent_changes: usize,
}

impl Recovered {
    /// What happened, in a sentence for the person.
    pub fn summary(&self) -> String {
        if self.resent_changes == 0 {
            "The relay had gone back to an earlier copy of your journal; this device caught up with it, and nothing was lost.".into()
        } else {
            format!(
                "The relay lost some recent changes; this device sent them again ({}).",
                crate::words::plural(self.resent_changes, "change")
            )
        }
    }
}

/// How another device names this one when nothing else was said: the machine's name.
pub fn default_device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "another device".into())
}

/// Pulls first, so that only this device's own changes go out (a new device, or one
/// starting over), then pushes them, then pulls what was just sent to check it is there.
pub(crate) async fn catch_up(s: &Session<'_>) -> Result<(Pushed, Pulled)> {
    let mut pulled = Pulled::default();
    if let Some(snapshot) = s.relay.info(&s.keys).await?.snapshot {
        let merged = snapshot::fetch_and_merge(s, &snapshot).await?;
        pulled.changes += merged.new_changes;
        pulled.changed_ids = merged.changed.ids;
        pulled.from_snapshot = true;
    }
    pulled.add(pull::pull(s).await?);
    let pushed = push::push(s).await?;
    pulled.add(pull::pull(s).await?);
    Ok((pushed, pulled))
}

/// One round: push what the relay lacks, pull what it has (which also shows that what
/// it acknowledged is there), upload a snapshot when one is due, then check where that
/// left things. A relay found to have gone back is caught up again: this device starts
/// over from what the relay still has and sends what it lost.
pub async fn sync_now(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    progress: OnProgress<'_>,
) -> Result<SyncReport> {
    let s = Session::start(journal, relays, progress).await?;
    let seen_before = s.with(|j| Ok(j.sync_enabled()?.incarnation.is_some()))?;
    // What the first push sent counts also when the pull then finds the relay went back.
    let mut sent = Pushed::default();
    let outcome = async {
        sent = push::push(&s).await?;
        let pulled = pull::pull(&s).await?;
        Ok((sent, pulled))
    }
    .await;
    let recovery = match &outcome {
        Err(Error::RelayWentBack { reason }) => Some(reason.clone()),
        // A relay that served this journal before and now doesn't know it lost its
        // database: register the journal again (a journal there under another
        // credential still refuses) and start over.
        Err(Error::RelayRefusedCredential { .. }) if seen_before => {
            match devices::register_again(&s).await {
                Ok(()) => Some("it no longer knew this journal".to_string()),
                Err(e) => return finish(&s, Err(e)).await,
            }
        }
        _ => None,
    };
    let outcome = match recovery {
        Some(reason) => recover(&s, reason)
            .await
            .map(|(mut pushed, pulled, recovered)| {
                pushed.add(sent);
                (pushed, pulled, recovered)
            }),
        None => outcome.map(|(pushed, pulled)| (pushed, pulled, None)),
    };
    finish(&s, outcome).await
}

/// Starts over with a relay that went back: forget what it was believed to hold, pull
/// what it has, send what it lost. Once per round: a relay that keeps going back is an
/// error, not a loop.
async fn recover(s: &Session<'_>, reason: String) -> Result<(Pushed, Pulled, Option<Recovered>)> {
    tracing::warn!("the relay went back ({reason}); starting over with it");
    s.with(|j| j.start_sync_over(&reason))?;
    let (pushed, pulled) = catch_up(s).await?;
    let recovered = Recovered {
        reason,
        resent_changes: pushed.changes,
    };
    Ok((pushed, pulled, Some(recovered)))
}

/// Records the outcome; on success, uploads a snapshot if one is due, leaves this
/// device's record with the relay and checks status.
pub(crate) async fn finish(
    s: &Session<'_>,
    outcome: Result<(Pushed, Pulled, Option<Recovered>)>,
) -> Result<SyncReport> {
    let (pushed, pulled, recovered) = match outcome {
        Ok(done) => done,
        Err(e) => {
            s.with(|j| j.record_sync_outcome(Some(&e.to_string())))?;
            return Err(e);
        }
    };
    // A snapshot is a saving for the relay and for new devices, never a condition of
    // this sync: if it fails, the next round tries again.
    let snapshot = match snapshot::maybe_upload(s, false).await {
        Ok(uploaded) => uploaded,
        Err(e) => {
            tracing::warn!("snapshot upload failed: {e}");
            None
        }
    };
    if let Err(e) = records::publish(s).await {
        s.with(|j| j.record_sync_outcome(Some(&e.to_string())))?;
        return Err(e);
    }
    s.with(|j| j.record_sync_outcome(None))?;
    let status = status::check(s).await?;
    Ok(SyncReport {
        pushed,
        pulled,
        snapshot,
        recovered,
        status,
    })
}

/// Sends the pending changes only.
pub async fn push(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    progress: OnProgress<'_>,
) -> Result<Pushed> {
    let s = Session::start(journal, relays, progress).await?;
    push::push(&s).await
}

/// Brings in what the relay has after the cursor only.
pub async fn pull(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    progress: OnProgress<'_>,
) -> Result<Pulled> {
    let s = Session::start(journal, relays, progress).await?;
    pull::pull(&s).await
}

/// Uploads a snapshot now if the journal is caught up and the relay has batches after
/// its last snapshot (`None` otherwise).
pub async fn upload_snapshot(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    progress: OnProgress<'_>,
) -> Result<Option<Uploaded>> {
    let s = Session::start(journal, relays, progress).await?;
    snapshot::maybe_upload(&s, true).await
}

/// Where sync stands, checked with the relay. An unreachable relay is reported in the
/// status (`unreachable`), not as an error.
pub async fn status(journal: &Mutex<Journal>, relays: &dyn Connect) -> Result<SyncStatus> {
    let s = Session::start(journal, relays, &progress::ignore).await?;
    status::check(&s).await
}
