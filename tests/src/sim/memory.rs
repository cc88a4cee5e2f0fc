//! An in-memory relay: the storage rules of `apps/relay` (see
//! `apps/relay/src/storage/{rules,sqlite}.rs`) as a small model, without sockets or a
//! database. Every method is synchronous and acts at once; [`super::faulty`] puts it
//! behind the device's `Relay` trait and breaks it on purpose.
//!
//! Left out: the quota (the default 512 MiB is never reached here) and request shapes
//! the device never sends (ids that aren't hex, `limit` out of range).

use onward_core::sync::relay::{Batches, Frame, JournalInfo, PullAnswer, PushAnswer, SnapshotInfo};
use onward_core::Error;
use onward_protocol::limits::{
    DEFAULT_QUOTA_BYTES, MAX_DEVICES, MAX_DEVICE_RECORD_BYTES, MAX_PULL_BYTES, MAX_SNAPSHOT_PARTS,
    MAX_SNAPSHOT_PART_BYTES,
};
use std::collections::BTreeMap;

pub const URL: &str = "http://relay.sim";

/// One snapshot, complete or still uploading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    pub parts: u32,
    pub covers: u64,
    pub complete: bool,
    pub data: BTreeMap<u32, Vec<u8>>,
}

impl StoredSnapshot {
    pub fn bytes(&self) -> u64 {
        self.data.values().map(|p| p.len() as u64).sum()
    }
}

/// One journal as the relay stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJournal {
    pub credential: String,
    pub incarnation: String,
    pub latest_seq: u64,
    pub pruned_through: u64,
    /// The id of the batch numbered `pruned_through`, kept when a snapshot dropped it.
    pub pruned_through_id: Option<String>,
    /// seq -> (batch id, envelope)
    pub batches: BTreeMap<u64, (String, Vec<u8>)>,
    /// snapshot id -> snapshot
    pub snapshots: BTreeMap<String, StoredSnapshot>,
    /// device id -> sealed record
    pub devices: BTreeMap<String, Vec<u8>>,
}

impl StoredJournal {
    pub fn new(credential: &str, incarnation: String) -> StoredJournal {
        StoredJournal {
            credential: credential.to_string(),
            incarnation,
            latest_seq: 0,
            pruned_through: 0,
            pruned_through_id: None,
            batches: BTreeMap::new(),
            snapshots: BTreeMap::new(),
            devices: BTreeMap::new(),
        }
    }

    pub fn bytes_used(&self) -> u64 {
        let batches: u64 = self.batches.values().map(|(_, e)| e.len() as u64).sum();
        let parts: u64 = self.snapshots.values().map(StoredSnapshot::bytes).sum();
        let devices: u64 = self.devices.values().map(|r| r.len() as u64).sum();
        batches + parts + devices
    }

    /// The newest complete snapshot, by what it covers.
    pub fn newest_snapshot(&self) -> Option<SnapshotInfo> {
        self.snapshots
            .iter()
            .filter(|(_, s)| s.complete)
            .max_by_key(|(_, s)| s.covers)
            .map(|(id, s)| SnapshotInfo {
                id: id.clone(),
                covers: s.covers,
                parts: s.parts,
                bytes: s.bytes(),
            })
    }

    pub fn info(&self) -> JournalInfo {
        JournalInfo {
            latest_seq: self.latest_seq,
            pruned_through: self.pruned_through,
            bytes_used: self.bytes_used(),
            quota_bytes: DEFAULT_QUOTA_BYTES,
            incarnation: self.incarnation.clone(),
            epoch: 0,
            members: 0,
            snapshot: self.newest_snapshot(),
        }
    }

    pub fn push(&mut self, batch_id: &str, envelope: Vec<u8>) -> Result<PushAnswer, Error> {
        if envelope.is_empty() {
            return Err(bad_request("an empty batch"));
        }
        if let Some((&seq, _)) = self.batches.iter().find(|(_, (id, _))| id == batch_id) {
            return Ok(PushAnswer {
                seq,
                duplicate: true,
            });
        }
        let seq = self.latest_seq + 1;
        self.batches.insert(seq, (batch_id.to_string(), envelope));
        self.latest_seq = seq;
        Ok(PushAnswer {
            seq,
            duplicate: false,
        })
    }

    pub fn pull(&self, after: u64, limit: u32) -> Batches {
        if after < self.pruned_through {
            return Batches::SnapshotRequired;
        }
        let mut frames = Vec::new();
        let mut bytes = 0usize;
        for (&seq, (id, envelope)) in self.batches.range(after + 1..).take(limit as usize) {
            if !frames.is_empty() && bytes + envelope.len() > MAX_PULL_BYTES {
                break;
            }
            bytes += envelope.len();
            frames.push(Frame {
                seq,
                batch_id: id.clone(),
                envelope: envelope.clone(),
            });
        }
        // rules::after_id
        let after_id = if after == 0 {
            None
        } else if let Some((id, _)) = self.batches.get(&after) {
            Some(id.clone())
        } else if after == self.pruned_through {
            self.pruned_through_id.clone()
        } else {
            None
        };
        Batches::Frames(PullAnswer {
            frames,
            latest_seq: self.latest_seq,
            pruned_through: self.pruned_through,
            incarnation: self.incarnation.clone(),
            after_id: after_id.unwrap_or_default(),
        })
    }

    /// Stores one part; says whether the snapshot is complete. Returns the snapshots
    /// dropped by its completion too (for the fault layer's stale copies).
    pub fn put_part(
        &mut self,
        snapshot_id: &str,
        index: u32,
        parts: u32,
        covers: u64,
        bytes: Vec<u8>,
    ) -> Result<bool, Error> {
        if bytes.is_empty() {
            return Err(bad_request("an empty snapshot part"));
        }
        if parts == 0 || parts > MAX_SNAPSHOT_PARTS || index >= parts {
            return Err(bad_request("part index or count out of range"));
        }
        if bytes.len() > MAX_SNAPSHOT_PART_BYTES {
            return Err(relay_error("HTTP 413: the part is too large"));
        }
        // rules::check_snapshot_part
        let known = self.snapshots.get(snapshot_id);
        if let Some(known) = known {
            if known.parts != parts || known.covers != covers {
                return Err(bad_request("every part must repeat parts and covers"));
            }
        }
        if covers > self.latest_seq {
            return Err(bad_request(
                "a snapshot can only cover batches the relay has",
            ));
        }
        if covers < self.pruned_through {
            return Err(relay_error(
                "HTTP 409: a newer snapshot is already complete (snapshot_outdated)",
            ));
        }
        let snapshot = self
            .snapshots
            .entry(snapshot_id.to_string())
            .or_insert_with(|| StoredSnapshot {
                parts,
                covers,
                complete: false,
                data: BTreeMap::new(),
            });
        snapshot.data.insert(index, bytes);
        if snapshot.complete {
            return Ok(true);
        }
        if (snapshot.data.len() as u64) < u64::from(parts) {
            return Ok(false);
        }
        snapshot.complete = true;
        // sqlite::complete_snapshot
        self.snapshots
            .retain(|id, s| id == snapshot_id || s.covers > covers);
        if let Some((id, _)) = self.batches.get(&covers) {
            self.pruned_through_id = Some(id.clone());
        }
        self.batches.retain(|&seq, _| seq > covers);
        self.pruned_through = self.pruned_through.max(covers);
        Ok(true)
    }

    pub fn part(&self, snapshot_id: &str, index: u32) -> Result<Vec<u8>, Error> {
        self.snapshots
            .get(snapshot_id)
            .and_then(|s| s.data.get(&index))
            .cloned()
            .ok_or_else(|| relay_error("HTTP 404: no such snapshot part (not_found)"))
    }

    pub fn put_device(&mut self, device_id: &str, record: Vec<u8>) -> Result<(), Error> {
        if record.is_empty() {
            return Err(bad_request("an empty device record"));
        }
        if record.len() > MAX_DEVICE_RECORD_BYTES {
            return Err(relay_error("HTTP 413: the record is too large"));
        }
        let is_new = !self.devices.contains_key(device_id);
        if is_new && self.devices.len() >= MAX_DEVICES {
            return Err(relay_error("HTTP 409: too many devices (too_many_devices)"));
        }
        self.devices.insert(device_id.to_string(), record);
        Ok(())
    }

    pub fn device_records(&self) -> Vec<(String, Vec<u8>)> {
        self.devices
            .iter()
            .map(|(id, r)| (id.clone(), r.clone()))
            .collect()
    }
}

/// The whole relay: every journal by id. Cloned whole for a backup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryRelay {
    pub journals: BTreeMap<String, StoredJournal>,
}

impl MemoryRelay {
    /// `PUT /v1/journals/{journal}`: created, already there with this credential, or 401.
    pub fn create(
        &mut self,
        journal_id: &str,
        credential: &str,
        incarnation: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        match self.journals.get(journal_id) {
            Some(j) if j.credential == credential => Ok(()),
            Some(_) => Err(refused()),
            None => {
                self.journals.insert(
                    journal_id.to_string(),
                    StoredJournal::new(credential, incarnation()),
                );
                Ok(())
            }
        }
    }

    /// The journal, when the credential is its own (401 otherwise, as for an unknown one).
    pub fn journal(&self, journal_id: &str, credential: &str) -> Result<&StoredJournal, Error> {
        match self.journals.get(journal_id) {
            Some(j) if j.credential == credential => Ok(j),
            _ => Err(refused()),
        }
    }

    pub fn journal_mut(
        &mut self,
        journal_id: &str,
        credential: &str,
    ) -> Result<&mut StoredJournal, Error> {
        match self.journals.get_mut(journal_id) {
            Some(j) if j.credential == credential => Ok(j),
            _ => Err(refused()),
        }
    }
}

pub fn refused() -> Error {
    Error::RelayRefusedCredential { url: URL.into() }
}

pub fn relay_error(detail: &str) -> Error {
    Error::Relay {
        url: URL.into(),
        detail: detail.into(),
    }
}

fn bad_request(what: &str) -> Error {
    relay_error(&format!("HTTP 400: {what} (bad_request)"))
}

pub fn unreachable(detail: &str) -> Error {
    Error::RelayUnreachable {
        url: URL.into(),
        detail: detail.into(),
    }
}
