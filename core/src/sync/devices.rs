//! A journal's devices, as a person manages them (docs/SYNC.md, "Devices and keys" to
//! "Recovery kit"): turn sync on, invite a device and join by invitation, list the
//! devices, remove one (a new key epoch), leave, delete the relay's copy, and make or
//! use a recovery kit.

use super::device_list::{self, member, sign};
use super::keys::{derive, random32, DeviceSecrets, Keys, MemberSecrets};
use super::pairing::{self, Code, CodeKind};
use super::relay::{Access, Connect, CreateJournal, InvitationUpload, MembersChange};
use super::session::{lock, Session};
use super::{catch_up, finish, membership, OnProgress, SyncReport};
use crate::{Error, Journal, Result};
use chrono::{DateTime, TimeZone, Utc};
use onward_protocol::members::{
    request_message, verify_log, Invitation, LoggedOp, MemberKind, Op, Roster,
};
use onward_protocol::{limits, DeleteAnswer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

fn now_ms(journal: &Mutex<Journal>) -> u64 {
    lock(journal).now().timestamp_millis().max(0) as u64
}

fn time(ms: u64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms as i64)
        .single()
        .unwrap_or_default()
}

/// Turns sync off again when the relay refused this device's admission, so nothing of a
/// failed join or recovery stays behind.
fn undo_on_error<T>(journal: &Mutex<Journal>, outcome: Result<T>) -> Result<T> {
    if outcome.is_err() {
        lock(journal).disable_sync()?;
    }
    outcome
}

/// Makes way for a join: nothing to do for a journal that doesn't sync; an error for
/// one that does. But a join cut off between keeping this device's keys and the relay's
/// answer (the app killed, the phone off) left keys the relay may never have taken: this
/// device is not in the device list kept here. The relay is asked: if it refuses the
/// keys, the join never happened and they go, so that a new invitation can be used; if
/// it knows them, the device is in (the list is brought up to date) and syncs.
async fn not_yet_or_unfinished(journal: &Mutex<Journal>, relays: &dyn Connect) -> Result<()> {
    let Some(settings) = lock(journal).sync_settings()? else {
        return Ok(());
    };
    let already = || Error::SyncAlreadyEnabled {
        url: settings.relay_url.clone(),
    };
    // Keys that can't be read (an older setup, a locked secret store) are left alone.
    let listed = lock(journal).sync_keys().map_or(true, |keys| {
        keys.roster()
            .is_some_and(|r| r.active_members().any(|m| m.device == settings.device_id))
    });
    if listed {
        return Err(already());
    }
    match Session::start(journal, relays, &super::progress::ignore).await {
        Err(Error::RelayRefusedCredential { .. }) => {
            lock(journal).disable_sync()?;
            Ok(())
        }
        Err(e) => Err(e),
        Ok(_) => Err(already()),
    }
}

fn not_yet(journal: &Mutex<Journal>) -> Result<()> {
    match lock(journal).sync_settings()? {
        Some(settings) => Err(Error::SyncAlreadyEnabled {
            url: settings.relay_url,
        }),
        None => Ok(()),
    }
}

/// Turns sync on for a journal that has none: this device's keys, a new journal id and
/// key, the journal registered with the relay at `relay_url` (`https://`, or `http://`
/// to this machine unless `allow_plain_http`). Nothing of the journal is sent yet:
/// [`super::sync_now`] does that; [`invite`] adds the next device.
pub async fn enable(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    relay_url: &str,
    allow_plain_http: bool,
    device_name: &str,
) -> Result<()> {
    enable_with_token(
        journal,
        relays,
        relay_url,
        allow_plain_http,
        device_name,
        None,
    )
    .await
}

/// [`enable`] on a relay whose operator gives out registration tokens (`onward-relay
/// --registration token`): `registration_token` is sent with the journal's creation.
pub async fn enable_with_token(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    relay_url: &str,
    allow_plain_http: bool,
    device_name: &str,
    registration_token: Option<&str>,
) -> Result<()> {
    let relay_url = pairing::relay_url(relay_url, allow_plain_http)?;
    not_yet(journal)?;
    let me = MemberSecrets::generate();
    let (mut keys, genesis) = device_list::genesis(&me, random32(), device_name, now_ms(journal))?;
    let body = CreateJournal {
        ops: vec![genesis.clone()],
        wraps: Vec::new(),
    };
    relays
        .relay(&relay_url)?
        .create_journal(&keys, &body, registration_token)
        .await?;
    let ops = vec![LoggedOp {
        op: genesis,
        seq: 0,
    }];
    keys.set_roster(membership::check_list(keys.journal_id(), &[], &ops)?);
    lock(journal).enable_sync(&relay_url, &keys, &ops, device_name)
}

/// A one-time invitation for another device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invite {
    /// The code to scan or type (`ONWARD2-…`).
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

const INVITATION_SALT: &[u8] = b"onward-invitation-v2";

/// What an invitation's secret gives: its id, its own keys, the key of its payload.
struct InvitationKeys {
    id: String,
    member: MemberSecrets,
    payload_key: [u8; 32],
}

impl InvitationKeys {
    fn of(secret: &[u8]) -> InvitationKeys {
        InvitationKeys {
            id: hex::encode(&derive(INVITATION_SALT, secret, "invitation-id")[..16]),
            member: MemberSecrets::derived(INVITATION_SALT, secret, "invitation"),
            payload_key: derive(INVITATION_SALT, secret, "invitation-payload"),
        }
    }

    fn payload_aad(&self, journal: &str) -> Vec<u8> {
        let mut aad = b"onward-invitation-payload".to_vec();
        aad.extend_from_slice(journal.as_bytes());
        aad.extend_from_slice(self.id.as_bytes());
        aad
    }
}

/// What an invitation hands over, sealed: every epoch key of the journal.
#[derive(Serialize, Deserialize)]
struct Payload {
    epochs: Vec<(u32, String)>,
}

/// The shortest lifetime of an invitation: a second (tests see one expire; a person
/// wants minutes).
pub const MIN_INVITATION_LIFETIME: Duration = Duration::from_secs(1);

/// Makes a one-time invitation that expires after `lifetime`: at least
/// [`MIN_INVITATION_LIFETIME`], at most a day.
pub async fn invite(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    lifetime: Duration,
) -> Result<Invite> {
    let max = Duration::from_secs(limits::MAX_INVITATION_SECONDS);
    if lifetime < MIN_INVITATION_LIFETIME || lifetime > max {
        return Err(Error::invalid(
            "expires",
            "an invitation lasts between a second and a day (10 minutes is usual)",
        ));
    }
    let s = Session::start(journal, relays, &super::progress::ignore).await?;
    let secret = &random32()[..16];
    let expires_at_ms = now_ms(journal) + lifetime.as_millis() as u64;
    let (id, upload) = invitation_upload(&s.keys, secret, expires_at_ms)?;
    s.relay.put_invitation(&s.keys, &id, &upload).await?;
    let relay_url = s.relay.url().to_string();
    Ok(Invite {
        code: pairing::encode(&Code {
            kind: CodeKind::Invitation,
            secret: secret.to_vec(),
            journal_id: s.keys.journal_id().to_string(),
            relay_url,
        }),
        expires_at: time(expires_at_ms),
    })
}

/// The invitation of `secret`, signed by the member of `keys`, and its payload (every
/// epoch key, sealed with the secret's payload key): its id and what the relay keeps.
pub(crate) fn invitation_upload(
    keys: &Keys,
    secret: &[u8],
    expires_at_ms: u64,
) -> Result<(String, InvitationUpload)> {
    let inv = InvitationKeys::of(secret);
    let journal_id = keys.journal_id();
    let sign_pk = hex::encode(inv.member.sign_pk());
    let credential = super::keys::credential_hash(&inv.member.credential());
    let message =
        Invitation::signing_message(journal_id, &inv.id, &sign_pk, &credential, expires_at_ms);
    let invitation = Invitation {
        id: inv.id.clone(),
        sign_pk,
        credential_sha256: credential,
        expires_at_ms,
        inviter: keys.device_id(),
        signature: hex::encode(keys.member().sign(&message)),
    };
    let payload = Payload {
        epochs: keys
            .epochs()
            .iter()
            .map(|(e, k)| (*e, hex::encode(k)))
            .collect(),
    };
    let sealed = device_list::seal_with(
        &inv.payload_key,
        &serde_json::to_vec(&payload).expect("a payload serializes"),
        &inv.payload_aad(journal_id),
    )?;
    let upload = InvitationUpload {
        invitation,
        payload: hex::encode(sealed),
    };
    Ok((inv.id, upload))
}

/// What joining by an invitation would join, to show before anything changes here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvitationPreview {
    pub relay_url: String,
    /// The names of the devices that sync the journal now.
    pub devices: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// An invitation read and checked: the device list it joins and the keys it gives.
pub(crate) struct Opened {
    code: Code,
    inv: InvitationKeys,
    access: Access,
    invitation: Invitation,
    ops: Vec<LoggedOp>,
    pub(crate) roster: Roster,
    pub(crate) epochs: BTreeMap<u32, [u8; 32]>,
}

async fn open_invitation(relays: &dyn Connect, code: &str) -> Result<Opened> {
    let code = pairing::decode(CodeKind::Invitation, code)?;
    let inv = InvitationKeys::of(&code.secret);
    let access = Access {
        journal_id: code.journal_id.clone(),
        credential: inv.member.credential(),
    };
    let relay = relays.relay(&code.relay_url)?;
    let answer = match relay.invitation(&access, &inv.id).await {
        // The relay knows no such invitation for this journal: used and forgotten, or
        // never made.
        Err(Error::RelayRefusedCredential { .. }) => return Err(Error::InvitationGone),
        other => other?,
    };
    open_answer(code, answer)
}

/// Checks the relay's answer for the invitation of `code` as a joining device does:
/// its device list, the invitation signed by a member and the one of this code, and
/// its payload opened with the code's key, holding the journal's current key.
pub(crate) fn open_answer(code: Code, answer: onward_protocol::InvitationAnswer) -> Result<Opened> {
    let inv = InvitationKeys::of(&code.secret);
    let access = Access {
        journal_id: code.journal_id.clone(),
        credential: inv.member.credential(),
    };
    let bad = |detail: String| Error::RelayAnswer { detail };
    let roster = membership::check_list(&code.journal_id, &[], &answer.ops)?;
    roster
        .check_invitation(&answer.invitation)
        .map_err(|e| bad(format!("the invitation doesn't check out: {e}")))?;
    if answer.invitation.id != inv.id
        || answer.invitation.sign_pk != hex::encode(inv.member.sign_pk())
    {
        return Err(bad("it answered with another invitation".into()));
    }
    let sealed =
        hex::decode(&answer.payload).map_err(|_| bad("the invitation is not hex".into()))?;
    let payload = device_list::open_bytes(
        &inv.payload_key,
        &sealed,
        &inv.payload_aad(&code.journal_id),
    )
    .ok_or_else(|| bad("the invitation's keys don't open with its code".into()))?;
    let payload: Payload =
        serde_json::from_slice(&payload).map_err(|e| bad(format!("the invitation's keys: {e}")))?;
    let mut epochs = BTreeMap::new();
    for (epoch, key) in payload.epochs {
        let key = onward_protocol::members::key_bytes(&key)
            .map_err(|e| bad(format!("the invitation's keys: {e}")))?;
        epochs.insert(epoch, key);
    }
    if epochs.keys().next_back() != Some(&roster.epoch) {
        return Err(bad(
            "the invitation doesn't hold the journal's current key".into()
        ));
    }
    Ok(Opened {
        code,
        inv,
        access,
        invitation: answer.invitation,
        ops: answer.ops,
        roster,
        epochs,
    })
}

/// Reads an invitation and says what it joins; nothing changes, here or on the relay.
pub async fn preview(relays: &dyn Connect, code: &str) -> Result<InvitationPreview> {
    let o = open_invitation(relays, code).await?;
    let keys = Keys::new(
        &o.code.journal_id,
        DeviceSecrets {
            member: o.inv.member.clone(),
            epochs: o.epochs.clone(),
        },
        Some(o.roster.clone()),
    );
    let devices = o
        .roster
        .active_members()
        .filter(|m| m.kind == MemberKind::Device)
        .map(|m| device_list::name_of(&keys, m).unwrap_or_else(|| "a device".into()))
        .collect();
    Ok(InvitationPreview {
        relay_url: o.code.relay_url,
        devices,
        expires_at: time(o.invitation.expires_at_ms),
    })
}

/// Joins the journal of an invitation: the invitation is used up, this device gets keys
/// of its own, then the relay's snapshot and batches come in and this journal's own
/// entries go out: both end merged. Ask the person first ([`preview`]).
pub async fn join(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    code: &str,
    device_name: &str,
    progress: OnProgress<'_>,
) -> Result<SyncReport> {
    not_yet_or_unfinished(journal, relays).await?;
    let o = open_invitation(relays, code).await?;
    let me = MemberSecrets::generate();
    let mut keys = Keys::new(
        &o.code.journal_id,
        DeviceSecrets {
            member: me.clone(),
            epochs: o.epochs,
        },
        Some(o.roster.clone()),
    );
    let new = member(&keys, &me, MemberKind::Device, device_name, now_ms(journal))?;
    let op = sign(
        &o.code.journal_id,
        &o.inv.member,
        &o.inv.id,
        &o.roster.head,
        Op::Add {
            member: new,
            invitation: Some(o.invitation),
        },
    );
    let relay = relays.relay(&o.code.relay_url)?;
    // This device's keys are kept before the invitation is used up: a used invitation
    // whose keys were then lost would leave a member nobody can act as.
    lock(journal).enable_sync(&o.code.relay_url, &keys, &o.ops, device_name)?;
    let ops = undo_on_error(
        journal,
        relay.accept_invitation(&o.access, &o.inv.id, &op).await,
    )?;
    keys.set_roster(membership::check_list(&o.code.journal_id, &o.ops, &ops)?);
    lock(journal).save_sync_keys(&keys, &ops)?;
    let s = Session::start(journal, relays, progress).await?;
    let outcome = catch_up(&s).await;
    finish(&s, outcome.map(|(pushed, pulled)| (pushed, pulled, None))).await
}

/// One device of the journal, as `onward devices` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub id: String,
    pub name: String,
    /// A recovery kit rather than a device.
    pub recovery_kit: bool,
    pub this_device: bool,
    pub joined_at: DateTime<Utc>,
    /// When its last record was read here (this device: its last sync).
    pub last_heard: Option<DateTime<Utc>>,
}

/// The devices of a journal that syncs, from the device list this device last verified
/// (run a sync first for the newest).
pub fn devices(journal: &Journal) -> Result<Vec<Device>> {
    let settings = journal.sync_enabled()?;
    let keys = journal.sync_keys()?;
    let roster = keys.roster().expect("sync_keys verifies the list");
    let peers = crate::store::sync_state::peers(journal.connection())?;
    let mut listed: Vec<Device> = roster
        .active_members()
        .map(|m| {
            let this_device = m.device == settings.device_id;
            let last_heard = if this_device {
                settings.last_success_at
            } else {
                peers
                    .iter()
                    .find(|p| p.device_id == m.device)
                    .map(|p| p.heard_at)
            };
            Device {
                id: m.device.clone(),
                name: device_list::name_of(&keys, m).unwrap_or_else(|| "a device".into()),
                recovery_kit: m.kind == MemberKind::Recovery,
                this_device,
                joined_at: time(m.added_at_ms),
                last_heard,
            }
        })
        .collect();
    listed.sort_by(|a, b| a.joined_at.cmp(&b.joined_at).then(a.id.cmp(&b.id)));
    Ok(listed)
}

/// The active member named `name` (or whose id starts with it).
fn find(journal: &Journal, name: &str) -> Result<Device> {
    let all = devices(journal)?;
    let wanted = name.trim();
    let matches: Vec<&Device> = all
        .iter()
        .filter(|d| !d.recovery_kit)
        .filter(|d| d.name == wanted || (wanted.len() >= 4 && d.id.starts_with(wanted)))
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Error::NoSuchDevice {
            name: wanted.to_string(),
            known: format!(
                " (its devices: {})",
                all.iter()
                    .filter(|d| !d.recovery_kit)
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
        _ => Err(Error::invalid(
            "device",
            format!("several devices are called {wanted}; give the start of its id instead"),
        )),
    }
}

/// What removing a device did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub device: Device,
    /// The key epoch that starts now.
    pub epoch: u32,
    /// Whether a fresh snapshot under the new key is on the relay.
    pub snapshot: bool,
}

/// Removes a device (not this one: [`leave`]): syncs first, then starts a new key
/// epoch wrapped for every member left, has the relay refuse the removed device from
/// now on, and seals a fresh snapshot under the new key.
pub async fn remove(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    name: &str,
    progress: OnProgress<'_>,
) -> Result<Removed> {
    super::sync_now(journal, relays, progress).await?;
    let device = find(&lock(journal), name)?;
    if device.this_device {
        return Err(Error::invalid(
            "device",
            "that is this device; leaving is a separate step, so it can't happen by accident",
        ));
    }
    let epoch = rotate_without(journal, relays, &device.id).await?;
    // The fresh snapshot is a saving, and what a device joining later starts from; the
    // removal stands without it.
    let s = Session::start(journal, relays, progress).await?;
    let snapshot = match super::snapshot::maybe_upload(&s, true).await {
        Ok(uploaded) => uploaded.is_some(),
        Err(e) => {
            tracing::warn!("the snapshot after a removal failed: {e}");
            false
        }
    };
    Ok(Removed {
        device,
        epoch,
        snapshot,
    })
}

/// Removes `device` from the list with a new epoch key, wrapped for every member left.
async fn rotate_without(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    device: &str,
) -> Result<u32> {
    let s = Session::start(journal, relays, &super::progress::ignore).await?;
    let roster = s
        .keys
        .roster()
        .expect("a started session has a list")
        .clone();
    let epoch = roster.epoch + 1;
    let mut keys = s.keys.clone();
    keys.add_epoch(epoch, random32());
    let op = sign(
        keys.journal_id(),
        keys.member(),
        &keys.device_id(),
        &roster.head,
        Op::Remove {
            device: device.to_string(),
            epoch,
        },
    );
    let mut after = roster.clone();
    after
        .apply(&op, 0)
        .map_err(|e| Error::Document(format!("the removal doesn't check out: {e}")))?;
    let wraps = after
        .active_members()
        .map(|m| device_list::wrap(&keys, m, epoch))
        .collect::<Result<Vec<_>>>()?;
    let ops = s
        .relay
        .change_members(&keys, &MembersChange { op, wraps })
        .await?;
    let known = s.with(|j| Ok(j.sync_enabled()?.members))?;
    keys.set_roster(membership::check_list(keys.journal_id(), &known, &ops)?);
    s.with(|j| j.save_sync_keys(&keys, &ops))?;
    Ok(epoch)
}

/// Removes this device from the journal's devices (a new epoch for the others) and turns
/// sync off here; the journal's entries stay on this device.
pub async fn leave(journal: &Mutex<Journal>, relays: &dyn Connect) -> Result<()> {
    let me = lock(journal).sync_enabled()?.device_id;
    let others = devices(&lock(journal))?
        .into_iter()
        .filter(|d| !d.this_device)
        .count();
    if others == 0 {
        return Err(Error::invalid(
            "device",
            "this is the journal's only device; to stop syncing, turn sync off here, or delete the relay's copy",
        ));
    }
    rotate_without(journal, relays, &me).await?;
    lock(journal).disable_sync()?;
    Ok(())
}

/// Asks the relay to delete its copy of the journal and turns sync off here. Only the
/// journal's last device may. Until the relay drops the copy for good (the answer's
/// `purge_after_ms`), this device keeps what [`restore_relay_copy`] needs: its keys, in
/// the secret store (or the journal file) as before, and where sync stood.
pub async fn delete_relay_copy(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
) -> Result<DeleteAnswer> {
    let s = Session::start(journal, relays, &super::progress::ignore).await?;
    let others = devices(&lock(journal))?
        .into_iter()
        .filter(|d| !d.this_device && !d.recovery_kit)
        .count();
    if others > 0 {
        return Err(Error::invalid(
            "device",
            "other devices still sync this journal; remove them first, or leave and let the last one delete it",
        ));
    }
    let info = s.relay.info(&s.keys).await?;
    let message = request_message("delete", s.keys.journal_id(), &info.incarnation);
    let signature = hex::encode(s.keys.member().sign(&message));
    let answer = s.relay.delete_journal(&s.keys, &signature).await?;
    drop(s);
    lock(journal).keep_deleted_relay_copy(&info.incarnation, answer.purge_after_ms)?;
    Ok(answer)
}

/// Brings back the relay's copy that this device deleted ([`delete_relay_copy`]) while
/// the relay still keeps it, turns sync on again where it stopped, and syncs. After the
/// relay dropped it, [`Error::RelayCopyGone`], and what was kept for it is forgotten.
pub async fn restore_relay_copy(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    progress: OnProgress<'_>,
) -> Result<SyncReport> {
    not_yet(journal)?;
    let (kept, keys) = {
        let j = lock(journal);
        let kept = j.deleted_relay_copy()?.ok_or(Error::NoDeletedRelayCopy)?;
        let keys = j.deleted_relay_copy_keys(&kept)?;
        (kept, keys)
    };
    let relay = relays.relay(&kept.relay_url)?;
    let message = request_message("restore", &kept.journal_id, &kept.incarnation);
    let signature = hex::encode(keys.member().sign(&message));
    match relay.restore_journal(&keys, &signature).await {
        // Past its grace period the relay answers as for a journal it never had.
        Err(Error::RelayRefusedCredential { .. }) => {
            lock(journal).forget_deleted_relay_copy()?;
            return Err(Error::RelayCopyGone {
                url: kept.relay_url,
                at: time(kept.purge_after_ms),
            });
        }
        other => other?,
    }
    lock(journal).resume_sync(&kept, &keys)?;
    super::sync_now(journal, relays, progress).await
}

const RECOVERY_SALT: &[u8] = b"onward-recovery-v2";

/// Makes a new recovery kit: a recovery member added to the list with the current key
/// wrapped for it. A kit made before is revoked (removed, which starts a new epoch).
/// The kit's text is the only place its secret exists.
pub async fn recovery_kit(journal: &Mutex<Journal>, relays: &dyn Connect) -> Result<String> {
    let old: Vec<String> = devices(&lock(journal))?
        .into_iter()
        .filter(|d| d.recovery_kit)
        .map(|d| d.id)
        .collect();
    for id in old {
        rotate_without(journal, relays, &id).await?;
    }
    let s = Session::start(journal, relays, &super::progress::ignore).await?;
    let secret = random32();
    let kit = MemberSecrets::derived(RECOVERY_SALT, &secret, "recovery");
    let roster = s
        .keys
        .roster()
        .expect("a started session has a list")
        .clone();
    let member = member(
        &s.keys,
        &kit,
        MemberKind::Recovery,
        "recovery kit",
        now_ms(journal),
    )?;
    let op = sign(
        s.keys.journal_id(),
        s.keys.member(),
        &s.keys.device_id(),
        &roster.head,
        Op::Add {
            member: member.clone(),
            invitation: None,
        },
    );
    let wraps = vec![device_list::wrap(&s.keys, &member, s.keys.epoch())?];
    let ops = s
        .relay
        .change_members(&s.keys, &MembersChange { op, wraps })
        .await?;
    let known = s.with(|j| Ok(j.sync_enabled()?.members))?;
    let mut keys = s.keys.clone();
    keys.set_roster(membership::check_list(keys.journal_id(), &known, &ops)?);
    s.with(|j| j.save_sync_keys(&keys, &ops))?;
    Ok(pairing::encode(&Code {
        kind: CodeKind::RecoveryKit,
        secret: secret.to_vec(),
        journal_id: keys.journal_id().to_string(),
        relay_url: s.relay.url().to_string(),
    }))
}

/// Brings the journal of a recovery kit onto this device (which doesn't sync yet): the
/// kit's keys read the device list and the current key, add this device, and
/// everything is pulled; this journal's own entries are merged in.
pub async fn recover_from_kit(
    journal: &Mutex<Journal>,
    relays: &dyn Connect,
    kit: &str,
    device_name: &str,
    progress: OnProgress<'_>,
) -> Result<SyncReport> {
    not_yet(journal)?;
    let code = pairing::decode(CodeKind::RecoveryKit, kit)?;
    let kit = MemberSecrets::derived(RECOVERY_SALT, &code.secret, "recovery");
    let relay = relays.relay(&code.relay_url)?;
    let mut as_kit = Keys::new(
        &code.journal_id,
        DeviceSecrets {
            member: kit.clone(),
            epochs: BTreeMap::new(),
        },
        None,
    );
    let ops = match relay.members(&as_kit, None).await {
        Err(Error::RelayRefusedCredential { .. } | Error::DeviceRemoved) => {
            return Err(Error::RecoveryKit {
                reason: "the relay doesn't know it: it was replaced by a newer kit, or the journal is gone".into(),
            })
        }
        other => other?.unwrap_or_default(),
    };
    let roster = membership::check_list(&code.journal_id, &[], &ops)?;
    for wrap in relay.wraps(&as_kit).await? {
        let (key, prev) = device_list::unwrap(&as_kit, &roster, &wrap)?;
        as_kit.add_epoch(wrap.epoch, key);
        if let Some(prev) = prev {
            as_kit.add_epoch(wrap.epoch - 1, prev);
        }
    }
    if as_kit.epoch_key(roster.epoch).is_none() {
        return Err(Error::RelayAnswer {
            detail: "it has no current key for this recovery kit".into(),
        });
    }
    as_kit.set_roster(roster.clone());
    let me = MemberSecrets::generate();
    let new = member(
        &as_kit,
        &me,
        MemberKind::Device,
        device_name,
        now_ms(journal),
    )?;
    let op = sign(
        &code.journal_id,
        &kit,
        &kit.device_id(),
        &roster.head,
        Op::Add {
            member: new,
            invitation: None,
        },
    );
    let mut keys = as_kit.as_member(&me);
    lock(journal).enable_sync(&code.relay_url, &keys, &ops, device_name)?;
    let change = MembersChange {
        op,
        wraps: Vec::new(),
    };
    let ops_after = undo_on_error(journal, relay.change_members(&as_kit, &change).await)?;
    keys.set_roster(membership::check_list(&code.journal_id, &ops, &ops_after)?);
    lock(journal).save_sync_keys(&keys, &ops_after)?;
    let s = Session::start(journal, relays, progress).await?;
    let outcome = catch_up(&s).await;
    finish(&s, outcome.map(|(pushed, pulled)| (pushed, pulled, None))).await
}

/// Registers the journal again on a relay that lost it: the whole device list, and the
/// current key wrapped for every member (so a recovery kit still works there).
pub(crate) async fn register_again(s: &Session<'_>) -> Result<()> {
    let ops = s.with(|j| Ok(j.sync_enabled()?.members))?;
    let roster = verify_log(s.keys.journal_id(), &ops)
        .map_err(|e| Error::Document(format!("the device list kept here: {e}")))?;
    let wraps = roster
        .active_members()
        .map(|m| device_list::wrap(&s.keys, m, s.keys.epoch()))
        .collect::<Result<Vec<_>>>()?;
    let body = CreateJournal {
        ops: ops.into_iter().map(|o| o.op).collect(),
        wraps,
    };
    // A relay that lost the journal and asks for registration tokens refuses this
    // (`registration_required`): the device keeps no token.
    s.relay.create_journal(&s.keys, &body, None).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{HttpRelays, SyncRuntime};

    /// What `invite` says of `lifetime` on a journal that doesn't sync: the lifetime is
    /// checked first, so a lifetime it takes gets as far as finding sync off.
    fn invite_for(lifetime: Duration) -> Error {
        let dir = tempfile::tempdir().unwrap();
        let journal = Mutex::new(Journal::open(dir.path().join("j.onward")).unwrap());
        let rt = SyncRuntime::new().unwrap();
        rt.block_on(invite(&journal, &HttpRelays::default(), lifetime))
            .unwrap_err()
    }

    #[test]
    fn an_invitation_lasts_between_a_second_and_a_day_as_its_refusal_says() {
        for refused in [
            Duration::ZERO,
            Duration::from_millis(999),
            Duration::from_secs(limits::MAX_INVITATION_SECONDS + 1),
        ] {
            match invite_for(refused) {
                Error::Invalid { field, reason } => {
                    assert_eq!(field, "expires");
                    assert!(reason.contains("between a second and a day"), "{reason}");
                }
                other => panic!("{refused:?}: {other}"),
            }
        }
        for taken in [
            MIN_INVITATION_LIFETIME,
            Duration::from_secs(2),
            Duration::from_secs(limits::MAX_INVITATION_SECONDS),
        ] {
            assert!(
                matches!(invite_for(taken), Error::SyncNotEnabled),
                "{taken:?} was refused"
            );
        }
    }
}
