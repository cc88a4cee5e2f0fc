//! A note the person writes to someone: a thank-you, a feedback request, a follow-up or a
//! networking note, from draft to sent to (maybe) a reply.

use super::{entity_meta, Entity, Meta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum! {
    MessageKind {
        ThankYou => "thank_you",
        FeedbackRequest => "feedback_request",
        FollowUp => "follow_up",
        Networking => "networking",
    }
}

string_enum! {
    /// Where the note stands. `Declined` and `NoReply` are normal endings, not failures.
    MessageStatus {
        Draft => "draft",
        Sent => "sent",
        Replied => "replied",
        Declined => "declined",
        NoReply => "no_reply",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    #[serde(flatten)]
    pub meta: Meta,
    pub kind: MessageKind,
    pub application_id: Option<String>,
    pub contact_id: Option<String>,
    pub body: String,
    pub status: MessageStatus,
    pub drafted_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub reply_at: Option<DateTime<Utc>>,
    pub reply_summary: String,
}

impl Message {
    pub fn new(kind: MessageKind, body: impl Into<String>, now: DateTime<Utc>) -> Message {
        Message {
            meta: Meta::new(now),
            kind,
            application_id: None,
            contact_id: None,
            body: body.into(),
            status: MessageStatus::Draft,
            drafted_at: now,
            sent_at: None,
            reply_at: None,
            reply_summary: String::new(),
        }
    }
}

entity_meta!(Message, Message);

impl Entity for Message {
    fn occurred_at(&self) -> DateTime<Utc> {
        self.sent_at.unwrap_or(self.drafted_at)
    }

    fn title(&self) -> String {
        use crate::vocabulary::Label;
        format!(
            "{} ({})",
            self.kind.label(),
            self.status.as_str().replace('_', " ")
        )
    }
}
