//! "On this day": what happened on the same weekday one to four weeks ago, the same
//! day of the month one to eleven months ago, and the same date in earlier years.

use super::Clock;
use crate::Result;
use chrono::{Datelike, Duration, Months, NaiveDate};
use rusqlite::Connection;
use serde::Serialize;

/// At most this many records per day looked back on.
const PER_DAY: i64 = 5;

#[derive(Debug, Clone, Serialize)]
pub struct Remembered {
    /// "1 week ago", "3 months ago", "2 years ago".
    pub ago: String,
    /// `weeks`, `months` or `years`.
    pub unit: String,
    pub count: u32,
    pub date: NaiveDate,
    pub id: String,
    pub kind: String,
    pub title: String,
}

pub(crate) fn compute(conn: &Connection, clock: &Clock) -> Result<Vec<Remembered>> {
    let earliest: Option<i64> = conn.query_row(
        "SELECT min(occurred_at) FROM records WHERE deleted = 0",
        [],
        |r| r.get(0),
    )?;
    let Some(earliest) = earliest else {
        return Ok(Vec::new());
    };
    let earliest = clock.day_of_ms(earliest);
    let today = clock.today;
    let mut days: Vec<(&str, u32, NaiveDate)> = Vec::new();
    for n in 1..=4 {
        days.push(("week", n, today - Duration::weeks(n as i64)));
    }
    for n in 1..=11 {
        let back = today.checked_sub_months(Months::new(n));
        // Only the same day of the month: the 31st has no match in a 30-day month.
        if let Some(day) = back.filter(|d| d.day() == today.day()) {
            days.push(("month", n, day));
        }
    }
    let mut n = 1;
    while let Some(day) = today.checked_sub_months(Months::new(12 * n)) {
        if day < earliest {
            break;
        }
        if day.day() == today.day() {
            days.push(("year", n, day));
        }
        n += 1;
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, title FROM records
         WHERE deleted = 0 AND occurred_at >= ?1 AND occurred_at < ?2
         ORDER BY occurred_at, id LIMIT ?3",
    )?;
    let mut out = Vec::new();
    for (unit, count, date) in days {
        if date < earliest {
            continue;
        }
        // A local day, which is 23 or 25 hours long across a DST change.
        let from = clock.day_start_ms(date);
        let until = date
            .succ_opt()
            .map_or(i64::MAX, |next| clock.day_start_ms(next));
        let rows = stmt.query_map([from, until, PER_DAY], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, kind, title) = row?;
            out.push(Remembered {
                ago: format!("{} ago", crate::words::plural(count, unit)),
                unit: format!("{unit}s"),
                count,
                date,
                id,
                kind,
                title,
            });
        }
    }
    Ok(out)
}
