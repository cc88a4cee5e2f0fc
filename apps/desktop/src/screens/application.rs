//! Logging an application: company, role, where it came from, and whether it went out.

use crate::html::{csrf_field, options, page, Screen};
use crate::state::{Desk, Trouble};
use axum::extract::State;
use axum::response::{Html, Redirect};
use axum::Form;
use onward_core::model::{Application, Source};
use onward_core::vocabulary::Label;
use serde::Deserialize;

pub async fn form(State(desk): State<Desk>) -> Html<String> {
    let body = format!(
        "<h1>Log an application</h1>
<form method=\"post\" action=\"/applications\" class=\"stack\">{csrf}
<label for=\"company\">Company</label><input id=\"company\" name=\"company\" required autocomplete=\"organization\">
<label for=\"role\">Role</label><input id=\"role\" name=\"role\" required>
<label for=\"url\">Link to the posting <small>(optional)</small></label><input id=\"url\" name=\"url\" type=\"url\">
<label for=\"source\">Where you found it <small>(optional)</small></label>
<select id=\"source\" name=\"source\"><option value=\"\">—</option>{sources}</select>
<div class=\"check\"><input id=\"applied\" name=\"applied\" type=\"checkbox\" value=\"yes\" checked><label for=\"applied\">I applied today (untick to save it for later)</label></div>
<button>Log it</button>
</form>",
        csrf = csrf_field(&desk),
        sources = options(Source::ALL, Label::label, None),
    );
    page(Screen::NewApplication, "Log an application", false, &body)
}

#[derive(Deserialize)]
pub struct NewApplication {
    company: String,
    role: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    source: String,
    applied: Option<String>,
}

pub async fn create(
    State(desk): State<Desk>,
    Form(form): Form<NewApplication>,
) -> Result<Redirect, Trouble> {
    let app = desk
        .with_journal(move |j| {
            let mut app = Application::new(form.company.trim(), form.role.trim());
            app.url = Some(form.url.trim().to_string()).filter(|u| !u.is_empty());
            app.source = form.source.parse().ok();
            if form.applied.is_some() {
                app.applied_at = Some(j.now());
            }
            j.add_application(app)
        })
        .await?;
    Ok(Redirect::to(&format!("/records/{}", app.meta.id)))
}
