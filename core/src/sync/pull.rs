//! Pull: every batch after the cursor, checked, opened and merged one by one through the
//! journal. An answer that doesn't add up is refused whole and moves nothing; one that
//! shows the relay went back is [`Error::RelayWentBack`] (the caller starts over). A
//! batch that doesn't open or merge is recorded as refused and skipped (the others still
//! apply) and tried again on later pulls. When the relay has dropped the batches after
//! the cursor, the journal starts again from the relay's snapshot.

use super::answer_check::{self, Verdict};
use super::batches::{self, PulledBatch as Step};
use super::progress::Phase;
use super::relay::Batches;
use super::session::Session;
use super::snapshot;
use crate::store::sync_state::RefusedBatch;
use crate::{Changed, Error, Result};
use std::time::Duration;

/// Batches asked for at once (the relay also caps an answer at 4 MiB).
const PAGE: u32 = onward_protocol::limits::DEFAULT_PULL_LIMIT;
/// Refused batches tried again in one pull, oldest first.
const RETRIES: usize = 16;

/// What a pull brought.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pulled {
    pub batches: usize,
    /// Changes this journal didn't have.
    pub changes: usize,
    /// Records created or changed here.
    pub changed_ids: Vec<String>,
    /// Batches refused (not applied) in this pull.
    pub refused: usize,
    /// Batches refused earlier that opened this time.
    pub recovered_refusals: usize,
    /// Whether it started from the relay's snapshot.
    pub from_snapshot: bool,
    /// The relay's latest sequence number at the last answer.
    pub relay_latest: u64,
}

impl Pulled {
    /// Adds what a later pull brought.
    pub fn add(&mut self, more: Pulled) {
        self.batches += more.batches;
        self.changes += more.changes;
        self.refused += more.refused;
        self.recovered_refusals += more.recovered_refusals;
        self.from_snapshot |= more.from_snapshot;
        self.relay_latest = more.relay_latest;
        self.changed_ids.extend(more.changed_ids);
        self.changed_ids.sort();
        self.changed_ids.dedup();
    }

    fn merged(&mut self, changed: &mut Changed, merged: crate::journal::Merged) {
        self.changes += merged.new_changes;
        changed.ids.extend(merged.changed.ids);
    }
}

pub(crate) async fn pull(s: &Session<'_>) -> Result<Pulled> {
    let mut pulled = Pulled::default();
    let mut changed = Changed::default();
    retry_refused(s, &mut pulled, &mut changed).await?;
    let start = s.with(|j| Ok(j.sync_enabled()?.cursor))?;
    let mut snapshot_tries = 0;
    loop {
        let expected = s.with(|j| j.pull_expectations())?;
        let answer = match s
            .relay
            .batches(&s.keys, expected.after, PAGE, Duration::ZERO)
            .await?
        {
            Batches::SnapshotRequired => {
                snapshot_tries += 1;
                if snapshot_tries > 2 {
                    return Err(Error::RelayAnswer {
                        detail: "it keeps asking for a snapshot that doesn't cover the batches it dropped".into(),
                    });
                }
                let merged = snapshot::download(s).await?;
                pulled.merged(&mut changed, merged);
                pulled.from_snapshot = true;
                continue;
            }
            Batches::Frames(answer) => answer,
        };
        match answer_check::check(&expected, &answer) {
            Verdict::Fine => {}
            Verdict::WentBack(reason) => return Err(Error::RelayWentBack { reason }),
            Verdict::Misbehaved(detail) => return Err(Error::RelayAnswer { detail }),
        }
        if expected.incarnation.is_none() {
            s.with(|j| j.note_incarnation(&answer.incarnation))?;
        }
        pulled.relay_latest = answer.latest_seq;
        let Some(last) = answer.frames.last().map(|f| f.seq) else {
            break;
        };
        let mut prev_id = answer.after_id.clone();
        for frame in answer.frames {
            let (seq, batch_id) = (frame.seq, frame.batch_id.clone());
            match batches::unpack(&s.keys, frame) {
                Step::Merge {
                    seq,
                    batch_id,
                    changes,
                    refs,
                } => match s.with(|j| j.merge_pulled(seq, &batch_id, &changes, &refs)) {
                    Ok(merged) => pulled.merged(&mut changed, merged),
                    // Bytes that aren't this journal's changes: refuse this batch only.
                    Err(Error::Document(reason)) => {
                        refuse(s, seq, &batch_id, &prev_id, &reason)?;
                        pulled.refused += 1;
                    }
                    Err(other) => return Err(other),
                },
                Step::Refuse {
                    seq,
                    batch_id,
                    reason,
                } => {
                    refuse(s, seq, &batch_id, &prev_id, &reason)?;
                    pulled.refused += 1;
                }
            }
            pulled.batches += 1;
            s.report(
                Phase::Pulling,
                seq.saturating_sub(start),
                answer.latest_seq.saturating_sub(start),
            );
            prev_id = batch_id;
        }
        if last >= answer.latest_seq {
            break;
        }
    }
    changed.ids.sort();
    changed.ids.dedup();
    pulled.changed_ids = changed.ids;
    Ok(pulled)
}

fn refuse(s: &Session<'_>, seq: u64, batch_id: &str, prev_id: &str, reason: &str) -> Result<()> {
    let refused = RefusedBatch {
        seq,
        batch_id: batch_id.to_string(),
        reason: reason.to_string(),
        at: s.with(|j| Ok(j.now()))?,
        prev_id: (!prev_id.is_empty()).then(|| prev_id.to_string()),
    };
    s.with(|j| j.refuse_pulled(&refused))
}

/// Tries the batches refused earlier once more (a newer Onward may read what an older
/// one couldn't; a relay may serve the real batch this time). One that opens and merges
/// is resolved; the rest stay listed.
async fn retry_refused(s: &Session<'_>, pulled: &mut Pulled, changed: &mut Changed) -> Result<()> {
    let refused = s.with(|j| j.refused_batches())?;
    for batch in refused.into_iter().take(RETRIES) {
        let answer = match s
            .relay
            .batches(&s.keys, batch.seq - 1, 1, Duration::ZERO)
            .await?
        {
            Batches::Frames(answer) => answer,
            // Dropped for a snapshot: the device that wrote it could read the batch, and
            // the snapshot holding it resolves the refusal when merged.
            Batches::SnapshotRequired => continue,
        };
        let Some(frame) = answer.frames.into_iter().next() else {
            continue;
        };
        if frame.seq != batch.seq || frame.batch_id != batch.batch_id {
            continue;
        }
        if let Step::Merge { changes, refs, .. } = batches::unpack(&s.keys, frame) {
            match s.with(|j| j.merge_refused_again(&batch, &changes, &refs)) {
                Ok(merged) => {
                    pulled.merged(changed, merged);
                    pulled.recovered_refusals += 1;
                }
                Err(Error::Document(_)) => {}
                Err(other) => return Err(other),
            }
        }
    }
    Ok(())
}
