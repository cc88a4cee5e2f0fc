//! The root secret of a synced journal and the keys derived from it with HKDF-SHA256
//! (docs/SYNC.md, "Keys"). Only the journal id and the credential ever leave the device;
//! the secret itself travels only inside a pairing code.

use crate::{Error, Result};
use automerge::ChangeHash;
use chacha20poly1305::aead::{rand_core::RngCore, OsRng};
use data_encoding::HEXLOWER;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes in a root secret.
pub const SECRET_LEN: usize = 32;

const SALT: &[u8] = b"onward-sync-v1";

/// A journal's random root secret. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct RootSecret([u8; SECRET_LEN]);

impl RootSecret {
    /// A fresh secret from the operating system's random source.
    pub fn generate() -> RootSecret {
        let mut bytes = [0u8; SECRET_LEN];
        OsRng.fill_bytes(&mut bytes);
        RootSecret(bytes)
    }

    /// A secret as stored or decoded; anything but 32 bytes is refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<RootSecret> {
        let bytes: [u8; SECRET_LEN] = bytes.try_into().map_err(|_| {
            Error::Document(format!(
                "a sync secret has {SECRET_LEN} bytes, this one {}",
                bytes.len()
            ))
        })?;
        Ok(RootSecret(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; SECRET_LEN] {
        &self.0
    }

    /// Everything derived from this secret.
    pub fn keys(&self) -> Keys {
        let hk = Hkdf::<Sha256>::new(Some(SALT), &self.0);
        let derive = |info: &str, out: &mut [u8]| {
            hk.expand(info.as_bytes(), out)
                .expect("HKDF-SHA256 gives up to 8160 bytes; these are at most 32");
        };
        let mut journal_id = [0u8; 16];
        let mut content_key = [0u8; 32];
        let mut credential = [0u8; 32];
        let mut batch_id_key = [0u8; 32];
        derive("journal-id", &mut journal_id);
        derive("content-key", &mut content_key);
        derive("relay-credential", &mut credential);
        derive("batch-id", &mut batch_id_key);
        Keys {
            journal_id: HEXLOWER.encode(&journal_id),
            content_key,
            credential: HEXLOWER.encode(&credential),
            batch_id_key,
        }
    }
}

impl std::fmt::Debug for RootSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RootSecret(..)")
    }
}

/// The keys of one journal, derived from its [`RootSecret`].
#[derive(Clone)]
pub struct Keys {
    journal_id: String,
    content_key: [u8; 32],
    credential: String,
    batch_id_key: [u8; 32],
}

impl Keys {
    /// The public journal id the relay knows the journal by (32 hex characters).
    pub fn journal_id(&self) -> &str {
        &self.journal_id
    }

    /// The relay credential (64 hex characters), sent as a bearer token.
    pub fn credential(&self) -> &str {
        &self.credential
    }

    /// The XChaCha20-Poly1305 key of batches and snapshots.
    pub(crate) fn content_key(&self) -> &[u8; 32] {
        &self.content_key
    }

    /// A batch's id: the first 16 bytes, as hex, of HMAC-SHA256 over its change hashes,
    /// sorted and concatenated. The same changes give the same id in any order.
    pub fn batch_id(&self, hashes: &[ChangeHash]) -> String {
        let mut sorted: Vec<&ChangeHash> = hashes.iter().collect();
        sorted.sort();
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.batch_id_key)
            .expect("HMAC takes a key of any length");
        for hash in sorted {
            mac.update(&hash.0);
        }
        HEXLOWER.encode(&mac.finalize().into_bytes()[..16])
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("journal_id", &self.journal_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> RootSecret {
        RootSecret::from_bytes(&(0u8..32).collect::<Vec<_>>()).unwrap()
    }

    // Computed independently with Python's hmac and hashlib (RFC 5869 by hand).
    #[test]
    fn derivations_match_fixed_vectors() {
        let keys = secret().keys();
        assert_eq!(keys.journal_id(), "77ee2683526df4c2fe23ca41167a1edd");
        assert_eq!(
            keys.credential(),
            "dd4343226abc480e21ddac7b59a8d44dbbf71c2c1324e1d79586569a131dfaea"
        );
        assert_eq!(
            HEXLOWER.encode(keys.content_key()),
            "c4a26d3362e98a93e7b7f12f52a19754c259a3389fe118b78e2038e24125ea8f"
        );
        assert_eq!(
            HEXLOWER.encode(&keys.batch_id_key),
            "1908d02f4056ebf4ba85c872a69835d0ba5316d679da6c9d76c98874e1306a8f"
        );
    }

    #[test]
    fn batch_ids_are_fixed_and_ignore_order() {
        let keys = secret().keys();
        let a = ChangeHash([1; 32]);
        let b = ChangeHash([2; 32]);
        assert_eq!(keys.batch_id(&[a, b]), "a1df8a6fd98cfc9acc2c442a8ebb6f03");
        assert_eq!(keys.batch_id(&[b, a]), keys.batch_id(&[a, b]));
        assert_ne!(keys.batch_id(&[a]), keys.batch_id(&[a, b]));
        assert_eq!(keys.batch_id(&[a]).len(), 32);
    }

    #[test]
    fn secrets_are_random_and_never_printed() {
        let (one, two) = (RootSecret::generate(), RootSecret::generate());
        assert_ne!(one, two);
        assert_eq!(format!("{one:?}"), "RootSecret(..)");
        assert!(!format!("{:?}", one.keys()).contains(one.keys().credential()));
    }

    #[test]
    fn a_secret_of_the_wrong_length_is_refused() {
        assert!(RootSecret::from_bytes(&[0; 31]).is_err());
        assert!(RootSecret::from_bytes(&[0; 33]).is_err());
    }
}
