//! Gentle reminders, derived from what was logged.

use crate::kinds::ReminderRule;
use crate::time::to_system;
use std::time::SystemTime;

/// A reminder due now. Mark it done or snooze it by its key.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Reminder {
    /// Stable key: `rule:record-id` (or `weekly_review:2026-W48`).
    pub key: String,
    pub rule: ReminderRule,
    /// The record it is about.
    pub target_id: Option<String>,
    pub due_at: SystemTime,
    /// What to show, in our words.
    pub title: String,
    /// It came back after a snooze.
    pub snoozed: bool,
}

impl From<onward_core::reminders::Reminder> for Reminder {
    fn from(r: onward_core::reminders::Reminder) -> Self {
        Reminder {
            key: r.key,
            rule: r.rule,
            target_id: r.target_id,
            due_at: to_system(r.due_at),
            title: r.title,
            snoozed: r.snoozed,
        }
    }
}
