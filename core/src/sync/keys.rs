//! The keys of a synced journal (docs/SYNC.md, "Devices and keys"): this device's own
//! (a signing key, a key to receive wrapped content keys, a relay credential), the
//! content keys of every epoch it was given, and the device list it verified. Only the
//! journal id, the public keys and the credential ever leave the device.

use crate::{Error, Result};
use automerge::ChangeHash;
use chacha20poly1305::aead::{rand_core::RngCore, OsRng};
use data_encoding::HEXLOWER;
use ed25519_dalek::{Signer, SigningKey};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use onward_protocol::members::{self, Roster};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// 32 random bytes from the operating system.
pub fn random32() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// HKDF-SHA256 of `ikm` under `salt`, 32 bytes for `info`.
pub(crate) fn derive(salt: &[u8], ikm: &[u8], info: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info.as_bytes(), &mut out)
        .expect("HKDF-SHA256 gives up to 8160 bytes; this is 32");
    out
}

/// SHA-256 of a credential as the relay keeps it (hex).
pub fn credential_hash(credential: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(credential.as_bytes()))
}

/// A member's private keys: what its `SecretStore` keeps. Its `Debug` shows none.
#[derive(Clone, Serialize, Deserialize)]
pub struct MemberSecrets {
    #[serde(with = "hex32")]
    sign: [u8; 32],
    #[serde(with = "hex32")]
    boxing: [u8; 32],
    #[serde(with = "hex32")]
    credential: [u8; 32],
}

impl MemberSecrets {
    /// New random keys for a device.
    pub fn generate() -> MemberSecrets {
        MemberSecrets {
            sign: random32(),
            boxing: random32(),
            credential: random32(),
        }
    }

    /// Keys derived from a secret (an invitation's or a recovery kit's) under `salt`.
    pub fn derived(salt: &[u8], secret: &[u8], prefix: &str) -> MemberSecrets {
        MemberSecrets {
            sign: derive(salt, secret, &format!("{prefix}-sign")),
            boxing: derive(salt, secret, &format!("{prefix}-box")),
            credential: derive(salt, secret, &format!("{prefix}-credential")),
        }
    }

    pub fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.sign)
    }

    pub fn sign_pk(&self) -> [u8; 32] {
        self.signing_key().verifying_key().to_bytes()
    }

    pub fn box_secret(&self) -> x25519_dalek::StaticSecret {
        x25519_dalek::StaticSecret::from(self.boxing)
    }

    pub fn box_pk(&self) -> [u8; 32] {
        x25519_dalek::PublicKey::from(&self.box_secret()).to_bytes()
    }

    /// The device id: from the signing key (docs/SYNC.md).
    pub fn device_id(&self) -> String {
        members::device_id(&self.sign_pk())
    }

    /// The relay credential, as sent (64 hex characters).
    pub fn credential(&self) -> String {
        HEXLOWER.encode(&self.credential)
    }

    /// An Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing_key().sign(message).to_bytes()
    }
}

impl std::fmt::Debug for MemberSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MemberSecrets({})", self.device_id())
    }
}

/// What a device keeps secret for one journal: its own keys and every epoch key it has.
#[derive(Clone, Serialize, Deserialize, Debug)]
pub struct DeviceSecrets {
    pub member: MemberSecrets,
    /// Epoch → key. Hex in storage.
    #[serde(with = "epoch_map")]
    pub epochs: BTreeMap<u32, [u8; 32]>,
}

impl DeviceSecrets {
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(serde_json::to_vec(self).expect("secrets serialize"))
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<DeviceSecrets> {
        serde_json::from_slice(bytes).map_err(|e| Error::SecretStore {
            detail: format!("the stored keys can't be read ({e})"),
        })
    }
}

/// The keys one sync uses: the journal id, this member's keys, the epoch keys and the
/// device list as last verified.
#[derive(Clone)]
pub struct Keys {
    journal_id: String,
    member: MemberSecrets,
    epochs: BTreeMap<u32, [u8; 32]>,
    roster: Option<Roster>,
}

const SYNC_SALT: &[u8] = b"onward-sync-v2";

impl Keys {
    pub fn new(journal_id: &str, secrets: DeviceSecrets, roster: Option<Roster>) -> Keys {
        Keys {
            journal_id: journal_id.to_string(),
            member: secrets.member,
            epochs: secrets.epochs,
            roster,
        }
    }

    /// The keys of a journal being founded: epoch 0 only, no device list yet.
    pub fn founding(journal_id: &str, member: MemberSecrets, epoch_zero: [u8; 32]) -> Keys {
        let mut epochs = BTreeMap::new();
        epochs.insert(0, epoch_zero);
        Keys::new(journal_id, DeviceSecrets { member, epochs }, None)
    }

    /// The same journal, epochs and device list, acting as another member (a device
    /// being added, a recovery kit).
    pub fn as_member(&self, member: &MemberSecrets) -> Keys {
        Keys {
            member: member.clone(),
            ..self.clone()
        }
    }

    /// The public journal id the relay knows the journal by (32 hex characters).
    pub fn journal_id(&self) -> &str {
        &self.journal_id
    }

    /// The relay credential (64 hex characters), sent as a bearer token.
    pub fn credential(&self) -> String {
        self.member.credential()
    }

    pub fn member(&self) -> &MemberSecrets {
        &self.member
    }

    pub fn device_id(&self) -> String {
        self.member.device_id()
    }

    pub fn secrets(&self) -> DeviceSecrets {
        DeviceSecrets {
            member: self.member.clone(),
            epochs: self.epochs.clone(),
        }
    }

    /// The device list as last verified (none before the first one).
    pub fn roster(&self) -> Option<&Roster> {
        self.roster.as_ref()
    }

    pub fn set_roster(&mut self, roster: Roster) {
        self.roster = Some(roster);
    }

    pub fn add_epoch(&mut self, epoch: u32, key: [u8; 32]) {
        self.epochs.insert(epoch, key);
    }

    /// The newest epoch this device has the key of: the one it writes under.
    pub fn epoch(&self) -> u32 {
        self.epochs.keys().next_back().copied().unwrap_or(0)
    }

    pub fn epoch_key(&self, epoch: u32) -> Option<&[u8; 32]> {
        self.epochs.get(&epoch)
    }

    pub fn epochs(&self) -> &BTreeMap<u32, [u8; 32]> {
        &self.epochs
    }

    /// The XChaCha20-Poly1305 key of `epoch`, if this device has it.
    pub(crate) fn content_key(&self, epoch: u32) -> Option<[u8; 32]> {
        self.epochs
            .get(&epoch)
            .map(|k| derive(SYNC_SALT, k, "content-key"))
    }

    /// The key sealing the epoch before `epoch` under it.
    pub(crate) fn chain_key(epoch_key: &[u8; 32]) -> [u8; 32] {
        derive(SYNC_SALT, epoch_key, "chain")
    }

    /// A batch's id: the first 16 bytes, as hex, of HMAC-SHA256 (the current epoch's
    /// batch-id key) over its change hashes, sorted and concatenated. The same changes
    /// give the same id in any order.
    pub fn batch_id(&self, hashes: &[ChangeHash]) -> String {
        let key = self
            .epochs
            .get(&self.epoch())
            .map(|k| derive(SYNC_SALT, k, "batch-id"))
            .unwrap_or_default();
        let mut sorted: Vec<&ChangeHash> = hashes.iter().collect();
        sorted.sort();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
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
            .field("device", &self.device_id())
            .field("epoch", &self.epoch())
            .finish_non_exhaustive()
    }
}

mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = hex::decode(text).map_err(serde::de::Error::custom)?;
        bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("a key of 32 bytes"))
    }
}

mod epoch_map {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<u32, [u8; 32]>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter().map(|(e, k)| (*e, hex::encode(k))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<u32, [u8; 32]>, D::Error> {
        let pairs: Vec<(u32, String)> = Vec::deserialize(d)?;
        pairs
            .into_iter()
            .map(|(e, k)| {
                let bytes = hex::decode(k).map_err(serde::de::Error::custom)?;
                let key: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| serde::de::Error::custom("a key of 32 bytes"))?;
                Ok((e, key))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn keys_for_tests(seed: u8) -> Keys {
        let member = MemberSecrets::derived(b"test", &[seed; 32], "device");
        let mut epochs = BTreeMap::new();
        epochs.insert(0, [seed; 32]);
        Keys::new(&"ab".repeat(16), DeviceSecrets { member, epochs }, None)
    }

    #[test]
    fn batch_ids_are_fixed_by_the_epoch_key_and_ignore_order() {
        let keys = keys_for_tests(3);
        let a = ChangeHash([1; 32]);
        let b = ChangeHash([2; 32]);
        assert_eq!(keys.batch_id(&[b, a]), keys.batch_id(&[a, b]));
        assert_ne!(keys.batch_id(&[a]), keys.batch_id(&[a, b]));
        assert_ne!(keys_for_tests(4).batch_id(&[a]), keys.batch_id(&[a]));
        let mut next = keys.clone();
        next.add_epoch(1, [9; 32]);
        assert_eq!(next.epoch(), 1);
        assert_ne!(next.batch_id(&[a]), keys.batch_id(&[a]));
        assert_eq!(keys.batch_id(&[a]).len(), 32);
    }

    #[test]
    fn secrets_round_trip_and_are_never_printed() {
        let keys = keys_for_tests(5);
        let bytes = keys.secrets().to_bytes();
        let back = DeviceSecrets::from_bytes(&bytes).unwrap();
        assert_eq!(back.member.device_id(), keys.device_id());
        assert_eq!(back.epochs, *keys.epochs());
        let shown = format!("{keys:?} {back:?}");
        assert!(!shown.contains(&keys.credential()));
        assert!(!shown.contains(&hex::encode([5u8; 32])));
        assert!(DeviceSecrets::from_bytes(b"{}").is_err());
    }
}
