//! What sync tells the app, as records: one round's report, the checked status, refused
//! batches and progress. Timestamps are the platform's (see `time.rs`).

use crate::time::{to_system, to_system_opt};
use onward_core::sync as core;
use std::time::SystemTime;

/// What a sync phase is doing; `SyncProgress.done` and `total` count batches while
/// pushing or pulling, bytes while moving a snapshot and records while indexing one.
pub type SyncPhase = core::Phase;

#[uniffi::remote(Enum)]
pub enum SyncPhase {
    Pushing,
    Pulling,
    DownloadingSnapshot,
    UploadingSnapshot,
    Indexing,
}

/// One step of progress: `done` of `total` (batches, bytes for a snapshot, records
/// while indexing one).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u64,
    pub total: u64,
}

impl From<core::Progress> for SyncProgress {
    fn from(p: core::Progress) -> Self {
        SyncProgress {
            phase: p.phase,
            done: p.done,
            total: p.total,
        }
    }
}

/// A batch from another device that could not be opened or merged, so it was not
/// applied (the rest were). Usually a device with another journal's key, or damage.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RefusedBatch {
    /// The relay's sequence number of the batch.
    pub seq: u64,
    pub batch_id: String,
    /// Why it was refused, fit to log.
    pub reason: String,
    pub at: SystemTime,
}

impl From<core::RefusedBatch> for RefusedBatch {
    fn from(r: core::RefusedBatch) -> Self {
        RefusedBatch {
            seq: r.seq,
            batch_id: r.batch_id,
            reason: r.reason,
            at: to_system(r.at),
        }
    }
}

/// Another device of the journal, as its last sealed record tells.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncDevice {
    pub device_id: String,
    /// The name it gave itself.
    pub name: String,
    /// When it last synced (its own clock).
    pub last_synced_at: SystemTime,
    /// Whether this device has every change that one had then.
    pub has_everything: bool,
}

impl From<core::DeviceStatus> for SyncDevice {
    fn from(d: core::DeviceStatus) -> Self {
        SyncDevice {
            device_id: d.device_id,
            name: d.name,
            last_synced_at: to_system(d.last_synced_at),
            has_everything: d.has_everything,
        }
    }
}

/// Where this journal's sync stands, checked with the relay just now.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncStatus {
    /// True only when the relay was asked and holds exactly what this device holds
    /// (nothing to push, nothing newer to pull, nothing waiting or refused) and this
    /// device has every change each other device had when last heard from. Show "in
    /// sync" only then.
    pub in_sync: bool,
    /// One line for the sync screen: "In sync.", or what stands in the way.
    pub summary: String,
    pub relay_url: String,
    /// Changes made here that the relay doesn't have yet.
    pub pending_changes: u64,
    /// The relay's latest batch number, when it could be asked.
    pub relay_latest: Option<u64>,
    /// The last relay batch this device has (merged or refused).
    pub cursor: u64,
    /// Batches merged but waiting for earlier changes still to come.
    pub waiting_batches: u64,
    pub refused: Vec<RefusedBatch>,
    /// The other devices, by name, from their last records.
    pub devices: Vec<SyncDevice>,
    pub last_success_at: Option<SystemTime>,
    /// How the last sync failed, if it did.
    pub last_error: Option<String>,
    /// Why the relay couldn't be asked just now (offline, down, refusing), if it couldn't.
    pub unreachable: Option<String>,
}

impl From<core::SyncStatus> for SyncStatus {
    fn from(s: core::SyncStatus) -> Self {
        SyncStatus {
            in_sync: s.in_sync,
            summary: s.summary(),
            relay_url: s.relay_url,
            pending_changes: s.pending_changes as u64,
            relay_latest: s.relay_latest,
            cursor: s.cursor,
            waiting_batches: s.waiting_batches as u64,
            refused: s.refused.into_iter().map(Into::into).collect(),
            devices: s.devices.into_iter().map(Into::into).collect(),
            last_success_at: to_system_opt(s.last_success_at),
            last_error: s.last_error,
            unreachable: s.unreachable,
        }
    }
}

/// What one sync (or a join) did, and the status checked right after.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncReport {
    /// Changes sent to the relay.
    pub sent_changes: u64,
    /// Changes received that this journal did not have.
    pub received_changes: u64,
    /// Batches received but refused (not applied); `status.refused` says why.
    pub refused_batches: u64,
    /// The records created or changed here by what was received.
    pub changed_ids: Vec<String>,
    /// Same as `status.in_sync`.
    pub in_sync: bool,
    /// Set when the relay had gone back to an earlier copy and this device caught it
    /// up: a sentence fit to show ("The relay lost some recent changes; this device
    /// sent them again (2 changes).").
    pub recovered: Option<String>,
    pub status: SyncStatus,
}

impl From<core::SyncReport> for SyncReport {
    fn from(r: core::SyncReport) -> Self {
        SyncReport {
            sent_changes: r.pushed.changes as u64,
            received_changes: r.pulled.changes as u64,
            refused_batches: r.pulled.refused as u64,
            changed_ids: r.pulled.changed_ids,
            in_sync: r.status.in_sync,
            recovered: r.recovered.map(|r| r.summary()),
            status: r.status.into(),
        }
    }
}
