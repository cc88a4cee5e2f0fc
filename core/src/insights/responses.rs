//! Who answered, how soon, and how things ended: response rate, time to a first
//! response, rejections by stage and by the reason given, and silence.

use super::{rate, stage_rank_sql, DAY_MS};
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
    let sent = format!("{} >= 1", stage_rank_sql("a.stage"));
    let beyond = format!("{} >= 2", stage_rank_sql("a.stage"));
    let (applied, responded, silent): (i64, i64, i64) = conn.query_row(
        &format!(
            "SELECT count(*),
                    coalesce(sum({beyond}
                        OR EXISTS (SELECT 1 FROM interviews i
                                   WHERE i.application_id = a.id AND i.deleted = 0)
                        OR EXISTS (SELECT 1 FROM rejections j
                                   WHERE j.application_id = a.id AND j.deleted = 0
                                     AND coalesce(j.channel, '') != 'silence')), 0),
                    coalesce(sum(a.outcome = 'no_response'), 0)
             FROM applications a WHERE a.deleted = 0 AND {sent}",
        ),
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;

    // Per application: the earliest answer of any sort after applying.
    let sql = format!(
        "SELECT first - a.applied_at FROM (
            SELECT a.id, a.applied_at, min(
                coalesce((SELECT min({MS_OF}) FROM records r, json_each(r.json, '$.history') h
                          WHERE r.id = a.id
                            AND json_extract(h.value, '$.stage') IN
                                ('screening', 'interviewing', 'final', 'offer')), 9e18),
                coalesce((SELECT min(i.scheduled_at) FROM interviews i
                          WHERE i.application_id = a.id AND i.deleted = 0), 9e18),
                coalesce((SELECT min(j.received_at) FROM rejections j
                          WHERE j.application_id = a.id AND j.deleted = 0
                            AND coalesce(j.channel, '') != 'silence'), 9e18)
            ) AS first
            FROM applications a
            WHERE a.deleted = 0 AND a.applied_at IS NOT NULL AND {sent}
         ) AS a
         WHERE first < 9e18 AND first >= a.applied_at
         ORDER BY first - a.applied_at"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let waits: Vec<i64> = stmt
        .query_map([], |r| r.get::<_, f64>(0))?
        .map(|w| w.map(|w| w as i64))
        .collect::<rusqlite::Result<_>>()?;
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
