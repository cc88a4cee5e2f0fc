//! Reading a pull answer: `seq (u64) || batch id (16 bytes) || length (u32) || envelope`
//! per batch (docs/SYNC.md, "Frames"). Lengths come from the network, so none is trusted:
//! a frame that runs past the end or over the size limit is an error, never a panic or
//! a huge allocation.

use crate::{Error, Result};
use data_encoding::HEXLOWER;

/// A relay answer holds at most 4 MiB of envelopes; one envelope can't be larger.
pub const MAX_ENVELOPE: usize = 4 << 20;

const HEADER: usize = 8 + 16 + 4;

/// One batch as the relay sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub seq: u64,
    /// 32 lowercase hex characters.
    pub batch_id: String,
    pub envelope: Vec<u8>,
}

/// Splits a pull answer into frames. Sequence numbers must rise and be above `after`.
pub fn decode(body: &[u8], after: u64) -> Result<Vec<Frame>> {
    let bad = |detail: String| Error::RelayAnswer { detail };
    let mut frames = Vec::new();
    let mut rest = body;
    let mut last = after;
    while !rest.is_empty() {
        if rest.len() < HEADER {
            return Err(bad(format!(
                "it ends inside a frame header ({} of {HEADER} bytes)",
                rest.len()
            )));
        }
        let seq = u64::from_be_bytes(rest[..8].try_into().expect("8 bytes"));
        let batch_id = HEXLOWER.encode(&rest[8..24]);
        let len = u32::from_be_bytes(rest[24..28].try_into().expect("4 bytes")) as usize;
        if len > MAX_ENVELOPE {
            return Err(bad(format!(
                "batch {seq} claims {len} bytes, over the {MAX_ENVELOPE}-byte limit"
            )));
        }
        let body = &rest[HEADER..];
        if body.len() < len {
            return Err(bad(format!(
                "batch {seq} is cut short ({} of {len} bytes)",
                body.len()
            )));
        }
        if seq <= last {
            return Err(bad(format!(
                "batch {seq} came after batch {last}; sequence numbers must rise"
            )));
        }
        frames.push(Frame {
            seq,
            batch_id,
            envelope: body[..len].to_vec(),
        });
        last = seq;
        rest = &body[len..];
    }
    Ok(frames)
}

/// The bytes of frames, as the relay writes them (for tests and tools).
pub fn encode(frames: &[Frame]) -> Vec<u8> {
    let mut out = Vec::new();
    for frame in frames {
        out.extend_from_slice(&frame.seq.to_be_bytes());
        let id = HEXLOWER
            .decode(frame.batch_id.as_bytes())
            .expect("batch ids are 32 hex characters");
        out.extend_from_slice(&id);
        out.extend_from_slice(&(frame.envelope.len() as u32).to_be_bytes());
        out.extend_from_slice(&frame.envelope);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames() -> Vec<Frame> {
        vec![
            Frame {
                seq: 4,
                batch_id: "00112233445566778899aabbccddeeff".into(),
                envelope: b"first envelope".to_vec(),
            },
            Frame {
                seq: 5,
                batch_id: "ffeeddccbbaa99887766554433221100".into(),
                envelope: vec![],
            },
            Frame {
                seq: 9,
                batch_id: "0123456789abcdef0123456789abcdef".into(),
                envelope: vec![0xAB; 300],
            },
        ]
    }

    #[test]
    fn frames_round_trip() {
        let bytes = encode(&frames());
        assert_eq!(bytes.len(), 3 * 28 + 14 + 300);
        assert_eq!(decode(&bytes, 3).unwrap(), frames());
        assert_eq!(decode(&[], 3).unwrap(), vec![]);
    }

    #[test]
    fn a_truncated_answer_is_an_error_at_every_cut() {
        let bytes = encode(&frames());
        let boundaries = [28 + 14, 2 * 28 + 14];
        for cut in 1..bytes.len() {
            if boundaries.contains(&cut) {
                // Whole frames only: a shorter but complete answer.
                assert_eq!(decode(&bytes[..cut], 3).unwrap().len(), cut / 28);
                continue;
            }
            let err = decode(&bytes[..cut], 3).unwrap_err();
            assert!(matches!(err, Error::RelayAnswer { .. }), "cut {cut}: {err}");
        }
    }

    #[test]
    fn an_oversized_length_is_refused_without_allocating_it() {
        let mut bytes = encode(&frames()[..1]);
        bytes[24..28].copy_from_slice(&u32::MAX.to_be_bytes());
        let err = decode(&bytes, 0).unwrap_err().to_string();
        assert!(err.contains("over the"), "{err}");
    }

    #[test]
    fn sequence_numbers_must_rise_past_the_cursor() {
        let bytes = encode(&frames());
        assert!(decode(&bytes, 4).is_err());
        let mut swapped = frames();
        swapped.swap(0, 1);
        assert!(decode(&encode(&swapped), 0).is_err());
    }
}
