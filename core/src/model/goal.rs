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

    /// Records how far along it is: at 100% it is done, and an open goal with any
    /// progress is under way. (A goal let go keeps its status; a percent out
    /// of range is refused when the goal is saved.)
    pub fn set_progress(&mut self, percent: u8) {
        self.progress = percent;
        self.status = match (self.progress, self.status) {
            (100, _) => GoalStatus::Done,
            (1.., GoalStatus::Open) => GoalStatus::InProgress,
            (_, status) => status,
        };
    }

    /// Sets where it stands; a goal marked done is 100% there.
    pub fn set_status(&mut self, status: GoalStatus) {
        self.status = status;
        if status == GoalStatus::Done {
            self.progress = 100;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_starts_a_goal_finishes_it_at_100_and_leaves_a_dropped_one_dropped() {
        let mut goal = Goal::new(GoalKind::Skill, "SQL window functions");
        goal.set_progress(0);
        assert_eq!(goal.status, GoalStatus::Open);
        goal.set_progress(40);
        assert_eq!((goal.status, goal.progress), (GoalStatus::InProgress, 40));
        goal.set_status(GoalStatus::Dropped);
        goal.set_progress(60);
        assert_eq!(goal.status, GoalStatus::Dropped);
        goal.set_progress(100);
        assert_eq!(goal.status, GoalStatus::Done);
    }

    #[test]
    fn a_goal_marked_done_is_all_the_way_there() {
        let mut goal = Goal::new(GoalKind::Course, "Statistics");
        goal.set_status(GoalStatus::Done);
        assert_eq!(goal.progress, 100);
    }
}
