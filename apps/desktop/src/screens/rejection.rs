//! Logging a no, and the next small steps right after it, as the core offers them: a
//! check-in, one idea to step back, and the thank-you and feedback-request drafts, each
//! kept as a note with one click.

use crate::html::{csrf_field, escape, options, page, typed, Screen};
use crate::screens::message::keep_form;
use crate::screens::record_link;
use crate::state::{Desk, Trouble};
use axum::extract::{Query, State};
use axum::response::Html;
use axum::Form;
use onward_core::model::{Application, Entity as _, Kind, MessageKind, Reason, Rejection};
use onward_core::vocabulary::Label;
use serde::Deserialize;

pub async fn form(
    State(desk): State<Desk>,
    Query(chosen): Query<super::ForApplication>,
) -> Result<Html<String>, Trouble> {
    let apps = desk.with_journal(|j| j.list::<Application>()).await?;
    let open: Vec<&Application> = apps.iter().filter(|a| a.is_active()).collect();
    if open.is_empty() {
        let body = "<h1>Log a no</h1><p>There is no open application to close. <a href=\"/applications/new\">Log an application</a> first.</p>";
        return Ok(page(Screen::Other, "Log a no", false, body));
    }
    let choices = super::application_options(open.iter().copied(), chosen.application.as_deref());
    let body = format!(
        "<h1>Log a no</h1>
<p>It's allowed to sting. Keeping it here helps you see the whole road later.</p>
<form method=\"post\" action=\"/rejections\" class=\"stack\">{csrf}
<label for=\"application\">Which application</label><select id=\"application\" name=\"application\">{choices}</select>
<label for=\"reason\">The reason they gave</label><select id=\"reason\" name=\"reason\">{reasons}</select>
<label for=\"message\">Their message <small>(optional, to keep)</small></label><textarea id=\"message\" name=\"message\" rows=\"5\"></textarea>
<button>Log it</button>
</form>",
        csrf = csrf_field(&desk),
        reasons = options(Reason::ALL, Label::label, Some(Reason::None)),
    );
    Ok(page(Screen::Other, "Log a no", false, &body))
}

#[derive(Deserialize)]
pub struct NewRejection {
    application: String,
    reason: Reason,
    #[serde(default)]
    message: String,
}

pub async fn create(
    State(desk): State<Desk>,
    Form(form): Form<NewRejection>,
) -> Result<Html<String>, Trouble> {
    let (logged, app) = desk
        .with_journal(move |j| {
            let mut rejection = Rejection::new(form.application, j.now());
            rejection.reason = form.reason;
            rejection.message_text = typed(form.message.trim());
            let logged = j.log_rejection(rejection, false)?;
            let app: Application = j.get(&logged.rejection.application_id)?;
            Ok((logged, app))
        })
        .await?;
    let steps = &logged.next_steps;
    let body = format!(
        "<h1>Noted. That was one opening, not a verdict on you.</h1>
<p>{app}</p>
<section aria-labelledby=\"next\"><h2 id=\"next\">Next small steps, if you like</h2>
<ol class=\"steps\">
<li><p>{check_in}</p></li>
<li><p><span class=\"kind\">{category}</span> {idea}</p></li>
<li>{thanks}</li>
<li>{feedback}</li>
</ol></section>
<p><a href=\"/\">Back to Today</a></p>",
        app = record_link(&app.meta.id, Some(Kind::Application), &app.title()),
        check_in = escape(&steps.check_in),
        category = escape(steps.step_back.category.label()),
        idea = escape(steps.step_back.text),
        thanks = keep_form(
            &desk,
            MessageKind::ThankYou,
            &app.meta.id,
            steps.contact_id.as_deref(),
            "thanks",
            &steps.thank_you_draft
        ),
        feedback = keep_form(
            &desk,
            MessageKind::FeedbackRequest,
            &app.meta.id,
            steps.contact_id.as_deref(),
            "feedback",
            &steps.feedback_request_draft
        ),
    );
    Ok(page(Screen::Other, "A no, noted", false, &body))
}
