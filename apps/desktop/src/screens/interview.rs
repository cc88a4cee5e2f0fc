//! Logging an interview: which application, what kind, when, who asked, what they
//! asked and how it felt. The core moves the application on and keeps the people.

use crate::html::{csrf_field, options, page, typed, Screen};
use crate::state::{Desk, Trouble};
use axum::extract::{Query, State};
use axum::response::{Html, Redirect};
use axum::Form;
use chrono::NaiveDateTime;
use onward_core::model::{Application, Interview, InterviewKind};
use onward_core::vocabulary::Label;
use onward_core::{limits, zone, Error};
use serde::Deserialize;

/// The `datetime-local` control's format.
const LOCAL_TIME: &str = "%Y-%m-%dT%H:%M";

pub async fn form(
    State(desk): State<Desk>,
    Query(chosen): Query<super::ForApplication>,
) -> Result<Html<String>, Trouble> {
    let (apps, now) = desk
        .with_journal(|j| {
            let local = j.now().with_timezone(&j.zone()).naive_local();
            Ok((j.list::<Application>()?, local))
        })
        .await?;
    let open: Vec<&Application> = apps.iter().filter(|a| a.is_active()).collect();
    if open.is_empty() {
        let body = "<h1>Log an interview</h1><p>There is no open application to log it for. <a href=\"/applications/new\">Log an application</a> first.</p>";
        return Ok(page(Screen::Other, "Log an interview", false, body));
    }
    let choices = super::application_options(open.iter().copied(), chosen.application.as_deref());
    let scale = limits::SCALE;
    let ratings: String = (scale.min..=scale.max)
        .map(|n| format!("<option value=\"{n}\">{n}</option>"))
        .collect();
    let body = format!(
        "<h1>Log an interview</h1>
<p>Write it down while it's fresh; the questions are gold for the next one.</p>
<form method=\"post\" action=\"/interviews\" class=\"stack\">{csrf}
<label for=\"application\">Which application</label><select id=\"application\" name=\"application\">{choices}</select>
<label for=\"kind\">What kind of conversation</label><select id=\"kind\" name=\"kind\">{kinds}</select>
<label for=\"at\">When</label><input id=\"at\" name=\"at\" type=\"datetime-local\" required value=\"{now}\">
<label for=\"interviewers\">Who you talked with <small>(names, separated by commas)</small></label><input id=\"interviewers\" name=\"interviewers\">
<label for=\"questions\">The questions they asked <small>(one a line)</small></label><textarea id=\"questions\" name=\"questions\" rows=\"5\"></textarea>
<label for=\"rating\">How it felt <small>({min} hard, {max} went well)</small></label><select id=\"rating\" name=\"rating\"><option value=\"\">Rather not say</option>{ratings}</select>
<label for=\"notes\">Notes <small>(optional)</small></label><textarea id=\"notes\" name=\"notes\" rows=\"4\"></textarea>
<button>Log it</button>
</form>",
        csrf = csrf_field(&desk),
        kinds = options(InterviewKind::ALL, Label::label, None),
        now = now.format(LOCAL_TIME),
        min = scale.min,
        max = scale.max,
    );
    Ok(page(Screen::Other, "Log an interview", false, &body))
}

#[derive(Deserialize)]
pub struct NewInterview {
    application: String,
    kind: InterviewKind,
    at: String,
    #[serde(default)]
    interviewers: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    notes: String,
}

pub async fn create(
    State(desk): State<Desk>,
    Form(form): Form<NewInterview>,
) -> Result<Redirect, Trouble> {
    let local = NaiveDateTime::parse_from_str(form.at.trim(), LOCAL_TIME)
        .map_err(|_| Error::invalid("when", "give a day and a time"))?;
    let rating = match form.rating.trim() {
        "" => None,
        n => Some(
            n.parse::<u8>()
                .map_err(|_| Error::invalid("how it felt", "choose one of the faces"))?,
        ),
    };
    let interview = desk
        .with_journal(move |j| {
            let mut interview =
                Interview::new(form.application, form.kind, zone::instant(local, j.zone()));
            interview.questions = lines(&form.questions);
            interview.self_rating = rating;
            interview.notes = typed(form.notes.trim());
            let interviewers: Vec<String> = form
                .interviewers
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect();
            j.log_interview(interview, &interviewers)
        })
        .await?;
    Ok(Redirect::to(&format!("/records/{}", interview.meta.id)))
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}
