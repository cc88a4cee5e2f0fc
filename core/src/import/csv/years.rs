//! Years for dates written without one ("9/19", "Sep 19"), as personal spreadsheets
//! often have them: the year of the nearest row above or below that has one, else the
//! latest such date that is not in the future.

use super::dates::{latest_not_after, month_day, parse_date};
use crate::zone::Zone;
use chrono::{Datelike, NaiveDate};

/// For each value of the date column (in file order; `None` where the row has none):
/// the full date a year-less one is read as. Dates written with a year, and text that
/// is no date, get `None` and are read as they are.
pub(super) fn infer(
    values: &[Option<&str>],
    day_first: bool,
    zone: Zone,
    today: NaiveDate,
) -> Vec<Option<NaiveDate>> {
    let years: Vec<Option<i32>> = values
        .iter()
        .map(|v| {
            v.and_then(|v| parse_date(v, day_first, zone))
                .map(|(d, _)| d.year())
        })
        .collect();
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (month, day) = month_day(v.filter(|_| years[i].is_none())?, day_first)?;
            nearest_year(&years, i)
                .and_then(|year| NaiveDate::from_ymd_opt(year, month, day))
                .or_else(|| latest_not_after(month, day, today))
        })
        .collect()
}

/// The year of the nearest row that has one, the row above first when both are as near.
fn nearest_year(years: &[Option<i32>], i: usize) -> Option<i32> {
    (1..years.len()).find_map(|distance| {
        let above = i.checked_sub(distance).and_then(|j| years[j]);
        above.or_else(|| years.get(i + distance).copied().flatten())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(values: &[&str], today: (i32, u32, u32)) -> Vec<Option<String>> {
        let values: Vec<Option<&str>> = values.iter().map(|v| Some(*v)).collect();
        let today = NaiveDate::from_ymd_opt(today.0, today.1, today.2).unwrap();
        infer(&values, false, crate::zone::DEFAULT, today)
            .into_iter()
            .map(|d| d.map(|d| d.to_string()))
            .collect()
    }

    #[test]
    fn a_neighbouring_row_lends_its_year() {
        // On their own, 9/30 and Oct 2 would be read as this year's (2026).
        let read = read(&["9/28/2025", "9/30", "Oct 2", "10/6/2025"], (2026, 12, 1));
        assert_eq!(
            read,
            [
                None,
                Some("2025-09-30".into()),
                Some("2025-10-02".into()),
                None
            ]
        );
    }

    #[test]
    fn without_neighbours_the_latest_date_not_in_the_future_is_taken() {
        let read = read(&["9/19", "10/13", "not a date"], (2026, 10, 1));
        assert_eq!(
            read,
            [Some("2026-09-19".into()), Some("2025-10-13".into()), None]
        );
    }
}
