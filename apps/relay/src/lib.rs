//! onward-relay: stores and forwards the end-to-end encrypted sync batches and snapshots of
//! Onward journals (the protocol is docs/SYNC.md). It never sees plaintext.
//!
//! ```no_run
//! # async fn run() -> Result<(), onward_relay::StartError> {
//! let config = onward_relay::Config::sqlite("onward-relay.db".into(), "127.0.0.1:0".parse().unwrap());
//! let running = onward_relay::serve(config).await?;
//! println!("listening on http://{}", running.addr());
//! running.shutdown().await;
//! # Ok(()) }
//! ```

pub mod api;
pub mod auth;
pub mod clock;
pub mod error;
pub mod frames;
pub mod fuzz_targets;
pub mod guard;
pub mod ids;
pub mod logging;
pub mod metrics;
pub mod state;
pub mod storage;
pub mod wakeups;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use onward_protocol::limits;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::state::AppState;
use crate::storage::pg_connect::{self, PgTarget};
use crate::storage::postgres::PostgresStorage;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::stall::PushStall;
use crate::storage::Storage;
pub use crate::wakeups::WakeMode;
use crate::wakeups::Wakeups;

/// Where the relay keeps journals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// A SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database URL, e.g. `postgres://relay@db.example:5432/onward`, with
    /// libpq's `sslmode` (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`) and
    /// `sslrootcert` (see [`storage::pg_connect`]).
    Postgres(String),
}

/// How to run a relay.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Where journals are kept.
    pub store: Store,
    /// Per-journal quota of stored bytes.
    pub quota_bytes: u64,
    /// The largest request body.
    pub max_body_bytes: usize,
    /// Test knob (`ONWARD_RELAY_STALL_PUSH_MS`): hold each push of a new batch this long
    /// inside its transaction, before the commit, so a test can kill the relay there.
    pub stall_push: Option<Duration>,
    /// How long a deleted journal can be restored before it is purged.
    pub delete_grace: Duration,
    /// The relay's clock; tests move it forward (see [`Clock::advance`]).
    pub clock: Clock,
    /// How waiting pulls learn of new batches (`Poll`: the old design, to compare).
    pub wake: WakeMode,
    /// Abuse limits: request rates, connection and long-poll caps, read timeouts.
    pub limits: guard::Limits,
    /// Who may create a journal.
    pub registration: guard::Registration,
}

impl Config {
    /// A relay on `listen` keeping journals in the SQLite file `path`, with default limits.
    pub fn sqlite(path: PathBuf, listen: SocketAddr) -> Self {
        Config {
            listen,
            store: Store::Sqlite(path),
            quota_bytes: limits::DEFAULT_QUOTA_BYTES,
            max_body_bytes: limits::MAX_BODY_BYTES,
            stall_push: None,
            delete_grace: Duration::from_secs(limits::DEFAULT_DELETE_GRACE_SECONDS),
            clock: Clock::default(),
            wake: WakeMode::default(),
            limits: guard::Limits::default(),
            registration: guard::Registration::Open,
        }
    }
}

/// Why a relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}. Is another program using that port?")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why binding failed.
        source: std::io::Error,
    },
    /// The storage could not be opened or its schema not be set up.
    #[error("cannot open the storage: {0}")]
    Storage(String),
    /// A limit in the config is out of range.
    #[error("{0}")]
    Config(String),
}

/// A relay that is serving; [`Running::shutdown`] stops it gracefully.
pub struct Running {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    purge: JoinHandle<()>,
    listen: Option<JoinHandle<()>>,
    wakeups: Arc<Wakeups>,
    storage: Arc<dyn Storage>,
}

impl Running {
    /// The address the relay listens on (with the real port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its waiting pulls' counts (what `/metrics` reports, for tests and benchmarks).
    pub fn wakeups(&self) -> &Arc<Wakeups> {
        &self.wakeups
    }

    /// Stops accepting connections, answers waiting long-polls at once, lets requests in
    /// flight finish, and returns when the server has stopped.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        match self.server.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "the server stopped with an error"),
            Err(e) => tracing::error!(error = %e, "the server task failed"),
        }
        // Awaited too: it holds the storage, which must be closed when this returns (a
        // SQLite file may be replaced next, as in a restore from a backup).
        if let Err(e) = self.purge.await {
            tracing::error!(error = %e, "the purge task failed");
        }
        if let Some(listen) = self.listen {
            if let Err(e) = listen.await {
                tracing::error!(error = %e, "the PostgreSQL listener failed");
            }
        }
        // A connection's task may drop its clone of the router (and so of the storage) a
        // moment after the server said it stopped: wait for the last one (bounded).
        let until = tokio::time::Instant::now() + Duration::from_secs(5);
        while Arc::strong_count(&self.storage) > 1 && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if Arc::strong_count(&self.storage) > 1 {
            tracing::warn!("the storage is still in use 5 s after the server stopped");
        }
    }
}

/// Opens the storage, binds the address and starts serving in the background.
pub async fn serve(config: Config) -> Result<Running, StartError> {
    // A frame's length field is a u32 (docs/SYNC.md, Frames).
    if config.max_body_bytes == 0 || u32::try_from(config.max_body_bytes).is_err() {
        return Err(StartError::Config(format!(
            "the body limit must be 1 byte to 4 GiB; got {}",
            config.max_body_bytes
        )));
    }
    config.limits.check().map_err(StartError::Config)?;
    let (storage, pg) = open_store(&config.store, PushStall(config.stall_push)).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.listen,
        source,
    })?;
    let (stop, stopping) = watch::channel(false);
    // Pushes through other processes reach this one by NOTIFY only in `Notify` mode.
    let pg = pg.filter(|_| config.wake == WakeMode::Notify);
    let wakeups = Arc::new(Wakeups::new(config.wake, pg.is_some()));
    let listen =
        pg.map(|target| storage::listen::spawn(&target, wakeups.clone(), stopping.clone()));
    if listen.is_some() {
        // Serve once pushes through other processes wake this one; a listener that cannot
        // connect in time leaves the pulls on the periodic re-check until it does.
        let until = tokio::time::Instant::now() + LISTEN_FIRST_WITHIN;
        while !wakeups.listening() && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if !wakeups.listening() {
            tracing::warn!("the PostgreSQL listener is not connected yet; waiting pulls re-check storage until it is");
        }
    }
    let state_storage = storage.clone();
    let state = AppState {
        storage,
        quota_bytes: config.quota_bytes,
        max_body_bytes: config.max_body_bytes,
        wakeups: wakeups.clone(),
        shutdown: stopping.clone(),
        clock: config.clock.clone(),
        delete_grace: config.delete_grace,
        metrics: Arc::new(metrics::Metrics::new()),
        guard: Arc::new(guard::Guard::new(
            config.limits.clone(),
            config.registration.clone(),
        )),
    };
    purge_now(&state).await?;
    let purge = tokio::spawn(purge_periodically(state.clone(), stopping.clone()));
    let router = api::router(state);
    let server = tokio::spawn(guard::connections::serve_connections(
        listener,
        router,
        config.limits,
        stopping,
    ));
    Ok(Running {
        addr,
        stop,
        server,
        purge,
        listen,
        wakeups,
        storage: state_storage,
    })
}

/// How long `serve` waits for the PostgreSQL listener's first connection.
const LISTEN_FIRST_WITHIN: Duration = Duration::from_secs(5);

/// How often deleted journals past their grace are looked for (more often when the
/// grace is shorter, as in tests).
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// Drops journals deleted longer ago than the grace, and expired invitations' payloads.
async fn purge_now(state: &AppState) -> Result<(), StartError> {
    let now = state.clock.now_ms();
    let grace_ms = u64::try_from(state.delete_grace.as_millis()).unwrap_or(u64::MAX);
    let purged = state
        .storage
        .purge(now.saturating_sub(grace_ms), now)
        .await
        .map_err(|e| StartError::Storage(storage_message(e)))?;
    if purged > 0 {
        tracing::info!(
            journals = purged,
            "purged journals deleted longer ago than the grace"
        );
    }
    Ok(())
}

/// The background purge, until the relay stops; a failed round is logged and retried.
/// Each round also lets the rate limiters forget who went quiet.
async fn purge_periodically(state: AppState, mut stopping: watch::Receiver<bool>) {
    let every = PURGE_EVERY
        .min(guard::FORGET_EVERY)
        .min(state.delete_grace)
        .max(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
        state.guard.rates.forget_idle();
        if let Err(e) = purge_now(&state).await {
            tracing::error!(error = %e, "the purge of deleted journals failed");
        }
    }
}

/// The storage, and for PostgreSQL the parsed URL (its listener connects with it too).
async fn open_store(
    store: &Store,
    stall: PushStall,
) -> Result<(Arc<dyn Storage>, Option<PgTarget>), StartError> {
    match store {
        Store::Sqlite(path) => {
            let path = path.clone();
            let storage = tokio::task::spawn_blocking(move || SqliteStorage::open(&path))
                .await
                .map_err(|e| StartError::Storage(e.to_string()))?
                .map_err(|e| StartError::Storage(storage_message(e)))?;
            Ok((Arc::new(storage.with_push_stall(stall)), None))
        }
        Store::Postgres(url) => {
            let target =
                pg_connect::parse(url).map_err(|e| StartError::Storage(storage_message(e)))?;
            let storage = PostgresStorage::connect_to(&target)
                .await
                .map_err(|e| StartError::Storage(storage_message(e)))?;
            Ok((Arc::new(storage.with_push_stall(stall)), Some(target)))
        }
    }
}

/// The detail of a storage error at startup (its `Internal` text, without the prefix).
fn storage_message(error: error::Error) -> String {
    match error {
        error::Error::Internal(detail) => detail,
        other => other.to_string(),
    }
}
