//! Exports, read back by other parsers: JSON through serde and back into a journal, CSV
//! with the csv crate, Markdown front matter as YAML, ICS with an iCalendar parser, and
//! the Automerge document with nothing but the automerge crate.

use chrono::{Duration, TimeZone, Utc};
use onward_core::export::{self, Snapshot};
use onward_core::import;
use onward_core::model::*;
use onward_core::{Filter, Journal};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn journal_in(dir: &Path, name: &str) -> Journal {
    Journal::open(dir.join(name)).unwrap()
}

/// Ids of the records [`fill`] wrote.
struct Filled {
    app: String,
    deleted_app: String,
    interview: String,
    entry: String,
}

/// One record of every kind, with tags, a stage history, answers, a deleted record and
/// text that needs quoting.
fn fill(j: &mut Journal) -> Filled {
    let applied = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let mut app = Application::new("Zoë & Co, \"Berlin\"", "Data Engineer");
    app.applied_at = Some(applied);
    app.source = Some(Source::Referral);
    app.excitement = Some(4);
    app.notes = "Line one,\nline \"two\"".into();
    let app = j.add_application(app).unwrap();
    j.move_stage(
        &app.meta.id,
        Stage::Screening,
        Some(applied + Duration::days(3)),
    )
    .unwrap();
    j.retag(&app.meta.id, &["dream".into(), "berlin".into()], &[])
        .unwrap();

    let gone = j
        .add_application(Application::new("Initech", "Analyst"))
        .unwrap();
    j.delete(&gone.meta.id).unwrap();

    let mut interview = Interview::new(
        &app.meta.id,
        InterviewKind::Technical,
        Utc.with_ymd_and_hms(2026, 11, 10, 14, 0, 0).unwrap(),
    );
    interview.round = 2;
    interview.questions = vec!["Design a rate limiter; then scale it".into()];
    interview.notes = "A long note that goes on and on, well past seventy-five octets, so that the calendar has to fold it over several lines — with ünïcödé too.".into();
    let interview = j.log_interview(interview, &["Dana Lee".into()]).unwrap();

    let mut rejection = Rejection::new(&app.meta.id, applied + Duration::days(12));
    rejection.reason = Reason::InternalCandidate;
    rejection.context_factors = vec![ContextFactor::InternalHire];
    rejection.message_text = "We went with an internal candidate.".into();
    rejection.feedback = "Strong system design.".into();
    let rejection = j.log_rejection(rejection, false).unwrap().rejection;

    let mut entry = Entry::new(
        EntryKind::Debrief,
        "Felt good overall.",
        applied + Duration::days(8),
    );
    entry.application_id = Some(app.meta.id.clone());
    entry.interview_id = Some(interview.meta.id.clone());
    entry
        .answers
        .insert("showed".into(), "The caching trade-offs.".into());
    entry
        .answers
        .insert("needed".into(), "Someone to own the pipelines.".into());
    let entry = j.add_entry(entry).unwrap();
    j.retag(&entry.meta.id, &["learning".into()], &[]).unwrap();

    let mut mood = Mood::new(2, applied + Duration::days(12));
    mood.words = vec!["tired".into(), "hopeful".into()];
    mood.rejection_id = Some(rejection.meta.id.clone());
    j.create(mood).unwrap();
    let mut message = Message::new(MessageKind::ThankYou, "Thank you, Dana!", applied);
    message.application_id = Some(app.meta.id.clone());
    j.create(message).unwrap();
    j.create(Activity::new(ActivityCategory::ALL[0], "A long walk"))
        .unwrap();
    j.create(Goal::new(GoalKind::Skill, "Learn Kafka")).unwrap();

    Filled {
        app: app.meta.id,
        deleted_app: gone.meta.id,
        interview: interview.meta.id,
        entry: entry.meta.id,
    }
}

fn export_json(j: &mut Journal) -> Value {
    let snapshot = Snapshot::of(j).unwrap();
    let text = export::json::to_string(&snapshot, Utc::now());
    serde_json::from_str(&text).unwrap()
}

fn without_time(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("exported_at");
    v
}

#[test]
fn the_json_export_holds_every_record_deleted_ones_and_the_stage_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = journal_in(dir.path(), "a.onward");
    let ids = fill(&mut j);
    let v = export_json(&mut j);
    assert_eq!(v["format"], "onward-journal");
    assert_eq!(v["version"], 1);
    assert!(v["exported_at"].as_str().unwrap().ends_with('Z'));
    let records = v["records"].as_object().unwrap();
    for kind in Kind::ALL {
        assert!(records.contains_key(kind.collection()), "{kind}");
    }
    let apps = records["applications"].as_array().unwrap();
    let app = apps.iter().find(|a| a["id"] == ids.app.as_str()).unwrap();
    assert_eq!(app["company"], "Zoë & Co, \"Berlin\"");
    assert_eq!(app["tags"], serde_json::json!(["berlin", "dream"]));
    assert!(app["history"].as_array().unwrap().len() >= 3, "{app}");
    assert_eq!(app["outcome"], "rejected");
    let gone = apps
        .iter()
        .find(|a| a["id"] == ids.deleted_app.as_str())
        .unwrap();
    assert_eq!(gone["deleted"], true);
    let entry = &records["entries"][0];
    assert_eq!(entry["answers"]["showed"], "The caching trade-offs.");
    assert_eq!(records["contacts"][0]["name"], "Dana Lee");
    assert!(v["reminder_states"].is_object());
}

#[test]
fn a_json_export_imported_into_an_empty_journal_exports_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = journal_in(dir.path(), "a.onward");
    let ids = fill(&mut a);
    let first = export_json(&mut a);

    let mut b = journal_in(dir.path(), "b.onward");
    let parsed = import::json::parse(&first.to_string()).unwrap();
    let mut heard = Vec::new();
    let stored =
        import::json::store(&mut b, parsed, &mut |done, total| heard.push((done, total))).unwrap();
    assert_eq!(stored.records.written, first_count(&first));
    assert_eq!(heard.last().map(|h| h.0), Some(stored.records.written));

    let second = export_json(&mut b);
    assert_eq!(without_time(first.clone()), without_time(second));

    let all = Filter {
        include_deleted: true,
        limit: 1000,
        ..Default::default()
    };
    let titles = |j: &Journal| -> Vec<(String, String)> {
        j.timeline(&all)
            .unwrap()
            .into_iter()
            .map(|l| (l.record.id().to_string(), l.title))
            .collect()
    };
    assert_eq!(titles(&a), titles(&b));
    for id in [&ids.app, &ids.deleted_app, &ids.interview, &ids.entry] {
        assert_eq!(a.record(id).unwrap(), b.record(id).unwrap());
        assert_eq!(a.links(id).unwrap(), b.links(id).unwrap());
    }

    // Importing the same file again adds nothing.
    let again = import::json::parse(&first.to_string()).unwrap();
    let stored = import::json::store(&mut b, again, &mut |_, _| {}).unwrap();
    assert_eq!(
        (stored.records.written, stored.records.skipped),
        (0, first_count(&first))
    );
}

fn first_count(v: &Value) -> usize {
    v["records"]
        .as_object()
        .unwrap()
        .values()
        .map(|l| l.as_array().unwrap().len())
        .sum()
}

#[test]
fn done_and_snoozed_reminders_travel_with_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = journal_in(dir.path(), "a.onward");
    fill(&mut a);
    let mut quiet = Application::new("Umbrella", "Engineer");
    quiet.applied_at = Some(Utc::now() - Duration::days(8));
    a.add_application(quiet).unwrap();
    let pending = onward_core::reminders::pending(a.connection(), a.now(), a.zone()).unwrap();
    assert!(pending.len() >= 2, "{pending:?}");
    let done = a.complete_reminder(&pending[0].key).unwrap();
    let until = Utc::now() + Duration::days(3);
    let snoozed = a.snooze_reminder(&pending[1].key, until).unwrap();
    let first = export_json(&mut a);
    assert_eq!(first["reminder_states"][&done]["status"], "done");
    assert_eq!(first["reminder_states"][&snoozed]["status"], "snoozed");

    let mut b = journal_in(dir.path(), "b.onward");
    let parsed = import::json::parse(&first.to_string()).unwrap();
    let imported = import::json::store(&mut b, parsed, &mut |_, _| {}).unwrap();
    assert_eq!(imported.reminders_restored, 2);
    let keys = |j: &Journal| -> Vec<String> {
        onward_core::reminders::pending(j.connection(), j.now(), j.zone())
            .unwrap()
            .into_iter()
            .map(|r| r.key)
            .collect()
    };
    assert_eq!(keys(&a), keys(&b));
    assert!(!keys(&b).contains(&done));
    let second = export_json(&mut b);
    for key in [&done, &snoozed] {
        for field in ["status", "until"] {
            assert_eq!(
                first["reminder_states"][key][field], second["reminder_states"][key][field],
                "{key} {field}"
            );
        }
    }
}

#[test]
fn a_malformed_or_newer_file_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = journal_in(dir.path(), "a.onward");
    fill(&mut a);
    let good = export_json(&mut a);

    let mut newer = good.clone();
    newer["version"] = 2.into();
    let err = import::json::parse(&newer.to_string())
        .unwrap_err()
        .to_string();
    assert!(err.contains("newer Onward"), "{err}");

    let mut broken = good.clone();
    broken["records"]["applications"][0]
        .as_object_mut()
        .unwrap()
        .remove("company");
    let err = import::json::parse(&broken.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("records.applications[0]") && err.contains("company"),
        "{err}"
    );

    let mut bad_value = good.clone();
    bad_value["records"]["moods"][0]["valence"] = 9.into();
    let err = import::json::parse(&bad_value.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("records.moods[0]") && err.contains("valence"),
        "{err}"
    );

    let err = import::json::parse("{\"format\": \"onward-journal\", ").unwrap_err();
    assert!(err.to_string().contains("not valid JSON"), "{err}");
    let err = import::json::parse("{\"format\": \"something\"}").unwrap_err();
    assert!(err.to_string().contains("not an Onward export"), "{err}");

    // Parsing fails before anything is stored: the journal stays empty.
    let b = journal_in(dir.path(), "b.onward");
    assert!(b.counts().unwrap().iter().all(|(_, n)| *n == 0));
}

#[test]
fn csv_files_read_back_with_quotes_commas_newlines_and_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = journal_in(dir.path(), "a.onward");
    let ids = fill(&mut j);
    let out = dir.path().join("csv");
    std::fs::create_dir(&out).unwrap();
    let snapshot = Snapshot::of(&mut j).unwrap();
    let written = export::csv::write_dir(&snapshot, &out).unwrap();
    assert_eq!(written.len(), Kind::ALL.len() + 1);

    let read = |name: &str| -> Vec<BTreeMap<String, String>> {
        let mut reader = csv::Reader::from_path(out.join(name)).unwrap();
        let header = reader.headers().unwrap().clone();
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                header
                    .iter()
                    .zip(r.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    };
    let apps = read("applications.csv");
    let app = apps.iter().find(|a| a["id"] == ids.app).unwrap();
    assert_eq!(app["company"], "Zoë & Co, \"Berlin\"");
    assert_eq!(app["notes"], "Line one,\nline \"two\"");
    assert_eq!(app["tags"], "berlin; dream");
    assert_eq!(app["excitement"], "4");
    assert!(chrono::DateTime::parse_from_rfc3339(&app["applied_at"]).is_ok());
    assert!(!app.contains_key("history"));
    let gone = apps.iter().find(|a| a["id"] == ids.deleted_app).unwrap();
    assert_eq!(gone["deleted"], "true");

    let stages = read("application_stages.csv");
    let mine: Vec<_> = stages
        .iter()
        .filter(|s| s["application_id"] == ids.app)
        .collect();
    assert_eq!(mine[0]["stage"], "applied");
    assert!(mine.iter().any(|s| s["outcome"] == "rejected"));
    assert!(chrono::DateTime::parse_from_rfc3339(&mine[0]["at"]).is_ok());
    assert!(mine[0]["at"].ends_with('Z'), "{}", mine[0]["at"]);

    let entries = read("entries.csv");
    assert_eq!(entries[0]["answers.showed"], "The caching trade-offs.");
    let moods = read("moods.csv");
    assert_eq!(moods[0]["words"], "hopeful; tired");

    // A kind with no records still gets its header.
    let empty = Snapshot::default();
    let mut bytes = Vec::new();
    export::csv::write_kind(&empty, Kind::Goal, &mut bytes).unwrap();
    let header = String::from_utf8(bytes).unwrap();
    assert!(
        header.starts_with("id,created_at,updated_at,deleted,tags,"),
        "{header}"
    );
    assert!(header.contains("title"), "{header}");
}

#[test]
fn markdown_pages_have_yaml_front_matter_and_answers_under_their_prompts() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = journal_in(dir.path(), "a.onward");
    let ids = fill(&mut j);
    let out = dir.path().join("md");
    std::fs::create_dir(&out).unwrap();
    let snapshot = Snapshot::of(&mut j).unwrap();
    export::markdown::write_dir(&snapshot, &out).unwrap();

    let pages = export::markdown::pages(&snapshot);
    let entry = pages
        .iter()
        .find(|p| p.text.contains(&ids.entry))
        .expect("a page for the entry");
    let text = std::fs::read_to_string(out.join(&entry.name)).unwrap();
    let (front, body) = text
        .strip_prefix("---\n")
        .and_then(|t| t.split_once("\n---\n"))
        .expect("front matter");
    let yaml: serde_norway::Value = serde_norway::from_str(front).unwrap();
    assert_eq!(yaml["id"].as_str(), Some(ids.entry.as_str()));
    assert_eq!(yaml["kind"].as_str(), Some("entry"));
    assert_eq!(yaml["entry_kind"].as_str(), Some("debrief"));
    assert_eq!(yaml["tags"][0].as_str(), Some("learning"));
    assert!(yaml["date"].as_str().unwrap().starts_with("2026-11-10"));
    let links = yaml["links"].as_sequence().unwrap();
    assert!(links.iter().any(|l| l["rel"].as_str() == Some("interview")
        && l["id"].as_str() == Some(ids.interview.as_str())));
    assert!(body.contains("Felt good overall."));
    let needed = body
        .find("## What problem was the team trying to solve by hiring?\n\nSomeone to own the pipelines.")
        .expect("answer under its prompt");
    let showed = body
        .find("## Where did you show it clearly?\n\nThe caching trade-offs.")
        .expect("answer under its prompt");
    assert!(needed < showed, "answers follow the prompt order");

    // Interviews and rejections with writing get pages too; every page parses.
    assert!(pages
        .iter()
        .any(|p| p.title.starts_with("Interview: Data Engineer")));
    assert!(pages.iter().any(|p| p.title.starts_with("A no")));
    for page in &pages {
        let front = page.text[4..].split_once("\n---\n").unwrap().0;
        let yaml: serde_norway::Value = serde_norway::from_str(front).unwrap();
        assert!(yaml["links"].is_sequence(), "{front}");
    }
    let index = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(index.contains(&format!("]({})", entry.name)), "{index}");
}

#[test]
fn the_calendar_parses_with_an_icalendar_parser() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = journal_in(dir.path(), "a.onward");
    let ids = fill(&mut j);
    let snapshot = Snapshot::of(&mut j).unwrap();
    let reminders = j.reminders_within(Duration::days(30)).unwrap();
    let text = export::ics::to_string(&snapshot, &reminders);

    // RFC 5545: CRLF everywhere and no line longer than 75 octets.
    assert!(text.ends_with("\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'));
    assert!(text.split("\r\n").all(|l| l.len() <= 75), "{text}");

    let mut parser = ical::IcalParser::new(text.as_bytes());
    let calendar = parser.next().expect("one calendar").expect("it parses");
    assert_eq!(calendar.events.len(), 1);
    let event = &calendar.events[0];
    let prop = |name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(prop("UID"), format!("{}@onward", ids.interview));
    assert_eq!(
        prop("SUMMARY"),
        "Interview: Data Engineer at Zoë & Co\\, \"Berlin\" (round 2\\, technical)"
    );
    assert_eq!(prop("DTSTART"), "20261110T140000Z");
    assert_eq!(prop("DTEND"), "20261110T150000Z");
    assert!(prop("DESCRIPTION").contains("ünïcödé"));
    assert_eq!(calendar.todos.len(), reminders.len());
}
