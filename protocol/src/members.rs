//! A journal's devices (docs/SYNC.md, "Devices and keys"): the signed log of who may
//! read and write, checked the same way by the relay (before it stores anything) and by
//! every device (before it trusts anything the relay serves).
//!
//! The log is a chain of signed operations: a `genesis` by the device that turned sync
//! on, then `add` (a device joining by invitation, or a recovery kit added by a member)
//! and `remove` (a device removed by another, or leaving; each removal starts a new key
//! epoch). Each operation names the hash of the one before it, so a relay can't reorder
//! or drop one from the middle. What a device may do follows from the log alone.

use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Domain prefixes of everything signed, so a signature over one kind of message can
/// never pass for another.
pub mod domain {
    pub const OP: &[u8] = b"onward-members/v2\0";
    pub const INVITATION: &[u8] = b"onward-invitation/v2\0";
    pub const WRAP: &[u8] = b"onward-wrap/v2\0";
    pub const ENVELOPE: &[u8] = b"onward-envelope/v2\0";
    pub const REQUEST: &[u8] = b"onward-request/v2\0";
    pub const JOURNAL_ID: &[u8] = b"onward-journal-id/v2\0";
    pub const LIST_TAG: &[u8] = b"onward-list-tag/v2\0";
}

/// What a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// A phone, a laptop: it syncs.
    Device,
    /// The keys of a recovery kit: it may add a device when every device is gone.
    Recovery,
}

/// One member as the log admits it. Every key is public; the name is sealed under the
/// content key of `name_epoch` (the relay never reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The device id: the first 16 bytes of SHA-256 of `sign_pk`, as hex.
    pub device: String,
    pub kind: MemberKind,
    /// Ed25519 public key (hex), which signs everything the member writes.
    pub sign_pk: String,
    /// X25519 public key (hex), to which content keys are wrapped.
    pub box_pk: String,
    /// SHA-256 (hex) of the member's relay credential.
    pub credential_sha256: String,
    /// The member's name, sealed (hex), and the epoch whose key sealed it.
    pub name_sealed: String,
    pub name_epoch: u32,
    /// When it was added, by the signer's clock (milliseconds since 1970).
    pub added_at_ms: u64,
}

/// An invitation as the inviting device signed it: whoever holds the invitation's
/// secret may add one device before `expires_at_ms` (the relay's clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    /// The invitation id (32 hex characters).
    pub id: String,
    /// The invitation's own Ed25519 public key (hex), derived from its secret.
    pub sign_pk: String,
    /// SHA-256 (hex) of the invitation's relay credential.
    pub credential_sha256: String,
    pub expires_at_ms: u64,
    /// The member that invited (a device id) and its signature (hex) over the above.
    pub inviter: String,
    pub signature: String,
}

impl Invitation {
    /// The bytes the inviter signs.
    pub fn signing_message(
        journal: &str,
        id: &str,
        sign_pk: &str,
        credential: &str,
        expires_at_ms: u64,
    ) -> Vec<u8> {
        let mut m = domain::INVITATION.to_vec();
        for part in [journal, id, sign_pk, credential] {
            m.extend_from_slice(part.as_bytes());
            m.push(0);
        }
        m.extend_from_slice(&expires_at_ms.to_be_bytes());
        m
    }
}

/// One operation of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Sync turned on: the journal id is derived from the founder's key and `nonce`.
    Genesis {
        journal: String,
        nonce: String,
        founder: Member,
    },
    /// A member added: by an invitation (signed with the invitation's key) or by a
    /// member directly (a recovery kit, or a device added by a recovery kit).
    Add {
        member: Member,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invitation: Option<Invitation>,
    },
    /// A member removed (by another or by itself); `epoch` is the new key epoch.
    Remove { device: String, epoch: u32 },
}

/// What a signed operation's `body` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpBody {
    /// The hash of the operation before (empty for the genesis).
    pub prev: String,
    pub op: Op,
}

/// A signed operation as it travels: the body's JSON text exactly as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedOp {
    /// JSON of an [`OpBody`].
    pub body: String,
    /// The signing member's device id, or the invitation id for an add by invitation.
    pub signer: String,
    /// Ed25519 signature (hex) over [`SignedOp::signing_message`].
    pub signature: String,
}

impl SignedOp {
    /// The bytes signed for the op `body` of `journal`.
    pub fn signing_message(journal: &str, body: &str) -> Vec<u8> {
        let mut m = domain::OP.to_vec();
        m.extend_from_slice(journal.as_bytes());
        m.extend_from_slice(body.as_bytes());
        m
    }

    /// The hash the next operation names as `prev` (hex).
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.body.as_bytes());
        h.update([0]);
        h.update(self.signature.as_bytes());
        hex::encode(h.finalize())
    }
}

/// An operation as the relay serves it, with the relay's latest sequence number when it
/// stored it (a removed device's batches numbered above it are refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoggedOp {
    pub op: SignedOp,
    pub seq: u64,
}

/// The device list's entity tag: the strong `ETag` of `GET .../members`, quoted as HTTP
/// wants it. It hashes every field of every entry, so any change to the answer changes
/// it. The relay computes it from what it serves and a device from the list it verified
/// (so a device sends `If-None-Match` without remembering anything more); should the two
/// ever disagree, the list is only downloaded again.
pub fn list_tag(ops: &[LoggedOp]) -> String {
    let mut h = Sha256::new();
    h.update(domain::LIST_TAG);
    h.update((ops.len() as u64).to_be_bytes());
    for logged in ops {
        h.update(logged.seq.to_be_bytes());
        for part in [&logged.op.body, &logged.op.signer, &logged.op.signature] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
    }
    format!("\"{}\"", hex::encode(&h.finalize()[..16]))
}

/// A content key wrapped for one member, signed by the member that wrapped it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedWrap {
    pub epoch: u32,
    /// The recipient's device id.
    pub device: String,
    /// The epoch's key sealed to the recipient's X25519 key (hex).
    pub wrapped: String,
    /// The previous epoch's key sealed under this epoch's key (hex; empty at epoch 0),
    /// so a member of this epoch can read what was written before it.
    pub chain: String,
    /// The wrapping member and its signature (hex).
    pub signer: String,
    pub signature: String,
}

impl SignedWrap {
    pub fn signing_message(
        journal: &str,
        epoch: u32,
        device: &str,
        wrapped: &str,
        chain: &str,
    ) -> Vec<u8> {
        let mut m = domain::WRAP.to_vec();
        m.extend_from_slice(journal.as_bytes());
        m.extend_from_slice(&epoch.to_be_bytes());
        for part in [device, wrapped, chain] {
            m.extend_from_slice(part.as_bytes());
            m.push(0);
        }
        m
    }
}

/// A signed request that changes the whole journal (delete, restore): the action, the
/// journal and its incarnation, so it can't be replayed on a journal created again.
pub fn request_message(action: &str, journal: &str, incarnation: &str) -> Vec<u8> {
    let mut m = domain::REQUEST.to_vec();
    for part in [action, journal, incarnation] {
        m.extend_from_slice(part.as_bytes());
        m.push(0);
    }
    m
}

/// A device id from its Ed25519 public key.
pub fn device_id(sign_pk: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(sign_pk)[..16])
}

/// A journal id from its founder's key and the genesis nonce.
pub fn journal_id(founder_sign_pk: &[u8; 32], nonce: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(domain::JOURNAL_ID);
    h.update(founder_sign_pk);
    h.update(nonce);
    hex::encode(&h.finalize()[..16])
}

/// Why a log, an operation, a wrap or a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MembersError {
    #[error("the device list is empty")]
    Empty,
    #[error("the device list is malformed: {0}")]
    Malformed(String),
    #[error("a signature in the device list doesn't check out ({0})")]
    BadSignature(String),
    #[error("the device list doesn't follow on from what came before ({0})")]
    Broken(String),
    #[error("{0} is not a member of this journal's devices")]
    NotAMember(String),
}

/// A member's standing in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub member: Member,
    /// Index of the op that added it.
    pub added_at: usize,
    /// When removed: the index of the removal, the epoch it started, and the relay's
    /// sequence number when it was stored.
    pub removed: Option<Removal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removal {
    pub index: usize,
    pub epoch: u32,
    pub seq: u64,
    /// The member removed itself (it left).
    pub by_itself: bool,
}

/// What a verified log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    pub journal: String,
    pub members: BTreeMap<String, Standing>,
    /// The key epoch now (the number of removals).
    pub epoch: u32,
    /// The hash of the last operation: the `prev` of the next one.
    pub head: String,
    pub len: usize,
    pub used_invitations: BTreeSet<String>,
}

impl Roster {
    /// The member `device` if it is admitted now.
    pub fn active(&self, device: &str) -> Option<&Member> {
        self.members
            .get(device)
            .filter(|s| s.removed.is_none())
            .map(|s| &s.member)
    }

    /// Admitted members now, in device id order.
    pub fn active_members(&self) -> impl Iterator<Item = &Member> {
        self.members
            .values()
            .filter(|s| s.removed.is_none())
            .map(|s| &s.member)
    }

    /// The active member with this credential hash.
    pub fn by_credential(&self, credential_sha256: &str) -> Option<&Member> {
        self.active_members()
            .find(|m| m.credential_sha256 == credential_sha256)
    }

    /// Checks `op` as the next operation and takes it in (`seq`: the relay's latest
    /// sequence number when it was stored).
    pub fn apply(&mut self, op: &SignedOp, seq: u64) -> Result<(), MembersError> {
        let body = parse_body(op)?;
        if body.prev != self.head {
            return Err(MembersError::Broken(format!(
                "operation {} names another operation before it",
                self.len + 1
            )));
        }
        let message = SignedOp::signing_message(&self.journal, &op.body);
        match &body.op {
            Op::Genesis { .. } => {
                return Err(MembersError::Broken("a second genesis".into()));
            }
            Op::Add { member, invitation } => {
                check_member(member)?;
                if self.members.contains_key(&member.device) {
                    return Err(MembersError::Broken(format!(
                        "device {} was already a member",
                        member.device
                    )));
                }
                match invitation {
                    Some(inv) => {
                        if op.signer != inv.id {
                            return Err(MembersError::Broken(
                                "an add by invitation is signed by the invitation".into(),
                            ));
                        }
                        self.check_invitation(inv)?;
                        if self.used_invitations.contains(&inv.id) {
                            return Err(MembersError::Broken(format!(
                                "invitation {} was used twice",
                                inv.id
                            )));
                        }
                        verify(&inv.sign_pk, &message, &op.signature, "add by invitation")?;
                        self.used_invitations.insert(inv.id.clone());
                    }
                    None => {
                        let signer = self.signer(&op.signer)?;
                        verify(&signer.sign_pk, &message, &op.signature, "add")?;
                    }
                }
                self.members.insert(
                    member.device.clone(),
                    Standing {
                        member: member.clone(),
                        added_at: self.len,
                        removed: None,
                    },
                );
            }
            Op::Remove { device, epoch } => {
                let signer = self.signer(&op.signer)?;
                verify(&signer.sign_pk, &message, &op.signature, "remove")?;
                if *epoch != self.epoch + 1 {
                    return Err(MembersError::Broken(format!(
                        "a removal starts epoch {epoch}, the next is {}",
                        self.epoch + 1
                    )));
                }
                let index = self.len;
                let standing = self
                    .members
                    .get_mut(device)
                    .filter(|s| s.removed.is_none())
                    .ok_or_else(|| MembersError::NotAMember(device.clone()))?;
                standing.removed = Some(Removal {
                    index,
                    epoch: *epoch,
                    seq,
                    by_itself: op.signer == *device,
                });
                self.epoch = *epoch;
            }
        }
        self.head = op.hash();
        self.len += 1;
        Ok(())
    }

    /// An invitation signed by a member admitted now.
    pub fn check_invitation(&self, inv: &Invitation) -> Result<(), MembersError> {
        let inviter = self.signer(&inv.inviter)?;
        let message = Invitation::signing_message(
            &self.journal,
            &inv.id,
            &inv.sign_pk,
            &inv.credential_sha256,
            inv.expires_at_ms,
        );
        verify(&inviter.sign_pk, &message, &inv.signature, "invitation")
    }

    /// The member that may sign a wrap of `epoch`: one still admitted when that epoch
    /// started, or one that left by starting exactly that epoch (a device leaving wraps
    /// the new key for those it leaves behind). A member removed by another never wraps
    /// a key of the epoch its removal started, or a later one: it would hand the others
    /// a key it chose.
    pub fn wrapper(&self, device: &str, epoch: u32) -> Result<&Member, MembersError> {
        self.members
            .get(device)
            .filter(|s| match s.removed {
                None => true,
                Some(r) => r.epoch > epoch || (r.by_itself && r.epoch == epoch),
            })
            .map(|s| &s.member)
            .ok_or_else(|| MembersError::NotAMember(device.to_string()))
    }

    /// A wrap signed by a member that may wrap its epoch ([`Roster::wrapper`]), for a
    /// member admitted now.
    pub fn check_wrap(&self, wrap: &SignedWrap) -> Result<(), MembersError> {
        let signer = self.wrapper(&wrap.signer, wrap.epoch)?;
        if self.active(&wrap.device).is_none() {
            return Err(MembersError::NotAMember(wrap.device.clone()));
        }
        let message = SignedWrap::signing_message(
            &self.journal,
            wrap.epoch,
            &wrap.device,
            &wrap.wrapped,
            &wrap.chain,
        );
        verify(&signer.sign_pk, &message, &wrap.signature, "wrapped key")
    }

    /// A signature by `device`, admitted now, over `message`.
    pub fn check_signed(
        &self,
        device: &str,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), MembersError> {
        let member = self.signer(device)?;
        verify_bytes(&member.sign_pk, message, signature, "request")
    }

    fn signer(&self, device: &str) -> Result<&Member, MembersError> {
        self.active(device)
            .ok_or_else(|| MembersError::NotAMember(device.to_string()))
    }
}

/// Verifies a whole log of `journal` from its genesis.
pub fn verify_log(journal: &str, ops: &[LoggedOp]) -> Result<Roster, MembersError> {
    let first = ops.first().ok_or(MembersError::Empty)?;
    let mut roster = genesis(journal, &first.op)?;
    for logged in &ops[1..] {
        roster.apply(&logged.op, logged.seq)?;
    }
    Ok(roster)
}

/// Checks a genesis operation and starts a roster from it.
pub fn genesis(journal: &str, op: &SignedOp) -> Result<Roster, MembersError> {
    let body = parse_body(op)?;
    let Op::Genesis {
        journal: named,
        nonce,
        founder,
    } = &body.op
    else {
        return Err(MembersError::Broken(
            "the first operation is not a genesis".into(),
        ));
    };
    if !body.prev.is_empty() || named != journal || op.signer != founder.device {
        return Err(MembersError::Broken(
            "the genesis is not this journal's".into(),
        ));
    }
    check_member(founder)?;
    if founder.kind != MemberKind::Device {
        return Err(MembersError::Broken("the founder is not a device".into()));
    }
    let pk = key_bytes(&founder.sign_pk)?;
    let nonce = hex::decode(nonce).map_err(|_| MembersError::Malformed("genesis nonce".into()))?;
    if journal_id(&pk, &nonce) != *journal {
        return Err(MembersError::Broken(
            "the journal id doesn't come from its founder's key".into(),
        ));
    }
    verify(
        &founder.sign_pk,
        &SignedOp::signing_message(journal, &op.body),
        &op.signature,
        "genesis",
    )?;
    let mut members = BTreeMap::new();
    members.insert(
        founder.device.clone(),
        Standing {
            member: founder.clone(),
            added_at: 0,
            removed: None,
        },
    );
    Ok(Roster {
        journal: journal.to_string(),
        members,
        epoch: 0,
        head: op.hash(),
        len: 1,
        used_invitations: BTreeSet::new(),
    })
}

/// The body of a signed operation.
pub fn parse_body(op: &SignedOp) -> Result<OpBody, MembersError> {
    if op.body.len() > crate::limits::MAX_OP_BYTES {
        return Err(MembersError::Malformed("an operation is too large".into()));
    }
    serde_json::from_str(&op.body).map_err(|e| MembersError::Malformed(e.to_string()))
}

fn check_member(member: &Member) -> Result<(), MembersError> {
    let pk = key_bytes(&member.sign_pk)?;
    key_bytes(&member.box_pk)?;
    if device_id(&pk) != member.device {
        return Err(MembersError::Broken(format!(
            "device {} doesn't match its key",
            member.device
        )));
    }
    let hash_ok = member.credential_sha256.len() == 64
        && member
            .credential_sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hash_ok || member.name_sealed.len() > 2 * crate::limits::MAX_NAME_SEALED_BYTES {
        return Err(MembersError::Malformed(format!("member {}", member.device)));
    }
    Ok(())
}

/// A 32-byte key written as hex.
pub fn key_bytes(text: &str) -> Result<[u8; 32], MembersError> {
    let bytes = hex::decode(text).map_err(|_| MembersError::Malformed("a key".into()))?;
    bytes
        .try_into()
        .map_err(|_| MembersError::Malformed("a key of the wrong length".into()))
}

fn verify(pk_hex: &str, message: &[u8], sig_hex: &str, what: &str) -> Result<(), MembersError> {
    let sig = hex::decode(sig_hex).map_err(|_| MembersError::BadSignature(what.into()))?;
    verify_bytes(pk_hex, message, &sig, what)
}

/// Checks an Ed25519 signature (strictly: no malleable or small-order forms).
pub fn verify_bytes(
    pk_hex: &str,
    message: &[u8],
    sig: &[u8],
    what: &str,
) -> Result<(), MembersError> {
    let bad = || MembersError::BadSignature(what.to_string());
    let pk = VerifyingKey::from_bytes(&key_bytes(pk_hex)?).map_err(|_| bad())?;
    let sig: [u8; 64] = sig.try_into().map_err(|_| bad())?;
    pk.verify_strict(message, &Signature::from_bytes(&sig))
        .map_err(|_| bad())
}

/// The signed part of an envelope (docs/SYNC.md, "Envelopes"):
/// `version (2) || epoch (u32) || signer (16 bytes) || nonce || ciphertext || signature (64)`.
pub mod envelope {
    use super::*;

    pub const VERSION: u8 = 2;
    pub const NONCE_LEN: usize = 24;
    pub const TAG_LEN: usize = 16;
    pub const SIGNATURE_LEN: usize = 64;
    /// Bytes before the nonce.
    pub const HEAD_LEN: usize = 1 + 4 + 16;
    /// The smallest envelope: an empty plaintext.
    pub const MIN_LEN: usize = HEAD_LEN + NONCE_LEN + TAG_LEN + SIGNATURE_LEN;

    /// The kinds of sealed object, part of what is signed and of the associated data.
    pub const BATCH: u8 = b'B';
    pub const SNAPSHOT: u8 = b'S';
    pub const DEVICE_RECORD: u8 = b'D';

    /// The epoch and signer an envelope says it has (not yet checked).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Head {
        pub epoch: u32,
        pub signer: String,
    }

    pub fn head(envelope: &[u8]) -> Option<Head> {
        if envelope.len() < MIN_LEN || envelope[0] != VERSION {
            return None;
        }
        Some(Head {
            epoch: u32::from_be_bytes(envelope[1..5].try_into().ok()?),
            signer: hex::encode(&envelope[5..21]),
        })
    }

    /// What the signer signs: the domain, the kind, the journal, the object id and every
    /// byte of the envelope before the signature.
    pub fn signing_message(kind: u8, journal: &str, object: &str, unsigned: &[u8]) -> Vec<u8> {
        let mut m = domain::ENVELOPE.to_vec();
        m.push(kind);
        m.extend_from_slice(journal.as_bytes());
        m.extend_from_slice(object.as_bytes());
        m.extend_from_slice(unsigned);
        m
    }

    /// Checks that `envelope` of `object` in `journal` carries a valid signature by the
    /// Ed25519 key `sign_pk_hex` (the key of the member its head names, which the caller
    /// looked up; the relay keeps members' keys without rebuilding a roster per write).
    /// The epoch is not judged here. Returns its head.
    pub fn verify(
        sign_pk_hex: &str,
        kind: u8,
        journal: &str,
        object: &str,
        envelope: &[u8],
    ) -> Result<Head, MembersError> {
        let head = head(envelope)
            .ok_or_else(|| MembersError::Malformed("not a signed envelope".into()))?;
        let (unsigned, sig) = envelope.split_at(envelope.len() - SIGNATURE_LEN);
        let message = signing_message(kind, journal, object, unsigned);
        verify_bytes(sign_pk_hex, &message, sig, "envelope")?;
        Ok(head)
    }

    /// Checks that `envelope` of `object` is signed by a member admitted now, writing
    /// under the current epoch. Returns its head.
    pub fn check(
        roster: &Roster,
        kind: u8,
        object: &str,
        envelope: &[u8],
    ) -> Result<Head, MembersError> {
        let head = head(envelope)
            .ok_or_else(|| MembersError::Malformed("not a signed envelope".into()))?;
        let member = roster.signer(&head.signer)?;
        let (unsigned, sig) = envelope.split_at(envelope.len() - SIGNATURE_LEN);
        let message = signing_message(kind, &roster.journal, object, unsigned);
        verify_bytes(&member.sign_pk, &message, sig, "envelope")?;
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    struct Dev {
        key: SigningKey,
        member: Member,
    }

    fn dev(seed: u8, kind: MemberKind) -> Dev {
        let key = SigningKey::from_bytes(&[seed; 32]);
        let pk = key.verifying_key().to_bytes();
        Dev {
            member: Member {
                device: device_id(&pk),
                kind,
                sign_pk: hex::encode(pk),
                box_pk: hex::encode([seed; 32]),
                credential_sha256: hex::encode(Sha256::digest([seed])),
                name_sealed: String::new(),
                name_epoch: 0,
                added_at_ms: 1,
            },
            key,
        }
    }

    fn sign(journal: &str, by: &SigningKey, signer: &str, prev: &str, op: Op) -> SignedOp {
        let body = serde_json::to_string(&OpBody {
            prev: prev.into(),
            op,
        })
        .unwrap();
        let signature = hex::encode(
            by.sign(&SignedOp::signing_message(journal, &body))
                .to_bytes(),
        );
        SignedOp {
            body,
            signer: signer.into(),
            signature,
        }
    }

    fn founded() -> (String, Dev, Vec<LoggedOp>) {
        let a = dev(1, MemberKind::Device);
        let nonce = [7u8; 16];
        let journal = journal_id(&a.key.verifying_key().to_bytes(), &nonce);
        let op = sign(
            &journal,
            &a.key,
            &a.member.device,
            "",
            Op::Genesis {
                journal: journal.clone(),
                nonce: hex::encode(nonce),
                founder: a.member.clone(),
            },
        );
        (journal, a, vec![LoggedOp { op, seq: 0 }])
    }

    fn invited(journal: &str, inviter: &Dev, inv_key: &SigningKey, id: &str) -> Invitation {
        let pk = hex::encode(inv_key.verifying_key().to_bytes());
        let cred = hex::encode(Sha256::digest(b"inv"));
        let sig = inviter
            .key
            .sign(&Invitation::signing_message(journal, id, &pk, &cred, 99));
        Invitation {
            id: id.into(),
            sign_pk: pk,
            credential_sha256: cred,
            expires_at_ms: 99,
            inviter: inviter.member.device.clone(),
            signature: hex::encode(sig.to_bytes()),
        }
    }

    #[test]
    fn a_log_of_genesis_invitation_and_removal_verifies() {
        let (journal, a, mut log) = founded();
        let roster = verify_log(&journal, &log).unwrap();
        let b = dev(2, MemberKind::Device);
        let inv_key = SigningKey::from_bytes(&[9; 32]);
        let id = "0123456789abcdef0123456789abcdef";
        let add = sign(
            &journal,
            &inv_key,
            id,
            &roster.head,
            Op::Add {
                member: b.member.clone(),
                invitation: Some(invited(&journal, &a, &inv_key, id)),
            },
        );
        log.push(LoggedOp { op: add, seq: 3 });
        let roster = verify_log(&journal, &log).unwrap();
        assert!(roster.active(&b.member.device).is_some());
        let remove = sign(
            &journal,
            &a.key,
            &a.member.device,
            &roster.head,
            Op::Remove {
                device: b.member.device.clone(),
                epoch: 1,
            },
        );
        log.push(LoggedOp { op: remove, seq: 5 });
        let roster = verify_log(&journal, &log).unwrap();
        assert_eq!(roster.epoch, 1);
        assert!(roster.active(&b.member.device).is_none());
        assert_eq!(roster.members[&b.member.device].removed.unwrap().seq, 5);
    }

    #[test]
    fn a_removed_device_or_a_stranger_cannot_sign() {
        let (journal, _a, log) = founded();
        let roster = verify_log(&journal, &log).unwrap();
        let stranger = dev(3, MemberKind::Device);
        let mut r = roster.clone();
        let op = sign(
            &journal,
            &stranger.key,
            &stranger.member.device,
            &roster.head,
            Op::Add {
                member: stranger.member.clone(),
                invitation: None,
            },
        );
        assert!(matches!(r.apply(&op, 0), Err(MembersError::NotAMember(_))));
        // A founder's signature moved onto another body fails.
        let mut forged = log[0].op.clone();
        forged.body = forged.body.replace("\"op\"", "\"op\" ");
        assert!(verify_log(&journal, &[LoggedOp { op: forged, seq: 0 }]).is_err());
    }

    #[test]
    fn a_reused_invitation_and_a_broken_chain_are_refused() {
        let (journal, a, mut log) = founded();
        let roster = verify_log(&journal, &log).unwrap();
        let inv_key = SigningKey::from_bytes(&[9; 32]);
        let id = "0123456789abcdef0123456789abcdef";
        let inv = invited(&journal, &a, &inv_key, id);
        let b = dev(2, MemberKind::Device);
        let add_b = sign(
            &journal,
            &inv_key,
            id,
            &roster.head,
            Op::Add {
                member: b.member.clone(),
                invitation: Some(inv.clone()),
            },
        );
        log.push(LoggedOp {
            op: add_b.clone(),
            seq: 0,
        });
        let roster = verify_log(&journal, &log).unwrap();
        let c = dev(3, MemberKind::Device);
        let add_c = sign(
            &journal,
            &inv_key,
            id,
            &roster.head,
            Op::Add {
                member: c.member,
                invitation: Some(inv),
            },
        );
        assert!(roster.clone().apply(&add_c, 0).is_err());
        // An op naming an older head.
        let stale = sign(
            &journal,
            &a.key,
            &a.member.device,
            &log[0].op.hash(),
            Op::Remove {
                device: b.member.device,
                epoch: 1,
            },
        );
        assert!(matches!(
            roster.clone().apply(&stale, 0),
            Err(MembersError::Broken(_))
        ));
    }

    #[test]
    fn envelopes_are_checked_against_the_roster() {
        let (journal, a, log) = founded();
        let roster = verify_log(&journal, &log).unwrap();
        let object = "0123456789abcdef0123456789abcdef";
        let mut env = vec![envelope::VERSION];
        env.extend_from_slice(&0u32.to_be_bytes());
        env.extend_from_slice(&hex::decode(&a.member.device).unwrap());
        env.extend_from_slice(&[0u8; envelope::NONCE_LEN + envelope::TAG_LEN + 3]);
        let sig = a.key.sign(&envelope::signing_message(
            envelope::BATCH,
            &journal,
            object,
            &env,
        ));
        env.extend_from_slice(&sig.to_bytes());
        let head = envelope::check(&roster, envelope::BATCH, object, &env).unwrap();
        assert_eq!(head.signer, a.member.device);
        assert_eq!(
            envelope::verify(&a.member.sign_pk, envelope::BATCH, &journal, object, &env),
            Ok(head.clone())
        );
        let other = dev(5, MemberKind::Device);
        assert!(envelope::verify(
            &other.member.sign_pk,
            envelope::BATCH,
            &journal,
            object,
            &env
        )
        .is_err());
        assert!(envelope::check(&roster, envelope::SNAPSHOT, object, &env).is_err());
        for i in 0..env.len() {
            let mut t = env.clone();
            t[i] ^= 1;
            assert!(
                envelope::check(&roster, envelope::BATCH, object, &t).is_err(),
                "byte {i}"
            );
        }
    }
}
