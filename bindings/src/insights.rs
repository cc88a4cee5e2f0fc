//! The big picture, for an insights screen: effort first, then how far applications went,
//! answers and mood. Days are ISO dates (`2026-11-23`) in the person's own time.

use crate::time::to_system;
use onward_core::insights as core;
use onward_core::model::Stage;
use std::time::SystemTime;

/// The big picture at one moment.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Insights {
    pub generated_at: SystemTime,
    /// Every record that is not deleted.
    pub total_records: i64,
    /// Small steps per ISO week, oldest first; the last is this week so far.
    pub weeks: Vec<WeekEffort>,
    /// Consecutive days with a step, ending today or yesterday.
    pub current_streak_days: i64,
    pub longest_streak_days: i64,
    pub funnel: Vec<FunnelStage>,
    /// Applications sent (stage applied or beyond).
    pub applied: i64,
    /// Of those, how many heard anything back.
    pub responded: i64,
    /// `responded / applied`, once enough applications were sent to mean something.
    pub response_rate: Option<f64>,
    pub median_days_to_first_response: Option<f64>,
    /// Applications that ended in silence.
    pub silent: i64,
    /// Mood per week, the same weeks as `weeks`.
    pub mood: Vec<MoodWeek>,
}

/// The small steps of one ISO week.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WeekEffort {
    /// "2026-W48".
    pub week: String,
    /// Its Monday, as an ISO date.
    pub starts: String,
    pub applications: i64,
    pub interviews: i64,
    pub notes_sent: i64,
    pub feedback_asked: i64,
    pub reflections: i64,
    pub restorative: i64,
    pub growth: i64,
    /// All of the above.
    pub total: i64,
}

/// How many applications reached a stage, and how many went on.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FunnelStage {
    pub stage: Stage,
    pub reached: i64,
    pub went_on: Option<i64>,
    /// Given only once enough applications reached the stage.
    pub conversion: Option<f64>,
}

/// Mood over one week.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MoodWeek {
    pub week: String,
    pub check_ins: i64,
    /// Average valence 1 to 5, if there was a check-in.
    pub valence: Option<f64>,
    pub energy: Option<f64>,
}

impl From<core::Insights> for Insights {
    fn from(i: core::Insights) -> Self {
        Insights {
            generated_at: to_system(i.generated_at),
            total_records: i.total_records,
            weeks: i
                .effort
                .weeks
                .into_iter()
                .map(|w| WeekEffort {
                    week: w.week,
                    starts: w.starts.to_string(),
                    applications: w.applications,
                    interviews: w.interviews,
                    notes_sent: w.notes_sent,
                    feedback_asked: w.feedback_asked,
                    reflections: w.reflections,
                    restorative: w.restorative,
                    growth: w.growth,
                    total: w.total,
                })
                .collect(),
            current_streak_days: i.effort.streak.current_days,
            longest_streak_days: i.effort.streak.longest_days,
            funnel: i
                .funnel
                .stages
                .into_iter()
                .map(|s| FunnelStage {
                    stage: s.stage,
                    reached: s.reached,
                    went_on: s.went_on,
                    conversion: s.conversion,
                })
                .collect(),
            applied: i.responses.applied,
            responded: i.responses.responded,
            response_rate: i.responses.rate,
            median_days_to_first_response: i.responses.median_days_to_first_response,
            silent: i.responses.silent,
            mood: i
                .mood
                .weeks
                .into_iter()
                .map(|w| MoodWeek {
                    week: w.week,
                    check_ins: w.check_ins,
                    valence: w.valence,
                    energy: w.energy,
                })
                .collect(),
        }
    }
}
