//! The seam between the sync policy and the network: everything push, pull, snapshots
//! and status ask of a relay, as a trait. [`super::http::HttpRelay`] speaks the HTTP API
//! of docs/SYNC.md; tests put an in-memory relay (honest or not) behind the same trait.
//!
//! Nothing a relay answers is trusted: the policy checks every answer
//! ([`super::answer_check`]) before it changes anything.

use super::keys::Keys;
use crate::Result;
use async_trait::async_trait;
use onward_protocol::members::{LoggedOp, SignedOp, SignedWrap};
pub use onward_protocol::{
    CreateJournal, DeleteAnswer, Frame, InvitationAnswer, InvitationUpload, JournalInfo,
    MembersChange, PushAnswer, SnapshotInfo,
};
use std::sync::Arc;
use std::time::Duration;

/// A pull answer that is not `snapshot_required`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PullAnswer {
    pub frames: Vec<Frame>,
    /// The relay's highest sequence number, as it says.
    pub latest_seq: u64,
    /// Batches through this number were replaced by its snapshot, as it says.
    pub pruned_through: u64,
    /// The journal's incarnation on the relay.
    pub incarnation: String,
    /// The id of the batch numbered `after`; empty when there is none.
    pub after_id: String,
}

/// The relay's answer to a pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batches {
    Frames(PullAnswer),
    /// The batches after the cursor were dropped: start from the snapshot.
    SnapshotRequired,
}

/// Who asks: a journal id and a relay credential. A member asks with its own; a device
/// joining by invitation with the invitation's.
#[derive(Clone)]
pub struct Access {
    pub journal_id: String,
    pub credential: String,
}

impl From<&Keys> for Access {
    fn from(keys: &Keys) -> Access {
        Access {
            journal_id: keys.journal_id().to_string(),
            credential: keys.credential(),
        }
    }
}

/// One journal's relay, as the sync policy uses it. Every call names the journal by its
/// keys (the journal id and the credential; the content key never leaves the device).
#[async_trait]
pub trait Relay: Send + Sync {
    /// The relay's address, for messages.
    fn url(&self) -> &str;

    /// Registers the journal with its device list (its genesis, or the whole list when
    /// registering it again on a relay that lost it). `registration` is the token of a
    /// relay whose operator hands them out (`Onward-Registration`, docs/SYNC.md).
    async fn create_journal(
        &self,
        keys: &Keys,
        body: &CreateJournal,
        registration: Option<&str>,
    ) -> Result<()>;

    /// Deletes the relay's copy (recoverable for the relay's grace period); `signature`
    /// is this member's over the delete request.
    async fn delete_journal(&self, keys: &Keys, signature: &str) -> Result<DeleteAnswer>;

    /// Brings a deleted journal back within the grace period.
    async fn restore_journal(&self, keys: &Keys, signature: &str) -> Result<()>;

    /// The signed device list, or `None` when it is still the one tagged `held` (the
    /// [`onward_protocol::members::list_tag`] of the list this device verified).
    async fn members(&self, keys: &Keys, held: Option<&str>) -> Result<Option<Vec<LoggedOp>>>;

    /// Adds one operation (with the wrapped keys of a new epoch); answers the list.
    async fn change_members(&self, keys: &Keys, change: &MembersChange) -> Result<Vec<LoggedOp>>;

    /// The content keys wrapped for this member.
    async fn wraps(&self, keys: &Keys) -> Result<Vec<SignedWrap>>;

    /// Leaves an invitation with the relay.
    async fn put_invitation(&self, keys: &Keys, id: &str, upload: &InvitationUpload) -> Result<()>;

    /// Reads an invitation with its own credential.
    async fn invitation(&self, access: &Access, id: &str) -> Result<InvitationAnswer>;

    /// Uses an invitation: the new device's add, signed with the invitation's key.
    async fn accept_invitation(
        &self,
        access: &Access,
        id: &str,
        op: &SignedOp,
    ) -> Result<Vec<LoggedOp>>;

    /// What the relay holds for the journal.
    async fn info(&self, keys: &Keys) -> Result<JournalInfo>;

    /// Pushes one sealed batch.
    async fn put_batch(&self, keys: &Keys, batch_id: &str, envelope: Vec<u8>)
        -> Result<PushAnswer>;

    /// The batches after `after` (at most `limit`); with a `wait`, the relay holds the
    /// request until one arrives or the time is up.
    async fn batches(&self, keys: &Keys, after: u64, limit: u32, wait: Duration)
        -> Result<Batches>;

    /// Uploads part `index` of `parts` of a snapshot envelope covering `covers`; says
    /// whether the snapshot is now complete.
    async fn put_snapshot_part(
        &self,
        keys: &Keys,
        snapshot_id: &str,
        index: u32,
        parts: u32,
        covers: u64,
        bytes: Vec<u8>,
    ) -> Result<bool>;

    /// Downloads part `index` of a snapshot (at most `max` bytes).
    async fn snapshot_part(
        &self,
        keys: &Keys,
        snapshot_id: &str,
        index: u32,
        max: usize,
    ) -> Result<Vec<u8>>;

    /// Stores this device's sealed record, replacing its last one.
    async fn put_device_record(&self, keys: &Keys, device_id: &str, record: Vec<u8>) -> Result<()>;

    /// Every device's latest sealed record: (device id, envelope).
    async fn device_records(&self, keys: &Keys) -> Result<Vec<(String, Vec<u8>)>>;
}

/// Finds the relay at an address: the HTTP one in the apps ([`super::http::HttpRelays`],
/// one kept-alive client per address), an in-memory one in simulations.
pub trait Connect: Send + Sync {
    fn relay(&self, url: &str) -> Result<Arc<dyn Relay>>;
}
