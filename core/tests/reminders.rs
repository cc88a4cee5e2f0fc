//! Reminders follow from the journal: the rules of the brief, done and snooze, gentleness.

use chrono::{DateTime, Duration, TimeZone, Utc};
use onward_core::model::*;
use onward_core::notify::Posted;
use onward_core::reminders::{Gentleness, Rule};
use onward_core::Journal;
use std::sync::{Arc, Mutex};

/// A journal whose clock the test moves.
fn journal_at(start: DateTime<Utc>) -> (tempfile::TempDir, Journal, Arc<Mutex<DateTime<Utc>>>) {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path().join("j.onward")).unwrap();
    let now = Arc::new(Mutex::new(start));
    let clock = now.clone();
    j.set_clock(move || *clock.lock().unwrap());
    (dir, j, now)
}

fn rules(j: &Journal) -> Vec<Rule> {
    j.reminders().unwrap().into_iter().map(|r| r.rule).collect()
}

// A Wednesday, so the weekly review (Sunday 17:00) is not due yet.
fn wednesday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 4, 10, 0, 0).unwrap()
}

#[test]
fn a_follow_up_is_due_a_week_after_applying_until_one_is_sent() {
    let (_d, mut j, now) = journal_at(wednesday());
    let mut app = Application::new("Acme", "Data Engineer");
    app.applied_at = Some(wednesday());
    let app = j.add_application(app).unwrap();
    assert!(rules(&j).is_empty());

    *now.lock().unwrap() = wednesday() + Duration::days(7) + Duration::minutes(1);
    let due = j.reminders().unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].rule, Rule::FollowUp);
    assert!(due[0].title.contains("Data Engineer at Acme"));

    let note = j
        .draft_message(MessageKind::FollowUp, Some(&app.meta.id), None, None, None)
        .unwrap();
    assert_eq!(
        rules(&j),
        [Rule::FollowUp],
        "a draft is not a follow-up yet"
    );
    j.mark_sent(&note.meta.id, None).unwrap();
    assert!(rules(&j).is_empty());
}

#[test]
fn an_interview_asks_for_a_debrief_and_a_thank_you() {
    let (_d, mut j, now) = journal_at(wednesday());
    let app = j
        .add_application(Application::new("Globex", "SRE"))
        .unwrap();
    let at = wednesday() + Duration::hours(2);
    let interview = j
        .log_interview(
            Interview::new(&app.meta.id, InterviewKind::Technical, at),
            &[],
        )
        .unwrap();
    *now.lock().unwrap() = at + Duration::minutes(30);
    assert!(rules(&j).is_empty(), "nothing while it is still going on");
    *now.lock().unwrap() = at + Duration::hours(3);
    assert_eq!(rules(&j), [Rule::Debrief, Rule::ThankYou]);

    let mut debrief = Entry::new(EntryKind::Debrief, "They wanted calm under pressure.", at);
    debrief.interview_id = Some(interview.meta.id.clone());
    let debrief = j.add_entry(debrief).unwrap();
    assert_eq!(
        debrief.application_id.as_deref(),
        Some(app.meta.id.as_str())
    );
    j.draft_message(MessageKind::ThankYou, Some(&app.meta.id), None, None, None)
        .unwrap();
    assert!(rules(&j).is_empty());
}

#[test]
fn a_rejection_brings_a_check_in_and_a_step_back_which_fade_after_a_while() {
    let (_d, mut j, now) = journal_at(wednesday());
    let app = j
        .add_application(Application::new("Initech", "Dev"))
        .unwrap();
    let r = j
        .log_rejection(Rejection::new(&app.meta.id, wednesday()), false)
        .unwrap();
    *now.lock().unwrap() = wednesday() + Duration::hours(2);
    assert_eq!(rules(&j), [Rule::CheckIn, Rule::StepBack]);

    let mut mood = Mood::new(2, j.now());
    mood.rejection_id = Some(r.rejection.meta.id.clone());
    j.create(mood).unwrap();
    assert_eq!(rules(&j), [Rule::StepBack]);

    // Never a lingering reproach: a week later the step-back is no longer offered.
    *now.lock().unwrap() = wednesday() + Duration::days(9);
    assert!(!rules(&j).contains(&Rule::StepBack));
}

#[test]
fn done_and_snoozed_reminders_behave() {
    let (_d, mut j, now) = journal_at(wednesday());
    let app = j.add_application(Application::new("Acme", "Dev")).unwrap();
    j.log_rejection(Rejection::new(&app.meta.id, wednesday()), false)
        .unwrap();
    *now.lock().unwrap() = wednesday() + Duration::hours(2);
    let due = j.reminders().unwrap();
    let check_in = due
        .iter()
        .find(|r| r.rule == Rule::CheckIn)
        .unwrap()
        .key
        .clone();
    let step_back = due
        .iter()
        .find(|r| r.rule == Rule::StepBack)
        .unwrap()
        .key
        .clone();

    j.complete_reminder(&check_in).unwrap();
    j.snooze_reminder(&step_back[..12], j.now() + Duration::days(1))
        .unwrap();
    assert!(rules(&j).is_empty());
    *now.lock().unwrap() = wednesday() + Duration::days(1) + Duration::hours(3);
    let back = j.reminders().unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].key, step_back);
    assert!(back[0].snoozed);
}

#[test]
fn the_weekly_review_comes_on_sunday_evening_unless_written() {
    let (_d, mut j, now) = journal_at(wednesday());
    *now.lock().unwrap() = wednesday() + Duration::days(4) + Duration::hours(8); // Sun 18:00
    assert!(
        rules(&j).is_empty(),
        "an empty journal gets no review reminder"
    );
    j.create(Mood::new(3, j.now())).unwrap();
    assert_eq!(rules(&j), [Rule::WeeklyReview]);
    let mut review = Entry::new(EntryKind::WeeklyReview, "", j.now());
    review
        .answers
        .insert("did".into(), "Four applications and a long walk".into());
    j.add_entry(review).unwrap();
    assert!(rules(&j).is_empty());
}

#[test]
fn the_journal_notifies_three_a_day_outside_quiet_hours_each_reminder_once() {
    let g = Gentleness::default();
    assert!(g.is_quiet(22) && g.is_quiet(3) && !g.is_quiet(8) && !g.is_quiet(14));
    let (_d, mut j, now) = journal_at(wednesday());
    for i in 0..8 {
        let mut app = Application::new(format!("Company {i}"), "Dev");
        app.applied_at = Some(wednesday());
        j.add_application(app).unwrap();
    }
    *now.lock().unwrap() = wednesday() + Duration::days(8); // 10:00 UTC
    assert_eq!(j.reminders().unwrap().len(), 8);
    let first = j.notifications(&[]).unwrap();
    assert_eq!(first.notices.len(), 3);
    let posted: Vec<Posted> = first
        .notices
        .iter()
        .map(|n| Posted {
            key: n.key.clone(),
            at: j.now(),
        })
        .collect();
    // The cap is reached for today: the next chance is tomorrow, 08:00.
    let again = j.notifications(&posted).unwrap();
    assert!(again.notices.is_empty());
    let tomorrow_8 = Utc.with_ymd_and_hms(2026, 11, 13, 8, 0, 0).unwrap();
    assert_eq!(again.next_check, Some(tomorrow_8));
    // Tomorrow, three others: none posted twice.
    *now.lock().unwrap() = tomorrow_8;
    let next = j.notifications(&posted).unwrap();
    assert_eq!(next.notices.len(), 3);
    assert!(next
        .notices
        .iter()
        .all(|n| !posted.iter().any(|p| p.key == n.key)));
    // At 23:00 in Berlin (22:00 UTC), nothing.
    j.set_zone(onward_core::zone::parse("Europe/Berlin").unwrap());
    *now.lock().unwrap() = Utc.with_ymd_and_hms(2026, 11, 13, 22, 0, 0).unwrap();
    assert!(j.notifications(&[]).unwrap().notices.is_empty());
}
