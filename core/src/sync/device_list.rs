//! Writing the device list (docs/SYNC.md, "Devices and keys"): new members with their
//! sealed names, signed operations, and content keys wrapped for a member. Reading and
//! checking it is `onward_protocol::members`, the same code the relay runs.

use super::envelope::{self, Sealed};
use super::keys::{credential_hash, derive, random32, Keys, MemberSecrets};
use crate::{Error, Result};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use onward_protocol::members::{
    self, key_bytes, Member, MemberKind, Op, OpBody, Roster, SignedOp, SignedWrap,
};

/// A member for `secrets`, its name sealed under the newest epoch of `keys`.
pub fn member(
    keys: &Keys,
    secrets: &MemberSecrets,
    kind: MemberKind,
    name: &str,
    now_ms: u64,
) -> Result<Member> {
    let device = secrets.device_id();
    let sealer = keys.as_member(secrets);
    let name_sealed = envelope::seal(&sealer, Sealed::Name, &device, name.as_bytes())?;
    Ok(Member {
        device,
        kind,
        sign_pk: hex::encode(secrets.sign_pk()),
        box_pk: hex::encode(secrets.box_pk()),
        credential_sha256: credential_hash(&secrets.credential()),
        name_sealed: hex::encode(name_sealed),
        name_epoch: keys.epoch(),
        added_at_ms: now_ms,
    })
}

/// A member's name, opened with the keys of its epoch; `None` when it doesn't open.
pub fn name_of(keys: &Keys, member: &Member) -> Option<String> {
    let sealed = hex::decode(&member.name_sealed).ok()?;
    let opened = envelope::open(keys, Sealed::Name, &member.device, &sealed).ok()?;
    (opened.signer == member.device)
        .then(|| String::from_utf8(opened.plaintext).ok())
        .flatten()
}

/// `op` after `prev`, signed by `signer` (its device id, or an invitation id).
pub fn sign(
    journal: &str,
    signer: &MemberSecrets,
    signer_id: &str,
    prev: &str,
    op: Op,
) -> SignedOp {
    let body = serde_json::to_string(&OpBody {
        prev: prev.to_string(),
        op,
    })
    .expect("an operation serializes");
    let signature = hex::encode(signer.sign(&SignedOp::signing_message(journal, &body)));
    SignedOp {
        body,
        signer: signer_id.to_string(),
        signature,
    }
}

/// A new journal's first operation: its id comes from the founder's key and a nonce.
pub fn genesis(
    founder: &MemberSecrets,
    epoch_zero: [u8; 32],
    name: &str,
    now_ms: u64,
) -> Result<(Keys, SignedOp)> {
    let nonce: [u8; 16] = random32()[..16].try_into().expect("16 bytes");
    genesis_with_nonce(founder, epoch_zero, name, now_ms, nonce)
}

/// [`genesis`] with a given nonce (a fixed journal id, for fuzzing and tests).
pub fn genesis_with_nonce(
    founder: &MemberSecrets,
    epoch_zero: [u8; 32],
    name: &str,
    now_ms: u64,
    nonce: [u8; 16],
) -> Result<(Keys, SignedOp)> {
    let journal = members::journal_id(&founder.sign_pk(), &nonce);
    let keys = Keys::founding(&journal, founder.clone(), epoch_zero);
    let me = member(&keys, founder, MemberKind::Device, name, now_ms)?;
    let device = me.device.clone();
    let op = sign(
        &journal,
        founder,
        &device,
        "",
        Op::Genesis {
            journal: journal.clone(),
            nonce: hex::encode(nonce),
            founder: me,
        },
    );
    Ok((keys, op))
}

const WRAP_SALT: &[u8] = b"onward-wrap-v2";

/// Wraps `epoch`'s key (with the key before it chained under it) for `recipient`, signed
/// by the member of `keys`.
pub fn wrap(keys: &Keys, recipient: &Member, epoch: u32) -> Result<SignedWrap> {
    let key = keys
        .epoch_key(epoch)
        .ok_or_else(|| Error::Document(format!("no key for epoch {epoch}")))?;
    let recipient_pk = key_bytes(&recipient.box_pk)
        .map_err(|e| Error::Document(format!("a member's key: {e}")))?;
    let ephemeral = x25519_dalek::StaticSecret::from(random32());
    let ephemeral_pk = x25519_dalek::PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&x25519_dalek::PublicKey::from(recipient_pk));
    let wrap_key = derive(
        WRAP_SALT,
        shared.as_bytes(),
        &wrap_info(&ephemeral_pk, &recipient_pk),
    );
    let aad = wrap_aad(keys.journal_id(), epoch, &recipient.device);
    let mut wrapped = ephemeral_pk.to_vec();
    wrapped.extend(seal_with(&wrap_key, key, &aad)?);
    let chain = match epoch.checked_sub(1).and_then(|p| keys.epoch_key(p)) {
        Some(prev) => seal_with(
            &Keys::chain_key(key),
            prev,
            &chain_aad(keys.journal_id(), epoch),
        )?,
        None => Vec::new(),
    };
    let (wrapped, chain) = (hex::encode(wrapped), hex::encode(chain));
    let message = SignedWrap::signing_message(
        keys.journal_id(),
        epoch,
        &recipient.device,
        &wrapped,
        &chain,
    );
    Ok(SignedWrap {
        epoch,
        device: recipient.device.clone(),
        wrapped,
        chain,
        signer: keys.device_id(),
        signature: hex::encode(keys.member().sign(&message)),
    })
}

/// Opens a wrap for the member of `keys`: the epoch's key, and the previous epoch's key
/// when the wrap chains one. The wrap must be signed by a member of `roster` that was
/// admitted when it started that epoch.
pub fn unwrap(
    keys: &Keys,
    roster: &Roster,
    wrap: &SignedWrap,
) -> Result<([u8; 32], Option<[u8; 32]>)> {
    let refused = |reason: &str| Error::Refused {
        what: format!("the key of epoch {} from the relay", wrap.epoch),
        reason: reason.to_string(),
    };
    let signer = roster
        .wrapper(&wrap.signer, wrap.epoch)
        .map_err(|_| refused("it was wrapped by a device that isn't one of this journal's"))?;
    let message = SignedWrap::signing_message(
        keys.journal_id(),
        wrap.epoch,
        &wrap.device,
        &wrap.wrapped,
        &wrap.chain,
    );
    let signature = hex::decode(&wrap.signature).unwrap_or_default();
    members::verify_bytes(&signer.sign_pk, &message, &signature, "wrap")
        .map_err(|_| refused("its signature doesn't check out"))?;
    if wrap.device != keys.device_id() {
        return Err(refused("it is meant for another device"));
    }
    let wrapped = hex::decode(&wrap.wrapped).map_err(|_| refused("it is malformed"))?;
    if wrapped.len() < 32 {
        return Err(refused("it is too short"));
    }
    let (ephemeral_pk, sealed) = wrapped.split_at(32);
    let ephemeral_pk: [u8; 32] = ephemeral_pk.try_into().expect("32 bytes");
    let my_pk = keys.member().box_pk();
    let shared = keys
        .member()
        .box_secret()
        .diffie_hellman(&x25519_dalek::PublicKey::from(ephemeral_pk));
    let wrap_key = derive(
        WRAP_SALT,
        shared.as_bytes(),
        &wrap_info(&ephemeral_pk, &my_pk),
    );
    let key = open_with(
        &wrap_key,
        sealed,
        &wrap_aad(keys.journal_id(), wrap.epoch, &wrap.device),
    )
    .ok_or_else(|| refused("it doesn't open with this device's key"))?;
    let chain = hex::decode(&wrap.chain).map_err(|_| refused("its chain is malformed"))?;
    let prev = if chain.is_empty() {
        None
    } else {
        Some(
            open_with(
                &Keys::chain_key(&key),
                &chain,
                &chain_aad(keys.journal_id(), wrap.epoch),
            )
            .ok_or_else(|| refused("the key before it doesn't open"))?,
        )
    };
    Ok((key, prev))
}

fn wrap_info(ephemeral_pk: &[u8; 32], recipient_pk: &[u8; 32]) -> String {
    format!("{}{}", hex::encode(ephemeral_pk), hex::encode(recipient_pk))
}

fn wrap_aad(journal: &str, epoch: u32, device: &str) -> Vec<u8> {
    let mut aad = journal.as_bytes().to_vec();
    aad.extend_from_slice(&epoch.to_be_bytes());
    aad.extend_from_slice(device.as_bytes());
    aad
}

fn chain_aad(journal: &str, epoch: u32) -> Vec<u8> {
    let mut aad = b"chain".to_vec();
    aad.extend(wrap_aad(journal, epoch, ""));
    aad
}

/// `nonce || XChaCha20-Poly1305(plaintext)` under `key`.
pub(crate) fn seal_with(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let ciphertext = XChaCha20Poly1305::new(key.into())
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| Error::Document("a key could not be sealed".into()))?;
    let mut out = nonce.to_vec();
    out.extend(ciphertext);
    Ok(out)
}

/// Opens what [`seal_with`] sealed; `None` if it doesn't open.
pub(crate) fn open_with<const N: usize>(
    key: &[u8; 32],
    sealed: &[u8],
    aad: &[u8],
) -> Option<[u8; N]> {
    let bytes = open_bytes(key, sealed, aad)?;
    bytes.try_into().ok()
}

pub(crate) fn open_bytes(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 24 + 16 {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(24);
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
}

/// A laptop that founded a journal and a phone it added, then removed (starting epoch 1)
/// when the relay's latest batch was `removed_at`: the laptop's keys with that verified
/// list (and only epoch 0's key), the phone's keys, and the list as the relay logs it.
#[cfg(test)]
pub(crate) fn laptop_and_removed_phone(removed_at: u64) -> (Keys, Keys, Vec<members::LoggedOp>) {
    let founder = MemberSecrets::derived(b"test", &[1; 32], "device");
    let (mut laptop, genesis) =
        genesis_with_nonce(&founder, [3; 32], "laptop", 0, [1; 16]).unwrap();
    let journal = laptop.journal_id().to_string();
    let mut roster = members::genesis(&journal, &genesis).unwrap();
    let phone_secrets = MemberSecrets::derived(b"test", &[2; 32], "device");
    let phone_member = member(&laptop, &phone_secrets, MemberKind::Device, "phone", 0).unwrap();
    let phone = laptop.as_member(&phone_secrets);
    let mut log = vec![members::LoggedOp {
        op: genesis,
        seq: 0,
    }];
    for (op, seq) in [
        (
            Op::Add {
                member: phone_member,
                invitation: None,
            },
            0,
        ),
        (
            Op::Remove {
                device: phone_secrets.device_id(),
                epoch: 1,
            },
            removed_at,
        ),
    ] {
        let op = sign(&journal, &founder, &founder.device_id(), &roster.head, op);
        roster.apply(&op, seq).unwrap();
        log.push(members::LoggedOp { op, seq });
    }
    laptop.set_roster(roster);
    (laptop, phone, log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_genesis_verifies_and_names_open() {
        let founder = MemberSecrets::generate();
        let (keys, op) = genesis(&founder, [5; 32], "laptop", 7).unwrap();
        let roster = members::genesis(keys.journal_id(), &op).unwrap();
        let me = roster.active(&founder.device_id()).unwrap();
        let mut keys = keys;
        keys.set_roster(roster.clone());
        assert_eq!(name_of(&keys, me).as_deref(), Some("laptop"));
        assert!(!op.body.contains("laptop"));
    }

    #[test]
    fn a_wrapped_key_opens_only_for_its_member_with_the_key_before_it() {
        let founder = MemberSecrets::generate();
        let (mut keys, op) = genesis(&founder, [5; 32], "laptop", 7).unwrap();
        let roster = members::genesis(keys.journal_id(), &op).unwrap();
        keys.add_epoch(1, [6; 32]);
        let phone = MemberSecrets::generate();
        let phone_member = member(&keys, &phone, MemberKind::Device, "phone", 8).unwrap();
        let w = wrap(&keys, &phone_member, 1).unwrap();
        let phone_keys = keys.as_member(&phone);
        let (key, prev) = unwrap(&phone_keys, &roster, &w).unwrap();
        assert_eq!((key, prev), ([6; 32], Some([5; 32])));
        // Another device can't open it; a changed byte is refused.
        assert!(unwrap(&keys, &roster, &w).is_err());
        let mut tampered = w.clone();
        tampered.wrapped.replace_range(70..72, "00");
        assert!(unwrap(&phone_keys, &roster, &tampered).is_err());
    }
}
