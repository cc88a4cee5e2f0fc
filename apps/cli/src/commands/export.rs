//! `onward export`: everything in the journal, in a format other tools read. Data goes
//! to stdout or to --output; what happened is said on stderr. Nothing is overwritten
//! unless --force says so.

use crate::error::{Failure, Result};
use crate::output::{plural, Printed};
use chrono::NaiveDate;
use clap::{Args as ClapArgs, ValueEnum};
use onward_core::export::{self, Snapshot};
use onward_core::reports::coach::CoachOptions;
use onward_core::reports::work_search::DEFAULT_MINIMUM;
use onward_core::reports::Period;
use onward_core::Journal;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, ClapArgs)]
#[command(after_help = "Examples:
  onward export --format json --output onward.json
  onward export --format csv --output onward-csv
  onward export --format markdown --output journal-notes
  onward export --format ics > interviews.ics
  onward export --format automerge --output journal.automerge
  onward export --format work-search --from 2026-11-01 --to 2026-11-30 > work-search.csv
  onward export --format coach --from 2026-11-01 --to 2026-11-30 --output coach.md")]
pub struct Args {
    /// What to write
    #[arg(long, value_enum)]
    format: Format,
    /// Where: a file (json, ics, automerge, work-search, coach) or a directory (csv, markdown) [default: stdout]
    #[arg(long, short, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace an existing file, or write into a directory that is not empty
    #[arg(long)]
    force: bool,
    /// First day of the period (work-search, coach), YYYY-MM-DD in your time zone
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Last day of the period (work-search, coach), YYYY-MM-DD, included
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// Activities a week your benefits office asks for (work-search)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MINIMUM)]
    minimum: u32,
    /// Add your journal entries and check-ins to the coach summary (left out unless asked)
    #[arg(long)]
    include_private: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Everything, every field, deleted records and stage history included (importable)
    Json,
    /// One spreadsheet file per kind of record, plus the stage history
    Csv,
    /// Journal entries as readable Markdown files with front matter, and an index
    Markdown,
    /// Interviews and upcoming reminders for a calendar app
    Ics,
    /// The raw Automerge document, for other Automerge tools
    Automerge,
    /// A work-search log for a benefits office: one CSV row per activity in --from..--to
    WorkSearch,
    /// A summary of --from..--to for a coach, as Markdown (private writing left out)
    Coach,
}

pub fn run(args: Args, json: bool, journal: &mut Journal) -> Result<Printed> {
    match (args.format, &args.output) {
        (Format::Csv | Format::Markdown, None) => {
            let name = if args.format == Format::Csv {
                "CSV"
            } else {
                "Markdown"
            };
            return Err(Failure::new(format!(
                "a {name} export is several files, so it can't go to stdout"
            ))
            .hint(format!(
                "Give a directory: onward export --format {} --output onward-{}",
                format_name(args.format),
                format_name(args.format)
            )));
        }
        (Format::Automerge, None) if std::io::stdout().is_terminal() => {
            return Err(Failure::new(
                "the Automerge document is binary and would garble the terminal",
            )
            .hint("Give a file: onward export --format automerge --output journal.automerge"));
        }
        (_, None) if json => {
            return Err(Failure::new(
                "with --json the summary goes to stdout, so the export needs --output PATH",
            ));
        }
        _ => {}
    }
    if matches!(args.format, Format::WorkSearch | Format::Coach) {
        return report(&args, journal);
    }
    if args.from.is_some() || args.to.is_some() || args.include_private {
        return Err(Failure::new(
            "--from, --to and --include-private are for the work-search and coach reports",
        ));
    }
    let snapshot = Snapshot::of(journal)?;
    let records = snapshot.len();
    let (what, written) = match args.format {
        // Reports are sent on before the snapshot is read (they don't need it).
        Format::WorkSearch | Format::Coach => return report(&args, journal),
        Format::Json => {
            let text = export::json::to_string(&snapshot, journal.now());
            let to = emit(text.as_bytes(), args.output.as_deref(), args.force)?;
            (plural(records, "record"), to)
        }
        Format::Ics => {
            let reminders =
                journal.reminders_within(chrono::Duration::days(export::ics::REMINDER_DAYS))?;
            let calendar = export::ics::calendar(&snapshot, &reminders);
            let events = calendar
                .components
                .iter()
                .filter(|c| c.as_event().is_some())
                .count();
            let text = calendar.to_string();
            let to = emit(text.as_bytes(), args.output.as_deref(), args.force)?;
            (
                format!(
                    "{} and {}",
                    plural(events, "interview"),
                    plural(reminders.len(), "reminder")
                ),
                to,
            )
        }
        Format::Automerge => {
            let bytes = export::automerge::bytes(journal)?;
            let to = emit(&bytes, args.output.as_deref(), args.force)?;
            (format!("the document ({})", plural(records, "record")), to)
        }
        Format::Csv | Format::Markdown => {
            let dir = args.output.clone().expect("checked above");
            prepare_dir(&dir, args.force)?;
            if args.format == Format::Csv {
                export::csv::write_dir(&snapshot, &dir)?;
                (plural(records, "record"), Some(dir))
            } else {
                let pages = export::markdown::write_dir(&snapshot, &dir)?.len() - 1;
                (format!("{} and an index", plural(pages, "page")), Some(dir))
            }
        }
    };
    eprintln!("Exported {what} to {}.", place(&written));
    Ok(Printed::new(
        json!({
            "format": format_name(args.format),
            "records": records,
            "output": written,
        }),
        "",
    ))
}

/// Where an export went, for a sentence.
fn place(written: &Option<PathBuf>) -> String {
    written
        .as_ref()
        .map_or("stdout".to_string(), |p| p.display().to_string())
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Json => "json",
        Format::Csv => "csv",
        Format::Markdown => "markdown",
        Format::Ics => "ics",
        Format::Automerge => "automerge",
        Format::WorkSearch => "work-search",
        Format::Coach => "coach",
    }
}

/// The work-search log (CSV) or the coach summary (Markdown) of a period. The data is
/// the file alone; the weekly counts are said on stderr (and in the `--json` summary).
fn report(args: &Args, journal: &mut Journal) -> Result<Printed> {
    let name = format_name(args.format);
    let (Some(from), Some(to)) = (args.from, args.to) else {
        return Err(Failure::new(format!(
            "the {name} report is of a period: give --from and --to"
        ))
        .hint(format!(
            "For example: onward export --format {name} --from 2026-11-01 --to 2026-11-30"
        )));
    };
    let period = Period::new(from, to)?;
    let mut summary = json!({ "format": name, "from": from, "to": to });
    if args.format == Format::WorkSearch {
        let log = journal.work_search_log(period, args.minimum)?;
        let written = emit(log.to_csv().as_bytes(), args.output.as_deref(), args.force)?;
        let place = place(&written);
        eprintln!(
            "Exported {} from {from} to {to} to {place}.",
            plural(log.activities.len(), "activity")
        );
        for week in &log.weeks {
            let part = if week.partial {
                " (part of the week)"
            } else {
                ""
            };
            eprintln!(
                "  Week of {} ({}){part}: {}",
                week.starts, week.week, week.note
            );
        }
        summary["activities"] = log.activities.len().into();
        summary["minimum"] = log.minimum.into();
        summary["weeks"] = serde_json::to_value(&log.weeks).unwrap_or_default();
        summary["output"] = serde_json::to_value(&written).unwrap_or_default();
    } else {
        let options = CoachOptions {
            include_private: args.include_private,
        };
        let text = journal.coach_summary(period, options)?.to_markdown();
        let written = emit(text.as_bytes(), args.output.as_deref(), args.force)?;
        let place = place(&written);
        let private = if args.include_private {
            "with your journal entries and check-ins"
        } else {
            "without your journal entries and check-ins (--include-private adds them)"
        };
        eprintln!("Exported the summary from {from} to {to} to {place}, {private}.");
        summary["include_private"] = args.include_private.into();
        summary["output"] = serde_json::to_value(&written).unwrap_or_default();
    }
    Ok(Printed::new(summary, ""))
}

/// Writes `bytes` to `path` (through a temporary file, so a failure leaves nothing
/// half-written), or to stdout. Returns where it went.
fn emit(bytes: &[u8], path: Option<&Path>, force: bool) -> Result<Option<PathBuf>> {
    let Some(path) = path else {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| Failure::new(format!("could not write to stdout: {e}")))?;
        return Ok(None);
    };
    if path.is_dir() {
        return Err(Failure::new(format!(
            "{} is a directory; this format is one file",
            path.display()
        )));
    }
    if path.exists() && !force {
        return Err(refuse_existing(path, "already exists"));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let failed =
        |e: std::io::Error| Failure::new(format!("could not write {}: {e}", path.display()));
    let mut file = tempfile::NamedTempFile::new_in(parent).map_err(failed)?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(failed)?;
    let kept = if force {
        file.persist(path)
    } else {
        file.persist_noclobber(path)
    };
    kept.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            refuse_existing(path, "already exists")
        } else {
            failed(e.error)
        }
    })?;
    Ok(Some(path.to_path_buf()))
}

/// Makes sure `dir` is an empty (or new) directory, unless `force`.
fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Failure::new(format!(
                "{} is a file; this format writes several files into a directory",
                dir.display()
            )));
        }
        let empty = std::fs::read_dir(dir)
            .map_err(|e| Failure::new(format!("could not read {}: {e}", dir.display())))?
            .next()
            .is_none();
        if !empty && !force {
            return Err(refuse_existing(dir, "is not empty"));
        }
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::new(format!("could not create {}: {e}", dir.display())))
}

fn refuse_existing(path: &Path, why: &str) -> Failure {
    Failure::new(format!("{} {why}; nothing was written", path.display()))
        .hint("Choose another --output, or add --force to write over it.")
}
