//! Reports a person takes elsewhere: the work-search log a benefits office asks for, and
//! a summary of a period for a coach. Both are computed from what was logged (deleted
//! records left out), over local dates in the journal's zone; nothing is typed twice.

pub mod coach;
mod coach_markdown;
pub mod work_search;
pub mod work_search_csv;

use crate::zone::{self, Zone};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A span of local days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The days `from` to `to`; refused when `to` comes first.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period> {
        if to < from {
            return Err(Error::invalid(
                "to",
                format!("{to} comes before {from}; give the earlier date first"),
            ));
        }
        Ok(Period { from, to })
    }

    /// Whether an instant falls on one of the period's local days in `zone`.
    pub fn contains(&self, at: DateTime<Utc>, zone: Zone) -> bool {
        (self.from..=self.to).contains(&zone::local_day(at, zone))
    }
}
