//! Dates and durations as people type them, and as the CLI shows them.
//!
//! Accepted: `2026-11-02`, `2026-11-02 14:30`, `2026-11-02T14:30`, RFC 3339 (with an
//! offset), `now`, `today`, `yesterday`, `tomorrow`, and `3d ago` / `in 2h`. A date or
//! time without an offset is local time in the person's zone (see `zone.rs`); everything
//! is stored in UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use onward_core::zone::{self, Zone};
use std::sync::OnceLock;

/// The person's zone, settled once before the arguments are parsed (clap reads dates
/// while parsing, before any journal is open) and handed to the journal after.
static ZONE: OnceLock<Zone> = OnceLock::new();

pub fn set_zone(zone: Zone) {
    let _ = ZONE.set(zone);
}

/// The person's zone (UTC until settled).
pub fn zone() -> Zone {
    ZONE.get().copied().unwrap_or(zone::DEFAULT)
}

const DATE_TIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
];

/// What the help texts say a date may look like.
pub const DATE_HELP: &str =
    "2026-11-02, \"2026-11-02 14:30\", today, yesterday, tomorrow, \"3d ago\" or \"in 2h\"";

/// Parses a point in time as typed on the command line.
pub fn parse_datetime(text: &str) -> Result<DateTime<Utc>, String> {
    // `ONWARD_NOW` pins "now" here as it pins the journal's clock (a bad one is reported
    // when the journal opens), so a test gets the same answer whatever the day it runs.
    let now = onward_local::pinned_now()
        .ok()
        .flatten()
        .unwrap_or_else(Utc::now);
    parse_datetime_in(text, zone(), now)
}

fn parse_datetime_in(text: &str, zone: Zone, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let day = chrono::Duration::days(1);
    match text.to_lowercase().as_str() {
        "now" | "today" => return Ok(now),
        "yesterday" => return Ok(now - day),
        "tomorrow" => return Ok(now + day),
        _ => {}
    }
    if let Some(ago) = text.strip_suffix(" ago") {
        return shift(now, -parse_duration(ago)?);
    }
    if let Some(ahead) = text.strip_prefix("in ") {
        return shift(now, parse_duration(ahead)?);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let naive = DATE_TIME_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or_else(|| format!("\"{text}\" is not a date I can read; try {DATE_HELP}"))?;
    // A time a clock change skips is taken as the first moment after it.
    Ok(zone::instant(naive, zone))
}

/// `at` moved by `by`, or an error past the calendar's range (never a panic).
pub fn shift(at: DateTime<Utc>, by: chrono::Duration) -> Result<DateTime<Utc>, String> {
    at.checked_add_signed(by)
        .ok_or_else(|| "that is further away than any calendar here can count".to_string())
}

/// Parses a duration such as `2d`, `3h` or `1w 2d`.
pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let std = humantime::parse_duration(text.trim()).map_err(|e| {
        format!(
            "\"{}\" is not a duration I can read ({e}); try 2d, 3h or 1w",
            text.trim()
        )
    })?;
    chrono::Duration::from_std(std).map_err(|_| format!("\"{}\" is too long", text.trim()))
}

/// A time for people: local, without the time of day when it is midnight.
pub fn show(at: DateTime<Utc>) -> String {
    show_in(at, zone())
}

fn show_in(at: DateTime<Utc>, zone: Zone) -> String {
    let local = at.with_timezone(&zone);
    if local.format("%H:%M:%S").to_string() == "00:00:00" {
        local.format("%Y-%m-%d").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// Just the local date.
pub fn show_date(at: DateTime<Utc>) -> String {
    zone::local_day(at, zone()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn berlin() -> Zone {
        zone::parse("Europe/Berlin").unwrap()
    }

    #[test]
    fn reads_dates_as_people_type_them_in_their_zone() {
        let now = Utc.with_ymd_and_hms(2026, 11, 4, 10, 0, 0).unwrap();
        let read = |text| parse_datetime_in(text, berlin(), now);
        let day = read("2026-11-02").unwrap();
        assert_eq!(day, Utc.with_ymd_and_hms(2026, 11, 1, 23, 0, 0).unwrap());
        assert_eq!(show_in(day, berlin()), "2026-11-02");
        let at = read("2026-11-02 14:30").unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 11, 2, 13, 30, 0).unwrap());
        assert_eq!(show_in(at, berlin()), "2026-11-02 14:30");
        assert_eq!(read("2026-11-02T14:30").unwrap(), at);
        assert_eq!(
            read("2026-11-02T14:30:00Z").unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 2, 14, 30, 0).unwrap()
        );
        assert_eq!(read("3d ago").unwrap(), now - Duration::days(3));
        assert_eq!(read("yesterday").unwrap(), now - Duration::days(1));
        assert_eq!(read("tomorrow").unwrap(), now + Duration::days(1));
    }

    #[test]
    fn a_time_skipped_by_a_clock_change_is_the_first_moment_after_it() {
        let now = Utc.with_ymd_and_hms(2026, 3, 30, 10, 0, 0).unwrap();
        // Berlin's clocks went from 02:00 to 03:00 on 2026-03-29.
        let at = parse_datetime_in("2026-03-29 02:30", berlin(), now).unwrap();
        assert_eq!(show_in(at, berlin()), "2026-03-29 03:00");
    }

    #[test]
    fn says_what_it_could_not_read() {
        let err = parse_datetime("next tuesdayish").unwrap_err();
        assert!(err.contains("next tuesdayish"), "{err}");
        assert!(err.contains("2026-11-02"), "{err}");
        assert!(parse_duration("soon").is_err());
        assert!(
            parse_datetime("in 9999999999y").is_err(),
            "too far is an error, not a panic"
        );
        assert_eq!(parse_duration("2d").unwrap(), Duration::days(2));
        assert_eq!(parse_duration("3h").unwrap(), Duration::hours(3));
    }
}
