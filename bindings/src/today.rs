//! What the Today screen shows now, decided by the core.

use crate::listing::TimelineItem;
use crate::reminders::Reminder;

/// What Today shows now, in the journal's time zone.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Today {
    /// "Good morning." and so on, for the local hour.
    pub greeting: String,
    /// The reminders due now, oldest first: a few at most.
    pub reminders: Vec<Reminder>,
    /// How many more are due beyond those shown.
    pub more: u32,
    /// The latest records, newest first.
    pub recent: Vec<TimelineItem>,
    /// Applications still open.
    pub active_applications: u64,
    /// Records of any kind that happened in the last seven days.
    pub logged_this_week: u64,
}

impl From<onward_core::today::Today> for Today {
    fn from(t: onward_core::today::Today) -> Self {
        Today {
            greeting: t.greeting.to_string(),
            reminders: t.reminders.into_iter().map(Into::into).collect(),
            more: u32::try_from(t.more).unwrap_or(u32::MAX),
            recent: t.recent.into_iter().map(Into::into).collect(),
            active_applications: u64::try_from(t.active_applications).unwrap_or(0),
            logged_this_week: u64::try_from(t.logged_this_week).unwrap_or(0),
        }
    }
}
