//! The journal's domain: one file per kind of record, all sharing [`Meta`] and the
//! [`Entity`] trait that the document and the index work through.

#[macro_use]
pub mod enums;
pub mod activity;
pub mod application;
pub mod contact;
pub mod entry;
pub mod goal;
pub mod interview;
pub mod message;
pub mod mood;
pub mod record;
pub mod rejection;

pub use activity::{Activity, ActivityCategory};
pub use application::{Application, Outcome, Source, Stage, StageEvent, WorkMode};
pub use contact::{Contact, ContactRole};
pub use entry::{Entry, EntryKind, Perspective};
pub use goal::{Goal, GoalKind, GoalStatus};
pub use interview::{Interview, InterviewKind};
pub use message::{Message, MessageKind, MessageStatus};
pub use mood::Mood;
pub use record::Record;
pub use rejection::{Channel, ContextFactor, FeedbackStatus, Reason, Rejection};

use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

string_enum! {
    /// The kinds of record a journal holds. The stored spelling is also the name of the
    /// record's collection in the document (see `docs/DOCUMENT.md`).
    Kind {
        Application => "application",
        Interview => "interview",
        Contact => "contact",
        Rejection => "rejection",
        Message => "message",
        Entry => "entry",
        Mood => "mood",
        Activity => "activity",
        Goal => "goal",
    }
}

impl Kind {
    /// The key of this kind's map at the document root, and of its index table.
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Application => "applications",
            Kind::Interview => "interviews",
            Kind::Contact => "contacts",
            Kind::Rejection => "rejections",
            Kind::Message => "messages",
            Kind::Entry => "entries",
            Kind::Mood => "moods",
            Kind::Activity => "activities",
            Kind::Goal => "goals",
        }
    }

    /// "an application", "a mood": for messages.
    pub fn with_article(self) -> String {
        let article = if matches!(
            self,
            Kind::Application | Kind::Interview | Kind::Entry | Kind::Activity
        ) {
            "an"
        } else {
            "a"
        };
        format!("{article} {self}")
    }

    pub fn from_collection(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.collection() == name)
    }
}

/// What every record carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// A tombstone: deleted records stay in the journal and can be restored.
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Text fields that two devices changed apart: both versions are in the text, and
    /// the next edit of the record settles it. Never stored; found when read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
}

impl Meta {
    /// A fresh identity for a record created now.
    pub fn new(now: DateTime<Utc>) -> Meta {
        Meta {
            id: uuid::Uuid::new_v4().to_string(),
            created_at: now,
            updated_at: now,
            deleted: false,
            tags: Vec::new(),
            conflicts: Vec::new(),
        }
    }
}

impl Default for Meta {
    fn default() -> Self {
        Meta::new(Utc::now())
    }
}

/// The identity half of a record, implemented by [`entity_meta!`] for every kind.
pub trait Stored {
    const KIND: Kind;
    fn meta(&self) -> &Meta;
    fn meta_mut(&mut self) -> &mut Meta;
}

/// A kind of record the journal stores. Implemented by every struct in this module.
pub trait Entity:
    Stored + Serialize + DeserializeOwned + Clone + std::fmt::Debug + Into<Record>
{
    /// When the thing happened, which orders the timeline (back-dating allowed).
    fn occurred_at(&self) -> DateTime<Utc>;
    /// A one-line description for lists.
    fn title(&self) -> String;
    /// Checks the values a person typed; the error names the field.
    fn validate(&self) -> crate::Result<()> {
        Ok(())
    }
    fn id(&self) -> &str {
        &self.meta().id
    }
}

/// Implements [`Stored`] and the conversion into [`Record`] for a struct with a `meta` field.
macro_rules! entity_meta {
    ($ty:ident, $kind:ident) => {
        impl $crate::model::Stored for $ty {
            const KIND: $crate::model::Kind = $crate::model::Kind::$kind;
            fn meta(&self) -> &$crate::model::Meta {
                &self.meta
            }
            fn meta_mut(&mut self) -> &mut $crate::model::Meta {
                &mut self.meta
            }
        }

        impl From<$ty> for $crate::model::Record {
            fn from(value: $ty) -> Self {
                $crate::model::Record::$kind(value)
            }
        }
    };
}
pub(crate) use entity_meta;

/// Checks a 1-5 rating such as excitement, valence or a self-rating.
pub(crate) fn check_scale(field: &str, value: Option<u8>) -> crate::Result<()> {
    value.map_or(Ok(()), |v| crate::limits::SCALE.check(field, v.into()))
}

/// Checks that a text a person must give is not empty.
pub(crate) fn check_present(field: &str, value: &str) -> crate::Result<()> {
    if value.trim().is_empty() {
        Err(crate::Error::invalid(field, "it can't be empty"))
    } else {
        Ok(())
    }
}
