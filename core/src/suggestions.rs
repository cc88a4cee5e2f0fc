//! "Step back": restorative ideas offered after a hard moment. One at a time, and from
//! the category the person has turned to least lately, so the ideas vary.

use crate::model::ActivityCategory;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub category: ActivityCategory,
    pub text: &'static str,
}

const IDEAS: &[Suggestion] = &[
    Suggestion {
        category: ActivityCategory::Social,
        text: "Ask a friend for coffee this week, and talk about anything but the search.",
    },
    Suggestion {
        category: ActivityCategory::Leisure,
        text: "Go to a film or put on a favourite series tonight.",
    },
    Suggestion {
        category: ActivityCategory::Creative,
        text: "Bake, draw or cook something new: something you can finish today.",
    },
    Suggestion {
        category: ActivityCategory::Physical,
        text: "Take a long walk somewhere green, phone in your pocket.",
    },
    Suggestion {
        category: ActivityCategory::Rest,
        text: "Take the rest of the day off from the search. It'll still be there tomorrow.",
    },
    Suggestion {
        category: ActivityCategory::Learning,
        text: "Spend an hour on something you're curious about, just for fun.",
    },
];

/// One idea from the category used least recently. `recent` lists the categories of
/// recent activities, newest first.
pub fn suggest(recent: &[ActivityCategory]) -> Suggestion {
    *IDEAS
        .iter()
        .max_by_key(|idea| {
            // Never used lately ranks first; otherwise the one used longest ago.
            let age = recent
                .iter()
                .position(|c| *c == idea.category)
                .unwrap_or(usize::MAX);
            (age, std::cmp::Reverse(idea.category))
        })
        .expect("there are ideas")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_something_not_done_lately() {
        let recent = [ActivityCategory::Social, ActivityCategory::Leisure];
        let idea = suggest(&recent);
        assert!(!recent.contains(&idea.category));
    }

    #[test]
    fn when_everything_was_done_picks_the_oldest() {
        let recent: Vec<_> = ActivityCategory::ALL.iter().rev().copied().collect();
        assert_eq!(suggest(&recent).category, ActivityCategory::ALL[0]);
    }
}
