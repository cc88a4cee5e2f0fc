//! The protocol's numbers (docs/SYNC.md, "Limits" and the HTTP API) and the relay's defaults.

use std::time::Duration;

/// Default quota of stored bytes per journal: 512 MiB.
pub const DEFAULT_QUOTA_BYTES: u64 = 512 * 1024 * 1024;

/// Default largest request body: 4 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Most envelope bytes in one pull response (at least one batch is always sent).
pub const MAX_PULL_BYTES: usize = 4 * 1024 * 1024;

/// Batches per pull when `limit` is not given.
pub const DEFAULT_PULL_LIMIT: u32 = 100;

/// The largest `limit` a pull may ask for.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// The longest `wait` of a long-poll, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 60;

/// How often a waiting pull looks at storage again, for batches pushed through another
/// relay process sharing the same PostgreSQL.
pub const WAIT_RECHECK: Duration = Duration::from_millis(500);

/// The largest snapshot part: 1 MiB.
pub const MAX_SNAPSHOT_PART_BYTES: usize = 1024 * 1024;
