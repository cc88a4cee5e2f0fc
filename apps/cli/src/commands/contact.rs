//! `onward contact`: the people of the search.

use crate::dates;
use crate::error::Result;
use crate::output::{entities_json, entity_json, words, Printed};
use crate::vocab::parser;
use clap::{Args, Subcommand};
use onward_core::model::{Contact, ContactRole};
use onward_core::{short, Journal};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a person
    Add(AddArgs),
    /// List the people in your journal
    List,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Their name
    #[arg(long)]
    name: String,
    /// Where they work
    #[arg(long)]
    company: Option<String>,
    /// Who they are to you
    #[arg(long, value_parser = parser::<ContactRole>())]
    role: Option<ContactRole>,
    /// Their email address
    #[arg(long)]
    email: Option<String>,
    /// A profile page
    #[arg(long)]
    url: Option<String>,
    /// Notes
    #[arg(long)]
    notes: Option<String>,
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    match cmd {
        Command::Add(args) => {
            let mut contact = Contact::new(args.name.trim());
            contact.company = args.company;
            contact.role = args.role;
            contact.email = args.email;
            contact.profile_url = args.url;
            contact.notes = args.notes.unwrap_or_default();
            let contact = journal.create(contact)?;
            let human = format!("Added {}.\nid {}", contact.name, short(&contact.meta.id));
            Ok(Printed::new(entity_json(&contact), human))
        }
        Command::List => {
            let mut contacts = journal.list::<Contact>()?;
            contacts.sort_by_key(|c| c.name.to_lowercase());
            let json = entities_json(&contacts);
            let human = if contacts.is_empty() {
                "No one here yet. `onward contact add --name N` adds someone; interviewers are added for you.".to_string()
            } else {
                contacts.iter().map(line).collect::<Vec<_>>().join("\n")
            };
            Ok(Printed::new(json, human))
        }
    }
}

fn line(c: &Contact) -> String {
    let mut about: Vec<String> = Vec::new();
    if let Some(role) = c.role {
        about.push(words(role.as_str()));
    }
    if let Some(company) = &c.company {
        about.push(company.clone());
    }
    if let Some(at) = c.last_interaction_at {
        about.push(format!("last talked {}", dates::show_date(at)));
    }
    format!(
        "{}  {:<24}  {}",
        short(&c.meta.id),
        c.name,
        about.join(" · ")
    )
}
