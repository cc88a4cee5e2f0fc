//! Dates as people and spreadsheets write them.

use crate::zone::{self, Zone};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// For a slashed or dashed numeric date `a/b/yyyy`: `Some(true)` if it can only be day
/// first (a > 12), `Some(false)` otherwise; `None` if it isn't such a date.
pub(super) fn slashed(text: &str) -> Option<bool> {
    let date = text.split_whitespace().next()?;
    let parts: Vec<&str> = date.split('/').collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let a: u32 = parts[0].parse().ok()?;
    Some(a > 12)
}

const DATE_TIMES: &[&str] = &[
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
];
const MONTH_FIRST_TIMES: &[&str] = &[
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
];
const DAY_FIRST_TIMES: &[&str] = &["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M"];
const DATES: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%b %d %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b, %Y",
    "%a, %d %b %Y",
    "%a %b %d %Y",
    "%A, %B %d, %Y",
    "%a, %b %d, %Y",
    "%b %d, %y",
];
const MONTH_FIRST: &[&str] = &["%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"];
const DAY_FIRST: &[&str] = &["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"];

/// A date as people and spreadsheets write it: the calendar date as written (for the
/// row's id) and the moment in UTC, a time without an offset taken as a wall-clock time
/// in `zone`. `None` when no format fits.
pub fn parse_date(text: &str, day_first: bool, zone: Zone) -> Option<(NaiveDate, DateTime<Utc>)> {
    let text = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(". ", " ");
    let text = text.trim_end_matches('.');
    let plausible = |d: NaiveDate| (1900..=2200).contains(&chrono::Datelike::year(&d));

    if let Some(absolute) = [
        DateTime::parse_from_rfc3339(text).ok(),
        DateTime::parse_from_rfc2822(text).ok(),
        DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%z").ok(),
        DateTime::parse_from_str(text, "%Y-%m-%d %H:%M%z").ok(),
    ]
    .into_iter()
    .flatten()
    .next()
    {
        return fixed(absolute).filter(|(d, _)| plausible(*d));
    }

    let (slashed_times, slashed_dates) = if day_first {
        (DAY_FIRST_TIMES, DAY_FIRST)
    } else {
        (MONTH_FIRST_TIMES, MONTH_FIRST)
    };
    let naive = DATE_TIMES
        .iter()
        .chain(slashed_times)
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .filter(|t| plausible(t.date()))
        .or_else(|| {
            DATES
                .iter()
                .chain(slashed_dates)
                .filter_map(|f| NaiveDate::parse_from_str(text, f).ok())
                .find(|d| plausible(*d))
                .map(|d| d.and_time(NaiveTime::MIN))
        })?;
    Some((naive.date(), zone::instant(naive, zone)))
}

/// A date written without a year ("9/19", "10/13", "Sep 19", "19 September"): its month
/// and day. Slashed ones are read day first when `day_first` says so. `None` for any
/// other text, a full date included.
pub(super) fn month_day(text: &str, day_first: bool) -> Option<(u32, u32)> {
    let text = text.trim().trim_end_matches('.').replace('.', "");
    let parts: Vec<&str> = text.split(['/', '-']).collect();
    if parts.len() == 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        let (a, b): (u32, u32) = (parts[0].parse().ok()?, parts[1].parse().ok()?);
        let (month, day) = if day_first { (b, a) } else { (a, b) };
        return valid(month, day);
    }
    // Named months: parse with a leap year standing in, so "Feb 29" is a date too.
    let with_year = format!("{text} 2000");
    ["%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(&with_year, f).ok())
        .map(|d| (d.month(), d.day()))
}

fn valid(month: u32, day: u32) -> Option<(u32, u32)> {
    NaiveDate::from_ymd_opt(2000, month, day).map(|_| (month, day))
}

/// The latest date with this month and day that is not after `today` (29 February
/// looks back to the last leap year).
pub(super) fn latest_not_after(month: u32, day: u32, today: NaiveDate) -> Option<NaiveDate> {
    (0..8)
        .filter_map(|back| NaiveDate::from_ymd_opt(today.year() - back, month, day))
        .find(|d| *d <= today)
}

fn fixed(at: DateTime<FixedOffset>) -> Option<(NaiveDate, DateTime<Utc>)> {
    Some((at.date_naive(), at.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str, day_first: bool) -> Option<String> {
        parse_date(text, day_first, zone::DEFAULT).map(|(d, _)| d.to_string())
    }

    #[test]
    fn reads_the_common_date_formats() {
        for text in [
            "2026-11-02",
            "11/02/2026",
            "2 Nov 2026",
            "Nov 2, 2026",
            "November 2 2026",
            "November 2, 2026",
            "Nov. 2, 2026",
            "2-Nov-2026",
            "02.11.2026",
            "2026-11-02 14:30",
            "2026-11-02T14:30:00",
            "11/02/2026 2:30 PM",
            "11/2/26",
        ] {
            assert_eq!(date(text, false).as_deref(), Some("2026-11-02"), "{text}");
        }
        assert_eq!(date("02/11/2026", true).as_deref(), Some("2026-11-02"));
        assert_eq!(date("25/11/2026", false), None, "month 25 does not exist");
        assert_eq!(
            parse_date("2026-11-02T14:30:00+01:00", false, zone::DEFAULT)
                .map(|(_, t)| t.to_rfc3339()),
            Some("2026-11-02T13:30:00+00:00".into())
        );
        assert_eq!(date("sometime in spring", false), None);
        assert_eq!(date("31/02/2026", true), None);
    }

    #[test]
    fn a_date_without_a_year_gives_its_month_and_day() {
        assert_eq!(month_day("9/19", false), Some((9, 19)));
        assert_eq!(month_day("19/9", true), Some((9, 19)));
        assert_eq!(month_day("Sep 19", false), Some((9, 19)));
        assert_eq!(month_day("19 September", false), Some((9, 19)));
        assert_eq!(month_day("Feb 29", false), Some((2, 29)));
        assert_eq!(month_day("13/19", false), None);
        assert_eq!(month_day("9/19/2026", false), None);
        assert_eq!(month_day("2026-09", false), None);
    }

    #[test]
    fn the_year_is_the_latest_that_is_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let year = |m, d| latest_not_after(m, d, today).map(|d| d.year());
        assert_eq!(year(9, 19), Some(2026));
        assert_eq!(year(10, 1), Some(2026));
        assert_eq!(year(10, 13), Some(2025));
        assert_eq!(year(2, 29), Some(2024));
    }

    #[test]
    fn a_time_without_an_offset_is_read_in_the_given_zone() {
        let at = |zone| parse_date("2026-11-02 14:30", false, zone).map(|(_, t)| t.to_rfc3339());
        assert_eq!(
            at(chrono_tz::Europe::Berlin),
            Some("2026-11-02T13:30:00+00:00".into())
        );
        assert_eq!(
            at(chrono_tz::America::New_York),
            Some("2026-11-02T19:30:00+00:00".into())
        );
    }
}
