//! A restorative activity: the "step back" day after a hard moment, with how one felt
//! before and after.

use super::{check_present, check_scale, entity_meta, Entity, Meta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum! {
    ActivityCategory {
        Social => "social",
        Leisure => "leisure",
        Creative => "creative",
        Physical => "physical",
        Rest => "rest",
        Learning => "learning",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    #[serde(flatten)]
    pub meta: Meta,
    pub category: ActivityCategory,
    pub description: String,
    /// Who it was with, for the social ones.
    pub contact_id: Option<String>,
    pub planned_for: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub mood_before: Option<u8>,
    pub mood_after: Option<u8>,
}

impl Activity {
    pub fn new(category: ActivityCategory, description: impl Into<String>) -> Activity {
        Activity {
            meta: Meta::default(),
            category,
            description: description.into(),
            contact_id: None,
            planned_for: None,
            done_at: None,
            mood_before: None,
            mood_after: None,
        }
    }

    /// Marks it done at `at`; a mood after given replaces one noted before, and none
    /// given keeps it.
    pub fn mark_done(&mut self, at: DateTime<Utc>, mood_after: Option<u8>) {
        self.done_at = Some(at);
        self.mood_after = mood_after.or(self.mood_after);
    }
}

entity_meta!(Activity, Activity);

impl Entity for Activity {
    fn occurred_at(&self) -> DateTime<Utc> {
        self.done_at
            .or(self.planned_for)
            .unwrap_or(self.meta.created_at)
    }

    fn title(&self) -> String {
        let state = if self.done_at.is_some() {
            "done"
        } else {
            "planned"
        };
        format!("{} ({state})", self.description)
    }

    fn validate(&self) -> crate::Result<()> {
        check_present("description", &self.description)?;
        check_scale("mood_before", self.mood_before)?;
        check_scale("mood_after", self.mood_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marking_done_keeps_a_mood_after_noted_earlier_unless_a_new_one_is_given() {
        let at = DateTime::from_timestamp(1_796_000_000, 0).unwrap();
        let mut walk = Activity::new(ActivityCategory::Physical, "A walk");
        walk.mood_after = Some(3);
        walk.mark_done(at, None);
        assert_eq!((walk.done_at, walk.mood_after), (Some(at), Some(3)));
        walk.mark_done(at, Some(5));
        assert_eq!(walk.mood_after, Some(5));
    }
}
