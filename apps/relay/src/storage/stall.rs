//! A test knob: hold a push of a new batch inside its transaction, after the batch row is
//! inserted and before the commit, so a test can kill the relay at the worst moment and
//! check that a batch is either wholly there or not at all. Off unless the relay is
//! started with `ONWARD_RELAY_STALL_PUSH_MS` (see the README); never used in production.

use std::io::Write;
use std::time::Duration;

use crate::ids::Id;

/// How long to hold each push of a new batch before its commit (`None`: not at all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushStall(pub Option<Duration>);

impl PushStall {
    /// Announces the stall on stderr, so the test knows the moment has come.
    fn announce(&self, batch: &Id) -> Option<Duration> {
        let pause = self.0?;
        let mut stderr = std::io::stderr().lock();
        // Flushed before the pause: the test reads it from a file while we sleep.
        let _ = writeln!(
            stderr,
            "onward-relay: stalling push of batch {batch} (test knob)"
        );
        let _ = stderr.flush();
        Some(pause)
    }

    /// For a backend on a blocking thread (SQLite).
    pub fn before_commit_blocking(&self, batch: &Id) {
        if let Some(pause) = self.announce(batch) {
            std::thread::sleep(pause);
        }
    }

    /// For an async backend (PostgreSQL).
    pub async fn before_commit(&self, batch: &Id) {
        if let Some(pause) = self.announce(batch) {
            tokio::time::sleep(pause).await;
        }
    }
}
