//! A person in the search: recruiters and interviewers who can open doors later, and the
//! friends one has coffee with on a day off.

use super::{check_present, entity_meta, Entity, Meta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum! {
    ContactRole {
        Recruiter => "recruiter",
        HiringManager => "hiring_manager",
        Interviewer => "interviewer",
        Referrer => "referrer",
        Peer => "peer",
        Friend => "friend",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    pub company: Option<String>,
    pub role: Option<ContactRole>,
    pub email: Option<String>,
    pub profile_url: Option<String>,
    pub notes: String,
    pub last_interaction_at: Option<DateTime<Utc>>,
}

impl Contact {
    pub fn new(name: impl Into<String>) -> Contact {
        Contact {
            meta: Meta::default(),
            name: name.into(),
            company: None,
            role: None,
            email: None,
            profile_url: None,
            notes: String::new(),
            last_interaction_at: None,
        }
    }
}

entity_meta!(Contact, Contact);

impl Entity for Contact {
    fn occurred_at(&self) -> DateTime<Utc> {
        self.meta.created_at
    }

    fn title(&self) -> String {
        match &self.company {
            Some(company) => format!("{} ({company})", self.name),
            None => self.name.clone(),
        }
    }

    fn validate(&self) -> crate::Result<()> {
        check_present("name", &self.name)
    }
}
