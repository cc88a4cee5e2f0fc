//! `onward import`: records from a file into the journal, with their ids and times as
//! they were. A file is checked whole first, so a malformed one changes nothing; records
//! the journal already has are left as they are, so importing twice adds nothing.

use super::export::{count, plural};
use crate::error::{Failure, Result};
use crate::output::Printed;
use clap::{Args as ClapArgs, ValueEnum};
use onward_core::import;
use onward_core::model::Kind;
use onward_core::Journal;
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, ClapArgs)]
#[command(after_help = "Examples:
  onward import --format json onward.json
  onward import --format json onward.json --dry-run")]
pub struct Args {
    /// What the file is
    #[arg(long, value_enum)]
    format: Format,
    /// The file to read (only read, never changed)
    path: PathBuf,
    /// Check the file and say what would be imported, without changing the journal
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// An Onward JSON export (`onward export --format json`)
    Json,
}

pub fn run(args: Args, journal: &mut Journal) -> Result<Printed> {
    match args.format {
        Format::Json => json_file(&args.path, args.dry_run, journal),
    }
}

fn json_file(path: &Path, dry_run: bool, journal: &mut Journal) -> Result<Printed> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::new(format!("could not read {}: {e}", path.display())))?;
    let parsed = import::json::parse(&text).map_err(|e| {
        Failure::new(format!("{} can't be imported: {e}", path.display()))
            .hint("Nothing was changed.")
    })?;
    let total = parsed.records.len();
    let mut by_kind: Vec<(Kind, usize)> = Kind::ALL.iter().map(|&k| (k, 0)).collect();
    for record in &parsed.records {
        if let Some(slot) = by_kind.iter_mut().find(|(k, _)| *k == record.kind()) {
            slot.1 += 1;
        }
    }
    let kinds: serde_json::Map<String, serde_json::Value> = by_kind
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.collection().to_string(), json!(n)))
        .collect();
    let states = parsed.reminder_states.len();
    if dry_run {
        let present = parsed
            .records
            .iter()
            .filter(|r| journal.record(r.id()).is_ok())
            .count();
        eprintln!(
            "{} looks good: {}, {} of them already in this journal. Nothing was changed (--dry-run).",
            path.display(),
            plural(total, "record"),
            count(present)
        );
        return Ok(Printed::new(
            json!({ "dry_run": true, "records": total, "already_present": present, "kinds": kinds }),
            "",
        ));
    }
    let show_progress = total > 500 && std::io::stderr().is_terminal();
    let mut progress = |done: usize, total: usize| {
        if show_progress {
            eprint!("\rImporting… {} of {}", count(done), count(total));
        }
    };
    let imported = import::json::store(journal, parsed, &mut progress)?;
    let stored = imported.records;
    if show_progress {
        eprintln!();
    }
    let mut said = format!(
        "Imported {} from {}.",
        plural(stored.written, "record"),
        path.display()
    );
    if stored.skipped > 0 {
        said.push_str(&format!(
            " {} were already here and were left as they are.",
            count(stored.skipped)
        ));
    }
    if imported.reminders_restored > 0 {
        said.push_str(&format!(
            " {} stay done or snoozed as before.",
            plural(imported.reminders_restored, "reminder")
        ));
    }
    eprintln!("{said}");
    Ok(Printed::new(
        json!({
            "dry_run": false,
            "written": stored.written,
            "skipped": stored.skipped,
            "kinds": kinds,
            "reminder_states": states,
            "reminders_restored": imported.reminders_restored,
        }),
        "",
    ))
}
