//! `onward tag`: tags added to or removed from a record.

use crate::error::Result;
use crate::output::{record_json, Printed};
use clap::Args;
use onward_core::Journal;

#[derive(Debug, Args)]
pub struct TagArgs {
    /// The record's id (4 or more characters)
    id: String,
    /// The tags
    #[arg(required = true, num_args = 1..)]
    tags: Vec<String>,
    /// Remove these tags instead of adding them
    #[arg(long)]
    remove: bool,
}

pub fn tag(args: TagArgs, journal: &mut Journal) -> Result<Printed> {
    let (add, remove) = if args.remove {
        (vec![], args.tags)
    } else {
        (args.tags, vec![])
    };
    let record = journal.retag(&args.id, &add, &remove)?;
    let tags = &record.meta().tags;
    let human = if tags.is_empty() {
        format!("\"{}\" has no tags now.", record.title())
    } else {
        let list = tags
            .iter()
            .map(|t| format!("#{t}"))
            .collect::<Vec<_>>()
            .join(" ");
        format!("\"{}\" is tagged {list}.", record.title())
    };
    Ok(Printed::new(record_json(&record), human))
}
