//! `onward rejection add`: write down a no (or a silence), then see the next small
//! steps: a check-in, one restorative idea, a thank-you note, a feedback request.

use super::{activity, application::name, id_of, message, mood};
use crate::dates::parse_datetime;
use crate::error::Result;
use crate::output::{indent, words, Printed};
use crate::text_input;
use crate::vocab::parser;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use onward_core::model::{
    Application, Channel, ContextFactor, MessageKind, Reason, Rejection, Stage,
};
use onward_core::{short, Journal, NextSteps, RejectionLogged};
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write down a no or a silence; the next small steps follow
    Add(AddArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The application's id (4 or more characters)
    #[arg(long, value_name = "ID")]
    application: String,
    /// How far it went [default: the application's stage]
    #[arg(long, value_parser = parser::<Stage>())]
    stage_reached: Option<Stage>,
    /// The reason they gave, if any (most give none)
    #[arg(long, value_parser = parser::<Reason>())]
    reason: Option<Reason>,
    /// Something outside your control (repeat for more)
    #[arg(long = "factor", value_name = "FACTOR", value_parser = parser::<ContextFactor>())]
    factors: Vec<ContextFactor>,
    /// How it reached you
    #[arg(long, value_parser = parser::<Channel>())]
    channel: Option<Channel>,
    /// Their message, if you want to keep it (`-` reads it from stdin)
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
    /// When it came [default: now]
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    at: Option<DateTime<Utc>>,
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    let Command::Add(args) = cmd;
    let text = text_input::from_flag(args.text.as_deref())?;
    let application = id_of::<Application>(journal, &args.application)?;
    let mut rejection = Rejection::new(application, args.at.unwrap_or_else(|| journal.now()));
    rejection.stage_reached = args.stage_reached.unwrap_or(rejection.stage_reached);
    rejection.reason = args.reason.unwrap_or(Reason::None);
    rejection.context_factors = args.factors;
    rejection.channel = args.channel;
    rejection.message_text = text.unwrap_or_default().trim().to_string();
    let logged = journal.log_rejection(rejection, args.stage_reached.is_some())?;
    let app: Application = journal.get(&logged.rejection.application_id)?;
    let steps = Steps::new(&logged, &app);
    let json = json!({
        "id": logged.rejection.meta.id,
        "rejection": logged.rejection,
        "next_steps": steps.json(),
    });
    Ok(Printed::new(json, steps.human()))
}

/// The next steps with the commands that take them.
struct Steps<'a> {
    logged: &'a RejectionLogged,
    app: &'a Application,
    check_in: String,
    step_back: String,
    thank_you: String,
    feedback_request: String,
}

impl<'a> Steps<'a> {
    fn new(logged: &'a RejectionLogged, app: &'a Application) -> Steps<'a> {
        let NextSteps {
            step_back,
            contact_id,
            ..
        } = &logged.next_steps;
        let app_id = &app.meta.id;
        let contact = contact_id.as_deref();
        Steps {
            logged,
            app,
            check_in: mood::check_in_command(&logged.rejection.meta.id),
            step_back: activity::plan_command(step_back.category, step_back.text),
            thank_you: message::draft_command(MessageKind::ThankYou, Some(app_id), contact),
            feedback_request: message::draft_command(
                MessageKind::FeedbackRequest,
                Some(app_id),
                contact,
            ),
        }
    }

    fn json(&self) -> serde_json::Value {
        let mut steps = serde_json::to_value(&self.logged.next_steps).unwrap_or_default();
        steps["commands"] = json!({
            "check_in": self.check_in,
            "step_back": self.step_back,
            "thank_you": self.thank_you,
            "feedback_request": self.feedback_request,
        });
        steps
    }

    fn human(&self) -> String {
        let r = &self.logged.rejection;
        let s = &self.logged.next_steps;
        let headline = if r.channel == Some(Channel::Silence) {
            format!(
                "Noted: no word from {}. Silence is common, and it says little about you.",
                name(self.app)
            )
        } else {
            format!(
                "Noted: a no from {}, after the {} stage. Thank you for writing it down.",
                name(self.app),
                words(r.stage_reached.as_str())
            )
        };
        let quote = |text: &str| indent(text.trim(), "   │ ");
        format!(
            "{headline}
It's allowed to sting. Many people apply for one opening, and the reasons are often
outside your control. You are still qualified for the work you do.

A few small next steps, each one optional:

1. Check in. {check_in_line}
   {check_in}      (1 heavy … 5 bright)

2. Step back. {idea}
   {step_back}

3. Say thank you. A draft to start from:
{thank_you_text}
   Save it as a draft: {thank_you}
   (add --moment 'the talk about …' to mention one specific moment)

4. Ask for feedback. Many companies can't share any, and that's normal; asking still
   shows you're open to learning.
{feedback_text}
   Save it as a draft: {feedback_request}

Whenever you're ready: onward entry add --kind rejection-reflection --rejection {id}",
            check_in_line = s.check_in,
            check_in = self.check_in,
            idea = s.step_back.text,
            step_back = self.step_back,
            thank_you_text = quote(&s.thank_you_draft),
            thank_you = self.thank_you,
            feedback_text = quote(&s.feedback_request_draft),
            feedback_request = self.feedback_request,
            id = short(&r.meta.id),
        )
    }
}
