//! Mood over time (weekly averages) and how restorative activities went, by category:
//! the mood before and after.

use super::{iso_week, slot_sql, Clock, SLOT_MS};
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
    // Sums and counts per 15-minute slot, so the averages come out right per week.
    let slot = slot_sql("felt_at");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {slot} AS slot, count(*), count(valence), sum(valence), count(energy), sum(energy)
         FROM moods
         WHERE deleted = 0 AND felt_at >= ?1 AND felt_at < ?2 GROUP BY slot"
    ))?;
    let rows = stmt.query_map([start, end], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            (r.get::<_, i64>(2)?, r.get::<_, Option<f64>>(3)?),
            (r.get::<_, i64>(4)?, r.get::<_, Option<f64>>(5)?),
        ))
    })?;
    // Per week: check-ins, then (how many gave it, its sum) for valence and energy.
    let mut sums = vec![(0i64, Mean::default(), Mean::default()); weeks.len()];
    for row in rows {
        let (slot, n, valence, energy) = row?;
        if let Some(w) = clock
            .week_of_ms(slot * SLOT_MS)
            .and_then(|i| sums.get_mut(i))
        {
            w.0 += n;
            w.1.add(valence);
            w.2.add(energy);
        }
    }
    for (w, (n, valence, energy)) in weeks.iter_mut().zip(sums) {
        w.check_ins = n;
        w.valence = valence.value();
        w.energy = energy.value();
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

/// An average built from partial (count, sum) pairs.
#[derive(Debug, Clone, Copy, Default)]
struct Mean {
    count: i64,
    sum: f64,
}

impl Mean {
    fn add(&mut self, (count, sum): (i64, Option<f64>)) {
        self.count += count;
        self.sum += sum.unwrap_or(0.0);
    }

    fn value(self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}
