//! One module per screen: what it reads from the journal and how it draws it.

pub mod activities;
pub mod application;
pub mod board;
pub mod contacts;
pub mod entry;
pub mod goals;
pub mod interview;
pub mod message;
pub mod record;
pub mod rejection;
pub mod search;
pub mod sync;
pub mod today;
// The big picture and the reports.
pub mod coach;
pub mod period;
pub mod picture;
pub mod work_search;

use crate::html::escape;
use onward_core::model::Kind;
use onward_core::vocabulary::Label;

/// A link to a record's detail, titled as the core titles it.
pub fn record_link(id: &str, kind: Option<Kind>, title: &str) -> String {
    let kind = kind
        .map(|k| format!("<span class=\"kind\">{}</span> ", escape(k.label())))
        .unwrap_or_default();
    format!(
        "{kind}<a href=\"/records/{}\">{}</a>",
        escape(id),
        escape(title)
    )
}
