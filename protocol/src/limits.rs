//! The protocol's numbers (docs/SYNC.md, "Limits"). The relay may be configured below
//! the defaults; a device never accepts more than these from a relay.

use std::time::Duration;

/// Default quota of stored bytes per journal: 512 MiB.
pub const DEFAULT_QUOTA_BYTES: u64 = 512 * 1024 * 1024;

/// The largest request body the relay takes by default: 4 MiB. A batch envelope is at
/// most this large.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The largest envelope a device reads from a pull answer.
pub const MAX_ENVELOPE_BYTES: usize = MAX_BODY_BYTES;

/// Most envelope bytes in one pull answer (at least one batch is always sent).
pub const MAX_PULL_BYTES: usize = 4 * 1024 * 1024;

/// Batches per pull when `limit` is not given.
pub const DEFAULT_PULL_LIMIT: u32 = 100;

/// The largest `limit` a pull may ask for.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// The longest `wait` of a long-poll, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 60;

/// The largest snapshot part: 1 MiB.
pub const MAX_SNAPSHOT_PART_BYTES: usize = 1024 * 1024;

/// The most parts a snapshot may have (so at most 1 GiB).
pub const MAX_SNAPSHOT_PARTS: u32 = 1024;

/// The largest snapshot a device downloads: every part full.
pub const MAX_SNAPSHOT_BYTES: u64 = MAX_SNAPSHOT_PARTS as u64 * MAX_SNAPSHOT_PART_BYTES as u64;

/// The largest sealed device record: 16 KiB.
pub const MAX_DEVICE_RECORD_BYTES: usize = 16 * 1024;

/// The most devices with a record in one journal.
pub const MAX_DEVICES: usize = 64;

/// The largest JSON answer a device reads (a device list at its largest fits).
pub const MAX_JSON_BYTES: usize = 2 * MAX_DEVICES * MAX_DEVICE_RECORD_BYTES + 64 * 1024;

/// How often a waiting pull looks at storage again, for batches pushed through another
/// relay process sharing the same PostgreSQL.
pub const WAIT_RECHECK: Duration = Duration::from_millis(500);

/// The largest pull answer a device reads: a full answer and its frame headers.
pub const MAX_PULL_ANSWER_BYTES: usize =
    MAX_PULL_BYTES + MAX_ENVELOPE_BYTES + MAX_PULL_LIMIT as usize * crate::frames::HEADER_LEN;

/// The largest signed operation of a journal's device list (JSON).
pub const MAX_OP_BYTES: usize = 8 * 1024;

/// The largest sealed device name in the device list.
pub const MAX_NAME_SEALED_BYTES: usize = 512;

/// The most operations in a device list (adds and removals over a journal's life).
pub const MAX_OPS: usize = 1024;

/// The longest an invitation may stay open, and the default.
pub const MAX_INVITATION_SECONDS: u64 = 24 * 60 * 60;
pub const DEFAULT_INVITATION_SECONDS: u64 = 10 * 60;

/// The largest sealed invitation payload (the content key and a little more).
pub const MAX_INVITATION_PAYLOAD_BYTES: usize = 4 * 1024;

/// How long a deleted journal can be restored before the relay drops it (default).
pub const DEFAULT_DELETE_GRACE_SECONDS: u64 = 7 * 24 * 60 * 60;

/// What each stored row (a batch, a snapshot part, a device record) counts against the
/// quota on top of its bytes, so a journal of tiny batches cannot store far more rows
/// than one of full ones.
pub const QUOTA_ROW_OVERHEAD_BYTES: u64 = 256;
