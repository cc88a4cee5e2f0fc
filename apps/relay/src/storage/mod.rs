//! The one storage trait of the relay and its two backends (SQLite, PostgreSQL).
//!
//! Every write to a journal is one transaction that first takes the journal's lock (SQLite's
//! single writer; PostgreSQL's `SELECT ... FOR UPDATE` on the journal row), so sequence
//! numbers have no gaps, a batch is never visible before a lower one, and `bytes_used`
//! stays exact, also with several relay processes on one PostgreSQL.

pub mod postgres;
pub mod rules;
pub mod sqlite;
pub mod stall;

use async_trait::async_trait;
use bytes::Bytes;

use crate::error::Error;
use crate::ids::Id;

/// What `create_journal` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    /// The journal was created with the given credential hash.
    Created,
    /// The journal was already there; this is its credential hash.
    Existing {
        /// SHA-256 hex of the journal's credential.
        credential_sha256: String,
    },
}

/// A journal's state as `GET /v1/journals/{journal}` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalState {
    /// The highest sequence number given out (0 before the first batch).
    pub latest_seq: u64,
    /// Batches up to this number were dropped in favour of a snapshot.
    pub pruned_through: u64,
    /// Bytes of batches, snapshot parts and device records stored for this journal.
    pub bytes_used: u64,
    /// Random, given when the journal was created.
    pub incarnation: Id,
    /// The newest complete snapshot, if any.
    pub snapshot: Option<SnapshotState>,
}

/// A complete snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotState {
    /// The snapshot id.
    pub id: Id,
    /// The sequence number it covers.
    pub covers: u64,
    /// How many parts it was uploaded in.
    pub parts: u32,
    /// Its total size in bytes.
    pub bytes: u64,
}

/// The answer to a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    /// The batch's sequence number.
    pub seq: u64,
    /// True when the batch was already stored (the same seq as the first time).
    pub duplicate: bool,
}

/// One stored batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBatch {
    /// Its sequence number.
    pub seq: u64,
    /// Its id.
    pub id: Id,
    /// The envelope, as pushed.
    pub envelope: Bytes,
}

/// What a pull returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// Batches after the cursor, in sequence order.
    pub batches: Vec<StoredBatch>,
    /// The journal's highest sequence number.
    pub latest_seq: u64,
    /// The journal's `pruned_through`.
    pub pruned_through: u64,
    /// The journal's incarnation.
    pub incarnation: Id,
    /// The id of the batch numbered `after` (also when a snapshot replaced it); `None`
    /// for `after = 0` or a number the journal never gave out.
    pub after_id: Option<Id>,
}

/// One device's sealed record, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDevice {
    /// The device id.
    pub device: Id,
    /// The record, opaque to the relay.
    pub record: Bytes,
}

/// A pull request after the checks of the API.
#[derive(Debug, Clone, Copy)]
pub struct PullRange {
    /// Return batches with `seq > after`.
    pub after: u64,
    /// At most this many batches.
    pub limit: u32,
    /// At most this many envelope bytes, but always at least one batch.
    pub max_bytes: usize,
}

/// One uploaded part of a snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotPart {
    /// The snapshot id.
    pub snapshot: Id,
    /// The part's index, below `parts`.
    pub index: u32,
    /// How many parts the snapshot has.
    pub parts: u32,
    /// The sequence number the snapshot covers.
    pub covers: u64,
    /// The part's bytes.
    pub bytes: Bytes,
}

/// Where the relay keeps journals. Implementations check the relay's rules that need the
/// stored state (quota, snapshot coverage, dedup); the API checks the request's shape.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Creates `journal` with `credential_sha256`, or reports the one it already has.
    async fn create_journal(
        &self,
        journal: &Id,
        credential_sha256: &str,
    ) -> Result<Creation, Error>;

    /// The credential hash of `journal`, or `None` when it does not exist.
    async fn credential(&self, journal: &Id) -> Result<Option<String>, Error>;

    /// The state of `journal` (`Unauthorized` when it vanished meanwhile).
    async fn journal(&self, journal: &Id) -> Result<JournalState, Error>;

    /// Deletes `journal` with every batch, snapshot and device record.
    async fn delete_journal(&self, journal: &Id) -> Result<(), Error>;

    /// Stores a batch under the next sequence number, or answers the number it already has.
    /// `QuotaExceeded` when a new batch would take the journal over `quota`.
    async fn push_batch(
        &self,
        journal: &Id,
        batch: &Id,
        envelope: Bytes,
        quota: u64,
    ) -> Result<Pushed, Error>;

    /// Batches after `range.after`, with the id of the batch numbered `after`.
    /// `SnapshotRequired` when `after < pruned_through`.
    async fn pull(&self, journal: &Id, range: PullRange) -> Result<Pulled, Error>;

    /// Stores one snapshot part; returns whether the snapshot is now complete. Completing a
    /// snapshot drops older snapshots and the batches it covers.
    async fn put_snapshot_part(
        &self,
        journal: &Id,
        part: SnapshotPart,
        quota: u64,
    ) -> Result<bool, Error>;

    /// The bytes of one snapshot part, or `None` when it is not stored.
    async fn snapshot_part(
        &self,
        journal: &Id,
        snapshot: &Id,
        index: u32,
    ) -> Result<Option<Bytes>, Error>;

    /// Stores or replaces `device`'s record. `TooManyDevices` for a device beyond
    /// [`onward_protocol::limits::MAX_DEVICES`]; `QuotaExceeded` when the record (less
    /// the one it replaces) would take the journal over `quota`.
    async fn put_device(
        &self,
        journal: &Id,
        device: &Id,
        record: Bytes,
        quota: u64,
    ) -> Result<(), Error>;

    /// Every device record of `journal`, in device id order.
    async fn devices(&self, journal: &Id) -> Result<Vec<StoredDevice>, Error>;
}

/// Converts a stored count (SQL integers are signed) to the API's unsigned form.
pub(crate) fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// Converts an API number to a SQL integer; numbers beyond `i64::MAX` are refused.
pub(crate) fn signed(value: u64, what: &str) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| Error::BadRequest(format!("`{what}` is too large.")))
}
