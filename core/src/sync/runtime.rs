//! One runtime and one set of relay clients per journal handle, for callers that are not
//! async (the CLI, the bindings: an app calls sync from a thread of its own). Each step
//! runs to its end on the calling thread; the background loop runs on the same runtime,
//! so every call shares one connection pool and connections stay alive between calls.

use super::http::HttpRelays;
use super::relay::Connect;
use crate::{Error, Result};
use std::future::Future;
use std::sync::Arc;

pub struct SyncRuntime {
    /// Always `Some` until dropped.
    runtime: Option<tokio::runtime::Runtime>,
    relays: Arc<dyn Connect>,
}

impl SyncRuntime {
    /// A runtime talking to relays over HTTP.
    pub fn new() -> Result<SyncRuntime> {
        SyncRuntime::with_relays(Arc::new(HttpRelays::default()))
    }

    /// A runtime talking to the relays `relays` finds (an in-memory one in tests).
    pub fn with_relays(relays: Arc<dyn Connect>) -> Result<SyncRuntime> {
        // One worker: sync is a background chore. Multi-threaded all the same, so that
        // several threads of an app may each block on a step at once.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("onward-sync")
            .enable_all()
            .build()
            .map_err(|e| Error::Io {
                path: "onward-sync".into(),
                source: e,
            })?;
        Ok(SyncRuntime {
            runtime: Some(runtime),
            relays,
        })
    }

    /// The relays of this handle.
    pub fn relays(&self) -> &dyn Connect {
        self.relays.as_ref()
    }

    pub(crate) fn shared_relays(&self) -> Arc<dyn Connect> {
        self.relays.clone()
    }

    pub(crate) fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime().handle()
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("present until dropped")
    }

    /// Runs one sync step (`enable`, `join`, `sync_now`, `status`, ...) on the calling
    /// thread and returns its result. Must not be called from inside a tokio runtime (a
    /// background loop's observer, say): that would block the runtime's own thread.
    pub fn block_on<T>(&self, step: impl Future<Output = Result<T>>) -> Result<T> {
        self.runtime().block_on(step)
    }
}

impl Drop for SyncRuntime {
    /// Without waiting for the background loop's task: a handle may be dropped from
    /// anywhere, also from a thread of the runtime itself (an observer's callback).
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
