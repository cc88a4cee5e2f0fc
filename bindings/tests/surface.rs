//! The FFI surface from Rust, as the apps call it: the journey, errors, observers, and
//! several threads sharing one handle.

use onward_ffi::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

fn open(dir: &tempfile::TempDir) -> Arc<Journal> {
    Journal::open(
        dir.path().join("journal.onward").display().to_string(),
        None,
    )
    .unwrap()
}

fn new_app(company: &str, role: &str) -> NewApplication {
    NewApplication {
        company: company.into(),
        role: role.into(),
        applied_at: Some(SystemTime::now() - Duration::from_secs(3 * 86_400)),
        source: Some(Source::Referral),
        url: None,
        location: None,
        work_mode: None,
        salary: None,
        excitement: Some(4),
        next_action_at: None,
        notes: String::new(),
    }
}

fn page() -> TimelineQuery {
    TimelineQuery::default()
}

#[derive(Default)]
struct Heard(Mutex<Vec<JournalChange>>);

impl JournalObserver for Heard {
    fn on_change(&self, change: JournalChange) {
        self.0.lock().unwrap().push(change);
    }
}

#[test]
fn the_journey_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let journal = open(&dir);
    let app = journal
        .log_application(new_app("Acme", "Data Engineer"))
        .unwrap();
    assert_eq!(app.stage, Stage::Applied);

    let interview = journal
        .log_interview(NewInterview {
            application_id: app.meta.id[..8].to_string(),
            kind: InterviewKind::Technical,
            scheduled_at: SystemTime::now() - Duration::from_secs(86_400),
            round: None,
            interviewers: vec!["Dana Lee".into()],
            questions: vec!["How would you design a pipeline for late events?".into()],
            self_rating: Some(4),
            notes: String::new(),
        })
        .unwrap();
    assert_eq!(interview.interviewer_ids.len(), 1);

    let logged = journal
        .log_rejection(NewRejection {
            application_id: app.meta.id.clone(),
            received_at: None,
            channel: Some(Channel::Email),
            reason: Some(Reason::InternalCandidate),
            context_factors: vec![ContextFactor::InternalHire],
            message_text: String::new(),
            stage_reached: None,
        })
        .unwrap();
    assert_eq!(logged.rejection.stage_reached, Stage::Interviewing);
    assert!(
        logged.next_steps.thank_you_draft.contains("Dana"),
        "{}",
        logged.next_steps.thank_you_draft
    );

    let mood = journal
        .log_mood(NewMood {
            valence: 2,
            energy: Some(3),
            words: vec!["tired".into()],
            note: String::new(),
            felt_at: None,
            rejection_id: Some(logged.rejection.meta.id.clone()),
            application_id: None,
        })
        .unwrap();
    assert_eq!(mood.application_id.as_deref(), Some(app.meta.id.as_str()));

    let entry = journal
        .write_entry(NewEntry {
            kind: EntryKind::RejectionReflection,
            body: String::new(),
            answers: [("outside".to_string(), "They hired from within".to_string())].into(),
            perspective: None,
            written_at: None,
            application_id: None,
            interview_id: None,
            rejection_id: Some(logged.rejection.meta.id.clone()),
        })
        .unwrap();
    assert_eq!(entry.answers[0].prompt_id, "outside");
    assert!(entry.answers[0]
        .prompt
        .starts_with("What about this was outside"));

    let hits = journal.search("within".into(), 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].item.id, entry.meta.id);
    assert!(hits[0].snippet.contains("[within]"), "{}", hits[0].snippet);

    let detail = journal.record(app.meta.id.clone()).unwrap();
    let from: Vec<RecordKind> = detail.linked_from.iter().filter_map(|l| l.kind).collect();
    assert!(
        from.contains(&RecordKind::Interview) && from.contains(&RecordKind::Rejection),
        "{from:?}"
    );
    drop(journal);

    let reopened = open(&dir);
    let timeline = reopened.timeline(page()).unwrap();
    // The application, the interview, its new contact, the rejection, the mood, the entry.
    assert_eq!(timeline.len(), 6);
    assert_eq!(
        reopened.applications(false).unwrap()[0].outcome,
        Outcome::Rejected
    );
    assert!(reopened.applications(true).unwrap().is_empty());
}

#[test]
fn bad_input_is_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let journal = open(&dir);
    let mut bad = new_app("Acme", "Dev");
    bad.excitement = Some(9);
    match journal.log_application(bad) {
        Err(OnwardError::InvalidInput { field, reason }) => {
            assert_eq!(field, "excitement");
            assert_eq!(reason, "9 is outside 1 to 5");
        }
        other => panic!("{other:?}"),
    }
    match journal.record("ffffffff".into()) {
        Err(OnwardError::NotFound { id, .. }) => assert_eq!(id, "ffffffff"),
        other => panic!("{other:?}"),
    }
    assert!(journal.timeline(page()).unwrap().is_empty());
    for weeks in [0, 105] {
        match journal.insights(weeks) {
            Err(OnwardError::InvalidInput { field, reason }) => {
                assert_eq!(field, "weeks");
                assert_eq!(reason, format!("{weeks} is outside 1 to 104"));
            }
            other => panic!("{weeks} weeks: {other:?}"),
        }
    }

    let not_a_journal = dir.path().join("notes.txt");
    std::fs::write(&not_a_journal, "my notes, not a journal").unwrap();
    match Journal::open(not_a_journal.display().to_string(), None) {
        Err(OnwardError::CorruptJournal { path, .. }) => assert!(path.ends_with("notes.txt")),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened a text file"),
    }
    assert_eq!(
        std::fs::read_to_string(&not_a_journal).unwrap(),
        "my notes, not a journal"
    );
}

#[test]
fn observers_hear_writes_and_merges_until_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let journal = open(&dir);
    let heard = Arc::new(Heard::default());
    let handle = journal.observe(heard.clone());

    let app = journal.log_application(new_app("Acme", "Dev")).unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let other = open(&other_dir);
    let theirs = other.log_application(new_app("Globex", "Analyst")).unwrap();
    journal
        .merge_bytes(other.document_bytes().unwrap())
        .unwrap();
    handle.stop();
    journal.delete(app.meta.id.clone()).unwrap();

    let heard = heard.0.lock().unwrap();
    assert_eq!(heard.len(), 2, "{heard:?}");
    assert_eq!(heard[0].ids, vec![app.meta.id.clone()]);
    assert_eq!(heard[0].kinds, vec![RecordKind::Application]);
    assert_eq!(heard[1].ids, vec![theirs.meta.id.clone()]);
}

#[test]
fn one_handle_serves_several_threads() {
    let dir = tempfile::tempdir().unwrap();
    let journal = open(&dir);
    let heard = Arc::new(Heard::default());
    let _handle = journal.observe(heard.clone());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let journal = journal.clone();
            std::thread::spawn(move || {
                for i in 0..15 {
                    journal
                        .log_application(new_app(&format!("Company {t}-{i}"), "Dev"))
                        .unwrap();
                    assert!(!journal.timeline(page()).unwrap().is_empty());
                    assert!(!journal
                        .search(format!("Company {t}"), 5)
                        .unwrap()
                        .is_empty());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(journal.applications(false).unwrap().len(), 60);
    assert_eq!(heard.0.lock().unwrap().len(), 60);
}

/// What a person types or scans for sync is checked before anything goes out, and a
/// mistake names the field to fix; nothing changes.
#[test]
fn sync_inputs_are_checked_before_the_network_and_name_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let journal = open(&dir);
    let field_of = |e: OnwardError| match e {
        OnwardError::InvalidInput { field, reason } => {
            assert!(!reason.is_empty());
            field
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    // Plain http:// to another machine would send the journal's traffic readable.
    let e = journal
        .enable_sync("http://relay.example.org".into(), None, false)
        .unwrap_err();
    assert_eq!(field_of(e), "relay");
    assert!(!journal.is_sync_enabled().unwrap());
    let e = journal
        .preview_invitation("ONWARD2-NOTACODE".into())
        .unwrap_err();
    assert_eq!(field_of(e), "invitation");
    let e = journal
        .join_sync("not a code".into(), Some("Laptop".into()))
        .unwrap_err();
    assert_eq!(field_of(e), "invitation");
    let e = journal
        .recover_from_kit("ONWARDKIT1-AAAA".into(), Some("New phone".into()))
        .unwrap_err();
    assert_eq!(field_of(e), "recovery_kit");
    assert!(!journal.is_sync_enabled().unwrap());
    assert!(matches!(journal.devices(), Err(OnwardError::Sync { .. })));
    assert!(matches!(
        journal.invite_device(10),
        Err(OnwardError::Sync { .. })
    ));
}
