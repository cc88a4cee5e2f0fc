//! Crash safety: an acknowledged write survives the writer being killed at any moment.
//!
//! The `crash-writer` binary writes random user actions to a journal and prints an ack
//! line, with a check value of the record's content, after each call returns Ok. This
//! test starts it, lets it run a random short time, kills it with SIGKILL, reopens the
//! journal and checks that
//!
//! - the journal opens (no "corrupt" error), SQLite's integrity check passes and the
//!   index equals one rebuilt from the document;
//! - every acknowledged record (and reminder state) holds exactly its last acknowledged
//!   content, in the document and in the index;
//! - the write in flight at the kill is all or nothing: the records it writes are all
//!   as before or all changed, and nothing else appeared but the few records it may
//!   create;
//! - every change chunk left beside the snapshot adds something the snapshot lacks, so
//!   no compaction stopped halfway.
//!
//! Whatever the check finds becomes the baseline for the next round.
//!
//! Another kills a device while it pulls from a real relay on loopback (see
//! `a_pull_killed_midway_loses_nothing`). A third test kills the writer while `Journal::open` upgrades a journal an older
//! Onward wrote (schema 1, or an index built by an older version): the next open must
//! finish the upgrade with nothing lost.
//!
//! Knobs (environment); the defaults in parentheses are for an optimised build, with
//! an unoptimised one's (plain `cargo test`, whose Automerge is many times slower) after
//! the slash:
//! - `ONWARD_CRASH_KILLS` (60): kills in the main test.
//! - `ONWARD_CRASH_MAX_MS` (200 / 400): the longest a writer runs before its kill.
//! - `ONWARD_CRASH_ROTATE` (25 / 10): kills per journal file before a fresh one.
//! - `ONWARD_CRASH_COMPACT_KILLS` (12 / 6): kills in the compaction test.
//! - `ONWARD_CRASH_BIG_KB` (2048 / 256): how big that test's journal is made first.
//! - `ONWARD_CRASH_MIGRATION_KILLS` (24 / 8): kills while an older journal is upgraded.
//! - `ONWARD_CRASH_MIGRATION_RECORDS` (1500 / 100): applications (each with a note) in it.
//! - `ONWARD_CRASH_PULL_KILLS` (12), `ONWARD_CRASH_PULL_BATCHES` (60 / 30),
//!   `ONWARD_CRASH_PULL_RECORDS` (8): kills while a device pulls from a real relay.
//! - `ONWARD_CRASH_SEED`: replays a run's random choices (each test prints its seed).
//! - `ONWARD_CRASH_VERBOSE`: one line per round.
//!
//! A long run:
//! `ONWARD_CRASH_KILLS=1000 cargo test -p onward-tests --release --test crash -- --nocapture`

use onward_core::model::{Entry, EntryKind, Kind, Record};
use onward_core::Journal;
use onward_tests::crash::{is_reminder_key, record_check, state_check, words, Line};
use rand::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WRITER: &str = env!("CARGO_BIN_EXE_crash-writer");

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
        Err(_) => default,
    }
}

fn seed_from_env(test: &str) -> u64 {
    let seed = std::env::var("ONWARD_CRASH_SEED")
        .ok()
        .map(|v| {
            v.trim()
                .parse()
                .expect("ONWARD_CRASH_SEED must be a number")
        })
        .unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64;
            nanos ^ u64::from(std::process::id()).rotate_left(32)
        });
    println!("{test}: seed {seed} (replay with ONWARD_CRASH_SEED={seed})");
    seed
}

// ----- what the writer said -----

/// The action in flight when the writer was killed.
#[derive(Debug, Clone)]
struct Pending {
    op: String,
    creates: usize,
    /// Id, must it change, and its content before the action (`None`: absent).
    ids: Vec<(String, bool, Option<String>)>,
    /// An ack of this action was printed: its transaction committed.
    committed: bool,
}

/// One writer run, read from its output.
#[derive(Debug, Default)]
struct Run {
    opened: bool,
    pending: Option<Pending>,
    ops_done: usize,
    acks: usize,
    /// Ids acknowledged in this run (their last ack is checked next).
    acked_ids: BTreeSet<String>,
}

/// The acknowledged state: id (or reminder key) to check value.
type Model = HashMap<String, String>;

/// Applies a writer's output to the model. A last line without its newline was cut by
/// the kill and is ignored.
fn apply(output: &str, model: &mut Model) -> Run {
    let mut run = Run::default();
    let complete = match output.rfind('\n') {
        Some(end) => &output[..end],
        None => "",
    };
    for text in complete.lines() {
        let line = Line::parse(text).unwrap_or_else(|| panic!("the writer printed {text:?}"));
        match line {
            Line::Open => run.opened = true,
            Line::Try { op, creates, ids } => {
                let ids = ids
                    .into_iter()
                    .map(|(id, must)| {
                        let before = model.get(&id).cloned();
                        (id, must, before)
                    })
                    .collect();
                run.pending = Some(Pending {
                    op,
                    creates,
                    ids,
                    committed: false,
                });
            }
            Line::Ack { id, check } => {
                let pending = run.pending.as_mut().expect("an ack outside an action");
                pending.committed = true;
                model.insert(id.clone(), check);
                run.acked_ids.insert(id);
                run.acks += 1;
            }
            Line::Done { .. } => {
                run.pending = None;
                run.ops_done += 1;
            }
        }
    }
    run
}

// ----- running the writer -----

struct Killed {
    stdout: String,
    /// How long the writer ran.
    ran: Duration,
    /// When each explicit compaction started and ended, from the writer's start.
    compactions: Vec<(Duration, Option<Duration>)>,
}

/// When the kill's delay starts counting.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Aim {
    /// From the writer's start.
    Start,
    /// From the end of the writer's first action (which loads the document), or from
    /// the start when none ends within 30 s.
    FirstAction,
    /// From the writer printing `try compact` after its first action is done (so the
    /// document is loaded and the kill lands in the compaction itself), or from the
    /// start when none comes within 30 s.
    Compaction,
}

/// Starts the writer, lets it run for `delay` (counted as `aim` says) and kills it with
/// SIGKILL. A writer that stops on its own (an error, a panic) fails the test.
fn run_and_kill(
    path: &Path,
    seed: u64,
    mode: &[&str],
    aim: Aim,
    delay: Duration,
) -> Result<Killed, String> {
    use std::io::BufRead;
    use std::sync::mpsc;

    let started = Instant::now();
    let mut child = Command::new(WRITER)
        .arg(path)
        .arg(seed.to_string())
        .args(mode)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {WRITER}: {e}"))?;
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    // Lines as they come, with when they came; a last line cut by the kill comes without
    // its newline.
    let (tx, rx) = mpsc::channel::<(Instant, String)>();
    let out = std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(stdout);
        loop {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    if tx.send((Instant::now(), text)).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    let mut stdout = String::new();
    let mut compactions: Vec<(Duration, Option<Duration>)> = Vec::new();
    let mut done_any = false;
    let mut deadline = match aim {
        Aim::Start => started + delay,
        Aim::FirstAction | Aim::Compaction => started + Duration::from_secs(30) + delay,
    };
    let mut exited = None;
    loop {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        match rx.recv_timeout((deadline - now).min(Duration::from_millis(5))) {
            Ok((at, line)) => {
                let since = at - started;
                if line.starts_with("try compact") {
                    compactions.push((since, None));
                    if aim == Aim::Compaction && done_any && compactions.len() == 1 {
                        deadline = at + delay;
                    }
                    if !done_any {
                        // Its time includes loading the document: not a compaction's.
                        compactions.clear();
                    }
                } else if line.starts_with("done compact") {
                    if let Some(last) = compactions.last_mut() {
                        last.1 = Some(since);
                    }
                }
                if line.starts_with("done ") {
                    if aim == Aim::FirstAction && !done_any {
                        deadline = at + delay;
                    }
                    done_any = true;
                }
                stdout.push_str(&line);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Its stdout closed: it has stopped (or is stopping) on its own.
                exited = Some(child.wait().map_err(|e| e.to_string())?);
                break;
            }
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            exited = Some(status);
            break;
        }
    }
    if exited.is_none() {
        // Child::kill sends SIGKILL on Unix: no destructor, no flush, no checkpoint.
        let _ = child.kill();
        let status = child.wait().map_err(|e| e.to_string())?;
        if status.code().is_some() {
            exited = Some(status);
        }
    }
    let ran = started.elapsed();
    out.join().unwrap();
    stdout.extend(rx.try_iter().map(|(_, line)| line));
    let stderr = err.join().unwrap();
    if let Some(status) = exited {
        return Err(format!(
            "the writer stopped on its own ({status}) after {ran:?}:\n{stderr}\nlast output:\n{}",
            tail(&stdout, 10)
        ));
    }
    Ok(Killed {
        stdout,
        ran,
        compactions,
    })
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// ----- checking a journal -----

/// What a check saw: every record and reminder state in the document, by check value.
struct Seen {
    checks: Model,
    kinds: HashMap<String, Kind>,
    generation: i64,
    /// Snapshot and chunk bytes.
    bytes: i64,
}

/// Opens the journal and checks it as a whole: it opens, SQLite finds it sound, the
/// index equals a rebuild, the index and the document agree record by record, and the
/// stored chunks are all newer than the snapshot.
fn inspect(path: &Path) -> Result<Seen, String> {
    let mut j = Journal::open(path).map_err(|e| format!("reopening failed: {e}"))?;
    match j.integrity_check() {
        Ok(Ok(())) => {}
        Ok(Err(problems)) => return Err(format!("integrity_check: {problems:?}")),
        Err(e) => return Err(format!("integrity_check could not run: {e}")),
    }
    // First, as a person's `doctor` would: it must leave the journal as it found it.
    let check = j
        .check_index()
        .map_err(|e| format!("check_index failed: {e}"))?;
    if !check.is_consistent() {
        return Err(format!(
            "the index differs from a rebuild: {:#?}",
            check.differences
        ));
    }
    let (records, states) = j
        .with_document(|doc| {
            let mut records = Vec::new();
            for kind in Kind::ALL {
                for id in doc.ids(*kind)? {
                    let fields = doc.read(*kind, &id)?.expect("a listed id has fields");
                    records.push((*kind, id, fields));
                }
            }
            Ok((records, doc.reminder_states()?))
        })
        .map_err(|e| format!("reading the document failed: {e}"))?;
    let mut seen = Seen {
        checks: Model::new(),
        kinds: HashMap::new(),
        generation: 0,
        bytes: 0,
    };
    for (kind, id, fields) in records {
        let record = Record::from_json(kind, serde_json::Value::Object(fields))
            .map_err(|e| format!("{kind} {id} in the document does not read: {e}"))?;
        let check = record_check(&record);
        let indexed = j
            .record(&id)
            .map_err(|e| format!("{kind} {id} is in the document but the index says: {e}"))?;
        if record_check(&indexed) != check {
            return Err(format!(
                "{kind} {id}: the index holds\n{}\nbut the document\n{}",
                indexed.to_json(),
                record.to_json()
            ));
        }
        seen.kinds.insert(id.clone(), kind);
        seen.checks.insert(id, check);
    }
    for (key, state) in states {
        seen.checks.insert(key, state_check(&state));
    }
    let conn = j.connection();
    let (generation, snapshot): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT generation, bytes FROM document_snapshot WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| format!("reading the snapshot: {e}"))?;
    let chunks: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT seq, bytes FROM document_chunks ORDER BY seq")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| format!("reading the chunks: {e}"))?;
    // Each chunk must bring changes the snapshot lacks: a compaction that saved the
    // snapshot but kept the chunks it folded in would leave some that bring none.
    // (Without chunks there is nothing to compare; the journal loaded the snapshot.)
    let mut doc = automerge::Automerge::new();
    if !chunks.is_empty() {
        doc = automerge::Automerge::load(&snapshot)
            .map_err(|e| format!("the snapshot does not load: {e}"))?;
    }
    for (seq, bytes) in &chunks {
        let before = doc.get_heads();
        doc.load_incremental(bytes)
            .map_err(|e| format!("chunk {seq} does not load: {e}"))?;
        if !automerge::ReadDoc::get_missing_deps(&doc, &[]).is_empty() {
            return Err(format!(
                "chunk {seq} builds on changes that are in neither the snapshot (generation \
                 {generation}) nor an earlier chunk: a write was acknowledged but not stored"
            ));
        }
        if doc.get_heads() == before {
            return Err(format!(
                "chunk {seq} adds nothing to the snapshot (generation {generation}): \
                 a compaction saved the snapshot but left its chunks"
            ));
        }
    }
    seen.generation = generation;
    seen.bytes = snapshot.len() as i64 + chunks.iter().map(|c| c.1.len() as i64).sum::<i64>();
    Ok(seen)
}

/// Compares what a check saw with what was acknowledged, and the write in flight with
/// all-or-nothing. On success the model becomes what was seen.
fn verify(seen: &Seen, model: &mut Model, pending: Option<&Pending>) -> Result<usize, String> {
    let in_flight: BTreeMap<&str, &(String, bool, Option<String>)> = pending
        .map(|p| p.ids.iter().map(|t| (t.0.as_str(), t)).collect())
        .unwrap_or_default();
    let describe = |id: &str| match seen.kinds.get(id) {
        Some(kind) => format!("{kind} {id}"),
        None if is_reminder_key(id) => format!("reminder state {id}"),
        None => format!("record {id}"),
    };
    let mut checked = 0;
    for (id, want) in model.iter() {
        if in_flight.contains_key(id.as_str()) {
            continue;
        }
        checked += 1;
        match seen.checks.get(id) {
            None => {
                return Err(format!(
                    "lost an acknowledged write: {} is gone",
                    describe(id)
                ))
            }
            Some(got) if got != want => {
                return Err(format!(
                    "{} is not as acknowledged: check {got}, acknowledged {want}",
                    describe(id)
                ))
            }
            Some(_) => {}
        }
    }
    if let Some(p) = pending {
        let is_old = |(id, _, before): &(String, bool, Option<String>)| {
            seen.checks.get(id) == before.as_ref()
        };
        let musts: Vec<_> = p.ids.iter().filter(|t| t.1).collect();
        let all_old = p.ids.iter().all(is_old);
        let must_new = musts.iter().all(|t| !is_old(t));
        if p.committed {
            // An ack came: the transaction committed, every must-change id changed, and
            // those acknowledged are exactly as acknowledged.
            for t in &p.ids {
                if let Some(want) = model.get(&t.0).filter(|w| Some(*w) != t.2.as_ref()) {
                    checked += 1;
                    if seen.checks.get(&t.0) != Some(want) {
                        return Err(format!(
                            "{} is not as acknowledged (in {})",
                            describe(&t.0),
                            p.op
                        ));
                    }
                }
            }
            if !must_new {
                return Err(format!(
                    "{} was acknowledged but part of it is missing: {:?}",
                    p.op, p.ids
                ));
            }
        } else if !(all_old || must_new) {
            let state: Vec<String> = p
                .ids
                .iter()
                .map(|t| {
                    format!(
                        "{} {}",
                        describe(&t.0),
                        if is_old(t) { "as before" } else { "changed" }
                    )
                })
                .collect();
            return Err(format!(
                "{} was killed half done: {}",
                p.op,
                state.join(", ")
            ));
        }
    }
    let extra: Vec<&String> = seen
        .checks
        .keys()
        .filter(|id| !model.contains_key(*id) && !in_flight.contains_key(id.as_str()))
        .collect();
    let allowed = pending.map_or(0, |p| p.creates);
    if extra.len() > allowed {
        return Err(format!(
            "{} records appeared that were never acknowledged (at most {allowed} allowed, in flight: {:?}): {:?}",
            extra.len(),
            pending.map(|p| &p.op),
            extra.iter().take(5).map(|id| describe(id)).collect::<Vec<_>>()
        ));
    }
    *model = seen.checks.clone();
    Ok(checked)
}

/// A copy of the journal as the kill left it (database and WAL), so that checking it
/// leaves the original's hot WAL for the next writer to recover.
fn copy_journal(path: &Path, into: &Path) -> PathBuf {
    std::fs::create_dir_all(into).unwrap();
    let copy = into.join("copy.onward");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    // The shared-memory index is left out: SQLite rebuilds it from the WAL.
    for suffix in ["", "-wal", "-journal"] {
        let from = PathBuf::from(format!("{}{suffix}", path.display()));
        if from.exists() {
            std::fs::copy(&from, format!("{}{suffix}", copy.display())).unwrap();
        }
    }
    copy
}

/// A scratch directory, removed by the test when it passes and kept when it fails.
fn scratch() -> PathBuf {
    tempfile::Builder::new()
        .prefix("onward-crash-")
        .tempdir()
        .unwrap()
        .keep()
}

fn fail(dir: &Path, seed: u64, round: u64, what: String) -> ! {
    panic!(
        "crash round {round} failed: {what}\nseed {seed} (replay with ONWARD_CRASH_SEED={seed}); \
         the journals are kept in {}",
        dir.display()
    );
}

// ----- the tests -----

#[test]
fn acknowledged_writes_survive_sigkill() {
    let seed = seed_from_env("crash test");
    let kills = env_number("ONWARD_CRASH_KILLS", 60);
    // An unoptimised writer (a plain `cargo test`) needs longer to get anything done.
    let max_ms = env_number(
        "ONWARD_CRASH_MAX_MS",
        if cfg!(debug_assertions) { 400 } else { 200 },
    )
    .max(5);
    // A fresh journal now and then, before loading the document outweighs the writes.
    let rotate = env_number(
        "ONWARD_CRASH_ROTATE",
        if cfg!(debug_assertions) { 10 } else { 25 },
    )
    .max(1);
    let verbose = std::env::var_os("ONWARD_CRASH_VERBOSE").is_some();
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch();
    let started = Instant::now();

    let mut model = Model::new();
    let mut path = PathBuf::new();
    let mut generation = 0;
    let (mut records_checked, mut acks, mut ops, mut fresh_kills) =
        (0usize, 0usize, 0usize, 0usize);
    let (mut copies, mut in_flight_kills, mut compactions_seen) = (0usize, 0usize, 0usize);
    let (mut survived, mut before_open, mut comparisons, mut hot_journals) = (0, 0, 0, 0);
    for round in 0..kills {
        if round % rotate == 0 {
            path = dir.join(format!("journal-{}.onward", round / rotate));
            model.clear();
            generation = 0;
        }
        let fresh = model.is_empty();
        // The first kills of a journal come early: while it is created, in its first write.
        // (A new file is switched to WAL within the first few milliseconds: half of these
        // kills are aimed there.)
        let ms = Duration::from_millis;
        let (aim, delay) = if fresh && (round % rotate == 0 || rng.random_bool(0.3)) {
            let within = if rng.random_bool(0.5) { 4_000 } else { 30_000 };
            (
                Aim::Start,
                Duration::from_micros(rng.random_range(0..within)),
            )
        } else if rng.random_bool(0.5) {
            (Aim::Start, ms(rng.random_range(3..=max_ms)))
        } else {
            // Past the document's loading, which grows with the journal, into the writes.
            (Aim::FirstAction, ms(rng.random_range(0..=max_ms)))
        };
        let writer_seed: u64 = rng.random();
        let killed = match run_and_kill(&path, writer_seed, &["mix"], aim, delay) {
            Ok(k) => k,
            Err(e) => fail(&dir, seed, round, e),
        };
        // A rollback journal beside a WAL journal: the kill came while a new file was
        // being switched to WAL, and opening must roll it back.
        hot_journals += usize::from(Path::new(&format!("{}-journal", path.display())).exists());
        let run = apply(&killed.stdout, &mut model);
        // Check a copy now and then (and while the journal has nothing acknowledged), so
        // the next writer also has to open what the kill left behind.
        let on_copy = fresh || rng.random_bool(0.3);
        let target = if on_copy {
            copies += 1;
            copy_journal(&path, &dir.join("check"))
        } else {
            path.clone()
        };
        let inspecting = Instant::now();
        let outcome = inspect(&target).and_then(|seen| {
            let checked = verify(&seen, &mut model, run.pending.as_ref())?;
            if seen.generation < generation {
                return Err(format!(
                    "the snapshot went back from generation {generation} to {}",
                    seen.generation
                ));
            }
            Ok((checked, seen.generation, seen.bytes))
        });
        let stored;
        match outcome {
            Ok((checked, g, bytes)) => {
                comparisons += checked;
                stored = bytes;
                if g > generation && generation > 0 {
                    compactions_seen += 1;
                }
                generation = g;
            }
            Err(e) => fail(
                &dir,
                seed,
                round,
                format!(
                    "{e}\n(writer seed {writer_seed}, killed after {:?}, in flight: {:?}, journal {})",
                    killed.ran,
                    run.pending,
                    target.display()
                ),
            ),
        }
        if verbose {
            println!(
                "round {round}: {} ran {:?} (asked {delay:?}), {} actions, {} acks, in flight {:?}, generation {generation}, {} KiB stored, checked in {:?}",
                path.file_name().unwrap().to_string_lossy(),
                killed.ran,
                run.ops_done,
                run.acks,
                run.pending.as_ref().map(|p| &p.op),
                stored / 1024,
                inspecting.elapsed(),
            );
        }
        records_checked += run.acked_ids.len();
        acks += run.acks;
        ops += run.ops_done;
        fresh_kills += usize::from(fresh && run.acks == 0);
        in_flight_kills += usize::from(run.pending.is_some());
        before_open += usize::from(!run.opened);
        survived += 1;
    }
    println!(
        "crash test: {survived} kills survived, {records_checked} acknowledged records checked \
         ({acks} acks over {ops} actions, {comparisons} record comparisons; \
         {in_flight_kills} kills with an action in flight, {before_open} inside Journal::open, \
         {hot_journals} leaving a hot rollback journal, {fresh_kills} before the first ack of \
         a fresh journal; {copies} checks on a copy \
         of the killed files, {compactions_seen} rounds with a compaction) in {:.1?}",
        started.elapsed()
    );
    assert!(
        acks > 0,
        "the writer never acknowledged anything: is it too slow for ONWARD_CRASH_MAX_MS?"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Opens an existing big journal (no migration to do) and kills the writer while it
/// compacts: the snapshot and its chunks change together or not at all.
#[test]
fn compaction_is_all_or_nothing() {
    let seed = seed_from_env("compaction crash test");
    let kills = env_number(
        "ONWARD_CRASH_COMPACT_KILLS",
        if cfg!(debug_assertions) { 6 } else { 12 },
    );
    // The size the journal is grown to before the kills.
    let big_kb = env_number(
        "ONWARD_CRASH_BIG_KB",
        if cfg!(debug_assertions) { 256 } else { 2048 },
    ) as i64;
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch();
    let path = dir.join("big.onward");
    let started = Instant::now();

    // A big journal: large entries, compacted on the way.
    let mut model = Model::new();
    {
        let mut j = Journal::open(&path).unwrap();
        let mut last_compact = Instant::now();
        let target = big_kb * 1024;
        while {
            let sizes = j.storage_sizes().unwrap();
            sizes.snapshot_bytes + sizes.chunk_bytes < target
        } {
            let body = words(&mut rng, 8_000, 24_000);
            let entry = j
                .add_entry(Entry::new(EntryKind::Free, body, j.now()))
                .unwrap();
            let record = j.record(&entry.meta.id).unwrap();
            model.insert(record.id().to_string(), record_check(&record));
            if last_compact.elapsed() > Duration::from_millis(500) {
                j.compact().unwrap();
                last_compact = Instant::now();
            }
        }
        j.compact().unwrap();
    }
    let sizes = Journal::open(&path).unwrap().storage_sizes().unwrap();
    println!(
        "compaction crash test: journal of {} entries, snapshot {} bytes, built in {:.1?}",
        model.len(),
        sizes.snapshot_bytes,
        started.elapsed()
    );

    // How long one compaction takes, to aim the kills into them.
    let probe_for = Duration::from_secs(3);
    let probe = run_and_kill(&path, rng.random(), &["compact"], Aim::Start, probe_for)
        .unwrap_or_else(|e| fail(&dir, seed, 0, e));
    let probe_run = apply(&probe.stdout, &mut model);
    let seen = inspect(&path).unwrap_or_else(|e| fail(&dir, seed, 0, e));
    verify(&seen, &mut model, probe_run.pending.as_ref())
        .unwrap_or_else(|e| fail(&dir, seed, 0, e));
    let mut took: Vec<Duration> = probe
        .compactions
        .iter()
        .filter_map(|(from, to)| Some(to.as_ref()?.saturating_sub(*from)))
        .collect();
    took.sort();
    // Within the typical compaction (they only grow with the journal).
    let typical = took
        .get(took.len() / 2)
        .copied()
        .unwrap_or(Duration::from_millis(100));
    let window_us = (typical.as_micros() as u64).max(500);
    println!(
        "compaction crash test: the probe ran {} actions, {} compactions, typically {typical:.1?}",
        probe_run.ops_done,
        took.len()
    );

    let (mut during_compact, mut during_write, mut checked, mut acks) = (0, 0, 0, 0);
    let mut generation = seen.generation;
    // Kill after kill until `kills` have been made and half of them (at least) landed
    // in a compaction; a few more rounds are allowed for a slow or busy machine.
    let mut round = 0;
    while round < kills || (during_compact * 2 < kills && round < kills * 2) {
        round += 1;
        assert_eq!(
            versions(&path),
            CURRENT,
            "the journal is not at the current versions: opening it would migrate"
        );
        let delay = Duration::from_micros(rng.random_range(0..=window_us));
        let writer_seed: u64 = rng.random();
        let killed = run_and_kill(&path, writer_seed, &["compact"], Aim::Compaction, delay)
            .unwrap_or_else(|e| fail(&dir, seed, round, e));
        let run = apply(&killed.stdout, &mut model);
        if let Some(p) = &run.pending {
            if p.op == "compact" {
                during_compact += 1;
            } else {
                during_write += 1;
            }
        }
        let outcome = inspect(&path).and_then(|seen| {
            let n = verify(&seen, &mut model, run.pending.as_ref())?;
            if seen.generation < generation {
                return Err(format!(
                    "the snapshot went back from generation {generation} to {}",
                    seen.generation
                ));
            }
            Ok((n, seen.generation))
        });
        match outcome {
            Ok((n, g)) => {
                checked += n;
                generation = g;
            }
            Err(e) => fail(
                &dir,
                seed,
                round,
                format!(
                    "{e}\n(writer seed {writer_seed}, killed after {:?}, in flight: {:?})",
                    killed.ran, run.pending
                ),
            ),
        }
        acks += run.acks;
    }
    println!(
        "compaction crash test: {round} kills survived ({during_compact} during an explicit compaction, \
         {during_write} during a write), {acks} acks, {checked} record checks, \
         generation {generation}, in {:.1?}",
        started.elapsed()
    );
    assert!(
        during_compact * 2 >= kills,
        "only {during_compact} of {round} kills landed in a compaction: the aim is off"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The schema and index versions this build writes: a journal at them opens without
/// a migration or an index rebuild.
const CURRENT: (i64, i64) = (
    onward_core::store::schema::VERSION,
    onward_core::store::index::VERSION,
);

/// The schema and index versions a journal file is at, read without `Journal::open`.
fn versions(path: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let schema = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    (
        schema,
        onward_core::store::index::stored_version(&conn).unwrap(),
    )
}

// ----- regressions found by the crash test -----

/// A kill (or a power cut) while `Journal::open` switches a new file to WAL leaves a hot
/// rollback journal beside it. Any read-write SQLite connection rolls it back and goes
/// on; `Journal::open` once looked through a read-only connection first, which can't,
/// and called the file corrupt ("attempt to write a readonly database"), for good.
///
/// The crash test hits this a few times in a hundred kills on fresh journals; here the
/// same state is made on purpose: a transaction spilled to disk, copied mid-way.
#[test]
fn a_new_journal_killed_while_switching_to_wal_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.onward");
    let image = dir.path().join("killed.onward");
    let conn = rusqlite::Connection::open(&live).unwrap();
    conn.execute_batch("PRAGMA cache_size = 1; BEGIN; CREATE TABLE t (x BLOB);")
        .unwrap();
    for _ in 0..50 {
        conn.execute("INSERT INTO t VALUES (randomblob(4000))", [])
            .unwrap();
    }
    // What a kill leaves: the database half written and its rollback journal.
    for suffix in ["", "-journal"] {
        std::fs::copy(
            format!("{}{suffix}", live.display()),
            format!("{}{suffix}", image.display()),
        )
        .unwrap();
    }
    drop(conn);
    assert!(Path::new(&format!("{}-journal", image.display())).exists());

    let mut j = Journal::open(&image).expect("a journal that a kill interrupted opens again");
    let entry = j
        .add_entry(Entry::new(EntryKind::Free, "still here", j.now()))
        .unwrap();
    drop(j);
    let j = Journal::open(&image).unwrap();
    assert_eq!(j.record(&entry.meta.id).unwrap().id(), entry.meta.id);
}

/// `check_index` runs in a transaction it rolls back. On a journal that was never
/// written, the document it loads is created in that transaction too: if the `Journal`
/// kept that document, its later writes would append chunks to a snapshot that is not
/// in the file, and after reopening the document would have none of them. (Found by
/// the crash test; since `Journal::open` writes a new journal's document itself, it
/// holds.)
#[test]
fn writes_after_check_index_on_a_new_journal_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.onward");
    let mut j = Journal::open(&path).unwrap();
    assert!(j.check_index().unwrap().is_consistent());
    let mood = j.create(onward_core::model::Mood::new(3, j.now())).unwrap();
    drop(j);

    let mut j = Journal::open(&path).unwrap();
    let in_document = j
        .with_document(|doc| doc.read(Kind::Mood, &mood.meta.id))
        .unwrap();
    assert!(
        in_document.is_some(),
        "an acknowledged write is missing from the document"
    );
    assert!(j.check_index().unwrap().is_consistent());
}

// ----- migrations -----

/// A journal as an older Onward left it, built from `fresh` (a current journal): the
/// schema of `version` with every table it had copied over. Version 1 had no
/// `reminder_states` index table: upgrading adds it and rebuilds the index.
fn as_older_version(fresh: &Path, old: &Path, version: i64) {
    let mut conn = rusqlite::Connection::open(old).unwrap();
    let tx = conn.transaction().unwrap();
    onward_core::store::schema::create_at_version(&tx, version).unwrap();
    let tables: Vec<String> = tx
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'search_%'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tx.execute("ATTACH DATABASE ?1 AS fresh", [fresh.to_str().unwrap()])
        .unwrap();
    for table in tables {
        let sql = if table == "search" {
            "INSERT INTO main.search (rowid, content) SELECT rowid, content FROM fresh.search"
                .to_string()
        } else {
            format!("INSERT INTO main.{table} SELECT * FROM fresh.{table}")
        };
        tx.execute_batch(&sql).unwrap();
    }
    tx.commit().unwrap();
    conn.execute("DETACH DATABASE fresh", []).unwrap();
}

/// Kills the writer while `Journal::open` upgrades an older journal (the schema step,
/// then the index rebuild it needs), or while it rebuilds an index an older version
/// built: the next open finishes the job, and nothing the old journal held is lost.
#[test]
fn a_migration_killed_midway_finishes_on_the_next_open() {
    let seed = seed_from_env("migration crash test");
    let kills = env_number(
        "ONWARD_CRASH_MIGRATION_KILLS",
        if cfg!(debug_assertions) { 8 } else { 24 },
    );
    let records = env_number(
        "ONWARD_CRASH_MIGRATION_RECORDS",
        if cfg!(debug_assertions) { 100 } else { 1_500 },
    ) as usize;
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch();
    let started = Instant::now();

    // The journal as it is now: records of every kind, a reminder done.
    let fresh = dir.join("fresh.onward");
    {
        let mut j = Journal::open(&fresh).unwrap();
        let at = chrono::Utc::now() - chrono::Duration::days(3);
        for i in 0..records {
            let mut app = onward_core::model::Application::new(format!("Company {i}"), "Analyst");
            app.applied_at = Some(at);
            let app = j.add_application(app).unwrap();
            let mut note = Entry::new(EntryKind::Free, words(&mut rng, 20, 200), at);
            note.application_id = Some(app.meta.id);
            j.add_entry(note).unwrap();
        }
        let key = j.reminders_within(chrono::Duration::days(30)).unwrap()[0]
            .key
            .clone();
        j.complete_reminder(&key).unwrap();
    }
    let template_v1 = dir.join("template-v1.onward");
    as_older_version(&fresh, &template_v1, 1);
    // The same schema, but an index an older Onward built.
    let template_index = dir.join("template-index.onward");
    std::fs::copy(&fresh, &template_index).unwrap();
    rusqlite::Connection::open(&template_index)
        .unwrap()
        .execute(
            "UPDATE journal_meta SET value = 1 WHERE key = 'index_version'",
            [],
        )
        .unwrap();
    let seen = inspect(&fresh).unwrap_or_else(|e| fail(&dir, seed, 0, e));
    let baseline = seen.checks.clone();

    // How long an upgrading open takes here, to aim the kills into it.
    let probe = dir.join("probe.onward");
    std::fs::copy(&template_v1, &probe).unwrap();
    let (opened, took) = {
        let t = Instant::now();
        (Journal::open(&probe).map(drop), t.elapsed())
    };
    opened.unwrap();
    // A writer process also needs a few milliseconds to start. The window then follows
    // what the kills find: it shrinks after a kill that came after the open, and grows
    // after one inside it, so about half land inside.
    let mut window_us = (took.as_micros() as u64 + 5_000) * 3 / 2;

    let (mut in_migration, mut after, mut checked) = (0, 0, 0);
    for round in 0..kills {
        let (template, what) = if round % 3 == 2 {
            (&template_index, "an older index")
        } else {
            (&template_v1, "schema 1")
        };
        let path = dir.join(format!("round-{round}.onward"));
        std::fs::copy(template, &path).unwrap();
        let delay = Duration::from_micros(rng.random_range(0..=window_us));
        let writer_seed: u64 = rng.random();
        let killed = run_and_kill(&path, writer_seed, &["mix"], Aim::Start, delay)
            .unwrap_or_else(|e| fail(&dir, seed, round, e));
        let mut model = baseline.clone();
        let run = apply(&killed.stdout, &mut model);
        if run.opened {
            after += 1;
            window_us = (window_us * 2 / 3).max(1_000);
        } else {
            in_migration += 1;
            window_us = window_us * 5 / 4;
        }
        let outcome = inspect(&path).and_then(|seen| {
            if versions(&path) != CURRENT {
                return Err(format!(
                    "after reopening, the journal is at {:?}, not {CURRENT:?}",
                    versions(&path)
                ));
            }
            verify(&seen, &mut model, run.pending.as_ref())
        });
        match outcome {
            Ok(n) => checked += n,
            Err(e) => fail(
                &dir,
                seed,
                round,
                format!(
                    "{e}\n(upgrading {what}, writer seed {writer_seed}, killed after {:?}, {})",
                    killed.ran,
                    if run.opened {
                        "after the open"
                    } else {
                        "inside the open"
                    }
                ),
            ),
        }
        let _ = std::fs::remove_file(&path);
    }
    println!(
        "migration crash test: {kills} kills survived ({in_migration} inside the upgrading open, \
         {after} after it), journals of {} records, an upgrading open takes {took:.1?}, \
         {checked} record checks, in {:.1?}",
        baseline.len(),
        started.elapsed()
    );
    assert!(
        in_migration * 3 >= kills,
        "only {in_migration} of {kills} kills landed inside the upgrading open: the aim is off"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The schema step and the index rebuild it needs are two transactions: a kill between
/// them once left a journal at the new schema whose index lacked the reminder states
/// for good (its index version said it was current). The step now marks the index
/// stale in its own transaction. Found by `a_migration_killed_midway_finishes_on_the_next_open`.
#[test]
fn a_kill_between_the_schema_step_and_the_index_rebuild_is_made_good_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.onward");
    {
        let mut j = Journal::open(&fresh).unwrap();
        let mut app = onward_core::model::Application::new("Acme", "Analyst");
        app.applied_at = Some(chrono::Utc::now() - chrono::Duration::days(9));
        j.add_application(app).unwrap();
        let key = j.reminders_within(chrono::Duration::days(30)).unwrap()[0]
            .key
            .clone();
        j.complete_reminder(&key).unwrap();
    }
    let old = dir.path().join("old.onward");
    as_older_version(&fresh, &old, 1);
    // What a kill right after the schema step leaves: the step committed, no rebuild.
    drop(onward_core::store::open::open(&old).unwrap());
    let mut j = Journal::open(&old).unwrap();
    let check = j.check_index().unwrap();
    assert!(check.is_consistent(), "{:?}", check.differences);
}

// ----- a sync pull -----

/// What a pulling writer said before its kill: the last cursor it saw saved and the
/// record ids the journal held with it, and whether it caught up.
#[derive(Default)]
struct PullRun {
    acked: Option<(u64, Vec<String>)>,
    acks: usize,
    caught_up: bool,
}

fn parse_pull(output: &str) -> PullRun {
    let mut run = PullRun::default();
    let complete = match output.rfind('\n') {
        Some(end) => &output[..end],
        None => "",
    };
    for text in complete.lines() {
        if text == "caught-up" {
            run.caught_up = true;
            continue;
        }
        let mut words = text.split(' ');
        assert_eq!(words.next(), Some("pulled"), "the writer printed {text:?}");
        let cursor = words
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("the writer printed {text:?}"));
        run.acked = Some((cursor, words.map(str::to_string).collect()));
        run.acks += 1;
    }
    run
}

/// The cursor a journal saved (0 before it joined).
fn saved_cursor(path: &Path) -> Result<u64, String> {
    let j = Journal::open(path).map_err(|e| format!("reopening failed: {e}"))?;
    let settings = j
        .sync_settings()
        .map_err(|e| format!("reading the sync settings: {e}"))?;
    Ok(settings.map_or(0, |s| s.cursor))
}

/// Checks a killed puller's journal: sound (see [`inspect`]), its saved cursor no
/// earlier than the last acknowledged, every record acknowledged with it present, and
/// every record it holds exactly as the device that wrote it has it. Returns the
/// records checked.
fn verify_pulled(path: &Path, source: &Model, run: &PullRun) -> Result<usize, String> {
    let seen = inspect(path)?;
    let cursor = saved_cursor(path)?;
    let mut checked = 0;
    if let Some((acked_cursor, ids)) = &run.acked {
        if cursor < *acked_cursor {
            return Err(format!(
                "the cursor went back from {acked_cursor} (acknowledged) to {cursor}"
            ));
        }
        for id in ids {
            if !seen.checks.contains_key(id) {
                return Err(format!(
                    "{id} was merged before cursor {acked_cursor} was saved, and is gone"
                ));
            }
        }
    }
    for (id, check) in &seen.checks {
        checked += 1;
        match source.get(id) {
            None => {
                return Err(format!(
                    "{id} appeared, but the other device never wrote it"
                ))
            }
            Some(want) if want != check => {
                return Err(format!(
                    "{id} differs from the other device's: {check} vs {want}"
                ))
            }
            Some(_) => {}
        }
    }
    Ok(checked)
}

/// Sync to the end on the killed journal: it must then hold everything the other
/// device wrote, exactly.
fn finish_sync(path: &Path, source: &Model) -> Result<usize, String> {
    use onward_core::sync::{progress::ignore, sync_now, SyncRuntime};
    let j = Journal::open(path).map_err(|e| format!("reopening failed: {e}"))?;
    let journal = std::sync::Mutex::new(j);
    let rt = SyncRuntime::new().map_err(|e| e.to_string())?;
    rt.block_on(sync_now(&journal, rt.relays(), &ignore))
        .map_err(|e| format!("the final sync failed: {e}"))?;
    drop(journal);
    let seen = inspect(path)?;
    if &seen.checks != source {
        let missing: Vec<_> = source
            .keys()
            .filter(|id| seen.checks.get(*id) != source.get(*id))
            .take(5)
            .collect();
        return Err(format!(
            "after a final sync, {} records of the other device's {} are here; differing or \
             missing: {missing:?}",
            seen.checks.len(),
            source.len()
        ));
    }
    Ok(seen.checks.len())
}

/// Kills a device while it pulls from a real relay (joining a journal another device
/// pushed in many batches, or catching up after an earlier kill): after each kill the
/// journal is sound, keeps every record merged before the last acknowledged cursor
/// save, and holds nothing the other device doesn't have as that device has it; a
/// final sync brings everything.
///
/// Knobs: `ONWARD_CRASH_PULL_KILLS` (12), `ONWARD_CRASH_PULL_BATCHES` (30 / 60 in an
/// optimised build), `ONWARD_CRASH_PULL_RECORDS` (8: applications, each with an entry,
/// per batch); `ONWARD_CRASH_SEED` as above.
#[test]
fn a_pull_killed_midway_loses_nothing() {
    use onward_core::sync::{enable, invite, progress::ignore, sync_now, SyncRuntime};
    let rt = SyncRuntime::new().unwrap();
    let seed = seed_from_env("pull crash test");
    let kills = env_number("ONWARD_CRASH_PULL_KILLS", 12);
    let batches = env_number(
        "ONWARD_CRASH_PULL_BATCHES",
        if cfg!(debug_assertions) { 30 } else { 60 },
    );
    let per_batch = env_number("ONWARD_CRASH_PULL_RECORDS", 8);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch();
    let started = Instant::now();

    // A real relay on loopback, over SQLite.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let relay = runtime
        .block_on(onward_relay::serve(onward_relay::Config::sqlite(
            dir.join("relay.db"),
            "127.0.0.1:0".parse().unwrap(),
        )))
        .unwrap();
    let url = format!("http://{}", relay.addr());

    // Another device pushes its journal in many batches.
    let source_path = dir.join("device-a.onward");
    let source_journal = {
        let journal = std::sync::Mutex::new(Journal::open(&source_path).unwrap());
        rt.block_on(enable(&journal, rt.relays(), &url, false, "writer"))
            .unwrap();
        let at = chrono::Utc::now() - chrono::Duration::days(2);
        for b in 0..batches {
            {
                let mut j = journal.lock().unwrap();
                for i in 0..per_batch {
                    let mut app =
                        onward_core::model::Application::new(format!("Company {b}-{i}"), "Analyst");
                    app.applied_at = Some(at);
                    let app = j.add_application(app).unwrap();
                    let mut note = Entry::new(EntryKind::Free, words(&mut rng, 20, 400), at);
                    note.application_id = Some(app.meta.id);
                    j.add_entry(note).unwrap();
                }
            }
            rt.block_on(sync_now(&journal, rt.relays(), &ignore))
                .unwrap();
        }
        journal
    };
    let source = inspect(&source_path)
        .unwrap_or_else(|e| fail(&dir, seed, 0, e))
        .checks;

    // The window follows what the kills find, so about half land inside the pull.
    let mut window_ms: u64 = if cfg!(debug_assertions) { 3_000 } else { 1_000 };
    let (mut mid_pull, mut before_first, mut after, mut checked, mut finals) = (0, 0, 0, 0, 0);
    let mut device = 0;
    let mut path = dir.join("device-b-0.onward");
    for round in 0..kills {
        let delay = Duration::from_millis(rng.random_range(0..=window_ms));
        // An invitation is used once, and a kill may land after the relay took it: each
        // run gets a fresh one (a writer that joined already just pulls).
        let code = rt
            .block_on(invite(
                &source_journal,
                rt.relays(),
                Duration::from_secs(60 * 60),
            ))
            .unwrap()
            .code;
        let killed = run_and_kill(&path, rng.random(), &["pull", &code], Aim::Start, delay)
            .unwrap_or_else(|e| fail(&dir, seed, round, e));
        let run = parse_pull(&killed.stdout);
        if run.caught_up {
            after += 1;
            window_ms = (window_ms * 2 / 3).max(50);
        } else {
            if run.acks == 0 {
                before_first += 1;
            } else {
                mid_pull += 1;
            }
            window_ms = (window_ms * 5 / 4).min(60_000);
        }
        match verify_pulled(&path, &source, &run) {
            Ok(n) => checked += n,
            Err(e) => fail(
                &dir,
                seed,
                round,
                format!(
                    "{e}\n(killed after {:?}, {} batches acknowledged)",
                    killed.ran, run.acks
                ),
            ),
        }
        // A device that caught up, or every fourth, syncs to the end and a fresh one
        // joins.
        if run.caught_up || round % 4 == 3 || round + 1 == kills {
            match finish_sync(&path, &source) {
                Ok(n) => checked += n,
                Err(e) => fail(&dir, seed, round, e),
            }
            finals += 1;
            device += 1;
            path = dir.join(format!("device-b-{device}.onward"));
        }
    }
    println!(
        "pull crash test: {kills} kills survived ({mid_pull} mid-pull, {before_first} before \
         the first batch, {after} after catching up), {batches} batches of {} records, \
         {checked} record checks, {finals} final syncs complete, in {:.1?}",
        source.len() / batches as usize,
        started.elapsed()
    );
    assert!(
        mid_pull * 3 >= kills,
        "only {mid_pull} of {kills} kills landed inside a pull: the aim is off"
    );
    drop(source_journal);
    drop(relay);
    let _ = std::fs::remove_dir_all(&dir);
}
