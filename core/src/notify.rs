//! What a notifier (Android's worker, iOS, a desktop notifier) may post now: nothing in
//! quiet hours, at most a daily cap per local day, each reminder once (after one notice
//! it stays on Today only), and only reminders due now. The shell says what it already
//! posted; the decision is the core's, so every shell is equally gentle.

use crate::reminders::{self, Gentleness, Reminder, Rule};
use crate::zone::{self, Zone};
use crate::{Journal, Result};
use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use serde::Serialize;

/// A notice the shell already posted: its reminder's key and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub key: String,
    pub at: DateTime<Utc>,
}

/// A notice to post. Its words are safe for a lock screen: they never name a company or
/// a role, only what kind of small step is due (the reminder's own title shows inside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The reminder's key: tell the core it was posted under this key.
    pub key: String,
    pub rule: Rule,
    pub title: &'static str,
    pub text: &'static str,
}

/// What to post now, and when to ask again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notifications {
    pub notices: Vec<Notice>,
    /// The next moment the answer could change (quiet hours end, a new local day, a
    /// reminder falls due); `None` when nothing is pending.
    pub next_check: Option<DateTime<Utc>>,
}

/// A notice's title and text for a reminder's rule.
pub fn words(rule: Rule) -> (&'static str, &'static str) {
    match rule {
        Rule::FollowUp => (
            "A gentle follow-up",
            "One of your applications could use a short hello.",
        ),
        Rule::NextAction => (
            "A next step you planned",
            "It's the day you picked. Look at it when it suits you.",
        ),
        Rule::Debrief => (
            "A debrief while it's fresh",
            "A few lines about today's interview help later.",
        ),
        Rule::ThankYou => (
            "A thank-you note?",
            "A short thanks leaves a good memory. A draft is waiting.",
        ),
        Rule::CheckIn => (
            "How are you doing?",
            "A quick check-in: a face or a word is enough.",
        ),
        Rule::StepBack => (
            "Time to step back",
            "Something restorative today? Anything counts.",
        ),
        Rule::WeeklyReview => (
            "Your week, in a few lines",
            "A quick look back at the small steps you took.",
        ),
    }
}

fn notice(r: &Reminder) -> Notice {
    let (title, text) = words(r.rule);
    Notice {
        key: r.key.clone(),
        rule: r.rule,
        title,
        text,
    }
}

/// How many notices were posted on `now`'s local day.
fn posted_on_day(posted: &[Posted], now: DateTime<Utc>, zone: Zone) -> usize {
    let day = zone::local_day(now, zone);
    posted
        .iter()
        .filter(|p| zone::local_day(p.at, zone) == day)
        .count()
}

fn local_hour(at: DateTime<Utc>, zone: Zone) -> u32 {
    at.with_timezone(&zone).hour()
}

/// What to post at `now` among `due` (oldest first), given what was `posted` before.
pub fn decide(
    due: &[Reminder],
    now: DateTime<Utc>,
    zone: Zone,
    gentleness: &Gentleness,
    posted: &[Posted],
) -> Vec<Notice> {
    if gentleness.is_quiet(local_hour(now, zone)) {
        return Vec::new();
    }
    let room = gentleness
        .daily_cap
        .saturating_sub(posted_on_day(posted, now, zone));
    due.iter()
        .filter(|r| r.due_at <= now && !posted.iter().any(|p| p.key == r.key))
        .take(room)
        .map(notice)
        .collect()
}

/// The first moment at or after `at` when a notice may be posted: out of quiet hours,
/// on a local day with room under the cap.
fn open_at(
    mut at: DateTime<Utc>,
    zone: Zone,
    gentleness: &Gentleness,
    posted: &[Posted],
) -> DateTime<Utc> {
    // Each step moves to the end of a quiet spell or to the next day; a few settle it.
    for _ in 0..4 {
        let local = at.with_timezone(&zone);
        if gentleness.is_quiet(local.hour()) {
            let until = NaiveTime::from_hms_opt(gentleness.quiet_until % 24, 0, 0)
                .expect("an hour below 24 is a time");
            let mut day = local.date_naive();
            if local.time() >= until {
                day += Duration::days(1);
            }
            at = zone::instant(day.and_time(until), zone);
        } else if posted_on_day(posted, at, zone) >= gentleness.daily_cap {
            at = zone::day_start(zone::local_day(at, zone) + Duration::days(1), zone);
        } else {
            break;
        }
    }
    at
}

/// The next moment after `now` when [`decide`] could post something more, given the
/// `pending` reminders (due or not yet) and what was `posted` (including what is being
/// posted now). `None` when every pending reminder was posted already.
pub fn next_check(
    pending: &[Reminder],
    now: DateTime<Utc>,
    zone: Zone,
    gentleness: &Gentleness,
    posted: &[Posted],
) -> Option<DateTime<Utc>> {
    pending
        .iter()
        .filter(|r| !posted.iter().any(|p| p.key == r.key))
        .map(|r| open_at(r.due_at.max(now), zone, gentleness, posted))
        .filter(|&at| at > now)
        .min()
}

impl Journal {
    /// What a notifier may post now in the journal's zone, given what it `posted` before
    /// (keep at least the last day's; older ones only keep a reminder from repeating).
    pub fn notifications(&self, posted: &[Posted]) -> Result<Notifications> {
        let now = self.now();
        let gentleness = Gentleness::default();
        let pending = reminders::pending(self.connection(), now, self.zone())?;
        let notices = decide(&pending, now, self.zone(), &gentleness, posted);
        let mut after = posted.to_vec();
        after.extend(notices.iter().map(|n| Posted {
            key: n.key.clone(),
            at: now,
        }));
        let next_check = next_check(&pending, now, self.zone(), &gentleness, &after);
        Ok(Notifications {
            notices,
            next_check,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn reminder(key: &str, due: &str) -> Reminder {
        Reminder {
            key: key.to_string(),
            rule: Rule::FollowUp,
            target_id: None,
            due_at: at(due),
            title: "Data Engineer at Acme".to_string(),
            snoozed: false,
        }
    }

    fn keys(notices: &[Notice]) -> Vec<&str> {
        notices.iter().map(|n| n.key.as_str()).collect()
    }

    const BERLIN: Zone = chrono_tz::Europe::Berlin;

    #[test]
    fn nothing_is_posted_in_quiet_hours_of_the_local_zone() {
        let due = [reminder("a", "2026-03-02T08:00:00Z")];
        let g = Gentleness::default();
        // 20:30 UTC is 21:30 in Berlin (quiet) but 15:30 in New York.
        let now = at("2026-03-02T20:30:00Z");
        assert!(decide(&due, now, BERLIN, &g, &[]).is_empty());
        let ny = chrono_tz::America::New_York;
        assert_eq!(keys(&decide(&due, now, ny, &g, &[])), ["a"]);
    }

    #[test]
    fn the_daily_cap_counts_what_was_posted_on_the_same_local_day() {
        let due: Vec<Reminder> = ["a", "b", "c", "d"]
            .iter()
            .map(|k| reminder(k, "2026-03-02T08:00:00Z"))
            .collect();
        let g = Gentleness::default();
        let now = at("2026-03-02T12:00:00Z");
        assert_eq!(keys(&decide(&due, now, BERLIN, &g, &[])), ["a", "b", "c"]);
        // Two posted this morning (Berlin): room for one more, and never "a" again.
        let morning = [
            Posted {
                key: "a".into(),
                at: at("2026-03-02T07:30:00Z"),
            },
            Posted {
                key: "x".into(),
                at: at("2026-03-02T09:00:00Z"),
            },
        ];
        assert_eq!(keys(&decide(&due, now, BERLIN, &g, &morning)), ["b"]);
        // Posted yesterday (local): the cap starts afresh; "a" still fades.
        let yesterday = [Posted {
            key: "a".into(),
            at: at("2026-03-01T22:30:00Z"),
        }];
        assert_eq!(
            keys(&decide(&due, now, BERLIN, &g, &yesterday)),
            ["b", "c", "d"]
        );
    }

    #[test]
    fn only_reminders_due_now_are_posted_with_words_that_name_no_company() {
        let due = [
            reminder("a", "2026-03-02T08:00:00Z"),
            reminder("later", "2026-03-02T18:00:00Z"),
        ];
        let notices = decide(
            &due,
            at("2026-03-02T12:00:00Z"),
            BERLIN,
            &Gentleness::default(),
            &[],
        );
        assert_eq!(keys(&notices), ["a"]);
        assert!(!notices[0].text.contains("Acme") && !notices[0].title.contains("Acme"));
        for rule in Rule::ALL {
            let (title, text) = words(*rule);
            assert!(!format!("{title} {text}").to_lowercase().contains("tap"));
        }
    }

    #[test]
    fn the_next_check_is_the_end_of_quiet_hours_the_next_day_or_the_next_due_time() {
        let g = Gentleness::default();
        let due = [reminder("a", "2026-03-02T08:00:00Z")];
        // 23:00 in Berlin: quiet until 08:00 local (07:00 UTC) the next day.
        let night = at("2026-03-02T22:00:00Z");
        assert_eq!(
            next_check(&due, night, BERLIN, &g, &[]),
            Some(at("2026-03-03T07:00:00Z"))
        );
        // The cap reached today: the next local day, which starts quiet, so 08:00.
        let full: Vec<Posted> = ["x", "y", "z"]
            .iter()
            .map(|k| Posted {
                key: k.to_string(),
                at: at("2026-03-02T09:00:00Z"),
            })
            .collect();
        let noon = at("2026-03-02T11:00:00Z");
        assert_eq!(
            next_check(&due, noon, BERLIN, &g, &full),
            Some(at("2026-03-03T07:00:00Z"))
        );
        // Something due later today, with room: then.
        let later = [reminder("b", "2026-03-02T15:00:00Z")];
        assert_eq!(
            next_check(&later, noon, BERLIN, &g, &[]),
            Some(at("2026-03-02T15:00:00Z"))
        );
        // All posted: nothing to wait for.
        let posted = [Posted {
            key: "b".into(),
            at: noon,
        }];
        assert_eq!(next_check(&later, noon, BERLIN, &g, &posted), None);
    }
}
