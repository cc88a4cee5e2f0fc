//! Changes to existing records: each field left out (`null`/`nil`/`None`) stays as it is.

use crate::error::Result;
use crate::time::to_utc_opt;
use onward_core::model::{self as core, GoalStatus};
use std::collections::HashMap;
use std::time::SystemTime;

/// Changes to an application's details. Stages and outcomes move with `move_stage` and
/// `set_outcome`, so the history keeps each step.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ApplicationEdit {
    #[uniffi(default)]
    pub company: Option<String>,
    #[uniffi(default)]
    pub role: Option<String>,
    #[uniffi(default)]
    pub url: Option<String>,
    #[uniffi(default)]
    pub excitement: Option<u8>,
    #[uniffi(default)]
    pub next_action_at: Option<SystemTime>,
    #[uniffi(default)]
    pub notes: Option<String>,
}

impl ApplicationEdit {
    /// The edit as a change to the core's record (times checked first).
    pub(crate) fn into_change(self) -> Result<impl FnOnce(&mut core::Application)> {
        let next_action_at = to_utc_opt("next_action_at", self.next_action_at)?;
        Ok(move |a: &mut core::Application| {
            set(&mut a.company, self.company);
            set(&mut a.role, self.role);
            if self.url.is_some() {
                a.url = self.url;
            }
            if self.excitement.is_some() {
                a.excitement = self.excitement;
            }
            if next_action_at.is_some() {
                a.next_action_at = next_action_at;
            }
            set(&mut a.notes, self.notes);
        })
    }
}

/// Changes to a journal entry. An answer given as an empty text is removed.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct EntryEdit {
    #[uniffi(default)]
    pub body: Option<String>,
    /// Prompt id to the new answer.
    #[uniffi(default)]
    pub answers: HashMap<String, String>,
}

impl EntryEdit {
    pub(crate) fn apply(self, e: &mut core::Entry) {
        set(&mut e.body, self.body);
        for (prompt, text) in self.answers {
            if text.trim().is_empty() {
                e.answers.remove(&prompt);
            } else {
                e.answers.insert(prompt, text);
            }
        }
    }
}

/// Changes to a growth goal.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct GoalEdit {
    /// Percent, 0 to 100.
    #[uniffi(default)]
    pub progress: Option<u8>,
    #[uniffi(default)]
    pub status: Option<GoalStatus>,
    #[uniffi(default)]
    pub notes: Option<String>,
}

impl GoalEdit {
    pub(crate) fn apply(self, g: &mut core::Goal) {
        set(&mut g.progress, self.progress);
        set(&mut g.status, self.status);
        set(&mut g.notes, self.notes);
    }
}

/// Replaces `field` when a new value was given.
fn set<T>(field: &mut T, new: Option<T>) {
    if let Some(value) = new {
        *field = value;
    }
}
