//! The names people see for the journal's vocabularies, from the core: every app shows
//! the same word for the same stage, kind, reason or category.

use crate::kinds::{
    ActivityCategory, Channel, EntryKind, GoalKind, InterviewKind, Outcome, Reason, RecordKind,
    Source, Stage,
};
use onward_core::vocabulary::{Label, MOOD_FACES};

macro_rules! label_fns {
    ($($(#[$doc:meta])* $name:ident($ty:ty);)+) => {
        $($(#[$doc])* #[uniffi::export]
        pub fn $name(value: $ty) -> String {
            value.label().to_string()
        })+
    };
}

label_fns! {
    /// "Application", "Check-in", "A no"...
    record_kind_label(RecordKind);
    /// "Saved", "Final round"...
    stage_label(Stage);
    /// How an application ended; never "failed".
    outcome_label(Outcome);
    /// The reason a company gave.
    reason_label(Reason);
    interview_kind_label(InterviewKind);
    entry_kind_label(EntryKind);
    activity_category_label(ActivityCategory);
    goal_kind_label(GoalKind);
    source_label(Source);
    channel_label(Channel);
}

/// The five faces of a check-in, for valence 1 (heavy) to 5 (bright).
#[uniffi::export]
pub fn mood_faces() -> Vec<String> {
    MOOD_FACES.iter().map(|f| f.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_the_core() {
        assert_eq!(stage_label(Stage::Final), "Final round");
        assert_eq!(record_kind_label(RecordKind::Mood), "Check-in");
        assert_eq!(mood_faces().len(), 5);
    }
}
