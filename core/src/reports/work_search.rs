//! The work-search log many unemployment offices ask for: one row per job-search
//! activity in a period, and a count per ISO week against a weekly minimum.
//!
//! What counts as an activity, and its method of contact:
//! - an application applied for in the period: a referral or a contact from the
//!   person's network is *networking*; one tagged "job fair" or "in person" is that;
//!   every other one (job board, company site, a recruiter's posting, none given) is an
//!   *online application*;
//! - an interview held in the period (not one still ahead): a recruiter screen or a
//!   phone interview is *phone*; any other conversation is *in person or video*;
//! - a note sent in the period: a networking note is *networking*, any other (a
//!   thank-you, a follow-up, a feedback request) is *email*.
//!
//! A contact's "last interaction" is not a row of its own: it moves with every
//! interview logged, so it would count the same conversation twice.

use super::Period;
use crate::model::*;
use crate::vocabulary::Label;
use crate::zone;
use crate::{Journal, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// The weekly minimum until the person sets one (many offices ask for three).
pub const DEFAULT_MINIMUM: u32 = 3;

string_enum! {
    /// How the employer was contacted, in the words benefits offices use.
    Method {
        OnlineApplication => "online_application",
        Email => "email",
        Phone => "phone",
        InPerson => "in_person",
        JobFair => "job_fair",
        Networking => "networking",
    }
}

/// One job-search activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    /// The local day it happened.
    pub date: NaiveDate,
    pub employer: String,
    pub position: String,
    pub method: Method,
    /// Who was contacted (interviewers, the note's recipient), joined by ", ".
    pub contacted: String,
    /// Where the application stands, in the journal's words ("Interviewing",
    /// "Closed: a no this time"); for a note with no application, where the note stands.
    pub result: String,
    /// The record it comes from.
    pub record_id: String,
}

/// The activities of one ISO week (Monday to Sunday, local).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// "2026-W48".
    pub week: String,
    /// Its Monday.
    pub starts: NaiveDate,
    pub activities: u32,
    pub minimum: u32,
    /// Fewer activities than the minimum.
    pub below_minimum: bool,
    /// The period covers only some of its days.
    pub partial: bool,
    /// A sentence for people: "3 of 3; the weekly minimum is met".
    pub note: String,
}

/// The log of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkSearchLog {
    pub period: Period,
    /// The journal's zone, by its IANA name.
    pub time_zone: String,
    pub minimum: u32,
    /// Oldest first; on the same day, in the order they happened.
    pub activities: Vec<Activity>,
    /// Every ISO week the period touches, oldest first, empty ones included.
    pub weeks: Vec<Week>,
}

impl Journal {
    /// The work-search log of `period` (local days in the journal's zone) against a
    /// weekly `minimum`. Interviews still ahead of [`Journal::now`] are left out.
    pub fn work_search_log(&self, period: Period, minimum: u32) -> Result<WorkSearchLog> {
        let zone = self.zone();
        let now = self.now();
        let apps: HashMap<String, Application> = self
            .list::<Application>()?
            .into_iter()
            .map(|a| (a.meta.id.clone(), a))
            .collect();
        let contacts: HashMap<String, Contact> = self
            .list::<Contact>()?
            .into_iter()
            .map(|c| (c.meta.id.clone(), c))
            .collect();
        let mut found: Vec<(DateTime<Utc>, Activity)> = Vec::new();
        let mut add = |at: DateTime<Utc>, activity: Activity| {
            found.push((at, activity));
        };

        for app in apps.values() {
            let Some(at) = app.applied_at.filter(|&t| period.contains(t, zone)) else {
                continue;
            };
            add(
                at,
                Activity {
                    date: zone::local_day(at, zone),
                    employer: app.company.clone(),
                    position: app.role.clone(),
                    method: application_method(app),
                    contacted: String::new(),
                    result: result(app),
                    record_id: app.meta.id.clone(),
                },
            );
        }

        for interview in self.list::<Interview>()? {
            let at = interview.scheduled_at;
            if at > now || !period.contains(at, zone) {
                continue;
            }
            let app = apps.get(&interview.application_id);
            let names: Vec<&str> = interview
                .interviewer_ids
                .iter()
                .filter_map(|id| contacts.get(id))
                .map(|c| c.name.as_str())
                .collect();
            add(
                at,
                Activity {
                    date: zone::local_day(at, zone),
                    employer: app.map(|a| a.company.clone()).unwrap_or_default(),
                    position: app.map(|a| a.role.clone()).unwrap_or_default(),
                    method: interview_method(interview.kind),
                    contacted: names.join(", "),
                    result: app.map(result).unwrap_or_default(),
                    record_id: interview.meta.id.clone(),
                },
            );
        }

        for message in self.list::<Message>()? {
            let Some(at) = message.sent_at.filter(|&t| period.contains(t, zone)) else {
                continue;
            };
            if message.status == MessageStatus::Draft {
                continue;
            }
            let app = message.application_id.as_ref().and_then(|id| apps.get(id));
            let contact = message.contact_id.as_ref().and_then(|id| contacts.get(id));
            let employer = app
                .map(|a| a.company.clone())
                .or_else(|| contact.and_then(|c| c.company.clone()))
                .unwrap_or_default();
            add(
                at,
                Activity {
                    date: zone::local_day(at, zone),
                    employer,
                    position: app.map(|a| a.role.clone()).unwrap_or_default(),
                    method: message_method(message.kind),
                    contacted: contact.map(|c| c.name.clone()).unwrap_or_default(),
                    result: app
                        .map(result)
                        .unwrap_or_else(|| message.status.label().to_string()),
                    record_id: message.meta.id.clone(),
                },
            );
        }

        found.sort_by(|(a, x), (b, y)| (a, &x.record_id).cmp(&(b, &y.record_id)));
        let activities: Vec<Activity> = found.into_iter().map(|(_, a)| a).collect();
        let weeks = weeks(period, minimum, &activities);
        Ok(WorkSearchLog {
            period,
            time_zone: zone.name().to_string(),
            minimum,
            activities,
            weeks,
        })
    }
}

/// Referrals and the network are networking; a tag can say "job fair" or "in person";
/// the rest were applied for online.
fn application_method(app: &Application) -> Method {
    let tagged = |words: &[&str]| {
        app.meta.tags.iter().any(|t| {
            let t = t.to_lowercase().replace(['-', '_'], " ");
            words.contains(&t.trim())
        })
    };
    if tagged(&["job fair", "career fair"]) {
        Method::JobFair
    } else if tagged(&["in person", "walk in"]) {
        Method::InPerson
    } else if matches!(app.source, Some(Source::Referral | Source::Network)) {
        Method::Networking
    } else {
        Method::OnlineApplication
    }
}

fn interview_method(kind: InterviewKind) -> Method {
    match kind {
        InterviewKind::RecruiterScreen | InterviewKind::Phone => Method::Phone,
        _ => Method::InPerson,
    }
}

fn message_method(kind: MessageKind) -> Method {
    match kind {
        MessageKind::Networking => Method::Networking,
        _ => Method::Email,
    }
}

/// Where an application stands: how it ended, or the stage it reached while open.
fn result(app: &Application) -> String {
    if app.outcome == Outcome::Open {
        app.stage.label().to_string()
    } else {
        app.outcome.label().to_string()
    }
}

/// Every ISO week the period touches, with its count and a gentle note.
fn weeks(period: Period, minimum: u32, activities: &[Activity]) -> Vec<Week> {
    let monday = |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday().into());
    let mut weeks = Vec::new();
    let mut starts = monday(period.from);
    while starts <= period.to {
        let ends = starts + Duration::days(6);
        let n = activities
            .iter()
            .filter(|a| (starts..=ends).contains(&a.date))
            .count() as u32;
        weeks.push(Week {
            week: crate::insights::iso_week(starts),
            starts,
            activities: n,
            minimum,
            below_minimum: n < minimum,
            partial: starts < period.from || ends > period.to,
            note: week_note(n, minimum),
        });
        starts += Duration::weeks(1);
    }
    weeks
}

/// "3 of 3; the weekly minimum is met", "1 of 3; 2 more would meet the weekly minimum".
pub fn week_note(activities: u32, minimum: u32) -> String {
    if activities >= minimum {
        format!("{activities} of {minimum}; the weekly minimum is met")
    } else {
        let more = minimum - activities;
        format!("{activities} of {minimum}; {more} more would meet the weekly minimum")
    }
}
