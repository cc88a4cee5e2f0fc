//! Timestamps cross the FFI as `SystemTime`: `java.time.Instant` in Kotlin, `Date` in
//! Swift, `datetime` in Python. The core keeps `chrono` UTC times.

use crate::error::{OnwardError, Result};
use chrono::{DateTime, Utc};
use std::time::{SystemTime, UNIX_EPOCH};

/// A core time as the platform's time.
pub(crate) fn to_system(t: DateTime<Utc>) -> SystemTime {
    SystemTime::from(t)
}

pub(crate) fn to_system_opt(t: Option<DateTime<Utc>>) -> Option<SystemTime> {
    t.map(to_system)
}

/// A platform time as a core time; `field` names it if it is out of range.
pub(crate) fn to_utc(field: &str, t: SystemTime) -> Result<DateTime<Utc>> {
    let out_of_range = || OnwardError::InvalidInput {
        field: field.to_string(),
        reason: "the time is out of range (years 1 to 9999 work)".to_string(),
    };
    let converted = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => {
            let secs = i64::try_from(after.as_secs()).map_err(|_| out_of_range())?;
            DateTime::from_timestamp(secs, after.subsec_nanos())
        }
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).map_err(|_| out_of_range())?;
            match before.subsec_nanos() {
                0 => DateTime::from_timestamp(-secs, 0),
                nanos => DateTime::from_timestamp(-secs - 1, 1_000_000_000 - nanos),
            }
        }
    };
    converted.ok_or_else(out_of_range)
}

pub(crate) fn to_utc_opt(field: &str, t: Option<SystemTime>) -> Result<Option<DateTime<Utc>>> {
    t.map(|t| to_utc(field, t)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_round_trip_on_both_sides_of_1970() {
        for t in [
            UNIX_EPOCH + Duration::from_millis(1_764_000_000_123),
            UNIX_EPOCH - Duration::from_millis(86_400_500),
        ] {
            assert_eq!(to_system(to_utc("at", t).unwrap()), t);
        }
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
        assert!(
            matches!(to_utc("at", far), Err(OnwardError::InvalidInput { field, .. }) if field == "at")
        );
    }
}
