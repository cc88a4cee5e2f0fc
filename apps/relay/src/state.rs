//! What every request handler shares.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::clock::Clock;
use crate::guard::Guard;
use crate::metrics::Metrics;
use crate::storage::Storage;
use crate::wakeups::Wakeups;

/// The state behind the router: storage, limits, long-poll wake-ups and the shutdown signal.
#[derive(Clone)]
pub struct AppState {
    /// Where journals live.
    pub storage: Arc<dyn Storage>,
    /// Per-journal quota of stored bytes.
    pub quota_bytes: u64,
    /// The largest request body.
    pub max_body_bytes: usize,
    /// Wakes waiting pulls when a batch arrives.
    pub wakeups: Arc<Wakeups>,
    /// Turns true when the relay is shutting down, so long-polls answer at once.
    pub shutdown: watch::Receiver<bool>,
    /// The relay's clock (invitation expiry, deletion).
    pub clock: Clock,
    /// How long a deleted journal can be restored before it is purged.
    pub delete_grace: Duration,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// Abuse limits: rates, long-poll caps, registration.
    pub guard: Arc<Guard>,
}
