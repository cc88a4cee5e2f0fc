//! The journal's clock and zone from the environment, for tests and replays:
//! `ONWARD_NOW` (an RFC 3339 instant) pins "now" for the whole command, so a test gets
//! the same answer whatever the day it runs; `ONWARD_TIME_ZONE` (an IANA name) is the
//! person's zone until the `--time-zone` option lands (branch `zone`), then it goes.

use crate::error::{Failure, Result};
use chrono::{DateTime, Utc};
use onward_core::Journal;

/// Sets the journal's clock and zone from `ONWARD_NOW` and `ONWARD_TIME_ZONE`, if set.
pub fn apply(journal: &mut Journal) -> Result<()> {
    if let Some(now) = var("ONWARD_NOW") {
        let now = DateTime::parse_from_rfc3339(&now)
            .map_err(|e| {
                Failure::new(format!(
                    "ONWARD_NOW: \"{now}\" is not an RFC 3339 time ({e})"
                ))
                .hint("Write it like 2026-11-04T09:30:00Z, or unset it to use the clock.")
            })?
            .with_timezone(&Utc);
        journal.set_clock(move || now);
    }
    if let Some(zone) = var("ONWARD_TIME_ZONE") {
        journal.set_zone(onward_core::zone::parse(&zone)?);
    }
    Ok(())
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
