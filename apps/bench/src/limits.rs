//! `onward-bench --limits`: what the journal does at sizes beyond a person's usual, each
//! in a child process of its own so its peak resident memory (VmHWM) is its own:
//!
//! - `csv-rows`: a CSV of 200,000 applications imported into a new journal;
//! - `big-file`: a 50 MB file of random bytes given to the CSV and JSON imports;
//! - `big-entry`: a journal entry of 5 MB written, read back and searched;
//! - `records`: a journal of 100,000 records built in import batches, then (in a
//!   second child) opened cold, its first page read and one record written.
//!
//! Each prints one JSON line: what happened, how long it took, peak memory.

use crate::import;
use crate::measure::{file_len, ms, timed, Memory};
use anyhow::{bail, Context, Result};
use chrono::{TimeZone, Utc};
use onward_core::import::{csv, json};
use onward_core::model::{Entry, EntryKind, Mood, Record};
use onward_core::{Filter, Journal};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::process::Command;

/// The scenarios, in the order they run.
pub const SCENARIOS: &[&str] = &[
    "csv-rows",
    "big-file",
    "big-entry",
    "records",
    "records-open",
];

/// Sizes of the scenarios (smaller ones for a quick look).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Sizes {
    pub csv_rows: usize,
    pub file_mb: usize,
    pub entry_mb: usize,
    pub records: usize,
}

/// What one scenario did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub scenario: String,
    /// In words: what worked, or the error a person would see.
    pub result: String,
    pub seconds: f64,
    pub peak_rss_mb: f64,
    pub journal_bytes: u64,
}

/// Runs every scenario in a child process under `dir` and returns their outcomes.
pub fn run_all(dir: &Path, sizes: Sizes) -> Result<Vec<Outcome>> {
    let exe = std::env::current_exe().context("finding the bench binary")?;
    let mut outcomes = Vec::new();
    for scenario in SCENARIOS {
        eprintln!("limits: {scenario} ...");
        let out = Command::new(&exe)
            .arg("--limit-child")
            .arg(scenario)
            .arg("--limit-dir")
            .arg(dir)
            .arg("--limit-sizes")
            .arg(serde_json::to_string(&sizes)?)
            .output()
            .with_context(|| format!("starting the {scenario} child"))?;
        if !out.status.success() {
            bail!(
                "the {scenario} child failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let line = String::from_utf8_lossy(&out.stdout);
        outcomes.push(
            serde_json::from_str(line.trim())
                .with_context(|| format!("reading what {scenario} printed: {line}"))?,
        );
    }
    Ok(outcomes)
}

/// The child: runs one scenario and prints its outcome as one JSON line.
pub fn child(scenario: &str, dir: &Path, sizes: &str) -> Result<()> {
    let sizes: Sizes = serde_json::from_str(sizes).context("reading --limit-sizes")?;
    let (done, took) = timed(|| -> Done {
        match scenario {
            "csv-rows" => csv_rows(dir, sizes.csv_rows),
            "big-file" => big_file(dir, sizes.file_mb),
            "big-entry" => big_entry(dir, sizes.entry_mb),
            "records" => records(dir, sizes.records),
            "records-open" => records_open(dir),
            other => bail!("no limit scenario is called {other}"),
        }
    });
    let (result, journal) = match done {
        Ok((r, j)) => (r, j),
        Err(e) => (format!("failed: {e:#}"), None),
    };
    let outcome = Outcome {
        scenario: scenario.to_string(),
        result,
        seconds: ms(took) / 1000.0,
        peak_rss_mb: Memory::now().hwm_kb as f64 / 1024.0,
        journal_bytes: journal.map_or(0, |p| file_len(&p)),
    };
    println!("{}", serde_json::to_string(&outcome)?);
    Ok(())
}

type Done = Result<(String, Option<std::path::PathBuf>)>;

fn fresh(dir: &Path, name: &str) -> Result<(Journal, std::path::PathBuf)> {
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let journal = Journal::open(&path).with_context(|| format!("opening {}", path.display()))?;
    Ok((journal, path))
}

fn csv_rows(dir: &Path, rows: usize) -> Done {
    let file = dir.join("rows.csv");
    std::fs::write(&file, import::generate(rows, 11))?;
    let (mut journal, path) = fresh(dir, "rows.onward")?;
    let bytes = std::fs::read(&file)?;
    let parsed = csv::read(
        &bytes,
        &csv::Options::default(),
        journal.zone(),
        journal.now(),
    )?;
    let (valid, errors) = (parsed.rows.len(), parsed.errors.len());
    drop(bytes);
    let done = csv::import(&mut journal, parsed.rows, &mut |_, _| {})?;
    let listed = journal.counts()?;
    Ok((
        format!(
            "{rows} rows ({} MB): {valid} read, {errors} refused by line, {} added; the journal counts {:?}",
            file_len(&file) >> 20,
            done.added,
            listed
        ),
        Some(path),
    ))
}

fn big_file(dir: &Path, mb: usize) -> Done {
    let file = dir.join("big.bin");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..mb << 20)
        .map(|_| {
            // xorshift: random-looking bytes without a dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(&file, &bytes)?;
    let (journal, path) = fresh(dir, "big.onward")?;
    let as_csv = match csv::read(
        &bytes,
        &csv::Options::default(),
        journal.zone(),
        journal.now(),
    ) {
        Ok(p) => format!("read {} rows, {} refused", p.rows.len(), p.errors.len()),
        Err(e) => format!("refused: {e}"),
    };
    let as_json = match std::str::from_utf8(&bytes) {
        Err(_) => "refused: not UTF-8 text".to_string(),
        Ok(text) => match json::parse(text) {
            Ok(p) => format!("read {} records", p.records.len()),
            Err(e) => format!("refused: {e}"),
        },
    };
    Ok((
        format!("{mb} MB of random bytes: as CSV {as_csv}; as JSON {as_json}"),
        Some(path),
    ))
}

fn big_entry(dir: &Path, mb: usize) -> Done {
    let (mut journal, path) = fresh(dir, "entry.onward")?;
    let words = [
        "interview",
        "offer",
        "feedback",
        "portfolio",
        "learned",
        "tomorrow",
        "again",
    ];
    let mut text = String::with_capacity(mb << 20);
    let mut i = 0usize;
    while text.len() < mb << 20 {
        text.push_str(words[i % words.len()]);
        text.push(if i % 12 == 11 { '\n' } else { ' ' });
        i += 1;
    }
    text.push_str("needle-at-the-end");
    let at = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
    let entry = journal.add_entry(Entry::new(EntryKind::Free, text.clone(), at))?;
    drop(journal);
    let mut journal = Journal::open(&path)?;
    let back: Entry = journal.get(&entry.meta.id)?;
    let found = journal.search("needle", 5)?.len();
    journal.update::<Entry>(&entry.meta.id, |e| {
        e.body.push_str(" one more line");
        Ok(())
    })?;
    let same = back.body == text;
    Ok((
        format!(
            "an entry of {} bytes written, read back {}, found by a word at its end {} time(s), edited",
            text.len(),
            if same { "whole" } else { "CHANGED" },
            found
        ),
        Some(path),
    ))
}

fn records(dir: &Path, n: usize) -> Done {
    let (mut journal, path) = fresh(dir, "records.onward")?;
    let at = Utc.with_ymd_and_hms(2024, 1, 1, 8, 0, 0).unwrap();
    let records: Vec<Record> = (0..n)
        .map(|i| {
            let when = at + chrono::Duration::minutes(i as i64 * 17);
            if i % 2 == 0 {
                let mut m = Mood::new((i % 5 + 1) as u8, when);
                m.meta.id = uuid::Uuid::new_v4().to_string();
                m.into()
            } else {
                let mut e = Entry::new(EntryKind::Free, format!("Day {i}: one small step"), when);
                e.meta.id = uuid::Uuid::new_v4().to_string();
                e.into()
            }
        })
        .collect();
    let stored = journal.put_records(records, true, &mut |_, _| {})?;
    journal.compact()?;
    Ok((
        format!("{} records written in import batches", stored.written),
        Some(path),
    ))
}

fn records_open(dir: &Path) -> Done {
    let path = dir.join("records.onward");
    let mut journal = Journal::open(&path)?;
    let page = journal.timeline(&Filter::default())?.len();
    let hits = journal.search("small step", 20)?.len();
    journal.create(Mood::new(4, Utc::now()))?;
    let total: i64 = journal.counts()?.iter().map(|(_, n)| n).sum();
    Ok((
        format!(
            "reopened {total} records: first page of {page}, {hits} search hits, one write (loads the document)"
        ),
        Some(path),
    ))
}
