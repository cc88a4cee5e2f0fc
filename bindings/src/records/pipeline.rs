//! The search itself: applications, interviews, the people met, rejections and the notes
//! written around them.

use super::RecordMeta;
use crate::time::{to_system, to_system_opt};
use onward_core::model::{
    self as core, ActivityCategory, Channel, ContactRole, ContextFactor, FeedbackStatus,
    InterviewKind, MessageKind, MessageStatus, Outcome, Reason, Source, Stage, WorkMode,
};
use std::time::SystemTime;

/// An opportunity being pursued: the furthest stage it reached and, kept apart, how it
/// ended (so "rejected after the final round" can be said).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Application {
    pub meta: RecordMeta,
    pub company: String,
    pub role: String,
    pub url: Option<String>,
    pub source: Option<Source>,
    pub location: Option<String>,
    pub work_mode: Option<WorkMode>,
    pub salary: Option<String>,
    /// 1 (lukewarm) to 5 (dream job).
    pub excitement: Option<u8>,
    pub applied_at: Option<SystemTime>,
    pub next_action_at: Option<SystemTime>,
    pub notes: String,
    pub stage: Stage,
    pub outcome: Outcome,
    /// Every stage reached and outcome recorded, oldest first.
    pub history: Vec<StageEvent>,
    /// How to name it: "Data Engineer at Acme" (the core's words; show this one).
    pub title: String,
    /// The stages it can move on to next: the later ones while open, none once ended.
    pub next_stages: Vec<Stage>,
}

/// One step in an application's history: a stage reached or an outcome recorded.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StageEvent {
    pub at: SystemTime,
    pub stage: Option<Stage>,
    pub outcome: Option<Outcome>,
}

impl From<core::Application> for Application {
    fn from(a: core::Application) -> Self {
        use onward_core::model::Entity as _;
        Application {
            title: a.title(),
            next_stages: a.next_stages().to_vec(),
            meta: a.meta.into(),
            company: a.company,
            role: a.role,
            url: a.url,
            source: a.source,
            location: a.location,
            work_mode: a.work_mode,
            salary: a.salary,
            excitement: a.excitement,
            applied_at: to_system_opt(a.applied_at),
            next_action_at: to_system_opt(a.next_action_at),
            notes: a.notes,
            stage: a.stage,
            outcome: a.outcome,
            history: a
                .history
                .into_iter()
                .map(|e| StageEvent {
                    at: to_system(e.at),
                    stage: e.stage,
                    outcome: e.outcome,
                })
                .collect(),
        }
    }
}

/// A conversation in an application's process.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Interview {
    pub meta: RecordMeta,
    pub application_id: String,
    /// 1 for the first conversation, 2 for the next, ...
    pub round: u32,
    pub kind: InterviewKind,
    pub scheduled_at: SystemTime,
    /// Contact ids, in the order given.
    pub interviewer_ids: Vec<String>,
    pub questions: Vec<String>,
    /// How it felt, 1 to 5.
    pub self_rating: Option<u8>,
    pub notes: String,
}

impl From<core::Interview> for Interview {
    fn from(i: core::Interview) -> Self {
        Interview {
            meta: i.meta.into(),
            application_id: i.application_id,
            round: i.round,
            kind: i.kind,
            scheduled_at: to_system(i.scheduled_at),
            interviewer_ids: i.interviewer_ids,
            questions: i.questions,
            self_rating: i.self_rating,
            notes: i.notes,
        }
    }
}

/// A person in the search: recruiters and interviewers, friends met on a day off.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Contact {
    pub meta: RecordMeta,
    pub name: String,
    pub company: Option<String>,
    pub role: Option<ContactRole>,
    pub email: Option<String>,
    pub profile_url: Option<String>,
    pub notes: String,
    pub last_interaction_at: Option<SystemTime>,
}

impl From<core::Contact> for Contact {
    fn from(c: core::Contact) -> Self {
        Contact {
            meta: c.meta.into(),
            name: c.name,
            company: c.company,
            role: c.role,
            email: c.email,
            profile_url: c.profile_url,
            notes: c.notes,
            last_interaction_at: to_system_opt(c.last_interaction_at),
        }
    }
}

/// A "no" (or a silence) for an application: what happened and what was outside the
/// person's control. Never a verdict on them.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Rejection {
    pub meta: RecordMeta,
    pub application_id: String,
    pub received_at: SystemTime,
    pub channel: Option<Channel>,
    /// The application's stage when it was logged.
    pub stage_reached: Stage,
    pub reason: Reason,
    pub context_factors: Vec<ContextFactor>,
    /// The message as received, if the person kept it.
    pub message_text: String,
    pub feedback_status: FeedbackStatus,
    /// What the feedback said, once received.
    pub feedback: String,
}

impl From<core::Rejection> for Rejection {
    fn from(r: core::Rejection) -> Self {
        Rejection {
            meta: r.meta.into(),
            application_id: r.application_id,
            received_at: to_system(r.received_at),
            channel: r.channel,
            stage_reached: r.stage_reached,
            reason: r.reason,
            context_factors: r.context_factors,
            message_text: r.message_text,
            feedback_status: r.feedback_status,
            feedback: r.feedback,
        }
    }
}

/// A note written to someone: thank-you, feedback request, follow-up, networking.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Message {
    pub meta: RecordMeta,
    pub kind: MessageKind,
    pub application_id: Option<String>,
    pub contact_id: Option<String>,
    pub body: String,
    pub status: MessageStatus,
    pub drafted_at: SystemTime,
    pub sent_at: Option<SystemTime>,
    pub reply_at: Option<SystemTime>,
    pub reply_summary: String,
}

impl From<core::Message> for Message {
    fn from(m: core::Message) -> Self {
        Message {
            meta: m.meta.into(),
            kind: m.kind,
            application_id: m.application_id,
            contact_id: m.contact_id,
            body: m.body,
            status: m.status,
            drafted_at: to_system(m.drafted_at),
            sent_at: to_system_opt(m.sent_at),
            reply_at: to_system_opt(m.reply_at),
            reply_summary: m.reply_summary,
        }
    }
}

/// One restorative idea, from the kind of activity done least lately.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StepBackIdea {
    pub category: ActivityCategory,
    pub text: String,
}

/// The small steps offered right after a rejection. Each one is optional.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NextSteps {
    /// A line inviting a quick mood check-in.
    pub check_in: String,
    pub step_back: StepBackIdea,
    /// A thank-you note filled from the template (not saved until the person wants it).
    pub thank_you_draft: String,
    /// A feedback request filled from the template.
    pub feedback_request_draft: String,
    /// The contact the notes are addressed to, if the journal knows one.
    pub contact_id: Option<String>,
}

/// A rejection as stored, and the next small steps to offer right then.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RejectionLogged {
    pub rejection: Rejection,
    pub next_steps: NextSteps,
}

impl From<onward_core::RejectionLogged> for RejectionLogged {
    fn from(logged: onward_core::RejectionLogged) -> Self {
        let steps = logged.next_steps;
        RejectionLogged {
            rejection: logged.rejection.into(),
            next_steps: NextSteps {
                check_in: steps.check_in,
                step_back: StepBackIdea {
                    category: steps.step_back.category,
                    text: steps.step_back.text.to_string(),
                },
                thank_you_draft: steps.thank_you_draft,
                feedback_request_draft: steps.feedback_request_draft,
                contact_id: steps.contact_id,
            },
        }
    }
}
