//! `onward timeline`: records of every kind, newest first, a page at a time.

use crate::dates::parse_datetime;
use crate::error::Result;
use crate::output::{listed_json, record_line, Printed};
use crate::vocab::parser;
use chrono::{DateTime, Utc};
use clap::Args;
use onward_core::model::Kind;
use onward_core::{Filter, Journal};

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Only records of this kind (repeat for more)
    #[arg(long = "kind", value_name = "KIND", value_parser = parser::<Kind>())]
    kinds: Vec<Kind>,
    /// Only records with this tag
    #[arg(long)]
    tag: Option<String>,
    /// Only what belongs to this application
    #[arg(long, value_name = "ID")]
    application: Option<String>,
    /// From this date on
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    since: Option<DateTime<Utc>>,
    /// Before this date
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    until: Option<DateTime<Utc>>,
    /// How many per page
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    limit: u32,
    /// Which page, from 1
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    page: u32,
    /// Show only deleted records (to find one to restore)
    #[arg(long)]
    deleted: bool,
}

pub fn timeline(args: TimelineArgs, journal: &mut Journal) -> Result<Printed> {
    let limit = args.limit as usize;
    let filter = Filter {
        kinds: args.kinds,
        tag: args.tag,
        application_id: args
            .application
            .map(|id| journal.resolve(&id))
            .transpose()?,
        since: args.since,
        until: args.until,
        only_deleted: args.deleted,
        limit,
        offset: (args.page as usize - 1) * limit,
        ..Default::default()
    };
    let records = journal.timeline(&filter)?;
    let human = if records.is_empty() {
        if args.page > 1 {
            "That's everything: no more pages.".to_string()
        } else {
            "Nothing here yet.".to_string()
        }
    } else {
        let mut text = records
            .iter()
            .map(|l| record_line(&l.record, &l.title))
            .collect::<Vec<_>>()
            .join("\n");
        if records.len() == limit {
            text.push_str(&format!("\n\nMore: add --page {}", args.page + 1));
        }
        text
    };
    Ok(Printed::new(listed_json(&records), human))
}
