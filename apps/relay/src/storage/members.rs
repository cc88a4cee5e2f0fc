//! The device-list rules (docs/SYNC.md, "Devices and keys"), shared by both backends and
//! the API so they cannot drift apart: what a journal is created from, how a change of
//! the list is judged against the stored one, and whose signature an envelope needs.
//! `onward_protocol::members` is the authority; this maps its verdicts to answers.

use onward_protocol::limits::MAX_OPS;
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
    let roster = members::verify_log(journal.as_str(), &logged).map_err(|e| match e {
        MembersError::Empty | MembersError::Malformed(_) => Error::BadRequest(format!(
            "{e}. Send the device list, genesis first, as JSON {{\"ops\": [...], \"wraps\": [...]}}."
        )),
        other => Error::Forbidden(format!(
            "The device list is not this journal's: {other}."
        )),
    })?;
    if roster.by_credential(credential_sha256).is_none() {
        return Err(Error::Forbidden(
            "The credential is not that of a device in this journal's device list.".into(),
        ));
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
