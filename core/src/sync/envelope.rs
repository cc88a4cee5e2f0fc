//! Envelopes: how a batch or snapshot travels, sealed with XChaCha20-Poly1305 and bound
//! to its journal and object id by the associated data (docs/SYNC.md, "Envelopes").

use super::keys::Keys;
use crate::{Error, Result};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// What an envelope holds; part of the associated data, so one can't pass for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealed {
    Batch,
    Snapshot,
    /// A device's record of where its journal stands (docs/SYNC.md, "Device records").
    DeviceRecord,
}

impl Sealed {
    fn tag(self) -> u8 {
        match self {
            Sealed::Batch => b'B',
            Sealed::Snapshot => b'S',
            Sealed::DeviceRecord => b'D',
        }
    }

    fn name(self) -> &'static str {
        match self {
            Sealed::Batch => "a batch of changes",
            Sealed::Snapshot => "a snapshot",
            Sealed::DeviceRecord => "a device's record",
        }
    }
}

/// Encrypts `plaintext` as the envelope of object `object_id` (32 hex characters).
pub fn seal(keys: &Keys, kind: Sealed, object_id: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
    let cipher = XChaCha20Poly1305::new(keys.content_key().into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let aad = associated_data(keys, kind, object_id);
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| Error::Document("the changes could not be encrypted".into()))?;
    let mut envelope = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
    envelope.push(VERSION);
    envelope.extend_from_slice(&nonce);
    envelope.extend_from_slice(&ciphertext);
    Ok(envelope)
}

/// Decrypts an envelope of object `object_id`. A changed byte, another journal's key or
/// another object's id all give [`Error::Refused`].
pub fn open(keys: &Keys, kind: Sealed, object_id: &str, envelope: &[u8]) -> Result<Vec<u8>> {
    let refused = |reason: &str| Error::Refused {
        what: format!("{} from the relay ({object_id})", kind.name()),
        reason: reason.to_string(),
    };
    if envelope.len() < 1 + NONCE_LEN + TAG_LEN {
        return Err(refused("it is too short to be an envelope"));
    }
    if envelope[0] != VERSION {
        return Err(refused(&format!(
            "it is envelope version {}, and this Onward reads version {VERSION}",
            envelope[0]
        )));
    }
    let nonce = XNonce::from_slice(&envelope[1..1 + NONCE_LEN]);
    let aad = associated_data(keys, kind, object_id);
    XChaCha20Poly1305::new(keys.content_key().into())
        .decrypt(
            nonce,
            Payload {
                msg: &envelope[1 + NONCE_LEN..],
                aad: &aad,
            },
        )
        .map_err(|_| {
            refused("it doesn't open with this journal's key: it was changed on the way, or belongs elsewhere")
        })
}

/// `"onward/v1" || kind || journal id || object id`.
fn associated_data(keys: &Keys, kind: Sealed, object_id: &str) -> Vec<u8> {
    let mut aad = b"onward/v1".to_vec();
    aad.push(kind.tag());
    aad.extend_from_slice(keys.journal_id().as_bytes());
    aad.extend_from_slice(object_id.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::keys::RootSecret;

    const ID: &str = "0123456789abcdef0123456789abcdef";
    const OTHER_ID: &str = "fedcba9876543210fedcba9876543210";

    fn keys() -> Keys {
        RootSecret::from_bytes(&[9; 32]).unwrap().keys()
    }

    #[test]
    fn a_sealed_batch_opens_with_the_same_keys_and_id() {
        let text = b"changes of one afternoon".to_vec();
        let envelope = seal(&keys(), Sealed::Batch, ID, &text).unwrap();
        assert_eq!(envelope[0], 1);
        assert_eq!(envelope.len(), 1 + 24 + text.len() + 16);
        assert!(!envelope.windows(9).any(|w| w == b"afternoon"));
        assert_eq!(open(&keys(), Sealed::Batch, ID, &envelope).unwrap(), text);
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
    fn another_journal_object_or_kind_is_refused() {
        let envelope = seal(&keys(), Sealed::Batch, ID, b"a mood check-in").unwrap();
        let other_journal = RootSecret::from_bytes(&[10; 32]).unwrap().keys();
        assert!(open(&other_journal, Sealed::Batch, ID, &envelope).is_err());
        assert!(open(&keys(), Sealed::Batch, OTHER_ID, &envelope).is_err());
        let err = open(&keys(), Sealed::Snapshot, ID, &envelope).unwrap_err();
        assert!(err.to_string().contains("was refused"), "{err}");
    }
}
