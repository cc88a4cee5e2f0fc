//! The core journey: log an application through a rejection and what comes after,
//! then find it all again after reopening the file.

use chrono::{Duration, TimeZone, Utc};
use onward_core::model::Entity as _;
use onward_core::model::*;
use onward_core::{Filter, Journal};

fn journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path().join("journal.onward")).unwrap();
    (dir, journal)
}

#[test]
fn an_application_moves_through_its_stages_with_history() {
    let (_dir, mut j) = journal();
    let applied = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let mut app = Application::new("Acme", "Data Engineer");
    app.applied_at = Some(applied);
    app.source = Some(Source::Referral);
    app.excitement = Some(4);
    let app = j.add_application(app).unwrap();
    assert_eq!(app.stage, Stage::Applied);

    let later = applied + Duration::days(5);
    let app = j
        .move_stage(&app.meta.id, Stage::Screening, Some(later))
        .unwrap();
    let app = j
        .move_stage(&app.meta.id[..8], Stage::Interviewing, None)
        .unwrap();
    assert_eq!(app.stage, Stage::Interviewing);
    let stages: Vec<_> = app.history.iter().filter_map(|e| e.stage).collect();
    assert_eq!(
        stages,
        [Stage::Applied, Stage::Screening, Stage::Interviewing]
    );

    let stored: Application = j.get(&app.meta.id).unwrap();
    assert_eq!(stored, app);
}

#[test]
fn a_rejection_offers_next_steps_and_keeps_the_furthest_stage() {
    let (_dir, mut j) = journal();
    let app = j
        .add_application(Application::new("Globex", "Backend Engineer"))
        .unwrap();
    let when = Utc::now() - Duration::days(2);
    let mut interview = Interview::new(&app.meta.id, InterviewKind::Final, when);
    interview.questions.push("Design a rate limiter".into());
    let interview = j
        .log_interview(interview, &["Dana Lee".to_string()])
        .unwrap();
    assert_eq!(interview.interviewer_ids.len(), 1);
    let dana: Contact = j.get(&interview.interviewer_ids[0]).unwrap();
    assert_eq!(dana.name, "Dana Lee");
    assert_eq!(dana.company.as_deref(), Some("Globex"));

    let mut rejection = Rejection::new(&app.meta.id, Utc::now());
    rejection.reason = Reason::InternalCandidate;
    rejection.context_factors = vec![ContextFactor::InternalHire];
    rejection.message_text = "We went with an internal candidate.".into();
    let logged = j.log_rejection(rejection, false).unwrap();
    assert_eq!(logged.rejection.stage_reached, Stage::Final);
    let steps = &logged.next_steps;
    assert!(steps.thank_you_draft.starts_with("Hi Dana,"));
    assert!(steps
        .thank_you_draft
        .contains("Backend Engineer role at Globex"));
    assert!(steps.feedback_request_draft.contains("feedback"));
    assert_eq!(steps.contact_id.as_deref(), Some(dana.meta.id.as_str()));

    let app: Application = j.get(&app.meta.id).unwrap();
    assert_eq!(app.outcome, Outcome::Rejected);
    assert_eq!(app.stage, Stage::Final, "the furthest stage is kept");
    assert!(!app.is_active());
}

#[test]
fn feedback_declined_is_recorded_on_the_rejection() {
    let (_dir, mut j) = journal();
    let app = j
        .add_application(Application::new("Initech", "SRE"))
        .unwrap();
    j.log_rejection(Rejection::new(&app.meta.id, Utc::now()), false)
        .unwrap();
    let ask = j
        .draft_message(
            MessageKind::FeedbackRequest,
            Some(&app.meta.id),
            None,
            None,
            None,
        )
        .unwrap();
    assert_eq!(ask.status, MessageStatus::Draft);
    assert!(ask.body.contains("SRE role at Initech"));
    j.mark_sent(&ask.meta.id, None).unwrap();
    let rejection = j.list::<Rejection>().unwrap().remove(0);
    assert_eq!(rejection.feedback_status, FeedbackStatus::Requested);

    j.record_reply(
        &ask.meta.id,
        MessageStatus::Declined,
        Some("Company policy".into()),
        None,
    )
    .unwrap();
    let rejection = j.list::<Rejection>().unwrap().remove(0);
    assert_eq!(rejection.feedback_status, FeedbackStatus::Declined);
}

#[test]
fn entries_answer_the_prompts_of_their_kind() {
    let (_dir, mut j) = journal();
    let mut entry = Entry::new(EntryKind::Debrief, "", Utc::now());
    entry
        .answers
        .insert("wanted_to_see".into(), "Calm ownership of incidents".into());
    let entry = j.add_entry(entry).unwrap();
    assert_eq!(entry.prompt_set.as_deref(), Some("debrief@1"));

    let mut wrong = Entry::new(EntryKind::Gratitude, "", Utc::now());
    wrong.answers.insert("wanted_to_see".into(), "x".into());
    let err = j.add_entry(wrong).unwrap_err().to_string();
    assert!(err.contains("not a prompt of gratitude entries"), "{err}");

    let empty = Entry::new(EntryKind::Free, "  ", Utc::now());
    assert!(j.add_entry(empty).is_err());
}

#[test]
fn everything_is_found_again_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.onward");
    let id = {
        let mut j = Journal::open(&path).unwrap();
        let mut mood = Mood::new(2, Utc::now());
        mood.words = vec!["tired".into(), "hopeful".into()];
        j.create(mood).unwrap();
        let e = j
            .add_entry(Entry::new(
                EntryKind::Free,
                "The panel liked my migration story",
                Utc::now(),
            ))
            .unwrap();
        e.meta.id
    };
    let mut j = Journal::open(&path).unwrap();
    let hits = j.search("migration", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].record.id(), id);
    assert!(
        hits[0].snippet.contains("[migration]"),
        "{}",
        hits[0].snippet
    );
    assert_eq!(j.timeline(&Filter::default()).unwrap().len(), 2);

    j.delete(&id).unwrap();
    assert!(j.search("migration", 10).unwrap().is_empty());
    assert_eq!(j.timeline(&Filter::default()).unwrap().len(), 1);
    j.restore(&id[..6]).unwrap();
    assert_eq!(j.search("migration", 10).unwrap().len(), 1);
    assert!(j.check_index().unwrap().is_consistent());
}

#[test]
fn invalid_input_names_the_field_and_stores_nothing() {
    let (_dir, mut j) = journal();
    let mut app = Application::new("Acme", "Dev");
    app.excitement = Some(9);
    let err = j.add_application(app).unwrap_err().to_string();
    assert!(err.starts_with("excitement:"), "{err}");
    assert!(j.timeline(&Filter::default()).unwrap().is_empty());
    assert!(matches!(
        j.record("0000ffff"),
        Err(onward_core::Error::NotFound { .. })
    ));
}

#[test]
fn notes_go_to_the_first_interviewer_named() {
    let (_dir, mut j) = journal();
    let app = j
        .add_application(Application::new("Umbrella", "Analyst"))
        .unwrap();
    let interview = Interview::new(&app.meta.id, InterviewKind::Panel, Utc::now());
    let names = ["Zoe Park".to_string(), "Adam Ng".to_string()];
    let interview = j.log_interview(interview, &names).unwrap();
    let stored: Interview = j.get(&interview.meta.id).unwrap();
    let named: Vec<String> = stored
        .interviewer_ids
        .iter()
        .map(|id| j.get::<Contact>(id).unwrap().name)
        .collect();
    assert_eq!(named, names, "interviewers keep the order given");
    let note = j
        .draft_message(
            MessageKind::ThankYou,
            Some(&app.meta.id),
            None,
            Some("the case study"),
            None,
        )
        .unwrap();
    assert!(note.body.starts_with("Hi Zoe,"), "{}", note.body);
}

#[test]
fn links_must_point_at_a_record_of_the_right_kind() {
    let (_dir, mut j) = journal();
    let app = j.add_application(Application::new("Acme", "Dev")).unwrap();
    let mut entry = Entry::new(EntryKind::Debrief, "Went well", Utc::now());
    entry.interview_id = Some(app.meta.id.clone());
    let err = j.add_entry(entry).unwrap_err().to_string();
    assert!(err.contains("is an application, not an interview"), "{err}");

    let mut mood = Mood::new(3, Utc::now());
    mood.rejection_id = Some("0000dead".into());
    let err = j.create(mood).unwrap_err().to_string();
    assert!(err.starts_with("rejection_id:"), "{err}");

    // Short ids are stored as full ones.
    let mut goal = Goal::new(GoalKind::Skill, "System design practice");
    goal.origin_id = Some(app.meta.id[..8].to_string());
    let goal = j.create(goal).unwrap();
    assert_eq!(goal.origin_id.as_deref(), Some(app.meta.id.as_str()));

    let err = j
        .update::<Mood>(&app.meta.id, |_| Ok(()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("is an application, not a mood"), "{err}");
}

#[test]
fn only_pending_reminders_can_be_done_or_snoozed() {
    let (_dir, mut j) = journal();
    let mut app = Application::new("Acme", "Dev");
    app.applied_at = Some(Utc::now());
    j.add_application(app).unwrap();
    assert!(j.complete_reminder("bogus:key").is_err());
    // Due in a week, yet it can be dealt with now by its key's prefix.
    let upcoming = j.reminders_within(Duration::days(8)).unwrap();
    let key = upcoming
        .iter()
        .find(|r| r.key.starts_with("follow_up:"))
        .unwrap()
        .key
        .clone();
    j.complete_reminder("follow_up:").unwrap();
    assert!(j
        .reminders_within(Duration::days(8))
        .unwrap()
        .iter()
        .all(|r| r.key != key));
    // A far horizon does not overflow.
    j.reminders_within(Duration::MAX).unwrap();
}

#[test]
fn a_declined_request_keeps_its_reason_off_the_feedback() {
    let (_dir, mut j) = journal();
    let app = j.add_application(Application::new("Acme", "Dev")).unwrap();
    j.log_rejection(Rejection::new(&app.meta.id, Utc::now()), false)
        .unwrap();
    let ask = j
        .draft_message(
            MessageKind::FeedbackRequest,
            Some(&app.meta.id),
            None,
            None,
            None,
        )
        .unwrap();
    j.record_reply(
        &ask.meta.id,
        MessageStatus::Declined,
        Some("Company policy".into()),
        None,
    )
    .unwrap();
    let rejection = j.list::<Rejection>().unwrap().remove(0);
    assert_eq!(rejection.feedback_status, FeedbackStatus::Declined);
    assert_eq!(rejection.feedback, "");
    let ask: Message = j.get(&ask.meta.id).unwrap();
    assert_eq!(ask.reply_summary, "Company policy");
}

#[test]
fn search_finds_words_not_picked_choices() {
    let (_dir, mut j) = journal();
    j.add_entry(Entry::new(
        EntryKind::Free,
        "My first week of searching",
        Utc::now(),
    ))
    .unwrap();
    j.add_entry(Entry::new(
        EntryKind::Gratitude,
        "Thankful for Sam",
        Utc::now(),
    ))
    .unwrap();
    assert_eq!(j.search("first", 10).unwrap().len(), 1);
    assert!(j.search("gratitude", 10).unwrap().is_empty());
}

#[test]
fn entry_titles_follow_the_order_of_the_prompts() {
    let mut entry = Entry::new(EntryKind::Debrief, "", Utc::now());
    entry
        .answers
        .insert("wanted_to_see".into(), "Ownership".into());
    entry
        .answers
        .insert("needed".into(), "Someone for on-call".into());
    entry
        .answers
        .insert("questions".into(), "Rate limiting".into());
    entry.answers.remove("needed");
    // "questions" sorts first, but "wanted_to_see" is asked first.
    assert_eq!(entry.title(), "debrief: Ownership");
}

#[test]
fn a_folder_is_not_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    let err = Journal::open(dir.path()).err().unwrap().to_string();
    assert!(err.contains("this is a folder"), "{err}");
}

#[test]
fn an_interview_with_new_interviewers_is_one_write() {
    let (_dir, mut j) = journal();
    let app = j.add_application(Application::new("Hooli", "PM")).unwrap();
    let waiting = j.pending_writes().unwrap();
    let names = [
        "Gavin B".to_string(),
        "gavin b".to_string(),
        "Jian Y".to_string(),
    ];
    let interview = j
        .log_interview(
            Interview::new(&app.meta.id, InterviewKind::Panel, Utc::now()),
            &names,
        )
        .unwrap();
    // One action: one write waiting in the outbox, one change once applied.
    assert_eq!(j.pending_writes().unwrap(), waiting + 1);
    let chunks = j.storage_sizes().unwrap().chunks;
    j.apply_pending().unwrap();
    assert_eq!(j.storage_sizes().unwrap().chunks, chunks + 1);
    assert_eq!(
        interview.interviewer_ids.len(),
        2,
        "the same name is one person"
    );
    assert_eq!(j.list::<Contact>().unwrap().len(), 2);
    // Next time, known people are found by name.
    let again = j
        .log_interview(
            Interview::new(&app.meta.id, InterviewKind::Final, Utc::now()),
            &names[2..],
        )
        .unwrap();
    assert_eq!(again.interviewer_ids[0], interview.interviewer_ids[1]);
}

#[test]
fn a_saved_record_comes_back_as_stored() {
    let (_dir, mut j) = journal();
    let mut mood = Mood::new(3, Utc::now());
    mood.words = vec!["tired".into(), "hopeful".into(), "tired".into()];
    let saved = j.create(mood).unwrap();
    assert_eq!(saved.words, ["hopeful", "tired"]);
    assert_eq!(j.get::<Mood>(&saved.meta.id).unwrap(), saved);
}

#[test]
fn a_mood_logged_for_a_rejection_belongs_to_its_application() {
    let (_dir, mut j) = journal();
    let app = j.add_application(Application::new("Acme", "Dev")).unwrap();
    let no = j
        .log_rejection(Rejection::new(&app.meta.id, j.now()), false)
        .unwrap()
        .rejection;
    let mut mood = Mood::new(2, j.now());
    mood.rejection_id = Some(no.meta.id[..8].to_string());
    let mood = j.log_mood(mood).unwrap();
    assert_eq!(mood.rejection_id.as_deref(), Some(no.meta.id.as_str()));
    assert_eq!(mood.application_id.as_deref(), Some(app.meta.id.as_str()));
    // An application named outright is kept.
    let other = j
        .add_application(Application::new("Globex", "Dev"))
        .unwrap();
    let mut mood = Mood::new(3, j.now());
    mood.rejection_id = Some(no.meta.id.clone());
    mood.application_id = Some(other.meta.id.clone());
    assert_eq!(
        j.log_mood(mood).unwrap().application_id,
        Some(other.meta.id)
    );
}
