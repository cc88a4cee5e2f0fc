//! The ranges a value a person gives must fall in: checked here by the records'
//! validation, taken by the CLI's parsers and the apps' steppers and sliders.

use crate::{Error, Result};

/// An inclusive range of whole numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Range {
    pub min: u32,
    pub max: u32,
}

/// A 1-to-5 rating: mood valence and energy, excitement, an interview's self-rating,
/// mood before and after an activity.
pub const SCALE: Range = Range { min: 1, max: 5 };
/// A goal's progress, in percent.
pub const PERCENT: Range = Range { min: 0, max: 100 };
/// An interview's round: 1 for the first conversation.
pub const ROUND: Range = Range {
    min: 1,
    max: u32::MAX,
};

/// How many weeks the big picture's weekly figures may cover (this one included).
pub const INSIGHT_WEEKS: Range = Range { min: 1, max: 104 };

impl Range {
    pub fn contains(self, value: u32) -> bool {
        (self.min..=self.max).contains(&value)
    }

    /// Refuses a value outside the range, naming `field` and what it accepts.
    pub fn check(self, field: &str, value: u32) -> Result<()> {
        if self.contains(value) {
            Ok(())
        } else {
            Err(Error::invalid(
                field,
                format!("{value} is {}", self.accepts()),
            ))
        }
    }

    /// What the range accepts, for an error: "outside 1 to 5" style.
    fn accepts(self) -> String {
        if self.max == u32::MAX {
            format!("below {}", self.min)
        } else {
            format!("outside {} to {}", self.min, self.max)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_outside_a_range_is_refused_with_the_field_and_the_range() {
        assert!(SCALE.check("valence", 5).is_ok());
        match SCALE.check("valence", 6) {
            Err(Error::Invalid { field, reason }) => {
                assert_eq!(field, "valence");
                assert_eq!(reason, "6 is outside 1 to 5");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(PERCENT.check("progress", 0).is_ok() && PERCENT.check("progress", 101).is_err());
        assert_eq!(
            ROUND.check("round", 0).unwrap_err().to_string(),
            "round: 0 is below 1"
        );
    }
}
