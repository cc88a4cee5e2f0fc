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

use crate::{Journal, Result};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;

/// What to compute, and in which local time days and weeks begin.
#[derive(Debug, Clone, Copy)]
pub struct InsightsOptions {
    /// How many ISO weeks (this one included) the weekly figures cover.
    pub weeks: u32,
    /// The person's offset from UTC: days and weeks start at local midnight.
    pub utc_offset: FixedOffset,
    /// The fewest data points before a rate is given (a conversion, the response rate).
    pub min_for_rate: i64,
}

impl Default for InsightsOptions {
    fn default() -> Self {
        InsightsOptions {
            weeks: 8,
            utc_offset: FixedOffset::east_opt(0).expect("zero is a valid offset"),
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
    /// The big picture as of [`Journal::now`].
    pub fn insights(&self, options: &InsightsOptions) -> Result<Insights> {
        compute(self.connection(), self.now(), options)
    }
}

/// The big picture from an index connection, as of `now`.
pub fn compute(
    conn: &Connection,
    now: DateTime<Utc>,
    options: &InsightsOptions,
) -> Result<Insights> {
    let clock = Clock::new(now, options);
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

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;

/// Local days and weeks as epoch milliseconds, for the SQL.
pub(crate) struct Clock {
    pub now_ms: i64,
    /// The offset in milliseconds: local time = UTC + offset.
    pub offset_ms: i64,
    pub today: NaiveDate,
    /// How many weeks are covered.
    pub weeks: u32,
    /// The Monday (local) that starts the first week covered.
    pub first_monday: NaiveDate,
}

impl Clock {
    fn new(now: DateTime<Utc>, options: &InsightsOptions) -> Clock {
        let today = now.with_timezone(&options.utc_offset).date_naive();
        let weeks = options.weeks.max(1);
        let this_monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
        Clock {
            now_ms: now.timestamp_millis(),
            offset_ms: options.utc_offset.local_minus_utc() as i64 * 1000,
            today,
            weeks,
            first_monday: this_monday - Duration::weeks(weeks as i64 - 1),
        }
    }

    /// The instant (epoch ms) a local day starts.
    pub fn day_start_ms(&self, day: NaiveDate) -> i64 {
        let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        midnight.and_utc().timestamp_millis() - self.offset_ms
    }

    /// Where the weekly figures start and end (epoch ms, end excluded).
    pub fn weeks_range_ms(&self) -> (i64, i64) {
        let start = self.day_start_ms(self.first_monday);
        (start, start + self.weeks as i64 * WEEK_MS)
    }

    /// The Monday of week `index` (0 = the first covered).
    pub fn monday(&self, index: u32) -> NaiveDate {
        self.first_monday + Duration::weeks(index as i64)
    }

    /// The local day an epoch-ms day number (as the SQL computes it) stands for.
    pub fn day_from_number(&self, number: i64) -> NaiveDate {
        DateTime::from_timestamp_millis(number * DAY_MS)
            .expect("a day in range")
            .date_naive()
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
