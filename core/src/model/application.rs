//! An opportunity the person is pursuing, with the furthest stage it reached and, kept
//! apart, how it ended, so "rejected after the final round" can be said.

use super::{check_scale, entity_meta, Entity, Meta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum! {
    /// How far the process went. Stages only move forward; the history keeps each step.
    Stage {
        Saved => "saved",
        Applied => "applied",
        Screening => "screening",
        Interviewing => "interviewing",
        Final => "final",
        Offer => "offer",
    }
}

impl Stage {
    /// Its place in the order: 0 for saved, one more for each stage after.
    pub fn rank(self) -> usize {
        self as usize
    }

    /// The stages after this one, in order.
    pub fn later(self) -> &'static [Stage] {
        &Stage::ALL[self.rank() + 1..]
    }
}

/// The stages an application can move on to next: the later ones while it is open,
/// none once it ended (stages only move forward).
pub fn stages_after(stage: Stage, outcome: Outcome) -> &'static [Stage] {
    if outcome == Outcome::Open {
        stage.later()
    } else {
        &[]
    }
}

/// An application as a person names it: "Data Engineer at Acme", or only the company
/// or only the role when the other is empty.
pub fn title(role: &str, company: &str) -> String {
    match (role.trim(), company.trim()) {
        ("", company) => company.to_string(),
        (role, "") => role.to_string(),
        (role, company) => format!("{role} at {company}"),
    }
}

string_enum! {
    /// How it ended, recorded apart from the stage. `Open` until something happens.
    Outcome {
        Open => "open",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
        NoResponse => "no_response",
        OfferDeclined => "offer_declined",
        Hired => "hired",
    }
}

string_enum! {
    Source {
        Referral => "referral",
        JobBoard => "job_board",
        CompanySite => "company_site",
        Recruiter => "recruiter",
        Network => "network",
        Other => "other",
    }
}

string_enum! {
    WorkMode {
        Onsite => "onsite",
        Hybrid => "hybrid",
        Remote => "remote",
    }
}

/// One step in an application's history: a stage reached or an outcome recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageEvent {
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    #[serde(flatten)]
    pub meta: Meta,
    pub company: String,
    pub role: String,
    pub url: Option<String>,
    pub source: Option<Source>,
    pub location: Option<String>,
    pub work_mode: Option<WorkMode>,
    pub salary: Option<String>,
    /// 1 (lukewarm) to 5 (dream job).
    pub excitement: Option<u8>,
    pub applied_at: Option<DateTime<Utc>>,
    pub next_action_at: Option<DateTime<Utc>>,
    pub notes: String,
    pub stage: Stage,
    pub outcome: Outcome,
    #[serde(default)]
    pub history: Vec<StageEvent>,
}

impl Application {
    /// A new application at the `saved` stage, or `applied` when `applied_at` is given.
    pub fn new(company: impl Into<String>, role: impl Into<String>) -> Application {
        Application {
            meta: Meta::default(),
            company: company.into(),
            role: role.into(),
            url: None,
            source: None,
            location: None,
            work_mode: None,
            salary: None,
            excitement: None,
            applied_at: None,
            next_action_at: None,
            notes: String::new(),
            stage: Stage::Saved,
            outcome: Outcome::Open,
            history: Vec::new(),
        }
    }

    /// Moves to `stage` at `at` and records it. A stage never moves backwards: reaching
    /// an earlier one again is kept in the history but `stage` stays the furthest.
    /// A later reply reopens an application that had ended in silence.
    pub fn reach_stage(&mut self, stage: Stage, at: DateTime<Utc>) {
        if stage > self.stage {
            self.stage = stage;
        }
        if stage == Stage::Applied && self.applied_at.is_none() {
            self.applied_at = Some(at);
        }
        if self.outcome == Outcome::NoResponse && stage > Stage::Applied {
            self.outcome = Outcome::Open;
        }
        self.history.push(StageEvent {
            at,
            stage: Some(stage),
            outcome: None,
        });
    }

    /// Records how the application ended (or that it is open again).
    pub fn end_with(&mut self, outcome: Outcome, at: DateTime<Utc>) {
        self.outcome = outcome;
        self.history.push(StageEvent {
            at,
            stage: None,
            outcome: Some(outcome),
        });
    }

    /// Still in play: open and not hired.
    pub fn is_active(&self) -> bool {
        self.outcome == Outcome::Open && !self.meta.deleted
    }

    /// The stages it can move on to next.
    pub fn next_stages(&self) -> &'static [Stage] {
        stages_after(self.stage, self.outcome)
    }
}

entity_meta!(Application, Application);

impl Entity for Application {
    fn occurred_at(&self) -> DateTime<Utc> {
        self.applied_at.unwrap_or(self.meta.created_at)
    }

    fn title(&self) -> String {
        title(&self.role, &self.company)
    }

    fn validate(&self) -> crate::Result<()> {
        if self.company.trim().is_empty() && self.role.trim().is_empty() {
            return Err(crate::Error::invalid(
                "company",
                "give at least a company or a role",
            ));
        }
        check_scale("excitement", self.excitement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn the_stage_is_the_furthest_reached_and_history_keeps_every_step() {
        let t = Utc::now();
        let mut app = Application::new("Acme", "Dev");
        app.reach_stage(Stage::Applied, t);
        app.reach_stage(Stage::Final, t + Duration::days(9));
        app.reach_stage(Stage::Screening, t + Duration::days(10));
        assert_eq!(app.stage, Stage::Final);
        assert_eq!(app.applied_at, Some(t));
        assert_eq!(app.history.len(), 3);
    }

    #[test]
    fn a_late_reply_reopens_a_silent_application() {
        let t = Utc::now();
        let mut app = Application::new("Acme", "Dev");
        app.reach_stage(Stage::Applied, t);
        app.end_with(Outcome::NoResponse, t + Duration::days(30));
        assert!(!app.is_active());
        app.reach_stage(Stage::Screening, t + Duration::days(40));
        assert_eq!(app.outcome, Outcome::Open);
        assert!(app.is_active());
    }

    #[test]
    fn rejected_after_the_final_round_is_expressible() {
        let t = Utc::now();
        let mut app = Application::new("Acme", "Dev");
        app.reach_stage(Stage::Final, t);
        app.end_with(Outcome::Rejected, t);
        assert_eq!((app.stage, app.outcome), (Stage::Final, Outcome::Rejected));
    }

    #[test]
    fn an_open_application_moves_on_to_the_later_stages_and_a_closed_one_to_none() {
        assert_eq!(
            stages_after(Stage::Screening, Outcome::Open),
            [Stage::Interviewing, Stage::Final, Stage::Offer]
        );
        assert!(stages_after(Stage::Offer, Outcome::Open).is_empty());
        assert!(stages_after(Stage::Applied, Outcome::Rejected).is_empty());
        let mut app = Application::new("Acme", "Dev");
        assert_eq!(app.next_stages(), &Stage::ALL[1..]);
        app.end_with(Outcome::Withdrawn, Utc::now());
        assert!(app.next_stages().is_empty());
    }

    #[test]
    fn the_title_leaves_out_an_empty_role_or_company() {
        assert_eq!(title("Data Engineer", "Acme"), "Data Engineer at Acme");
        assert_eq!(title("", "Acme"), "Acme");
        assert_eq!(title("Data Engineer", "  "), "Data Engineer");
        assert_eq!(Application::new("Acme", "").title(), "Acme");
    }

    #[test]
    fn enum_values_parse_with_hyphens_and_list_choices_when_wrong() {
        assert_eq!(
            "no-response".parse::<Outcome>().unwrap(),
            Outcome::NoResponse
        );
        assert_eq!("Job Board".parse::<Source>().unwrap(), Source::JobBoard);
        let err = "ghosted".parse::<Outcome>().unwrap_err().to_string();
        assert!(err.contains("open, rejected, withdrawn"), "{err}");
    }
}
