//! How many applications reached each stage, and how many went on from one to the next.

use super::{rate, stage_rank_sql};
use crate::model::Stage;
use crate::Result;
use rusqlite::Connection;
use serde::Serialize;

/// The stages of the funnel, in order. `saved` is not in it: nothing was sent yet.
pub const FUNNEL_STAGES: [Stage; 5] = [
    Stage::Applied,
    Stage::Screening,
    Stage::Interviewing,
    Stage::Final,
    Stage::Offer,
];

#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub stages: Vec<FunnelStage>,
    /// The fewest applications at a stage before its conversion is given.
    pub min_for_rate: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FunnelStage {
    pub stage: Stage,
    /// Applications whose furthest stage is this one or a later one.
    pub reached: i64,
    /// The stage after this one, if any.
    pub next: Option<Stage>,
    /// How many of those reaching this stage reached the next.
    pub went_on: Option<i64>,
    /// `went_on / reached`, only when `reached` is at least `min_for_rate`.
    pub conversion: Option<f64>,
    /// Whether there are enough applications here for the conversion to mean something.
    pub enough_data: bool,
}

pub fn compute(conn: &Connection, min_for_rate: i64) -> Result<Funnel> {
    let sql = format!(
        "SELECT {rank} AS rank, count(*) FROM applications
         WHERE deleted = 0 AND {rank} >= 1 GROUP BY rank",
        rank = stage_rank_sql("stage")
    );
    let mut at_rank = [0i64; 6];
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (rank, n) = row?;
        at_rank[rank.clamp(0, 5) as usize] += n;
    }
    // Reached a stage = furthest stage is it or beyond.
    let reached = |i: usize| at_rank[i + 1..].iter().sum::<i64>();
    let stages = FUNNEL_STAGES
        .iter()
        .enumerate()
        .map(|(i, &stage)| {
            let here = reached(i);
            let next = FUNNEL_STAGES.get(i + 1).copied();
            let went_on = next.map(|_| reached(i + 1));
            FunnelStage {
                stage,
                reached: here,
                next,
                went_on,
                conversion: went_on.and_then(|n| rate(n, here, min_for_rate)),
                enough_data: here >= min_for_rate,
            }
        })
        .collect();
    Ok(Funnel {
        stages,
        min_for_rate,
    })
}
