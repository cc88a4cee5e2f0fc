//! The job-search actions beyond plain create/edit: moving stages, logging an interview
//! with its interviewers, a rejection with the next small steps, notes from templates,
//! reminders done or snoozed.

use super::{put, read, Journal};
use crate::document::Touched;
use crate::model::*;
use crate::reminders::{self, Reminder};
use crate::store::queries;
use crate::suggestions::{self, Suggestion};
use crate::templates::{self, Fill};
use crate::{prompts, Error, Result};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// The small steps offered right after a rejection. Each one is optional.
#[derive(Debug, Clone, Serialize)]
pub struct NextSteps {
    /// A line inviting a quick mood check-in.
    pub check_in: String,
    /// One restorative idea.
    pub step_back: Suggestion,
    /// A thank-you note, filled from the template (not saved until the person wants it).
    pub thank_you_draft: String,
    /// A feedback request, filled from the template.
    pub feedback_request_draft: String,
    /// The contact the notes are addressed to, if the journal knows one.
    pub contact_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectionLogged {
    pub rejection: Rejection,
    pub next_steps: NextSteps,
}

impl Journal {
    /// Moves an application to a stage (kept in its history).
    pub fn move_stage(
        &mut self,
        id: &str,
        stage: Stage,
        at: Option<DateTime<Utc>>,
    ) -> Result<Application> {
        let at = at.unwrap_or_else(|| self.now());
        self.update::<Application>(id, |a| {
            a.reach_stage(stage, at);
            Ok(())
        })
    }

    /// Records how an application ended, or reopens it with `Outcome::Open`.
    pub fn set_outcome(
        &mut self,
        id: &str,
        outcome: Outcome,
        at: Option<DateTime<Utc>>,
    ) -> Result<Application> {
        let at = at.unwrap_or_else(|| self.now());
        self.update::<Application>(id, |a| {
            a.end_with(outcome, at);
            Ok(())
        })
    }

    /// A new application; when it has an applied date, the history starts there.
    pub fn add_application(&mut self, mut app: Application) -> Result<Application> {
        if app.history.is_empty() {
            if let Some(at) = app.applied_at {
                app.reach_stage(Stage::Applied, at);
            } else if app.stage > Stage::Saved {
                let at = self.now();
                let stage = app.stage;
                app.reach_stage(stage, at);
            }
        }
        self.create(app)
    }

    /// The contact `who` names: a contact's id (or a unique start of it), else a contact
    /// with exactly that name (any case), else a new contact by that name.
    pub fn contact_for(
        &mut self,
        who: &str,
        company: Option<&str>,
        role: Option<ContactRole>,
    ) -> Result<Contact> {
        if let Some(id) = existing_contact(self.connection(), who)? {
            return self.get(&id);
        }
        let mut contact = Contact::new(who.trim());
        contact.company = company.map(str::to_string);
        contact.role = role;
        self.create(contact)
    }

    /// Logs an interview: the application moves to the matching stage and the
    /// interviewers (names or contact ids) become contacts with a last interaction.
    pub fn log_interview(
        &mut self,
        mut interview: Interview,
        interviewers: &[String],
    ) -> Result<Interview> {
        let app: Application = self.get(&interview.application_id)?;
        interview.application_id = app.meta.id.clone();
        if interview.round == 0 {
            interview.round = 1;
        }
        interview.validate()?;
        let stage = match interview.kind {
            InterviewKind::RecruiterScreen | InterviewKind::Phone => Stage::Screening,
            InterviewKind::Final => Stage::Final,
            _ => Stage::Interviewing,
        };
        let at = interview.scheduled_at;
        // One write for the interview, its new contacts and the application's stage.
        let (interview, _) = self.write("log interview", |doc, tx, now| {
            let mut touched = Touched::default();
            let mut new_contacts: Vec<Contact> = Vec::new();
            for who in interviewers {
                let known = existing_contact(tx, who)?.or_else(|| {
                    new_contacts
                        .iter()
                        .find(|c| same_name(&c.name, who))
                        .map(|c| c.meta.id.clone())
                });
                let id = match known {
                    Some(id) => id,
                    None => {
                        let mut contact = Contact::new(who.trim());
                        contact.meta = crate::model::Meta::new(now);
                        contact.company = Some(app.company.clone());
                        contact.role = Some(ContactRole::Interviewer);
                        contact.validate()?;
                        new_contacts.push(contact.clone());
                        contact.meta.id
                    }
                };
                if !interview.interviewer_ids.contains(&id) {
                    interview.interviewer_ids.push(id);
                }
            }
            for contact in &new_contacts {
                touched.extend(put(doc, contact)?);
            }
            interview.meta.updated_at = now;
            touched.extend(put(doc, &interview)?);
            let mut app: Application = read(doc, &interview.application_id)?;
            if stage > app.stage {
                app.reach_stage(stage, at.min(now));
                app.meta.updated_at = now;
                touched.extend(put(doc, &app)?);
            }
            for id in &interview.interviewer_ids {
                let mut contact: Contact = read(doc, id)?;
                if contact.last_interaction_at.is_none_or(|t| t < at) {
                    contact.last_interaction_at = Some(at);
                    touched.extend(put(doc, &contact)?);
                }
            }
            Ok((interview, touched))
        })?;
        Ok(interview)
    }

    /// Logs a rejection: the application is marked rejected (its furthest stage kept)
    /// and the next small steps are offered.
    pub fn log_rejection(
        &mut self,
        mut rejection: Rejection,
        stage_given: bool,
    ) -> Result<RejectionLogged> {
        let app: Application = self.get(&rejection.application_id)?;
        rejection.application_id = app.meta.id.clone();
        if !stage_given {
            rejection.stage_reached = app.stage;
        }
        rejection.validate()?;
        let at = rejection.received_at;
        let (rejection, _) = self.write("log rejection", |doc, _, now| {
            let mut touched = put(doc, &rejection)?;
            let mut app: Application = read(doc, &rejection.application_id)?;
            app.end_with(Outcome::Rejected, at);
            app.meta.updated_at = now;
            touched.extend(put(doc, &app)?);
            Ok((rejection, touched))
        })?;
        let next_steps = self.next_steps(&app, None)?;
        Ok(RejectionLogged {
            rejection,
            next_steps,
        })
    }

    /// The next small steps for an application that just ended in a no.
    pub fn next_steps(&self, app: &Application, moment: Option<&str>) -> Result<NextSteps> {
        let contact = self.main_contact(&app.meta.id)?;
        let fill = Fill {
            contact: contact.as_ref().map(|c| first_name(&c.name)),
            role: Some(app.role.clone()),
            company: Some(app.company.clone()),
            moment: moment.map(str::to_string),
        };
        Ok(NextSteps {
            check_in: "How are you feeling right now? A face or a word is enough.".to_string(),
            step_back: self.step_back_idea()?,
            thank_you_draft: templates::render(MessageKind::ThankYou, &fill),
            feedback_request_draft: templates::render(MessageKind::FeedbackRequest, &fill),
            contact_id: contact.map(|c| c.meta.id),
        })
    }

    /// The person a note about an application goes to: the first interviewer named for
    /// its latest interview.
    fn main_contact(&self, application_id: &str) -> Result<Option<Contact>> {
        let interviews = self.timeline(&crate::Filter {
            kinds: vec![Kind::Interview],
            application_id: Some(application_id.to_string()),
            limit: 50,
            ..Default::default()
        })?;
        for listed in interviews {
            if let Record::Interview(i) = listed.record {
                if let Some(id) = i.interviewer_ids.first() {
                    return self.get(id).map(Some);
                }
            }
        }
        Ok(None)
    }

    /// One restorative idea, from the kind of activity done least lately.
    pub fn step_back_idea(&self) -> Result<Suggestion> {
        Ok(suggestions::suggest(&self.recent_activity_categories()?))
    }

    fn recent_activity_categories(&self) -> Result<Vec<ActivityCategory>> {
        let recent = self.timeline(&crate::Filter {
            kinds: vec![Kind::Activity],
            limit: 20,
            ..Default::default()
        })?;
        Ok(recent
            .into_iter()
            .filter_map(|listed| match listed.record {
                Record::Activity(a) => Some(a.category),
                _ => None,
            })
            .collect())
    }

    /// Drafts a note from its template, filled with what the journal knows. `body`
    /// replaces the template when given.
    pub fn draft_message(
        &mut self,
        kind: MessageKind,
        application_id: Option<&str>,
        contact_id: Option<&str>,
        moment: Option<&str>,
        body: Option<String>,
    ) -> Result<Message> {
        let app = application_id
            .map(|id| self.get::<Application>(id))
            .transpose()?;
        let contact = match contact_id {
            Some(id) => Some(self.get::<Contact>(id)?),
            None => match &app {
                Some(app) => self.main_contact(&app.meta.id)?,
                None => None,
            },
        };
        let body = body.unwrap_or_else(|| {
            templates::render(
                kind,
                &Fill {
                    contact: contact.as_ref().map(|c| first_name(&c.name)),
                    role: app.as_ref().map(|a| a.role.clone()),
                    company: app.as_ref().map(|a| a.company.clone()),
                    moment: moment.map(str::to_string),
                },
            )
        });
        let mut message = Message::new(kind, body, self.now());
        message.application_id = app.map(|a| a.meta.id);
        message.contact_id = contact.map(|c| c.meta.id);
        self.create(message)
    }

    /// Marks a note sent. A feedback request also marks the rejection's feedback as
    /// requested.
    pub fn mark_sent(&mut self, id: &str, at: Option<DateTime<Utc>>) -> Result<Message> {
        let at = at.unwrap_or_else(|| self.now());
        self.update_message(id, FeedbackStatus::Requested, None, |m| {
            m.status = MessageStatus::Sent;
            m.sent_at = Some(at);
        })
    }

    /// Records how a note was answered: a reply (with a summary), a polite decline, or
    /// no reply at all. All three are ordinary endings.
    pub fn record_reply(
        &mut self,
        id: &str,
        status: MessageStatus,
        summary: Option<String>,
        at: Option<DateTime<Utc>>,
    ) -> Result<Message> {
        let feedback = match status {
            MessageStatus::Replied => FeedbackStatus::Received,
            MessageStatus::Declined => FeedbackStatus::Declined,
            MessageStatus::NoReply => FeedbackStatus::NoReply,
            MessageStatus::Draft | MessageStatus::Sent => {
                return Err(Error::invalid(
                    "status",
                    "a reply is replied, declined or no_reply",
                ))
            }
        };
        let at = at.unwrap_or_else(|| self.now());
        // Only a real reply is feedback; a decline's reason stays on the message.
        let feedback_text = (status == MessageStatus::Replied)
            .then(|| summary.clone())
            .flatten();
        self.update_message(id, feedback, feedback_text, |m| {
            m.status = status;
            if m.sent_at.is_none() {
                m.sent_at = Some(at);
            }
            if status != MessageStatus::NoReply {
                m.reply_at = Some(at);
            }
            if let Some(summary) = summary {
                m.reply_summary = summary;
            }
        })
    }

    /// Changes a note and, for a feedback request, brings its application's latest
    /// rejection in step (`feedback`, and the feedback text when some came back), in
    /// one write.
    fn update_message(
        &mut self,
        id: &str,
        feedback: FeedbackStatus,
        feedback_text: Option<String>,
        change: impl FnOnce(&mut Message),
    ) -> Result<Message> {
        let id = self.get::<Message>(id)?.meta.id;
        let (message, _) = self.write("edit message", |doc, tx, now| {
            let mut message: Message = read(doc, &id)?;
            change(&mut message);
            message.meta.updated_at = now;
            message.meta.conflicts.clear();
            let mut touched = put(doc, &message)?;
            let rejection = match (message.kind, &message.application_id) {
                (MessageKind::FeedbackRequest, Some(app)) => latest_rejection(tx, app)?,
                _ => None,
            };
            if let Some(rejection_id) = rejection {
                let mut rejection: Rejection = read(doc, &rejection_id)?;
                rejection.feedback_status = feedback;
                if let Some(text) = feedback_text {
                    rejection.feedback = text;
                }
                rejection.meta.updated_at = now;
                rejection.meta.conflicts.clear();
                touched.extend(put(doc, &rejection)?);
            }
            Ok((message, touched))
        })?;
        Ok(message)
    }

    /// A mood check-in. One given for a rejection belongs to that rejection's
    /// application too, unless another application is named.
    pub fn log_mood(&mut self, mut mood: Mood) -> Result<Mood> {
        if let Some(rejection) = &mood.rejection_id {
            let rejection: Rejection = self.get(rejection)?;
            mood.rejection_id = Some(rejection.meta.id);
            mood.application_id.get_or_insert(rejection.application_id);
        }
        self.create(mood)
    }

    /// A journal entry. Answers are checked against the prompts of its kind, and the
    /// prompt set answered is recorded.
    pub fn add_entry(&mut self, mut entry: Entry) -> Result<Entry> {
        entry.answers.retain(|_, a| !a.trim().is_empty());
        if !entry.answers.is_empty() && entry.prompt_set.is_none() {
            entry.prompt_set = Some(prompts::for_kind(entry.kind).key());
        }
        // An entry about an interview or rejection belongs to its application too.
        if entry.application_id.is_none() {
            let linked = entry.interview_id.clone().or(entry.rejection_id.clone());
            if let Some(linked) = linked {
                entry.application_id = self.record(&linked)?.application_id().map(str::to_string);
            }
        }
        self.create(entry)
    }

    // ----- reminders -----

    /// Reminders due now, oldest first.
    pub fn reminders(&self) -> Result<Vec<Reminder>> {
        reminders::due(self.connection(), self.now(), self.zone(), Duration::zero())
    }

    /// Reminders due now or within `horizon`.
    pub fn reminders_within(&self, horizon: Duration) -> Result<Vec<Reminder>> {
        reminders::due(self.connection(), self.now(), self.zone(), horizon)
    }

    /// Marks a pending reminder done, by its key or a unique start of it. Returns the
    /// full key.
    pub fn complete_reminder(&mut self, key: &str) -> Result<String> {
        self.set_reminder_state(key, "done", None)
    }

    /// Puts a pending reminder off until `until`. Returns the full key.
    pub fn snooze_reminder(&mut self, key: &str, until: DateTime<Utc>) -> Result<String> {
        self.set_reminder_state(key, "snoozed", Some(until))
    }

    fn set_reminder_state(
        &mut self,
        key: &str,
        status: &str,
        until: Option<DateTime<Utc>>,
    ) -> Result<String> {
        let key = self.resolve_reminder(key)?;
        self.write("reminder", |doc, _, now| {
            doc.write_reminder_state(&key, &reminders::state_fields(status, until, now))?;
            let mut touched = Touched::default();
            touched.reminders.insert(key.clone());
            Ok(((), touched))
        })?;
        Ok(key)
    }

    /// A reminder key as listed, or a unique prefix of one, among every pending reminder
    /// (due or not yet due).
    pub fn resolve_reminder(&self, key: &str) -> Result<String> {
        let pending = reminders::pending(self.connection(), self.now(), self.zone())?;
        if let Some(exact) = pending.iter().find(|r| r.key == key) {
            return Ok(exact.key.clone());
        }
        let matches: Vec<&Reminder> = pending.iter().filter(|r| r.key.starts_with(key)).collect();
        match matches.as_slice() {
            [one] => Ok(one.key.clone()),
            [] => Err(Error::NoSuchReminder {
                key: key.to_string(),
            }),
            many => Err(Error::Ambiguous {
                prefix: key.to_string(),
                candidates: many
                    .iter()
                    .map(|r| r.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

/// The latest rejection of an application, if it has one.
fn latest_rejection(conn: &rusqlite::Connection, application_id: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(
            "SELECT id FROM rejections WHERE application_id = ?1 AND deleted = 0
             ORDER BY received_at DESC, id LIMIT 1",
        )?
        .query_row([application_id], |r| r.get(0))
        .optional()?)
}

/// A contact given by id (or id prefix) or by exact name, if the journal has one.
fn existing_contact(conn: &rusqlite::Connection, who: &str) -> Result<Option<String>> {
    if let Ok(id) = queries::resolve(conn, who) {
        if queries::get(conn, &id)?.is_some_and(|r| r.kind() == Kind::Contact) {
            return Ok(Some(id));
        }
    }
    queries::contact_named(conn, who)
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or(name).to_string()
}
