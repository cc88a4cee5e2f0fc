//! Writes a small journal holding every kind of record with this build of the core, and
//! this build's full JSON export of it beside it. Run once per released schema.
use chrono::{Duration, TimeZone, Utc};
use onward_core::export::{json, Snapshot};
use onward_core::model::*;
use onward_core::Journal;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("journal path");
    let export = args.next().expect("export path");
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap();
    let mut j = Journal::open(&path).unwrap();
    j.set_clock(move || t0);

    let mut app = Application::new("Acme Robotics", "Backend engineer");
    app.source = Some(Source::Referral);
    app.work_mode = Some(WorkMode::Hybrid);
    app.location = Some("Lisbon".into());
    app.applied_at = Some(t0 - Duration::days(9));
    app.notes = "Met Ana at the meetup; she referred me. Café talk — naïve ünïcode too.".into();
    let app = j.add_application(app).unwrap();
    j.move_stage(&app.meta.id, Stage::Screening, None).unwrap();
    let app2 = j.add_application(Application::new("Borealis", "Platform lead")).unwrap();
    let app3 = j.add_application(Application::new("Cobalt", "SRE")).unwrap();

    let contact = j
        .contact_for("Ana Souza", Some("Acme Robotics"), Some(ContactRole::Referrer))
        .unwrap();
    let mut friend = Contact::new("Sam");
    friend.role = Some(ContactRole::Friend);
    let friend = j.create(friend).unwrap();

    let mut interview = Interview::new(&app.meta.id, InterviewKind::Technical, t0 - Duration::days(2));
    interview.notes = "Whiteboard: a rate limiter. Went well.".into();
    let interview = j.log_interview(interview, &["Ana Souza".to_string()]).unwrap();

    let mut rejection = Rejection::new(&app2.meta.id, t0 - Duration::days(1));
    rejection.channel = Some(Channel::Email);
    rejection.reason = Reason::RoleClosed;
    let rejected = j.log_rejection(rejection, false).unwrap();

    let msg = j
        .draft_message(MessageKind::ThankYou, Some(&app.meta.id), Some(&contact.meta.id), None, None)
        .unwrap();
    j.mark_sent(&msg.meta.id, Some(t0 - Duration::days(1))).unwrap();
    j.record_reply(&msg.meta.id, MessageStatus::Replied, Some("Kind words back".into()), Some(t0)).unwrap();
    let follow = j
        .draft_message(MessageKind::FollowUp, Some(&app3.meta.id), None, None, Some("Any news?".into()))
        .unwrap();

    let mut entry = Entry::new(EntryKind::Free, "A long day, but the interview felt good.", t0);
    entry.application_id = Some(app.meta.id.clone());
    let entry = j.add_entry(entry).unwrap();
    j.add_entry(Entry::new(EntryKind::Gratitude, "Sam cooked dinner.", t0)).unwrap();

    let mut mood = Mood::new(4, t0);
    mood.energy = Some(3);
    j.create(mood).unwrap();
    let mut walk = Activity::new(ActivityCategory::Physical, "A walk by the river");
    walk.contact_id = Some(friend.meta.id.clone());
    j.create(walk).unwrap();
    j.create(Goal::new(GoalKind::Skill, "Learn Rust lifetimes properly")).unwrap();

    j.retag(&entry.meta.id, &["good-day".into(), "acme".into()], &[]).unwrap();
    j.update::<Application>(&app3.meta.id, |a| {
        a.excitement = Some(2);
        Ok(())
    })
    .unwrap();
    j.delete(&follow.meta.id).unwrap();
    let keys: Vec<String> = j
        .reminders_within(Duration::days(30))
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    if let Some(k) = keys.first() {
        j.complete_reminder(k).unwrap();
    }
    if let Some(k) = keys.get(1) {
        j.snooze_reminder(k, t0 + Duration::days(3)).unwrap();
    }
    let _ = (interview, rejected);

    let snapshot = Snapshot::of(&mut j).unwrap();
    std::fs::write(&export, json::to_string(&snapshot, t0)).unwrap();
    eprintln!("{} records, reminder keys {keys:?}", snapshot.len());
}
