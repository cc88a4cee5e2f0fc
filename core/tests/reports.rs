//! The reports a person takes elsewhere, on a hand-built journal in Los Angeles with
//! "now" fixed on Friday 20 November 2026 at noon (local): the work-search log (weeks in
//! the person's zone, the minimum, methods, deleted records left out) and the coach
//! summary (private text left out unless asked for).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use onward_core::model::*;
use onward_core::reports::coach::CoachOptions;
use onward_core::reports::work_search::{Method, DEFAULT_MINIMUM};
use onward_core::reports::Period;
use onward_core::Journal;

const ZONE: chrono_tz::Tz = chrono_tz::America::Los_Angeles;

/// A local wall-clock time in Los Angeles (UTC-8 in November).
fn local(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    ZONE.with_ymd_and_hms(2026, month, day, hour, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path().join("j.onward")).unwrap();
    j.set_zone(ZONE);
    j.set_clock(|| local(11, 20, 12));
    (dir, j)
}

fn apply(j: &mut Journal, company: &str, at: DateTime<Utc>, source: Option<Source>) -> String {
    let mut app = Application::new(company, "Data Engineer");
    app.applied_at = Some(at);
    app.source = source;
    j.add_application(app).unwrap().meta.id
}

fn contact(j: &mut Journal, name: &str) -> String {
    j.create(Contact::new(name)).unwrap().meta.id
}

fn period(from: NaiveDate, to: NaiveDate) -> Period {
    Period::new(from, to).unwrap()
}

#[test]
fn an_activity_late_on_sunday_evening_counts_in_that_local_week() {
    let (_dir, mut j) = journal();
    // Sunday 8 November, 22:00 in Los Angeles: already Monday the 9th in UTC.
    apply(&mut j, "Acme", local(11, 8, 22), None);
    let log = j
        .work_search_log(period(date(11, 2), date(11, 15)), DEFAULT_MINIMUM)
        .unwrap();
    assert_eq!(log.activities.len(), 1);
    assert_eq!(log.activities[0].date, date(11, 8));
    let counts: Vec<(&str, u32)> = log
        .weeks
        .iter()
        .map(|w| (w.week.as_str(), w.activities))
        .collect();
    assert_eq!(counts, [("2026-W45", 1), ("2026-W46", 0)]);
    assert_eq!(log.time_zone, "America/Los_Angeles");
}

#[test]
fn weeks_below_the_minimum_are_flagged_gently_and_the_minimum_can_be_set() {
    let (_dir, mut j) = journal();
    for (company, day) in [("Acme", 2), ("Globex", 3), ("Initech", 4), ("Umbrella", 10)] {
        apply(&mut j, company, local(11, day, 9), None);
    }
    let whole_weeks = period(date(11, 2), date(11, 15));
    let log = j.work_search_log(whole_weeks, DEFAULT_MINIMUM).unwrap();
    let flags: Vec<(u32, bool, bool)> = log
        .weeks
        .iter()
        .map(|w| (w.activities, w.below_minimum, w.partial))
        .collect();
    assert_eq!(flags, [(3, false, false), (1, true, false)]);
    assert_eq!(log.weeks[0].note, "3 of 3; the weekly minimum is met");
    assert_eq!(
        log.weeks[1].note,
        "1 of 3; 2 more would meet the weekly minimum"
    );

    let log = j.work_search_log(whole_weeks, 1).unwrap();
    assert!(log.weeks.iter().all(|w| !w.below_minimum));
    assert_eq!(log.minimum, 1);

    // A period from a Wednesday covers part of its first week.
    let log = j
        .work_search_log(period(date(11, 4), date(11, 15)), 3)
        .unwrap();
    assert_eq!((log.weeks[0].activities, log.weeks[0].partial), (1, true));
}

#[test]
fn each_kind_of_activity_gets_its_method_and_the_person_contacted() {
    let (_dir, mut j) = journal();
    let acme = apply(&mut j, "Acme", local(11, 2, 9), Some(Source::JobBoard));
    apply(&mut j, "Globex", local(11, 3, 9), Some(Source::Referral));
    let mut fair = Application::new("Initech", "Analyst");
    fair.applied_at = Some(local(11, 4, 9));
    fair.meta.tags = vec!["job-fair".into()];
    j.add_application(fair).unwrap();

    let dana = contact(&mut j, "Dana Lee");
    let sam = contact(&mut j, "Sam Ortiz");
    let mut call = Interview::new(&acme, InterviewKind::Phone, local(11, 9, 10));
    call.interviewer_ids = vec![dana.clone()];
    j.create(call).unwrap();
    let mut panel = Interview::new(&acme, InterviewKind::Panel, local(11, 12, 10));
    panel.interviewer_ids = vec![dana.clone(), sam.clone()];
    j.create(panel).unwrap();
    // Still ahead of "now": not done yet, so not in the log.
    j.create(Interview::new(
        &acme,
        InterviewKind::Final,
        local(11, 24, 10),
    ))
    .unwrap();
    j.move_stage(&acme, Stage::Interviewing, None).unwrap();

    let mut thanks = Message::new(MessageKind::ThankYou, "Thank you", local(11, 12, 15));
    thanks.application_id = Some(acme.clone());
    thanks.contact_id = Some(sam.clone());
    thanks.status = MessageStatus::Sent;
    thanks.sent_at = Some(local(11, 12, 16));
    j.create(thanks).unwrap();
    let mut coffee = Message::new(MessageKind::Networking, "Coffee?", local(11, 13, 9));
    coffee.contact_id = Some(dana);
    coffee.status = MessageStatus::Replied;
    coffee.sent_at = Some(local(11, 13, 9));
    j.create(coffee).unwrap();
    // A draft was never sent.
    j.create(Message::new(MessageKind::FollowUp, "Hi", local(11, 13, 10)))
        .unwrap();

    let log = j
        .work_search_log(period(date(11, 1), date(11, 30)), 3)
        .unwrap();
    let rows: Vec<(&str, Method, &str, &str)> = log
        .activities
        .iter()
        .map(|a| {
            (
                a.employer.as_str(),
                a.method,
                a.contacted.as_str(),
                a.result.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Acme", Method::OnlineApplication, "", "Interviewing"),
            ("Globex", Method::Networking, "", "Applied"),
            ("Initech", Method::JobFair, "", "Applied"),
            ("Acme", Method::Phone, "Dana Lee", "Interviewing"),
            (
                "Acme",
                Method::InPerson,
                "Dana Lee, Sam Ortiz",
                "Interviewing"
            ),
            ("Acme", Method::Email, "Sam Ortiz", "Interviewing"),
            ("", Method::Networking, "Dana Lee", "They replied"),
        ]
    );

    let csv = log.to_csv();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("Date,Employer,Position,Method of contact,Person contacted,Result")
    );
    assert_eq!(
        lines.nth(4),
        Some(
            "2026-11-12,Acme,Data Engineer,In person or video,\"Dana Lee, Sam Ortiz\",Interviewing"
        )
    );
    assert_eq!(csv.lines().count(), 1 + log.activities.len());
}

#[test]
fn a_deleted_record_is_left_out_of_the_log() {
    let (_dir, mut j) = journal();
    apply(&mut j, "Acme", local(11, 2, 9), None);
    let gone = apply(&mut j, "Globex", local(11, 3, 9), None);
    j.delete(&gone).unwrap();
    let log = j
        .work_search_log(period(date(11, 2), date(11, 8)), 3)
        .unwrap();
    let employers: Vec<&str> = log.activities.iter().map(|a| a.employer.as_str()).collect();
    assert_eq!(employers, ["Acme"]);
    assert_eq!(log.weeks[0].activities, 1);
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused() {
    assert!(Period::new(date(11, 9), date(11, 2)).is_err());
    assert!(Period::new(date(11, 2), date(11, 2)).is_ok());
}

/// A journal with an entry, a check-in with words, a goal and an application ahead.
fn with_private_writing() -> (tempfile::TempDir, Journal) {
    let (dir, mut j) = journal();
    let mut acme = Application::new("Acme", "Data Engineer");
    acme.applied_at = Some(local(11, 3, 9));
    acme.next_action_at = Some(local(11, 23, 9));
    j.add_application(acme).unwrap();
    let globex = apply(&mut j, "Globex", local(11, 4, 9), None);
    j.set_outcome(&globex, Outcome::Rejected, None).unwrap();
    j.add_entry(Entry::new(
        EntryKind::Expressive,
        "I felt small after the call with Globex",
        local(11, 10, 20),
    ))
    .unwrap();
    let mut mood = Mood::new(2, local(11, 11, 8));
    mood.words = vec!["tired".into()];
    mood.note = "slept badly".into();
    j.create(mood).unwrap();
    let mut goal = Goal::new(GoalKind::Course, "Finish the SQL course");
    goal.progress = 40;
    goal.status = GoalStatus::InProgress;
    j.create(goal).unwrap();
    (dir, j)
}

#[test]
fn the_coach_summary_leaves_out_private_text_by_default() {
    let (_dir, j) = with_private_writing();
    let summary = j
        .coach_summary(period(date(11, 2), date(11, 15)), CoachOptions::default())
        .unwrap();
    assert!(summary.private.is_none());
    let md = summary.to_markdown();
    for private in ["felt small", "tired", "slept badly", "From my journal"] {
        assert!(!md.contains(private), "{private} is in:\n{md}");
    }
    assert!(
        md.contains("- Finish the SQL course (Course): Under way, 40%"),
        "{md}"
    );
    assert!(md.contains("2 applications in this period."), "{md}");
    assert!(md.contains("- Applied: 1\n"), "{md}");
    assert!(md.contains("- Closed: a no this time: 1\n"), "{md}");
    assert!(
        md.contains("- 2026-11-23: The next step you planned for Data Engineer at Acme"),
        "{md}"
    );
    assert!(md.contains("| 2026-W45 (from 2026-11-02) | 2 |"), "{md}");
    assert_eq!(summary.effort.len(), 2);
}

#[test]
fn the_coach_summary_has_the_private_text_when_asked() {
    let (_dir, j) = with_private_writing();
    let summary = j
        .coach_summary(
            period(date(11, 2), date(11, 15)),
            CoachOptions {
                include_private: true,
            },
        )
        .unwrap();
    let md = summary.to_markdown();
    assert!(md.contains("## From my journal"), "{md}");
    assert!(
        md.contains("### 2026-11-10: Let it out\n\nI felt small after the call with Globex"),
        "{md}"
    );
    assert!(
        md.contains("- 2026-11-11: Low · tired · slept badly"),
        "{md}"
    );
}
