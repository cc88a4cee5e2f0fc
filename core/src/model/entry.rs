//! A journal entry: free writing, or answers to one of the built-in prompt sets
//! (see [`crate::prompts`]), linked to what it is about.

use super::{entity_meta, Entity, Meta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

string_enum! {
    EntryKind {
        Free => "free",
        RejectionReflection => "rejection_reflection",
        /// An interview debrief written from the interviewer's side of the table.
        Debrief => "debrief",
        Expressive => "expressive",
        Gratitude => "gratitude",
        WeeklyReview => "weekly_review",
        LearningLog => "learning_log",
    }
}

string_enum! {
    /// Writing about oneself in the third person can make a hard day easier to look at.
    Perspective {
        First => "first",
        Third => "third",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub meta: Meta,
    pub kind: EntryKind,
    pub body: String,
    /// The prompt set answered, as `kind@version`, so old answers keep their questions.
    pub prompt_set: Option<String>,
    /// Prompt id to answer.
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    pub perspective: Perspective,
    /// When it was written about (defaults to when it was written).
    pub written_at: DateTime<Utc>,
    pub application_id: Option<String>,
    pub interview_id: Option<String>,
    pub rejection_id: Option<String>,
}

impl Entry {
    pub fn new(kind: EntryKind, body: impl Into<String>, now: DateTime<Utc>) -> Entry {
        Entry {
            meta: Meta::new(now),
            kind,
            body: body.into(),
            prompt_set: None,
            answers: BTreeMap::new(),
            perspective: Perspective::First,
            written_at: now,
            application_id: None,
            interview_id: None,
            rejection_id: None,
        }
    }
}

impl Entry {
    /// The prompt set the answers belong to: the one recorded, else the current one.
    pub fn prompt_set_answered(&self) -> &'static crate::prompts::PromptSet {
        self.prompt_set
            .as_deref()
            .and_then(crate::prompts::by_key)
            .unwrap_or_else(|| crate::prompts::for_kind(self.kind))
    }

    /// The answers in the order their prompts are asked.
    pub fn answers_in_order(&self) -> impl Iterator<Item = (&str, &str)> {
        self.prompt_set_answered()
            .prompts
            .iter()
            .filter_map(|p| self.answers.get(p.id).map(|a| (p.id, a.as_str())))
    }
}

entity_meta!(Entry, Entry);

impl Entity for Entry {
    fn occurred_at(&self) -> DateTime<Utc> {
        self.written_at
    }

    fn title(&self) -> String {
        let first_line = self
            .body
            .lines()
            .chain(self.answers_in_order().flat_map(|(_, a)| a.lines()))
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let short: String = first_line.chars().take(60).collect();
        let kind = self.kind.as_str().replace('_', " ");
        if short.is_empty() {
            kind
        } else {
            format!("{kind}: {short}")
        }
    }

    fn validate(&self) -> crate::Result<()> {
        let set = self.prompt_set_answered();
        if let Some(unknown) = self.answers.keys().find(|k| set.prompt(k).is_none()) {
            let known: Vec<&str> = set.prompts.iter().map(|p| p.id).collect();
            return Err(crate::Error::invalid(
                "answer",
                format!(
                    "\"{unknown}\" is not a prompt of {} entries (they are: {})",
                    self.kind,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
        if self.body.trim().is_empty() && self.answers.values().all(|a| a.trim().is_empty()) {
            return Err(crate::Error::invalid(
                "body",
                "write a few words, or answer at least one prompt",
            ));
        }
        Ok(())
    }
}
