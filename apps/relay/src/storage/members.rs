//! The device-list rules (docs/SYNC.md, "Devices and keys"), shared by both backends and
//! the API so they cannot drift apart: what a journal is created from, how a change of
//! the list is judged against the stored one, and whose signature an envelope needs.
//! `onward_protocol::members` is the authority; this maps its verdicts to answers.

use onward_protocol::limits::{MAX_OPS, MAX_OP_BYTES};
use onward_protocol::members::{
    self, envelope, Invitation, LoggedOp, MembersError, Op, Roster, SignedOp, SignedWrap,
};

use super::{MemberRow, MembersRequest, NewJournal, StoredInvitation};
use crate::error::Error;
use crate::ids::Id;

/// A change of the list as the backend stores it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The operation, with the journal's latest seq now.
    pub op: LoggedOp,
    /// Its index in the list (0 is the genesis).
    pub index: u32,
    /// The member an add admits.
    pub added: Option<MemberRow>,
    /// The device a removal removes.
    pub removed: Option<String>,
    /// The journal's epoch after it.
    pub epoch: u32,
    /// Wraps to store with it.
    pub wraps: Vec<SignedWrap>,
    /// The invitation an accepted add uses up.
    pub uses_invitation: Option<String>,
}

/// Checks the body of `PUT /v1/journals/{journal}`: a list that verifies from its
/// genesis, in which the presented credential is an active member's, and wraps signed
/// by members for members.
pub fn new_journal(
    journal: &Id,
    ops: Vec<SignedOp>,
    wraps: Vec<SignedWrap>,
    credential_sha256: &str,
) -> Result<NewJournal, Error> {
    if ops.len() > MAX_OPS {
        return Err(too_many_ops());
    }
    let logged: Vec<LoggedOp> = ops
        .iter()
        .map(|op| LoggedOp {
            op: op.clone(),
            seq: 0,
        })
        .collect();
    let roster = members::verify_log(journal.as_str(), &logged).map_err(list_refused)?;
    if roster.by_credential(credential_sha256).is_none() {
        return Err(not_a_member());
    }
    check_wraps(&roster, &wraps, false)?;
    let members = roster
        .members
        .values()
        .map(|s| MemberRow::of(&s.member, s.removed.is_some()))
        .collect();
    Ok(NewJournal {
        ops,
        members,
        wraps,
        epoch: roster.epoch,
    })
}

/// Why a device list sent to create a journal is refused: `400` when it is no list at
/// all, `403` when it is not this journal's.
fn list_refused(e: MembersError) -> Error {
    match e {
        MembersError::Empty | MembersError::Malformed(_) => Error::BadRequest(format!(
            "{e}. Send the device list, genesis first, as JSON {{\"ops\": [...], \"wraps\": [...]}}."
        )),
        other => Error::Forbidden(format!("The device list is not this journal's: {other}.")),
    }
}

/// A creation whose credential is no active member's of the list.
fn not_a_member() -> Error {
    Error::Forbidden("The credential is not that of a device in this journal's device list.".into())
}

/// The bytes of a creation body that hold its genesis: `{"ops": [` and one operation,
/// whose body (at most `MAX_OP_BYTES`) is escaped in a JSON string, so up to twice that,
/// and its signer and signature.
pub const GENESIS_WITHIN: usize = 2 * MAX_OP_BYTES + 1024;

/// Judges the first bytes of a body creating a new journal, before more is read: it must
/// open with this journal's genesis signed by its founder (`{"ops": [genesis, ...`; a
/// device sends its `ops` first). So a stranger can't make the relay take in more than a
/// genesis without one.
pub fn check_genesis_first(journal: &Id, first: &[u8]) -> Result<(), Error> {
    let op = first_op(first).ok_or_else(|| {
        Error::BadRequest(format!(
            "A device list of more than {GENESIS_WITHIN} bytes must start with its genesis: \
             {{\"ops\": [genesis, ...], \"wraps\": [...]}}."
        ))
    })?;
    members::genesis(journal.as_str(), &op)
        .map(|_| ())
        .map_err(list_refused)
}

/// The first operation of `{"ops": [op, ...` in `bytes`, which may end anywhere after it.
fn first_op(bytes: &[u8]) -> Option<SignedOp> {
    let mut rest = bytes;
    for token in [&b"{"[..], b"\"ops\"", b":", b"["] {
        rest = rest.trim_ascii_start().strip_prefix(token)?;
    }
    serde_json::Deserializer::from_slice(rest)
        .into_iter::<SignedOp>()
        .next()?
        .ok()
}

/// Judges a change of the list against the stored list `log` (verified again here: the
/// stored list is the authority, derived rows only a cache for authentication).
/// `invitation` is the stored invitation an accept names.
pub fn plan(
    journal: &Id,
    log: &[LoggedOp],
    latest_seq: u64,
    request: &MembersRequest,
    invitation: Option<&StoredInvitation>,
) -> Result<Plan, Error> {
    if log.len() >= MAX_OPS {
        return Err(too_many_ops());
    }
    let mut roster = members::verify_log(journal.as_str(), log).map_err(|e| {
        Error::Internal(format!(
            "the stored device list of {journal} doesn't verify: {e}"
        ))
    })?;
    let (op, wraps, uses_invitation) = match request {
        MembersRequest::Change { op, wraps } => {
            if let Op::Add {
                invitation: Some(_),
                ..
            } = members::parse_body(op)?.op
            {
                return Err(Error::BadRequest(
                    "An add by invitation goes to POST .../invitations/{invitation}/accept.".into(),
                ));
            }
            (op, wraps.clone(), None)
        }
        MembersRequest::Accept {
            invitation: id,
            op,
            now_ms,
        } => {
            let stored = invitation.ok_or(Error::Unauthorized)?;
            check_open(stored, *now_ms)?;
            match members::parse_body(op)?.op {
                Op::Add {
                    invitation: Some(named),
                    ..
                } if named == stored.invitation => {}
                _ => {
                    return Err(Error::BadRequest(format!(
                        "The operation must be an add that names invitation {id} as stored."
                    )))
                }
            }
            (op, Vec::new(), Some(id.to_string()))
        }
    };
    let body = members::parse_body(op)?;
    if body.prev != roster.head {
        return Err(Error::MembersChanged);
    }
    roster
        .apply(op, latest_seq)
        .map_err(|e| refused_op(e, &op.signer))?;
    let (added, removed) = match body.op {
        Op::Add { member, .. } => (Some(MemberRow::of(&member, false)), None),
        Op::Remove { device, .. } => (None, Some(device)),
        // `apply` refuses a second genesis.
        Op::Genesis { .. } => return Err(Error::BadRequest("A second genesis.".into())),
    };
    check_wraps(&roster, &wraps, removed.is_some())?;
    Ok(Plan {
        op: LoggedOp {
            op: op.clone(),
            seq: latest_seq,
        },
        index: u32::try_from(log.len()).map_err(|_| too_many_ops())?,
        added,
        removed,
        epoch: roster.epoch,
        wraps,
        uses_invitation,
    })
}

/// An invitation that may still be used (`invitation_gone` once used or expired).
pub fn check_open(stored: &StoredInvitation, now_ms: u64) -> Result<(), Error> {
    if stored.used || now_ms >= stored.invitation.expires_at_ms {
        Err(Error::InvitationGone)
    } else {
        Ok(())
    }
}

/// An invitation signed by a member admitted now, by the stored list.
pub fn check_invitation(journal: &Id, log: &[LoggedOp], inv: &Invitation) -> Result<(), Error> {
    let roster = members::verify_log(journal.as_str(), log).map_err(|e| {
        Error::Internal(format!(
            "the stored device list of {journal} doesn't verify: {e}"
        ))
    })?;
    roster.check_invitation(inv).map_err(Error::from)
}

/// Checks that `envelope` of `object` is signed by an active member (by `writer` when
/// given) under `epoch`, with the keys of `members`.
pub fn check_envelope(
    journal: &Id,
    kind: u8,
    object: &str,
    bytes: &[u8],
    epoch: u32,
    members: &[MemberRow],
    writer: Option<&str>,
) -> Result<(), Error> {
    let head = envelope::head(bytes).ok_or_else(|| {
        Error::Forbidden(
            "The body is not a signed envelope (version 2, epoch, signer, nonce, ciphertext, signature).".into(),
        )
    })?;
    if writer.is_some_and(|w| w != head.signer) {
        return Err(Error::Forbidden(format!(
            "The envelope is signed by device {}, not by the device whose credential the request carries.",
            head.signer
        )));
    }
    let signer = members
        .iter()
        .find(|m| m.device == head.signer && !m.removed)
        .ok_or_else(|| {
            Error::Forbidden(format!(
                "The envelope's signer {} is not a device of this journal.",
                head.signer
            ))
        })?;
    envelope::verify(&signer.sign_pk, kind, journal.as_str(), object, bytes)
        .map_err(|e| Error::Forbidden(format!("{e}.")))?;
    if head.epoch != epoch {
        return Err(Error::EpochOutdated { epoch });
    }
    Ok(())
}

/// Wraps that come with a change (or a creation): each signed by a member for a member
/// admitted now, of an epoch reached; with a removal, exactly one of the new epoch for
/// every member left.
fn check_wraps(roster: &Roster, wraps: &[SignedWrap], removal: bool) -> Result<(), Error> {
    let mut seen = std::collections::BTreeSet::new();
    for wrap in wraps {
        roster
            .check_wrap(wrap)
            .map_err(|e| Error::BadRequest(format!("A wrapped key was refused: {e}.")))?;
        if wrap.epoch > roster.epoch || (removal && wrap.epoch != roster.epoch) {
            return Err(Error::BadRequest(format!(
                "A wrapped key of epoch {} came with a device list at epoch {}.",
                wrap.epoch, roster.epoch
            )));
        }
        if !seen.insert((wrap.epoch, wrap.device.as_str())) {
            return Err(Error::BadRequest(format!(
                "Two wrapped keys of epoch {} for device {}.",
                wrap.epoch, wrap.device
            )));
        }
    }
    if removal {
        if let Some(missing) = roster
            .active_members()
            .find(|m| !seen.contains(&(roster.epoch, m.device.as_str())))
        {
            return Err(Error::BadRequest(format!(
                "A removal must come with the new epoch's key wrapped for every device left; \
                 device {} has none.",
                missing.device
            )));
        }
    }
    Ok(())
}

/// An operation `apply` refused: a signature or signer that doesn't check out is 403,
/// anything else (removing a non-member, a broken chain, a wrong epoch) 400.
fn refused_op(error: MembersError, signer: &str) -> Error {
    match error {
        MembersError::NotAMember(who) if who != signer => {
            Error::BadRequest(format!("{who} is not a member of this journal's devices."))
        }
        MembersError::Broken(_) | MembersError::Malformed(_) | MembersError::Empty => {
            Error::BadRequest(format!("{error}."))
        }
        other => Error::Forbidden(format!("{other}.")),
    }
}

fn too_many_ops() -> Error {
    Error::BadRequest(format!(
        "A device list has at most {MAX_OPS} operations; this journal's is full. \
         Turn sync off and on again to start a new journal."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_op_is_read_from_a_body_cut_anywhere_after_it() {
        let op = SignedOp {
            body: r#"{"op":"x","prev":""}"#.into(),
            signer: "ab".into(),
            signature: "cd".into(),
        };
        let body = serde_json::to_vec(&onward_protocol::CreateJournal {
            ops: vec![op.clone(), op.clone()],
            wraps: Vec::new(),
        })
        .unwrap();
        let one = serde_json::to_vec(&op).unwrap();
        let after_first = body.windows(one.len()).position(|w| w == one).unwrap() + one.len();
        for cut in after_first..=body.len() {
            assert_eq!(first_op(&body[..cut]), Some(op.clone()), "cut at {cut}");
        }
        assert_eq!(first_op(&body[..after_first - 1]), None, "cut inside it");
        let spaced = format!(" {{ \"ops\" : [ {} ] }}", String::from_utf8(one).unwrap());
        assert_eq!(first_op(spaced.as_bytes()), Some(op.clone()));
        assert_eq!(
            first_op(br#"{"wraps": [], "ops": []}"#),
            None,
            "ops not first"
        );
    }
}
