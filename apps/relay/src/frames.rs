//! The pull response body: one frame per batch, in sequence order, in the protocol's
//! encoding (`onward_protocol::frames`, the same codec a device decodes with).

use onward_protocol::frames::{encode_frame, HEADER_LEN};

use crate::storage::StoredBatch;

/// Encodes `batches` as frames.
pub fn encode(batches: &[StoredBatch]) -> Vec<u8> {
    let total = batches.iter().map(|b| HEADER_LEN + b.envelope.len()).sum();
    let mut out = Vec::with_capacity(total);
    for batch in batches {
        encode_frame(&mut out, batch.seq, &batch.id.to_bytes(), &batch.envelope);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;
    use bytes::Bytes;
    use onward_protocol::frames::decode;

    #[test]
    fn stored_batches_decode_as_the_device_reads_them() {
        let batches = [
            StoredBatch {
                seq: 258,
                id: Id::parse("batch", "000102030405060708090a0b0c0d0e0f").unwrap(),
                envelope: Bytes::from_static(b"\x01abc"),
            },
            StoredBatch {
                seq: 259,
                id: Id::parse("batch", "ffeeddccbbaa99887766554433221100").unwrap(),
                envelope: Bytes::from_static(b"\x01"),
            },
        ];
        let frames = decode(&encode(&batches)).unwrap();
        assert_eq!(frames.len(), 2);
        for (frame, batch) in frames.iter().zip(&batches) {
            assert_eq!(frame.seq, batch.seq);
            assert_eq!(frame.batch_id, batch.id.as_str());
            assert_eq!(frame.envelope, batch.envelope.as_ref());
        }
        assert!(encode(&[]).is_empty());
    }
}
