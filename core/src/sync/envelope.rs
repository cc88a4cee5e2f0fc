//! Envelopes: how a batch, snapshot, device record or device name travels, padded
//! ([`onward_protocol::padding`]) and sealed with XChaCha20-Poly1305 under an epoch's
//! content key, bound to its journal, object id, epoch and signer by the associated data,
//! and signed by the device that wrote it (docs/SYNC.md, "Envelopes").

use super::keys::Keys;
use crate::{Error, Result};
use chacha20poly1305::aead::{Aead, AeadCore, AeadInPlace, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use onward_protocol::members::envelope::{
    self as wire, HEAD_LEN, MIN_LEN, NONCE_LEN, SIGNATURE_LEN, VERSION,
};
use onward_protocol::members::{verify_bytes, Member};
use onward_protocol::padding;

/// What an envelope holds; part of the associated data, so one can't pass for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealed {
    Batch,
    Snapshot,
    /// A device's record of where its journal stands (docs/SYNC.md, "Device records").
    DeviceRecord,
    /// A member's name in the device list.
    Name,
}

impl Sealed {
    fn tag(self) -> u8 {
        match self {
            Sealed::Batch => wire::BATCH,
            Sealed::Snapshot => wire::SNAPSHOT,
            Sealed::DeviceRecord => wire::DEVICE_RECORD,
            Sealed::Name => b'N',
        }
    }

    fn name(self) -> &'static str {
        match self {
            Sealed::Batch => "a batch of changes",
            Sealed::Snapshot => "a snapshot",
            Sealed::DeviceRecord => "a device's record",
            Sealed::Name => "a device's name",
        }
    }
}

/// Who wrote an opened envelope, under which epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub plaintext: Vec<u8>,
    pub epoch: u32,
    pub signer: String,
}

/// Pads and encrypts `plaintext` as the envelope of object `object_id` (32 hex
/// characters) under the newest epoch this device has, and signs it with this device's
/// key.
pub fn seal(keys: &Keys, kind: Sealed, object_id: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
    seal_padded(keys, kind, object_id, padding::pad(plaintext))
}

/// [`seal`] of a plaintext already padded (tests seal malformed padding with it).
fn seal_padded(keys: &Keys, kind: Sealed, object_id: &str, mut padded: Vec<u8>) -> Result<Vec<u8>> {
    let epoch = keys.epoch();
    let content_key = keys
        .content_key(epoch)
        .ok_or_else(|| Error::Document("this device has no content key yet".into()))?;
    let signer = hex::decode(keys.device_id()).expect("device ids are hex");
    let mut envelope = Vec::with_capacity(MIN_LEN + padded.len());
    envelope.push(VERSION);
    envelope.extend_from_slice(&epoch.to_be_bytes());
    envelope.extend_from_slice(&signer);
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let aad = associated_data(keys.journal_id(), kind, object_id, &envelope);
    XChaCha20Poly1305::new((&content_key).into())
        .encrypt_in_place(&nonce, &aad, &mut padded)
        .map_err(|_| Error::Document("the changes could not be encrypted".into()))?;
    envelope.extend_from_slice(&nonce);
    envelope.extend_from_slice(&padded);
    let message = wire::signing_message(kind.tag(), keys.journal_id(), object_id, &envelope);
    envelope.extend_from_slice(&keys.member().sign(&message));
    Ok(envelope)
}

/// Checks and decrypts an envelope of object `object_id`: signed by a member of the
/// device list (`signer_of` finds the member by device id), under an epoch whose key
/// this device has, padded as [`seal`] pads. A changed byte, another journal's key,
/// another object's id, a signer who isn't a member or malformed padding all give
/// [`Error::Refused`].
pub fn open(keys: &Keys, kind: Sealed, object_id: &str, envelope: &[u8]) -> Result<Opened> {
    let refused = |reason: &str| Error::Refused {
        what: format!("{} from the relay ({object_id})", kind.name()),
        reason: reason.to_string(),
    };
    if envelope.len() < MIN_LEN {
        return Err(refused("it is too short to be an envelope"));
    }
    if envelope[0] != VERSION {
        return Err(refused(&format!(
            "it is envelope version {}, and this Onward reads version {VERSION}",
            envelope[0]
        )));
    }
    let head = wire::head(envelope).ok_or_else(|| refused("its header is malformed"))?;
    let member = signer_of(keys, &head.signer)
        .ok_or_else(|| refused("it was signed by a device that isn't one of this journal's"))?;
    let (unsigned, signature) = envelope.split_at(envelope.len() - SIGNATURE_LEN);
    let message = wire::signing_message(kind.tag(), keys.journal_id(), object_id, unsigned);
    verify_bytes(&member.sign_pk, &message, signature, "envelope")
        .map_err(|_| refused("its signature doesn't check out: it was changed on the way"))?;
    let content_key = keys.content_key(head.epoch).ok_or_else(|| {
        refused(&format!(
            "it was written under key epoch {}, which this device was never given",
            head.epoch
        ))
    })?;
    let aad = associated_data(keys.journal_id(), kind, object_id, &unsigned[..HEAD_LEN]);
    let nonce = XNonce::from_slice(&unsigned[HEAD_LEN..HEAD_LEN + NONCE_LEN]);
    let mut plaintext = XChaCha20Poly1305::new((&content_key).into())
        .decrypt(
            nonce,
            Payload {
                msg: &unsigned[HEAD_LEN + NONCE_LEN..],
                aad: &aad,
            },
        )
        .map_err(|_| {
            refused("it doesn't open with this journal's key: it was changed on the way, or belongs elsewhere")
        })?;
    // Sealed and signed by a member, yet not padded as Onward pads: refused all the same.
    let len = padding::unpad(&plaintext)
        .ok_or_else(|| refused("it opens, but its padding is malformed"))?
        .len();
    plaintext.truncate(len);
    Ok(Opened {
        plaintext,
        epoch: head.epoch,
        signer: head.signer,
    })
}

impl Opened {
    /// Checks that its signer could have written it while the verified device list
    /// admitted it, as the relay's batch `seq` (a snapshot: the batch it covers): under an
    /// epoch the list has, and not after the signer's removal (under the epoch its removal
    /// started or a later one, whose key it never gets, or numbered after the relay's
    /// latest batch when it stored the removal). The relay takes nothing from a removed
    /// device, so only a relay that forged it could serve it. Before any list was read,
    /// only this device's own envelopes open, and they pass. `Err` is the reason.
    pub fn check_signer_admitted(&self, keys: &Keys, seq: u64) -> std::result::Result<(), String> {
        let Some(roster) = keys.roster() else {
            return Ok(());
        };
        if self.epoch > roster.epoch {
            return Err(format!(
                "it was written under key epoch {}, and the device list is at epoch {}",
                self.epoch, roster.epoch
            ));
        }
        match roster.members.get(&self.signer).and_then(|s| s.removed) {
            Some(removal) if seq > removal.seq || self.epoch >= removal.epoch => Err(format!(
                "it was signed by device {} after that device was removed",
                self.signer
            )),
            _ => Ok(()),
        }
    }
}

/// The member `device` of the verified device list, removed or not (whether a removed
/// member's envelope still counts is the caller's call), or this device itself before
/// any list was read.
fn signer_of<'k>(keys: &'k Keys, device: &str) -> Option<std::borrow::Cow<'k, Member>> {
    if let Some(roster) = keys.roster() {
        return roster
            .members
            .get(device)
            .map(|s| std::borrow::Cow::Borrowed(&s.member));
    }
    (device == keys.device_id()).then(|| {
        std::borrow::Cow::Owned(Member {
            device: keys.device_id(),
            kind: onward_protocol::members::MemberKind::Device,
            sign_pk: hex::encode(keys.member().sign_pk()),
            box_pk: String::new(),
            credential_sha256: String::new(),
            name_sealed: String::new(),
            name_epoch: 0,
            added_at_ms: 0,
        })
    })
}

/// `"onward/v2" || kind || journal id || object id || epoch || signer`.
fn associated_data(journal_id: &str, kind: Sealed, object_id: &str, head: &[u8]) -> Vec<u8> {
    let mut aad = b"onward/v2".to_vec();
    aad.push(kind.tag());
    aad.extend_from_slice(journal_id.as_bytes());
    aad.extend_from_slice(object_id.as_bytes());
    aad.extend_from_slice(&head[1..HEAD_LEN]);
    aad
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::keys::{DeviceSecrets, MemberSecrets};
    use std::collections::BTreeMap;

    const ID: &str = "0123456789abcdef0123456789abcdef";
    const OTHER_ID: &str = "fedcba9876543210fedcba9876543210";

    fn keys_with(seed: u8, epoch_key: u8) -> Keys {
        let member = MemberSecrets::derived(b"test", &[seed; 32], "device");
        let mut epochs = BTreeMap::new();
        epochs.insert(0, [epoch_key; 32]);
        Keys::new(&"ab".repeat(16), DeviceSecrets { member, epochs }, None)
    }

    fn keys() -> Keys {
        keys_with(9, 9)
    }

    #[test]
    fn a_sealed_batch_opens_with_the_same_keys_and_id() {
        let text = b"changes of one afternoon".to_vec();
        let envelope = seal(&keys(), Sealed::Batch, ID, &text).unwrap();
        assert_eq!(envelope[0], 2);
        assert_eq!(envelope.len(), MIN_LEN + padding::MIN_PADDED_LEN);
        assert!(!envelope.windows(9).any(|w| w == b"afternoon"));
        let opened = open(&keys(), Sealed::Batch, ID, &envelope).unwrap();
        assert_eq!(opened.plaintext, text);
        assert_eq!(opened.signer, keys().device_id());
        // A fresh nonce each time.
        assert_ne!(envelope, seal(&keys(), Sealed::Batch, ID, &text).unwrap());
    }

    #[test]
    fn changing_any_byte_is_refused() {
        let envelope = seal(&keys(), Sealed::Batch, ID, b"an interview at Acme").unwrap();
        for i in 0..envelope.len() {
            let mut tampered = envelope.clone();
            tampered[i] ^= 0x01;
            let err = open(&keys(), Sealed::Batch, ID, &tampered).unwrap_err();
            assert!(matches!(err, Error::Refused { .. }), "byte {i}: {err}");
        }
        for cut in [1, 16, envelope.len() - 1] {
            assert!(open(
                &keys(),
                Sealed::Batch,
                ID,
                &envelope[..envelope.len() - cut]
            )
            .is_err());
        }
    }

    #[test]
    fn another_journal_key_object_kind_or_signer_is_refused() {
        let envelope = seal(&keys(), Sealed::Batch, ID, b"a mood check-in").unwrap();
        // Another epoch key (same device): the signature holds, the seal doesn't open.
        assert!(open(&keys_with(9, 10), Sealed::Batch, ID, &envelope).is_err());
        // Another device without a device list doesn't know the signer.
        assert!(open(&keys_with(8, 9), Sealed::Batch, ID, &envelope).is_err());
        assert!(open(&keys(), Sealed::Batch, OTHER_ID, &envelope).is_err());
        let err = open(&keys(), Sealed::Snapshot, ID, &envelope).unwrap_err();
        assert!(err.to_string().contains("was refused"), "{err}");
    }

    #[test]
    fn a_signed_envelope_with_malformed_padding_is_refused() {
        let padded = padding::pad(b"a thank-you note");
        let envelope = seal_padded(&keys(), Sealed::Batch, ID, padded.clone()).unwrap();
        assert_eq!(
            open(&keys(), Sealed::Batch, ID, &envelope)
                .unwrap()
                .plaintext,
            b"a thank-you note"
        );
        let mut after_marker = padded.clone();
        *after_marker.last_mut().unwrap() = 1;
        for malformed in [
            after_marker,
            b"a thank-you note".to_vec(),
            [padded, vec![0; 256]].concat(),
            Vec::new(),
        ] {
            let envelope = seal_padded(&keys(), Sealed::Batch, ID, malformed).unwrap();
            let err = open(&keys(), Sealed::Batch, ID, &envelope).unwrap_err();
            assert!(
                matches!(&err, Error::Refused { reason, .. } if reason.contains("padding is malformed")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_signer_is_admitted_under_the_lists_epochs_until_its_removal() {
        use crate::sync::device_list::laptop_and_removed_phone;
        // The phone was removed, starting epoch 1, when the relay's latest batch was 7.
        let (laptop, phone, _) = laptop_and_removed_phone(7);
        let opened = |signer: &Keys, epoch| Opened {
            plaintext: Vec::new(),
            epoch,
            signer: signer.device_id(),
        };
        assert_eq!(opened(&phone, 0).check_signer_admitted(&laptop, 7), Ok(()));
        assert_eq!(
            opened(&laptop, 1).check_signer_admitted(&laptop, 100),
            Ok(())
        );
        for (late, seq) in [(opened(&phone, 0), 8), (opened(&phone, 1), 7)] {
            let reason = late.check_signer_admitted(&laptop, seq).unwrap_err();
            assert!(reason.contains("after that device was removed"), "{reason}");
        }
        let reason = opened(&laptop, 2)
            .check_signer_admitted(&laptop, 8)
            .unwrap_err();
        assert!(reason.contains("epoch 2"), "{reason}");
    }

    #[test]
    fn an_epoch_this_device_was_never_given_is_refused_by_name() {
        let mut newer = keys();
        newer.add_epoch(1, [1; 32]);
        let envelope = seal(&newer, Sealed::Batch, ID, b"after a removal").unwrap();
        let err = open(&keys(), Sealed::Batch, ID, &envelope).unwrap_err();
        assert!(err.to_string().contains("epoch 1"), "{err}");
        assert_eq!(open(&newer, Sealed::Batch, ID, &envelope).unwrap().epoch, 1);
    }
}
