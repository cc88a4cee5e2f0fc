//! Background sync for the apps: a loop on a tokio runtime owned by the core that syncs
//! when nudged (after a local write) and when the relay's long poll says batches arrived,
//! backs off on errors, and tells a [`SyncObserver`] how things stand. The journal is
//! locked only for local steps, never across a network wait. Dropping the
//! [`SyncHandle`] (or [`SyncHandle::stop`]) ends the loop.

use super::progress::Progress;
use super::relay::{Batches, Connect};
use super::runtime::SyncRuntime;
use super::session::lock;
use super::status::SyncStatus;
use crate::store::sync_state::RefusedBatch;
use crate::{Error, Journal, Result};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// How long one long poll asks the relay to hold on (its maximum is 60 s).
const LONG_POLL: Duration = Duration::from_secs(50);
/// The first wait after an error; it doubles with each failure in a row...
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// ...up to this.
const MAX_RETRY: Duration = Duration::from_secs(300);

/// How the background sync stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    /// A round is under way; `progress` once there is some to tell.
    Syncing { progress: Option<Progress> },
    /// A round finished and was checked with the relay: `status.in_sync` says whether
    /// everything matches.
    Synced { status: Box<SyncStatus> },
    /// The last round failed (offline, relay down or refusing); the next try comes
    /// after `retry_in`, or sooner when nudged.
    Offline { error: String, retry_in: Duration },
    /// Batches pulled in this round were refused (not applied); the others were.
    Refused { batches: Vec<RefusedBatch> },
}

/// Hears the background sync's state changes, on the sync's own thread.
pub trait SyncObserver: Send + Sync {
    fn on_state(&self, state: SyncState);
}

/// A running background sync. Dropping it stops the loop.
pub struct SyncHandle {
    nudge: Arc<Notify>,
    stop: watch::Sender<bool>,
}

impl SyncHandle {
    /// Starts syncing `journal` in the background on the handle's runtime (so it shares
    /// its relay connections). It must already sync ([`Error::SyncNotEnabled`] otherwise).
    pub fn start(
        journal: Arc<Mutex<Journal>>,
        runtime: &SyncRuntime,
        observer: Arc<dyn SyncObserver>,
    ) -> Result<SyncHandle> {
        lock(&journal).sync_enabled()?;
        let nudge = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        runtime.handle().spawn(run(
            journal,
            runtime.shared_relays(),
            observer,
            nudge.clone(),
            stopped,
        ));
        Ok(SyncHandle { nudge, stop })
    }

    /// Asks for a round soon (after a local write, or when the app comes to the front).
    /// Nudges during a round lead to one more round.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// Stops the loop; a round under way is dropped between two steps, and whatever it
    /// merged or pushed so far stays recorded.
    pub fn stop(self) {}
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn run(
    journal: Arc<Mutex<Journal>>,
    relays: Arc<dyn Connect>,
    observer: Arc<dyn SyncObserver>,
    nudge: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut failures: u32 = 0;
    loop {
        observer.on_state(SyncState::Syncing { progress: None });
        let tell = {
            let observer = observer.clone();
            move |p: Progress| observer.on_state(SyncState::Syncing { progress: Some(p) })
        };
        let round = tokio::select! {
            round = super::sync_now(&journal, relays.as_ref(), &tell) => round,
            _ = stopped.changed() => return,
        };
        match round {
            Ok(report) => {
                failures = 0;
                let refused_now = report.pulled.refused;
                if refused_now > 0 {
                    let all = report.status.refused.clone();
                    let batches = all[all.len().saturating_sub(refused_now)..].to_vec();
                    observer.on_state(SyncState::Refused { batches });
                }
                let cursor = report.status.cursor;
                observer.on_state(SyncState::Synced {
                    status: Box::new(report.status),
                });
                tokio::select! {
                    _ = nudge.notified() => {}
                    _ = until_new_batches(&journal, relays.as_ref(), cursor) => {}
                    _ = stopped.changed() => return,
                }
            }
            Err(Error::SyncNotEnabled) => {
                observer.on_state(SyncState::Offline {
                    error: Error::SyncNotEnabled.to_string(),
                    retry_in: Duration::MAX,
                });
                return;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let retry_in = backoff(failures);
                observer.on_state(SyncState::Offline {
                    error: e.to_string(),
                    retry_in,
                });
                tokio::select! {
                    _ = tokio::time::sleep(retry_in) => {}
                    _ = nudge.notified() => {}
                    _ = stopped.changed() => return,
                }
            }
        }
    }
}

/// The wait before retry number `failures`: 1 s, 2 s, 4 s, ... up to five minutes.
fn backoff(failures: u32) -> Duration {
    let doubled = FIRST_RETRY.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    doubled.min(MAX_RETRY)
}

/// Long-polls the relay until a batch after `cursor` exists. Returns on an error too
/// (after a short pause), so the next round can say what is wrong.
async fn until_new_batches(journal: &Mutex<Journal>, relays: &dyn Connect, cursor: u64) {
    let (Ok(settings), Ok(keys)) = ({
        let j = lock(journal);
        (j.sync_enabled(), j.sync_keys())
    }) else {
        return;
    };
    let Ok(relay) = relays.relay(&settings.relay_url) else {
        return;
    };
    loop {
        let asked = tokio::time::Instant::now();
        match relay.batches(&keys, cursor, 1, LONG_POLL).await {
            Ok(Batches::Frames(answer)) if answer.frames.is_empty() => {
                // A relay that answers at once (shutting down, or not holding polls)
                // must not make this loop spin.
                tokio::time::sleep_until(asked + FIRST_RETRY).await;
            }
            Ok(_) => return,
            Err(_) => {
                tokio::time::sleep(FIRST_RETRY).await;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let waits: Vec<u64> = (1..=12).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        assert_eq!(backoff(u32::MAX), MAX_RETRY);
    }
}
