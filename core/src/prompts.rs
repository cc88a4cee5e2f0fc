//! The built-in writing prompts, one versioned set per kind of journal entry. An entry
//! records the set it answered (`kind@version`), so rewording a prompt later never
//! changes what an old answer was answering.

use crate::model::EntryKind;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Prompt {
    /// Stable key of the answer in the entry.
    pub id: &'static str,
    pub text: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PromptSet {
    pub kind: EntryKind,
    pub version: u32,
    /// One line saying what this kind of writing is for.
    pub intro: &'static str,
    pub prompts: &'static [Prompt],
}

impl PromptSet {
    /// The name stored on entries: `kind@version`.
    pub fn key(&self) -> String {
        format!("{}@{}", self.kind, self.version)
    }

    pub fn prompt(&self, id: &str) -> Option<&Prompt> {
        self.prompts.iter().find(|p| p.id == id)
    }
}

const fn p(id: &'static str, text: &'static str) -> Prompt {
    Prompt { id, text }
}

const SETS: &[PromptSet] = &[
    PromptSet {
        kind: EntryKind::Free,
        version: 1,
        intro: "Anything on your mind. No rules.",
        prompts: &[],
    },
    PromptSet {
        kind: EntryKind::RejectionReflection,
        version: 1,
        intro: "A no hurts. Write it down, then put it in proportion.",
        prompts: &[
            p("happened", "What happened, in a sentence or two?"),
            p("outside", "What about this was outside your control (how many applied, budget, timing, an internal pick)?"),
            p("still_true", "What is still true about your skills and experience?"),
            p("keep", "One thing you'd keep doing next time?"),
            p("next", "What small step would feel good today?"),
        ],
    },
    PromptSet {
        kind: EntryKind::Debrief,
        version: 1,
        intro: "Sit on the other side of the table for a moment.",
        prompts: &[
            p("needed", "What problem was the team trying to solve by hiring?"),
            p("wanted_to_see", "What did the interviewer need to see from a candidate?"),
            p("showed", "Where did you show it clearly?"),
            p("unclear", "Where might they have been unsure, and what would have helped them?"),
            p("questions", "Which questions surprised you? How would you answer now?"),
            p("thank", "One specific moment worth mentioning in a thank-you note?"),
        ],
    },
    PromptSet {
        kind: EntryKind::Expressive,
        version: 1,
        intro: "Write freely for a few minutes about how this feels. Nobody else reads it.",
        prompts: &[
            p("feel", "How do you feel right now, honestly?"),
            p("underneath", "What's underneath that feeling?"),
            p("friend", "What would you say to a friend in your place?"),
        ],
    },
    PromptSet {
        kind: EntryKind::Gratitude,
        version: 1,
        intro: "Small things count.",
        prompts: &[
            p("three", "Three things you're thankful for today?"),
            p("person", "Someone who helped you lately, and how?"),
        ],
    },
    PromptSet {
        kind: EntryKind::WeeklyReview,
        version: 1,
        intro: "Look at the week as a whole: effort, not only outcomes.",
        prompts: &[
            p("did", "What did you do this week (applications, conversations, learning, rest)?"),
            p("went_well", "What went well?"),
            p("learned", "What did you learn?"),
            p("rest", "How did you look after yourself?"),
            p("next_week", "What's one thing for next week?"),
        ],
    },
    PromptSet {
        kind: EntryKind::LearningLog,
        version: 1,
        intro: "Keep track of what you're growing.",
        prompts: &[
            p("learned", "What did you learn or practise?"),
            p("use", "Where could you use it in an interview or a job?"),
            p("next", "What's the next step?"),
        ],
    },
];

/// The current prompt set for a kind of entry.
pub fn for_kind(kind: EntryKind) -> &'static PromptSet {
    SETS.iter()
        .filter(|s| s.kind == kind)
        .max_by_key(|s| s.version)
        .expect("every entry kind has a prompt set")
}

/// A prompt set by its stored name, `kind@version`, current or older.
pub fn by_key(key: &str) -> Option<&'static PromptSet> {
    SETS.iter().find(|s| s.key() == key)
}

/// Every current prompt set.
pub fn all() -> impl Iterator<Item = &'static PromptSet> {
    EntryKind::ALL.iter().map(|k| for_kind(*k))
}
