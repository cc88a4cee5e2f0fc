//! Who answered, how soon, and how things ended: response rate, time to a first
//! response, rejections by stage and by the reason given, and silence.

use super::{rate, stage_rank_sql, DAY_MS};
use crate::model::Stage;
use crate::Result;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Responses {
    /// Applications sent (stage applied or beyond).
    pub applied: i64,
    /// Of those, how many heard anything back: a later stage, an interview or a
    /// rejection (a rejection logged as silence is not an answer).
    pub responded: i64,
    /// `responded / applied`, once at least `min_for_rate` applications were sent.
    pub rate: Option<f64>,
    /// Median days from applying to the first response, over those with both dates.
    pub median_days_to_first_response: Option<f64>,
    /// How many responses the median is taken over.
    pub timed_responses: i64,
    /// Applications that ended in silence (outcome no_response).
    pub silent: i64,
    /// Rejections by the stage reached, in stage order.
    pub rejections_by_stage: Vec<Counted>,
    /// Rejections by the reason given, most common first ("none" is the usual one).
    pub rejections_by_reason: Vec<Counted>,
}

/// A value and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub key: String,
    pub count: i64,
}

/// Epoch milliseconds of an RFC 3339 text inside the JSON.
const MS_OF: &str =
    "CAST(round(unixepoch(json_extract(h.value, '$.at'), 'subsec') * 1000) AS INTEGER)";

pub fn compute(conn: &Connection, min_for_rate: i64) -> Result<Responses> {
    let rank = stage_rank_sql("a.stage");
    let sent = format!("{rank} >= {}", Stage::Applied.rank());
    let beyond = format!("{rank} > {}", Stage::Applied.rank());
    // The first stage reached after applying, from the stage history, only for the
    // applications that moved beyond it.
    let answered = Stage::Applied
        .later()
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    // Each application once, with its earliest interview, answering rejection and
    // stage move (each grouped once, then joined: no per-application queries; the
    // stage histories are read in one pass, not one statement per application).
    let sql = format!(
        "WITH iv AS (SELECT application_id AS id, min(scheduled_at) AS first
                     FROM interviews WHERE deleted = 0 GROUP BY application_id),
              rj AS (SELECT application_id AS id, min(received_at) AS first
                     FROM rejections WHERE deleted = 0 AND coalesce(channel, '') != 'silence'
                     GROUP BY application_id),
              mv AS (SELECT a.id AS id, min({MS_OF}) AS first
                     FROM applications a JOIN records r ON r.id = a.id,
                          json_each(r.json, '$.history') h
                     WHERE a.deleted = 0 AND {beyond}
                       AND json_extract(h.value, '$.stage') IN ({answered})
                     GROUP BY a.id)
         SELECT a.id, a.applied_at, {beyond}, a.outcome = 'no_response', iv.first, rj.first,
                mv.first
         FROM applications a
         LEFT JOIN iv ON iv.id = a.id
         LEFT JOIN rj ON rj.id = a.id
         LEFT JOIN mv ON mv.id = a.id
         WHERE a.deleted = 0 AND {sent}"
    );
    let (mut applied, mut responded, mut silent) = (0i64, 0i64, 0i64);
    let mut waits: Vec<i64> = Vec::new();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let applied_at: Option<i64> = row.get(1)?;
        let beyond: bool = row.get(2)?;
        let no_response: bool = row.get(3)?;
        let interview: Option<i64> = row.get(4)?;
        let rejection: Option<i64> = row.get(5)?;
        applied += 1;
        silent += no_response as i64;
        if !(beyond || interview.is_some() || rejection.is_some()) {
            continue;
        }
        responded += 1;
        let Some(applied_at) = applied_at else {
            continue;
        };
        let stage_moved: Option<i64> = row.get(6)?;
        let first = [stage_moved, interview, rejection]
            .into_iter()
            .flatten()
            .filter(|&t| t >= applied_at)
            .min();
        if let Some(first) = first {
            waits.push(first - applied_at);
        }
    }
    waits.sort_unstable();
    let median_days_to_first_response = median(&waits).map(|ms| ms / DAY_MS as f64);

    let rejections_by_stage = counted(
        conn,
        &format!(
            "SELECT stage_reached, count(*) FROM rejections WHERE deleted = 0
             GROUP BY stage_reached ORDER BY {}",
            stage_rank_sql("stage_reached")
        ),
    )?;
    let rejections_by_reason = counted(
        conn,
        "SELECT coalesce(reason, 'none'), count(*) FROM rejections WHERE deleted = 0
         GROUP BY 1 ORDER BY 2 DESC, 1",
    )?;
    Ok(Responses {
        applied,
        responded,
        rate: rate(responded, applied, min_for_rate),
        median_days_to_first_response,
        timed_responses: waits.len() as i64,
        silent,
        rejections_by_stage,
        rejections_by_reason,
    })
}

fn counted(conn: &Connection, sql: &str) -> Result<Vec<Counted>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(Counted {
            key: r.get(0)?,
            count: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The median of sorted values.
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}
