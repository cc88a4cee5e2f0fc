//! A conversation in an application's process, from a recruiter screen to the final round.

use super::{check_scale, entity_meta, Entity, Meta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum! {
    InterviewKind {
        RecruiterScreen => "recruiter_screen",
        Phone => "phone",
        Technical => "technical",
        TakeHome => "take_home",
        Panel => "panel",
        HiringManager => "hiring_manager",
        Final => "final",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interview {
    #[serde(flatten)]
    pub meta: Meta,
    pub application_id: String,
    /// 1 for the first conversation, 2 for the next, ...
    pub round: u32,
    pub kind: InterviewKind,
    pub scheduled_at: DateTime<Utc>,
    /// Contacts: interviewers are people who can open doors later.
    #[serde(default)]
    pub interviewer_ids: Vec<String>,
    #[serde(default)]
    pub questions: Vec<String>,
    /// How it felt, 1 to 5.
    pub self_rating: Option<u8>,
    pub notes: String,
}

impl Interview {
    pub fn new(
        application_id: impl Into<String>,
        kind: InterviewKind,
        scheduled_at: DateTime<Utc>,
    ) -> Interview {
        Interview {
            meta: Meta::default(),
            application_id: application_id.into(),
            round: 1,
            kind,
            scheduled_at,
            interviewer_ids: Vec::new(),
            questions: Vec::new(),
            self_rating: None,
            notes: String::new(),
        }
    }
}

entity_meta!(Interview, Interview);

impl Entity for Interview {
    fn occurred_at(&self) -> DateTime<Utc> {
        self.scheduled_at
    }

    fn title(&self) -> String {
        format!(
            "Round {} · {}",
            self.round,
            self.kind.as_str().replace('_', " ")
        )
    }

    fn validate(&self) -> crate::Result<()> {
        check_scale("self_rating", self.self_rating)
    }
}
