//! The core's rules as plain functions, so no app keeps a copy: the stage order and what
//! comes after a stage, an application's title, and the ranges values must fall in.

use crate::kinds::{Outcome, Stage};

/// Every stage, in order (saved first, offer last).
#[uniffi::export]
pub fn stages() -> Vec<Stage> {
    Stage::ALL.to_vec()
}

/// The stages an application at `stage` can move on to: the later ones while its
/// outcome is open, none once it ended.
#[uniffi::export]
pub fn stages_after(stage: Stage, outcome: Outcome) -> Vec<Stage> {
    onward_core::model::application::stages_after(stage, outcome).to_vec()
}

/// An application's name: "Data Engineer at Acme", or the one of the two that is given.
#[uniffi::export]
pub fn application_title(role: String, company: String) -> String {
    onward_core::model::application::title(&role, &company)
}

/// A range of whole numbers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Bounds {
    pub min: u32,
    pub max: u32,
}

/// The ranges the journal accepts, for steppers and sliders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Limits {
    /// A 1-to-5 rating: mood valence and energy, excitement, an interview's self-rating,
    /// mood before and after an activity.
    pub scale: Bounds,
    /// A goal's progress, in percent.
    pub percent: Bounds,
    /// An interview's round (1 for the first).
    pub round: Bounds,
    /// How many weeks the big picture covers.
    pub insight_weeks: Bounds,
}

impl From<onward_core::limits::Range> for Bounds {
    fn from(r: onward_core::limits::Range) -> Self {
        Bounds {
            min: r.min,
            max: r.max,
        }
    }
}

/// The ranges the journal accepts.
#[uniffi::export]
pub fn limits() -> Limits {
    use onward_core::limits::{INSIGHT_WEEKS, PERCENT, ROUND, SCALE};
    Limits {
        scale: SCALE.into(),
        percent: PERCENT.into(),
        round: ROUND.into(),
        insight_weeks: INSIGHT_WEEKS.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_are_the_cores() {
        assert_eq!(stages().first(), Some(&Stage::Saved));
        assert_eq!(
            stages_after(Stage::Final, Outcome::Open),
            vec![Stage::Offer]
        );
        assert!(stages_after(Stage::Saved, Outcome::Hired).is_empty());
        assert_eq!(application_title("".into(), "Acme".into()), "Acme");
        assert_eq!(limits().scale, Bounds { min: 1, max: 5 });
        assert_eq!(limits().percent.max, 100);
    }
}
