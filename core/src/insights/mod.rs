//! Insights: the big picture of a search, computed from the SQLite index with SQL
//! (never by walking the Automerge document). Deleted records are left out everywhere.
//!
//! Effort sits beside outcomes on purpose: applications, conversations, notes, writing,
//! rest and growth all count as steps. Rates are only given once there are enough data
//! points to mean something; below that the counts are shown alone.

mod effort;
mod funnel;
mod mood;
mod on_this_day;
mod responses;

pub use effort::{Effort, Streak, WeekEffort};
pub use funnel::{Funnel, FunnelStage};
pub use mood::{MoodInsights, MoodWeek, RestEffect};
pub use on_this_day::Remembered;
pub use responses::{Counted, Responses};

use crate::zone::{self, Zone};
use crate::{Journal, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;

/// What to compute. Days and weeks are the person's own: they begin at midnight in the
/// zone [`compute`] is given.
#[derive(Debug, Clone, Copy)]
pub struct InsightsOptions {
    /// How many ISO weeks (this one included) the weekly figures cover, within [`crate::limits::INSIGHT_WEEKS`].
    pub weeks: u32,
    /// The fewest data points before a rate is given (a conversion, the response rate).
    pub min_for_rate: i64,
}

impl Default for InsightsOptions {
    fn default() -> Self {
        InsightsOptions {
            weeks: 8,
            min_for_rate: 5,
        }
    }
}

/// The big picture at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct Insights {
    pub generated_at: DateTime<Utc>,
    /// The local day "today" is, as the figures see it.
    pub today: NaiveDate,
    /// Every record that is not deleted (any kind).
    pub total_records: i64,
    pub funnel: Funnel,
    pub responses: Responses,
    pub effort: Effort,
    pub mood: MoodInsights,
    pub on_this_day: Vec<Remembered>,
}

impl Insights {
    /// Nothing logged yet: there is no picture to draw.
    pub fn is_empty(&self) -> bool {
        self.total_records == 0
    }
}

impl Journal {
    /// The big picture as of [`Journal::now`], in the journal's zone.
    pub fn insights(&self, options: &InsightsOptions) -> Result<Insights> {
        self.reader().insights(self.now(), self.zone(), options)
    }
}

/// The big picture from an index connection, as of `now`, with days and weeks in `zone`.
pub fn compute(
    conn: &Connection,
    now: DateTime<Utc>,
    zone: Zone,
    options: &InsightsOptions,
) -> Result<Insights> {
    crate::limits::INSIGHT_WEEKS.check("weeks", options.weeks)?;
    let clock = Clock::new(now, zone, options);
    let total_records =
        conn.query_row("SELECT count(*) FROM records WHERE deleted = 0", [], |r| {
            r.get(0)
        })?;
    Ok(Insights {
        generated_at: now,
        today: clock.today,
        total_records,
        funnel: funnel::compute(conn, options.min_for_rate)?,
        responses: responses::compute(conn, options.min_for_rate)?,
        effort: effort::compute(conn, &clock)?,
        mood: mood::compute(conn, &clock)?,
        on_this_day: on_this_day::compute(conn, &clock)?,
    })
}

/// A day as a length of time (a wait), not a local day.
const DAY_MS: i64 = 86_400_000;

/// Every local midnight falls on a quarter-hour in UTC (offsets and DST shifts are
/// multiples of 15 minutes since the 1970s), so all instants of one 15-minute slot share
/// a local day. The SQL groups by slot and Rust maps each slot to its day: fast, and
/// right on both sides of a DST change, where a fixed offset is not.
pub(crate) const SLOT_MS: i64 = 900_000;

/// The SQL for the slot of an instant column (floor division, also before 1970).
pub(crate) fn slot_sql(column: &str) -> String {
    format!("(({column} - (({column} % {SLOT_MS}) + {SLOT_MS}) % {SLOT_MS}) / {SLOT_MS})")
}

/// Local days and weeks, as the instants (epoch ms) they start at.
pub(crate) struct Clock {
    pub now_ms: i64,
    pub zone: Zone,
    pub today: NaiveDate,
    /// How many weeks are covered.
    pub weeks: u32,
    /// The Monday (local) that starts the first week covered.
    pub first_monday: NaiveDate,
    /// The instant each covered week starts, then the end of the last: `weeks + 1`
    /// values. A week across a DST change is an hour shorter or longer.
    bounds: Vec<i64>,
}

impl Clock {
    fn new(now: DateTime<Utc>, zone: Zone, options: &InsightsOptions) -> Clock {
        let today = zone::local_day(now, zone);
        let weeks = options.weeks;
        let this_monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
        let first_monday = this_monday - Duration::weeks(weeks as i64 - 1);
        let bounds = (0..=weeks)
            .map(|i| {
                zone::day_start(first_monday + Duration::weeks(i as i64), zone).timestamp_millis()
            })
            .collect();
        Clock {
            now_ms: now.timestamp_millis(),
            zone,
            today,
            weeks,
            first_monday,
            bounds,
        }
    }

    /// The instant (epoch ms) a local day starts.
    pub fn day_start_ms(&self, day: NaiveDate) -> i64 {
        zone::day_start(day, self.zone).timestamp_millis()
    }

    /// Where the weekly figures start and end (epoch ms, end excluded).
    pub fn weeks_range_ms(&self) -> (i64, i64) {
        (self.bounds[0], self.bounds[self.bounds.len() - 1])
    }

    /// The Monday of week `index` (0 = the first covered).
    pub fn monday(&self, index: u32) -> NaiveDate {
        self.first_monday + Duration::weeks(index as i64)
    }

    /// Which covered week (0 = the first) an instant falls in, if any.
    pub fn week_of_ms(&self, at_ms: i64) -> Option<usize> {
        let after = self.bounds.partition_point(|&b| b <= at_ms);
        (after > 0 && after < self.bounds.len()).then(|| after - 1)
    }

    /// The local day an instant (epoch ms) falls on.
    pub fn day_of_ms(&self, at_ms: i64) -> NaiveDate {
        let at = DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
        zone::local_day(at, self.zone)
    }
}

/// "2026-W48": the ISO week of a day.
pub(crate) fn iso_week(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The SQL for a stage's place in the order (saved 0 ... offer 5), from `Stage::ALL`.
pub(crate) fn stage_rank_sql(column: &str) -> String {
    let cases: String = crate::model::Stage::ALL
        .iter()
        .map(|s| format!(" WHEN '{}' THEN {}", s.as_str(), s.rank()))
        .collect();
    format!("CASE {column}{cases} ELSE 0 END")
}

/// A share (0.0 to 1.0) once `of` is large enough, else nothing.
pub(crate) fn rate(part: i64, of: i64, min: i64) -> Option<f64> {
    (of > 0 && of >= min.max(1)).then(|| part as f64 / of as f64)
}
