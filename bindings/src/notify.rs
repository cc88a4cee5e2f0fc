//! What a notifier may post now: the core decides (daily cap, quiet hours, each reminder
//! once); the app posts what it is given and reports it back next time.

use crate::kinds::ReminderRule;
use crate::time::{to_system_opt, to_utc};
use std::time::SystemTime;

/// A notice the app posted before: its key and when.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PostedNotice {
    pub key: String,
    pub at: SystemTime,
}

/// A notice to post now. Its words are safe for a lock screen: no company, no role.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Notice {
    /// The reminder's key: report it as posted under this key.
    pub key: String,
    pub rule: ReminderRule,
    pub title: String,
    pub text: String,
}

/// What to post now, and when asking again could give something new.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Notifications {
    pub notices: Vec<Notice>,
    /// The next moment the answer could change; none when nothing is pending.
    pub next_check: Option<SystemTime>,
}

pub(crate) fn posted_to_core(
    posted: Vec<PostedNotice>,
) -> crate::error::Result<Vec<onward_core::notify::Posted>> {
    posted
        .into_iter()
        .map(|p| {
            Ok(onward_core::notify::Posted {
                key: p.key,
                at: to_utc("posted.at", p.at)?,
            })
        })
        .collect()
}

impl From<onward_core::notify::Notifications> for Notifications {
    fn from(n: onward_core::notify::Notifications) -> Self {
        Notifications {
            notices: n
                .notices
                .into_iter()
                .map(|n| Notice {
                    key: n.key,
                    rule: n.rule,
                    title: n.title.to_string(),
                    text: n.text.to_string(),
                })
                .collect(),
            next_check: to_system_opt(n.next_check),
        }
    }
}
