//! `onward export`: everything in the journal, in a format other tools read. Data goes
//! to stdout or to --output; what happened is said on stderr. Nothing is overwritten
//! unless --force says so.

use crate::error::{Failure, Result};
use crate::output::{plural, Printed};
use clap::{Args as ClapArgs, ValueEnum};
use onward_core::export::{self, Snapshot};
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
  onward export --format automerge --output journal.automerge")]
pub struct Args {
    /// What to write
    #[arg(long, value_enum)]
    format: Format,
    /// Where: a file (json, ics, automerge) or a directory (csv, markdown) [default: stdout]
    #[arg(long, short, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace an existing file, or write into a directory that is not empty
    #[arg(long)]
    force: bool,
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
    let snapshot = Snapshot::of(journal)?;
    let records = snapshot.len();
    let (what, written) = match args.format {
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
    let place = written
        .as_ref()
        .map_or("stdout".to_string(), |p| p.display().to_string());
    eprintln!("Exported {what} to {place}.");
    Ok(Printed::new(
        json!({
            "format": format_name(args.format),
            "records": records,
            "output": written,
        }),
        "",
    ))
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Json => "json",
        Format::Csv => "csv",
        Format::Markdown => "markdown",
        Format::Ics => "ics",
        Format::Automerge => "automerge",
    }
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
