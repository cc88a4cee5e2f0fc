//! The people of the search: the list, and adding someone. A person's detail is their
//! record page (`record`), which also shows everything linked to them.

use crate::html::{csrf_field, day, escape, options, page, Screen};
use crate::state::{Desk, Trouble};
use axum::extract::State;
use axum::response::{Html, Redirect};
use axum::Form;
use onward_core::model::{Contact, ContactRole};
use onward_core::vocabulary::Label;
use serde::Deserialize;

pub async fn show(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let (mut contacts, zone) = desk
        .with_journal(|j| Ok((j.list::<Contact>()?, j.zone())))
        .await?;
    contacts.sort_by_key(|c| c.name.to_lowercase());
    let list = if contacts.is_empty() {
        "<p class=\"empty\">No one here yet. Interviewers are added for you as you log interviews.</p>".to_string()
    } else {
        let items: String = contacts
            .iter()
            .map(|c| {
                let mut about: Vec<String> = Vec::new();
                if let Some(role) = c.role {
                    about.push(role.label().to_string());
                }
                if let Some(company) = &c.company {
                    about.push(company.clone());
                }
                if let Some(at) = c.last_interaction_at {
                    about.push(format!("last talked {}", day(at, zone)));
                }
                format!(
                    "<li><a href=\"/records/{}\">{}</a> <small>{}</small></li>",
                    escape(&c.meta.id),
                    escape(&c.name),
                    escape(&about.join(" · "))
                )
            })
            .collect();
        format!("<ul class=\"records\" id=\"contact-list\">{items}</ul>")
    };
    let body = format!(
        "<h1>People</h1>{list}
<section aria-labelledby=\"add\"><h2 id=\"add\">Add someone</h2>
<form method=\"post\" action=\"/contacts\" class=\"stack\">{csrf}
<label for=\"name\">Name</label><input id=\"name\" name=\"name\" required autocomplete=\"off\">
<label for=\"company\">Company <small>(optional)</small></label><input id=\"company\" name=\"company\">
<label for=\"role\">Who they are to you <small>(optional)</small></label>
<select id=\"role\" name=\"role\"><option value=\"\">—</option>{roles}</select>
<label for=\"email\">Email <small>(optional)</small></label><input id=\"email\" name=\"email\" type=\"email\">
<label for=\"notes\">Notes <small>(optional)</small></label><textarea id=\"notes\" name=\"notes\" rows=\"3\"></textarea>
<button>Add</button>
</form></section>",
        csrf = csrf_field(&desk),
        roles = options(ContactRole::ALL, Label::label, None),
    );
    Ok(page(Screen::Contacts, "People", true, &body))
}

#[derive(Deserialize)]
pub struct NewContact {
    name: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    notes: String,
}

/// Something typed, or nothing when the field was left empty.
pub fn given(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

pub async fn create(
    State(desk): State<Desk>,
    Form(form): Form<NewContact>,
) -> Result<Redirect, Trouble> {
    let contact = desk
        .with_journal(move |j| {
            let mut contact = Contact::new(form.name.trim());
            contact.company = given(&form.company);
            contact.role = form.role.parse().ok();
            contact.email = given(&form.email);
            contact.notes = form.notes.trim().to_string();
            j.create(contact)
        })
        .await?;
    Ok(Redirect::to(&format!("/records/{}", contact.meta.id)))
}
