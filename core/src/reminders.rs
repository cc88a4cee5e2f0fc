//! Gentle reminders, derived from the journal by the rules in the brief. A reminder is
//! not stored: it follows from the records (an application with no follow-up after 7
//! days, an interview without a debrief...). Only "done" and "snoozed" are stored, under
//! the reminder's key, so two devices agree on them and nothing is generated twice.

use crate::model::application;
use crate::zone::{self, Zone};
use crate::Result;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use rusqlite::Connection;
use serde::Serialize;

string_enum! {
    Rule {
        /// No reply a week after applying: a short follow-up.
        FollowUp => "follow_up",
        /// The date the person set on an application.
        NextAction => "next_action",
        /// An hour after an interview: write the debrief while it is fresh.
        Debrief => "debrief",
        /// Within a day of an interview: a thank-you note.
        ThankYou => "thank_you",
        /// Right after a rejection: how are you doing?
        CheckIn => "check_in",
        /// After a rejection: one restorative thing.
        StepBack => "step_back",
        /// Once a week: look back at the effort.
        WeeklyReview => "weekly_review",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    /// Stable key: `rule:record-id` (or `weekly_review:2026-W48`).
    pub key: String,
    pub rule: Rule,
    /// The record it is about.
    pub target_id: Option<String>,
    pub due_at: DateTime<Utc>,
    pub title: String,
    /// Came back after a snooze.
    pub snoozed: bool,
}

/// How gentle notifications are: at most `daily_cap` a local day, none in quiet hours.
/// Applied by [`crate::notify::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gentleness {
    pub daily_cap: usize,
    /// Local hours `[start, end)` in which nothing is pushed to the person.
    pub quiet_from: u32,
    pub quiet_until: u32,
}

impl Default for Gentleness {
    fn default() -> Self {
        Gentleness {
            daily_cap: 3,
            quiet_from: 21,
            quiet_until: 8,
        }
    }
}

impl Gentleness {
    pub fn is_quiet(&self, local_hour: u32) -> bool {
        if self.quiet_from <= self.quiet_until {
            (self.quiet_from..self.quiet_until).contains(&local_hour)
        } else {
            local_hour >= self.quiet_from || local_hour < self.quiet_until
        }
    }
}

/// Reminders that stop being offered when their moment has passed, so an old thank-you
/// or check-in never lingers as a reproach.
fn expires_after(rule: Rule) -> Option<Duration> {
    match rule {
        Rule::ThankYou | Rule::CheckIn => Some(Duration::days(3)),
        Rule::StepBack | Rule::Debrief | Rule::WeeklyReview => Some(Duration::days(7)),
        Rule::FollowUp | Rule::NextAction => None,
    }
}

/// Every reminder due at `now` (and, with `horizon`, those due before `now + horizon`),
/// oldest first, without done ones and with snoozed ones only once their snooze is over.
/// Weeks are the person's own, in `zone`.
pub fn due(
    conn: &Connection,
    now: DateTime<Utc>,
    zone: Zone,
    horizon: Duration,
) -> Result<Vec<Reminder>> {
    let until = now
        .checked_add_signed(horizon)
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    due_until(conn, now, zone, until)
}

/// Every reminder not done, whenever it is due.
pub fn pending(conn: &Connection, now: DateTime<Utc>, zone: Zone) -> Result<Vec<Reminder>> {
    due_until(conn, now, zone, DateTime::<Utc>::MAX_UTC)
}

fn due_until(
    conn: &Connection,
    now: DateTime<Utc>,
    zone: Zone,
    until: DateTime<Utc>,
) -> Result<Vec<Reminder>> {
    let mut all = candidates(conn, now, zone)?;
    let mut out = Vec::new();
    for mut r in all.drain(..) {
        if let Some(life) = expires_after(r.rule) {
            if now > r.due_at + life {
                continue;
            }
        }
        match state(conn, &r.key)? {
            Some((status, _)) if status == "done" => continue,
            Some((_, Some(snoozed_until))) if snoozed_until > r.due_at => {
                r.due_at = snoozed_until;
                r.snoozed = true;
            }
            _ => {}
        }
        if r.due_at <= until {
            out.push(r);
        }
    }
    out.sort_by(|a, b| a.due_at.cmp(&b.due_at).then(a.key.cmp(&b.key)));
    Ok(out)
}

fn state(conn: &Connection, key: &str) -> Result<Option<(String, Option<DateTime<Utc>>)>> {
    use rusqlite::OptionalExtension;
    let row: Option<(String, Option<i64>)> = conn
        .prepare_cached("SELECT status, until FROM reminder_states WHERE key = ?1")?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(s, until)| {
        (
            s,
            until.and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
        )
    }))
}

fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Runs one rule's query: rows of (record id, time in ms, the application's title), from
/// rows of (id, time, role, company).
fn rows(conn: &Connection, sql: &str) -> Result<Vec<(String, i64, String)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| {
        let (role, company): (String, String) = (r.get(2)?, r.get(3)?);
        Ok((r.get(0)?, r.get(1)?, application::title(&role, &company)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn candidates(conn: &Connection, now: DateTime<Utc>, zone: Zone) -> Result<Vec<Reminder>> {
    let mut out = Vec::new();
    let mut add =
        |rule: Rule, sql: &str, offset: Duration, title: &dyn Fn(&str) -> String| -> Result<()> {
            for (id, ms, name) in rows(conn, sql)? {
                out.push(Reminder {
                    key: format!("{rule}:{id}"),
                    rule,
                    target_id: Some(id),
                    due_at: at(ms) + offset,
                    title: title(&name),
                    snoozed: false,
                });
            }
            Ok(())
        };

    add(
        Rule::FollowUp,
        "SELECT a.id, a.applied_at, a.role, a.company FROM applications a
         WHERE a.deleted = 0 AND a.outcome = 'open' AND a.stage = 'applied'
           AND a.applied_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.application_id = a.id
                           AND m.kind = 'follow_up' AND m.deleted = 0 AND m.status != 'draft')",
        Duration::days(7),
        &|name| format!("It's been a week since you applied for {name}: a short follow-up?"),
    )?;
    add(
        Rule::Debrief,
        "SELECT i.id, i.scheduled_at, a.role, a.company FROM interviews i
         JOIN applications a ON a.id = i.application_id AND a.deleted = 0
         WHERE i.deleted = 0 AND i.scheduled_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.interview_id = i.id AND e.deleted = 0)",
        Duration::hours(1),
        &|name| {
            format!("How did the {name} interview go? A few minutes of debrief while it's fresh.")
        },
    )?;
    add(
        Rule::ThankYou,
        "SELECT i.id, i.scheduled_at, a.role, a.company FROM interviews i
         JOIN applications a ON a.id = i.application_id AND a.deleted = 0
         WHERE i.deleted = 0 AND i.scheduled_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.application_id = i.application_id
                           AND m.kind = 'thank_you' AND m.deleted = 0
                           AND m.drafted_at >= i.scheduled_at - 86400000)",
        Duration::hours(2),
        &|name| format!("A thank-you note for the {name} interview, while it's fresh?"),
    )?;
    add(
        Rule::CheckIn,
        "SELECT r.id, r.received_at, a.role, a.company FROM rejections r
         JOIN applications a ON a.id = r.application_id
         WHERE r.deleted = 0
           AND NOT EXISTS (SELECT 1 FROM moods m WHERE m.deleted = 0
                           AND (m.rejection_id = r.id OR m.felt_at >= r.received_at))",
        Duration::zero(),
        &|name| format!("After the news about {name}: how are you feeling? A quick check-in."),
    )?;
    add(
        Rule::StepBack,
        "SELECT r.id, r.received_at, a.role, a.company FROM rejections r
         JOIN applications a ON a.id = r.application_id
         WHERE r.deleted = 0
           AND NOT EXISTS (SELECT 1 FROM activities t WHERE t.deleted = 0
                           AND coalesce(t.done_at, t.planned_for, 0) >= r.received_at)",
        Duration::hours(1),
        &|_| {
            "Plan one restorative thing for the next day or two: you've earned a step back."
                .to_string()
        },
    )?;
    for (id, ms, name) in rows(
        conn,
        "SELECT a.id, a.next_action_at, a.role, a.company FROM applications a
         WHERE a.deleted = 0 AND a.outcome = 'open' AND a.next_action_at IS NOT NULL",
    )? {
        out.push(Reminder {
            key: format!("{}:{id}:{ms}", Rule::NextAction),
            rule: Rule::NextAction,
            target_id: Some(id),
            due_at: at(ms),
            title: format!("The next step you planned for {name}"),
            snoozed: false,
        });
    }
    if let Some(weekly) = weekly_review(conn, now, zone)? {
        out.push(weekly);
    }
    Ok(out)
}

/// Sunday at 17:00 local each week (the week starting Monday 00:00 local), once the
/// journal has something in it and unless a weekly review was already written that week.
fn weekly_review(conn: &Connection, now: DateTime<Utc>, zone: Zone) -> Result<Option<Reminder>> {
    let today = zone::local_day(now, zone);
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let start = zone::day_start(monday, zone).timestamp_millis();
    let (any, reviewed): (i64, i64) = conn.query_row(
        "SELECT (SELECT count(*) FROM records WHERE deleted = 0),
                (SELECT count(*) FROM entries WHERE deleted = 0 AND kind = 'weekly_review'
                   AND written_at >= ?1)",
        [start],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if any == 0 || reviewed > 0 {
        return Ok(None);
    }
    let week = monday.iso_week();
    let sunday_evening = (monday + Duration::days(6))
        .and_hms_opt(17, 0, 0)
        .expect("17:00 is a time");
    Ok(Some(Reminder {
        key: format!("{}:{}-W{:02}", Rule::WeeklyReview, week.year(), week.week()),
        rule: Rule::WeeklyReview,
        target_id: None,
        due_at: zone::instant(sunday_evening, zone),
        title: "Time for a weekly review: look back at what you did, not only what you heard back."
            .to_string(),
        snoozed: false,
    }))
}

/// The stored state of a reminder, as written to the document.
pub fn state_fields(
    status: &str,
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("status".into(), status.into());
    m.insert(
        "until".into(),
        until.map_or(serde_json::Value::Null, |u| u.to_rfc3339().into()),
    );
    m.insert("at".into(), now.to_rfc3339().into());
    m
}
