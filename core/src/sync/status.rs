//! Where a journal's sync stands, after a real check with the relay. "In sync" means:
//! the relay's latest batch is the cursor, nothing is pending, no merged change waits for
//! a dependency, and this device has every change each other device had when it was
//! last heard from (docs/SYNC.md, "In sync"). A refused batch alone doesn't stand in the
//! way: if it held a device's changes, that device's record says so.

use super::records;
use super::session::Session;
use crate::store::sync_state::RefusedBatch;
use crate::Result;
use chrono::{DateTime, Utc};

/// Another device of the journal, as its last record tells.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceStatus {
    pub device_id: String,
    pub name: String,
    /// When that device last synced (its clock).
    pub last_synced_at: DateTime<Utc>,
    /// Whether this device has every change that one had then.
    pub has_everything: bool,
}

/// A journal's sync, as checked just now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncStatus {
    pub relay_url: String,
    pub journal_id: String,
    pub device_id: String,
    pub cursor: u64,
    /// The relay's latest sequence number; `None` when it couldn't be asked.
    pub relay_latest: Option<u64>,
    /// Changes here that the relay doesn't have yet.
    pub pending_changes: usize,
    /// Pulled batches whose changes wait for a change they depend on.
    pub waiting_batches: usize,
    pub refused: Vec<RefusedBatch>,
    /// The other devices, by name.
    pub devices: Vec<DeviceStatus>,
    /// Other devices' records that didn't open, or that were older than ones seen before.
    pub doubtful_records: usize,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// When the relay was last found to have gone back, and why.
    pub last_recovery: Option<(String, DateTime<Utc>)>,
    /// Why the relay couldn't be asked (offline, refused), when it couldn't.
    pub unreachable: Option<String>,
    pub in_sync: bool,
}

impl SyncStatus {
    /// The devices whose changes this one lacks although the relay says it has sent
    /// everything: it lost them or holds them back. (While the relay has newer batches,
    /// a device being ahead is just what those batches bring.)
    pub fn withheld_from(&self) -> Vec<&DeviceStatus> {
        let caught_up = self.relay_latest == Some(self.cursor) && self.waiting_batches == 0;
        if !caught_up || self.unreachable.is_some() {
            return Vec::new();
        }
        self.devices.iter().filter(|d| !d.has_everything).collect()
    }

    /// One line: "In sync.", or what stands in the way.
    pub fn summary(&self) -> String {
        if self.in_sync {
            return "In sync.".into();
        }
        let mut parts = Vec::new();
        if self.unreachable.is_some() {
            parts.push("couldn't check with the relay".to_string());
        }
        if self.last_success_at.is_none() && self.cursor == 0 {
            parts.push("never synced".to_string());
        }
        match self.pending_changes {
            0 => {}
            1 => parts.push("1 change to push".into()),
            n => parts.push(format!("{n} changes to push")),
        }
        if let Some(latest) = self.relay_latest {
            if latest > self.cursor {
                parts.push("the relay has newer changes".into());
            }
        }
        if self.waiting_batches > 0 {
            parts.push("some changes wait for others still to come".into());
        }
        match self.refused.len() {
            0 => {}
            1 => parts.push("1 batch from the relay couldn't be opened".into()),
            n => parts.push(format!("{n} batches from the relay couldn't be opened")),
        }
        let ahead: Vec<&str> = self
            .withheld_from()
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        if !ahead.is_empty() {
            parts.push(format!(
                "{} had changes this device hasn't received yet",
                ahead.join(" and ")
            ));
        }
        if parts.is_empty() {
            parts.push("not checked".into());
        }
        let line = parts.join(", ");
        let mut chars = line.chars();
        let first = chars.next().map(|c| c.to_uppercase().to_string());
        format!("{}{}.", first.unwrap_or_default(), chars.as_str())
    }
}

pub(crate) async fn check(s: &Session<'_>) -> Result<SyncStatus> {
    // The other devices' records are part of the check: if they can't be read, the
    // relay couldn't be asked.
    // Records first, then the relay's latest number: a device that pushes and leaves a
    // record in between then shows as "the relay has newer changes", never as changes
    // held back.
    let answer = match records::hear(s).await {
        Ok(heard) => s.relay.info(&s.keys).await.map(|info| (info, heard)),
        Err(e) => Err(e),
    };
    s.with(|j| {
        let settings = j.sync_enabled()?;
        let pending_changes = j.pending_changes()?.len();
        let waiting_batches = j.waiting_batches()?;
        let refused = j.refused_batches()?;
        let devices: Vec<DeviceStatus> = j
            .peers()?
            .into_iter()
            .map(|(peer, has_everything)| DeviceStatus {
                device_id: peer.device_id,
                name: peer.name,
                last_synced_at: peer.at,
                has_everything,
            })
            .collect();
        let (relay_latest, heard, unreachable) = match &answer {
            Ok((info, heard)) => (Some(info.latest_seq), Some(heard), None),
            Err(e) => (None, None, Some(e.to_string())),
        };
        let in_sync = relay_latest == Some(settings.cursor)
            && pending_changes == 0
            && waiting_batches == 0
            && devices.iter().all(|d| d.has_everything);
        Ok(SyncStatus {
            relay_url: settings.relay_url,
            journal_id: s.keys.journal_id().to_string(),
            device_id: settings.device_id,
            cursor: settings.cursor,
            relay_latest,
            pending_changes,
            waiting_batches,
            refused,
            devices,
            doubtful_records: heard.map_or(0, |h| h.unreadable + h.stale),
            last_success_at: settings.last_success_at,
            last_error: settings.last_error.map(|(e, _)| e),
            last_recovery: settings.last_recovery,
            unreachable,
            in_sync,
        })
    })
}
