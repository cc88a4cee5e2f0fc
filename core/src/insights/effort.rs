//! Effort, not only outcomes: small steps of every kind per ISO week, and the days that
//! had at least one. Any record counts as a step, on the day it happened (back-dated
//! ones included). Nothing here measures what was missed.

use super::{iso_week, slot_sql, Clock, SLOT_MS};
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
    let slot = slot_sql("at");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT what, {slot} AS slot, count(*) FROM (
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
         ) GROUP BY what, slot"
    ))?;
    let rows = stmt.query_map([start, end], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let mut add = |what: &str, at_ms: i64, n: i64| {
        let Some(w) = clock.week_of_ms(at_ms).and_then(|i| weeks.get_mut(i)) else {
            return;
        };
        let slot = match what {
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
    };
    for row in rows {
        let (what, slot, n) = row?;
        add(&what, slot * SLOT_MS, n);
    }
    // A goal moved along counts in the week it moved, unless that is the week it was set.
    let (set, moved) = (slot_sql("r.occurred_at"), slot_sql("r.updated_at"));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {set}, {moved}, count(*) FROM records r JOIN goals g ON g.id = r.id
         WHERE r.deleted = 0 AND r.updated_at >= ?1 AND r.updated_at < ?2
           AND (g.progress > 0 OR g.status IN ('in_progress', 'done'))
         GROUP BY 1, 2"
    ))?;
    let rows = stmt.query_map([start, end], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (set, moved, n) = row?;
        let (set, moved) = (set * SLOT_MS, moved * SLOT_MS);
        if clock.week_of_ms(set) != clock.week_of_ms(moved) {
            add("growth", moved, n);
        }
    }
    Ok(Effort {
        weeks,
        streak: streak(conn, clock, start)?,
    })
}

/// Days with any record, from the distinct local days records happened on.
fn streak(conn: &Connection, clock: &Clock, weeks_start: i64) -> Result<Streak> {
    let slot = slot_sql("occurred_at");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT DISTINCT {slot} AS slot FROM records
         WHERE deleted = 0 AND occurred_at <= ?1 ORDER BY slot"
    ))?;
    let mut days: Vec<NaiveDate> = Vec::new();
    for slot in stmt.query_map([clock.now_ms], |r| r.get::<_, i64>(0))? {
        let day = clock.day_of_ms(slot? * SLOT_MS);
        // Slots come in order, so a day's slots are together.
        if days.last() != Some(&day) {
            days.push(day);
        }
    }
    let today = clock.today;
    let first_counted = clock.day_of_ms(weeks_start);
    let mut s = Streak {
        total_days: days.len() as i64,
        days_with_steps: days.iter().filter(|&&d| d >= first_counted).count() as i64,
        last_step: days.last().copied(),
        ..Default::default()
    };
    let mut run = 0;
    let mut previous: Option<NaiveDate> = None;
    for &day in &days {
        run = if previous.and_then(|p| p.succ_opt()) == Some(day) {
            run + 1
        } else {
            1
        };
        s.longest_days = s.longest_days.max(run);
        previous = Some(day);
    }
    if let Some(last) = previous {
        if today.pred_opt().is_some_and(|yesterday| last >= yesterday) {
            s.current_days = run;
        }
    }
    Ok(s)
}
