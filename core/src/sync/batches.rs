//! Batches, without any I/O (docs/SYNC.md, "Batches and ids"): the pending changes
//! grouped into batches under 1 MiB in causal order with their ids, what the relay holds
//! after a push or a merge, and what to do with each pulled frame.

use super::envelope::{self, Sealed};
use super::keys::Keys;
use crate::{Error, Result};
use automerge::{Change, ChangeHash};
use onward_protocol::Frame;
use std::collections::{HashMap, HashSet};

/// A batch's plaintext stays under this many bytes, unless one change alone is larger.
pub const MAX_BATCH_BYTES: usize = 1 << 20;

/// A change's place in the history: its hash and what it depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRef {
    pub hash: ChangeHash,
    pub deps: Vec<ChangeHash>,
}

impl From<&Change> for ChangeRef {
    fn from(change: &Change) -> Self {
        ChangeRef {
            hash: change.hash(),
            deps: change.deps().to_vec(),
        }
    }
}

/// One batch ready to seal and push.
#[derive(Debug, Clone)]
pub struct Batch {
    pub id: String,
    pub changes: Vec<ChangeRef>,
    /// The changes' bytes, concatenated: what `load_incremental` reads.
    pub plaintext: Vec<u8>,
}

/// Groups `changes` into batches in causal order (a change after everything it depends
/// on), each under [`MAX_BATCH_BYTES`] unless a single change is larger.
pub fn plan(keys: &Keys, changes: &[Change]) -> Vec<Batch> {
    let mut batches = Vec::new();
    let mut refs: Vec<ChangeRef> = Vec::new();
    let mut plaintext: Vec<u8> = Vec::new();
    let mut close = |refs: &mut Vec<ChangeRef>, plaintext: &mut Vec<u8>| {
        if refs.is_empty() {
            return;
        }
        let hashes: Vec<ChangeHash> = refs.iter().map(|r| r.hash).collect();
        batches.push(Batch {
            id: keys.batch_id(&hashes),
            changes: std::mem::take(refs),
            plaintext: std::mem::take(plaintext),
        });
    };
    for change in causal_order(changes) {
        let bytes = change.raw_bytes();
        if !refs.is_empty() && plaintext.len() + bytes.len() >= MAX_BATCH_BYTES {
            close(&mut refs, &mut plaintext);
        }
        refs.push(ChangeRef::from(change));
        plaintext.extend_from_slice(bytes);
    }
    close(&mut refs, &mut plaintext);
    batches
}

/// `changes` sorted so that each comes after those of its dependencies that are among
/// them; otherwise in the order given.
fn causal_order(changes: &[Change]) -> Vec<&Change> {
    let present: HashMap<ChangeHash, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.hash(), i))
        .collect();
    let mut placed = vec![false; changes.len()];
    let mut order = Vec::with_capacity(changes.len());
    // Depth-first: place a change's missing dependencies before it.
    for start in 0..changes.len() {
        let mut stack = vec![(start, false)];
        while let Some((i, deps_done)) = stack.pop() {
            if placed[i] {
                continue;
            }
            if deps_done {
                placed[i] = true;
                order.push(&changes[i]);
                continue;
            }
            stack.push((i, true));
            for dep in changes[i].deps().iter().rev() {
                if let Some(&d) = present.get(dep) {
                    if !placed[d] {
                        stack.push((d, false));
                    }
                }
            }
        }
    }
    order
}

/// What the relay holds, as heads, after it took `added` on top of `relay_heads`. The
/// result need not be minimal: only its ancestors matter, and those are exact.
pub fn heads_after(relay_heads: &[ChangeHash], added: &[ChangeRef]) -> Vec<ChangeHash> {
    let covered: HashSet<ChangeHash> = added.iter().flat_map(|c| c.deps.iter().copied()).collect();
    let mut heads: Vec<ChangeHash> = relay_heads
        .iter()
        .copied()
        .chain(added.iter().map(|c| c.hash))
        .filter(|h| !covered.contains(h))
        .collect();
    heads.sort();
    heads.dedup();
    heads
}

/// The changes in a batch's plaintext (Automerge change chunks, concatenated), with
/// their dependencies: what the relay holds once it holds the batch. Only the chunk
/// boundaries are read here (the chunk header of Automerge's binary format: magic,
/// checksum, type, uLEB128 length); each chunk is then parsed by Automerge itself.
pub fn change_refs(plaintext: &[u8]) -> Result<Vec<ChangeRef>> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    let bad = |what: &str| Error::Document(format!("the changes could not be read: {what}"));
    let mut refs = Vec::new();
    let mut rest = plaintext;
    while !rest.is_empty() {
        if rest.len() < 9 || rest[..4] != MAGIC {
            return Err(bad("a chunk doesn't start where one should"));
        }
        let (mut len, mut shift, mut at) = (0u64, 0u32, 9usize);
        loop {
            let byte = *rest
                .get(at)
                .ok_or_else(|| bad("a chunk header is cut short"))?;
            at += 1;
            if shift > 56 {
                return Err(bad("a chunk length is too long"));
            }
            len |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| at.checked_add(len))
            .filter(|&end| end <= rest.len())
            .ok_or_else(|| bad("a chunk is cut short"))?;
        let change = Change::try_from(&rest[..end]).map_err(|e| bad(&e.to_string()))?;
        refs.push(ChangeRef::from(&change));
        rest = &rest[end..];
    }
    Ok(refs)
}

/// What to do with one pulled batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PulledBatch {
    /// It opened: merge these change bytes.
    Merge {
        seq: u64,
        batch_id: String,
        changes: Vec<u8>,
        refs: Vec<ChangeRef>,
    },
    /// It didn't: record why and go on with the next.
    Refuse {
        seq: u64,
        batch_id: String,
        reason: String,
    },
}

impl PulledBatch {
    pub fn seq(&self) -> u64 {
        match self {
            PulledBatch::Merge { seq, .. } | PulledBatch::Refuse { seq, .. } => *seq,
        }
    }
}

/// Opens a pulled frame with the journal's keys and reads which changes it holds. A
/// batch its signer could not have written while admitted is refused
/// ([`envelope::Opened::check_signer_admitted`]).
pub fn unpack(keys: &Keys, frame: Frame) -> PulledBatch {
    let opened = envelope::open(keys, Sealed::Batch, &frame.batch_id, &frame.envelope)
        .and_then(
            |opened| match opened.check_signer_admitted(keys, frame.seq) {
                Ok(()) => Ok(opened.plaintext),
                Err(reason) => Err(Error::Refused {
                    what: "a batch".into(),
                    reason,
                }),
            },
        )
        .and_then(|changes| Ok((change_refs(&changes)?, changes)));
    match opened {
        Ok((refs, changes)) => PulledBatch::Merge {
            seq: frame.seq,
            batch_id: frame.batch_id,
            changes,
            refs,
        },
        Err(e) => PulledBatch::Refuse {
            seq: frame.seq,
            batch_id: frame.batch_id,
            reason: match e {
                Error::Refused { reason, .. } => reason,
                Error::Document(reason) => reason,
                other => other.to_string(),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::envelope::seal;
    use crate::sync::keys::MemberSecrets;
    use automerge::{transaction::Transactable, AutoCommit, ROOT};

    fn keys() -> Keys {
        Keys::founding(
            &"ab".repeat(16),
            MemberSecrets::derived(b"test", &[3; 32], "device"),
            [3; 32],
        )
    }

    /// Two devices writing apart after a shared start, then one merging the other.
    fn history(text_len: usize) -> Vec<Change> {
        let mut a = AutoCommit::new();
        a.put(ROOT, "start", 1).unwrap();
        a.commit();
        let mut b = a.fork();
        for i in 0..5 {
            a.put(ROOT, format!("a{i}"), "x".repeat(text_len)).unwrap();
            a.commit();
            b.put(ROOT, format!("b{i}"), "y".repeat(text_len)).unwrap();
            b.commit();
        }
        a.merge(&mut b).unwrap();
        a.put(ROOT, "after", true).unwrap();
        a.commit();
        a.get_changes(&[])
    }

    fn assert_causal(batches: &[Batch]) {
        let mut seen = HashSet::new();
        for change in batches.iter().flat_map(|b| &b.changes) {
            for dep in &change.deps {
                assert!(seen.contains(dep), "a change came before its dependency");
            }
            seen.insert(change.hash);
        }
    }

    #[test]
    fn batches_are_in_causal_order_whatever_order_the_changes_come_in() {
        let mut changes = history(10);
        changes.reverse();
        let batches = plan(&keys(), &changes);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].changes.len(), 12);
        assert_causal(&batches);
        // The plaintext loads as the whole document.
        let mut doc = AutoCommit::new();
        doc.load_incremental(&batches[0].plaintext).unwrap();
        assert_eq!(doc.get_missing_deps(&[]), vec![]);
        assert_eq!(doc.get_changes(&[]).len(), 12);
    }

    #[test]
    fn batches_stay_under_the_size_bound() {
        // Changes of about 300 KB: three fit in a batch, a fourth would not.
        let changes = history(300_000);
        let batches = plan(&keys(), &changes);
        assert!(batches.len() >= 4, "{} batches", batches.len());
        for batch in &batches {
            assert!(batch.plaintext.len() < MAX_BATCH_BYTES);
        }
        assert_eq!(batches.iter().map(|b| b.changes.len()).sum::<usize>(), 12);
        assert_causal(&batches);
    }

    #[test]
    fn a_change_over_the_bound_travels_alone() {
        let mut doc = AutoCommit::new();
        for (key, len) in [("small", 10), ("big", MAX_BATCH_BYTES + 10), ("after", 10)] {
            doc.put(ROOT, key, "z".repeat(len)).unwrap();
            doc.commit();
        }
        let batches = plan(&keys(), &doc.get_changes(&[]));
        let sizes: Vec<usize> = batches.iter().map(|b| b.changes.len()).collect();
        assert_eq!(sizes, [1, 1, 1]);
        assert!(batches[1].plaintext.len() > MAX_BATCH_BYTES);
        assert!(batches[0].plaintext.len() < 1000 && batches[2].plaintext.len() < 1000);
    }

    #[test]
    fn the_changes_of_a_batch_are_read_back_whole_or_not_at_all() {
        let changes = history(300);
        let batch = &plan(&keys(), &changes)[0];
        assert_eq!(change_refs(&batch.plaintext).unwrap(), batch.changes);
        assert_eq!(change_refs(&[]).unwrap(), vec![]);
        for cut in [1, 8, 9, 10, 100, batch.plaintext.len() - 1] {
            assert!(
                change_refs(&batch.plaintext[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut flipped = batch.plaintext.clone();
        flipped[40] ^= 1;
        assert!(change_refs(&flipped).is_err());
    }

    #[test]
    fn batch_ids_are_stable() {
        let changes = history(10);
        let first = plan(&keys(), &changes);
        let again = plan(&keys(), &changes);
        assert_eq!(first[0].id, again[0].id);
        assert_eq!(first[0].id.len(), 32);
        let hashes: Vec<ChangeHash> = changes.iter().map(|c| c.hash()).collect();
        assert_eq!(first[0].id, keys().batch_id(&hashes));
        let other = Keys::founding(
            &"ab".repeat(16),
            MemberSecrets::derived(b"test", &[4; 32], "device"),
            [4; 32],
        );
        assert_ne!(plan(&other, &changes)[0].id, first[0].id);
    }

    #[test]
    fn relay_heads_follow_what_was_added() {
        let changes = history(10);
        let refs: Vec<ChangeRef> = changes.iter().map(ChangeRef::from).collect();
        let mut doc = AutoCommit::new();
        for c in &changes {
            doc.apply_changes([c.clone()]).unwrap();
        }
        // Everything at once: the document's own heads.
        assert_eq!(heads_after(&[], &refs), doc.get_heads());
        // In two steps: the same.
        let (first, rest) = refs.split_at(6);
        let step = heads_after(&[], first);
        assert_eq!(heads_after(&step, rest), doc.get_heads());
        // Nothing added: nothing changes.
        assert_eq!(heads_after(&step, &[]), step);
    }

    #[test]
    fn pulled_frames_open_or_are_refused_with_a_reason() {
        let id = "00112233445566778899aabbccddeeff".to_string();
        let changes = history(10);
        let plaintext: Vec<u8> = changes
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect();
        let envelope = seal(&keys(), Sealed::Batch, &id, &plaintext).unwrap();
        let good = Frame {
            seq: 3,
            batch_id: id.clone(),
            envelope: envelope.clone(),
        };
        assert_eq!(
            unpack(&keys(), good),
            PulledBatch::Merge {
                seq: 3,
                batch_id: id.clone(),
                changes: plaintext,
                refs: changes.iter().map(ChangeRef::from).collect(),
            }
        );
        let not_changes = seal(&keys(), Sealed::Batch, &id, b"bytes").unwrap();
        let unreadable = unpack(
            &keys(),
            Frame {
                seq: 5,
                batch_id: id.clone(),
                envelope: not_changes,
            },
        );
        assert!(matches!(unreadable, PulledBatch::Refuse { seq: 5, .. }));
        let mut tampered = envelope;
        tampered[30] ^= 0xFF;
        let bad = unpack(
            &keys(),
            Frame {
                seq: 4,
                batch_id: id,
                envelope: tampered,
            },
        );
        assert!(
            matches!(&bad, PulledBatch::Refuse { seq: 4, reason, .. } if reason.contains("changed on the way"))
        );
    }

    #[test]
    fn a_batch_signed_by_a_removed_device_after_its_removal_is_refused() {
        // The relay stored the removal when its latest batch was number 7.
        let (laptop, phone, _) = crate::sync::device_list::laptop_and_removed_phone(7);
        let id = "00112233445566778899aabbccddeeff".to_string();
        let plaintext: Vec<u8> = history(2)
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect();
        let envelope = seal(&phone, Sealed::Batch, &id, &plaintext).unwrap();
        let frame = |seq| Frame {
            seq,
            batch_id: id.clone(),
            envelope: envelope.clone(),
        };
        // Written before its removal: still the journal's.
        assert!(matches!(
            unpack(&laptop, frame(7)),
            PulledBatch::Merge { .. }
        ));
        let late = unpack(&laptop, frame(8));
        assert!(
            matches!(&late, PulledBatch::Refuse { reason, .. } if reason.contains("after that device was removed")),
            "{late:?}"
        );
    }
}
