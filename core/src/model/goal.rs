//! A growth goal: the "move forward" step, often born from a feedback point or a
//! reflection.

use super::{check_present, entity_meta, Entity, Meta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum! {
    GoalKind {
        Course => "course",
        Skill => "skill",
        Networking => "networking",
        Project => "project",
        Certification => "certification",
        Opportunity => "opportunity",
    }
}

string_enum! {
    GoalStatus {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        /// Let go of, which is a fine decision too.
        Dropped => "dropped",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    #[serde(flatten)]
    pub meta: Meta,
    pub kind: GoalKind,
    pub title: String,
    /// The record it grew from: a rejection's feedback or a journal entry.
    pub origin_id: Option<String>,
    pub status: GoalStatus,
    pub due: Option<DateTime<Utc>>,
    /// Percent, 0 to 100.
    pub progress: u8,
    pub notes: String,
}

impl Goal {
    pub fn new(kind: GoalKind, title: impl Into<String>) -> Goal {
        Goal {
            meta: Meta::default(),
            kind,
            title: title.into(),
            origin_id: None,
            status: GoalStatus::Open,
            due: None,
            progress: 0,
            notes: String::new(),
        }
    }
}

entity_meta!(Goal, Goal);

impl Entity for Goal {
    fn occurred_at(&self) -> DateTime<Utc> {
        self.meta.created_at
    }

    fn title(&self) -> String {
        format!("{} ({}%)", self.title, self.progress)
    }

    fn validate(&self) -> crate::Result<()> {
        check_present("title", &self.title)?;
        crate::limits::PERCENT.check("progress", self.progress.into())
    }
}
