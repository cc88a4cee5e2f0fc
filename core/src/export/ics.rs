//! iCalendar (RFC 5545): interviews as events, and reminders due in the coming days as
//! to-dos, for any calendar app. The `icalendar` crate does the escaping, line folding
//! and CRLF line endings.

use super::{application_title, Snapshot};
use crate::model::Record;
use crate::reminders::Reminder;
use chrono::Duration;
use icalendar::{Calendar, Component, Event, EventLike, Todo};

/// How long an interview is assumed to last.
pub const INTERVIEW_LENGTH: Duration = Duration::hours(1);
/// How far ahead reminders are exported.
pub const REMINDER_DAYS: i64 = 30;

/// The calendar: every interview that is not deleted, and `reminders`.
pub fn calendar(snapshot: &Snapshot, reminders: &[Reminder]) -> Calendar {
    let mut calendar = Calendar::new();
    calendar
        .name("Onward")
        .description("Interviews and reminders from Onward");
    for record in &snapshot.records {
        let Record::Interview(i) = record else {
            continue;
        };
        if i.meta.deleted {
            continue;
        }
        let at = application_title(snapshot, &i.application_id)
            .map_or(String::new(), |t| format!(": {t}"));
        let mut event = Event::new();
        event
            .uid(&format!("{}@onward", i.meta.id))
            .summary(&format!(
                "Interview{at} (round {}, {})",
                i.round,
                i.kind.as_str().replace('_', " ")
            ))
            .starts(i.scheduled_at)
            .ends(i.scheduled_at + INTERVIEW_LENGTH);
        let mut description = String::new();
        if !i.questions.is_empty() {
            description.push_str("Questions:\n");
            for q in &i.questions {
                description.push_str(&format!("- {q}\n"));
            }
        }
        description.push_str(&i.notes);
        if !description.trim().is_empty() {
            event.description(description.trim_end());
        }
        if !i.meta.tags.is_empty() {
            event.add_property("CATEGORIES", i.meta.tags.join(","));
        }
        calendar.push(event.done());
    }
    for reminder in reminders {
        let mut todo = Todo::new();
        todo.uid(&format!("{}@onward", reminder.key))
            .summary(&reminder.title)
            .due(reminder.due_at);
        calendar.push(todo.done());
    }
    calendar.done()
}

/// The calendar as iCalendar text.
pub fn to_string(snapshot: &Snapshot, reminders: &[Reminder]) -> String {
    calendar(snapshot, reminders).to_string()
}
