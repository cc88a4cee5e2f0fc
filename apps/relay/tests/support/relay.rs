//! A relay served in this process on 127.0.0.1, over SQLite or its own PostgreSQL.

use std::path::Path;
use std::time::Duration;

use onward_relay::{serve, Config, Running, Store};
use tempfile::TempDir;

use super::postgres::PgServer;

/// Which storage backend a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running relay and what it stores into; the store outlives restarts.
pub struct Fixture {
    pub config: Config,
    relay: Option<Running>,
    pub base: String,
    pub http: reqwest::Client,
    // Dropped last: the relay stops before its database goes.
    _pg: Option<PgServer>,
    _dir: TempDir,
}

impl Fixture {
    /// A relay with the default limits.
    pub async fn start(backend: Backend) -> Fixture {
        Fixture::start_with(backend, |_| {}).await
    }

    /// A relay whose config `adjust` may change (quota, body limit).
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, pg) = match backend {
            Backend::Sqlite => (Store::Sqlite(dir.path().join("relay.db")), None),
            Backend::Postgres => {
                let pg = tokio::task::spawn_blocking(PgServer::start)
                    .await
                    .expect("start PostgreSQL");
                (Store::Postgres(pg.url()), Some(pg))
            }
        };
        let mut config =
            Config::sqlite(dir.path().join("unused.db"), "127.0.0.1:0".parse().unwrap());
        config.store = store;
        // Tests send many requests from one address quickly: no request rates unless a
        // test sets them (tests/limits.rs).
        config.limits.ip_per_second = 0;
        config.limits.journal_per_second = 0;
        adjust(&mut config);
        let relay = serve(config.clone()).await.expect("the relay starts");
        let base = format!("http://{}", relay.addr());
        Fixture {
            config,
            relay: Some(relay),
            base,
            http: client(),
            _pg: pg,
            _dir: dir,
        }
    }

    /// Stops the relay gracefully (at most 30 s); the store stays.
    pub async fn stop(&mut self) {
        if let Some(relay) = self.relay.take() {
            tokio::time::timeout(Duration::from_secs(30), relay.shutdown())
                .await
                .expect("the relay shuts down");
        }
    }

    /// Stops the relay gracefully and starts a new one over the same store.
    pub async fn restart(&mut self) {
        self.stop().await;
        let relay = serve(self.config.clone())
            .await
            .expect("the relay starts again");
        self.base = format!("http://{}", relay.addr());
        self.relay = Some(relay);
    }

    /// The test's PostgreSQL server, when the relay runs on one.
    pub fn pg(&self) -> Option<&PgServer> {
        self._pg.as_ref()
    }

    /// A temporary directory that lives as long as the fixture (backups go here).
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    /// A new journal (random id and credential) on this relay, not yet created.
    pub fn journal(&self) -> super::client::Journal {
        super::client::Journal::random(self.http.clone(), self.base.clone())
    }

    /// `GET` of a path under the relay's base URL.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("the relay answers")
    }
}

/// An HTTP client whose every request is bounded in time.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(90))
        .build()
        .expect("an HTTP client")
}
