//! The period a report covers, as the report pages take it from their address: `from`
//! and `to` (YYYY-MM-DD, local days), the last four weeks up to today when not given.

use crate::html::escape;
use chrono::{Duration, NaiveDate};
use onward_core::reports::Period;
use onward_core::{zone, Error, Journal, Result};
use serde::Deserialize;

/// How far back a report looks when no period is given.
const DEFAULT_DAYS: i64 = 28;

#[derive(Deserialize, Default)]
pub struct Asked {
    from: Option<String>,
    to: Option<String>,
}

impl Asked {
    /// The period asked for, checked by the core (the earlier date first).
    pub fn period(&self, journal: &Journal) -> Result<Period> {
        let today = zone::local_day(journal.now(), journal.zone());
        let to = day("to", self.to.as_deref())?.unwrap_or(today);
        let from =
            day("from", self.from.as_deref())?.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
        Period::new(from, to)
    }
}

fn day(field: &str, given: Option<&str>) -> Result<Option<NaiveDate>> {
    match given.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::invalid(field, format!("{d} is not a date like 2026-11-30"))),
    }
}

/// The two date fields of a report's form, filled with `period`.
pub fn fields(period: Period) -> String {
    format!(
        "<label for=\"from\">From</label><input id=\"from\" name=\"from\" type=\"date\" value=\"{}\">\
         <label for=\"to\">To</label><input id=\"to\" name=\"to\" type=\"date\" value=\"{}\">",
        escape(&period.from.to_string()),
        escape(&period.to.to_string())
    )
}

/// "Mon 2 Nov 2026": a report's days as people read them.
pub fn long_day(day: NaiveDate) -> String {
    day.format("%a %-d %b %Y").to_string()
}
