//! A summary of a period to share with a coach: the effort (from the insights), the
//! pipeline, what is next and the goals. Journal entries and check-ins are the person's
//! own: they are left out, along with the reminders about how the person is doing,
//! unless [`CoachOptions::include_private`] is set.

use super::Period;
use crate::insights::{self, InsightsOptions, WeekEffort};
use crate::limits::INSIGHT_WEEKS;
use crate::model::*;
use crate::reminders::Rule;
use crate::vocabulary::{mood_face, Label};
use crate::zone;
use crate::{Journal, Result};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

/// How far ahead "what is next" looks.
pub const AHEAD_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, Default)]
pub struct CoachOptions {
    /// Add the journal entries and check-ins of the period, words and notes included.
    pub include_private: bool,
}

/// A label and how many.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub label: String,
    pub count: u32,
}

/// The applications as they stand now.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Pipeline {
    /// Applied for within the period.
    pub applied_in_period: u32,
    /// Open ones by the stage reached, in stage order (stages with none left out).
    pub open_by_stage: Vec<Count>,
    /// Ended ones by how they ended (outcomes with none left out).
    pub ended: Vec<Count>,
}

/// Something coming up within [`AHEAD_DAYS`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upcoming {
    /// The local day it is due (today or earlier for one already due).
    pub due: NaiveDate,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalLine {
    pub title: String,
    pub kind: String,
    pub status: String,
    pub progress: u8,
}

/// The person's own words, only when asked for.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Private {
    /// (day, kind of entry, its text).
    pub entries: Vec<(NaiveDate, String, String)>,
    /// (day, the face of the check-in, its words and note).
    pub check_ins: Vec<(NaiveDate, String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoachSummary {
    pub period: Period,
    pub time_zone: String,
    /// Every ISO week the period touches (at most [`INSIGHT_WEEKS`], the latest kept).
    pub effort: Vec<WeekEffort>,
    pub pipeline: Pipeline,
    pub next: Vec<Upcoming>,
    /// Goals not let go of; a finished one only when it was finished in the period.
    pub goals: Vec<GoalLine>,
    /// Present only with [`CoachOptions::include_private`].
    pub private: Option<Private>,
}

impl Journal {
    /// The coach summary of `period` (local days in the journal's zone), as of
    /// [`Journal::now`] for the pipeline and what is next.
    pub fn coach_summary(&self, period: Period, options: CoachOptions) -> Result<CoachSummary> {
        let zone = self.zone();
        let apps = self.list::<Application>()?;
        Ok(CoachSummary {
            period,
            time_zone: zone.name().to_string(),
            effort: self.effort_of(period)?,
            pipeline: pipeline(&apps, period, zone),
            next: self.next_up(&apps, options)?,
            goals: self
                .list::<Goal>()?
                .into_iter()
                .filter(|g| match g.status {
                    GoalStatus::Dropped => false,
                    GoalStatus::Done => period.contains(g.meta.updated_at, zone),
                    _ => true,
                })
                .map(|g| GoalLine {
                    kind: g.kind.label().to_string(),
                    status: g.status.label().to_string(),
                    progress: g.progress,
                    title: g.title,
                })
                .collect(),
            private: if options.include_private {
                Some(self.private_of(period)?)
            } else {
                None
            },
        })
    }

    /// The insights' weekly effort, computed as of the period's last moment.
    fn effort_of(&self, period: Period) -> Result<Vec<WeekEffort>> {
        let monday = |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday().into());
        let weeks = ((monday(period.to) - monday(period.from)).num_weeks() + 1)
            .clamp(INSIGHT_WEEKS.min.into(), INSIGHT_WEEKS.max.into()) as u32;
        let end =
            zone::day_start(period.to + Duration::days(1), self.zone()) - Duration::milliseconds(1);
        let options = InsightsOptions {
            weeks,
            ..Default::default()
        };
        Ok(
            insights::compute(self.connection(), end, self.zone(), &options)?
                .effort
                .weeks,
        )
    }

    /// Due and upcoming reminders (next actions among them) and interviews ahead.
    fn next_up(&self, apps: &[Application], options: CoachOptions) -> Result<Vec<Upcoming>> {
        let (zone, now) = (self.zone(), self.now());
        let horizon = Duration::days(AHEAD_DAYS);
        let personal = |rule: Rule| matches!(rule, Rule::CheckIn | Rule::StepBack);
        let mut next: Vec<(chrono::DateTime<chrono::Utc>, String)> = self
            .reminders_within(horizon)?
            .into_iter()
            .filter(|r| options.include_private || !personal(r.rule))
            .map(|r| (r.due_at, r.title))
            .collect();
        for interview in self.list::<Interview>()? {
            let at = interview.scheduled_at;
            if at > now && at <= now + horizon {
                let of = apps
                    .iter()
                    .find(|a| a.meta.id == interview.application_id)
                    .map(|a| format!(" for {}", a.title()))
                    .unwrap_or_default();
                next.push((at, format!("{} interview{of}", interview.kind.label())));
            }
        }
        next.sort();
        Ok(next
            .into_iter()
            .map(|(at, what)| Upcoming {
                due: zone::local_day(at, zone),
                what,
            })
            .collect())
    }

    fn private_of(&self, period: Period) -> Result<Private> {
        let zone = self.zone();
        let mut private = Private::default();
        for entry in self.list::<Entry>()? {
            if !period.contains(entry.written_at, zone) {
                continue;
            }
            let text: Vec<&str> = std::iter::once(entry.body.trim())
                .chain(entry.answers_in_order().map(|(_, a)| a.trim()))
                .filter(|t| !t.is_empty())
                .collect();
            private.entries.push((
                zone::local_day(entry.written_at, zone),
                entry.kind.label().to_string(),
                text.join("\n\n"),
            ));
        }
        for mood in self.list::<Mood>()? {
            if !period.contains(mood.felt_at, zone) {
                continue;
            }
            let said: Vec<String> = [mood.words.join(", "), mood.note.trim().to_string()]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect();
            private.check_ins.push((
                zone::local_day(mood.felt_at, zone),
                mood_face(mood.valence).unwrap_or_default().to_string(),
                said.join(" · "),
            ));
        }
        // Lists come newest first; a summary reads oldest first.
        private.entries.reverse();
        private.check_ins.reverse();
        Ok(private)
    }
}

fn pipeline(apps: &[Application], period: Period, zone: zone::Zone) -> Pipeline {
    let mut p = Pipeline {
        applied_in_period: apps
            .iter()
            .filter(|a| a.applied_at.is_some_and(|t| period.contains(t, zone)))
            .count() as u32,
        ..Default::default()
    };
    for &stage in Stage::ALL {
        let n = apps
            .iter()
            .filter(|a| a.outcome == Outcome::Open && a.stage == stage)
            .count() as u32;
        if n > 0 {
            p.open_by_stage.push(Count {
                label: stage.label().to_string(),
                count: n,
            });
        }
    }
    for &outcome in &Outcome::ALL[1..] {
        let n = apps.iter().filter(|a| a.outcome == outcome).count() as u32;
        if n > 0 {
            p.ended.push(Count {
                label: outcome.label().to_string(),
                count: n,
            });
        }
    }
    p
}
