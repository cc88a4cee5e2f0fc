//! Today: the greeting, the due reminders (done or later), the latest records and the
//! quick logs, all from the core's `Journal::today`.

use crate::html::{csrf_field, day, escape, page, Screen};
use crate::screens::record_link;
use crate::state::{Desk, Trouble};
use axum::extract::State;
use axum::response::{Html, Redirect};
use axum::Form;
use serde::Deserialize;

pub async fn show(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let (today, zone) = desk.with_journal(|j| Ok((j.today()?, j.zone()))).await?;
    let csrf = csrf_field(&desk);
    let reminders = if today.reminders.is_empty() {
        "<p>Nothing is due. A quiet moment is allowed too.</p>".to_string()
    } else {
        let items: String = today
            .reminders
            .iter()
            .map(|r| {
                let key = escape(&r.key);
                let title = escape(&r.title);
                format!(
                    "<li><span>{title} <small>· {}</small></span>\
                     <form method=\"post\" action=\"/reminders/done\">{csrf}<input type=\"hidden\" name=\"key\" value=\"{key}\">\
                     <button aria-label=\"Done: {title}\">Done</button></form>\
                     <form method=\"post\" action=\"/reminders/snooze\">{csrf}<input type=\"hidden\" name=\"key\" value=\"{key}\">\
                     <button aria-label=\"Tomorrow: {title}\">Tomorrow</button></form></li>",
                    day(r.due_at, zone)
                )
            })
            .collect();
        let more = match today.more {
            0 => String::new(),
            n => format!("<p>And {n} more for later.</p>"),
        };
        format!("<ul class=\"reminders\">{items}</ul>{more}")
    };
    let recent = if today.recent.is_empty() {
        "<p>Nothing logged yet. Your first step can be a small one.</p>".to_string()
    } else {
        let items: String = today
            .recent
            .iter()
            .map(|l| {
                format!(
                    "<li>{}</li>",
                    record_link(l.record.id(), Some(l.record.kind()), &l.title)
                )
            })
            .collect();
        format!("<ul class=\"records\">{items}</ul>")
    };
    let body = format!(
        "<h1>{greeting}</h1>
<p class=\"pulse\">{active} open applications · {week} things logged this week</p>
<section aria-labelledby=\"due\"><h2 id=\"due\">Due now</h2>{reminders}</section>
<section aria-labelledby=\"quick\"><h2 id=\"quick\">Quick log</h2>
<ul class=\"quick\"><li><a href=\"/applications/new\">An application</a></li><li><a href=\"/interviews/new\">An interview</a></li><li><a href=\"/rejections/new\">A no</a></li><li><a href=\"/entries\">Some writing</a></li><li><a href=\"/messages/new\">A note to someone</a></li><li><a href=\"/board\">Move an application on</a></li></ul></section>
<section aria-labelledby=\"recent\"><h2 id=\"recent\">Lately</h2>{recent}</section>",
        greeting = escape(today.greeting),
        active = today.active_applications,
        week = today.logged_this_week,
    );
    Ok(page(Screen::Today, "Today", true, &body))
}

#[derive(Deserialize)]
pub struct ReminderForm {
    key: String,
}

pub async fn done(
    State(desk): State<Desk>,
    Form(form): Form<ReminderForm>,
) -> Result<Redirect, Trouble> {
    desk.with_journal(move |j| j.complete_reminder(&form.key))
        .await?;
    Ok(Redirect::to("/"))
}

/// Later means tomorrow, as in the CLI.
pub async fn snooze(
    State(desk): State<Desk>,
    Form(form): Form<ReminderForm>,
) -> Result<Redirect, Trouble> {
    desk.with_journal(move |j| {
        let until = j.now() + chrono::Duration::days(1);
        j.snooze_reminder(&form.key, until)
    })
    .await?;
    Ok(Redirect::to("/"))
}
