//! Journal entries and the prompts they answer.

use super::RecordMeta;
use crate::time::to_system;
use onward_core::model::{self as core, EntryKind, Perspective};
use std::time::SystemTime;

/// A journal entry: free writing, or answers to the prompts of its kind.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Entry {
    pub meta: RecordMeta,
    pub kind: EntryKind,
    pub body: String,
    /// The prompt set answered, as `kind@version`.
    pub prompt_set: Option<String>,
    /// The answers, in the order their prompts are asked, with the prompt's text.
    pub answers: Vec<Answer>,
    pub perspective: Perspective,
    /// When it was written about.
    pub written_at: SystemTime,
    pub application_id: Option<String>,
    pub interview_id: Option<String>,
    pub rejection_id: Option<String>,
}

/// An answer to one prompt.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Answer {
    pub prompt_id: String,
    pub prompt: String,
    pub text: String,
}

impl From<core::Entry> for Entry {
    fn from(e: core::Entry) -> Self {
        let set = e.prompt_set_answered();
        let answers = e
            .answers_in_order()
            .map(|(id, text)| Answer {
                prompt_id: id.to_string(),
                prompt: set.prompt(id).map_or("", |p| p.text).to_string(),
                text: text.to_string(),
            })
            .collect();
        Entry {
            meta: e.meta.into(),
            kind: e.kind,
            body: e.body,
            prompt_set: e.prompt_set,
            answers,
            perspective: e.perspective,
            written_at: to_system(e.written_at),
            application_id: e.application_id,
            interview_id: e.interview_id,
            rejection_id: e.rejection_id,
        }
    }
}

/// The prompts offered for one kind of entry.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PromptSet {
    pub kind: EntryKind,
    /// Stored on entries as `kind@version`.
    pub key: String,
    /// One line saying what this kind of writing is for.
    pub intro: String,
    pub prompts: Vec<Prompt>,
}

/// One prompt: its stable id (the key of the answer) and its words.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Prompt {
    pub id: String,
    pub text: String,
}

impl From<&onward_core::prompts::PromptSet> for PromptSet {
    fn from(set: &onward_core::prompts::PromptSet) -> Self {
        PromptSet {
            kind: set.kind,
            key: set.key(),
            intro: set.intro.to_string(),
            prompts: set
                .prompts
                .iter()
                .map(|p| Prompt {
                    id: p.id.to_string(),
                    text: p.text.to_string(),
                })
                .collect(),
        }
    }
}
