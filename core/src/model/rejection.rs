//! A "no" (or a silence) for an application. It records what happened and what was
//! outside the person's control; it is never a verdict on them.

use super::{entity_meta, Entity, Meta, Stage};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum! {
    Channel {
        Email => "email",
        Phone => "phone",
        Portal => "portal",
        InPerson => "in_person",
        Silence => "silence",
    }
}

string_enum! {
    /// The reason the company gave, if any. Most give none; that is normal.
    Reason {
        None => "none",
        StrongerCandidate => "stronger_candidate",
        InternalCandidate => "internal_candidate",
        RoleClosed => "role_closed",
        ExperienceLevel => "experience_level",
        SkillsGap => "skills_gap",
        LocationVisa => "location_visa",
        Compensation => "compensation",
        Other => "other",
    }
}

string_enum! {
    /// Circumstances that had nothing to do with the person.
    ContextFactor {
        ManyApplicants => "many_applicants",
        InternalHire => "internal_hire",
        Budget => "budget",
        Timing => "timing",
    }
}

string_enum! {
    /// Where asking for feedback stands. Declined and no reply are ordinary outcomes.
    FeedbackStatus {
        NotRequested => "not_requested",
        Requested => "requested",
        Declined => "declined",
        Received => "received",
        NoReply => "no_reply",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    #[serde(flatten)]
    pub meta: Meta,
    pub application_id: String,
    pub received_at: DateTime<Utc>,
    pub channel: Option<Channel>,
    /// Copied from the application when logged, so later stage moves don't rewrite it.
    pub stage_reached: Stage,
    pub reason: Reason,
    #[serde(default)]
    pub context_factors: Vec<ContextFactor>,
    /// The message as received, if the person wants to keep it.
    pub message_text: String,
    pub feedback_status: FeedbackStatus,
    /// What the feedback said, once received.
    pub feedback: String,
}

impl Rejection {
    pub fn new(application_id: impl Into<String>, received_at: DateTime<Utc>) -> Rejection {
        Rejection {
            meta: Meta::default(),
            application_id: application_id.into(),
            received_at,
            channel: None,
            stage_reached: Stage::Applied,
            reason: Reason::None,
            context_factors: Vec::new(),
            message_text: String::new(),
            feedback_status: FeedbackStatus::NotRequested,
            feedback: String::new(),
        }
    }
}

entity_meta!(Rejection, Rejection);

impl Entity for Rejection {
    fn occurred_at(&self) -> DateTime<Utc> {
        self.received_at
    }

    fn title(&self) -> String {
        format!(
            "A no after the {} stage",
            self.stage_reached.as_str().replace('_', " ")
        )
    }
}
