//! What a quick-log screen sends: one record per kind with only what a person types, the
//! rest defaulted. Each becomes the core's record; the journal checks and stores it.

use crate::error::Result;
use crate::time::{to_utc, to_utc_opt};
use chrono::{DateTime, Utc};
use onward_core::model::{
    self as core, ActivityCategory, Channel, ContextFactor, EntryKind, GoalKind, InterviewKind,
    Perspective, Reason, Source, Stage, WorkMode,
};
use std::collections::HashMap;
use std::time::SystemTime;

/// A new application. With `applied_at` it starts at the `applied` stage, else `saved`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewApplication {
    pub company: String,
    pub role: String,
    #[uniffi(default)]
    pub applied_at: Option<SystemTime>,
    #[uniffi(default)]
    pub source: Option<Source>,
    #[uniffi(default)]
    pub url: Option<String>,
    #[uniffi(default)]
    pub location: Option<String>,
    #[uniffi(default)]
    pub work_mode: Option<WorkMode>,
    #[uniffi(default)]
    pub salary: Option<String>,
    /// 1 (lukewarm) to 5 (dream job).
    #[uniffi(default)]
    pub excitement: Option<u8>,
    /// When to do the next thing for it; a reminder comes then.
    #[uniffi(default)]
    pub next_action_at: Option<SystemTime>,
    #[uniffi(default)]
    pub notes: String,
}

impl NewApplication {
    pub(crate) fn into_core(self) -> Result<core::Application> {
        let mut app = core::Application::new(self.company, self.role);
        app.applied_at = to_utc_opt("applied_at", self.applied_at)?;
        app.source = self.source;
        app.url = self.url;
        app.location = self.location;
        app.work_mode = self.work_mode;
        app.salary = self.salary;
        app.excitement = self.excitement;
        app.next_action_at = to_utc_opt("next_action_at", self.next_action_at)?;
        app.notes = self.notes;
        Ok(app)
    }
}

/// A new interview. The application moves to the matching stage, and interviewers
/// (names or contact ids) become contacts.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewInterview {
    pub application_id: String,
    pub kind: InterviewKind,
    pub scheduled_at: SystemTime,
    /// 1 for the first conversation; 1 when not given.
    #[uniffi(default)]
    pub round: Option<u32>,
    /// Names of new people, or ids of known contacts.
    #[uniffi(default)]
    pub interviewers: Vec<String>,
    #[uniffi(default)]
    pub questions: Vec<String>,
    /// How it felt, 1 to 5.
    #[uniffi(default)]
    pub self_rating: Option<u8>,
    #[uniffi(default)]
    pub notes: String,
}

impl NewInterview {
    pub(crate) fn into_core(self) -> Result<(core::Interview, Vec<String>)> {
        let at = to_utc("scheduled_at", self.scheduled_at)?;
        let mut interview = core::Interview::new(self.application_id, self.kind, at);
        interview.round = self.round.unwrap_or(1);
        interview.questions = self.questions;
        interview.self_rating = self.self_rating;
        interview.notes = self.notes;
        Ok((interview, self.interviewers))
    }
}

/// A no (or a silence). The application is marked rejected; its furthest stage is kept.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewRejection {
    pub application_id: String,
    /// When it arrived; now when not given.
    #[uniffi(default)]
    pub received_at: Option<SystemTime>,
    #[uniffi(default)]
    pub channel: Option<Channel>,
    /// The reason given; none when not given (the usual case).
    #[uniffi(default)]
    pub reason: Option<Reason>,
    #[uniffi(default)]
    pub context_factors: Vec<ContextFactor>,
    /// The message as received, if the person wants to keep it.
    #[uniffi(default)]
    pub message_text: String,
    /// The stage reached; the application's own stage when not given.
    #[uniffi(default)]
    pub stage_reached: Option<Stage>,
}

impl NewRejection {
    /// The core's rejection, and whether the stage was given.
    pub(crate) fn into_core(self, now: DateTime<Utc>) -> Result<(core::Rejection, bool)> {
        let at = to_utc_opt("received_at", self.received_at)?.unwrap_or(now);
        let mut rejection = core::Rejection::new(self.application_id, at);
        rejection.channel = self.channel;
        rejection.reason = self.reason.unwrap_or(Reason::None);
        rejection.context_factors = self.context_factors;
        rejection.message_text = self.message_text;
        let stage_given = self.stage_reached.is_some();
        if let Some(stage) = self.stage_reached {
            rejection.stage_reached = stage;
        }
        Ok((rejection, stage_given))
    }
}

/// A quick mood check-in.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewMood {
    /// 1 (heavy) to 5 (bright).
    pub valence: u8,
    /// 1 (drained) to 5 (energised).
    #[uniffi(default)]
    pub energy: Option<u8>,
    #[uniffi(default)]
    pub words: Vec<String>,
    #[uniffi(default)]
    pub note: String,
    /// When it was felt; now when not given.
    #[uniffi(default)]
    pub felt_at: Option<SystemTime>,
    /// The rejection it answers (its application is linked too).
    #[uniffi(default)]
    pub rejection_id: Option<String>,
    #[uniffi(default)]
    pub application_id: Option<String>,
}

impl NewMood {
    pub(crate) fn into_core(self, now: DateTime<Utc>) -> Result<core::Mood> {
        let felt_at = to_utc_opt("felt_at", self.felt_at)?.unwrap_or(now);
        let mut mood = core::Mood::new(self.valence, felt_at);
        mood.energy = self.energy;
        mood.words = self.words;
        mood.note = self.note;
        mood.rejection_id = self.rejection_id;
        mood.application_id = self.application_id;
        Ok(mood)
    }
}

/// A restorative activity, planned or done.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewActivity {
    pub category: ActivityCategory,
    pub description: String,
    #[uniffi(default)]
    pub planned_for: Option<SystemTime>,
    #[uniffi(default)]
    pub done_at: Option<SystemTime>,
    #[uniffi(default)]
    pub mood_before: Option<u8>,
    #[uniffi(default)]
    pub mood_after: Option<u8>,
    /// Who it was with, for the social ones.
    #[uniffi(default)]
    pub contact_id: Option<String>,
}

impl NewActivity {
    pub(crate) fn into_core(self) -> Result<core::Activity> {
        let mut activity = core::Activity::new(self.category, self.description);
        activity.planned_for = to_utc_opt("planned_for", self.planned_for)?;
        activity.done_at = to_utc_opt("done_at", self.done_at)?;
        activity.mood_before = self.mood_before;
        activity.mood_after = self.mood_after;
        activity.contact_id = self.contact_id;
        Ok(activity)
    }
}

/// A growth goal.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewGoal {
    pub kind: GoalKind,
    pub title: String,
    /// The record it grew from: a rejection's feedback or a journal entry.
    #[uniffi(default)]
    pub origin_id: Option<String>,
    #[uniffi(default)]
    pub due: Option<SystemTime>,
    #[uniffi(default)]
    pub notes: String,
}

impl NewGoal {
    pub(crate) fn into_core(self) -> Result<core::Goal> {
        let mut goal = core::Goal::new(self.kind, self.title);
        goal.origin_id = self.origin_id;
        goal.due = to_utc_opt("due", self.due)?;
        goal.notes = self.notes;
        Ok(goal)
    }
}

/// A journal entry: a body, answers to the prompts of its kind (prompt id to text, see
/// `prompts()`), or both.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewEntry {
    pub kind: EntryKind,
    #[uniffi(default)]
    pub body: String,
    #[uniffi(default)]
    pub answers: HashMap<String, String>,
    #[uniffi(default)]
    pub perspective: Option<Perspective>,
    /// When it is about; now when not given.
    #[uniffi(default)]
    pub written_at: Option<SystemTime>,
    #[uniffi(default)]
    pub application_id: Option<String>,
    #[uniffi(default)]
    pub interview_id: Option<String>,
    #[uniffi(default)]
    pub rejection_id: Option<String>,
}

impl NewEntry {
    pub(crate) fn into_core(self, now: DateTime<Utc>) -> Result<core::Entry> {
        let mut entry = core::Entry::new(self.kind, self.body, now);
        entry.answers = self.answers.into_iter().collect();
        entry.perspective = self.perspective.unwrap_or(Perspective::First);
        entry.written_at = to_utc_opt("written_at", self.written_at)?.unwrap_or(now);
        entry.application_id = self.application_id;
        entry.interview_id = self.interview_id;
        entry.rejection_id = self.rejection_id;
        Ok(entry)
    }
}
