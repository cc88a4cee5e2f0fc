//! Built-in message templates with placeholders, filled from the journal: the contact's
//! name, the role, the company and one specific moment from the conversation.

use crate::model::MessageKind;

/// What a template is filled with. Missing values get a gentle neutral wording.
#[derive(Debug, Clone, Default)]
pub struct Fill {
    pub contact: Option<String>,
    pub role: Option<String>,
    pub company: Option<String>,
    /// One specific moment worth mentioning ("the talk about the migration to Rust").
    pub moment: Option<String>,
}

fn template(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::ThankYou => "Hi {contact},

Thank you for taking the time to talk with me about the {role} role at {company}. I especially enjoyed {moment}, and it made me even more interested in the team's work.

I'd be glad to stay in touch, whatever comes next.

Best regards",
        MessageKind::FeedbackRequest => "Hi {contact},

Thank you for letting me know about the {role} role at {company}, and for the time you and the team gave me.

If you have a moment, I'd really value any feedback on where I could grow, even a line or two. I understand if that isn't possible.

Best regards",
        MessageKind::FollowUp => "Hi {contact},

I wanted to follow up on my application for the {role} role at {company}. I'm still very interested, and I'd be happy to share anything else that helps.

Best regards",
        MessageKind::Networking => "Hi {contact},

I've been enjoying following {company}'s work, and I'd love to hear about your experience there. Would you be open to a short chat sometime in the next few weeks?

Best regards",
    }
}

/// The template for `kind` with its placeholders filled.
pub fn render(kind: MessageKind, fill: &Fill) -> String {
    let or = |v: &Option<String>, fallback: &str| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(fallback)
            .to_string()
    };
    template(kind)
        .replace("{contact}", &or(&fill.contact, "there"))
        .replace("{role}", &or(&fill.role, "open"))
        .replace("{company}", &or(&fill.company, "your company"))
        .replace("{moment}", &or(&fill.moment, "our conversation"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thank_you_names_the_person_the_role_and_the_moment() {
        let text = render(
            MessageKind::ThankYou,
            &Fill {
                contact: Some("Dana".into()),
                role: Some("Data Engineer".into()),
                company: Some("Acme".into()),
                moment: Some("the whiteboard talk about streaming".into()),
            },
        );
        assert!(text.starts_with("Hi Dana,"));
        assert!(text.contains("the Data Engineer role at Acme"));
        assert!(text.contains("I especially enjoyed the whiteboard talk about streaming"));
        assert!(!text.contains('{'));
    }

    #[test]
    fn missing_values_read_naturally() {
        let text = render(MessageKind::FollowUp, &Fill::default());
        assert!(text.starts_with("Hi there,"));
        assert!(!text.contains('{'));
    }
}
