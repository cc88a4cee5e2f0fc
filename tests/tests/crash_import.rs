//! Crash safety of imports: a CSV or JSON import killed at any moment (between its
//! batches or inside one) keeps whole batches only, in the file's order, at least every
//! batch it acknowledged, each record exactly as a whole import writes it, and nothing
//! else changed; running the import again finishes it.
//!
//! Knobs: `ONWARD_CRASH_IMPORT_KILLS` (8), `ONWARD_CRASH_IMPORT_ROWS` (700: two
//! batches); `ONWARD_CRASH_SEED` replays a run.

mod crash_support;

use crash_support::*;
use onward_core::export::Snapshot;
use onward_core::import::{csv, json};
use onward_core::journal::WRITE_BATCH;
use onward_core::model::{Entry, EntryKind};
use onward_core::Journal;
use onward_tests::crash::{words, IMPORT_NOW};
use rand::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// One file to import and what a whole import of it into the base journal leaves.
struct Import {
    format: &'static str,
    file: std::path::PathBuf,
    /// The record ids in the order the import writes them (before skipping known ones).
    order: Vec<String>,
    /// Every record and reminder state after a whole import.
    whole: Model,
    /// How long its first batch took (in this process).
    first_batch: Duration,
}

impl Import {
    /// The records one import run writes, batch after batch, and how many records it
    /// counts in its progress: a CSV import leaves out the rows the journal has before it
    /// cuts batches (and counts only the others), a JSON import skips them inside.
    fn writes(&self, known: &BTreeSet<String>) -> (Vec<Vec<String>>, usize) {
        let list: Vec<&String> = match self.format {
            "csv" => self
                .order
                .iter()
                .filter(|id| !known.contains(*id))
                .collect(),
            _ => self.order.iter().collect(),
        };
        let batches = list
            .chunks(WRITE_BATCH)
            .map(|batch| {
                batch
                    .iter()
                    .filter(|id| !known.contains(**id))
                    .map(|id| id.to_string())
                    .collect()
            })
            .collect();
        (batches, list.len())
    }
}

fn csv_file(path: &Path, rows: usize, first: usize, rng: &mut StdRng) {
    let mut text = String::from("Company,Role,Date Applied,Status,Notes\n");
    for i in first..first + rows {
        let notes = words(rng, 0, 200).replace(['"', '\n', ','], " ");
        text.push_str(&format!(
            "Company {i},Analyst {},2026-10-{:02},Applied,\"{notes}\"\n",
            i % 7,
            1 + i % 28
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// Imports `file` whole into a copy of `base`, in this process: what every killed run
/// must be a part of.
fn whole_import(base: &Path, format: &'static str, file: &Path, dir: &Path) -> Import {
    let copy = dir.join(format!("whole-{format}.onward"));
    std::fs::copy(base, &copy).unwrap();
    let mut j = Journal::open(&copy).unwrap();
    let bytes = std::fs::read(file).unwrap();
    let begun = Instant::now();
    let mut first_batch = None;
    let mut on_batch = |_, _| {
        first_batch.get_or_insert(begun.elapsed());
    };
    let order = match format {
        "csv" => {
            let now = IMPORT_NOW.parse().unwrap();
            let parsed = csv::read(&bytes, &csv::Options::default(), j.zone(), now).unwrap();
            let order = parsed
                .rows
                .iter()
                .map(|r| r.application.meta.id.clone())
                .collect();
            csv::import(&mut j, parsed.rows, &mut on_batch).unwrap();
            order
        }
        _ => {
            let parsed = json::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
            let order = parsed.records.iter().map(|r| r.id().to_string()).collect();
            json::store(&mut j, parsed, &mut on_batch).unwrap();
            order
        }
    };
    drop(j);
    Import {
        format,
        file: file.to_path_buf(),
        order,
        whole: inspect(&copy).unwrap().checks,
        first_batch: first_batch.unwrap(),
    }
}

/// Checks a killed import: every record of the base as it was, every imported one as a
/// whole import writes it, and the run's new records exactly its first batches (at
/// least those it acknowledged). Returns (batches kept, batches in the run).
fn verify_import(
    seen: &Seen,
    base: &Model,
    import: &Import,
    known_before: &BTreeSet<String>,
    acked: u64,
) -> Result<(usize, usize), String> {
    for (id, want) in base {
        if seen.checks.get(id) != Some(want) {
            return Err(format!(
                "{id} of the journal before the import is gone or changed"
            ));
        }
    }
    for (id, got) in &seen.checks {
        if base.contains_key(id) {
            continue;
        }
        match import.whole.get(id) {
            None => {
                return Err(format!(
                    "{id} appeared, but the import holds no such record"
                ))
            }
            Some(want) if want != got => {
                return Err(format!("{id} differs from what a whole import writes"))
            }
            Some(_) => {}
        }
    }
    let (batches, counted) = import.writes(known_before);
    let written: BTreeSet<&String> = batches.iter().flatten().collect();
    let new: BTreeSet<&String> = written
        .iter()
        .copied()
        .filter(|id| seen.checks.contains_key(*id))
        .collect();
    // The new records must be exactly the first `kept` batches (the most that fit: a
    // batch of records the journal had writes nothing).
    let mut prefix = BTreeSet::new();
    let mut kept = None;
    for k in 0..=batches.len() {
        if prefix == new {
            kept = Some(k);
        }
        if let Some(batch) = batches.get(k) {
            prefix.extend(batch.iter());
        }
    }
    let Some(kept) = kept else {
        return Err(format!(
            "the import was killed half way through a batch: {} of its {} records are there, \
             not a whole number of its batches of {WRITE_BATCH}",
            new.len(),
            written.len()
        ));
    };
    if acked as usize > (kept * WRITE_BATCH).min(counted) {
        return Err(format!(
            "{acked} records were acknowledged, but only {kept} batches ({} new records) are there",
            new.len()
        ));
    }
    Ok((kept, batches.len()))
}

#[test]
fn an_import_killed_midway_keeps_whole_batches_and_finishes_when_run_again() {
    let seed = seed_from_env("import crash test");
    let kills = env_number("ONWARD_CRASH_IMPORT_KILLS", 8);
    let rows = env_number("ONWARD_CRASH_IMPORT_ROWS", 700) as usize;
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch();
    let started = Instant::now();

    // The journal before: a few entries.
    let base_path = dir.join("base.onward");
    {
        let mut j = Journal::open(&base_path).unwrap();
        for _ in 0..20 {
            let body = words(&mut rng, 20, 300);
            j.add_entry(Entry::new(EntryKind::Free, body, j.now()))
                .unwrap();
        }
    }
    let base = inspect(&base_path).unwrap().checks;

    // A CSV file, and a JSON export of another journal that imported another.
    let csv_path = dir.join("applications.csv");
    csv_file(&csv_path, rows, 0, &mut rng);
    let json_path = dir.join("export.json");
    {
        let other_csv = dir.join("other.csv");
        csv_file(&other_csv, rows, rows, &mut rng);
        let source = dir.join("source.onward");
        let mut j = Journal::open(&source).unwrap();
        let parsed = csv::read(
            &std::fs::read(&other_csv).unwrap(),
            &csv::Options::default(),
            j.zone(),
            IMPORT_NOW.parse().unwrap(),
        )
        .unwrap();
        csv::import(&mut j, parsed.rows, &mut |_, _| {}).unwrap();
        let snapshot = Snapshot::of(&mut j).unwrap();
        let text = onward_core::export::json::to_string(&snapshot, IMPORT_NOW.parse().unwrap());
        std::fs::write(&json_path, text).unwrap();
    }
    let imports = [
        whole_import(&base_path, "csv", &csv_path, &dir),
        whole_import(&base_path, "json", &json_path, &dir),
    ];
    let (mut mid_import, mut some_kept, mut finished, mut resumed, mut checked) = (0, 0, 0, 0, 0);
    let mut path = dir.join("round-0.onward");
    for round in 0..kills {
        let import = &imports[(round / 4 % 2) as usize];
        // Every other round imports into a fresh copy; the others resume the last one.
        if round % 2 == 0 {
            path = dir.join(format!("round-{round}.onward"));
            std::fs::copy(&base_path, &path).unwrap();
        } else {
            resumed += 1;
        }
        let known_before: BTreeSet<String> = inspect(&path)
            .unwrap_or_else(|e| fail(&dir, seed, round, e))
            .checks
            .into_keys()
            .collect();
        // A fresh import in four is killed right after its first batch is acknowledged
        // (between batches); the others within the time a batch takes from the start
        // of the import (inside one).
        let (aim, delay) = if round % 4 != 2 {
            let window = import.first_batch.as_micros() as u64;
            (
                Aim::after("try import"),
                Duration::from_micros(rng.random_range(0..=window)),
            )
        } else {
            (
                Aim::after("progress import"),
                Duration::from_micros(rng.random_range(0..=2_000)),
            )
        };
        let file = import.file.to_str().unwrap();
        let killed = run_phase_and_kill(
            &path,
            rng.random(),
            &["import", import.format, file],
            aim,
            delay,
        )
        .unwrap_or_else(|e| fail(&dir, seed, round, e));
        let run = apply(&killed.stdout, &mut Model::new());
        let acked = run.progress.get("import").copied().unwrap_or(0);
        let outcome = inspect(&path)
            .and_then(|seen| verify_import(&seen, &base, import, &known_before, acked));
        let (kept, total) = match outcome {
            Ok(k) => k,
            Err(e) => fail(
                &dir,
                seed,
                round,
                format!(
                    "{e}\n(importing {}, killed after {:?}, {acked} records acknowledged)",
                    import.format, killed.ran
                ),
            ),
        };
        checked += base.len() + import.whole.len();
        let inside = run.pending.as_ref().is_some_and(|p| p.op == "import");
        mid_import += usize::from(inside);
        some_kept += usize::from(inside && kept > 0 && kept < total);
        finished += usize::from(killed.finished || (run.opened && run.pending.is_none()));
    }
    // The last file, imported again to the end: everything there, as a whole import.
    let import = &imports[((kills.max(1) - 1) / 4 % 2) as usize];
    let last = run_phase_and_kill(
        &path,
        rng.random(),
        &["import", import.format, import.file.to_str().unwrap()],
        Aim::Start,
        Duration::from_secs(600),
    )
    .unwrap_or_else(|e| fail(&dir, seed, kills, e));
    assert!(last.finished, "the import run to the end did not finish");
    let seen = inspect(&path).unwrap_or_else(|e| fail(&dir, seed, kills, e));
    if seen.checks != import.whole {
        fail(
            &dir,
            seed,
            kills,
            format!(
                "the import run again to the end left {} records and states, a whole import {}",
                seen.checks.len(),
                import.whole.len()
            ),
        );
    }
    println!(
        "import crash test: {kills} kills survived ({mid_import} inside an import, {some_kept} of \
         them with some of its batches kept and some not; {finished} after it finished; \
         {resumed} resuming an import killed before), {rows} rows per file, batches of \
         {WRITE_BATCH}, {checked} record checks, in {:.1?}",
        started.elapsed()
    );
    assert!(
        mid_import * 2 >= kills as usize,
        "only {mid_import} of {kills} kills landed inside an import: the aim is off"
    );
    assert!(
        some_kept >= 1,
        "no kill landed between the batches of an import: the aim is off"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
