//! `onward search`: records holding some words, with the snippet that matched.

use crate::error::Result;
use crate::output::{record_line, titled_json, Printed};
use clap::Args;
use onward_core::Journal;
use serde_json::{json, Value};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find (all of them, as word beginnings)
    #[arg(required = true, num_args = 1..)]
    text: Vec<String>,
    /// How many results at most
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

pub fn search(args: SearchArgs, journal: &mut Journal) -> Result<Printed> {
    let query = args.text.join(" ");
    let hits = journal.search(&query, args.limit)?;
    let json = Value::Array(
        hits.iter()
            .map(|hit| {
                let mut row = titled_json(&hit.record, &hit.title);
                row["snippet"] = json!(hit.snippet);
                row
            })
            .collect(),
    );
    let human = if hits.is_empty() {
        format!("Nothing found for \"{query}\".")
    } else {
        hits.iter()
            .map(|hit| {
                format!(
                    "{}\n    {}",
                    record_line(&hit.record, &hit.title),
                    hit.snippet
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(Printed::new(json, human))
}
