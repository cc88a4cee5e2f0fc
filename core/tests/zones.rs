//! Days are the person's own: insights, the weekly review, "on this day" and export
//! dates follow the journal's zone, on both sides of a DST change.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use onward_core::export::{self, Snapshot};
use onward_core::insights::InsightsOptions;
use onward_core::limits::INSIGHT_WEEKS as WEEKS;
use onward_core::model::*;
use onward_core::reminders::Rule;
use onward_core::zone::{self, Zone};
use onward_core::{Error, Journal};
use std::sync::{Arc, Mutex};

/// A zone with the Sunday its clocks moved forward in 2026 (Tokyo's didn't: any Sunday).
struct Place {
    zone: Zone,
    change: NaiveDate,
}

fn places() -> Vec<Place> {
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    vec![
        Place {
            zone: zone::parse("America/Los_Angeles").unwrap(),
            change: day(3, 8),
        },
        Place {
            zone: zone::parse("Europe/Berlin").unwrap(),
            change: day(3, 29),
        },
        Place {
            zone: zone::parse("Asia/Tokyo").unwrap(),
            change: day(3, 29),
        },
    ]
}

impl Place {
    /// `days` after the change Sunday (negative: before), at `h:m` local.
    fn at(&self, days: i64, h: u32, m: u32) -> DateTime<Utc> {
        let day = self.change + Duration::days(days);
        zone::instant(day.and_hms_opt(h, m, 0).unwrap(), self.zone)
    }

    fn day(&self, days: i64) -> NaiveDate {
        self.change + Duration::days(days)
    }
}

/// A journal in `place`'s zone whose clock the test moves.
fn journal(
    place: &Place,
    start: DateTime<Utc>,
) -> (tempfile::TempDir, Journal, Arc<Mutex<DateTime<Utc>>>) {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path().join("j.onward")).unwrap();
    let now = Arc::new(Mutex::new(start));
    let clock = now.clone();
    j.set_clock(move || *clock.lock().unwrap());
    j.set_zone(place.zone);
    (dir, j, now)
}

fn mood_at(j: &mut Journal, at: DateTime<Utc>) {
    j.create(Mood::new(3, at)).unwrap();
}

#[test]
fn a_late_evening_counts_in_its_local_week_on_both_sides_of_a_dst_change() {
    for p in places() {
        let (_d, mut j, _) = journal(&p, p.at(3, 12, 0));
        for at in [
            p.at(-7, 23, 30), // Sunday before the change, late
            p.at(0, 23, 30),  // the change Sunday, late
            p.at(1, 0, 30),   // the Monday after, just past midnight
        ] {
            mood_at(&mut j, at);
            j.add_entry(Entry::new(EntryKind::Free, "a few lines", at))
                .unwrap();
        }
        let i = j
            .insights(&InsightsOptions {
                weeks: 3,
                ..Default::default()
            })
            .unwrap();
        let weeks: Vec<(NaiveDate, i64)> = i
            .mood
            .weeks
            .iter()
            .map(|w| (w.starts, w.check_ins))
            .collect();
        assert_eq!(
            weeks,
            [(p.day(-13), 1), (p.day(-6), 1), (p.day(1), 1)],
            "in {}",
            p.zone
        );
        let effort: Vec<i64> = i.effort.weeks.iter().map(|w| w.reflections).collect();
        assert_eq!(effort, [1, 1, 1], "in {}", p.zone);
        assert_eq!(i.today, p.day(3), "in {}", p.zone);
    }
}

#[test]
fn the_streak_counts_local_days_across_a_dst_change() {
    for p in places() {
        let (_d, mut j, _) = journal(&p, p.at(1, 18, 0));
        mood_at(&mut j, p.at(-1, 23, 30)); // Saturday, before the change
        mood_at(&mut j, p.at(0, 23, 30)); // Sunday, after it
        mood_at(&mut j, p.at(1, 12, 0));
        mood_at(&mut j, p.at(1, 17, 0)); // the same Monday again
        let s = j
            .insights(&InsightsOptions::default())
            .unwrap()
            .effort
            .streak;
        assert_eq!(
            (s.current_days, s.longest_days, s.total_days, s.last_step),
            (3, 3, 3, Some(p.day(1))),
            "in {}",
            p.zone
        );
    }
}

#[test]
fn the_weekly_review_is_due_at_sunday_1700_local_in_each_zone() {
    let expected = [
        // 17:00 PDT is already Monday in UTC; the key keeps the local week.
        ("2026-03-09T00:00:00Z", "weekly_review:2026-W10"),
        ("2026-03-29T15:00:00Z", "weekly_review:2026-W13"),
        ("2026-03-29T08:00:00Z", "weekly_review:2026-W13"),
    ];
    for (p, (due_at, key)) in places().iter().zip(expected) {
        let (_d, mut j, now) = journal(p, p.at(-3, 10, 0));
        mood_at(&mut j, p.at(-3, 10, 0));
        *now.lock().unwrap() = p.at(0, 16, 59);
        let rules: Vec<Rule> = j.reminders().unwrap().iter().map(|r| r.rule).collect();
        assert!(
            !rules.contains(&Rule::WeeklyReview),
            "not yet at 16:59 in {}",
            p.zone
        );
        *now.lock().unwrap() = p.at(0, 17, 0);
        let due = j.reminders().unwrap();
        let review = due
            .iter()
            .find(|r| r.rule == Rule::WeeklyReview)
            .unwrap_or_else(|| panic!("due at 17:00 in {}", p.zone));
        assert_eq!(review.due_at.to_rfc3339(), due_at.replace('Z', "+00:00"));
        assert_eq!(review.key, key, "in {}", p.zone);
    }
}

#[test]
fn a_review_written_last_sunday_evening_local_does_not_count_for_this_week() {
    let la = &places()[0];
    let (_d, mut j, now) = journal(la, la.at(-7, 20, 0));
    // Sunday 20:00 PST is Monday 04:00 UTC: this week in UTC, last week locally.
    let mut review = Entry::new(EntryKind::WeeklyReview, "", la.at(-7, 20, 0));
    review
        .answers
        .insert("did".into(), "Three applications".into());
    j.add_entry(review).unwrap();
    *now.lock().unwrap() = la.at(0, 17, 0);
    let rules: Vec<Rule> = j.reminders().unwrap().iter().map(|r| r.rule).collect();
    assert_eq!(rules, [Rule::WeeklyReview]);

    let mut review = Entry::new(EntryKind::WeeklyReview, "", la.at(-6, 0, 30));
    review.answers.insert("did".into(), "A long walk".into());
    j.add_entry(review).unwrap();
    assert!(
        j.reminders().unwrap().is_empty(),
        "written Monday 00:30 local: this week"
    );
}

#[test]
fn on_this_day_finds_a_week_ago_by_local_date() {
    for p in places() {
        let (_d, mut j, _) = journal(&p, p.at(3, 9, 0));
        // Wednesday a week ago, late, before the change; then just past its midnight.
        j.create(Mood::new(2, p.at(-4, 23, 30))).unwrap();
        j.create(Mood::new(4, p.at(-3, 0, 30))).unwrap();
        let found: Vec<(String, NaiveDate)> = j
            .insights(&InsightsOptions::default())
            .unwrap()
            .on_this_day
            .into_iter()
            .map(|r| (r.ago, r.date))
            .collect();
        assert_eq!(
            found,
            [("1 week ago".to_string(), p.day(-4))],
            "in {}",
            p.zone
        );
    }
}

#[test]
fn markdown_pages_are_named_and_listed_by_local_date() {
    for p in places() {
        let (_d, mut j, _) = journal(&p, p.at(2, 9, 0));
        j.add_entry(Entry::new(EntryKind::Free, "late", p.at(0, 23, 30)))
            .unwrap();
        j.add_entry(Entry::new(EntryKind::Free, "early", p.at(1, 0, 30)))
            .unwrap();
        let snapshot = Snapshot::of(&mut j).unwrap();
        let pages = export::markdown::pages(&snapshot);
        let days: Vec<&str> = pages.iter().map(|page| &page.name[..10]).collect();
        let (sunday, monday) = (p.day(0).to_string(), p.day(1).to_string());
        assert_eq!(days, [sunday.as_str(), monday.as_str()], "in {}", p.zone);
        let index = export::markdown::index(&pages);
        assert!(index.contains(&format!("- {sunday} ·")), "{index}");
        assert!(index.contains(&format!("- {monday} ·")), "{index}");
        // Instants stay UTC in the JSON export.
        let json = export::json::to_value(&snapshot, j.now());
        let written = json.to_string();
        assert!(
            written.contains(&p.at(0, 23, 30).format("%Y-%m-%dT%H:%M:%S").to_string()),
            "{written}"
        );
    }
}

#[test]
fn insights_refuse_a_number_of_weeks_outside_the_range() {
    let p = &places()[1];
    let (_d, j, _) = journal(p, p.at(0, 12, 0));
    for weeks in [0, WEEKS.max + 1] {
        match j.insights(&InsightsOptions {
            weeks,
            ..Default::default()
        }) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "weeks"),
            other => panic!("{weeks} weeks: expected a refusal, got {other:?}"),
        }
    }
    assert!(j
        .insights(&InsightsOptions {
            weeks: WEEKS.max,
            ..Default::default()
        })
        .is_ok());
}
