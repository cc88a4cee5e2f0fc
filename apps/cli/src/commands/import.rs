//! `onward import`: records from a file into the journal, with their ids and times as
//! they were. A file is checked whole first, so a malformed one changes nothing; records
//! the journal already has are left as they are, so importing twice adds nothing.

use crate::error::{Failure, Result};
use crate::output::{count, plural, Printed};
use crate::progress;
use clap::{Args as ClapArgs, ValueEnum};
use onward_core::import;
use onward_core::model::Kind;
use onward_core::Journal;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Debug, ClapArgs)]
#[command(after_help = "Examples:
  onward import --format json onward.json
  onward import --format json onward.json --dry-run
  onward import --format csv applications.csv --dry-run
  onward import --format csv applications.csv --day-first

CSV: columns are found by their header (company, role, status, date applied, url,
notes, location, salary, source, excitement, in any case, with common other names such
as Employer or Job Title); other columns are kept in each application's notes. Slashed
dates (02/11/2026) are read month first unless --day-first is given or the file has a
date such as 25/11/2026. Each row gets an id from its company, role, date and url, so
importing the same file again adds nothing.")]
pub struct Args {
    /// What the file is
    #[arg(long, value_enum)]
    format: Format,
    /// The file to read (only read, never changed)
    path: PathBuf,
    /// Check the file and say what would be imported, without changing the journal
    #[arg(long)]
    dry_run: bool,
    /// CSV: read slashed dates day first (02/11/2026 is 2 November)
    #[arg(long, conflicts_with = "month_first")]
    day_first: bool,
    /// CSV: read slashed dates month first (02/11/2026 is February 11), whatever the file shows
    #[arg(long)]
    month_first: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// An Onward JSON export (`onward export --format json`)
    Json,
    /// A spreadsheet or another tracker's export: one application per row
    Csv,
}

impl Args {
    pub fn dry_run(&self) -> bool {
        self.dry_run
    }
}

pub fn run(args: Args, journal: &mut Journal) -> Result<Printed> {
    match args.format {
        Format::Json => json_file(&args.path, args.dry_run, journal),
        Format::Csv => csv_file(&args, journal),
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
    let bar = progress::counting("Importing", "records");
    let imported = import::json::store(journal, parsed, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    let stored = imported.records;
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

// ----- CSV -----

fn csv_file(args: &Args, journal: &mut Journal) -> Result<Printed> {
    use import::csv::{self, Options};
    let path = &args.path;
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::new(format!("could not read {}: {e}", path.display())))?;
    let options = Options {
        day_first: match (args.day_first, args.month_first) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
    };
    let parsed = csv::read(&bytes, &options, journal.zone(), journal.now()).map_err(|e| {
        Failure::new(format!("{} can't be imported: {e}", path.display()))
            .hint("Nothing was changed.")
    })?;
    let rows = parsed.rows.len();
    let mapping = parsed.mapping.clone();
    let errors = parsed.errors.clone();
    let repeated = parsed.repeated.clone();

    let (added, existing) = if args.dry_run {
        let existing = csv::existing(journal, &parsed.rows)?;
        (rows - existing, existing)
    } else {
        let bar = progress::counting("Importing", "rows");
        let done = csv::import(journal, parsed.rows, &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })?;
        bar.finish_and_clear();
        (done.added, done.skipped_existing)
    };

    let json = json!({
        "dry_run": args.dry_run,
        "mapping": mapping.to_json(),
        "added": added,
        "skipped_existing": existing,
        "repeated_in_file": repeated.iter().map(|(line, first)| json!({"line": line, "same_as_line": first})).collect::<Vec<_>>(),
        "errors": errors.iter().map(|e| json!({"line": e.line, "reason": e.reason})).collect::<Vec<_>>(),
    });

    let mut human = String::from("Columns:\n");
    for (field, header) in &mapping.fields {
        human.push_str(&format!(
            "  {:<11} ← {}\n",
            field.as_str().replace('_', " "),
            header
        ));
    }
    if !mapping.kept_in_notes.is_empty() {
        human.push_str(&format!(
            "  kept in notes: {}\n",
            mapping.kept_in_notes.join(", ")
        ));
    }
    if let Some(order) = &mapping.date_order {
        let other = if order.starts_with("day") {
            "--month-first"
        } else {
            "--day-first"
        };
        human.push_str(&format!("  dates read as {order} ({other} to change it)\n"));
    }
    if let Some(encoding) = &mapping.encoding {
        human.push_str(&format!("  read as {encoding} text\n"));
    }
    if let Some(years) = mapping.years_note() {
        human.push_str(&format!("  {years}\n"));
    }
    human.push('\n');
    let apps = |n: usize| plural(n, "application");
    let mut said = if args.dry_run {
        format!(
            "Dry run, nothing written: {} would be added, {} already there.",
            apps(added),
            count(existing)
        )
    } else if rows == 0 && errors.is_empty() {
        format!(
            "{} has a header but no rows: nothing to import.",
            path.display()
        )
    } else if added == 0 && existing > 0 {
        format!("Nothing new: all {} were already there.", apps(existing))
    } else {
        format!(
            "Added {} from {}; {} already there.",
            apps(added),
            path.display(),
            count(existing)
        )
    };
    if !repeated.is_empty() {
        said.push_str(&format!(
            "\n{} repeated an earlier row and counted once ({}).",
            plural(repeated.len(), "row"),
            repeated
                .iter()
                .map(|(line, first)| format!("line {line} as line {first}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !errors.is_empty() {
        said.push_str(&format!(
            "\n{} could not be read and {} left out; {}:\n",
            plural(errors.len(), "row"),
            if errors.len() == 1 { "was" } else { "were" },
            if rows > 0 {
                "everything else is in"
            } else {
                "fix them and import again; nothing else changes"
            }
        ));
        for e in &errors {
            said.push_str(&format!("  line {}: {}\n", e.line, e.reason));
        }
    } else if !args.dry_run && added > 0 {
        said.push_str(" Every row came through. `onward application list` shows them.");
    }
    human.push_str(&said);
    Ok(Printed::new(json, human))
}
