//! Two processes writing one journal at once, each with its own handle: the CLI run
//! while the desktop app (or a second CLI) holds the journal open. Two `crash-writer`
//! processes (see its docs) each do a person's random day of actions on one new
//! journal at the same time and print every write once it is acknowledged. Neither may
//! fail (a write that meets the other's lock waits for it: SQLite's busy timeout, not an
//! error), and afterwards the journal holds every write either acknowledged, as
//! acknowledged, nothing it shouldn't, SQLite finds it sound and its index equals a
//! rebuild. The second test runs the real `onward` binary again and again (a mood each
//! time) while one `crash-writer` holds the journal open and writes, as the app does.
//!
//! Knobs: `ONWARD_TWO_WRITERS_ACTIONS` (80 / 400 in an optimised build): actions per
//! `crash-writer` of the first test; `ONWARD_CLI_RUNS` (8): `onward` runs in the
//! second; `ONWARD_CRASH_SEED`: replays the writers' random choices.

use onward_core::Journal;
use onward_tests::crash::{is_reminder_key, record_check, state_check, Line};
use onward_tests::env_number;

mod sync_support;
use rand::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WRITER: &str = env!("CARGO_BIN_EXE_crash-writer");

/// What one writer acknowledged: the last check value of each id, and how many
/// records its actions may have added without naming them (contacts made by an
/// interview).
#[derive(Default)]
struct Acked {
    checks: BTreeMap<String, String>,
    unnamed: usize,
    actions: usize,
}

fn acked(output: &str) -> Acked {
    let mut acked = Acked::default();
    for text in output.lines() {
        match Line::parse(text).unwrap_or_else(|| panic!("the writer printed {text:?}")) {
            Line::Try { creates, .. } => acked.unnamed += creates,
            Line::Ack { id, check } => {
                acked.checks.insert(id, check);
            }
            // The writer's background tidy is not one of its actions.
            Line::Done { op } if op == "tidy" => {}
            Line::Done { .. } => acked.actions += 1,
            Line::Opening | Line::Open | Line::Progress { .. } => {}
        }
    }
    acked
}

/// Runs a writer for `actions` actions to its end; its output, or why it failed (its
/// error, or that it ran past `limit` and was killed).
fn run_to_end(path: &Path, seed: u64, actions: u64, limit: Duration) -> Result<String, String> {
    let mut child = Command::new(WRITER)
        .arg(path)
        .arg(seed.to_string())
        .args(["mix", &actions.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {WRITER}: {e}"))?;
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    match status {
        Some(s) if s.success() => Ok(stdout),
        Some(s) => Err(format!("writer {seed} failed ({s}): {stderr}")),
        None => Err(format!("writer {seed} ran past {limit:?} and was killed")),
    }
}

/// Every record and reminder state in the journal's document by check value, after
/// checking that SQLite finds the file sound, the index equals a rebuild, and the index
/// holds each record as the document does.
fn stored(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut j = Journal::open(path).map_err(|e| format!("reopening failed: {e}"))?;
    if let Err(problems) = j.integrity_check().map_err(|e| e.to_string())? {
        return Err(format!("integrity_check: {problems:?}"));
    }
    let check = j.check_index().map_err(|e| e.to_string())?;
    if !check.is_consistent() {
        return Err(format!("the index differs from a rebuild: {check:#?}"));
    }
    let (records, states) = onward_tests::document_contents(&mut j)
        .map_err(|e| format!("reading the document failed: {e}"))?;
    let mut checks = BTreeMap::new();
    for (kind, id, fields) in records {
        let record = onward_core::model::Record::from_json(kind, serde_json::Value::Object(fields))
            .map_err(|e| format!("{kind} {id} does not read: {e}"))?;
        let indexed = j.record(&id).map_err(|e| format!("{kind} {id}: {e}"))?;
        if record_check(&indexed) != record_check(&record) {
            return Err(format!("{kind} {id}: the index and the document differ"));
        }
        checks.insert(id, record_check(&record));
    }
    for (key, state) in states {
        checks.insert(key, state_check(&state));
    }
    Ok(checks)
}

/// Checks the journal (see [`stored`]) against what the writers acknowledged and the
/// notes of the moods `onward` added (id to note): every one there as acknowledged,
/// nothing else but contacts an interview may have made. Returns what is stored and
/// how many ids both writers acknowledged with different values.
fn check_stored(
    path: &Path,
    seed: u64,
    writers: &[Acked],
    cli_moods: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, usize) {
    let seen = stored(path).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    // An id both acknowledged (a reminder about the other's record, a contact both
    // interviews named) holds the later write: either acknowledged value.
    let mut wanted: BTreeMap<&String, BTreeSet<&String>> = BTreeMap::new();
    for w in writers {
        for (id, check) in &w.checks {
            wanted.entry(id).or_default().insert(check);
        }
    }
    let both = wanted.values().filter(|checks| checks.len() > 1).count();
    for (id, checks) in &wanted {
        let what = if is_reminder_key(id) {
            "reminder state"
        } else {
            "record"
        };
        match seen.get(*id) {
            None => panic!("seed {seed}: lost an acknowledged write: {what} {id} is gone"),
            Some(got) if !checks.contains(got) => {
                panic!("seed {seed}: {what} {id} is not as acknowledged: {got}, acknowledged {checks:?}")
            }
            Some(_) => {}
        }
    }
    if !cli_moods.is_empty() {
        let j = Journal::open(path).unwrap();
        for (id, note) in cli_moods {
            let mood: onward_core::model::Mood = j
                .get(id)
                .unwrap_or_else(|e| panic!("seed {seed}: the mood onward added is gone: {e}"));
            assert_eq!(&mood.note, note, "seed {seed}: mood {id}");
        }
    }
    let unnamed: usize = writers.iter().map(|w| w.unnamed).sum();
    let extra: Vec<&String> = seen
        .keys()
        .filter(|id| !wanted.contains_key(id) && !cli_moods.contains_key(*id))
        .collect();
    assert!(
        extra.len() <= unnamed,
        "seed {seed}: {} records nobody acknowledged (at most {unnamed} contacts made by interviews): {:?}",
        extra.len(),
        extra.iter().take(5).collect::<Vec<_>>()
    );
    (seen, both)
}

#[test]
fn two_writers_at_once_lose_nothing() {
    let seed = env_number("ONWARD_CRASH_SEED", rand::rng().random());
    println!("two writers: seed {seed} (replay with ONWARD_CRASH_SEED={seed})");
    let actions = env_number(
        "ONWARD_TWO_WRITERS_ACTIONS",
        if cfg!(debug_assertions) { 80 } else { 400 },
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    // A new journal: both create it at once, too.
    let path = dir.path().join("shared.onward");
    let seeds: [u64; 2] = [rng.random(), rng.random()];
    let limit = Duration::from_secs(240);
    let started = Instant::now();
    let outputs: Vec<Result<String, String>> = std::thread::scope(|s| {
        let runs: Vec<_> = seeds
            .iter()
            .map(|&w| {
                let path = &path;
                s.spawn(move || run_to_end(path, w, actions, limit))
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let ran = started.elapsed();
    let writers: Vec<Acked> = outputs
        .into_iter()
        .map(|o| acked(&o.unwrap_or_else(|e| panic!("seed {seed}: {e}"))))
        .collect();

    let (seen, both) = check_stored(&path, seed, &writers, &BTreeMap::new());
    let acks: Vec<usize> = writers.iter().map(|w| w.checks.len()).collect();
    println!(
        "two writers: {} actions each, {:?} ids acknowledged, {both} by both, {} stored; \
         every one as acknowledged, the index equal to a rebuild ({ran:.1?})",
        actions,
        acks,
        seen.len()
    );
    assert!(
        writers.iter().all(|w| w.actions as u64 == actions),
        "a writer stopped early"
    );
}

/// The real `onward` CLI, run again and again (each run opens the journal, adds a mood
/// and closes it) while another process holds the journal open and writes to it, as
/// the desktop app does (here: `crash-writer`, 40 actions a run, started again until
/// the CLI is done): every run succeeds, and every write of both is there.
#[test]
fn the_cli_writes_while_another_process_holds_the_journal() {
    let seed = env_number("ONWARD_CRASH_SEED", rand::rng().random());
    println!("the CLI and an app: seed {seed} (replay with ONWARD_CRASH_SEED={seed})");
    let runs = env_number("ONWARD_CLI_RUNS", 8) as usize;
    let dir = tempfile::tempdir().unwrap();
    let cli = sync_support::Device::new(dir.path(), "shared");
    let path = cli.journal.clone();
    // Built before the app starts (a no-op when it is built already).
    sync_support::onward_binary();
    let limit = Duration::from_secs(240);
    let cli_done = std::sync::atomic::AtomicBool::new(false);
    let started = Instant::now();
    let (outputs, cli_moods) = std::thread::scope(|s| {
        let app = s.spawn(|| {
            let mut outputs = Vec::new();
            let mut rng = StdRng::seed_from_u64(seed);
            while !cli_done.load(std::sync::atomic::Ordering::SeqCst) {
                outputs.push(run_to_end(&path, rng.random(), 40, limit));
            }
            outputs
        });
        let mut moods = BTreeMap::new();
        for run in 0..runs {
            let note = format!("from the CLI, run {run}");
            let valence = (run % 5 + 1).to_string();
            let added = cli.json(&["mood", "add", "--valence", &valence, "--note", &note]);
            let id = added["id"]
                .as_str()
                .unwrap_or_else(|| panic!("no id in {added}"))
                .to_string();
            moods.insert(id, note);
        }
        cli_done.store(true, std::sync::atomic::Ordering::SeqCst);
        (app.join().unwrap(), moods)
    });
    let ran = started.elapsed();
    // One app run after another: a later ack of an id supersedes an earlier one.
    let mut app = Acked::default();
    for output in &outputs {
        let run = acked(
            output
                .as_ref()
                .unwrap_or_else(|e| panic!("seed {seed}: {e}")),
        );
        app.checks.extend(run.checks);
        app.unnamed += run.unnamed;
        app.actions += run.actions;
    }
    let (seen, _) = check_stored(&path, seed, std::slice::from_ref(&app), &cli_moods);
    println!(
        "the CLI and an app: {} onward runs while {} app runs did {} actions, {} stored; \
         every one as acknowledged, the index equal to a rebuild ({ran:.1?})",
        cli_moods.len(),
        outputs.len(),
        app.actions,
        seen.len()
    );
}
