//! Markdown: one file per journal entry, and per interview or rejection with something
//! written on it, each with YAML front matter (id, kind, dates, links, tags) and the
//! text under headings (an entry's answers under their prompts), plus `index.md`
//! listing them by date. Deleted records are left out: this is the readable copy; the
//! JSON export keeps everything.

use super::{application_title, io_error, Snapshot};
use crate::model::{Entity, Record};
use crate::zone;
use crate::Result;
use chrono::{NaiveDate, SecondsFormat};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// The index file's name.
pub const INDEX: &str = "index.md";

/// One Markdown file, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// File name, such as `2026-11-20-entry-3f2a9c1e.md`.
    pub name: String,
    pub title: String,
    pub text: String,
    /// When it happened, for the order.
    pub date: chrono::DateTime<chrono::Utc>,
    /// The local day it happened on (in the journal's zone), for the name and the index.
    pub day: NaiveDate,
}

/// The pages of the journal, oldest first.
pub fn pages(snapshot: &Snapshot) -> Vec<Page> {
    let mut pages: Vec<Page> = snapshot
        .records
        .iter()
        .filter(|r| !r.meta().deleted)
        .filter_map(|r| page(snapshot, r))
        .collect();
    pages.sort_by(|a, b| (a.date, &a.name).cmp(&(b.date, &b.name)));
    pages
}

/// `index.md`: every page by date, newest first.
pub fn index(pages: &[Page]) -> String {
    let mut text =
        String::from("# My Onward journal\n\nEverything I wrote down, newest first.\n\n");
    for page in pages.iter().rev() {
        text.push_str(&format!(
            "- {} · [{}]({})\n",
            page.day,
            page.title.replace('[', "\\[").replace(']', "\\]"),
            page.name
        ));
    }
    text
}

/// Writes every page and the index into `dir` (which must exist). Returns the paths.
pub fn write_dir(snapshot: &Snapshot, dir: &Path) -> Result<Vec<PathBuf>> {
    let pages = pages(snapshot);
    let mut written = Vec::with_capacity(pages.len() + 1);
    for page in &pages {
        let path = dir.join(&page.name);
        std::fs::write(&path, &page.text).map_err(|e| io_error(&path, e))?;
        written.push(path);
    }
    let path = dir.join(INDEX);
    std::fs::write(&path, index(&pages)).map_err(|e| io_error(&path, e))?;
    written.push(path);
    Ok(written)
}

fn page(snapshot: &Snapshot, record: &Record) -> Option<Page> {
    let meta = record.meta();
    let mut links: Vec<(&str, &str)> = Vec::new();
    let mut extra: Vec<(&str, String)> = Vec::new();
    let (title, body) = match record {
        Record::Entry(e) => {
            if let Some(id) = &e.application_id {
                links.push(("application", id));
            }
            if let Some(id) = &e.interview_id {
                links.push(("interview", id));
            }
            if let Some(id) = &e.rejection_id {
                links.push(("rejection", id));
            }
            extra.push(("entry_kind", e.kind.as_str().to_string()));
            extra.push(("prompt_set", e.prompt_set_answered().key()));
            let mut body = String::new();
            if !e.body.trim().is_empty() {
                body.push_str(e.body.trim_end());
                body.push_str("\n\n");
            }
            let set = e.prompt_set_answered();
            for (id, answer) in e.answers_in_order() {
                let heading = set.prompt(id).map_or(id, |p| p.text);
                body.push_str(&format!("## {heading}\n\n{}\n\n", answer.trim_end()));
            }
            (e.title(), body)
        }
        Record::Interview(i) => {
            if i.notes.trim().is_empty() && i.questions.is_empty() {
                return None;
            }
            links.push(("application", &i.application_id));
            for id in &i.interviewer_ids {
                links.push(("interviewer", id));
            }
            extra.push(("interview_kind", i.kind.as_str().to_string()));
            extra.push(("round", i.round.to_string()));
            let at = application_title(snapshot, &i.application_id)
                .map_or(String::new(), |t| format!(": {t}"));
            let title = format!(
                "Interview{at} (round {}, {})",
                i.round,
                i.kind.as_str().replace('_', " ")
            );
            let mut body = String::new();
            if !i.questions.is_empty() {
                body.push_str("## Questions they asked\n\n");
                for q in &i.questions {
                    body.push_str(&format!("- {}\n", q.replace('\n', " ")));
                }
                body.push('\n');
            }
            if !i.notes.trim().is_empty() {
                body.push_str(&format!("## Notes\n\n{}\n\n", i.notes.trim_end()));
            }
            (title, body)
        }
        Record::Rejection(r) => {
            if r.message_text.trim().is_empty() && r.feedback.trim().is_empty() {
                return None;
            }
            links.push(("application", &r.application_id));
            extra.push(("reason", r.reason.as_str().to_string()));
            let from = application_title(snapshot, &r.application_id)
                .map_or(String::new(), |t| format!(": {t}"));
            let mut body = String::new();
            if !r.message_text.trim().is_empty() {
                body.push_str(&format!(
                    "## What they wrote\n\n{}\n\n",
                    r.message_text.trim_end()
                ));
            }
            if !r.feedback.trim().is_empty() {
                body.push_str(&format!("## Feedback\n\n{}\n\n", r.feedback.trim_end()));
            }
            (format!("A no{from}"), body)
        }
        _ => return None,
    };
    let date = record.occurred_at();
    let mut front = String::from("---\n");
    let mut line = |key: &str, value: Json| front.push_str(&format!("{key}: {value}\n"));
    line("id", meta.id.as_str().into());
    line("kind", record.kind().as_str().into());
    line("title", title.as_str().into());
    line("date", rfc3339(date).into());
    line("created_at", rfc3339(meta.created_at).into());
    line("updated_at", rfc3339(meta.updated_at).into());
    for (key, value) in extra {
        line(key, value.into());
    }
    line("tags", meta.tags.clone().into());
    if links.is_empty() {
        front.push_str("links: []\n");
    } else {
        front.push_str("links:\n");
        for (rel, id) in links {
            front.push_str(&format!(
                "  - {{rel: {}, id: {}}}\n",
                Json::from(rel),
                Json::from(id)
            ));
        }
    }
    front.push_str("---\n\n");
    let text = format!("{front}# {}\n\n{}", title, body.trim_end()) + "\n";
    let day = zone::local_day(date, snapshot.zone);
    let name = format!("{}-{}-{}.md", day, record.kind(), crate::short(&meta.id));
    Some(Page {
        name,
        title,
        text,
        date,
        day,
    })
}

fn rfc3339(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
