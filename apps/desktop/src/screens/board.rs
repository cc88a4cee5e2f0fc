//! The applications board: a column per stage (the core's order and labels), a card
//! per application, moved on only to the stages the core allows next.

use crate::html::{csrf_field, day, escape, options, page, Screen};
use crate::state::{Desk, Trouble};
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::Form;
use onward_core::model::application::stages_after;
use onward_core::model::{Application, Entity as _, Outcome, Stage};
use onward_core::vocabulary::Label;
use onward_core::zone::Zone;
use serde::Deserialize;

pub async fn show(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let (apps, zone) = desk
        .with_journal(|j| Ok((j.list::<Application>()?, j.zone())))
        .await?;
    let csrf = csrf_field(&desk);
    let columns: String = Stage::ALL
        .iter()
        .map(|&stage| {
            let cards: String = apps
                .iter()
                .filter(|a| a.stage == stage)
                .map(|a| card(a, &csrf, zone))
                .collect();
            let cards = if cards.is_empty() {
                "<p class=\"empty\">None here.</p>".to_string()
            } else {
                format!("<ul>{cards}</ul>")
            };
            let id = format!("stage-{stage}");
            format!(
                "<section class=\"column\" aria-labelledby=\"{id}\"><h2 id=\"{id}\">{}</h2>{cards}</section>",
                escape(stage.label())
            )
        })
        .collect();
    let body = if apps.is_empty() {
        "<h1>Applications</h1><p>No applications here yet. <a href=\"/applications/new\">Log your first one</a>.</p>".to_string()
    } else {
        format!("<h1>Applications</h1><div class=\"board\">{columns}</div>")
    };
    Ok(page(Screen::Board, "Applications", true, &body))
}

fn card(app: &Application, csrf: &str, zone: Zone) -> String {
    let id = escape(&app.meta.id);
    let title = escape(&app.title());
    let outcome = match app.outcome {
        Outcome::Open => String::new(),
        ended => format!("<p class=\"outcome\">{}</p>", escape(ended.label())),
    };
    let next = stages_after(app.stage, app.outcome);
    let mover = if next.is_empty() {
        String::new()
    } else {
        format!(
            "<form method=\"post\" action=\"/applications/{id}/stage\">{csrf}\
             <label for=\"stage-{id}\">Move to</label>\
             <select id=\"stage-{id}\" name=\"stage\">{}</select><button>Move</button></form>",
            options(next, Label::label, None)
        )
    };
    format!(
        "<li class=\"card\"><a href=\"/records/{id}\">{title}</a>{outcome}{mover}\
         <form method=\"post\" action=\"/applications/{id}/outcome\">{csrf}\
         <label for=\"outcome-{id}\">How it stands</label>\
         <select id=\"outcome-{id}\" name=\"outcome\">{}</select><button>Save</button></form>\
         <a href=\"/rejections/new?application={id}\">Log a no</a>\
         <details><summary>History<span class=\"visually-hidden\"> of {title}</span></summary>{}</details></li>",
        options(Outcome::ALL, Label::label, Some(app.outcome)),
        history(app, zone)
    )
}

/// Each step the application took, oldest first, on the day it happened.
pub fn history(app: &Application, zone: Zone) -> String {
    if app.history.is_empty() {
        return "<p class=\"empty\">No steps recorded yet.</p>".to_string();
    }
    let steps: String = app
        .history
        .iter()
        .map(|step| {
            let what = match (step.stage, step.outcome) {
                (Some(stage), _) => stage.label(),
                (None, Some(outcome)) => outcome.label(),
                (None, None) => "A step",
            };
            format!(
                "<li><time datetime=\"{}\">{}</time>: {}</li>",
                step.at.to_rfc3339(),
                escape(&day(step.at, zone)),
                escape(what)
            )
        })
        .collect();
    format!("<ol class=\"history\">{steps}</ol>")
}

#[derive(Deserialize)]
pub struct StageForm {
    stage: Stage,
}

pub async fn stage(
    State(desk): State<Desk>,
    Path(id): Path<String>,
    Form(form): Form<StageForm>,
) -> Result<Redirect, Trouble> {
    desk.with_journal(move |j| j.move_stage(&id, form.stage, None))
        .await?;
    Ok(Redirect::to("/board"))
}

#[derive(Deserialize)]
pub struct OutcomeForm {
    outcome: Outcome,
}

pub async fn outcome(
    State(desk): State<Desk>,
    Path(id): Path<String>,
    Form(form): Form<OutcomeForm>,
) -> Result<Redirect, Trouble> {
    desk.with_journal(move |j| j.set_outcome(&id, form.outcome, None))
        .await?;
    Ok(Redirect::to("/board"))
}
