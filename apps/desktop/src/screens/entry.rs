//! Journal entries: the list, and a long-form editor with the prompts of the entry's
//! kind. The draft is the entry itself: `editor.js` saves it into the journal as the
//! person types (the first save creates it, later ones update it), so a closed tab or
//! a crash loses at most the last couple of seconds, and reopening it brings it back.

use crate::html::{csrf_field, day, escape, options, page, typed, Screen};
use crate::screens::record_link;
use crate::state::{Desk, Trouble};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use onward_core::model::{Entity as _, Entry, EntryKind};
use onward_core::vocabulary::Label;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The field names that carry a prompt's answer: `answer.<prompt id>`.
const ANSWER: &str = "answer.";

pub async fn list(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let (mut entries, zone) = desk
        .with_journal(|j| Ok((j.list::<Entry>()?, j.zone())))
        .await?;
    entries.sort_by_key(|e| std::cmp::Reverse(e.written_at));
    let written = if entries.is_empty() {
        "<p class=\"empty\">Nothing written yet. A few lines are plenty.</p>".to_string()
    } else {
        let items: String = entries
            .iter()
            .map(|e| {
                format!(
                    "<li><a href=\"/entries/{}\">{}</a> <small>· {}</small></li>",
                    escape(&e.meta.id),
                    escape(&e.title()),
                    day(e.written_at, zone)
                )
            })
            .collect();
        format!("<ul class=\"records\">{items}</ul>")
    };
    let body = format!(
        "<h1>Journal</h1>
<form method=\"get\" action=\"/entries/new\" class=\"stack\">
<label for=\"kind\">What would you like to write?</label>
<select id=\"kind\" name=\"kind\">{kinds}</select>
<button>Start writing</button>
</form>
<section aria-labelledby=\"written\"><h2 id=\"written\">Written so far</h2>{written}</section>",
        kinds = options(EntryKind::ALL, Label::label, Some(EntryKind::Free)),
    );
    Ok(page(Screen::Journal, "Journal", true, &body))
}

#[derive(Deserialize)]
pub struct NewKind {
    kind: Option<EntryKind>,
}

pub async fn new(State(desk): State<Desk>, Query(chosen): Query<NewKind>) -> Html<String> {
    let kind = chosen.kind.unwrap_or(EntryKind::Free);
    // Not in the journal until its first save: no id yet.
    let mut entry = Entry::new(kind, "", chrono::DateTime::UNIX_EPOCH);
    entry.meta.id.clear();
    editor(&desk, &entry, None)
}

pub async fn edit(
    State(desk): State<Desk>,
    Path(id): Path<String>,
) -> Result<Html<String>, Trouble> {
    let entry = desk.with_journal(move |j| j.get::<Entry>(&id)).await?;
    let about = entry.application_id.clone();
    let about = match about {
        Some(id) => Some(desk.with_journal(move |j| j.record(&id)).await?),
        None => None,
    };
    let about = about.map(|r| record_link(r.id(), Some(r.kind()), &r.title()));
    Ok(editor(&desk, &entry, about))
}

/// The editor for `entry`: new (no id yet) or already in the journal.
fn editor(desk: &Desk, entry: &Entry, about: Option<String>) -> Html<String> {
    let set = entry.prompt_set_answered();
    let answers: String = set
        .prompts
        .iter()
        .map(|p| {
            let answer = entry.answers.get(p.id).map(String::as_str).unwrap_or("");
            format!(
                "<label for=\"a-{id}\">{text}</label><textarea id=\"a-{id}\" name=\"{ANSWER}{id}\" rows=\"4\">{answer}</textarea>",
                id = escape(p.id),
                text = escape(p.text),
                answer = escape(answer),
            )
        })
        .collect();
    let body_label = if set.prompts.is_empty() {
        "Your words"
    } else {
        "Anything else <small>(optional)</small>"
    };
    let about = about
        .map(|link| format!("<p>About {link}</p>"))
        .unwrap_or_default();
    let saved = if entry.meta.id.is_empty() {
        "Nothing to save yet. What you write is kept as you type."
    } else {
        "Saved in your journal. What you write is kept as you type."
    };
    let body = format!(
        "<p class=\"kind\">{kind_label}</p><h1>{intro}</h1>{about}
<form method=\"post\" action=\"/entries\" class=\"stack editor\" id=\"entry-editor\">{csrf}
<input type=\"hidden\" name=\"id\" value=\"{id}\"><input type=\"hidden\" name=\"kind\" value=\"{kind}\">
{answers}
<label for=\"body\">{body_label}</label><textarea id=\"body\" name=\"body\" rows=\"12\">{text}</textarea>
<p id=\"save-status\" role=\"status\">{saved}</p>
<button>Keep it</button>
</form>
<p><a href=\"/entries\">All your entries</a></p>
<script src=\"/assets/editor.js\" defer></script>",
        kind_label = escape(entry.kind.label()),
        intro = escape(set.intro),
        csrf = csrf_field(desk),
        id = escape(&entry.meta.id),
        kind = entry.kind,
        text = escape(&entry.body),
    );
    page(Screen::Journal, entry.kind.label(), false, &body)
}

/// `POST /entries`: creates the entry (no id yet) or updates it. The editor's script
/// asks for JSON (`{"id": ...}`); a plain form post goes back to the editor.
pub async fn save(
    State(desk): State<Desk>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Trouble> {
    let mut id = String::new();
    let mut kind = EntryKind::Free;
    let mut text = String::new();
    let mut answers = BTreeMap::new();
    for (name, value) in fields {
        match name.as_str() {
            "id" => id = value.trim().to_string(),
            "kind" => kind = value.parse()?,
            "body" => text = typed(&value),
            _ => {
                if let Some(prompt) = name.strip_prefix(ANSWER) {
                    if !value.trim().is_empty() {
                        answers.insert(prompt.to_string(), typed(&value));
                    }
                }
            }
        }
    }
    let entry = desk
        .with_journal(move |j| {
            if id.is_empty() {
                let mut entry = Entry::new(kind, text, j.now());
                entry.answers = answers;
                j.add_entry(entry)
            } else {
                j.update::<Entry>(&id, |e| {
                    e.body = text;
                    e.answers = answers;
                    Ok(())
                })
            }
        })
        .await?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    Ok(if wants_json {
        Json(serde_json::json!({ "id": entry.meta.id, "title": entry.title() })).into_response()
    } else {
        Redirect::to(&format!("/entries/{}", entry.meta.id)).into_response()
    })
}
