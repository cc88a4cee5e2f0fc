//! Insights on a hand-built journal whose answers are known: four weeks of a search,
//! back-dated, with "now" fixed on Thursday 26 November 2026 at noon (UTC).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use onward_core::insights::{Insights, InsightsOptions};
use onward_core::model::*;
use onward_core::Journal;

fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, 0, 0).unwrap()
}

fn nov(day: u32) -> DateTime<Utc> {
    at(11, day, 9)
}

fn now() -> DateTime<Utc> {
    at(11, 26, 12)
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn applied(j: &mut Journal, company: &str, day: u32) -> String {
    let mut app = Application::new(company, "Data Engineer");
    app.applied_at = Some(nov(day));
    j.add_application(app).unwrap().meta.id
}

fn reject(j: &mut Journal, app: &str, day: u32, reason: Reason) {
    let mut r = Rejection::new(app, nov(day));
    r.reason = reason;
    r.channel = Some(Channel::Email);
    j.log_rejection(r, false).unwrap();
}

fn mood(j: &mut Journal, valence: u8, energy: Option<u8>, felt_at: DateTime<Utc>) {
    let mut m = Mood::new(valence, felt_at);
    m.energy = energy;
    j.create(m).unwrap();
}

fn activity(j: &mut Journal, category: ActivityCategory, day: u32, before: u8, after: u8) {
    let mut a = Activity::new(category, "a walk with Sam");
    a.done_at = Some(nov(day));
    a.mood_before = Some(before);
    a.mood_after = Some(after);
    j.create(a).unwrap();
}

fn entry(j: &mut Journal, kind: EntryKind, written_at: DateTime<Utc>) {
    j.add_entry(Entry::new(kind, "what I noticed", written_at))
        .unwrap();
}

fn sent(j: &mut Journal, kind: MessageKind, day: u32) {
    let mut m = Message::new(kind, "Thank you for your time", nov(day));
    m.status = MessageStatus::Sent;
    m.sent_at = Some(nov(day));
    j.create(m).unwrap();
}

/// The journal the tests share. See each test for what it adds up to.
fn search_journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path().join("journal.onward")).unwrap();
    j.set_clock(|| at(11, 19, 10));
    // Created "now" on the 19th: a saved application (not sent) and a goal.
    j.add_application(Application::new("Saved Co", "Analyst"))
        .unwrap();
    let goal = j
        .create(Goal::new(GoalKind::Course, "SQL window functions"))
        .unwrap();
    j.set_clock(now);

    // Went to the final round, then a no after it: first answer 4 days after applying.
    let a1 = applied(&mut j, "Acme", 2);
    j.move_stage(&a1, Stage::Screening, Some(nov(6))).unwrap();
    j.move_stage(&a1, Stage::Interviewing, Some(nov(10)))
        .unwrap();
    j.move_stage(&a1, Stage::Final, Some(nov(16))).unwrap();
    reject(&mut j, &a1, 20, Reason::StrongerCandidate);
    // A screening, then a no: 6 days.
    let a2 = applied(&mut j, "Globex", 3);
    j.move_stage(&a2, Stage::Screening, Some(nov(9))).unwrap();
    reject(&mut j, &a2, 12, Reason::None);
    // A quick no: 2 days.
    let a3 = applied(&mut j, "Initech", 4);
    reject(&mut j, &a3, 6, Reason::RoleClosed);
    // Silence.
    let a4 = applied(&mut j, "Umbrella", 5);
    j.set_outcome(&a4, Outcome::NoResponse, Some(nov(25)))
        .unwrap();
    // Still open, nothing yet.
    applied(&mut j, "Hooli", 10);
    // A recruiter screen a week after applying: 7 days.
    let a6 = applied(&mut j, "Vandelay", 17);
    j.log_interview(
        Interview::new(&a6, InterviewKind::RecruiterScreen, nov(24)),
        &[],
    )
    .unwrap();
    // Deleted: counted nowhere.
    let gone = applied(&mut j, "Deleted Ltd", 9);
    j.move_stage(&gone, Stage::Offer, Some(nov(11))).unwrap();
    j.delete(&gone).unwrap();

    sent(&mut j, MessageKind::FeedbackRequest, 21);
    sent(&mut j, MessageKind::ThankYou, 25);
    entry(&mut j, EntryKind::RejectionReflection, nov(12));
    entry(&mut j, EntryKind::Debrief, nov(20));
    entry(&mut j, EntryKind::Gratitude, at(10, 26, 20));
    entry(
        &mut j,
        EntryKind::Free,
        Utc.with_ymd_and_hms(2025, 11, 26, 8, 0, 0).unwrap(),
    );
    activity(&mut j, ActivityCategory::Rest, 13, 2, 3);
    activity(&mut j, ActivityCategory::Social, 21, 2, 4);
    activity(&mut j, ActivityCategory::Social, 22, 3, 4);
    let mut planned = Activity::new(ActivityCategory::Physical, "a long swim");
    planned.planned_for = Some(at(12, 1, 9));
    j.create(planned).unwrap();

    mood(&mut j, 2, Some(2), nov(3));
    mood(&mut j, 4, Some(3), nov(5));
    mood(&mut j, 3, None, nov(18));
    mood(&mut j, 3, None, nov(23));
    mood(&mut j, 5, Some(4), nov(26));

    // Moved along a week after it was set.
    j.update::<Goal>(&goal.meta.id, |g| {
        g.progress = 30;
        g.status = GoalStatus::InProgress;
        Ok(())
    })
    .unwrap();
    (dir, j)
}

fn four_weeks(j: &Journal) -> Insights {
    j.insights(&InsightsOptions {
        weeks: 4,
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn the_funnel_counts_the_furthest_stage_and_converts_only_with_enough_data() {
    let (_dir, j) = search_journal();
    let f = four_weeks(&j).funnel;
    let reached: Vec<(Stage, i64)> = f.stages.iter().map(|s| (s.stage, s.reached)).collect();
    assert_eq!(
        reached,
        [
            (Stage::Applied, 6),
            (Stage::Screening, 3),
            (Stage::Interviewing, 1),
            (Stage::Final, 1),
            (Stage::Offer, 0),
        ],
        "the saved and the deleted application are not in the funnel"
    );
    assert_eq!(
        f.stages[0].conversion,
        Some(0.5),
        "3 of 6 reached screening"
    );
    assert_eq!(f.stages[0].went_on, Some(3));
    assert!(f.stages[0].enough_data);
    assert_eq!(
        f.stages[1].conversion, None,
        "3 at screening is not enough to give a rate"
    );
    assert!(!f.stages[1].enough_data);
    assert_eq!(f.stages[1].went_on, Some(1), "the count is still there");
    assert_eq!(f.stages[4].next, None);
}

#[test]
fn responses_rate_time_to_first_answer_and_how_things_ended() {
    let (_dir, j) = search_journal();
    let r = four_weeks(&j).responses;
    assert_eq!(r.applied, 6);
    assert_eq!(
        r.responded, 4,
        "Acme, Globex, Initech and Vandelay answered"
    );
    assert!((r.rate.unwrap() - 4.0 / 6.0).abs() < 1e-9);
    assert_eq!(r.timed_responses, 4);
    assert_eq!(
        r.median_days_to_first_response,
        Some(5.0),
        "waits of 2, 4, 6 and 7 days"
    );
    assert_eq!(r.silent, 1);
    let by_stage: Vec<(&str, i64)> = r
        .rejections_by_stage
        .iter()
        .map(|c| (c.key.as_str(), c.count))
        .collect();
    assert_eq!(by_stage, [("applied", 1), ("screening", 1), ("final", 1)]);
    let by_reason: Vec<&str> = r
        .rejections_by_reason
        .iter()
        .map(|c| c.key.as_str())
        .collect();
    assert_eq!(by_reason, ["none", "role_closed", "stronger_candidate"]);
}

#[test]
fn a_response_rate_waits_for_enough_applications() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path().join("j.onward")).unwrap();
    j.set_clock(now);
    let a = applied(&mut j, "Acme", 2);
    j.move_stage(&a, Stage::Screening, Some(nov(3))).unwrap();
    applied(&mut j, "Globex", 3);
    let i = j.insights(&InsightsOptions::default()).unwrap();
    assert_eq!((i.responses.applied, i.responses.responded), (2, 1));
    assert_eq!(i.responses.rate, None);
    assert_eq!(i.responses.median_days_to_first_response, Some(1.0));
    assert_eq!(i.funnel.stages[0].conversion, None);
}

#[test]
fn effort_counts_every_kind_of_step_per_iso_week() {
    let (_dir, j) = search_journal();
    let e = four_weeks(&j).effort;
    let weeks: Vec<&str> = e.weeks.iter().map(|w| w.week.as_str()).collect();
    assert_eq!(weeks, ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]);
    assert_eq!(e.weeks[0].starts, date(11, 2));
    let column = |f: fn(&onward_core::insights::WeekEffort) -> i64| -> Vec<i64> {
        e.weeks.iter().map(f).collect()
    };
    assert_eq!(
        column(|w| w.applications),
        [4, 1, 1, 0],
        "the deleted one is left out"
    );
    assert_eq!(column(|w| w.interviews), [0, 0, 0, 1]);
    assert_eq!(column(|w| w.notes_sent), [0, 0, 0, 1]);
    assert_eq!(column(|w| w.feedback_asked), [0, 0, 1, 0]);
    assert_eq!(column(|w| w.reflections), [0, 1, 1, 0]);
    assert_eq!(
        column(|w| w.restorative),
        [0, 1, 2, 0],
        "the planned swim is not done yet"
    );
    assert_eq!(column(|w| w.growth), [0, 0, 1, 1], "set, then moved along");
    assert_eq!(column(|w| w.total), [4, 3, 6, 3]);
}

#[test]
fn the_streak_counts_days_with_any_step_and_never_what_was_missed() {
    let (_dir, j) = search_journal();
    let s = four_weeks(&j).effort.streak;
    assert_eq!(
        s.current_days, 10,
        "17 to 26 November, back-dated records included"
    );
    assert_eq!(s.longest_days, 10);
    assert_eq!(s.days_with_steps, 18, "days in the four weeks");
    assert_eq!(s.total_days, 20, "with the October and last year's entries");
    assert_eq!(s.last_step, Some(date(11, 26)));

    // A quiet day doesn't end it while today is still going: yesterday still counts.
    let mut j = j;
    j.set_clock(|| at(11, 27, 12));
    assert_eq!(four_weeks(&j).effort.streak.current_days, 10);
    j.set_clock(|| at(11, 29, 12));
    let s = four_weeks(&j).effort.streak;
    assert_eq!((s.current_days, s.longest_days), (0, 10));
}

#[test]
fn mood_over_the_weeks_and_before_and_after_rest() {
    let (_dir, j) = search_journal();
    let m = four_weeks(&j).mood;
    let valence: Vec<Option<f64>> = m.weeks.iter().map(|w| w.valence).collect();
    assert_eq!(valence, [Some(3.0), None, Some(3.0), Some(4.0)]);
    let energy: Vec<Option<f64>> = m.weeks.iter().map(|w| w.energy).collect();
    assert_eq!(energy, [Some(2.5), None, None, Some(4.0)]);
    assert_eq!(m.weeks[3].check_ins, 2);

    let rest: Vec<(&str, i64, f64, f64)> = m
        .rest
        .iter()
        .map(|r| (r.category.as_str(), r.count, r.mood_before, r.mood_after))
        .collect();
    assert_eq!(rest, [("social", 2, 2.5, 4.0), ("rest", 1, 2.0, 3.0)]);
}

#[test]
fn on_this_day_looks_back_weeks_months_and_years() {
    let (_dir, j) = search_journal();
    let days = four_weeks(&j).on_this_day;
    let mut seen: Vec<(NaiveDate, &str, &str)> = days
        .iter()
        .map(|d| (d.date, d.ago.as_str(), d.kind.as_str()))
        .collect();
    // Newest day first; within a day, records at the same moment in either order.
    seen.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(b.2)));
    let seen: Vec<(&str, &str)> = seen.iter().map(|s| (s.1, s.2)).collect();
    assert_eq!(
        seen,
        [
            ("1 week ago", "application"),
            ("1 week ago", "goal"),
            ("2 weeks ago", "entry"),
            ("2 weeks ago", "rejection"),
            ("3 weeks ago", "application"),
            ("3 weeks ago", "mood"),
            ("1 month ago", "entry"),
            ("1 year ago", "entry"),
        ]
    );
    assert_eq!(days[0].date, date(11, 19));
    assert_eq!(days[7].date, NaiveDate::from_ymd_opt(2025, 11, 26).unwrap());
}

#[test]
fn days_and_weeks_follow_the_local_clock() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path().join("j.onward")).unwrap();
    j.set_clock(now);
    // Sunday 22 November, 23:30 UTC: already Monday the 23rd in Helsinki (UTC+2).
    mood(&mut j, 4, None, at(11, 22, 23) + Duration::minutes(30));
    let two_weeks = InsightsOptions {
        weeks: 2,
        ..Default::default()
    };
    j.set_zone(onward_core::zone::parse("Europe/Helsinki").unwrap());
    let i = j.insights(&two_weeks).unwrap();
    assert_eq!(i.mood.weeks[1].check_ins, 1, "in the week of the 23rd");
    assert_eq!(i.effort.streak.last_step, Some(date(11, 23)));
    j.set_zone(onward_core::zone::DEFAULT);
    let utc = j.insights(&two_weeks).unwrap();
    assert_eq!(utc.mood.weeks[0].check_ins, 1, "in the week before, in UTC");
}

#[test]
fn an_empty_journal_has_an_empty_picture() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(dir.path().join("j.onward")).unwrap();
    let i = j.insights(&InsightsOptions::default()).unwrap();
    assert!(i.is_empty());
    assert_eq!(i.effort.weeks.len(), 8);
    assert!(i.on_this_day.is_empty());
    assert_eq!(i.responses.median_days_to_first_response, None);
    assert_eq!(i.effort.streak.current_days, 0);
}

#[test]
fn silence_and_deleted_records_are_not_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path().join("j.onward")).unwrap();
    j.set_clock(now);
    // A "rejection" that was only ever silence.
    let quiet = applied(&mut j, "Acme", 2);
    let mut r = Rejection::new(&quiet, nov(20));
    r.channel = Some(Channel::Silence);
    j.log_rejection(r, false).unwrap();
    // An interview deleted afterwards: the stage it moved to stays in the history,
    // and that still counts as an answer.
    let other = applied(&mut j, "Globex", 3);
    let interview = j
        .log_interview(
            Interview::new(&other, InterviewKind::Technical, nov(13)),
            &[],
        )
        .unwrap();
    j.delete(&interview.meta.id).unwrap();
    let r = j.insights(&InsightsOptions::default()).unwrap().responses;
    assert_eq!((r.applied, r.responded), (2, 1), "only Globex moved on");
    assert_eq!(
        r.median_days_to_first_response,
        Some(10.0),
        "from the stage history"
    );
    assert_eq!(
        r.rejections_by_stage[0].count, 1,
        "the silence is still listed"
    );
}
