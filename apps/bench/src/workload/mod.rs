//! The realistic workload: a person's job search over a few years, one user action at a
//! time, from a fixed seed. Applications move through stages, interviews bring new
//! contacts, rejections come with reflections and feedback requests, and around them
//! moods, journal entries, restorative activities and growth goals.
//!
//! [`Workload::next`] picks the next action from what has happened so far (it needs no
//! journal), [`Action::run`] performs it through the core's public API, and
//! [`Workload::observe`] takes note of what the journal answered (ids it chose).

mod text;

pub use text::QUERIES;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, TimeZone, Utc};
use onward_core::model::*;
use onward_core::{prompts, Journal};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use text::Words;

/// One thing the person does in the app: each is one call of the core's public API.
#[derive(Debug, Clone)]
pub enum Action {
    AddApplication(Box<Application>),
    MoveStage {
        id: String,
        stage: Stage,
        at: DateTime<Utc>,
    },
    SetOutcome {
        id: String,
        outcome: Outcome,
        at: DateTime<Utc>,
    },
    /// Interviewers are contact ids (people met before) or names (new people).
    LogInterview {
        interview: Box<Interview>,
        interviewers: Vec<String>,
    },
    LogRejection(Box<Rejection>),
    DraftMessage {
        kind: MessageKind,
        application_id: Option<String>,
        contact_id: Option<String>,
        moment: Option<String>,
        body: Option<String>,
        rejection_id: Option<String>,
    },
    MarkSent {
        id: String,
        at: DateTime<Utc>,
        rejection_id: Option<String>,
    },
    RecordReply {
        id: String,
        status: MessageStatus,
        summary: Option<String>,
        at: DateTime<Utc>,
        rejection_id: Option<String>,
    },
    AddEntry(Box<Entry>),
    AddMood(Box<Mood>),
    AddActivity(Box<Activity>),
    AddGoal(Box<Goal>),
    UpdateGoal {
        id: String,
        progress: u8,
    },
    AddContact(Box<Contact>),
    Retag {
        id: String,
        tag: String,
    },
    Delete {
        id: String,
    },
}

/// What an action did, as the journal answered it.
#[derive(Debug, Clone, Default)]
pub struct Done {
    /// The record the action was about.
    pub id: String,
    /// Every record whose stored fields the action may have changed.
    pub touched: Vec<String>,
    /// For an interview: the interviewers' contact ids, in the order given.
    pub interviewer_ids: Vec<String>,
}

impl Done {
    fn one(id: &str) -> Done {
        Done {
            id: id.to_string(),
            touched: vec![id.to_string()],
            interviewer_ids: Vec::new(),
        }
    }
}

impl Action {
    /// A short name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Action::AddApplication(_) => "add application",
            Action::MoveStage { .. } => "move stage",
            Action::SetOutcome { .. } => "set outcome",
            Action::LogInterview { .. } => "log interview",
            Action::LogRejection(_) => "log rejection",
            Action::DraftMessage { .. } => "draft message",
            Action::MarkSent { .. } => "mark sent",
            Action::RecordReply { .. } => "record reply",
            Action::AddEntry(_) => "add entry",
            Action::AddMood(_) => "add mood",
            Action::AddActivity(_) => "add activity",
            Action::AddGoal(_) => "add goal",
            Action::UpdateGoal { .. } => "update goal",
            Action::AddContact(_) => "add contact",
            Action::Retag { .. } => "retag",
            Action::Delete { .. } => "delete",
        }
    }

    /// Performs the action on the journal.
    pub fn run(self, j: &mut Journal) -> Result<Done> {
        let done = match self {
            Action::AddApplication(app) => Done::one(&j.add_application(*app)?.meta.id),
            Action::MoveStage { id, stage, at } => {
                Done::one(&j.move_stage(&id, stage, Some(at))?.meta.id)
            }
            Action::SetOutcome { id, outcome, at } => {
                Done::one(&j.set_outcome(&id, outcome, Some(at))?.meta.id)
            }
            Action::LogInterview {
                interview,
                interviewers,
            } => {
                let interview = j.log_interview(*interview, &interviewers)?;
                let mut touched = vec![interview.meta.id.clone(), interview.application_id.clone()];
                touched.extend(interview.interviewer_ids.iter().cloned());
                Done {
                    id: interview.meta.id,
                    touched,
                    interviewer_ids: interview.interviewer_ids,
                }
            }
            Action::LogRejection(rejection) => {
                let logged = j.log_rejection(*rejection, false)?;
                let r = logged.rejection;
                Done {
                    touched: vec![r.meta.id.clone(), r.application_id.clone()],
                    id: r.meta.id,
                    interviewer_ids: Vec::new(),
                }
            }
            Action::DraftMessage {
                kind,
                application_id,
                contact_id,
                moment,
                body,
                rejection_id: _,
            } => Done::one(
                &j.draft_message(
                    kind,
                    application_id.as_deref(),
                    contact_id.as_deref(),
                    moment.as_deref(),
                    body,
                )?
                .meta
                .id,
            ),
            Action::MarkSent {
                id,
                at,
                rejection_id,
            } => {
                let mut done = Done::one(&j.mark_sent(&id, Some(at))?.meta.id);
                done.touched.extend(rejection_id);
                done
            }
            Action::RecordReply {
                id,
                status,
                summary,
                at,
                rejection_id,
            } => {
                let mut done = Done::one(&j.record_reply(&id, status, summary, Some(at))?.meta.id);
                done.touched.extend(rejection_id);
                done
            }
            Action::AddEntry(entry) => Done::one(&j.add_entry(*entry)?.meta.id),
            Action::AddMood(mood) => Done::one(&j.create(*mood)?.meta.id),
            Action::AddActivity(activity) => Done::one(&j.create(*activity)?.meta.id),
            Action::AddGoal(goal) => Done::one(&j.create(*goal)?.meta.id),
            Action::UpdateGoal { id, progress } => Done::one(
                &j.update::<Goal>(&id, |g| {
                    g.progress = progress;
                    g.status = if progress >= 100 {
                        GoalStatus::Done
                    } else {
                        GoalStatus::InProgress
                    };
                    Ok(())
                })?
                .meta
                .id,
            ),
            Action::AddContact(contact) => Done::one(&j.create(*contact)?.meta.id),
            Action::Retag { id, tag } => Done::one(j.retag(&id, &[tag], &[])?.id()),
            Action::Delete { id } => Done::one(j.delete(&id)?.id()),
        };
        Ok(done)
    }
}

/// Runs an action, naming it in the error.
pub fn run(action: Action, j: &mut Journal) -> Result<Done> {
    let name = action.name();
    action
        .run(j)
        .with_context(|| format!("the workload's \"{name}\" action failed"))
}

/// An application still in play.
#[derive(Debug, Clone)]
struct OpenApp {
    id: String,
    company: String,
    role: String,
    stage: Stage,
    interviews: u32,
    /// Contact ids of the people met in its process.
    people: Vec<String>,
}

/// A recent rejection, for reflections, moods and feedback requests.
#[derive(Debug, Clone)]
struct RecentRejection {
    id: String,
    app_id: String,
    company: String,
    role: String,
    feedback_asked: bool,
}

#[derive(Debug, Clone)]
struct Note {
    id: String,
    rejection_id: Option<String>,
}

/// The kinds of action and how often a person does each (when it is possible).
const MIX: &[(ActionKind, u32)] = &[
    (ActionKind::AddApplication, 12),
    (ActionKind::MoveStage, 6),
    (ActionKind::LogInterview, 7),
    (ActionKind::LogRejection, 6),
    (ActionKind::SetOutcome, 2),
    (ActionKind::DraftMessage, 9),
    (ActionKind::MarkSent, 6),
    (ActionKind::RecordReply, 3),
    (ActionKind::AddEntry, 18),
    (ActionKind::AddMood, 14),
    (ActionKind::AddActivity, 5),
    (ActionKind::AddGoal, 2),
    (ActionKind::UpdateGoal, 3),
    (ActionKind::AddContact, 2),
    (ActionKind::Retag, 2),
    (ActionKind::Delete, 1),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActionKind {
    AddApplication,
    MoveStage,
    LogInterview,
    LogRejection,
    SetOutcome,
    DraftMessage,
    MarkSent,
    RecordReply,
    AddEntry,
    AddMood,
    AddActivity,
    AddGoal,
    UpdateGoal,
    AddContact,
    Retag,
    Delete,
}

/// How many recent items of each sort the workload remembers to link to.
const RECENT: usize = 30;
/// Past this many open applications, the oldest ones end in silence.
const MAX_OPEN: usize = 60;

pub struct Workload {
    rng: StdRng,
    /// The simulated clock, in epoch milliseconds, shared with the journal.
    clock: Arc<AtomicI64>,
    open: Vec<OpenApp>,
    rejections: VecDeque<RecentRejection>,
    /// (interview id, application id, contact ids)
    interviews: VecDeque<(String, String, Vec<String>)>,
    /// Contact ids by name, so a person met again is the same contact.
    people: HashMap<String, String>,
    /// Every contact id, in the order they were made.
    contacts: Vec<String>,
    friends: Vec<String>,
    drafts: Vec<Note>,
    sent: Vec<Note>,
    /// (goal id, progress)
    goals: Vec<(String, u8)>,
    /// Recently created moods and entries: what a person retags or deletes by mistake.
    recent: VecDeque<String>,
    records: usize,
}

impl Workload {
    /// A workload from `seed`, starting its clock on 2 January 2023 at 8:00 UTC.
    pub fn new(seed: u64) -> Workload {
        let start = Utc.with_ymd_and_hms(2023, 1, 2, 8, 0, 0).unwrap();
        Workload {
            rng: StdRng::seed_from_u64(seed),
            clock: Arc::new(AtomicI64::new(start.timestamp_millis())),
            open: Vec::new(),
            rejections: VecDeque::new(),
            interviews: VecDeque::new(),
            people: HashMap::new(),
            contacts: Vec::new(),
            friends: Vec::new(),
            drafts: Vec::new(),
            sent: Vec::new(),
            goals: Vec::new(),
            recent: VecDeque::new(),
            records: 0,
        }
    }

    /// A clock for [`Journal::set_clock`] that follows the workload's simulated time.
    pub fn clock(&self) -> impl Fn() -> DateTime<Utc> + Send + Sync + 'static {
        let clock = Arc::clone(&self.clock);
        move || {
            Utc.timestamp_millis_opt(clock.load(Ordering::Relaxed))
                .single()
                .expect("the simulated clock stays in range")
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock())()
    }

    /// Records created so far (deleted ones included: they stay in the journal).
    pub fn records(&self) -> usize {
        self.records
    }

    /// Moves time on: minutes to a few hours between actions, now and then a night.
    fn advance_clock(&mut self) {
        let mut minutes = self.rng.random_range(5..150);
        if self.rng.random_bool(0.08) {
            minutes += self.rng.random_range(8 * 60..14 * 60);
        }
        self.clock.fetch_add(minutes * 60_000, Ordering::Relaxed);
    }

    fn new_id(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.random())
            .into_uuid()
            .to_string()
    }

    fn meta(&mut self) -> Meta {
        let mut meta = Meta::new(self.now());
        meta.id = self.new_id();
        meta
    }

    fn words(&mut self) -> Words<'_> {
        Words { rng: &mut self.rng }
    }

    fn ago(&mut self, max_minutes: i64) -> DateTime<Utc> {
        let m = self.rng.random_range(0..=max_minutes);
        self.now() - Duration::minutes(m)
    }

    /// The next action, chosen from the mix among those possible now.
    pub fn next(&mut self) -> Action {
        self.advance_clock();
        let total: u32 = MIX.iter().map(|(_, w)| w).sum();
        loop {
            let mut roll = self.rng.random_range(0..total);
            let kind = MIX
                .iter()
                .find(|(_, w)| {
                    if roll < *w {
                        true
                    } else {
                        roll -= w;
                        false
                    }
                })
                .map(|(k, _)| *k)
                .expect("the roll falls in the mix");
            if let Some(action) = self.make(kind) {
                return action;
            }
        }
    }

    fn make(&mut self, kind: ActionKind) -> Option<Action> {
        match kind {
            ActionKind::AddApplication => Some(self.add_application()),
            ActionKind::MoveStage => self.move_stage(),
            ActionKind::LogInterview => self.log_interview(),
            ActionKind::LogRejection => self.log_rejection(),
            ActionKind::SetOutcome => self.set_outcome(),
            ActionKind::DraftMessage => self.draft_message(),
            ActionKind::MarkSent => self.mark_sent(),
            ActionKind::RecordReply => self.record_reply(),
            ActionKind::AddEntry => Some(self.add_entry()),
            ActionKind::AddMood => Some(self.add_mood()),
            ActionKind::AddActivity => Some(self.add_activity()),
            ActionKind::AddGoal => Some(self.add_goal()),
            ActionKind::UpdateGoal => self.update_goal(),
            ActionKind::AddContact => Some(self.add_contact()),
            ActionKind::Retag => self.retag(),
            ActionKind::Delete => self.delete(),
        }
    }

    fn add_application(&mut self) -> Action {
        let meta = self.meta();
        let mut w = self.words();
        let company = w.company();
        let role = w.role();
        let mut app = Application::new(&company, &role);
        app.meta = meta;
        let slug = role.to_lowercase().replace(' ', "-");
        let domain: String = company
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let r = &mut self.rng;
        if r.random_bool(0.6) {
            app.url = Some(format!(
                "https://jobs.{domain}.example/{slug}-{}",
                r.random_range(1000..9999)
            ));
        }
        app.source = Source::ALL.choose(r).copied();
        app.work_mode = WorkMode::ALL.choose(r).copied();
        if r.random_bool(0.5) {
            let low = r.random_range(45..110);
            app.salary = Some(format!("€{low}k–{}k", low + r.random_range(5..25)));
        }
        app.excitement = Some(r.random_range(1..=5));
        let applied = r.random_bool(0.85);
        let mut w = self.words();
        app.location = Some(w.location());
        app.notes = w.application_notes();
        if applied {
            app.applied_at = Some(self.ago(24 * 60));
        }
        if self.rng.random_bool(0.3) {
            app.next_action_at = Some(self.now() + Duration::days(7));
        }
        Action::AddApplication(Box::new(app))
    }

    fn pick_open(&mut self, ok: impl Fn(&OpenApp) -> bool) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.open.len())
            .filter(|&i| ok(&self.open[i]))
            .collect();
        candidates.choose(&mut self.rng).copied()
    }

    fn move_stage(&mut self) -> Option<Action> {
        let i = self.pick_open(|a| a.stage < Stage::Offer)?;
        if self.open[i].stage == Stage::Final && self.rng.random_bool(0.7) {
            return None;
        }
        let next = Stage::ALL[Stage::ALL.iter().position(|s| *s == self.open[i].stage)? + 1];
        let at = self.ago(120);
        Some(Action::MoveStage {
            id: self.open[i].id.clone(),
            stage: next,
            at,
        })
    }

    fn log_interview(&mut self) -> Option<Action> {
        let i = self.pick_open(|a| a.stage >= Stage::Applied)?;
        let app = self.open[i].clone();
        let kinds: &[InterviewKind] = match app.stage {
            Stage::Saved | Stage::Applied => {
                &[InterviewKind::RecruiterScreen, InterviewKind::Phone]
            }
            Stage::Screening => &[
                InterviewKind::Technical,
                InterviewKind::TakeHome,
                InterviewKind::HiringManager,
            ],
            _ => &[
                InterviewKind::Panel,
                InterviewKind::HiringManager,
                InterviewKind::Final,
            ],
        };
        let kind = *kinds.choose(&mut self.rng)?;
        let scheduled_at = if self.rng.random_bool(0.3) {
            self.now() + Duration::hours(self.rng.random_range(20..7 * 24))
        } else {
            self.ago(48 * 60)
        };
        let mut interview = Interview::new(&app.id, kind, scheduled_at);
        interview.meta = self.meta();
        interview.round = app.interviews + 1;
        for _ in 0..self.rng.random_range(1..=3) {
            let q = self.words().question();
            if !interview.questions.contains(&q) {
                interview.questions.push(q);
            }
        }
        if self.rng.random_bool(0.7) {
            interview.self_rating = Some(self.rng.random_range(1..=5));
        }
        interview.notes = self.words().interview_notes();
        let mut interviewers = Vec::new();
        for _ in 0..self.rng.random_range(1..=3) {
            let again = !app.people.is_empty() && self.rng.random_bool(0.4);
            let who = if again {
                app.people.choose(&mut self.rng).cloned()
            } else {
                self.new_name()
            };
            if let Some(who) = who.filter(|w| !interviewers.contains(w)) {
                interviewers.push(who);
            }
        }
        Some(Action::LogInterview {
            interview: Box::new(interview),
            interviewers,
        })
    }

    /// A name nobody in the journal has yet (with a middle initial once the plain
    /// names run out).
    fn new_name(&mut self) -> Option<String> {
        for attempt in 0..40 {
            let mut name = self.words().person();
            if attempt >= 10 {
                let initial = char::from(b'A' + self.rng.random_range(0..26u8));
                if let Some((first, last)) = name.split_once(' ') {
                    name = format!("{first} {initial}. {last}");
                }
            }
            if !self.people.contains_key(&name.to_lowercase()) {
                return Some(name);
            }
        }
        None
    }

    fn log_rejection(&mut self) -> Option<Action> {
        let i = self.pick_open(|a| a.stage >= Stage::Applied)?;
        let app = self.open[i].clone();
        let received = self.ago(180);
        let mut rejection = Rejection::new(&app.id, received);
        rejection.meta = self.meta();
        let r = &mut self.rng;
        rejection.channel = Some(
            [
                (Channel::Email, 60),
                (Channel::Portal, 15),
                (Channel::Phone, 10),
                (Channel::Silence, 10),
                (Channel::InPerson, 5),
            ]
            .choose_weighted(r, |(_, w)| *w)
            .ok()?
            .0,
        );
        rejection.reason = if r.random_bool(0.5) {
            Reason::None
        } else {
            *Reason::ALL.choose(r)?
        };
        for _ in 0..r.random_range(0..=2) {
            let f = *ContextFactor::ALL.choose(r)?;
            if !rejection.context_factors.contains(&f) {
                rejection.context_factors.push(f);
            }
        }
        if rejection.channel != Some(Channel::Silence) && self.rng.random_bool(0.7) {
            rejection.message_text = self.words().rejection_message(&app.company, &app.role);
        }
        Some(Action::LogRejection(Box::new(rejection)))
    }

    fn set_outcome(&mut self) -> Option<Action> {
        if self.open.is_empty() {
            return None;
        }
        // The oldest application has most likely gone quiet; offers end in a decision.
        let (i, outcome) = if let Some(i) = self.open.iter().position(|a| a.stage == Stage::Offer) {
            let o = if self.rng.random_bool(0.6) {
                Outcome::Hired
            } else {
                Outcome::OfferDeclined
            };
            (i, o)
        } else if self.open.len() > MAX_OPEN / 2 || self.rng.random_bool(0.7) {
            (0, Outcome::NoResponse)
        } else {
            (0, Outcome::Withdrawn)
        };
        let at = self.ago(60);
        Some(Action::SetOutcome {
            id: self.open[i].id.clone(),
            outcome,
            at,
        })
    }

    fn draft_message(&mut self) -> Option<Action> {
        let roll = self.rng.random_range(0..10);
        let moment = Some(self.words().moment());
        if roll < 4 && !self.interviews.is_empty() {
            let (_, app_id, people) = self.interviews.iter().last()?.clone();
            let contact_id = people.choose(&mut self.rng).cloned();
            return Some(Action::DraftMessage {
                kind: MessageKind::ThankYou,
                application_id: Some(app_id),
                contact_id,
                moment,
                body: None,
                rejection_id: None,
            });
        }
        if roll < 7 {
            if let Some(r) = self.rejections.iter_mut().rev().find(|r| !r.feedback_asked) {
                r.feedback_asked = true;
                let (app_id, rejection_id) = (r.app_id.clone(), r.id.clone());
                return Some(Action::DraftMessage {
                    kind: MessageKind::FeedbackRequest,
                    application_id: Some(app_id),
                    contact_id: None,
                    moment: None,
                    body: None,
                    rejection_id: Some(rejection_id),
                });
            }
        }
        if roll < 9 {
            let i = self.pick_open(|a| a.stage == Stage::Applied)?;
            return Some(Action::DraftMessage {
                kind: MessageKind::FollowUp,
                application_id: Some(self.open[i].id.clone()),
                contact_id: None,
                moment: None,
                body: None,
                rejection_id: None,
            });
        }
        let contact_id = self.contacts.choose(&mut self.rng).cloned();
        let body = self
            .rng
            .random_bool(0.3)
            .then(|| self.words().journal_body());
        Some(Action::DraftMessage {
            kind: MessageKind::Networking,
            application_id: None,
            contact_id,
            moment: None,
            body,
            rejection_id: None,
        })
    }

    fn mark_sent(&mut self) -> Option<Action> {
        if self.drafts.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..self.drafts.len());
        let note = self.drafts.swap_remove(i);
        let at = self.ago(30);
        Some(Action::MarkSent {
            id: note.id,
            at,
            rejection_id: note.rejection_id,
        })
    }

    fn record_reply(&mut self) -> Option<Action> {
        if self.sent.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..self.sent.len());
        let note = self.sent.swap_remove(i);
        let status = *[
            (MessageStatus::Replied, 45),
            (MessageStatus::Declined, 25),
            (MessageStatus::NoReply, 30),
        ]
        .choose_weighted(&mut self.rng, |(_, w)| *w)
        .ok()?;
        let summary = match status.0 {
            MessageStatus::Replied if note.rejection_id.is_some() => Some(self.words().feedback()),
            MessageStatus::NoReply => None,
            _ => Some(self.words().reply_summary()),
        };
        let at = self.ago(30);
        Some(Action::RecordReply {
            id: note.id,
            status: status.0,
            summary,
            at,
            rejection_id: note.rejection_id,
        })
    }

    fn add_entry(&mut self) -> Action {
        let kind = *[
            (EntryKind::Free, 30),
            (EntryKind::RejectionReflection, 15),
            (EntryKind::Debrief, 15),
            (EntryKind::Expressive, 10),
            (EntryKind::Gratitude, 10),
            (EntryKind::WeeklyReview, 8),
            (EntryKind::LearningLog, 12),
        ]
        .choose_weighted(&mut self.rng, |(_, w)| *w)
        .expect("weights are positive");
        let kind = kind.0;
        let mut when = self.now();
        if self.rng.random_bool(0.1) {
            when -= Duration::days(self.rng.random_range(1..=5));
        }
        let body = match kind {
            EntryKind::RejectionReflection => match self.rejections.back() {
                Some(r) => {
                    let (company, role) = (r.company.clone(), r.role.clone());
                    self.words().reflection(&company, &role)
                }
                None => self.words().journal_body(),
            },
            _ if kind != EntryKind::Free && self.rng.random_bool(0.5) => String::new(),
            _ => self.words().journal_body(),
        };
        let mut entry = Entry::new(kind, body, when);
        entry.meta = self.meta();
        for prompt in prompts::for_kind(kind).prompts {
            if self.rng.random_bool(0.6) {
                let answer = self.words().answer();
                entry.answers.insert(prompt.id.to_string(), answer);
            }
        }
        if entry.body.is_empty() && entry.answers.is_empty() {
            entry.body = self.words().journal_body();
        }
        if self.rng.random_bool(0.15) {
            entry.perspective = Perspective::Third;
        }
        match kind {
            EntryKind::RejectionReflection => {
                entry.rejection_id = self.rejections.back().map(|r| r.id.clone());
            }
            EntryKind::Debrief => {
                entry.interview_id = self.interviews.back().map(|i| i.0.clone());
            }
            _ => {}
        }
        Action::AddEntry(Box::new(entry))
    }

    fn add_mood(&mut self) -> Action {
        let now = self.now();
        let valence = *[(1, 5), (2, 15), (3, 35), (4, 30), (5, 15)]
            .choose_weighted(&mut self.rng, |(_, w)| *w)
            .expect("weights are positive");
        let mut mood = Mood::new(valence.0, now);
        mood.meta = self.meta();
        if self.rng.random_bool(0.7) {
            mood.energy = Some(self.rng.random_range(1..=5));
        }
        mood.words = self.words().mood_words();
        mood.note = self.words().mood_note();
        if self.rng.random_bool(0.2) {
            if let Some(r) = self.rejections.back() {
                mood.application_id = Some(r.app_id.clone());
                mood.rejection_id = Some(r.id.clone());
            }
        }
        Action::AddMood(Box::new(mood))
    }

    fn add_activity(&mut self) -> Action {
        let (category, description) = self.words().activity();
        let mut activity = Activity::new(
            category.parse().expect("the workload's categories exist"),
            description,
        );
        activity.meta = self.meta();
        if activity.category == ActivityCategory::Social {
            activity.contact_id = self.friends.choose(&mut self.rng).cloned();
        }
        if self.rng.random_bool(0.7) {
            activity.done_at = Some(self.ago(240));
            activity.mood_before = Some(self.rng.random_range(1..=4));
            activity.mood_after = Some(self.rng.random_range(2..=5));
        } else {
            activity.planned_for = Some(self.now() + Duration::days(self.rng.random_range(1..5)));
        }
        Action::AddActivity(Box::new(activity))
    }

    fn add_goal(&mut self) -> Action {
        let (kind, title) = self.words().goal();
        let mut goal = Goal::new(
            kind.parse().expect("the workload's goal kinds exist"),
            title,
        );
        goal.meta = self.meta();
        if self.rng.random_bool(0.3) {
            goal.origin_id = self.rejections.back().map(|r| r.id.clone());
        }
        if self.rng.random_bool(0.5) {
            goal.due = Some(self.now() + Duration::days(self.rng.random_range(30..90)));
        }
        if self.rng.random_bool(0.3) {
            goal.notes = self.words().answer();
        }
        Action::AddGoal(Box::new(goal))
    }

    fn update_goal(&mut self) -> Option<Action> {
        let open: Vec<usize> = (0..self.goals.len())
            .filter(|&i| self.goals[i].1 < 100)
            .collect();
        let i = *open.choose(&mut self.rng)?;
        let progress = (self.goals[i].1 + self.rng.random_range(10..40)).min(100);
        Some(Action::UpdateGoal {
            id: self.goals[i].0.clone(),
            progress,
        })
    }

    fn add_contact(&mut self) -> Action {
        let name = self.new_name().unwrap_or_else(|| self.words().person());
        let mut contact = Contact::new(&name);
        contact.meta = self.meta();
        let role = *[
            ContactRole::Friend,
            ContactRole::Peer,
            ContactRole::Referrer,
            ContactRole::Recruiter,
        ]
        .choose(&mut self.rng)
        .expect("not empty");
        contact.role = Some(role);
        if role != ContactRole::Friend {
            let company = self.words().company();
            contact.email = Some(self.words().email(&name, &company));
            contact.company = Some(company);
        }
        if self.rng.random_bool(0.4) {
            contact.notes = self.words().answer();
        }
        Action::AddContact(Box::new(contact))
    }

    fn retag(&mut self) -> Option<Action> {
        let id = self
            .recent
            .iter()
            .collect::<Vec<_>>()
            .choose(&mut self.rng)?
            .to_string();
        let tag = [
            "important",
            "follow-up",
            "dream-job",
            "remote",
            "referral",
            "learning",
        ]
        .choose(&mut self.rng)?
        .to_string();
        Some(Action::Retag { id, tag })
    }

    fn delete(&mut self) -> Option<Action> {
        let id = self.recent.pop_back()?;
        Some(Action::Delete { id })
    }

    /// Takes note of what an action did.
    pub fn observe(&mut self, action: &Action, done: &Done) {
        match action {
            Action::AddApplication(app) => {
                self.records += 1;
                self.open.push(OpenApp {
                    id: done.id.clone(),
                    company: app.company.clone(),
                    role: app.role.clone(),
                    stage: if app.applied_at.is_some() {
                        Stage::Applied
                    } else {
                        Stage::Saved
                    },
                    interviews: 0,
                    people: Vec::new(),
                });
                if self.open.len() > MAX_OPEN {
                    // Very old applications are forgotten by the person, not the journal.
                    self.open.remove(0);
                }
            }
            Action::MoveStage { id, stage, .. } => {
                if let Some(app) = self.open.iter_mut().find(|a| &a.id == id) {
                    app.stage = app.stage.max(*stage);
                }
            }
            Action::SetOutcome { id, outcome, .. } => {
                if *outcome != Outcome::Open {
                    self.open.retain(|a| &a.id != id);
                }
            }
            Action::LogInterview {
                interview,
                interviewers,
            } => {
                self.records += 1;
                for (who, id) in interviewers.iter().zip(&done.interviewer_ids) {
                    if who != id {
                        // A name: the journal made a new contact for it.
                        self.records += 1;
                        self.people.insert(who.to_lowercase(), id.clone());
                        self.contacts.push(id.clone());
                    }
                }
                if let Some(app) = self
                    .open
                    .iter_mut()
                    .find(|a| a.id == interview.application_id)
                {
                    app.interviews += 1;
                    let reached = match interview.kind {
                        InterviewKind::RecruiterScreen | InterviewKind::Phone => Stage::Screening,
                        InterviewKind::Final => Stage::Final,
                        _ => Stage::Interviewing,
                    };
                    app.stage = app.stage.max(reached);
                    for id in &done.interviewer_ids {
                        if !app.people.contains(id) {
                            app.people.push(id.clone());
                        }
                    }
                }
                self.interviews.push_back((
                    done.id.clone(),
                    interview.application_id.clone(),
                    done.interviewer_ids.clone(),
                ));
                truncate_front(&mut self.interviews);
            }
            Action::LogRejection(rejection) => {
                self.records += 1;
                if let Some(i) = self
                    .open
                    .iter()
                    .position(|a| a.id == rejection.application_id)
                {
                    let app = self.open.remove(i);
                    self.rejections.push_back(RecentRejection {
                        id: done.id.clone(),
                        app_id: app.id,
                        company: app.company,
                        role: app.role,
                        feedback_asked: false,
                    });
                    truncate_front(&mut self.rejections);
                }
            }
            Action::DraftMessage { rejection_id, .. } => {
                self.records += 1;
                self.drafts.push(Note {
                    id: done.id.clone(),
                    rejection_id: rejection_id.clone(),
                });
            }
            Action::MarkSent {
                id, rejection_id, ..
            } => self.sent.push(Note {
                id: id.clone(),
                rejection_id: rejection_id.clone(),
            }),
            Action::RecordReply { .. } | Action::Retag { .. } | Action::Delete { .. } => {}
            Action::AddEntry(_) | Action::AddMood(_) => {
                self.records += 1;
                self.recent.push_back(done.id.clone());
                truncate_front(&mut self.recent);
            }
            Action::AddActivity(_) => self.records += 1,
            Action::AddGoal(_) => {
                self.records += 1;
                self.goals.push((done.id.clone(), 0));
            }
            Action::UpdateGoal { id, progress } => {
                if let Some(goal) = self.goals.iter_mut().find(|g| &g.0 == id) {
                    goal.1 = *progress;
                }
                self.goals.retain(|g| g.1 < 100);
            }
            Action::AddContact(contact) => {
                self.records += 1;
                self.people
                    .insert(contact.name.to_lowercase(), done.id.clone());
                self.contacts.push(done.id.clone());
                if contact.role == Some(ContactRole::Friend) {
                    self.friends.push(done.id.clone());
                }
            }
        }
    }
}

fn truncate_front<T>(queue: &mut VecDeque<T>) {
    while queue.len() > RECENT {
        queue.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onward_core::Filter;

    /// Builds a journal of `records` records; returns it with the action names in order.
    fn build(seed: u64, records: usize) -> (tempfile::TempDir, Journal, Vec<&'static str>) {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(dir.path().join("bench.onward")).unwrap();
        let mut work = Workload::new(seed);
        journal.set_clock(work.clock());
        let mut names = Vec::new();
        while work.records() < records {
            let action = work.next();
            names.push(action.name());
            let done = run(action.clone(), &mut journal).unwrap();
            work.observe(&action, &done);
        }
        (dir, journal, names)
    }

    #[test]
    fn the_workload_counts_every_record_it_makes_and_covers_the_mix() {
        let (_dir, journal, names) = build(1, 250);
        let all = journal
            .timeline(&Filter {
                include_deleted: true,
                limit: 10_000,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(all.len(), 250);
        let kinds: std::collections::BTreeSet<_> = all.iter().map(|r| r.record.kind()).collect();
        assert_eq!(
            kinds.len(),
            Kind::ALL.len(),
            "every kind of record: {kinds:?}"
        );
        let actions: std::collections::BTreeSet<_> = names.iter().collect();
        assert!(actions.len() >= 13, "most kinds of action: {actions:?}");
    }

    #[test]
    fn the_same_seed_makes_the_same_journey() {
        assert_eq!(build(5, 60).2, build(5, 60).2);
    }
}
