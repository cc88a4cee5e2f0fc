//! Checks a pull answer against what this device already knows, before anything in it
//! is used (docs/SYNC.md, "What a device checks"). The relay is trusted for nothing: an
//! answer that doesn't add up is refused whole, and one that shows the relay went back
//! to an earlier state starts the recovery. Pure: no I/O, no journal.

use super::relay::PullAnswer;

/// What this device knows that a pull answer must agree with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// The cursor the pull asked after.
    pub after: u64,
    /// The id of the batch numbered `after`, when known.
    pub after_id: Option<String>,
    /// The journal's incarnation on the relay, once seen.
    pub incarnation: Option<String>,
    /// Pushes the relay acknowledged (number, batch id) that no pull has shown yet.
    pub acked: Vec<(u64, String)>,
}

/// What an answer says about the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Consistent with everything known: use it.
    Fine,
    /// The relay is back at an earlier state (a restored backup, a replica behind, a
    /// re-created journal): start over and send again what it lost.
    WentBack(String),
    /// The answer contradicts itself or the protocol: refuse it whole.
    Misbehaved(String),
}

/// Checks `answer` to a pull after `expected.after`.
pub fn check(expected: &Expected, answer: &PullAnswer) -> Verdict {
    use Verdict::{Misbehaved, WentBack};
    let after = expected.after;
    if answer.incarnation.is_empty() {
        return Misbehaved("it didn't say which copy of the journal it serves".into());
    }
    if let Some(known) = &expected.incarnation {
        if *known != answer.incarnation {
            return WentBack("its copy of this journal was created anew".into());
        }
    }
    if answer.latest_seq < after {
        return WentBack(format!(
            "it has {} batches, and this device had already received {after}",
            answer.latest_seq
        ));
    }
    if let Some(id) = &expected.after_id {
        if after > 0 && answer.after_id != *id {
            return WentBack(format!(
                "its batch {after} is not the one this device received as number {after}"
            ));
        }
    }
    if let Some((seq, _)) = expected
        .acked
        .iter()
        .find(|(seq, _)| *seq > answer.latest_seq)
    {
        return WentBack(format!(
            "it no longer has batch {seq}, which it had acknowledged"
        ));
    }
    if answer.pruned_through > answer.latest_seq {
        return Misbehaved(format!(
            "it says batches through {} were replaced by a snapshot, but it has only {}",
            answer.pruned_through, answer.latest_seq
        ));
    }
    for (i, frame) in answer.frames.iter().enumerate() {
        let want = after + 1 + i as u64;
        if frame.seq != want {
            return Misbehaved(format!(
                "it sent batch {} where batch {want} belongs",
                frame.seq
            ));
        }
        if frame.seq > answer.latest_seq {
            return Misbehaved(format!(
                "it sent batch {} but says its latest is {}",
                frame.seq, answer.latest_seq
            ));
        }
        if let Some((_, id)) = expected.acked.iter().find(|(seq, _)| *seq == frame.seq) {
            if *id != frame.batch_id {
                return WentBack(format!(
                    "it gave number {} to another batch than the one it acknowledged",
                    frame.seq
                ));
            }
        }
    }
    if answer.frames.is_empty() && answer.latest_seq > after {
        return Misbehaved(format!(
            "it says it has batches up to {} but sent none after {after}",
            answer.latest_seq
        ));
    }
    Verdict::Fine
}

#[cfg(test)]
mod tests {
    use super::*;
    use onward_protocol::Frame;

    const A: &str = "0123456789abcdef0123456789abcdef";
    const B: &str = "fedcba9876543210fedcba9876543210";

    fn frame(seq: u64, id: &str) -> Frame {
        Frame {
            seq,
            batch_id: id.into(),
            envelope: vec![1],
        }
    }

    fn answer(frames: Vec<Frame>, latest: u64) -> PullAnswer {
        PullAnswer {
            frames,
            latest_seq: latest,
            pruned_through: 0,
            incarnation: "inc".into(),
            after_id: A.into(),
        }
    }

    fn expected(after: u64) -> Expected {
        Expected {
            after,
            after_id: Some(A.into()),
            incarnation: Some("inc".into()),
            acked: vec![],
        }
    }

    #[test]
    fn an_answer_that_follows_on_is_fine() {
        let ok = answer(vec![frame(4, B), frame(5, A)], 7);
        assert_eq!(check(&expected(3), &ok), Verdict::Fine);
        assert_eq!(check(&expected(7), &answer(vec![], 7)), Verdict::Fine);
        let first = Expected::default();
        let mut fresh = answer(vec![frame(1, A)], 1);
        fresh.after_id.clear();
        assert_eq!(check(&first, &fresh), Verdict::Fine);
    }

    #[test]
    fn a_forged_or_gapped_frame_is_misbehaviour() {
        let forged = answer(vec![frame(1 << 40, B)], 3);
        assert!(matches!(
            check(&expected(0), &forged),
            Verdict::Misbehaved(_)
        ));
        let gap = answer(vec![frame(4, B), frame(6, B)], 7);
        assert!(matches!(check(&expected(3), &gap), Verdict::Misbehaved(_)));
        let repeat = answer(vec![frame(3, B)], 7);
        assert!(matches!(
            check(&expected(3), &repeat),
            Verdict::Misbehaved(_)
        ));
        let beyond = answer(vec![frame(4, B)], 3);
        assert!(matches!(
            check(&expected(3), &beyond),
            Verdict::Misbehaved(_)
        ));
        let withheld = answer(vec![], 9);
        assert!(matches!(
            check(&expected(3), &withheld),
            Verdict::Misbehaved(_)
        ));
        let mut nameless = answer(vec![], 3);
        nameless.incarnation.clear();
        assert!(matches!(
            check(&expected(3), &nameless),
            Verdict::Misbehaved(_)
        ));
        let mut pruned = answer(vec![], 3);
        pruned.pruned_through = 4;
        assert!(matches!(
            check(&expected(3), &pruned),
            Verdict::Misbehaved(_)
        ));
    }

    #[test]
    fn a_relay_behind_this_device_went_back() {
        let behind = answer(vec![], 2);
        assert!(matches!(check(&expected(3), &behind), Verdict::WentBack(_)));
        let mut other_batch = answer(vec![], 5);
        other_batch.after_id = B.into();
        assert!(matches!(
            check(&expected(3), &other_batch),
            Verdict::WentBack(_)
        ));
        let mut recreated = answer(vec![], 5);
        recreated.incarnation = "new".into();
        assert!(matches!(
            check(&expected(3), &recreated),
            Verdict::WentBack(_)
        ));
        let mut lost_push = expected(3);
        lost_push.acked = vec![(5, B.into())];
        assert!(matches!(
            check(&lost_push, &answer(vec![frame(4, A)], 4)),
            Verdict::WentBack(_)
        ));
        let renumbered = answer(vec![frame(4, A), frame(5, A)], 5);
        assert!(matches!(
            check(&lost_push, &renumbered),
            Verdict::WentBack(_)
        ));
        let kept = answer(vec![frame(4, A), frame(5, B)], 5);
        assert_eq!(check(&lost_push, &kept), Verdict::Fine);
    }
}
