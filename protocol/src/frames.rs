//! A pull answer's body: per batch, in sequence order,
//!
//! ```text
//! seq (u64, big-endian) || batch id (16 bytes) || length (u32, big-endian) || envelope
//! ```
//!
//! Lengths come from the network, so none is trusted: a frame that runs past the end or
//! over the size limit is an error, never a panic or a huge allocation. Whether the
//! sequence numbers are the ones asked for is the device's check (it knows its cursor).

use crate::limits::MAX_ENVELOPE_BYTES;

/// Bytes of a frame before its envelope.
pub const HEADER_LEN: usize = 8 + 16 + 4;

/// One batch as the relay sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub seq: u64,
    /// 32 lowercase hex characters.
    pub batch_id: String,
    pub envelope: Vec<u8>,
}

/// Why a pull answer could not be split into frames.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("it ends inside a frame header ({have} of {HEADER_LEN} bytes)")]
    ShortHeader { have: usize },
    #[error("batch {seq} claims {len} bytes, over the {MAX_ENVELOPE_BYTES}-byte limit")]
    TooLong { seq: u64, len: usize },
    #[error("batch {seq} is cut short ({have} of {len} bytes)")]
    CutShort { seq: u64, have: usize, len: usize },
}

/// Appends one frame to `out`.
pub fn encode_frame(out: &mut Vec<u8>, seq: u64, batch_id: &[u8; 16], envelope: &[u8]) {
    // Envelopes are bounded by the request body limit, far below 4 GiB.
    let len = u32::try_from(envelope.len()).expect("an envelope is under 4 GiB");
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(batch_id);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(envelope);
}

/// The bytes of `frames` (for tests, tools and in-memory relays).
pub fn encode(frames: &[Frame]) -> Vec<u8> {
    let mut out = Vec::new();
    for frame in frames {
        let mut id = [0u8; 16];
        hex::decode_to_slice(&frame.batch_id, &mut id).expect("batch ids are 32 hex characters");
        encode_frame(&mut out, frame.seq, &id, &frame.envelope);
    }
    out
}

/// Splits a pull answer into frames.
pub fn decode(body: &[u8]) -> Result<Vec<Frame>, FrameError> {
    let mut frames = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if rest.len() < HEADER_LEN {
            return Err(FrameError::ShortHeader { have: rest.len() });
        }
        let seq = u64::from_be_bytes(rest[..8].try_into().expect("8 bytes"));
        let batch_id = hex::encode(&rest[8..24]);
        let len = u32::from_be_bytes(rest[24..28].try_into().expect("4 bytes")) as usize;
        if len > MAX_ENVELOPE_BYTES {
            return Err(FrameError::TooLong { seq, len });
        }
        let body = &rest[HEADER_LEN..];
        if body.len() < len {
            return Err(FrameError::CutShort {
                seq,
                have: body.len(),
                len,
            });
        }
        frames.push(Frame {
            seq,
            batch_id,
            envelope: body[..len].to_vec(),
        });
        rest = &body[len..];
    }
    Ok(frames)
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
                seq: 6,
                batch_id: "0123456789abcdef0123456789abcdef".into(),
                envelope: vec![0xAB; 300],
            },
        ]
    }

    #[test]
    fn a_frame_is_seq_id_length_envelope() {
        let mut out = Vec::new();
        let id: [u8; 16] = std::array::from_fn(|i| i as u8);
        encode_frame(&mut out, 258, &id, b"\x01abc");
        let mut expected = vec![0, 0, 0, 0, 0, 0, 1, 2];
        expected.extend(0u8..16);
        expected.extend([0, 0, 0, 4, 1, b'a', b'b', b'c']);
        assert_eq!(out, expected);
    }

    #[test]
    fn frames_round_trip() {
        let bytes = encode(&frames());
        assert_eq!(bytes.len(), 3 * HEADER_LEN + 14 + 300);
        assert_eq!(decode(&bytes).unwrap(), frames());
        assert_eq!(decode(&[]).unwrap(), vec![]);
    }

    #[test]
    fn a_truncated_answer_is_an_error_at_every_cut() {
        let bytes = encode(&frames());
        let boundaries = [HEADER_LEN + 14, 2 * HEADER_LEN + 14];
        for cut in 1..bytes.len() {
            if boundaries.contains(&cut) {
                // Whole frames only: a shorter but complete answer.
                assert_eq!(decode(&bytes[..cut]).unwrap().len(), cut / HEADER_LEN);
                continue;
            }
            assert!(decode(&bytes[..cut]).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn an_oversized_length_is_refused_without_allocating_it() {
        let mut bytes = encode(&frames()[..1]);
        bytes[24..28].copy_from_slice(&u32::MAX.to_be_bytes());
        let err = decode(&bytes).unwrap_err().to_string();
        assert!(err.contains("over the"), "{err}");
    }
}
