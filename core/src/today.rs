//! What the Today screen (or `onward today`) shows now: a greeting for the local hour, a
//! few due reminders (never a pile), the latest records, and how things stand.

use crate::reminders::Reminder;
use crate::store::queries::{Filter, Listed};
use crate::{Journal, Result};
use chrono::{Duration, Timelike};

/// At most this many reminders are shown at once; the rest are counted.
pub const CAP: usize = 5;
/// How many recent records are shown.
pub const RECENT: usize = 5;

#[derive(Debug, Clone)]
pub struct Today {
    /// "Good morning." and so on, for the local hour.
    pub greeting: &'static str,
    /// The reminders due now, oldest first, at most [`CAP`].
    pub reminders: Vec<Reminder>,
    /// Reminders due now beyond those shown.
    pub more: usize,
    /// The latest records, newest first, at most [`RECENT`].
    pub recent: Vec<Listed>,
    /// Applications still open.
    pub active_applications: i64,
    /// Records of any kind that happened in the last seven days.
    pub logged_this_week: i64,
}

/// A greeting for a local hour (0 to 23).
pub fn greeting(local_hour: u32) -> &'static str {
    match local_hour {
        5..=11 => "Good morning.",
        12..=17 => "Good afternoon.",
        _ => "Good evening.",
    }
}

/// The first [`CAP`] of the due reminders, and how many more there are.
pub fn capped(mut due: Vec<Reminder>) -> (Vec<Reminder>, usize) {
    let more = due.len().saturating_sub(CAP);
    due.truncate(CAP);
    (due, more)
}

impl Journal {
    /// What Today shows now, in the journal's zone.
    pub fn today(&self) -> Result<Today> {
        let now = self.now();
        let pulse = self.pulse(now - Duration::days(7))?;
        let (reminders, more) = capped(self.reminders()?);
        let recent = self.timeline(&Filter {
            limit: RECENT,
            ..Default::default()
        })?;
        Ok(Today {
            greeting: greeting(now.with_timezone(&self.zone()).hour()),
            reminders,
            more,
            recent,
            active_applications: pulse.active_applications,
            logged_this_week: pulse.actions_since,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Application;
    use chrono::{DateTime, Utc};

    #[test]
    fn the_greeting_follows_the_local_hour() {
        assert_eq!(greeting(5), "Good morning.");
        assert_eq!(greeting(12), "Good afternoon.");
        assert_eq!(greeting(18), "Good evening.");
        assert_eq!(greeting(2), "Good evening.");
    }

    #[test]
    fn today_shows_five_reminders_counts_the_rest_and_greets_in_the_journal_zone() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path().join("j.onward")).unwrap();
        let applied: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().unwrap();
        j.set_clock(move || applied);
        for i in 0..7 {
            let mut app = Application::new(format!("Company {i}"), "Dev");
            app.applied_at = Some(applied);
            j.add_application(app).unwrap();
        }
        // Ten days on, 22:00 UTC: 07:00 the next morning in Tokyo.
        let now: DateTime<Utc> = "2026-03-12T22:00:00Z".parse().unwrap();
        j.set_clock(move || now);
        j.set_zone(chrono_tz::Asia::Tokyo);
        let today = j.today().unwrap();
        assert_eq!(today.greeting, "Good morning.");
        assert_eq!((today.reminders.len(), today.more), (CAP, 2));
        assert_eq!(today.recent.len(), RECENT);
        assert_eq!(today.active_applications, 7);
        assert_eq!(today.logged_this_week, 0);
    }
}
