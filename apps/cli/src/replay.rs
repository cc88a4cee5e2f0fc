//! "Now" for dates typed on the command line: `ONWARD_NOW` (an RFC 3339 instant) pins it,
//! as it pins the journal's clock (set where the journal is opened, `onward_local::open`),
//! so a test gets the same answer whatever the day it runs.

use chrono::{DateTime, Utc};

/// "Now" for reading dates typed on the command line ("today", "3d ago"): the pinned
/// instant when there is one (a bad one is reported when the journal opens), else the clock.
pub fn now() -> DateTime<Utc> {
    onward_local::pinned_now()
        .ok()
        .flatten()
        .unwrap_or_else(Utc::now)
}
