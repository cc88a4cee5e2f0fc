//! Goals: adding one, and moving it along (progress, where it stands) by the core's
//! rules on `Goal`.

use crate::html::{csrf_field, escape, options, page, Screen};
use crate::state::{Desk, Trouble};
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::Form;
use onward_core::limits::PERCENT;
use onward_core::model::{Goal, GoalKind, GoalStatus};
use onward_core::vocabulary::Label;
use serde::Deserialize;

pub async fn show(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let goals = desk.with_journal(|j| j.list::<Goal>()).await?;
    let csrf = csrf_field(&desk);
    let list = if goals.is_empty() {
        "<p class=\"empty\">No goals yet. One small one is plenty.</p>".to_string()
    } else {
        let items: String = goals.iter().map(|g| card(g, &csrf)).collect();
        format!("<ul class=\"goals\" id=\"goal-list\">{items}</ul>")
    };
    let body = format!(
        "<h1>Goals</h1>{list}
<section aria-labelledby=\"add\"><h2 id=\"add\">Add a goal</h2>
<form method=\"post\" action=\"/goals\" class=\"stack\">{csrf}
<label for=\"title\">What you want to get to</label><input id=\"title\" name=\"title\" required>
<label for=\"kind\">What kind of goal</label><select id=\"kind\" name=\"kind\">{kinds}</select>
<button>Add it</button>
</form></section>",
        kinds = options(GoalKind::ALL, Label::label, None),
    );
    Ok(page(Screen::Goals, "Goals", true, &body))
}

fn card(g: &Goal, csrf: &str) -> String {
    let id = escape(&g.meta.id);
    format!(
        "<li class=\"card\"><a href=\"/records/{id}\">{title}</a>\
         <p class=\"outcome\"><span class=\"kind\">{kind}</span> {status} · {progress}%</p>\
         <progress max=\"{max}\" value=\"{progress}\" aria-label=\"{title}: {progress}%\">{progress}%</progress>\
         <form method=\"post\" action=\"/goals/{id}/progress\">{csrf}\
         <label for=\"progress-{id}\">How far along, in percent</label>\
         <input id=\"progress-{id}\" name=\"percent\" type=\"number\" min=\"{min}\" max=\"{max}\" value=\"{progress}\" required>\
         <button>Save progress</button></form>\
         <form method=\"post\" action=\"/goals/{id}/status\">{csrf}\
         <label for=\"status-{id}\">Where it stands</label>\
         <select id=\"status-{id}\" name=\"status\">{statuses}</select><button>Save</button></form></li>",
        title = escape(&g.title),
        kind = escape(g.kind.label()),
        status = escape(g.status.label()),
        progress = g.progress,
        min = PERCENT.min,
        max = PERCENT.max,
        statuses = options(GoalStatus::ALL, Label::label, Some(g.status)),
    )
}

#[derive(Deserialize)]
pub struct NewGoal {
    title: String,
    kind: GoalKind,
}

pub async fn create(
    State(desk): State<Desk>,
    Form(form): Form<NewGoal>,
) -> Result<Redirect, Trouble> {
    desk.with_journal(move |j| j.create(Goal::new(form.kind, form.title.trim())))
        .await?;
    Ok(Redirect::to("/goals"))
}

#[derive(Deserialize)]
pub struct ProgressForm {
    percent: u8,
}

pub async fn progress(
    State(desk): State<Desk>,
    Path(id): Path<String>,
    Form(form): Form<ProgressForm>,
) -> Result<Redirect, Trouble> {
    desk.with_journal(move |j| {
        j.update::<Goal>(&id, |g| {
            g.set_progress(form.percent);
            Ok(())
        })
    })
    .await?;
    Ok(Redirect::to("/goals"))
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: GoalStatus,
}

pub async fn status(
    State(desk): State<Desk>,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Redirect, Trouble> {
    desk.with_journal(move |j| {
        j.update::<Goal>(&id, |g| {
            g.set_status(form.status);
            Ok(())
        })
    })
    .await?;
    Ok(Redirect::to("/goals"))
}
