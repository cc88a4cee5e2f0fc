//! What the devices screen shows, as records: an invitation to show, what a code would
//! join (asked before joining), the journal's devices, and what a removal or a deletion
//! did. Timestamps are the platform's (see `time.rs`).

use crate::time::{to_system, to_system_opt};
use onward_core::sync as core;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A one-time invitation for another device: show `code` as a QR code (every character
/// is in QR's alphanumeric set) and as text, until `expires_at` or until it is used.
/// It lets one device join: keep it off shared clipboards and screenshots.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Invitation {
    pub code: String,
    pub expires_at: SystemTime,
}

impl From<core::Invite> for Invitation {
    fn from(i: core::Invite) -> Self {
        Invitation {
            code: i.code,
            expires_at: to_system(i.expires_at),
        }
    }
}

/// What a code would join, read and checked without changing anything: show it and ask
/// the person before `join_sync`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct InvitationPreview {
    pub relay_url: String,
    /// The names of the devices that sync the journal now.
    pub devices: Vec<String>,
    pub expires_at: SystemTime,
}

impl From<core::InvitationPreview> for InvitationPreview {
    fn from(p: core::InvitationPreview) -> Self {
        InvitationPreview {
            relay_url: p.relay_url,
            devices: p.devices,
            expires_at: to_system(p.expires_at),
        }
    }
}

/// One device of the journal (or its recovery kit), from the device list this device
/// last checked: sync first for the newest.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    /// A recovery kit rather than a device: list it apart ("Recovery kit made on …").
    pub recovery_kit: bool,
    pub this_device: bool,
    pub joined_at: SystemTime,
    /// When this device last heard from it (for this device: its last sync).
    pub last_heard: Option<SystemTime>,
}

impl From<core::Device> for DeviceInfo {
    fn from(d: core::Device) -> Self {
        DeviceInfo {
            id: d.id,
            name: d.name,
            recovery_kit: d.recovery_kit,
            this_device: d.this_device,
            joined_at: to_system(d.joined_at),
            last_heard: to_system_opt(d.last_heard),
        }
    }
}

/// What removing a device did: from now on the relay refuses it, and what is written
/// is under a key it never had.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RemovedDevice {
    pub device: DeviceInfo,
    /// The key epoch that starts now.
    pub epoch: u32,
    /// Whether a fresh snapshot under the new key is on the relay (a saving for devices
    /// that join later; the removal stands without it).
    pub snapshot: bool,
}

impl From<core::Removed> for RemovedDevice {
    fn from(r: core::Removed) -> Self {
        RemovedDevice {
            device: r.device.into(),
            epoch: r.epoch,
            snapshot: r.snapshot,
        }
    }
}

/// The relay's copy was deleted; until `purge_after` (the relay's clock) a device that
/// synced it can still have it restored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RelayCopyDeleted {
    pub purge_after: SystemTime,
}

impl RelayCopyDeleted {
    pub(crate) fn from_ms(purge_after_ms: u64) -> Self {
        RelayCopyDeleted {
            purge_after: UNIX_EPOCH + Duration::from_millis(purge_after_ms),
        }
    }
}
