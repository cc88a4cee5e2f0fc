//! The relay's JSON answers, as the relay writes them and a device reads them.

use crate::members::{Invitation, LoggedOp, SignedOp, SignedWrap};
use serde::{Deserialize, Serialize};

/// `GET /v1/journals/{journal}`: a journal's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JournalInfo {
    /// The highest sequence number (0 before the first batch).
    pub latest_seq: u64,
    /// Batches through this number were replaced by the snapshot.
    pub pruned_through: u64,
    /// Bytes of batches, snapshot parts and device records stored.
    pub bytes_used: u64,
    /// The journal's quota of stored bytes.
    pub quota_bytes: u64,
    /// Random, given when the journal was created (32 lowercase hex characters): a journal
    /// deleted and created again has a new one.
    pub incarnation: String,
    /// The key epoch now: the number of devices removed so far.
    #[serde(default)]
    pub epoch: u32,
    /// Devices (and recovery kits) admitted now.
    #[serde(default)]
    pub members: u32,
    /// The newest complete snapshot, or null.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub snapshot: Option<SnapshotInfo>,
}

/// A complete snapshot as listed in [`JournalInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotInfo {
    /// The snapshot id (32 lowercase hex characters).
    pub id: String,
    /// The sequence number it covers: pull after this once it is merged.
    pub covers: u64,
    /// How many parts to download (indexes 0 to parts - 1).
    pub parts: u32,
    /// Its total size in bytes.
    pub bytes: u64,
}

/// The answer to a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushAnswer {
    /// The batch's sequence number in the journal.
    pub seq: u64,
    /// True when the relay already had this batch id (the same `seq` as the first time).
    pub duplicate: bool,
}

/// The answer to a snapshot part upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartAnswer {
    /// True once every part of the snapshot is stored (older snapshots and covered batches are then dropped).
    pub complete: bool,
}

/// `GET /v1/journals/{journal}/devices`: every device's latest sealed record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRecords {
    /// One entry per device that stored a record, in id order.
    pub devices: Vec<DeviceRecord>,
}

/// One device's sealed record, opaque to the relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRecord {
    /// The device id (32 lowercase hex characters, random per device).
    pub id: String,
    /// The record's envelope, as lowercase hex.
    pub record: String,
}

/// The JSON body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A stable code: `bad_request`, `unauthorized`, `not_found`, `method_not_allowed`, `snapshot_required`,
    /// `snapshot_outdated`, `payload_too_large`, `too_many_devices`, `quota_exceeded`, `internal`.
    #[serde(default)]
    pub error: String,
    /// Words a developer can act on.
    #[serde(default)]
    pub message: String,
}

/// `PUT /v1/journals/{journal}`: the device list's first operation, signed by the
/// device that turned sync on (whose credential the request carries). A device that
/// registers the journal again (the relay lost it) sends the whole list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateJournal {
    pub ops: Vec<SignedOp>,
    /// Content keys wrapped for the members (when registering again).
    #[serde(default)]
    pub wraps: Vec<SignedWrap>,
}

/// `GET /v1/journals/{journal}/members`: the signed device list, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembersAnswer {
    pub ops: Vec<LoggedOp>,
}

/// `POST /v1/journals/{journal}/members`: one signed operation (an add by a member, a
/// removal) and, with a removal, the new epoch's key wrapped for every member left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembersChange {
    pub op: SignedOp,
    #[serde(default)]
    pub wraps: Vec<SignedWrap>,
}

/// `GET /v1/journals/{journal}/wraps`: the content keys wrapped for the asking member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WrapsAnswer {
    pub wraps: Vec<SignedWrap>,
}

/// `PUT /v1/journals/{journal}/invitations/{invitation}`: an invitation a member signed,
/// and what the invited device needs, sealed under the invitation's secret (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationUpload {
    pub invitation: Invitation,
    pub payload: String,
}

/// `GET /v1/journals/{journal}/invitations/{invitation}` (with the invitation's
/// credential): the invitation, its sealed payload, and the device list to join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationAnswer {
    pub invitation: Invitation,
    pub payload: String,
    pub ops: Vec<LoggedOp>,
}

/// `POST .../invitations/{invitation}/accept`: the new device's add, signed with the
/// invitation's key. The invitation is used up by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitation {
    pub op: SignedOp,
}

/// `DELETE /v1/journals/{journal}`: when the relay drops it for good, unless restored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeleteAnswer {
    pub purge_after_ms: u64,
}
