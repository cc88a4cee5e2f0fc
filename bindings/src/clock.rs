//! The journal's sense of time, given by the app: a clock ([`JournalClock`], so tests
//! pin "now" instead of depending on the day they run) and the person's time zone (the
//! device's, by IANA name), which decides where days, weeks and reminder times fall.
//! Both are kept on the handle, so a journal reopened after a panic keeps them.

use crate::error::{guard, Result};
use crate::journal::Journal;
use crate::time::to_utc;
use chrono::{DateTime, Utc};
use onward_core::zone::{self, Zone};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

/// Implemented by the app (or a test) to say what time it is. Called on whichever
/// thread runs a journal call, while the journal is busy with it: answer quickly and
/// don't call the journal from here. If it throws, or answers a time out of range, the
/// journal uses the system's clock for that call.
#[uniffi::export(with_foreign)]
pub trait JournalClock: Send + Sync {
    /// The current instant.
    fn now(&self) -> SystemTime;
}

/// A handle's clock and zone, applied to every core journal it opens.
pub(crate) struct Time {
    clock: Mutex<Option<Arc<dyn JournalClock>>>,
    zone: Mutex<Zone>,
}

impl Default for Time {
    fn default() -> Self {
        Time {
            clock: Mutex::new(None),
            zone: Mutex::new(zone::DEFAULT),
        }
    }
}

impl Time {
    /// Gives `journal` this handle's clock (read afresh on every call, so a later
    /// `set_clock` needs no reapplying) and zone.
    pub(crate) fn apply(self: &Arc<Self>, journal: &mut onward_core::Journal) {
        let time = self.clone();
        journal.set_clock(move || time.now());
        journal.set_zone(*locked(&self.zone));
    }

    /// The person's time zone as last set.
    pub(crate) fn zone(&self) -> Zone {
        *locked(&self.zone)
    }

    /// The app's clock's answer; the system's when there is no clock, or it failed.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let clock = locked(&self.clock).clone();
        clock
            .and_then(|clock| catch_unwind(AssertUnwindSafe(|| clock.now())).ok())
            .and_then(|at| to_utc("now", at).ok())
            .unwrap_or_else(Utc::now)
    }
}

/// Locks a slot, recovering it if a panic poisoned it (each change is one assignment).
fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[uniffi::export]
impl Journal {
    /// Sets the clock the journal reads "now" from (the system's until set): for tests,
    /// and for apps that keep their own.
    pub fn set_clock(&self, clock: Arc<dyn JournalClock>) {
        *locked(&self.time.clock) = Some(clock);
    }

    /// Sets the person's time zone by IANA name ("Europe/Berlin"; the device's, e.g.
    /// `ZoneId.systemDefault().id`, `TimeZone.current.identifier`). Days, weeks, streaks
    /// and reminder times follow it; UTC until set. An unknown name raises
    /// `InvalidInput` for `time_zone` and leaves the zone as it was.
    pub fn set_time_zone(&self, name: String) -> Result<()> {
        let zone = zone::parse(&name)?;
        *locked(&self.time.zone) = zone;
        self.read_mut(|j| {
            j.set_zone(zone);
            Ok(())
        })
    }

    /// The time zone in use, by IANA name.
    pub fn time_zone(&self) -> String {
        locked(&self.time.zone).name().to_string()
    }
}

impl Journal {
    /// "Now" as this journal sees it (tests of the handle's clock).
    #[cfg(test)]
    fn now(&self) -> Result<DateTime<Utc>> {
        self.read(|j| Ok(j.now()))
    }

    /// Runs `f` on the core journal under the lock, guarded, without telling observers:
    /// for settings that change no record.
    fn read_mut(&self, f: impl FnOnce(&mut onward_core::Journal) -> Result<()>) -> Result<()> {
        guard(|| f(&mut self.lock()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::OnwardError;
    use std::time::{Duration, UNIX_EPOCH};

    struct Fixed(SystemTime);
    impl JournalClock for Fixed {
        fn now(&self) -> SystemTime {
            self.0
        }
    }

    struct Broken;
    impl JournalClock for Broken {
        fn now(&self) -> SystemTime {
            panic!("the app's clock threw")
        }
    }

    fn open(dir: &tempfile::TempDir) -> Arc<Journal> {
        let path = dir.path().join("j.onward").display().to_string();
        Journal::open(path, None).unwrap()
    }

    // Sunday 2026-11-29 18:30 in Berlin (UTC+1).
    const SUNDAY_EVENING: u64 = 1_795_973_400;

    #[test]
    fn the_journal_reads_now_from_the_apps_clock() {
        let dir = tempfile::tempdir().unwrap();
        let journal = open(&dir);
        let at = UNIX_EPOCH + Duration::from_secs(SUNDAY_EVENING);
        journal.set_clock(Arc::new(Fixed(at)));
        assert_eq!(SystemTime::from(journal.now().unwrap()), at);
        assert_eq!(
            journal.now().unwrap().to_rfc3339(),
            "2026-11-29T17:30:00+00:00"
        );
    }

    #[test]
    fn a_clock_that_fails_gives_way_to_the_system_clock() {
        let dir = tempfile::tempdir().unwrap();
        let journal = open(&dir);
        journal.set_clock(Arc::new(Broken));
        let before = Utc::now();
        let now = journal.now().expect("no error, no panic across the FFI");
        assert!(now >= before && now <= Utc::now(), "{now}");
    }

    #[test]
    fn an_unknown_zone_is_refused_and_the_zone_stays() {
        let dir = tempfile::tempdir().unwrap();
        let journal = open(&dir);
        journal.set_time_zone("Europe/Berlin".into()).unwrap();
        match journal.set_time_zone("Mars/Olympus".into()) {
            Err(OnwardError::InvalidInput { field, reason }) => {
                assert_eq!(field, "time_zone");
                assert!(reason.contains("Mars/Olympus"), "{reason}");
            }
            other => panic!("expected InvalidInput, got {other:?}"),
        }
        assert_eq!(journal.time_zone(), "Europe/Berlin");
        assert_eq!(journal.read(|j| Ok(j.zone())).unwrap(), berlin());
    }

    #[test]
    fn a_journal_reopened_after_a_panic_keeps_its_clock_and_zone() {
        let dir = tempfile::tempdir().unwrap();
        let journal = open(&dir);
        let at = UNIX_EPOCH + Duration::from_secs(SUNDAY_EVENING);
        journal.set_clock(Arc::new(Fixed(at)));
        journal.set_time_zone("Europe/Berlin".into()).unwrap();
        let failed = journal.write(|_| -> Result<()> { panic!("half-edited") });
        assert!(matches!(failed, Err(OnwardError::Internal { .. })));
        // The next call reopens the file (the lock was poisoned).
        assert_eq!(SystemTime::from(journal.now().unwrap()), at);
        assert_eq!(journal.read(|j| Ok(j.zone())).unwrap(), berlin());
    }

    fn berlin() -> Zone {
        zone::parse("Europe/Berlin").unwrap()
    }
}
