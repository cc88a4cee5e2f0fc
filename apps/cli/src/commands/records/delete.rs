//! `onward delete` and `onward restore`: a record into the bin and back.

use crate::error::Result;
use crate::output::{record_json, Printed};
use clap::Args;
use onward_core::{short, Journal};

#[derive(Debug, Args)]
pub struct IdArgs {
    /// The record's id (4 or more characters)
    id: String,
}

pub fn delete(args: IdArgs, journal: &mut Journal) -> Result<Printed> {
    let record = journal.delete(&args.id)?;
    let id = short(record.id());
    let human = format!(
        "Deleted the {} \"{}\". Changed your mind? onward restore {id}",
        record.kind(),
        record.title()
    );
    Ok(Printed::new(record_json(&record), human))
}

pub fn restore(args: IdArgs, journal: &mut Journal) -> Result<Printed> {
    let record = journal.restore(&args.id)?;
    let human = format!("Restored the {} \"{}\".", record.kind(), record.title());
    Ok(Printed::new(record_json(&record), human))
}
