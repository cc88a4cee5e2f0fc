//! The one storage trait of the relay and its two backends (SQLite, PostgreSQL).
//!
//! Every write to a journal is one transaction that first takes the journal's lock (SQLite's
//! single writer; PostgreSQL's `SELECT ... FOR UPDATE` on the journal row), so sequence
//! numbers have no gaps, a batch is never visible before a lower one, and `bytes_used`
//! stays exact, also with several relay processes on one PostgreSQL.

pub mod listen;
pub mod members;
pub mod pg_connect;
pub mod postgres;
pub mod rules;
pub mod sqlite;
pub mod stall;

use async_trait::async_trait;
use bytes::Bytes;
use onward_protocol::members::{Invitation, LoggedOp, Member, SignedOp, SignedWrap};
use onward_protocol::InvitationUpload;

use crate::error::Error;
use crate::ids::Id;

/// A journal about to be created: its verified device list and what follows from it.
#[derive(Debug, Clone)]
pub struct NewJournal {
    /// Every operation, genesis first (stored with seq 0).
    pub ops: Vec<SignedOp>,
    /// Every member the list admitted, removed ones marked.
    pub members: Vec<MemberRow>,
    /// Wrapped keys, already checked against the list.
    pub wraps: Vec<SignedWrap>,
    /// The key epoch the list ends in.
    pub epoch: u32,
}

/// What `create_journal` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    /// The journal was created.
    Created,
    /// The journal was already there: its first operation (`None` for a journal of the
    /// protocol before device lists) and its deletion.
    Existing {
        /// The stored genesis.
        genesis: Option<SignedOp>,
        /// When it was deleted, if it is waiting for its purge.
        deleted_at_ms: Option<u64>,
    },
}

/// A member as the relay keeps it to authenticate requests and check signatures
/// (derived from the device list, which stays the authority).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// The device id.
    pub device: String,
    /// Its Ed25519 public key (hex).
    pub sign_pk: String,
    /// SHA-256 (hex) of its relay credential.
    pub credential_sha256: String,
    /// Removed from the list: its credential is refused with `device_removed`.
    pub removed: bool,
}

impl MemberRow {
    /// The row of a member the list admits.
    pub fn of(member: &Member, removed: bool) -> Self {
        MemberRow {
            device: member.device.clone(),
            sign_pk: member.sign_pk.clone(),
            credential_sha256: member.credential_sha256.clone(),
            removed,
        }
    }
}

/// What authenticating a request about a journal needs, read in one go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The key epoch now.
    pub epoch: u32,
    /// When it was deleted (milliseconds since 1970), if it was.
    pub deleted_at_ms: Option<u64>,
    /// The journal's incarnation (signed delete and restore name it).
    pub incarnation: Id,
    /// Every member, removed ones too.
    pub members: Vec<MemberRow>,
}

/// The device that signed a write, and the epoch it wrote under (`None`: judged later,
/// as for a snapshot part, whose envelope is checked once it is whole). Checked again
/// under the journal's lock, so a removal between the API's check and the write wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    /// The authenticated device.
    pub device: String,
    /// The epoch its envelope names.
    pub epoch: Option<u32>,
}

/// What storing a snapshot part led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartStored {
    /// More parts are to come.
    Incomplete,
    /// Every part is there and the whole envelope checked out: the snapshot is complete.
    Complete,
    /// Every part was there but the whole envelope did not check out (the reason): the
    /// snapshot's parts were dropped and nothing was pruned.
    Refused(String),
}

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInvitation {
    /// The invitation as its inviter signed it.
    pub invitation: Invitation,
    /// The sealed payload (hex); dropped once used or expired.
    pub payload: Option<String>,
    /// Used by an accepted add.
    pub used: bool,
}

/// A change of the device list.
#[derive(Debug, Clone)]
pub enum MembersRequest {
    /// `POST .../members`: an add by a member or a removal, with wraps.
    Change {
        /// The signed operation.
        op: SignedOp,
        /// Wrapped keys that come with it.
        wraps: Vec<SignedWrap>,
    },
    /// `POST .../invitations/{invitation}/accept`: the invited device's add.
    Accept {
        /// The invitation it uses.
        invitation: Id,
        /// The add, signed with the invitation's key.
        op: SignedOp,
        /// The relay's clock now (an invitation past its time is gone).
        now_ms: u64,
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
    /// The key epoch now.
    pub epoch: u32,
    /// Members admitted now.
    pub members: u32,
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
pub struct PullPage {
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

/// Totals over every journal stored (for `/metrics` and `/readyz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Journals stored (deleted ones waiting for their purge too).
    pub journals: u64,
    /// Bytes of batches, snapshot parts and device records, the sum of the quotas' counts.
    pub stored_bytes: u64,
    /// Batches dropped in favour of snapshots, over the journals stored now (the sum of
    /// their `pruned_through`: numbers have no gaps and a snapshot drops every batch it covers).
    pub pruned_batches: u64,
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
/// stored state (quota, snapshot coverage, dedup, the device list, epochs) under the
/// journal's lock, through [`rules`] and [`members`] so both backends judge alike; the
/// API checks the request's shape and signatures it can check alone.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Creates `journal` from its verified device list, or reports the one there.
    async fn create_journal(&self, journal: &Id, new: NewJournal) -> Result<Creation, Error>;

    /// The members, epoch and deletion of `journal`, or `None` when it does not exist.
    async fn access(&self, journal: &Id) -> Result<Option<Access>, Error>;

    /// The state of `journal` (`Unauthorized` when it vanished meanwhile).
    async fn journal(&self, journal: &Id) -> Result<JournalState, Error>;

    /// Marks `journal` deleted at `at_ms`, or (`None`) restores it.
    async fn set_deleted(&self, journal: &Id, at_ms: Option<u64>) -> Result<(), Error>;

    /// Drops every journal deleted at or before `deleted_by_ms` with everything stored
    /// for it, and the payloads of invitations expired by `now_ms`. Returns how many
    /// journals went.
    async fn purge(&self, deleted_by_ms: u64, now_ms: u64) -> Result<u64, Error>;

    /// Stores a batch under the next sequence number, or answers the number it already has.
    /// `QuotaExceeded` when a new batch would take the journal over `quota`.
    async fn push_batch(
        &self,
        journal: &Id,
        batch: &Id,
        envelope: Bytes,
        writer: &Writer,
        quota: u64,
    ) -> Result<Pushed, Error>;

    /// Batches after `range.after`, with the id of the batch numbered `after`.
    /// `SnapshotRequired` when `after < pruned_through`.
    async fn pull(&self, journal: &Id, range: PullRange) -> Result<PullPage, Error>;

    /// Stores one snapshot part. When it is the last, checks the whole envelope: a
    /// complete snapshot drops older snapshots and the batches it covers; a refused one
    /// is dropped itself.
    async fn put_snapshot_part(
        &self,
        journal: &Id,
        part: SnapshotPart,
        writer: &Writer,
        quota: u64,
    ) -> Result<PartStored, Error>;

    /// The bytes of one snapshot part, or `None` when it is not stored.
    async fn snapshot_part(
        &self,
        journal: &Id,
        snapshot: &Id,
        index: u32,
    ) -> Result<Option<Bytes>, Error>;

    /// Stores or replaces `writer`'s device record. `TooManyDevices` for a device beyond
    /// [`onward_protocol::limits::MAX_DEVICES`]; `QuotaExceeded` when the record (less
    /// the one it replaces) would take the journal over `quota`.
    async fn put_device(
        &self,
        journal: &Id,
        record: Bytes,
        writer: &Writer,
        quota: u64,
    ) -> Result<(), Error>;

    /// Every device record of `journal`, in device id order.
    async fn devices(&self, journal: &Id) -> Result<Vec<StoredDevice>, Error>;

    /// The device list, oldest first.
    async fn member_ops(&self, journal: &Id) -> Result<Vec<LoggedOp>, Error>;

    /// Checks a change of the device list against the stored one and takes it in with
    /// its wraps (and, for an accept, uses the invitation up). Returns the whole list.
    async fn change_members(
        &self,
        journal: &Id,
        request: MembersRequest,
    ) -> Result<Vec<LoggedOp>, Error>;

    /// Every wrap stored for `device`, in epoch order.
    async fn wraps(&self, journal: &Id, device: &str) -> Result<Vec<SignedWrap>, Error>;

    /// Stores an invitation after checking it against the device list (its inviter
    /// must be a member admitted now). The same invitation sent again is fine.
    async fn put_invitation(&self, journal: &Id, upload: InvitationUpload) -> Result<(), Error>;

    /// The invitation `id` of `journal`, if stored.
    async fn invitation(&self, journal: &Id, id: &Id) -> Result<Option<StoredInvitation>, Error>;

    /// Totals over every journal (one query; also what `/readyz` asks to see storage answer).
    async fn totals(&self) -> Result<Totals, Error>;
}

/// Converts a stored count (SQL integers are signed) to the API's unsigned form.
pub(crate) fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// Converts an API number to a SQL integer; numbers beyond `i64::MAX` are refused.
pub(crate) fn signed(value: u64, what: &str) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| Error::BadRequest(format!("`{what}` is too large.")))
}
