//! The journal's records as the apps see them: plain values with the platform's times,
//! converted from the core's structs. One file per group of screens.

mod pipeline;
mod wellbeing;
mod writing;

pub use pipeline::{
    Application, Contact, Interview, Message, NextSteps, Rejection, RejectionLogged, StageEvent,
    StepBackIdea,
};
pub use wellbeing::{Activity, Goal, Mood};
pub use writing::{Answer, Entry, Prompt, PromptSet};

use crate::time::to_system;
use std::time::SystemTime;

/// What every record carries.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecordMeta {
    /// A UUID. Any unique start of 4 or more characters is accepted wherever an id is.
    pub id: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    /// Deleted records leave lists and search but can be restored.
    pub deleted: bool,
    pub tags: Vec<String>,
    /// Text fields that two devices changed apart: both versions are in the text, and
    /// the next edit of the record settles it.
    pub conflicts: Vec<String>,
}

impl From<onward_core::model::Meta> for RecordMeta {
    fn from(m: onward_core::model::Meta) -> Self {
        RecordMeta {
            id: m.id,
            created_at: to_system(m.created_at),
            updated_at: to_system(m.updated_at),
            deleted: m.deleted,
            tags: m.tags,
            conflicts: m.conflicts,
        }
    }
}

/// One record of any kind, as timelines, search and details hold them.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Record {
    Application { application: Application },
    Interview { interview: Interview },
    Contact { contact: Contact },
    Rejection { rejection: Rejection },
    Message { message: Message },
    Entry { entry: Entry },
    Mood { mood: Mood },
    Activity { activity: Activity },
    Goal { goal: Goal },
}

impl From<onward_core::model::Record> for Record {
    fn from(r: onward_core::model::Record) -> Self {
        use onward_core::model::Record as Core;
        match r {
            Core::Application(a) => Record::Application {
                application: a.into(),
            },
            Core::Interview(i) => Record::Interview {
                interview: i.into(),
            },
            Core::Contact(c) => Record::Contact { contact: c.into() },
            Core::Rejection(r) => Record::Rejection {
                rejection: r.into(),
            },
            Core::Message(m) => Record::Message { message: m.into() },
            Core::Entry(e) => Record::Entry { entry: e.into() },
            Core::Mood(m) => Record::Mood { mood: m.into() },
            Core::Activity(a) => Record::Activity { activity: a.into() },
            Core::Goal(g) => Record::Goal { goal: g.into() },
        }
    }
}
