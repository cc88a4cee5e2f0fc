//! The relay's JSON answers, as the relay writes them and a device reads them.

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
