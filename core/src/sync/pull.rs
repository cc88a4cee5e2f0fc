//! Pull: every batch after the cursor, opened, checked and merged one by one through the
//! journal. A batch that doesn't open or merge is recorded as refused and skipped; the
//! others still apply. When the relay has dropped the batches after the cursor, the
//! journal starts again from the relay's snapshot.

use super::batches::{self, Pulled as Step};
use super::client::Batches;
use super::progress::Phase;
use super::session::Session;
use super::snapshot;
use crate::{Changed, Error, Result};
use std::time::Duration;

/// Batches asked for at once (the relay also caps an answer at 4 MiB).
const PAGE: u32 = 100;
/// Bounds the rounds of one pull, so a confused relay can't keep it going forever.
const MAX_ROUNDS: usize = 100_000;

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
        self.from_snapshot |= more.from_snapshot;
        self.relay_latest = more.relay_latest;
        self.changed_ids.extend(more.changed_ids);
        self.changed_ids.sort();
        self.changed_ids.dedup();
    }
}

pub(crate) async fn pull(s: &Session<'_>) -> Result<Pulled> {
    let mut pulled = Pulled::default();
    let mut changed = Changed::default();
    let start = cursor(s)?;
    let mut snapshot_tries = 0;
    for _ in 0..MAX_ROUNDS {
        let after = cursor(s)?;
        let (frames, latest) = match s.client.batches(after, PAGE, Duration::ZERO).await? {
            Batches::SnapshotRequired => {
                snapshot_tries += 1;
                if snapshot_tries > 2 {
                    return Err(Error::RelayAnswer {
                        detail: "it keeps asking for a snapshot that doesn't cover the batches it dropped".into(),
                    });
                }
                let merged = snapshot::download(s).await?;
                pulled.changes += merged.new_changes;
                changed.ids.extend(merged.changed.ids);
                pulled.from_snapshot = true;
                continue;
            }
            Batches::Frames {
                frames, latest_seq, ..
            } => (frames, latest_seq),
        };
        pulled.relay_latest = latest;
        let Some(last) = frames.last().map(|f| f.seq) else {
            break;
        };
        for frame in frames {
            let step = batches::unpack(&s.keys, frame);
            let seq = step.seq();
            match step {
                Step::Merge {
                    seq,
                    batch_id,
                    changes,
                } => match s.with(|j| j.merge_pulled(seq, &changes)) {
                    Ok(merged) => {
                        pulled.changes += merged.new_changes;
                        changed.ids.extend(merged.changed.ids);
                    }
                    // Bytes that aren't this journal's changes: refuse this batch only.
                    Err(Error::Document(reason)) => {
                        s.with(|j| j.refuse_pulled(seq, &batch_id, &reason))?;
                        pulled.refused += 1;
                    }
                    Err(other) => return Err(other),
                },
                Step::Refuse {
                    seq,
                    batch_id,
                    reason,
                } => {
                    s.with(|j| j.refuse_pulled(seq, &batch_id, &reason))?;
                    pulled.refused += 1;
                }
            }
            pulled.batches += 1;
            s.report(
                Phase::Pulling,
                seq.saturating_sub(start),
                latest.saturating_sub(start),
            );
        }
        if last >= latest {
            break;
        }
    }
    changed.ids.sort();
    changed.ids.dedup();
    pulled.changed_ids = changed.ids;
    Ok(pulled)
}

fn cursor(s: &Session<'_>) -> Result<u64> {
    s.with(|j| Ok(j.sync_enabled()?.cursor))
}
