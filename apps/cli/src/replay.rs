//! The journal's clock from the environment, for tests and replays: `ONWARD_NOW` (an
//! RFC 3339 instant) pins "now" for the whole command, so a test gets the same answer
//! whatever the day it runs. (The zone is `--time-zone`, read in `zone.rs`.)

use crate::error::{Failure, Result};
use chrono::{DateTime, Utc};
use onward_core::Journal;

/// Sets the journal's clock from `ONWARD_NOW`, if set.
pub fn apply(journal: &mut Journal) -> Result<()> {
    if let Some(now) = pinned()? {
        journal.set_clock(move || now);
    }
    Ok(())
}

/// "Now" for reading dates typed on the command line ("today", "3d ago"): the pinned
/// instant when there is one (a bad one is reported by [`apply`]), else the clock.
pub fn now() -> DateTime<Utc> {
    pinned().ok().flatten().unwrap_or_else(Utc::now)
}

fn pinned() -> Result<Option<DateTime<Utc>>> {
    let Some(now) = var("ONWARD_NOW") else {
        return Ok(None);
    };
    let at = DateTime::parse_from_rfc3339(&now).map_err(|e| {
        Failure::new(format!(
            "ONWARD_NOW: \"{now}\" is not an RFC 3339 time ({e})"
        ))
        .hint("Write it like 2026-11-04T09:30:00Z, or unset it to use the clock.")
    })?;
    Ok(Some(at.with_timezone(&Utc)))
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
