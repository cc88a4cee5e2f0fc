//! Sync between a person's devices through an end-to-end encrypted relay: the device
//! side of docs/SYNC.md. The relay stores sealed batches of Automerge changes it cannot
//! read; devices push what the relay lacks and pull what others pushed.
//!
//! The decisions (keys, codes, envelopes, frames, batches) are plain functions without
//! I/O; the network is in [`client`]; the steps that use both take the journal behind a
//! `Mutex` and lock it only between network calls, never across one. [`background`]
//! runs them in a loop for the apps.

pub mod background;
pub mod batches;
pub mod client;
pub mod envelope;
pub mod frames;
pub mod keys;
pub mod pairing;
pub mod progress;
mod pull;
mod push;
mod session;
mod snapshot;
pub mod state;
mod status;

pub use background::{SyncHandle, SyncObserver, SyncState};
pub use keys::RootSecret;
pub use progress::{OnProgress, Phase, Progress, Unit};
pub use pull::Pulled;
pub use push::Pushed;
pub use snapshot::Uploaded;
pub use state::{RefusedBatch, SyncSettings};
pub use status::SyncStatus;

use crate::{Error, Journal, Result};
use client::RelayClient;
use session::{lock, Session};
use std::sync::Mutex;

/// What one round of sync did, and where it left the journal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub pushed: Pushed,
    pub pulled: Pulled,
    pub snapshot: Option<Uploaded>,
    pub status: SyncStatus,
}

/// Turns sync on for a journal that has none: a new root secret, the journal registered
/// with the relay at `relay_url`. Returns the pairing code for the other devices.
/// Nothing is sent yet: [`sync_now`] does that.
pub async fn enable(journal: &Mutex<Journal>, relay_url: &str) -> Result<String> {
    let relay_url = pairing::relay_url(relay_url)?;
    if let Some(settings) = lock(journal).sync_settings()? {
        return Err(Error::SyncAlreadyEnabled {
            url: settings.relay_url,
        });
    }
    let secret = RootSecret::generate();
    RelayClient::new(&relay_url, &secret.keys())?
        .create_journal()
        .await?;
    lock(journal).enable_sync(&relay_url, &secret)?;
    Ok(pairing::encode(&pairing::Pairing { secret, relay_url }))
}

/// Joins the journal of a pairing code: the relay is asked first, so a wrong code or a
/// journal the relay doesn't know changes nothing here. Then the relay's snapshot (if
/// any) and batches come in and this journal's own entries go out: both end merged.
pub async fn join(
    journal: &Mutex<Journal>,
    code: &str,
    progress: OnProgress<'_>,
) -> Result<SyncReport> {
    let pairing = pairing::decode(code)?;
    if let Some(settings) = lock(journal).sync_settings()? {
        return Err(Error::SyncAlreadyEnabled {
            url: settings.relay_url,
        });
    }
    let keys = pairing.secret.keys();
    let info = RelayClient::new(&pairing.relay_url, &keys)?.info().await?;
    lock(journal).enable_sync(&pairing.relay_url, &pairing.secret)?;
    let s = Session::open(journal, progress)?;
    let outcome = async {
        let mut pulled = Pulled::default();
        if let Some(snapshot) = &info.snapshot {
            let merged = snapshot::fetch_and_merge(&s, snapshot).await?;
            pulled.changes += merged.new_changes;
            pulled.changed_ids = merged.changed.ids;
            pulled.from_snapshot = true;
        }
        // Pull first, so that only this device's own changes go out; then pull again
        // to catch up with what was just sent.
        pulled.add(pull::pull(&s).await?);
        let pushed = push::push(&s).await?;
        pulled.add(pull::pull(&s).await?);
        Ok((pushed, pulled))
    }
    .await;
    finish(&s, outcome).await
}

/// One round: push what the relay lacks, pull what it has, upload a snapshot when one
/// is due, then check where that left things.
pub async fn sync_now(journal: &Mutex<Journal>, progress: OnProgress<'_>) -> Result<SyncReport> {
    let s = Session::open(journal, progress)?;
    let outcome = async {
        let pushed = push::push(&s).await?;
        let pulled = pull::pull(&s).await?;
        Ok((pushed, pulled))
    }
    .await;
    finish(&s, outcome).await
}

/// Records the outcome; on success, uploads a snapshot if one is due and checks status.
async fn finish(s: &Session<'_>, outcome: Result<(Pushed, Pulled)>) -> Result<SyncReport> {
    let (pushed, pulled) = match outcome {
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
    s.with(|j| j.record_sync_outcome(None))?;
    let status = status::check(s).await?;
    Ok(SyncReport {
        pushed,
        pulled,
        snapshot,
        status,
    })
}

/// Sends the pending changes only.
pub async fn push(journal: &Mutex<Journal>, progress: OnProgress<'_>) -> Result<Pushed> {
    let s = Session::open(journal, progress)?;
    push::push(&s).await
}

/// Brings in what the relay has after the cursor only.
pub async fn pull(journal: &Mutex<Journal>, progress: OnProgress<'_>) -> Result<Pulled> {
    let s = Session::open(journal, progress)?;
    pull::pull(&s).await
}

/// Uploads a snapshot now if the journal is caught up and the relay has batches after
/// its last snapshot (`None` otherwise).
pub async fn upload_snapshot(
    journal: &Mutex<Journal>,
    progress: OnProgress<'_>,
) -> Result<Option<Uploaded>> {
    let s = Session::open(journal, progress)?;
    snapshot::maybe_upload(&s, true).await
}

/// Where sync stands, checked with the relay. An unreachable relay is reported in the
/// status (`unreachable`), not as an error.
pub async fn status(journal: &Mutex<Journal>) -> Result<SyncStatus> {
    let s = Session::open(journal, &progress::ignore)?;
    status::check(&s).await
}

/// The pairing code of a journal that syncs, to join another device.
pub fn pairing_code(journal: &Journal) -> Result<String> {
    let settings = journal.sync_enabled()?;
    Ok(pairing::encode(&pairing::Pairing {
        secret: settings.secret,
        relay_url: settings.relay_url,
    }))
}
