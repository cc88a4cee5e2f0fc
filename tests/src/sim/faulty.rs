//! The in-memory relay behind the device's `Relay` trait, with faults: each device gets
//! its own handle ([`DeviceRelay`], through [`SimConnect`]) onto one shared [`Net`],
//! so the fault layer knows who asks and the checker can keep track of what each
//! device was told. Every fault is drawn from the net's seeded RNG, never from the
//! clock or from the order of a hash map.

use super::memory::{self, MemoryRelay, StoredSnapshot, URL};
use async_trait::async_trait;
use automerge::ChangeHash;
use onward_core::sync::batches;
use onward_core::sync::envelope::{self, Sealed};
use onward_core::sync::keys::Keys;
use onward_core::sync::relay::{
    Access, Batches, Connect, CreateJournal, DeleteAnswer, InvitationAnswer, InvitationUpload,
    JournalInfo, MembersChange, PushAnswer, Relay, SnapshotInfo,
};
use onward_core::sync::sealed;
use onward_core::{Error, Result};
use onward_protocol::members::{list_tag, LoggedOp, SignedOp, SignedWrap};
use rand::prelude::*;
use rand::rngs::StdRng;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Every kind of fault the net injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// The request never reached the relay.
    DropRequest,
    /// The relay acted, and the answer was lost.
    LoseAnswer,
    /// A push arrived twice; the device gets the second answer (`duplicate: true`).
    DuplicatePush,
    /// The frames of a pull answer out of order.
    ReorderFrames,
    /// A frame of a pull answer twice.
    DuplicateFrame,
    /// The relay process restarted (its stored state is unchanged).
    Restart,
    /// The relay's state replaced by an earlier backup, incarnation included.
    RestoreBackup,
    /// The database re-created and the journal registered again: a new incarnation,
    /// no batches, no snapshots, no records.
    Recreate,
    /// A pull answer without the newest batches, its latest seq lowered to match.
    WithholdBatches,
    /// A device-records answer without one device's record.
    OmitRecord,
    /// A device-records answer with an older record of one device.
    StaleRecord,
    /// A frame numbered 2^40.
    ForgeFrameSeq,
    /// A frame at the right seq whose envelope is garbage or tampered with.
    ForgeEnvelope,
    /// Journal info naming an older, dropped snapshot.
    StaleSnapshot,
    /// A snapshot part that is garbage.
    GarbageSnapshotPart,
    /// A snapshot part of another snapshot.
    ForeignSnapshotPart,
}

impl Fault {
    pub const ALL: [Fault; 16] = [
        Fault::DropRequest,
        Fault::LoseAnswer,
        Fault::DuplicatePush,
        Fault::ReorderFrames,
        Fault::DuplicateFrame,
        Fault::Restart,
        Fault::RestoreBackup,
        Fault::Recreate,
        Fault::WithholdBatches,
        Fault::OmitRecord,
        Fault::StaleRecord,
        Fault::ForgeFrameSeq,
        Fault::ForgeEnvelope,
        Fault::StaleSnapshot,
        Fault::GarbageSnapshotPart,
        Fault::ForeignSnapshotPart,
    ];
}

/// Faults any call may meet, before it acts (a fault twice here is twice as likely:
/// a relay that goes back on every other call leaves little to check).
const ANY_CALL: [Fault; 6] = [
    Fault::DropRequest,
    Fault::DropRequest,
    Fault::DropRequest,
    Fault::Restart,
    Fault::RestoreBackup,
    Fault::Recreate,
];

/// The chance that a snapshot download's part is broken: downloads are rare, so they
/// meet faults more often than other calls.
const PART_FAULT_RATE: f64 = 0.3;

/// The relay, the faults, and what the checker needs to know about what was said.
pub struct Net {
    pub relay: MemoryRelay,
    pub rng: StdRng,
    /// Whether faults are injected now.
    pub faults: bool,
    /// The chance that a call meets a fault.
    pub rate: f64,
    pub counts: BTreeMap<Fault, u64>,
    /// Earlier copies of the whole relay, oldest first.
    pub backups: Vec<MemoryRelay>,
    /// Every complete snapshot ever stored (id, snapshot), in the order they completed:
    /// what a lying relay can still serve after dropping it.
    pub seen_snapshots: Vec<(String, StoredSnapshot)>,
    /// Every record each device stored, oldest first (device id -> records).
    pub record_history: BTreeMap<String, Vec<Vec<u8>>>,
    /// device id -> the simulation's index of that device.
    pub device_index: BTreeMap<String, usize>,
    /// A member's keys (the founder's), for the checker to open what devices push and
    /// publish (with the relay's device list of the moment, so every member's
    /// signature is known).
    pub keys: Option<Keys>,
    /// The relay's clock (milliseconds since 1970): the simulation's.
    pub clock: Arc<AtomicI64>,
    /// Every change the relay acknowledged to a device (the answer reached it):
    /// hash -> (device, seq).
    pub acked: BTreeMap<ChangeHash, (usize, u64)>,
    /// What each device was served of each other device's records: the newest by
    /// counter, (asking device, record's device id) -> (counter, heads).
    pub heard: BTreeMap<(usize, String), (u64, Vec<ChangeHash>)>,
    /// What happened, one line per event, for a failing seed's report.
    pub log: Vec<String>,
}

impl Net {
    pub fn new(seed: u64, rate: f64) -> Net {
        Net {
            relay: MemoryRelay::default(),
            rng: StdRng::seed_from_u64(seed ^ 0x0005_eed0_f4e7),
            faults: false,
            rate,
            counts: BTreeMap::new(),
            backups: Vec::new(),
            seen_snapshots: Vec::new(),
            record_history: BTreeMap::new(),
            device_index: BTreeMap::new(),
            keys: None,
            clock: Arc::new(AtomicI64::new(0)),
            acked: BTreeMap::new(),
            heard: BTreeMap::new(),
            log: Vec::new(),
        }
    }

    fn count(&mut self, fault: Fault, device: usize, what: &str) {
        *self.counts.entry(fault).or_default() += 1;
        self.log
            .push(format!("  fault {fault:?} on device {device}: {what}"));
    }

    /// Draws whether this call meets a fault, and which of `options`.
    fn roll(&mut self, options: &[Fault]) -> Option<Fault> {
        if !self.faults || options.is_empty() || !self.rng.random_bool(self.rate) {
            return None;
        }
        Some(options[self.rng.random_range(0..options.len())])
    }

    fn new_id(&mut self) -> String {
        let bytes: [u8; 16] = self.rng.random();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Now and then a backup of the whole relay is taken, as a nightly job would.
    fn maybe_back_up(&mut self) {
        if self.rng.random_bool(0.1) {
            self.backups.push(self.relay.clone());
            if self.backups.len() > 8 {
                self.backups.remove(0);
            }
        }
    }

    fn keys(&self) -> Option<Keys> {
        let mut keys = self.keys.clone()?;
        if let Some(j) = self.relay.journals.get(keys.journal_id()) {
            keys.set_roster(j.roster.clone());
        }
        Some(keys)
    }

    fn now_ms(&self) -> u64 {
        self.clock.load(Ordering::SeqCst).max(0) as u64
    }

    /// The faults of any call: `Err` when the request is dropped.
    fn before(&mut self, device: usize, journal_id: &str, what: &str) -> Result<()> {
        self.maybe_back_up();
        match self.roll(&ANY_CALL) {
            Some(Fault::DropRequest) => {
                self.count(Fault::DropRequest, device, what);
                return Err(memory::unreachable("the request was dropped"));
            }
            Some(Fault::Restart) => self.count(Fault::Restart, device, what),
            Some(Fault::RestoreBackup) => {
                // A backup from before the journal existed would make the relay refuse
                // it for good (401): that's setting sync up again, not a sync fault.
                // So would one from before a device joined (the relay no longer knows
                // its credential, and registering the journal again adds no member to
                // a journal that is there): only backups with today's device list.
                let ops = self.relay.journals.get(journal_id).map(|j| j.ops.clone());
                let with_journal: Vec<usize> = (0..self.backups.len())
                    .filter(|&i| {
                        self.backups[i].journals.get(journal_id).map(|j| &j.ops) == ops.as_ref()
                    })
                    .collect();
                if with_journal.is_empty() {
                    return Ok(());
                }
                let i = with_journal[self.rng.random_range(0..with_journal.len())];
                self.relay = self.backups[i].clone();
                let latest = self.relay.journals.get(journal_id).map(|j| j.latest_seq);
                self.count(
                    Fault::RestoreBackup,
                    device,
                    &format!("before {what}: backup {i}, latest {latest:?}"),
                );
            }
            Some(Fault::Recreate) if self.relay.journals.contains_key(journal_id) => {
                // Registered again as a device does it: the whole device list (stored
                // afresh, numbered 0) and the keys wrapped for its members.
                let incarnation = self.new_id();
                let old = &self.relay.journals[journal_id];
                let ops = old
                    .ops
                    .iter()
                    .map(|o| LoggedOp {
                        op: o.op.clone(),
                        seq: 0,
                    })
                    .collect();
                let fresh = memory::StoredJournal::new(
                    ops,
                    old.roster.clone(),
                    old.wraps.clone(),
                    incarnation,
                );
                self.relay.journals.insert(journal_id.to_string(), fresh);
                self.count(Fault::Recreate, device, &format!("before {what}"));
            }
            _ => {}
        }
        Ok(())
    }

    /// A write that acted: maybe its answer is lost.
    fn after_write<T>(&mut self, device: usize, what: &str, answer: Result<T>) -> Result<T> {
        if answer.is_ok() && self.roll(&[Fault::LoseAnswer]).is_some() {
            self.count(Fault::LoseAnswer, device, what);
            return Err(memory::unreachable("the answer was lost"));
        }
        answer
    }

    fn note_snapshots(&mut self, journal_id: &str) {
        let Ok(j) = self.relay.journals.get(journal_id).ok_or(()) else {
            return;
        };
        for (id, s) in &j.snapshots {
            if s.complete && !self.seen_snapshots.iter().any(|(seen, _)| seen == id) {
                self.seen_snapshots.push((id.clone(), s.clone()));
            }
        }
    }

    fn note_acked(&mut self, device: usize, batch_id: &str, envelope: &[u8], seq: u64) {
        let Some(keys) = self.keys() else { return };
        let Ok(opened) = envelope::open(&keys, Sealed::Batch, batch_id, envelope) else {
            return;
        };
        if let Ok(refs) = batches::change_refs(&opened.plaintext) {
            for r in refs {
                self.acked.entry(r.hash).or_insert((device, seq));
            }
        }
    }

    fn note_heard(&mut self, device: usize, served: &[(String, Vec<u8>)]) {
        let Some(keys) = self.keys() else { return };
        for (id, record) in served {
            let Ok(opened) = envelope::open(&keys, Sealed::DeviceRecord, id, record) else {
                continue;
            };
            let Ok(record) = sealed::read_record(id, &opened.plaintext) else {
                continue;
            };
            let known = self
                .heard
                .entry((device, id.clone()))
                .or_insert((0, vec![]));
            if record.counter >= known.0 {
                *known = (record.counter, record.heads);
            }
        }
    }
}

/// One device's way to the relay.
#[derive(Clone)]
pub struct DeviceRelay {
    net: Arc<Mutex<Net>>,
    device: usize,
}

impl DeviceRelay {
    fn net(&self) -> MutexGuard<'_, Net> {
        self.net.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Hands out one device's [`DeviceRelay`] for the simulated relay's address.
pub struct SimConnect {
    relay: Arc<DeviceRelay>,
}

impl SimConnect {
    pub fn new(net: Arc<Mutex<Net>>, device: usize) -> SimConnect {
        SimConnect {
            relay: Arc::new(DeviceRelay { net, device }),
        }
    }
}

impl SimConnect {
    /// The device's relay handle itself, to send what no device would.
    pub fn relay_handle(&self) -> Arc<DeviceRelay> {
        self.relay.clone()
    }
}

impl Connect for SimConnect {
    fn relay(&self, url: &str) -> Result<Arc<dyn Relay>> {
        if url.trim_end_matches('/') != URL {
            return Err(memory::unreachable("no relay at that address"));
        }
        Ok(self.relay.clone())
    }
}

fn garbage(rng: &mut StdRng, len: usize) -> Vec<u8> {
    (0..len.max(1)).map(|_| rng.random()).collect()
}

#[async_trait]
impl Relay for DeviceRelay {
    fn url(&self) -> &str {
        URL
    }

    async fn create_journal(
        &self,
        keys: &Keys,
        body: &CreateJournal,
        _registration: Option<&str>,
    ) -> Result<()> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "create")?;
        let incarnation = net.new_id();
        let done = net
            .relay
            .create(keys.journal_id(), &keys.credential(), body, || incarnation);
        net.after_write(d, "create", done)
    }

    async fn delete_journal(&self, keys: &Keys, signature: &str) -> Result<DeleteAnswer> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "delete")?;
        let now = net.now_ms();
        let done = net
            .relay
            .delete(keys.journal_id(), &keys.credential(), signature, now);
        net.after_write(d, "delete", done)
    }

    async fn restore_journal(&self, keys: &Keys, signature: &str) -> Result<()> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "restore")?;
        let done = net
            .relay
            .restore(keys.journal_id(), &keys.credential(), signature);
        net.after_write(d, "restore", done)
    }

    async fn members(&self, keys: &Keys, held: Option<&str>) -> Result<Option<Vec<LoggedOp>>> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "members")?;
        let ops = &net
            .relay
            .journal(keys.journal_id(), &keys.credential())?
            .ops;
        // As the relay answers `If-None-Match`.
        Ok((held != Some(list_tag(ops).as_str())).then(|| ops.clone()))
    }

    async fn change_members(&self, keys: &Keys, change: &MembersChange) -> Result<Vec<LoggedOp>> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "change members")?;
        let now = net.now_ms();
        let (journal, _) = net
            .relay
            .journal_mut(keys.journal_id(), &keys.credential())?;
        let done = journal.change_members(&change.op, &change.wraps, None, now);
        net.after_write(d, "change members", done)
    }

    async fn wraps(&self, keys: &Keys) -> Result<Vec<SignedWrap>> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "wraps")?;
        let (journal, member) = net
            .relay
            .member(keys.journal_id(), &keys.credential(), false)?;
        Ok(journal.wraps_for(&member.device))
    }

    async fn put_invitation(&self, keys: &Keys, id: &str, upload: &InvitationUpload) -> Result<()> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "invite")?;
        let now = net.now_ms();
        let (journal, inviter) = net
            .relay
            .journal_mut(keys.journal_id(), &keys.credential())?;
        let done = journal.put_invitation(&inviter, id, upload, now);
        net.after_write(d, "invite", done)
    }

    async fn invitation(&self, access: &Access, id: &str) -> Result<InvitationAnswer> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, &access.journal_id, "read invitation")?;
        let now = net.now_ms();
        let journal = net
            .relay
            .for_invitation(&access.journal_id, id, &access.credential)?;
        journal.read_invitation(id, &access.credential, now)
    }

    async fn accept_invitation(
        &self,
        access: &Access,
        id: &str,
        op: &SignedOp,
    ) -> Result<Vec<LoggedOp>> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, &access.journal_id, "accept invitation")?;
        let now = net.now_ms();
        let journal = net
            .relay
            .for_invitation(&access.journal_id, id, &access.credential)?;
        let done = journal.change_members(op, &[], Some(id), now);
        if done.is_ok() {
            net.log
                .push(format!("  device {d} accepted invitation {}", &id[..8]));
        }
        net.after_write(d, "accept invitation", done)
    }

    async fn info(&self, keys: &Keys) -> Result<JournalInfo> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "info")?;
        let mut info = net
            .relay
            .journal(keys.journal_id(), &keys.credential())?
            .info();
        if net.roll(&[Fault::StaleSnapshot]).is_some() {
            let current = info.snapshot.as_ref().map(|s| s.id.clone());
            let older: Vec<SnapshotInfo> = net
                .seen_snapshots
                .iter()
                .filter(|(id, _)| Some(id) != current.as_ref())
                .map(|(id, s)| SnapshotInfo {
                    id: id.clone(),
                    covers: s.covers,
                    parts: s.parts,
                    bytes: s.bytes(),
                })
                .collect();
            if !older.is_empty() {
                let pick = older[net.rng.random_range(0..older.len())].clone();
                net.count(
                    Fault::StaleSnapshot,
                    d,
                    &format!("info names snapshot covering {}", pick.covers),
                );
                info.snapshot = Some(pick);
            }
        }
        Ok(info)
    }

    async fn put_batch(
        &self,
        keys: &Keys,
        batch_id: &str,
        envelope: Vec<u8>,
    ) -> Result<PushAnswer> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "push")?;
        let (journal, writer) = net
            .relay
            .journal_mut(keys.journal_id(), &keys.credential())?;
        let mut answer = journal.push(&writer, batch_id, envelope.clone());
        if net.roll(&[Fault::DuplicatePush]).is_some() {
            let (journal, writer) = net
                .relay
                .journal_mut(keys.journal_id(), &keys.credential())?;
            answer = journal.push(&writer, batch_id, envelope.clone());
            net.count(Fault::DuplicatePush, d, "push sent twice");
        }
        let answer = net.after_write(d, "push", answer)?;
        net.log.push(format!(
            "  device {d} pushed {} as seq {} (duplicate {})",
            &batch_id[..8],
            answer.seq,
            answer.duplicate
        ));
        net.note_acked(d, batch_id, &envelope, answer.seq);
        if let Some(keys) = net.keys() {
            if let Ok(p) = envelope::open(&keys, Sealed::Batch, batch_id, &envelope) {
                let hashes: Vec<String> = batches::change_refs(&p.plaintext)
                    .unwrap_or_default()
                    .iter()
                    .map(|r| r.hash.to_string()[..8].to_string())
                    .collect();
                net.log.push(format!("    changes {}", hashes.join(" ")));
            }
        }
        Ok(answer)
    }

    async fn batches(
        &self,
        keys: &Keys,
        after: u64,
        limit: u32,
        _wait: Duration,
    ) -> Result<Batches> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "pull")?;
        let answer = net
            .relay
            .journal(keys.journal_id(), &keys.credential())?
            .pull(after, limit);
        let Batches::Frames(mut answer) = answer else {
            net.log.push(format!(
                "  device {d} pulls after {after}: snapshot required"
            ));
            return Ok(answer);
        };
        net.log.push(format!(
            "  device {d} pulls after {after}: {} latest {} after_id {}",
            answer
                .frames
                .iter()
                .map(|f| format!("{}:{}", f.seq, &f.batch_id[..8]))
                .collect::<Vec<_>>()
                .join(" "),
            answer.latest_seq,
            answer.after_id.get(..8).unwrap_or("-")
        ));
        let options = [
            Fault::ReorderFrames,
            Fault::DuplicateFrame,
            Fault::WithholdBatches,
            Fault::ForgeFrameSeq,
            Fault::ForgeEnvelope,
        ];
        let n = answer.frames.len();
        match net.roll(&options) {
            Some(Fault::ReorderFrames) if n >= 2 => {
                answer.frames.reverse();
                net.count(Fault::ReorderFrames, d, &format!("{n} frames reversed"));
            }
            Some(Fault::DuplicateFrame) if n >= 1 => {
                let i = net.rng.random_range(0..n);
                let copy = answer.frames[i].clone();
                answer.frames.insert(i, copy);
                net.count(Fault::DuplicateFrame, d, &format!("frame {i} twice"));
            }
            Some(Fault::WithholdBatches) if n >= 1 => {
                let keep = net.rng.random_range(0..n);
                answer.frames.truncate(keep);
                let latest = after + keep as u64;
                net.count(
                    Fault::WithholdBatches,
                    d,
                    &format!("latest {} said to be {latest}", answer.latest_seq),
                );
                answer.latest_seq = latest;
            }
            Some(Fault::ForgeFrameSeq) => {
                let frame = onward_core::sync::relay::Frame {
                    seq: 1 << 40,
                    batch_id: net.new_id(),
                    envelope: garbage(&mut net.rng, 64),
                };
                if n >= 1 && net.rng.random_bool(0.5) {
                    answer.frames[n - 1] = frame;
                } else {
                    answer.frames.push(frame);
                }
                net.count(Fault::ForgeFrameSeq, d, "a frame numbered 2^40");
            }
            Some(Fault::ForgeEnvelope) if n >= 1 => {
                let i = net.rng.random_range(0..n);
                let tamper = net.rng.random_bool(0.5);
                let frame = &mut answer.frames[i];
                let seq = frame.seq;
                if tamper {
                    let at = net.rng.random_range(0..frame.envelope.len());
                    answer.frames[i].envelope[at] ^= 0x40;
                } else {
                    let len = net.rng.random_range(1..200);
                    answer.frames[i].envelope = garbage(&mut net.rng, len);
                }
                net.count(
                    Fault::ForgeEnvelope,
                    d,
                    &format!(
                        "batch {seq} {}",
                        if tamper { "tampered" } else { "garbage" }
                    ),
                );
            }
            _ => {}
        }
        Ok(Batches::Frames(answer))
    }

    async fn put_snapshot_part(
        &self,
        keys: &Keys,
        snapshot_id: &str,
        index: u32,
        parts: u32,
        covers: u64,
        bytes: Vec<u8>,
    ) -> Result<bool> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "snapshot part")?;
        let (journal, _) = net
            .relay
            .journal_mut(keys.journal_id(), &keys.credential())?;
        let done = journal.put_part(snapshot_id, index, parts, covers, bytes);
        if let Ok(true) = done {
            net.log.push(format!(
                "  device {d} completed snapshot {} covering {covers}",
                &snapshot_id[..8]
            ));
        }
        net.note_snapshots(keys.journal_id());
        net.after_write(d, "snapshot part", done)
    }

    async fn snapshot_part(
        &self,
        keys: &Keys,
        snapshot_id: &str,
        index: u32,
        max: usize,
    ) -> Result<Vec<u8>> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "snapshot download")?;
        let journal = net.relay.journal(keys.journal_id(), &keys.credential())?;
        // A dropped snapshot is still served from an old copy: only a lying relay's
        // info leads a device to one.
        let mut part = journal.part(snapshot_id, index).or_else(|e| {
            net.seen_snapshots
                .iter()
                .find(|(id, _)| id == snapshot_id)
                .and_then(|(_, s)| s.data.get(&index).cloned())
                .ok_or(e)
        })?;
        // Another snapshot's part when there is one (rarely), else garbage.
        let others = net
            .seen_snapshots
            .iter()
            .any(|(id, s)| id != snapshot_id && s.data.contains_key(&index));
        let fault = (net.faults && net.rng.random_bool(PART_FAULT_RATE)).then(|| {
            if others && net.rng.random_bool(0.7) {
                Fault::ForeignSnapshotPart
            } else {
                Fault::GarbageSnapshotPart
            }
        });
        match fault {
            Some(Fault::GarbageSnapshotPart) => {
                let len = part.len();
                part = garbage(&mut net.rng, len);
                net.count(Fault::GarbageSnapshotPart, d, "garbage part");
            }
            Some(Fault::ForeignSnapshotPart) => {
                let others: Vec<Vec<u8>> = net
                    .seen_snapshots
                    .iter()
                    .filter(|(id, _)| id != snapshot_id)
                    .filter_map(|(_, s)| s.data.get(&index).cloned())
                    .collect();
                if !others.is_empty() {
                    part = others[net.rng.random_range(0..others.len())].clone();
                    net.count(Fault::ForeignSnapshotPart, d, "another snapshot's part");
                }
            }
            _ => {}
        }
        // The HTTP client reads no more than `max` bytes.
        if part.len() > max {
            return Err(Error::RelayAnswer {
                detail: format!("it is over {max} bytes"),
            });
        }
        Ok(part)
    }

    async fn put_device_record(&self, keys: &Keys, device_id: &str, record: Vec<u8>) -> Result<()> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "record")?;
        let (journal, writer) = net
            .relay
            .journal_mut(keys.journal_id(), &keys.credential())?;
        let done = journal.put_device(&writer, device_id, record.clone());
        if done.is_ok() {
            net.device_index.insert(device_id.to_string(), d);
            net.record_history
                .entry(device_id.to_string())
                .or_default()
                .push(record);
        }
        net.after_write(d, "record", done)
    }

    async fn device_records(&self, keys: &Keys) -> Result<Vec<(String, Vec<u8>)>> {
        let d = self.device;
        let mut net = self.net();
        net.before(d, keys.journal_id(), "records")?;
        let mut records = net
            .relay
            .journal(keys.journal_id(), &keys.credential())?
            .device_records();
        // Chosen by the simulation's device numbers, not by the (random) device ids.
        let mut others: Vec<(usize, usize)> = records
            .iter()
            .enumerate()
            .filter_map(|(i, (id, _))| net.device_index.get(id).map(|&dev| (dev, i)))
            .filter(|&(dev, _)| dev != d)
            .collect();
        others.sort();
        match net.roll(&[Fault::OmitRecord, Fault::StaleRecord]) {
            Some(Fault::OmitRecord) if !others.is_empty() => {
                let (dev, i) = others[net.rng.random_range(0..others.len())];
                records.remove(i);
                net.count(
                    Fault::OmitRecord,
                    d,
                    &format!("device {dev}'s record left out"),
                );
            }
            Some(Fault::StaleRecord) if !others.is_empty() => {
                let (dev, i) = others[net.rng.random_range(0..others.len())];
                let history = net
                    .record_history
                    .get(&records[i].0)
                    .cloned()
                    .unwrap_or_default();
                if history.len() >= 2 {
                    let old = net.rng.random_range(0..history.len() - 1);
                    records[i].1 = history[old].clone();
                    net.count(
                        Fault::StaleRecord,
                        d,
                        &format!("device {dev}'s record {old}"),
                    );
                }
            }
            _ => {}
        }
        net.note_heard(d, &records);
        Ok(records)
    }
}

/// A member's keys, for the checker (`None` before sync is on).
pub fn share_keys(net: &Arc<Mutex<Net>>, keys: Keys) {
    net.lock().unwrap().keys = Some(keys);
}

/// The change hashes the relay acknowledged, in hash order.
pub fn acked(net: &Net) -> BTreeSet<ChangeHash> {
    net.acked.keys().copied().collect()
}
