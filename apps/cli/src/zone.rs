//! Which time zone the person's days are in: `--time-zone NAME` (or `ONWARD_TIME_ZONE`),
//! else `TZ` when it names an IANA zone, else the system's zone, else UTC. The CLI hands
//! it to the journal and reads and shows dates in it; the process's own local time is
//! never used.

use crate::error::{Failure, Result};
use onward_core::zone::Zone;

/// Settles the zone before the arguments are parsed for real, since dates typed in them
/// ("2026-11-02 14:30") are read in it: a lenient first pass finds `--time-zone`.
pub fn settle() -> Result<Zone> {
    use clap::CommandFactory;
    let asked = crate::commands::Cli::command()
        .ignore_errors(true)
        .try_get_matches()
        .ok()
        .and_then(|m| m.get_one::<String>("time_zone").cloned());
    let zone = resolve(asked.as_deref())?;
    crate::dates::set_zone(zone);
    Ok(zone)
}

/// The zone asked for, else the environment's, else UTC (see [`onward_local::resolve_zone`]).
pub fn resolve(asked: Option<&str>) -> Result<Zone> {
    onward_local::resolve_zone(asked).map_err(Failure::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_asked_for_by_name_is_used_and_a_bad_name_is_refused() {
        assert_eq!(resolve(Some("Asia/Tokyo")).unwrap().name(), "Asia/Tokyo");
        let failure = resolve(Some("Mars/Olympus")).unwrap_err();
        assert!(
            failure.message.contains("Mars/Olympus"),
            "{}",
            failure.message
        );
        assert!(failure.hint.unwrap().contains("Europe/Berlin"));
    }
}
