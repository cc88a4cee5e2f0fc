//! What a device seals besides batches, so the relay can't lie about it (docs/SYNC.md,
//! "Snapshots" and "Device records"): a snapshot's header (what it covers and its
//! heads) and a device's record (its heads when it last synced, and a counter). Pure
//! formats without I/O; sealing and opening is [`super::envelope`]'s job.

use crate::{Error, Result};
use automerge::ChangeHash;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// The first bytes of a snapshot's plaintext: a version of this header.
const SNAPSHOT_MAGIC: &[u8; 4] = b"OSS1";
/// The most heads a header or record may list (a journal has a handful).
pub const MAX_HEADS: usize = 256;

/// What a snapshot says of itself, sealed with the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotHeader {
    /// The relay's batches through this number are in the document.
    pub covers: u64,
    /// The id of the batch numbered `covers` (empty for 0).
    pub covers_id: String,
    /// The heads of the document.
    pub heads: Vec<ChangeHash>,
}

/// `magic || covers (u64) || covers id (16 bytes, zero for none) || heads count (u16) ||
/// heads (32 bytes each) || document`.
pub fn snapshot_plaintext(header: &SnapshotHeader, document: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + header.heads.len() * 32 + document.len());
    out.extend_from_slice(SNAPSHOT_MAGIC);
    out.extend_from_slice(&header.covers.to_be_bytes());
    let mut id = [0u8; 16];
    if !header.covers_id.is_empty() {
        // Ids are checked where they come from; a malformed one seals as zeros.
        let _ = data_encoding::HEXLOWER.decode_mut(header.covers_id.as_bytes(), &mut id);
    }
    out.extend_from_slice(&id);
    let count = u16::try_from(header.heads.len().min(MAX_HEADS)).expect("at most 256");
    out.extend_from_slice(&count.to_be_bytes());
    for head in header.heads.iter().take(MAX_HEADS) {
        out.extend_from_slice(&head.0);
    }
    out.extend_from_slice(document);
    out
}

/// Splits a snapshot's plaintext into its header and document.
pub fn read_snapshot(plaintext: &[u8]) -> Result<(SnapshotHeader, &[u8])> {
    let bad = |what: &str| Error::Document(format!("the snapshot's header {what}"));
    let rest = plaintext
        .strip_prefix(SNAPSHOT_MAGIC)
        .ok_or_else(|| bad("is missing: it was written by another version of Onward"))?;
    if rest.len() < 8 + 16 + 2 {
        return Err(bad("is cut short"));
    }
    let covers = u64::from_be_bytes(rest[..8].try_into().expect("8 bytes"));
    let id = &rest[8..24];
    let covers_id = if id.iter().all(|&b| b == 0) {
        String::new()
    } else {
        data_encoding::HEXLOWER.encode(id)
    };
    let count = u16::from_be_bytes(rest[24..26].try_into().expect("2 bytes")) as usize;
    if count > MAX_HEADS {
        return Err(bad("lists too many heads"));
    }
    let rest = &rest[26..];
    if rest.len() < count * 32 {
        return Err(bad("is cut short"));
    }
    let heads = rest[..count * 32]
        .chunks_exact(32)
        .map(|h| ChangeHash(h.try_into().expect("32 bytes")))
        .collect();
    Ok((
        SnapshotHeader {
            covers,
            covers_id,
            heads,
        },
        &rest[count * 32..],
    ))
}

/// A device's record: where its journal stood when it last synced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub device_id: String,
    pub name: String,
    /// Rises with every record the device writes, so an older one is recognised.
    pub counter: u64,
    pub heads: Vec<ChangeHash>,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct RecordJson {
    v: u32,
    device: String,
    name: String,
    counter: u64,
    heads: Vec<String>,
    at_ms: i64,
}

/// The record's plaintext (JSON; it is sealed, so its size is all the relay sees).
pub fn record_plaintext(record: &DeviceRecord) -> Vec<u8> {
    let json = RecordJson {
        v: 1,
        device: record.device_id.clone(),
        name: record.name.chars().take(64).collect(),
        counter: record.counter,
        heads: record
            .heads
            .iter()
            .take(MAX_HEADS)
            .map(|h| h.to_string())
            .collect(),
        at_ms: record.at.timestamp_millis(),
    };
    serde_json::to_vec(&json).expect("a record serializes")
}

/// Reads a record's plaintext; `device_id` is the id it was stored under, which the
/// record must repeat.
pub fn read_record(device_id: &str, plaintext: &[u8]) -> Result<DeviceRecord> {
    let bad = |what: &str| Error::Document(format!("a device's record {what}"));
    let json: RecordJson =
        serde_json::from_slice(plaintext).map_err(|_| bad("could not be read"))?;
    if json.v != 1 {
        return Err(bad("was written by another version of Onward"));
    }
    if json.device != device_id {
        return Err(bad("was stored under another device's id"));
    }
    if json.heads.len() > MAX_HEADS {
        return Err(bad("lists too many heads"));
    }
    let heads = json
        .heads
        .iter()
        .map(|h| {
            h.parse::<ChangeHash>()
                .map_err(|_| bad("has a malformed head"))
        })
        .collect::<Result<_>>()?;
    Ok(DeviceRecord {
        device_id: json.device,
        name: json.name,
        counter: json.counter,
        heads,
        at: Utc
            .timestamp_millis_opt(json.at_ms)
            .single()
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> SnapshotHeader {
        SnapshotHeader {
            covers: 42,
            covers_id: "00112233445566778899aabbccddeeff".into(),
            heads: vec![ChangeHash([7; 32]), ChangeHash([9; 32])],
        }
    }

    #[test]
    fn a_snapshot_header_round_trips_and_a_cut_one_is_refused() {
        let plaintext = snapshot_plaintext(&header(), b"document bytes");
        let (read, document) = read_snapshot(&plaintext).unwrap();
        assert_eq!(read, header());
        assert_eq!(document, b"document bytes");
        let none = SnapshotHeader {
            covers: 0,
            covers_id: String::new(),
            heads: vec![],
        };
        assert_eq!(
            read_snapshot(&snapshot_plaintext(&none, b"")).unwrap().0,
            none
        );
        for cut in [0, 3, 4, 20, 30, 4 + 26 + 40] {
            assert!(read_snapshot(&plaintext[..cut]).is_err(), "cut at {cut}");
        }
        assert!(read_snapshot(b"\x85oJ\x83 an old, bare document").is_err());
    }

    #[test]
    fn a_record_round_trips_and_must_name_its_own_device() {
        let record = DeviceRecord {
            device_id: "aa".repeat(16),
            name: "laptop".into(),
            counter: 3,
            heads: vec![ChangeHash([1; 32])],
            at: Utc.timestamp_millis_opt(1_700_000_000_000).unwrap(),
        };
        let plaintext = record_plaintext(&record);
        assert_eq!(read_record(&record.device_id, &plaintext).unwrap(), record);
        assert!(read_record(&"bb".repeat(16), &plaintext).is_err());
        assert!(read_record(&record.device_id, b"{}").is_err());
    }
}
