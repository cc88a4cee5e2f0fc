//! The pull response body: one frame per batch, in sequence order.
//!
//! ```text
//! seq (u64, big-endian) || batch id (16 bytes) || length (u32, big-endian) || envelope
//! ```

use crate::storage::StoredBatch;

/// The media type of a pull response.
pub const CONTENT_TYPE: &str = "application/vnd.onward.batches";

/// Bytes of a frame before its envelope.
pub const HEADER_LEN: usize = 8 + 16 + 4;

/// Encodes `batches` as frames.
pub fn encode(batches: &[StoredBatch]) -> Vec<u8> {
    let total = batches.iter().map(|b| HEADER_LEN + b.envelope.len()).sum();
    let mut out = Vec::with_capacity(total);
    for batch in batches {
        // Envelopes are bounded by the request body limit, far below 4 GiB.
        let len = u32::try_from(batch.envelope.len()).expect("an envelope is under 4 GiB");
        out.extend_from_slice(&batch.seq.to_be_bytes());
        out.extend_from_slice(&batch.id.to_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&batch.envelope);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;
    use bytes::Bytes;

    #[test]
    fn a_frame_is_seq_id_length_envelope() {
        let batch = StoredBatch {
            seq: 258,
            id: Id::parse("batch", "000102030405060708090a0b0c0d0e0f").unwrap(),
            envelope: Bytes::from_static(b"\x01abc"),
        };
        let mut expected = vec![0, 0, 0, 0, 0, 0, 1, 2];
        expected.extend(0u8..16);
        expected.extend([0, 0, 0, 4, 1, b'a', b'b', b'c']);
        assert_eq!(encode(&[batch]), expected);
        assert!(encode(&[]).is_empty());
    }
}
