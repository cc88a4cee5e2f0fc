//! Sync steps for callers that are not async (the bindings: an app calls them from a
//! thread of its own): each runs to its end on a small tokio runtime owned here, so the
//! caller needs no runtime of its own.

use crate::{Error, Result};
use std::future::Future;

/// Runs one sync step (`enable`, `join`, `sync_now`, `status`, ...) on the calling
/// thread and returns its result. Must not be called from inside a tokio runtime (a
/// background loop's observer, say): that would block the runtime's own thread.
pub fn block_on<T>(step: impl Future<Output = Result<T>>) -> Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            path: "onward-sync".into(),
            source: e,
        })?;
    runtime.block_on(step)
}
