//! Padding of an envelope's plaintext, inside the encryption (docs/SYNC.md, "Envelopes"),
//! so the relay learns less from sizes: every plaintext is padded to at least
//! [`MIN_PADDED_LEN`] bytes, and beyond that to its PADMÉ length (Nikitin et al.,
//! "Reducing Metadata Leakage from Encrypted Files and Communication with PURBs", 2019).
//! The padding is ISO/IEC 7816-4's: a 0x80 byte, then zeros.

/// Every padded plaintext is at least this long, so small objects (a device name, a mood
/// check-in, a device record) all have the same size.
pub const MIN_PADDED_LEN: usize = 256;

/// The byte that ends the plaintext; only zeros follow it.
const MARKER: u8 = 0x80;

/// The PADMÉ length of `len`: `len` rounded up to a multiple of 2^(E − S), where
/// E = ⌊log2 len⌋ and S = ⌊log2 E⌋ + 1. At most 11.7 % more (at `len` = 129), and less the
/// longer `len` is; a padded length reveals O(log log len) bits instead of O(log len).
pub const fn padme(len: usize) -> usize {
    if len < 2 {
        return len;
    }
    let e = len.ilog2();
    let s = e.ilog2() + 1;
    let mask = (1usize << (e - s)) - 1;
    // No overflow for a slice's length (at most isize::MAX): the mask is below 2^(E − 5).
    (len + mask) & !mask
}

/// The length [`pad`] gives a plaintext of `len` bytes: room for the marker, at least
/// [`MIN_PADDED_LEN`], then PADMÉ.
pub const fn padded_len(len: usize) -> usize {
    let with_marker = len + 1;
    padme(if with_marker < MIN_PADDED_LEN {
        MIN_PADDED_LEN
    } else {
        with_marker
    })
}

/// `plaintext || 0x80 || zeros`, [`padded_len`] bytes long.
pub fn pad(plaintext: &[u8]) -> Vec<u8> {
    let len = padded_len(plaintext.len());
    let mut padded = Vec::with_capacity(len);
    padded.extend_from_slice(plaintext);
    padded.push(MARKER);
    padded.resize(len, 0);
    padded
}

/// The plaintext that [`pad`] turned into `padded`, or `None` if `padded` is not exactly
/// what `pad` gives for it: the last byte that isn't zero must be the marker, and the
/// length the one [`padded_len`] gives, so each plaintext has one padded form.
pub fn unpad(padded: &[u8]) -> Option<&[u8]> {
    let marker = padded.iter().rposition(|&b| b != 0)?;
    (padded[marker] == MARKER && padded.len() == padded_len(marker)).then(|| &padded[..marker])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn padme_matches_the_papers_examples() {
        // E = 3, S = 2: multiples of 2; E = 7, S = 3: of 16 (the worst case, +11.6 %);
        // E = 10, S = 4: of 64; E = 19, S = 5: of 16384.
        for (len, padded) in [
            (0, 0),
            (1, 1),
            (7, 7),
            (9, 10),
            (129, 144),
            (1000, 1024),
            (1025, 1088),
            (1_000_000, 1_015_808),
        ] {
            assert_eq!(padme(len), padded, "padme({len})");
        }
    }

    #[test]
    fn small_plaintexts_all_pad_to_the_minimum() {
        for len in [0, 1, 100, MIN_PADDED_LEN - 1] {
            assert_eq!(pad(&vec![7; len]).len(), MIN_PADDED_LEN, "{len} bytes");
        }
        // The marker needs a byte of its own.
        assert_eq!(padded_len(MIN_PADDED_LEN), 272);
    }

    #[test]
    fn malformed_padding_is_refused() {
        let padded = pad(b"an interview at Acme");
        assert_eq!(unpad(&padded), Some(&b"an interview at Acme"[..]));
        // No marker at all, another byte where the marker goes, a byte after it.
        assert_eq!(unpad(&vec![0; MIN_PADDED_LEN]), None);
        assert_eq!(unpad(&[]), None);
        let mut wrong_marker = padded.clone();
        wrong_marker[20] = 0x81;
        assert_eq!(unpad(&wrong_marker), None);
        let mut after_marker = padded.clone();
        after_marker[MIN_PADDED_LEN - 1] = 1;
        assert_eq!(unpad(&after_marker), None);
        // A valid marker, but more or fewer zeros than `pad` writes.
        let mut longer = padded.clone();
        longer.extend_from_slice(&[0; 16]);
        assert_eq!(unpad(&longer), None);
        assert_eq!(unpad(&padded[..MIN_PADDED_LEN - 1]), None);
        assert_eq!(unpad(&[b'x', MARKER]), None);
    }

    proptest! {
        #[test]
        fn padding_round_trips_at_the_padme_length(
            plaintext in prop::collection::vec(any::<u8>(), 0..5000)
        ) {
            let padded = pad(&plaintext);
            prop_assert_eq!(padded.len(), padme((plaintext.len() + 1).max(MIN_PADDED_LEN)));
            prop_assert_eq!(unpad(&padded), Some(&plaintext[..]));
        }

        #[test]
        fn padme_adds_at_most_12_percent_and_keeps_few_bits(len in 2usize..(1 << 40)) {
            let padded = padme(len);
            prop_assert!(padded >= len);
            prop_assert!((padded - len) * 100 <= len * 12, "{} → {}", len, padded);
            // Rounding to 2^(E − S) leaves S + 1 significant bits at most.
            let bits = usize::BITS - padded.leading_zeros() - padded.trailing_zeros();
            prop_assert!(bits <= len.ilog2().ilog2() + 2, "{} → {:#b}", len, padded);
        }
    }
}
