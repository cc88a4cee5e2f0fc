//! Notes to people: drafted from the core's templates (or kept from the steps after a
//! no), edited and kept, marked sent, and how they were answered: a reply with its
//! summary, a polite decline, or no reply at all.

use crate::html::{csrf_field, day, escape, options, page, typed, Screen};
use crate::screens::record_link;
use crate::state::{Desk, Trouble};
use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use axum::Form;
use onward_core::model::{Application, Entity as _, Message, MessageKind, MessageStatus};
use onward_core::vocabulary::Label;
use serde::Deserialize;

/// How a sent note can be answered.
const ANSWERS: &[MessageStatus] = &[
    MessageStatus::Replied,
    MessageStatus::Declined,
    MessageStatus::NoReply,
];

pub async fn list(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let (mut messages, zone) = desk
        .with_journal(|j| Ok((j.list::<Message>()?, j.zone())))
        .await?;
    messages.sort_by_key(|m| std::cmp::Reverse(m.occurred_at()));
    let notes = if messages.is_empty() {
        "<p class=\"empty\">No notes yet. A short thank-you goes a long way.</p>".to_string()
    } else {
        let items: String = messages
            .iter()
            .map(|m| {
                format!(
                    "<li><a href=\"/messages/{}\">{}</a> <small>· {} · {}</small></li>",
                    escape(&m.meta.id),
                    escape(m.kind.label()),
                    escape(m.status.label()),
                    day(m.occurred_at(), zone)
                )
            })
            .collect();
        format!("<ul class=\"records\">{items}</ul>")
    };
    let body = format!(
        "<h1>Notes</h1>
<p><a href=\"/messages/new\">Draft a note</a></p>
<section aria-labelledby=\"notes\"><h2 id=\"notes\">Your notes</h2>{notes}</section>"
    );
    Ok(page(Screen::Messages, "Notes", true, &body))
}

#[derive(Deserialize)]
pub struct Chosen {
    application: Option<String>,
    kind: Option<MessageKind>,
}

pub async fn form(
    State(desk): State<Desk>,
    Query(chosen): Query<Chosen>,
) -> Result<Html<String>, Trouble> {
    let apps = desk.with_journal(|j| j.list::<Application>()).await?;
    let choices = super::application_options(&apps, chosen.application.as_deref());
    let body = format!(
        "<h1>Draft a note</h1>
<p>Start from a template filled with what your journal knows, then make it yours.</p>
<form method=\"post\" action=\"/messages\" class=\"stack\">{csrf}
<label for=\"kind\">What kind of note</label><select id=\"kind\" name=\"kind\">{kinds}</select>
<label for=\"application\">About which application <small>(optional)</small></label>
<select id=\"application\" name=\"application\"><option value=\"\">None in particular</option>{choices}</select>
<label for=\"moment\">One moment worth mentioning <small>(optional, for a thank-you)</small></label><input id=\"moment\" name=\"moment\">
<button>Draft it</button>
</form>",
        csrf = csrf_field(&desk),
        kinds = options(MessageKind::ALL, Label::label, chosen.kind),
    );
    Ok(page(Screen::Messages, "Draft a note", false, &body))
}

#[derive(Deserialize)]
pub struct NewMessage {
    kind: MessageKind,
    #[serde(default)]
    application: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    moment: String,
    /// A text already written (kept from the steps after a no); else the template.
    body: Option<String>,
}

/// `POST /messages`: a draft, kept in the journal, then its page to edit and send it.
pub async fn create(
    State(desk): State<Desk>,
    Form(form): Form<NewMessage>,
) -> Result<Redirect, Trouble> {
    let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let message = desk
        .with_journal(move |j| {
            j.draft_message(
                form.kind,
                given(&form.application).as_deref(),
                given(&form.contact).as_deref(),
                given(&form.moment).as_deref(),
                form.body
                    .filter(|b| !b.trim().is_empty())
                    .map(|b| typed(&b)),
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/messages/{}", message.meta.id)))
}

pub async fn show(
    State(desk): State<Desk>,
    Path(id): Path<String>,
) -> Result<Html<String>, Trouble> {
    let (message, about, zone) = desk
        .with_journal(move |j| {
            let message: Message = j.get(&id)?;
            let about = [&message.application_id, &message.contact_id]
                .into_iter()
                .flatten()
                .map(|id| j.record(id))
                .collect::<onward_core::Result<Vec<_>>>()?;
            Ok((message, about, j.zone()))
        })
        .await?;
    let csrf = csrf_field(&desk);
    let id = escape(&message.meta.id);
    let about: String = about
        .iter()
        .map(|r| {
            format!(
                "<li>{}</li>",
                record_link(r.id(), Some(r.kind()), &r.title())
            )
        })
        .collect();
    let about = if about.is_empty() {
        String::new()
    } else {
        format!("<ul class=\"records\">{about}</ul>")
    };
    let when = match (message.sent_at, message.reply_at) {
        (_, Some(reply)) => format!("Answered {}", day(reply, zone)),
        (Some(sent), None) => format!("Sent {}", day(sent, zone)),
        (None, None) => format!("Drafted {}", day(message.drafted_at, zone)),
    };
    let next = match message.status {
        MessageStatus::Draft => format!(
            "<form method=\"post\" action=\"/messages/{id}/sent\">{csrf}<button>I sent it</button></form>"
        ),
        MessageStatus::Sent => format!(
            "<section aria-labelledby=\"answer\"><h2 id=\"answer\">How was it answered?</h2>
<form method=\"post\" action=\"/messages/{id}/answer\" class=\"stack\">{csrf}
<label for=\"status\">What happened</label><select id=\"status\" name=\"status\">{answers}</select>
<label for=\"summary\">What they said, in a line <small>(optional)</small></label><input id=\"summary\" name=\"summary\">
<button>Save the answer</button>
</form></section>",
            answers = options(ANSWERS, Label::label, None),
        ),
        _ if message.reply_summary.is_empty() => String::new(),
        _ => format!(
            "<h2>What they said</h2><p>{}</p>",
            escape(&message.reply_summary)
        ),
    };
    let body = format!(
        "<p class=\"kind\">{kind}</p><h1>{status}</h1>
<p class=\"pulse\">{when}</p>{about}
<form method=\"post\" action=\"/messages/{id}/text\" class=\"stack\">{csrf}
<label for=\"text\">The note</label><textarea id=\"text\" name=\"text\" rows=\"12\">{text}</textarea>
<button>Keep changes</button>
</form>
{next}
<p><a href=\"/messages\">All your notes</a></p>",
        kind = escape(message.kind.label()),
        status = escape(message.status.label()),
        text = escape(&message.body),
    );
    Ok(page(Screen::Messages, message.kind.label(), false, &body))
}

#[derive(Deserialize)]
pub struct Text {
    text: String,
}

pub async fn text(
    State(desk): State<Desk>,
    Path(id): Path<String>,
    Form(form): Form<Text>,
) -> Result<Redirect, Trouble> {
    let message = desk
        .with_journal(move |j| {
            j.update::<Message>(&id, |m| {
                m.body = typed(&form.text);
                Ok(())
            })
        })
        .await?;
    Ok(Redirect::to(&format!("/messages/{}", message.meta.id)))
}

pub async fn sent(State(desk): State<Desk>, Path(id): Path<String>) -> Result<Redirect, Trouble> {
    let message = desk.with_journal(move |j| j.mark_sent(&id, None)).await?;
    Ok(Redirect::to(&format!("/messages/{}", message.meta.id)))
}

#[derive(Deserialize)]
pub struct Answer {
    status: MessageStatus,
    #[serde(default)]
    summary: String,
}

pub async fn answer(
    State(desk): State<Desk>,
    Path(id): Path<String>,
    Form(form): Form<Answer>,
) -> Result<Redirect, Trouble> {
    let summary = Some(form.summary.trim().to_string()).filter(|s| !s.is_empty());
    let message = desk
        .with_journal(move |j| j.record_reply(&id, form.status, summary, None))
        .await?;
    Ok(Redirect::to(&format!("/messages/{}", message.meta.id)))
}

/// A form that keeps a drafted text as a note about `application` (used after a no).
pub fn keep_form(
    desk: &Desk,
    kind: MessageKind,
    application: &str,
    contact: Option<&str>,
    field: &str,
    draft: &str,
) -> String {
    format!(
        "<form method=\"post\" action=\"/messages\" class=\"stack\">{csrf}
<input type=\"hidden\" name=\"kind\" value=\"{kind}\"><input type=\"hidden\" name=\"application\" value=\"{app}\"><input type=\"hidden\" name=\"contact\" value=\"{contact}\">
<label for=\"{field}\">{label}</label><textarea id=\"{field}\" name=\"body\" rows=\"7\">{draft}</textarea>
<button>Keep this {lower}</button>
</form>",
        csrf = csrf_field(desk),
        app = escape(application),
        contact = escape(contact.unwrap_or("")),
        label = escape(kind.label()),
        lower = escape(&kind.label().to_lowercase()),
        draft = escape(draft),
    )
}
