//! One module per screen: what it reads from the journal and how it draws it.

pub mod activities;
pub mod application;
pub mod board;
pub mod contacts;
pub mod entry;
pub mod export;
pub mod goals;
pub mod import;
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
use onward_core::model::{Application, Entity as _, Kind};
use onward_core::vocabulary::Label;

/// The application a form was opened for (`?application=ID`), if any.
#[derive(serde::Deserialize)]
pub struct ForApplication {
    pub application: Option<String>,
}

/// The `<option>`s of an application chooser, titled as the core titles them, with
/// `chosen` (an id from the address) selected.
pub fn application_options<'a>(
    apps: impl IntoIterator<Item = &'a Application>,
    chosen: Option<&str>,
) -> String {
    apps.into_iter()
        .map(|a| {
            let selected = chosen == Some(a.meta.id.as_str());
            format!(
                "<option value=\"{}\"{}>{}</option>",
                escape(&a.meta.id),
                if selected { " selected" } else { "" },
                escape(&a.title())
            )
        })
        .collect()
}

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
