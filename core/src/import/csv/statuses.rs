//! The status column's words as a stage and an outcome.

use crate::model::{Outcome, Stage};

/// A status as (stage, outcome); `None` when none of its words are known.
pub fn read_status(text: &str) -> Option<(Option<Stage>, Option<Outcome>)> {
    let words: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words = format!(
        " {} ",
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    if words.trim().is_empty() {
        return None;
    }
    let has = |phrases: &[&str]| phrases.iter().any(|p| words.contains(&format!(" {p} ")));

    let offer_declined = has(&[
        "offer declined",
        "declined offer",
        "declined the offer",
        "turned down offer",
        "turned down the offer",
    ]);
    let outcome = if offer_declined {
        Some(Outcome::OfferDeclined)
    } else if has(&["accepted", "hired", "offer accepted", "signed"]) {
        Some(Outcome::Hired)
    } else if has(&["withdrawn", "withdrew", "withdraw", "i withdrew"]) {
        Some(Outcome::Withdrawn)
    } else if has(&[
        "ghosted",
        "no response",
        "no reply",
        "no answer",
        "never heard back",
        "silence",
        "no news",
    ]) {
        Some(Outcome::NoResponse)
    } else if has(&[
        "rejected",
        "rejection",
        "declined",
        "not selected",
        "not moving forward",
        "turned down",
        "unsuccessful",
        "denied",
    ]) || words.trim() == "no"
    {
        Some(Outcome::Rejected)
    } else {
        None
    };

    // The furthest stage named wins ("phone screen, then onsite" reached the onsite);
    // a stage's own name always counts.
    let stage = Stage::ALL
        .iter()
        .rev()
        .copied()
        .find(|&stage| has(&[stage.as_str()]) || has(other_words(stage)));
    let stage = match (stage, outcome) {
        (None, Some(Outcome::Hired | Outcome::OfferDeclined)) => Some(Stage::Offer),
        (s, _) => s,
    };
    (stage.is_some() || outcome.is_some()).then_some((stage, outcome))
}

/// Words other trackers use for a stage, besides its own name.
fn other_words(stage: Stage) -> &'static [&'static str] {
    match stage {
        Stage::Offer => &["negotiating", "negotiation"],
        Stage::Final => &["final round", "finals"],
        Stage::Interviewing => &[
            "interview",
            "interviews",
            "interviewed",
            "onsite",
            "on site",
            "technical",
            "take home",
            "assessment",
            "panel",
        ],
        Stage::Screening => &[
            "screen",
            "phone screen",
            "recruiter",
            "recruiter call",
            "phone",
            "call",
        ],
        Stage::Applied => &["submitted", "application sent", "sent"],
        Stage::Saved => &[
            "wishlist",
            "wish list",
            "interested",
            "bookmarked",
            "applying",
            "to apply",
            "watching",
            "draft",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_become_a_stage_and_an_outcome() {
        use Outcome::*;
        use Stage::*;
        let cases = [
            ("Wishlist", (Some(Saved), None)),
            ("Applied", (Some(Applied), None)),
            ("Phone Screen", (Some(Screening), None)),
            ("Interviewing", (Some(Interviewing), None)),
            ("Onsite", (Some(Interviewing), None)),
            ("Final round", (Some(Final), None)),
            ("Offer", (Some(Offer), None)),
            ("Rejected", (None, Some(Rejected))),
            (
                "Rejected after onsite",
                (Some(Interviewing), Some(Rejected)),
            ),
            ("Declined by company", (None, Some(Rejected))),
            ("No", (None, Some(Rejected))),
            ("Ghosted", (None, Some(NoResponse))),
            ("No response", (None, Some(NoResponse))),
            ("Withdrawn", (None, Some(Withdrawn))),
            ("Accepted", (Some(Offer), Some(Hired))),
            ("Offer declined", (Some(Offer), Some(OfferDeclined))),
        ];
        for (text, expected) in cases {
            assert_eq!(read_status(text), Some(expected), "{text}");
        }
        assert_eq!(read_status("Waiting on visa"), None);
        assert_eq!(
            read_status("Nothing yet"),
            None,
            "\"no\" only as a whole word"
        );
    }
}
