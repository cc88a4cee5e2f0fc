//! Effort, not only outcomes: small steps of every kind per ISO week, and the days that
//! had at least one. Any record counts as a step, on the day it happened (back-dated
//! ones included). Nothing here measures what was missed.

use super::{iso_week, Clock, DAY_MS, WEEK_MS};
use crate::Result;
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Effort {
    /// Oldest first; the last one is this week (so far).
    pub weeks: Vec<WeekEffort>,
    pub streak: Streak,
}

/// The steps of one ISO week.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WeekEffort {
    /// "2026-W48".
    pub week: String,
    /// Its Monday.
    pub starts: NaiveDate,
    pub applications: i64,
    /// Interviews and other conversations in a process.
    pub interviews: i64,
    /// Thank-you notes, follow-ups and networking notes sent.
    pub notes_sent: i64,
    /// Feedback requests sent.
    pub feedback_asked: i64,
    /// Journal entries written.
    pub reflections: i64,
    /// Restorative activities done.
    pub restorative: i64,
    /// Growth goals set, or moved along in a later week.
    pub growth: i64,
    /// All of the above.
    pub total: i64,
}

/// Days with at least one small step. Gentle by design: a day without one simply
/// isn't counted, and today still counts as "in progress" until it ends.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Streak {
    /// Consecutive days with a step, ending today or yesterday.
    pub current_days: i64,
    /// The most consecutive days with a step so far.
    pub longest_days: i64,
    /// Days with a step within the weeks covered.
    pub days_with_steps: i64,
    /// Days with a step, ever.
    pub total_days: i64,
    /// The most recent day with a step.
    pub last_step: Option<NaiveDate>,
}

pub(crate) fn compute(conn: &Connection, clock: &Clock) -> Result<Effort> {
    let (start, end) = clock.weeks_range_ms();
    let mut weeks: Vec<WeekEffort> = (0..clock.weeks)
        .map(|i| {
            let starts = clock.monday(i);
            WeekEffort {
                week: iso_week(starts),
                starts,
                ..Default::default()
            }
        })
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT what, (at - ?1) / ?3 AS week, count(*) FROM (
            SELECT 'applications' AS what, applied_at AS at FROM applications
                WHERE deleted = 0 AND applied_at >= ?1 AND applied_at < ?2
            UNION ALL SELECT 'interviews', scheduled_at FROM interviews
                WHERE deleted = 0 AND scheduled_at >= ?1 AND scheduled_at < ?2
            UNION ALL SELECT CASE kind WHEN 'feedback_request' THEN 'feedback_asked'
                                      ELSE 'notes_sent' END, sent_at FROM messages
                WHERE deleted = 0 AND sent_at >= ?1 AND sent_at < ?2
            UNION ALL SELECT 'reflections', written_at FROM entries
                WHERE deleted = 0 AND written_at >= ?1 AND written_at < ?2
            UNION ALL SELECT 'restorative', done_at FROM activities
                WHERE deleted = 0 AND done_at >= ?1 AND done_at < ?2
            UNION ALL SELECT 'growth', occurred_at FROM records
                WHERE kind = 'goal' AND deleted = 0 AND occurred_at >= ?1 AND occurred_at < ?2
            UNION ALL SELECT 'growth', r.updated_at FROM records r JOIN goals g ON g.id = r.id
                WHERE r.deleted = 0 AND r.updated_at >= ?1 AND r.updated_at < ?2
                  AND (g.progress > 0 OR g.status IN ('in_progress', 'done'))
                  AND (r.occurred_at < ?1 OR (r.occurred_at - ?1) / ?3 != (r.updated_at - ?1) / ?3)
         ) GROUP BY what, week",
    )?;
    let rows = stmt.query_map([start, end, WEEK_MS], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (what, week, n) = row?;
        let Some(w) = usize::try_from(week).ok().and_then(|i| weeks.get_mut(i)) else {
            continue;
        };
        let slot = match what.as_str() {
            "applications" => &mut w.applications,
            "interviews" => &mut w.interviews,
            "notes_sent" => &mut w.notes_sent,
            "feedback_asked" => &mut w.feedback_asked,
            "reflections" => &mut w.reflections,
            "restorative" => &mut w.restorative,
            _ => &mut w.growth,
        };
        *slot += n;
        w.total += n;
    }
    Ok(Effort {
        weeks,
        streak: streak(conn, clock, start)?,
    })
}

/// Days with any record, from the distinct local days records happened on.
fn streak(conn: &Connection, clock: &Clock, weeks_start: i64) -> Result<Streak> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT (occurred_at + ?1) / ?2 AS day FROM records
         WHERE deleted = 0 AND occurred_at <= ?3 ORDER BY day",
    )?;
    let days: Vec<i64> = stmt
        .query_map([clock.offset_ms, DAY_MS, clock.now_ms], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let today = (clock.now_ms + clock.offset_ms).div_euclid(DAY_MS);
    let first_counted = (weeks_start + clock.offset_ms).div_euclid(DAY_MS);
    let mut s = Streak {
        total_days: days.len() as i64,
        days_with_steps: days.iter().filter(|&&d| d >= first_counted).count() as i64,
        last_step: days.last().map(|&d| clock.day_from_number(d)),
        ..Default::default()
    };
    let mut run = 0;
    let mut previous = None;
    for &day in &days {
        run = if previous == Some(day - 1) {
            run + 1
        } else {
            1
        };
        s.longest_days = s.longest_days.max(run);
        previous = Some(day);
    }
    if let Some(last) = previous {
        if last >= today - 1 {
            s.current_days = run;
        }
    }
    Ok(s)
}
