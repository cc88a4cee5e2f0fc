//! The editor form: one `## question <!-- id -->` section per prompt, and reading it back.

use super::super::application::name;
use crate::dates;
use crate::error::Result;
use crate::output::words;
use onward_core::model::{Application, Interview, Perspective};
use onward_core::prompts::PromptSet;
use onward_core::Journal;
use std::collections::BTreeMap;

/// What was written: free text and answers by prompt id.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Written {
    pub(super) body: String,
    pub(super) answers: BTreeMap<String, String>,
}

impl Written {
    pub(super) fn is_empty(&self) -> bool {
        self.body.trim().is_empty() && self.answers.values().all(|a| a.trim().is_empty())
    }
}

const BODY: &str = "body";

/// What the form recalls about an interview: when, with whom, what they asked.
pub(super) fn interview_context(journal: &Journal, id: &str) -> Result<Vec<String>> {
    let interview: Interview = journal.get(id)?;
    let app: Application = journal.get(&interview.application_id)?;
    let mut lines = vec![format!(
        "The {} interview for {}, {}.",
        words(interview.kind.as_str()),
        name(&app),
        dates::show(interview.scheduled_at)
    )];
    if !interview.questions.is_empty() {
        lines.push("They asked:".to_string());
        lines.extend(interview.questions.iter().map(|q| format!("  - {q}")));
    }
    Ok(lines)
}

/// The editor form: an intro in a comment, then one section per prompt. `about` lines
/// recall what the entry is about.
pub(super) fn render_form(
    set: &PromptSet,
    perspective: Perspective,
    about: &[String],
    before: &Written,
) -> String {
    let mut form = format!(
        "<!-- Onward · {} entry. {}\n     Write under any heading you like and leave the others empty.\n",
        words(set.kind.as_str()),
        set.intro
    );
    for line in about {
        // A comment can't hold its own end marker.
        form.push_str(&format!("     {}\n", line.replace("-->", "->")));
    }
    if perspective == Perspective::Third {
        form.push_str(
            "     Write about yourself in the third person: a little distance can help.\n",
        );
    }
    form.push_str(
        "     Save and close to keep it. If everything is empty, nothing is saved. -->\n",
    );
    for prompt in set.prompts {
        let answer = before
            .answers
            .get(prompt.id)
            .map(String::as_str)
            .unwrap_or("");
        form.push_str(&section(prompt.text, prompt.id, answer));
    }
    let title = if set.prompts.is_empty() {
        "Your entry"
    } else {
        "Anything else"
    };
    form.push_str(&section(title, BODY, &before.body));
    form
}

fn section(title: &str, id: &str, text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        format!("\n## {title} <!-- {id} -->\n\n")
    } else {
        format!("\n## {title} <!-- {id} -->\n\n{text}\n")
    }
}

/// Reads a form back: text under a section goes to its prompt (or the body); comment
/// blocks are dropped; text outside any section goes to the body.
pub(super) fn parse_form(text: &str) -> Written {
    let mut sections: Vec<(String, String)> = vec![(BODY.to_string(), String::new())];
    let mut in_comment = false;
    for line in text.lines() {
        if in_comment {
            in_comment = !line.contains("-->");
            continue;
        }
        if let Some(id) = section_id(line) {
            sections.push((id, String::new()));
            continue;
        }
        if line.trim_start().starts_with("<!--") {
            in_comment = !line.contains("-->");
            continue;
        }
        let (_, body) = sections.last_mut().expect("starts with the body");
        body.push_str(line);
        body.push('\n');
    }
    let mut written = Written::default();
    for (id, text) in sections {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let slot = if id == BODY {
            &mut written.body
        } else {
            written.answers.entry(id).or_default()
        };
        if !slot.is_empty() {
            slot.push_str("\n\n");
        }
        slot.push_str(text);
    }
    written
}

/// The prompt id of a `## question <!-- id -->` heading.
fn section_id(line: &str) -> Option<String> {
    let line = line.trim();
    let rest = line.strip_prefix("## ")?;
    let (_, marker) = rest.rsplit_once("<!--")?;
    let id = marker.strip_suffix("-->")?.trim();
    (!id.is_empty()).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use onward_core::model::EntryKind;
    use onward_core::prompts;

    #[test]
    fn the_form_reads_back_what_was_written_under_each_prompt() {
        let set = prompts::for_kind(EntryKind::Debrief);
        let form = render_form(
            set,
            Perspective::First,
            &["They asked: x --> y".to_string()],
            &Written::default(),
        );
        assert!(form.contains(
            "## What did the interviewer need to see from a candidate? <!-- wanted_to_see -->"
        ));
        assert!(parse_form(&form).is_empty(), "an untouched form is empty");

        let filled = form
            .replace(
                "<!-- wanted_to_see -->\n",
                "<!-- wanted_to_see -->\nCalm ownership\nof incidents\n",
            )
            .replace("<!-- body -->\n", "<!-- body -->\nA good day overall.\n");
        let written = parse_form(&filled);
        assert_eq!(written.answers.len(), 1);
        assert_eq!(
            written.answers["wanted_to_see"],
            "Calm ownership\nof incidents"
        );
        assert_eq!(written.body, "A good day overall.");
    }

    #[test]
    fn an_existing_entry_round_trips_through_the_form() {
        let set = prompts::for_kind(EntryKind::Gratitude);
        let before = Written {
            body: "Sunny".into(),
            answers: [(
                "person".to_string(),
                "Sam, for the mock interview".to_string(),
            )]
            .into(),
        };
        assert_eq!(
            parse_form(&render_form(set, Perspective::Third, &[], &before)),
            before
        );
    }
}
