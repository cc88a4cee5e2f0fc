//! Stepping back: planning an activity (with one idea from the core to start from), and
//! marking it done with how it felt before and after, on the core's mood scale.

use crate::html::{csrf_field, day, escape, options, page, Screen};
use crate::screens::contacts::given;
use crate::state::{Desk, Trouble};
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::Form;
use chrono::NaiveDate;
use onward_core::limits::SCALE;
use onward_core::model::{Activity, ActivityCategory};
use onward_core::vocabulary::{mood_face, Label};
use onward_core::zone::{self, Zone};
use serde::Deserialize;

pub async fn show(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let (mut activities, idea, zone) = desk
        .with_journal(|j| Ok((j.list::<Activity>()?, j.step_back_idea()?, j.zone())))
        .await?;
    activities.sort_by_key(|a| std::cmp::Reverse(a.planned_for.or(a.done_at)));
    let csrf = csrf_field(&desk);
    let (done, planned): (Vec<&Activity>, Vec<&Activity>) =
        activities.iter().partition(|a| a.done_at.is_some());
    let planned = if planned.is_empty() {
        "<p class=\"empty\">Nothing planned.</p>".to_string()
    } else {
        let items: String = planned.iter().map(|a| to_do(a, zone, &csrf)).collect();
        format!("<ul class=\"goals\" id=\"planned-list\">{items}</ul>")
    };
    let done = if done.is_empty() {
        "<p class=\"empty\">Nothing yet.</p>".to_string()
    } else {
        let items: String = done.iter().map(|a| finished(a, zone)).collect();
        format!("<ul class=\"records\" id=\"done-list\">{items}</ul>")
    };
    let body = format!(
        "<h1>Stepping back</h1>
<p>An idea, if you like: <span class=\"kind\">{idea_category}</span> {idea}</p>
<section aria-labelledby=\"plan\"><h2 id=\"plan\">Plan something</h2>
<form method=\"post\" action=\"/activities\" class=\"stack\">{csrf}
<label for=\"description\">What you'll do</label><input id=\"description\" name=\"description\" required value=\"{idea}\">
<label for=\"category\">What kind of thing</label><select id=\"category\" name=\"category\">{categories}</select>
<label for=\"planned\">On which day <small>(optional)</small></label><input id=\"planned\" name=\"planned\" type=\"date\">
<label for=\"mood_before\">How you feel now <small>(optional)</small></label>
<select id=\"mood_before\" name=\"mood_before\"><option value=\"\">—</option>{moods}</select>
<button>Plan it</button>
</form></section>
<section aria-labelledby=\"planned-h\"><h2 id=\"planned-h\">Planned</h2>{planned}</section>
<section aria-labelledby=\"done-h\"><h2 id=\"done-h\">Done</h2>{done}</section>",
        idea_category = escape(idea.category.label()),
        idea = escape(idea.text),
        categories = options(ActivityCategory::ALL, Label::label, Some(idea.category)),
        moods = moods(),
    );
    Ok(page(Screen::Activities, "Stepping back", true, &body))
}

/// The mood scale's `<option>`s, each with the core's face for it.
fn moods() -> String {
    (SCALE.min..=SCALE.max)
        .filter_map(|v| u8::try_from(v).ok())
        .map(|v| {
            let face = mood_face(v).unwrap_or_default();
            format!("<option value=\"{v}\">{v} · {}</option>", escape(face))
        })
        .collect()
}

fn to_do(a: &Activity, zone: Zone, csrf: &str) -> String {
    let id = escape(&a.meta.id);
    let when = a
        .planned_for
        .map(|at| format!(" <small>for {}</small>", escape(&day(at, zone))))
        .unwrap_or_default();
    format!(
        "<li class=\"card\"><span><span class=\"kind\">{kind}</span> <a href=\"/records/{id}\">{what}</a>{when}</span>\
         <form method=\"post\" action=\"/activities/{id}/done\">{csrf}\
         <label for=\"mood-after-{id}\">How you feel after</label>\
         <select id=\"mood-after-{id}\" name=\"mood_after\"><option value=\"\">—</option>{moods}</select>\
         <button>Done</button></form></li>",
        kind = escape(a.category.label()),
        what = escape(&a.description),
        moods = moods(),
    )
}

fn finished(a: &Activity, zone: Zone) -> String {
    let mood = match (
        a.mood_before.and_then(mood_face),
        a.mood_after.and_then(mood_face),
    ) {
        (Some(before), Some(after)) => format!(" · felt {before} before, {after} after"),
        (None, Some(after)) => format!(" · felt {after} after"),
        _ => String::new(),
    };
    let when = a.done_at.map(|at| day(at, zone)).unwrap_or_default();
    format!(
        "<li><span class=\"kind\">{}</span> <a href=\"/records/{}\">{}</a> <small>{}{}</small></li>",
        escape(a.category.label()),
        escape(&a.meta.id),
        escape(&a.description),
        escape(&when),
        escape(&mood)
    )
}

#[derive(Deserialize)]
pub struct NewActivity {
    description: String,
    category: ActivityCategory,
    #[serde(default)]
    planned: String,
    #[serde(default)]
    mood_before: String,
}

pub async fn create(
    State(desk): State<Desk>,
    Form(form): Form<NewActivity>,
) -> Result<Redirect, Trouble> {
    desk.with_journal(move |j| {
        let mut activity = Activity::new(form.category, form.description.trim());
        activity.planned_for = given(&form.planned)
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .map(|d| zone::day_start(d, j.zone()));
        activity.mood_before = form.mood_before.parse().ok();
        j.create(activity)
    })
    .await?;
    Ok(Redirect::to("/activities"))
}

#[derive(Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    mood_after: String,
}

pub async fn done(
    State(desk): State<Desk>,
    Path(id): Path<String>,
    Form(form): Form<DoneForm>,
) -> Result<Redirect, Trouble> {
    desk.with_journal(move |j| {
        let at = j.now();
        j.update::<Activity>(&id, |a| {
            a.mark_done(at, form.mood_after.parse().ok());
            Ok(())
        })
    })
    .await?;
    Ok(Redirect::to("/activities"))
}
