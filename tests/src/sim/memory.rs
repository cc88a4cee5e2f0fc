//! An in-memory relay: the storage rules of `apps/relay` (see
//! `apps/relay/src/storage/{rules,sqlite}.rs`) as a small model, without sockets or a
//! database. Every method is synchronous and acts at once; [`super::faulty`] puts it
//! behind the device's `Relay` trait and breaks it on purpose.
//!
//! The device list (protocol v2) is kept as the relay keeps it: every change verified
//! with the protocol crate's checks (`onward_protocol::members`) against the stored
//! list, every batch, snapshot and device record checked with
//! `members::envelope::check` (signed by the member whose credential the request
//! carries, admitted now, under the current epoch), a removed member's credential
//! refused (`device_removed`), invitations one-time and bound by their expiry (the
//! simulation's clock stands in for the relay's).
//!
//! Left out: the quota (the default 512 MiB is never reached here), the delete grace
//! period's end (a deleted journal stays restorable) and request shapes the device never
//! sends (ids that aren't hex, `limit` out of range).

use onward_core::sync::keys::credential_hash;
use onward_core::sync::relay::{
    Batches, CreateJournal, Frame, InvitationAnswer, InvitationUpload, JournalInfo, PullAnswer,
    PushAnswer, SnapshotInfo,
};
use onward_core::Error;
use onward_protocol::limits::{
    DEFAULT_DELETE_GRACE_SECONDS, DEFAULT_QUOTA_BYTES, MAX_DEVICES, MAX_DEVICE_RECORD_BYTES,
    MAX_INVITATION_SECONDS, MAX_OPS, MAX_PULL_BYTES, MAX_SNAPSHOT_PARTS, MAX_SNAPSHOT_PART_BYTES,
};
use onward_protocol::members::{
    self, envelope, request_message, verify_log, LoggedOp, Member, MembersError, Op, Roster,
    SignedOp, SignedWrap,
};
use onward_protocol::DeleteAnswer;
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

/// An invitation left with the relay, and whether it was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInvitation {
    pub upload: InvitationUpload,
    pub used: bool,
}

/// One journal as the relay stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJournal {
    /// The device list, as stored (each with the latest seq when it was).
    pub ops: Vec<LoggedOp>,
    /// What the list says, verified from its genesis on every change.
    pub roster: Roster,
    /// Every wrapped key stored with a change.
    pub wraps: Vec<SignedWrap>,
    /// invitation id -> invitation
    pub invitations: BTreeMap<String, StoredInvitation>,
    /// When a member asked to delete it (restorable until then plus the grace period).
    pub deleted_at_ms: Option<u64>,
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
    /// A journal registered with its device list (already verified) and wraps.
    pub fn new(
        ops: Vec<LoggedOp>,
        roster: Roster,
        wraps: Vec<SignedWrap>,
        incarnation: String,
    ) -> StoredJournal {
        StoredJournal {
            ops,
            roster,
            wraps,
            invitations: BTreeMap::new(),
            deleted_at_ms: None,
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
            epoch: self.roster.epoch,
            members: self.roster.active_members().count() as u32,
            snapshot: self.newest_snapshot(),
        }
    }

    /// `members::envelope::check` with the relay's answers: signed by `writer` (the
    /// member whose credential the request carries; any member admitted now for a
    /// snapshot), admitted now (403), under the current epoch (409 `epoch_outdated`).
    pub fn check_envelope(
        &self,
        kind: u8,
        object: &str,
        bytes: &[u8],
        writer: Option<&str>,
    ) -> Result<(), Error> {
        let head = envelope::check(&self.roster, kind, object, bytes)
            .map_err(|e| forbidden(&e.to_string()))?;
        if writer.is_some_and(|w| w != head.signer) {
            return Err(forbidden(
                "the envelope is signed by another device than the one asking",
            ));
        }
        if head.epoch != self.roster.epoch {
            return Err(relay_error(&format!(
                "HTTP 409: the journal is at key epoch {} (epoch_outdated)",
                self.roster.epoch
            )));
        }
        Ok(())
    }

    pub fn push(
        &mut self,
        writer: &str,
        batch_id: &str,
        envelope: Vec<u8>,
    ) -> Result<PushAnswer, Error> {
        if envelope.is_empty() {
            return Err(bad_request("an empty batch"));
        }
        self.check_envelope(envelope::BATCH, batch_id, &envelope, Some(writer))?;
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
            if known.complete {
                return Err(relay_error(
                    "HTTP 409: the snapshot is complete (snapshot_complete)",
                ));
            }
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
        if (snapshot.data.len() as u64) < u64::from(parts) {
            return Ok(false);
        }
        // The whole envelope is checked when its last part arrives; one that doesn't
        // check out is dropped.
        let whole: Vec<u8> = snapshot.data.values().flatten().copied().collect();
        if let Err(e) = self.check_envelope(envelope::SNAPSHOT, snapshot_id, &whole, None) {
            self.snapshots.remove(snapshot_id);
            return Err(e);
        }
        let snapshot = self.snapshots.get_mut(snapshot_id).expect("just stored");
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

    pub fn put_device(
        &mut self,
        writer: &str,
        device_id: &str,
        record: Vec<u8>,
    ) -> Result<(), Error> {
        if record.is_empty() {
            return Err(bad_request("an empty device record"));
        }
        if record.len() > MAX_DEVICE_RECORD_BYTES {
            return Err(relay_error("HTTP 413: the record is too large"));
        }
        if device_id != writer {
            return Err(forbidden("a device stores its own record only"));
        }
        self.check_envelope(envelope::DEVICE_RECORD, device_id, &record, Some(writer))?;
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

    /// The wraps stored for `device`.
    pub fn wraps_for(&self, device: &str) -> Vec<SignedWrap> {
        self.wraps
            .iter()
            .filter(|w| w.device == device)
            .cloned()
            .collect()
    }

    /// `POST .../members` and `.../accept`: one operation judged against the stored list
    /// as the relay's `storage::members::plan` judges it; answers the whole list.
    pub fn change_members(
        &mut self,
        op: &SignedOp,
        wraps: &[SignedWrap],
        invitation: Option<&str>,
        now_ms: u64,
    ) -> Result<Vec<LoggedOp>, Error> {
        if self.ops.len() >= MAX_OPS {
            return Err(bad_request("the device list is full"));
        }
        let body = members::parse_body(op).map_err(|e| bad_request(&e.to_string()))?;
        match (&body.op, invitation) {
            (
                Op::Add {
                    invitation: Some(_),
                    ..
                },
                None,
            ) => {
                return Err(bad_request(
                    "an add by invitation goes to .../invitations/{invitation}/accept",
                ))
            }
            (
                Op::Add {
                    invitation: Some(named),
                    ..
                },
                Some(id),
            ) => {
                let stored = self.invitations.get(id).ok_or_else(refused)?;
                if stored.used || now_ms >= stored.upload.invitation.expires_at_ms {
                    return Err(Error::InvitationGone);
                }
                if *named != stored.upload.invitation {
                    return Err(bad_request("the add must name the stored invitation"));
                }
            }
            (_, Some(_)) => return Err(bad_request("an accepted invitation is an add naming it")),
            _ => {}
        }
        if body.prev != self.roster.head {
            return Err(relay_error(
                "HTTP 409: the device list changed meanwhile (members_changed)",
            ));
        }
        let mut roster = self.roster.clone();
        roster
            .apply(op, self.latest_seq)
            .map_err(|e| refused_op(e, &op.signer))?;
        let removal = matches!(body.op, Op::Remove { .. });
        check_wraps(&roster, wraps, removal)?;
        self.ops.push(LoggedOp {
            op: op.clone(),
            seq: self.latest_seq,
        });
        self.roster = roster;
        self.wraps.extend(wraps.iter().cloned());
        if let Some(id) = invitation {
            if let Some(stored) = self.invitations.get_mut(id) {
                stored.used = true;
            }
        }
        Ok(self.ops.clone())
    }

    /// `PUT .../invitations/{id}` by member `inviter`.
    pub fn put_invitation(
        &mut self,
        inviter: &str,
        id: &str,
        upload: &InvitationUpload,
        now_ms: u64,
    ) -> Result<(), Error> {
        let inv = &upload.invitation;
        if inv.id != id {
            return Err(bad_request(
                "the invitation's id is not the one in the path",
            ));
        }
        if inv.inviter != inviter {
            return Err(forbidden("the invitation names another inviter"));
        }
        if inv.expires_at_ms <= now_ms
            || inv.expires_at_ms > now_ms.saturating_add(MAX_INVITATION_SECONDS * 1000)
        {
            return Err(bad_request("expires_at_ms out of range"));
        }
        self.roster
            .check_invitation(inv)
            .map_err(|e| forbidden(&e.to_string()))?;
        match self.invitations.get(id) {
            Some(stored) if stored.upload.invitation != *inv => Err(bad_request(
                "the invitation id is already stored with other contents",
            )),
            Some(_) => Ok(()),
            None => {
                self.invitations.insert(
                    id.to_string(),
                    StoredInvitation {
                        upload: upload.clone(),
                        used: false,
                    },
                );
                Ok(())
            }
        }
    }

    /// The invitation `id`, to the holder of its credential (401 otherwise).
    pub fn invitation(&self, id: &str, credential: &str) -> Result<&StoredInvitation, Error> {
        let stored = self.invitations.get(id).ok_or_else(refused)?;
        if stored.upload.invitation.credential_sha256 != credential_hash(credential) {
            return Err(refused());
        }
        Ok(stored)
    }

    /// `GET .../invitations/{id}`.
    pub fn read_invitation(
        &self,
        id: &str,
        credential: &str,
        now_ms: u64,
    ) -> Result<InvitationAnswer, Error> {
        let stored = self.invitation(id, credential)?;
        if stored.used || now_ms >= stored.upload.invitation.expires_at_ms {
            return Err(Error::InvitationGone);
        }
        Ok(InvitationAnswer {
            invitation: stored.upload.invitation.clone(),
            payload: stored.upload.payload.clone(),
            ops: self.ops.clone(),
        })
    }

    /// Checks a delete or restore request signed by `member`.
    pub fn check_request(
        &self,
        member: &Member,
        action: &str,
        signature: &str,
    ) -> Result<(), Error> {
        let message = request_message(action, &self.roster.journal, &self.incarnation);
        let sig = hex_bytes(signature).ok_or_else(|| forbidden("the signature is not hex"))?;
        members::verify_bytes(&member.sign_pk, &message, &sig, action)
            .map_err(|e| forbidden(&e.to_string()))
    }
}

/// The whole relay: every journal by id. Cloned whole for a backup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryRelay {
    pub journals: BTreeMap<String, StoredJournal>,
}

impl MemoryRelay {
    /// `PUT /v1/journals/{journal}`: a list that verifies from a genesis of this journal,
    /// in which the credential is a member's (403 otherwise); created, or already there
    /// with the same genesis (401 when with another).
    pub fn create(
        &mut self,
        journal_id: &str,
        credential: &str,
        body: &CreateJournal,
        incarnation: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        let ops: Vec<LoggedOp> = body
            .ops
            .iter()
            .map(|op| LoggedOp {
                op: op.clone(),
                seq: 0,
            })
            .collect();
        let roster = verify_log(journal_id, &ops).map_err(|e| match e {
            MembersError::Empty | MembersError::Malformed(_) => bad_request(&e.to_string()),
            other => forbidden(&format!("the device list is not this journal's: {other}")),
        })?;
        if roster.by_credential(&credential_hash(credential)).is_none() {
            return Err(forbidden("the credential is not a member's"));
        }
        check_wraps(&roster, &body.wraps, false)?;
        match self.journals.get(journal_id) {
            Some(j) if j.ops.first().map(|o| &o.op) == body.ops.first() => Ok(()),
            Some(_) => Err(refused()),
            None => {
                self.journals.insert(
                    journal_id.to_string(),
                    StoredJournal::new(ops, roster, body.wraps.clone(), incarnation()),
                );
                Ok(())
            }
        }
    }

    /// The journal and the member the credential names: an active member, a removed one
    /// (`device_removed`), or none (401, as for an unknown journal); a deleted journal
    /// answers `journal_deleted` (unless `deleted_too`, for a restore).
    pub fn member(
        &self,
        journal_id: &str,
        credential: &str,
        deleted_too: bool,
    ) -> Result<(&StoredJournal, Member), Error> {
        let j = self.journals.get(journal_id).ok_or_else(refused)?;
        let presented = credential_hash(credential);
        let mut standing = j
            .roster
            .members
            .values()
            .filter(|s| s.member.credential_sha256 == presented)
            .peekable();
        if standing.peek().is_none() {
            return Err(refused());
        }
        let member = standing
            .find(|s| s.removed.is_none())
            .map(|s| s.member.clone())
            .ok_or(Error::DeviceRemoved)?;
        if j.deleted_at_ms.is_some() && !deleted_too {
            return Err(Error::JournalDeleted);
        }
        Ok((j, member))
    }

    /// The journal, when the credential is an active member's.
    pub fn journal(&self, journal_id: &str, credential: &str) -> Result<&StoredJournal, Error> {
        self.member(journal_id, credential, false).map(|(j, _)| j)
    }

    /// The journal to change, and the asking member's device id.
    pub fn journal_mut(
        &mut self,
        journal_id: &str,
        credential: &str,
    ) -> Result<(&mut StoredJournal, String), Error> {
        let device = self.member(journal_id, credential, false)?.1.device;
        let j = self.journals.get_mut(journal_id).expect("found above");
        Ok((j, device))
    }

    /// The journal, for the holder of invitation `id`'s credential (401 otherwise).
    pub fn for_invitation(
        &mut self,
        journal_id: &str,
        id: &str,
        credential: &str,
    ) -> Result<&mut StoredJournal, Error> {
        let j = self.journals.get_mut(journal_id).ok_or_else(refused)?;
        j.invitation(id, credential)?;
        if j.deleted_at_ms.is_some() {
            return Err(Error::JournalDeleted);
        }
        Ok(j)
    }

    /// `DELETE /v1/journals/{journal}`, signed by a member.
    pub fn delete(
        &mut self,
        journal_id: &str,
        credential: &str,
        signature: &str,
        now_ms: u64,
    ) -> Result<DeleteAnswer, Error> {
        let (j, member) = self.member(journal_id, credential, false)?;
        j.check_request(&member, "delete", signature)?;
        let j = self.journals.get_mut(journal_id).expect("found above");
        j.deleted_at_ms = Some(now_ms);
        Ok(DeleteAnswer {
            purge_after_ms: now_ms + DEFAULT_DELETE_GRACE_SECONDS * 1000,
        })
    }

    /// `POST .../restore`, signed by a member.
    pub fn restore(
        &mut self,
        journal_id: &str,
        credential: &str,
        signature: &str,
    ) -> Result<(), Error> {
        let (j, member) = self.member(journal_id, credential, true)?;
        j.check_request(&member, "restore", signature)?;
        let j = self.journals.get_mut(journal_id).expect("found above");
        j.deleted_at_ms = None;
        Ok(())
    }
}

/// Wraps that come with a change or a creation, as the relay checks them: each signed
/// by a member for a member admitted now, of an epoch reached, none twice; with a
/// removal, one of the new epoch for every member left.
fn check_wraps(roster: &Roster, wraps: &[SignedWrap], removal: bool) -> Result<(), Error> {
    let mut seen = std::collections::BTreeSet::new();
    for wrap in wraps {
        roster
            .check_wrap(wrap)
            .map_err(|e| bad_request(&format!("a wrapped key was refused: {e}")))?;
        if wrap.epoch > roster.epoch || (removal && wrap.epoch != roster.epoch) {
            return Err(bad_request("a wrapped key of another epoch"));
        }
        if !seen.insert((wrap.epoch, wrap.device.clone())) {
            return Err(bad_request("two wrapped keys for one device"));
        }
    }
    if removal {
        if let Some(missing) = roster
            .active_members()
            .find(|m| !seen.contains(&(roster.epoch, m.device.clone())))
        {
            return Err(bad_request(&format!(
                "a removal must wrap the new key for every device left; {} has none",
                missing.device
            )));
        }
    }
    Ok(())
}

/// An operation `Roster::apply` refused, as the relay answers it: a signature or signer
/// that doesn't check out is 403, anything else 400.
fn refused_op(error: MembersError, signer: &str) -> Error {
    match error {
        MembersError::NotAMember(who) if who != signer => {
            bad_request(&format!("{who} is not a member"))
        }
        MembersError::Broken(_) | MembersError::Malformed(_) | MembersError::Empty => {
            bad_request(&error.to_string())
        }
        other => forbidden(&other.to_string()),
    }
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
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

/// 403 `forbidden`, as the HTTP client words it.
pub fn forbidden(what: &str) -> Error {
    relay_error(&format!(
        "it refused what this device signed: {what} (forbidden)"
    ))
}

pub fn unreachable(detail: &str) -> Error {
    Error::RelayUnreachable {
        url: URL.into(),
        detail: detail.into(),
    }
}
