//! Lists and look-ups: the paged timeline, search hits, a record's detail with its links.

use crate::error::Result;
use crate::kinds::RecordKind;
use crate::records::Record;
use crate::time::{to_system, to_utc_opt};
use onward_core::Filter;
use std::time::SystemTime;

/// What the timeline shows, newest first. The defaults show one page of everything that
/// is not deleted.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TimelineQuery {
    /// Only these kinds (all when empty).
    #[uniffi(default)]
    pub kinds: Vec<RecordKind>,
    #[uniffi(default)]
    pub tag: Option<String>,
    /// Only what belongs to this application (and the application itself).
    #[uniffi(default)]
    pub application_id: Option<String>,
    /// From this time on (included).
    #[uniffi(default)]
    pub since: Option<SystemTime>,
    /// Before this time.
    #[uniffi(default)]
    pub until: Option<SystemTime>,
    /// Deleted records too (to find one to restore).
    #[uniffi(default = false)]
    pub include_deleted: bool,
    /// Only deleted records.
    #[uniffi(default = false)]
    pub only_deleted: bool,
    /// Page size.
    #[uniffi(default = 50)]
    pub limit: u32,
    /// Records to skip: the page number times the page size.
    #[uniffi(default = 0)]
    pub offset: u32,
}

impl Default for TimelineQuery {
    /// The first page of everything not deleted.
    fn default() -> Self {
        TimelineQuery {
            kinds: Vec::new(),
            tag: None,
            application_id: None,
            since: None,
            until: None,
            include_deleted: false,
            only_deleted: false,
            limit: 50,
            offset: 0,
        }
    }
}

impl TimelineQuery {
    pub(crate) fn into_filter(self, application_id: Option<String>) -> Result<Filter> {
        Ok(Filter {
            kinds: self.kinds,
            tag: self.tag,
            application_id,
            since: to_utc_opt("since", self.since)?,
            until: to_utc_opt("until", self.until)?,
            include_deleted: self.include_deleted,
            only_deleted: self.only_deleted,
            limit: self.limit.max(1) as usize,
            offset: self.offset as usize,
        })
    }
}

/// A record as lists show it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TimelineItem {
    pub id: String,
    pub kind: RecordKind,
    /// A one-line title with context the record alone lacks ("Round 2 · technical · Acme").
    pub title: String,
    /// When it happened, which orders the timeline.
    pub occurred_at: SystemTime,
    pub record: Record,
}

impl TimelineItem {
    pub(crate) fn new(record: onward_core::model::Record, title: String) -> TimelineItem {
        TimelineItem {
            id: record.id().to_string(),
            kind: record.kind(),
            title,
            occurred_at: to_system(record.occurred_at()),
            record: record.into(),
        }
    }
}

impl From<onward_core::Listed> for TimelineItem {
    fn from(listed: onward_core::Listed) -> Self {
        TimelineItem::new(listed.record, listed.title)
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SearchHit {
    pub item: TimelineItem,
    /// The matching words in context, with `[` and `]` around each match.
    pub snippet: String,
}

impl From<onward_core::Hit> for SearchHit {
    fn from(hit: onward_core::Hit) -> Self {
        SearchHit {
            item: TimelineItem::new(hit.record, hit.title),
            snippet: hit.snippet,
        }
    }
}

/// A link between two records, seen from one of them.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Link {
    /// What the link is: `application`, `contact`, `interviewer`, `origin`, ...
    pub rel: String,
    pub id: String,
    /// The kind of the other record, when the journal has it.
    pub kind: Option<RecordKind>,
    pub title: Option<String>,
}

impl From<onward_core::Link> for Link {
    fn from(l: onward_core::Link) -> Self {
        Link {
            rel: l.rel,
            id: l.id,
            kind: l.kind,
            title: l.title,
        }
    }
}

/// One record with its links both ways: what it points at (its application, its
/// interviewers) and what points at it (an application's interviews, rejection, notes).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecordDetail {
    pub item: TimelineItem,
    pub links_to: Vec<Link>,
    pub linked_from: Vec<Link>,
}
