//! Any record, whatever its kind: what the timeline, `show` and the index work with.

use super::*;
use serde_json::Value as Json;

/// One record of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Application(Application),
    Interview(Interview),
    Contact(Contact),
    Rejection(Rejection),
    Message(Message),
    Entry(Entry),
    Mood(Mood),
    Activity(Activity),
    Goal(Goal),
}

/// Runs `$body` with `$e` bound to the typed record inside, whatever its kind.
macro_rules! each_kind {
    ($record:expr, $e:ident => $body:expr) => {
        match $record {
            Record::Application($e) => $body,
            Record::Interview($e) => $body,
            Record::Contact($e) => $body,
            Record::Rejection($e) => $body,
            Record::Message($e) => $body,
            Record::Entry($e) => $body,
            Record::Mood($e) => $body,
            Record::Activity($e) => $body,
            Record::Goal($e) => $body,
        }
    };
}

impl Record {
    /// Reads a record of `kind` from its JSON form (as stored in the document).
    pub fn from_json(kind: Kind, json: Json) -> crate::Result<Record> {
        fn typed<E: Entity>(json: Json) -> crate::Result<Record> {
            serde_json::from_value::<E>(json)
                .map(Into::into)
                .map_err(|e| crate::Error::Document(format!("a {} record: {e}", E::KIND)))
        }
        match kind {
            Kind::Application => typed::<Application>(json),
            Kind::Interview => typed::<Interview>(json),
            Kind::Contact => typed::<Contact>(json),
            Kind::Rejection => typed::<Rejection>(json),
            Kind::Message => typed::<Message>(json),
            Kind::Entry => typed::<Entry>(json),
            Kind::Mood => typed::<Mood>(json),
            Kind::Activity => typed::<Activity>(json),
            Kind::Goal => typed::<Goal>(json),
        }
    }

    /// The record's fields as JSON, without the kind tag.
    pub fn to_json(&self) -> Json {
        each_kind!(self, e => serde_json::to_value(e).expect("records serialise"))
    }

    pub fn kind(&self) -> Kind {
        each_kind!(self, e => kind_of(e))
    }

    pub fn meta(&self) -> &Meta {
        each_kind!(self, e => e.meta())
    }

    pub fn meta_mut(&mut self) -> &mut Meta {
        each_kind!(self, e => e.meta_mut())
    }

    pub fn id(&self) -> &str {
        &self.meta().id
    }

    pub fn title(&self) -> String {
        each_kind!(self, e => e.title())
    }

    pub fn occurred_at(&self) -> chrono::DateTime<chrono::Utc> {
        each_kind!(self, e => e.occurred_at())
    }

    pub fn validate(&self) -> crate::Result<()> {
        each_kind!(self, e => e.validate())
    }

    /// The application this record belongs to, if any (an application belongs to itself).
    pub fn application_id(&self) -> Option<&str> {
        match self {
            Record::Application(a) => Some(&a.meta.id),
            Record::Interview(i) => Some(&i.application_id),
            Record::Rejection(r) => Some(&r.application_id),
            Record::Message(m) => m.application_id.as_deref(),
            Record::Entry(e) => e.application_id.as_deref(),
            Record::Mood(m) => m.application_id.as_deref(),
            Record::Contact(_) | Record::Activity(_) | Record::Goal(_) => None,
        }
    }
}

fn kind_of<E: Entity>(_: &E) -> Kind {
    E::KIND
}
