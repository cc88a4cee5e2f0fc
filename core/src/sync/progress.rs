//! Progress of a sync, reported as it goes so an app can show it for big journals.

/// What a sync is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Sending batches of changes (counted in batches).
    Pushing,
    /// Receiving batches of changes (counted in batches).
    Pulling,
    /// Downloading the relay's snapshot of the journal (counted in bytes).
    DownloadingSnapshot,
    /// Uploading a snapshot of the journal (counted in bytes).
    UploadingSnapshot,
    /// Building the index of a snapshot taken whole, as a new device does (counted in
    /// records).
    Indexing,
}

impl Phase {
    /// What `done` and `total` count.
    pub fn unit(self) -> Unit {
        match self {
            Phase::Pushing | Phase::Pulling => Unit::Batches,
            Phase::DownloadingSnapshot | Phase::UploadingSnapshot => Unit::Bytes,
            Phase::Indexing => Unit::Records,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Batches,
    Bytes,
    Records,
}

/// One step of progress: `done` of `total` in the phase's [`Unit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    pub total: u64,
}

/// Hears progress; called from the sync's task, so it must be quick.
pub type OnProgress<'a> = &'a (dyn Fn(Progress) + Send + Sync);

/// Progress nobody listens to.
pub fn ignore(_: Progress) {}
