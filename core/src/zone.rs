//! The person's time zone. Stored instants stay UTC, so devices in different zones agree
//! on the data; days, weeks, streaks and reminder times are the person's own, computed
//! in the IANA zone the shell passes (the device's), never the process's `TZ`.

use crate::{Error, Result};
use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
pub use chrono_tz::Tz as Zone;

/// The zone a journal uses until a shell says otherwise.
pub const DEFAULT: Zone = chrono_tz::UTC;

/// A zone from its IANA name ("Europe/Berlin"); an unknown name is refused.
pub fn parse(name: &str) -> Result<Zone> {
    name.trim().parse::<Zone>().map_err(|_| {
        Error::invalid(
            "time_zone",
            format!("\"{name}\" is not a time zone name (names look like Europe/Berlin or America/Los_Angeles)"),
        )
    })
}

/// The local day an instant falls on.
pub fn local_day(at: DateTime<Utc>, zone: Zone) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// The instant a local wall-clock time happens. A time skipped by a DST change (02:30 on
/// a spring-forward night) is taken as the first instant after the gap; a time that
/// happens twice, as its first occurrence.
pub fn instant(local: NaiveDateTime, zone: Zone) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            // Gaps are at most a few hours: step forward by minutes until the clock exists.
            (1..=24 * 60)
                .find_map(|m| {
                    zone.from_local_datetime(&(local + chrono::Duration::minutes(m)))
                        .earliest()
                })
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| local.and_utc())
        }
    }
}

/// The instant a local day starts (its first moment, midnight unless DST skips it).
pub fn day_start(day: NaiveDate, zone: Zone) -> DateTime<Utc> {
    instant(day.and_hms_opt(0, 0, 0).expect("midnight exists"), zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_zone_name_is_refused_with_the_field_named() {
        assert_eq!(parse("Europe/Berlin").unwrap(), chrono_tz::Europe::Berlin);
        match parse("Mars/Olympus") {
            Err(Error::Invalid { field, reason }) => {
                assert_eq!(field, "time_zone");
                assert!(reason.contains("Mars/Olympus"), "{reason}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_day_that_skips_midnight_starts_at_its_first_moment() {
        // Santiago moved its clocks from 00:00 to 01:00 on 2022-09-11.
        let zone = chrono_tz::America::Santiago;
        let day = NaiveDate::from_ymd_opt(2022, 9, 11).unwrap();
        let start = day_start(day, zone);
        assert_eq!(local_day(start, zone), day);
        assert_eq!(
            start.with_timezone(&zone).format("%H:%M").to_string(),
            "01:00"
        );
    }

    #[test]
    fn the_same_instant_is_a_different_day_in_new_york_and_tokyo() {
        let at = "2026-11-03T02:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            local_day(at, chrono_tz::America::New_York).to_string(),
            "2026-11-02"
        );
        assert_eq!(
            local_day(at, chrono_tz::Asia::Tokyo).to_string(),
            "2026-11-03"
        );
    }
}
