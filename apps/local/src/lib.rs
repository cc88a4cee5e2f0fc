//! This machine's journal, as every desk program (the CLI, the desktop app) finds and
//! opens it: the default file, the person's time zone, the clock pinned for tests and
//! where this device's sync keys are kept. One place, so both open the same journal the
//! same way.

pub mod keys;
pub mod qr;

use chrono::{DateTime, Utc};
use onward_core::zone::{self, Zone};
use onward_core::Journal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use keys::DeviceKeys;

/// What went wrong finding or opening the journal: a message and, where it helps, what
/// to do next.
#[derive(Debug)]
pub enum Problem {
    /// The journal itself could not be opened.
    Journal(onward_core::Error),
    /// Anything else: a message, and a hint.
    Setting { message: String, hint: &'static str },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Journal(e) => write!(f, "{e}"),
            Problem::Setting { message, .. } => write!(f, "{message}"),
        }
    }
}

impl From<onward_core::Error> for Problem {
    fn from(e: onward_core::Error) -> Self {
        Problem::Journal(e)
    }
}

/// The journal file: the one given (`--journal` or `$ONWARD_JOURNAL`), else
/// `journal.onward` in the system's data directory.
pub fn journal_path(given: Option<PathBuf>) -> Result<PathBuf, Problem> {
    if let Some(path) = given {
        return Ok(path);
    }
    directories::ProjectDirs::from("org", "Onward", "Onward")
        .map(|dirs| dirs.data_dir().join("journal.onward"))
        .ok_or_else(|| Problem::Setting {
            message: "could not find a data directory for the journal on this system".into(),
            hint: "Choose a file with --journal PATH or the ONWARD_JOURNAL variable.",
        })
}

/// The zone asked for (`--time-zone`, `$ONWARD_TIME_ZONE`), else `TZ` when it names an
/// IANA zone, else the system's, else UTC. Only a name asked for can be refused: a `TZ`
/// that is not an IANA name (such as `EST5EDT,M3.2.0`) is passed over.
pub fn resolve_zone(asked: Option<&str>) -> Result<Zone, Problem> {
    if let Some(name) = asked {
        return zone::parse(name).map_err(|_| Problem::Setting {
            message: format!("\"{name}\" is not a time zone I know."),
            hint: "Time zones are IANA names such as Europe/Berlin, America/New_York or UTC.",
        });
    }
    let from_tz = std::env::var("TZ")
        .ok()
        .and_then(|tz| zone::parse(tz.trim_start_matches(':')).ok());
    Ok(from_tz
        .or_else(|| {
            iana_time_zone::get_timezone()
                .ok()
                .and_then(|name| zone::parse(&name).ok())
        })
        .unwrap_or(zone::DEFAULT))
}

/// "Now" pinned by `ONWARD_NOW` (an RFC 3339 instant), for tests and replays, so a test
/// gets the same answer whatever the day it runs; `None` when unset.
pub fn pinned_now() -> Result<Option<DateTime<Utc>>, Problem> {
    let Some(now) = std::env::var("ONWARD_NOW")
        .ok()
        .filter(|v| !v.trim().is_empty())
    else {
        return Ok(None);
    };
    let at = DateTime::parse_from_rfc3339(&now).map_err(|e| Problem::Setting {
        message: format!("ONWARD_NOW: \"{now}\" is not an RFC 3339 time ({e})"),
        hint: "Write it like 2026-11-04T09:30:00Z, or unset it to use the clock.",
    })?;
    Ok(Some(at.with_timezone(&Utc)))
}

/// Opens the journal at `path` for this machine: in `zone`, on the pinned clock if any,
/// with this device's keys beside it.
pub fn open(path: &Path, zone: Zone) -> Result<(Journal, Arc<DeviceKeys>), Problem> {
    let pinned = pinned_now()?;
    let mut journal = Journal::open(path)?;
    journal.set_zone(zone);
    if let Some(now) = pinned {
        journal.set_clock(move || now);
    }
    let keys = Arc::new(DeviceKeys::for_journal(path));
    journal.set_secret_store(keys.clone());
    Ok((journal, keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_asked_for_by_name_is_used_and_a_bad_name_is_refused() {
        assert_eq!(
            resolve_zone(Some("Asia/Tokyo")).unwrap().name(),
            "Asia/Tokyo"
        );
        let Problem::Setting { message, hint } = resolve_zone(Some("Mars/Olympus")).unwrap_err()
        else {
            panic!("a setting problem expected");
        };
        assert!(message.contains("Mars/Olympus"), "{message}");
        assert!(hint.contains("Europe/Berlin"));
    }

    #[test]
    fn a_journal_given_is_used_and_opened_in_the_zone_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = journal_path(Some(dir.path().join("j.onward"))).unwrap();
        assert_eq!(path, dir.path().join("j.onward"));
        let zone = resolve_zone(Some("Europe/Berlin")).unwrap();
        let (journal, _keys) = open(&path, zone).unwrap();
        assert_eq!(journal.zone().name(), "Europe/Berlin");
    }
}
