//! Mood over time (weekly averages) and how restorative activities went, by category:
//! the mood before and after.

use super::{iso_week, Clock, WEEK_MS};
use crate::Result;
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct MoodInsights {
    /// Oldest first, the same weeks as the effort figures.
    pub weeks: Vec<MoodWeek>,
    /// Activities with both a mood before and after, by category.
    pub rest: Vec<RestEffect>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MoodWeek {
    pub week: String,
    pub starts: NaiveDate,
    pub check_ins: i64,
    /// Average valence 1-5, if there was a check-in.
    pub valence: Option<f64>,
    /// Average energy 1-5, over check-ins that gave one.
    pub energy: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RestEffect {
    pub category: String,
    pub count: i64,
    pub mood_before: f64,
    pub mood_after: f64,
}

pub(crate) fn compute(conn: &Connection, clock: &Clock) -> Result<MoodInsights> {
    let (start, end) = clock.weeks_range_ms();
    let mut weeks: Vec<MoodWeek> = (0..clock.weeks)
        .map(|i| {
            let starts = clock.monday(i);
            MoodWeek {
                week: iso_week(starts),
                starts,
                check_ins: 0,
                valence: None,
                energy: None,
            }
        })
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT (felt_at - ?1) / ?3 AS week, count(*), avg(valence), avg(energy) FROM moods
         WHERE deleted = 0 AND felt_at >= ?1 AND felt_at < ?2 GROUP BY week",
    )?;
    let rows = stmt.query_map([start, end, WEEK_MS], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<f64>>(2)?,
            r.get::<_, Option<f64>>(3)?,
        ))
    })?;
    for row in rows {
        let (week, n, valence, energy) = row?;
        if let Some(w) = usize::try_from(week).ok().and_then(|i| weeks.get_mut(i)) {
            w.check_ins = n;
            w.valence = valence;
            w.energy = energy;
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT category, count(*), avg(mood_before), avg(mood_after) FROM activities
         WHERE deleted = 0 AND mood_before IS NOT NULL AND mood_after IS NOT NULL
         GROUP BY category ORDER BY count(*) DESC, category",
    )?;
    let rest = stmt
        .query_map([], |r| {
            Ok(RestEffect {
                category: r.get(0)?,
                count: r.get(1)?,
                mood_before: r.get(2)?,
                mood_after: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(MoodInsights { weeks, rest })
}
