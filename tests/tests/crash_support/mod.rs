//! What the crash tests share: the writer processes they start and kill (`crash-writer`
//! for a person's writes, compactions, opens and pulls; `crash-phases` for imports,
//! merges and pushes), what the writers' output says was acknowledged, and the checks of
//! a journal after a kill (it opens sound, every acknowledged record as acknowledged,
//! the write in flight all or nothing).

#![allow(dead_code)] // each crash test file uses a part

use onward_core::model::{Kind, Record};
use onward_core::Journal;
use onward_tests::crash::{is_reminder_key, record_check, state_check, Line};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const WRITER: &str = env!("CARGO_BIN_EXE_crash-writer");
pub const PHASES: &str = env!("CARGO_BIN_EXE_crash-phases");

pub use onward_tests::env_number;

pub fn seed_from_env(test: &str) -> u64 {
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
pub struct Pending {
    pub op: String,
    pub creates: usize,
    /// Id, must it change, and its content before the action (`None`: absent).
    pub ids: Vec<(String, bool, Option<String>)>,
    /// An ack of this action was printed: its transaction committed.
    pub committed: bool,
    /// Records this action created that the writer could not name before (new
    /// contacts, a drafted message) and acknowledged.
    pub created_acked: usize,
}

/// One writer run, read from its output.
#[derive(Debug, Default)]
pub struct Run {
    /// The writer was about to run `Journal::open` (it had started).
    pub opening: bool,
    pub opened: bool,
    pub pending: Option<Pending>,
    pub ops_done: usize,
    pub acks: usize,
    /// Ids acknowledged in this run (their last ack is checked next).
    pub acked_ids: BTreeSet<String>,
    /// The last `progress` of each kind of long action (what DONE it said).
    pub progress: BTreeMap<String, u64>,
}

/// The acknowledged state: id (or reminder key) to check value.
pub type Model = HashMap<String, String>;

/// Applies a writer's output to the model. A last line without its newline was cut by
/// the kill and is ignored.
pub fn apply(output: &str, model: &mut Model) -> Run {
    let mut run = Run::default();
    let complete = match output.rfind('\n') {
        Some(end) => &output[..end],
        None => "",
    };
    for text in complete.lines() {
        let line = Line::parse(text).unwrap_or_else(|| panic!("the writer printed {text:?}"));
        match line {
            Line::Opening => run.opening = true,
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
                    created_acked: 0,
                });
            }
            Line::Ack { id, check } => {
                let pending = run.pending.as_mut().expect("an ack outside an action");
                pending.committed = true;
                if !pending.ids.iter().any(|t| t.0 == id) {
                    pending.created_acked += 1;
                }
                model.insert(id.clone(), check);
                run.acked_ids.insert(id);
                run.acks += 1;
            }
            Line::Done { .. } => {
                run.pending = None;
                run.ops_done += 1;
            }
            Line::Progress { what, done, .. } => {
                run.progress.insert(what, done);
            }
        }
    }
    run
}

// ----- running the writer -----

pub struct Killed {
    pub stdout: String,
    pub stderr: String,
    /// How long the process ran.
    pub ran: Duration,
    /// When each explicit compaction started and ended, from the writer's start.
    pub compactions: Vec<(Duration, Option<Duration>)>,
    /// When the aim's marker came (from the start): the delay was counted from there.
    pub marked: Option<Duration>,
    /// From the writer's `opening` line to its `open` line.
    pub open_took: Option<Duration>,
    /// It ended on its own, successfully, before the kill (only with `may_finish`).
    pub finished: bool,
}

/// When the kill's delay starts counting.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Aim {
    /// From the process's start.
    Start,
    /// From the first output line that starts with `marker` (and, with `loaded`, comes
    /// after the writer's first action is done, so that its time does not include
    /// loading the document), or from the start when none comes within `give_up`.
    After {
        marker: &'static str,
        loaded: bool,
        give_up: Duration,
    },
}

impl Aim {
    /// From the end of the writer's first action (which loads the document).
    pub const FIRST_ACTION: Aim = Aim::after("done ");
    /// Into an explicit compaction, once the document is loaded.
    pub const COMPACTION: Aim = Aim::After {
        marker: "try compact",
        loaded: true,
        give_up: Duration::from_secs(30),
    };
    /// Into `Journal::open`.
    pub const OPEN: Aim = Aim::after("opening");

    pub const fn after(marker: &'static str) -> Aim {
        Aim::After {
            marker,
            loaded: false,
            give_up: Duration::from_secs(30),
        }
    }
}

/// Starts `crash-writer JOURNAL SEED MODE...`, lets it run for `delay` (counted as
/// `aim` says) and kills it with SIGKILL. A writer that stops on its own (an error, a
/// panic) fails the test.
pub fn run_and_kill(
    path: &Path,
    seed: u64,
    mode: &[&str],
    aim: Aim,
    delay: Duration,
) -> Result<Killed, String> {
    kill_command(writer_command(WRITER, path, seed, mode), aim, delay, false)
}

/// Starts `crash-phases JOURNAL SEED MODE...` and kills it as [`kill_command`] does; it
/// may finish first (an import or a merge that was quicker than the delay).
pub fn run_phase_and_kill(
    path: &Path,
    seed: u64,
    mode: &[&str],
    aim: Aim,
    delay: Duration,
) -> Result<Killed, String> {
    kill_command(writer_command(PHASES, path, seed, mode), aim, delay, true)
}

/// `BIN JOURNAL SEED MODE...`, as both writers take their arguments.
fn writer_command(bin: &str, path: &Path, seed: u64, mode: &[&str]) -> Command {
    let mut command = Command::new(bin);
    command.arg(path).arg(seed.to_string()).args(mode);
    command
}

/// Runs `command`, lets it run for `delay` (counted as `aim` says) and kills it with
/// SIGKILL. One that stops on its own fails the test, unless `may_finish` and it
/// succeeded (then `finished` says so).
pub fn kill_command(
    mut command: Command,
    aim: Aim,
    delay: Duration,
    may_finish: bool,
) -> Result<Killed, String> {
    use std::io::BufRead;
    use std::sync::mpsc;

    let started = Instant::now();
    let name = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {name}: {e}"))?;
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
    let (mut done_any, mut marked, mut opening, mut open_took) = (false, None, None, None);
    let mut deadline = match aim {
        Aim::Start => started + delay,
        Aim::After { give_up, .. } => started + give_up + delay,
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
                    if !done_any {
                        // Its time includes loading the document: not a compaction's.
                        compactions.clear();
                    }
                } else if line.starts_with("done compact") {
                    if let Some(last) = compactions.last_mut() {
                        last.1 = Some(since);
                    }
                } else if line == "opening\n" {
                    opening = Some(since);
                } else if line == "open\n" {
                    open_took = opening.map(|o| since.saturating_sub(o));
                }
                if let Aim::After { marker, loaded, .. } = aim {
                    if marked.is_none() && line.starts_with(marker) && (done_any || !loaded) {
                        marked = Some(since);
                        deadline = at + delay;
                    }
                }
                done_any |= line.starts_with("done ");
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
    let finished = match exited {
        Some(status) if may_finish && status.success() => true,
        Some(status) => {
            return Err(format!(
                "{name} stopped on its own ({status}) after {ran:?}:\n{stderr}\nlast output:\n{}",
                tail(&stdout, 10)
            ))
        }
        None => false,
    };
    Ok(Killed {
        stdout,
        stderr,
        ran,
        compactions,
        marked,
        open_took,
        finished,
    })
}

pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// ----- checking a journal -----

/// What a check saw: every record and reminder state in the document, by check value.
pub struct Seen {
    pub checks: Model,
    pub kinds: HashMap<String, Kind>,
    pub generation: i64,
    /// Snapshot and chunk bytes.
    pub bytes: i64,
}

/// Opens the journal and checks it as a whole: it opens, SQLite finds it sound, the
/// index equals a rebuild, the index and the document agree record by record, and the
/// stored chunks are all newer than the snapshot.
pub fn inspect(path: &Path) -> Result<Seen, String> {
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
    let (records, states) = onward_tests::document_contents(&mut j)
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
pub fn verify(seen: &Seen, model: &mut Model, pending: Option<&Pending>) -> Result<usize, String> {
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
    // The records an action creates without the writer knowing their ids (an
    // interview's new contacts) are part of its all or nothing: with the action's
    // must-change records changed (or an ack printed) every one of them is there, acked
    // or not; with those as before, none is.
    let allowed = pending.map_or(vec![0], |p| {
        let musts = p.ids.iter().any(|t| t.1);
        let changed = p
            .ids
            .iter()
            .filter(|t| t.1)
            .all(|t| seen.checks.get(&t.0) != t.2.as_ref());
        let missing = p.creates.saturating_sub(p.created_acked);
        if p.committed || (musts && changed) {
            vec![missing]
        } else if musts {
            vec![0]
        } else {
            // Nothing to tell by (a drafted message alone): all there or none.
            vec![0, missing]
        }
    });
    if !allowed.contains(&extra.len()) {
        return Err(format!(
            "{} records appeared that were never acknowledged ({allowed:?} expected, in flight: {:?}): {:?}",
            extra.len(),
            pending.map(|p| (&p.op, p.creates, p.created_acked)),
            extra.iter().take(5).map(|id| describe(id)).collect::<Vec<_>>()
        ));
    }
    *model = seen.checks.clone();
    Ok(checked)
}

/// A copy of the journal as the kill left it (database and WAL), so that checking it
/// leaves the original's hot WAL for the next writer to recover.
pub fn copy_journal(path: &Path, into: &Path) -> PathBuf {
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

/// A file's bytes and modification time: what a merge or a recovery, which only read
/// a file, must leave as they were.
pub fn fingerprint(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        std::fs::read(path).unwrap(),
        std::fs::metadata(path).unwrap().modified().unwrap(),
    )
}

/// A scratch directory, removed by the test when it passes and kept when it fails.
pub fn scratch() -> PathBuf {
    scratch_named("onward-crash-")
}

/// A scratch directory whose name starts with `prefix`.
pub fn scratch_named(prefix: &str) -> PathBuf {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .unwrap()
        .keep()
}

pub fn fail(dir: &Path, seed: u64, round: u64, what: String) -> ! {
    panic!(
        "crash round {round} failed: {what}\nseed {seed} (replay with ONWARD_CRASH_SEED={seed}); \
         the journals are kept in {}",
        dir.display()
    );
}

/// The schema and index versions this build writes: a journal at them opens without
/// a migration or an index rebuild.
pub const CURRENT: (i64, i64) = (
    onward_core::store::schema::VERSION,
    onward_core::store::index::VERSION,
);

/// The schema and index versions a journal file is at, read without `Journal::open`.
pub fn versions(path: &Path) -> (i64, i64) {
    let conn = onward_core::store::page_checksums::connect_default(path).unwrap();
    let schema = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    (
        schema,
        onward_core::store::index::stored_version(&conn).unwrap(),
    )
}

/// Whether the journal's pages carry checksums (byte 20 of the header: the bytes each
/// page keeps for one).
pub fn has_page_checksums(path: &Path) -> bool {
    let mut header = [0u8; 100];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .is_ok()
        && header[20] == onward_core::store::page_checksums::RESERVED_BYTES
}

/// A journal as an older Onward left it, built from `fresh` (a current journal): the
/// schema of `version` with every table it had copied over. Version 1 had no
/// `reminder_states` index table: upgrading adds it and rebuilds the index.
pub fn as_older_version(fresh: &Path, old: &Path, version: i64) {
    // An older Onward had no outbox: everything it acknowledged is in its document.
    onward_core::Journal::open(fresh)
        .unwrap()
        .apply_pending()
        .unwrap();
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
    // Older versions had no page checksums (their file has no room for them).
    tx.execute(
        "DELETE FROM main.journal_meta WHERE key = ?1",
        [onward_core::store::page_checksums::MARK_KEY],
    )
    .unwrap();
    tx.commit().unwrap();
    conn.execute("DETACH DATABASE fresh", []).unwrap();
}

// ----- a sync pull -----

/// What a pulling writer said before its kill: the last cursor it saw saved and the
/// record ids the journal held with it, and whether it caught up.
#[derive(Default)]
pub struct PullRun {
    pub acked: Option<(u64, Vec<String>)>,
    pub acks: usize,
    pub caught_up: bool,
    /// It was downloading the relay's snapshot (it joined from one).
    pub downloading: bool,
}

pub fn parse_pull(output: &str) -> PullRun {
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
        if text.starts_with("progress downloading ") {
            run.downloading = true;
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
pub fn saved_cursor(path: &Path) -> Result<u64, String> {
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
pub fn verify_pulled(path: &Path, source: &Model, run: &PullRun) -> Result<usize, String> {
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
pub fn finish_sync(path: &Path, source: &Model) -> Result<usize, String> {
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

/// Another device's journal, pushed to a real relay on loopback (over SQLite) in
/// `batches` syncs of `per_batch` applications, each with an entry: what the device
/// under test joins and pulls.
pub struct PullSource {
    pub journal: std::sync::Mutex<Journal>,
    /// Every record of it, by check value.
    pub checks: Model,
    relay: onward_relay::Running,
    /// The relay's (dropped last).
    runtime: tokio::runtime::Runtime,
}

impl PullSource {
    pub fn push(
        rt: &onward_core::sync::SyncRuntime,
        dir: &Path,
        rng: &mut impl rand::Rng,
        batches: u64,
        per_batch: u64,
    ) -> Result<PullSource, String> {
        use onward_core::model::{Application, Entry, EntryKind};
        use onward_core::sync::{enable, progress::ignore, sync_now};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let relay = runtime
            .block_on(onward_relay::serve(onward_relay::Config::sqlite(
                dir.join("relay.db"),
                "127.0.0.1:0".parse().expect("an address"),
            )))
            .map_err(|e| format!("starting the relay: {e}"))?;
        let url = format!("http://{}", relay.addr());
        let path = dir.join("device-a.onward");
        let journal = std::sync::Mutex::new(Journal::open(&path).map_err(|e| e.to_string())?);
        rt.block_on(enable(&journal, rt.relays(), &url, false, "writer"))
            .map_err(|e| e.to_string())?;
        let at = chrono::Utc::now() - chrono::Duration::days(2);
        for b in 0..batches {
            {
                let mut j = journal.lock().expect("the source journal");
                for i in 0..per_batch {
                    let mut app = Application::new(format!("Company {b}-{i}"), "Analyst");
                    app.applied_at = Some(at);
                    let app = j.add_application(app).map_err(|e| e.to_string())?;
                    let body = onward_tests::crash::words(rng, 20, 400);
                    let mut note = Entry::new(EntryKind::Free, body, at);
                    note.application_id = Some(app.meta.id);
                    j.add_entry(note).map_err(|e| e.to_string())?;
                }
            }
            rt.block_on(sync_now(&journal, rt.relays(), &ignore))
                .map_err(|e| e.to_string())?;
        }
        let checks = inspect(&path)?.checks;
        Ok(PullSource {
            journal,
            checks,
            relay,
            runtime,
        })
    }

    /// A new invitation to the journal. One is used once, and a kill or a power cut may
    /// land after the relay took it: each run gets a fresh one (a device that joined
    /// already just pulls).
    pub fn invitation(&self, rt: &onward_core::sync::SyncRuntime) -> String {
        let hour = std::time::Duration::from_secs(60 * 60);
        rt.block_on(onward_core::sync::invite(&self.journal, rt.relays(), hour))
            .expect("an invitation")
            .code
    }
}

/// Journals as older Onward versions left them, made from a current one of `records`
/// applications, each with a note, and a reminder done.
pub struct OldJournals {
    /// At schema 1: opening it upgrades the schema and rebuilds the index.
    pub schema_1: PathBuf,
    /// At the current schema with an index an older version built: opening it rebuilds
    /// the index.
    pub old_index: PathBuf,
    /// Every record and reminder state they hold, by check value.
    pub checks: Model,
}

impl OldJournals {
    pub fn make(
        dir: &Path,
        rng: &mut impl rand::Rng,
        records: usize,
    ) -> Result<OldJournals, String> {
        use onward_core::model::{Application, Entry, EntryKind};
        let fresh = dir.join("fresh.onward");
        {
            let mut j = Journal::open(&fresh).map_err(|e| e.to_string())?;
            let at = chrono::Utc::now() - chrono::Duration::days(3);
            for i in 0..records {
                let mut app = Application::new(format!("Company {i}"), "Analyst");
                app.applied_at = Some(at);
                let app = j.add_application(app).map_err(|e| e.to_string())?;
                let body = onward_tests::crash::words(rng, 20, 200);
                let mut note = Entry::new(EntryKind::Free, body, at);
                note.application_id = Some(app.meta.id);
                j.add_entry(note).map_err(|e| e.to_string())?;
            }
            let key = j
                .reminders_within(chrono::Duration::days(30))
                .map_err(|e| e.to_string())?[0]
                .key
                .clone();
            j.complete_reminder(&key).map_err(|e| e.to_string())?;
        }
        let schema_1 = dir.join("template-v1.onward");
        as_older_version(&fresh, &schema_1, 1);
        let old_index = dir.join("template-index.onward");
        std::fs::copy(&fresh, &old_index).map_err(|e| e.to_string())?;
        onward_core::store::page_checksums::connect_default(&old_index)
            .and_then(|conn| {
                conn.execute(
                    "UPDATE journal_meta SET value = 1 WHERE key = 'index_version'",
                    [],
                )
            })
            .map_err(|e| e.to_string())?;
        let checks = inspect(&fresh)?.checks;
        Ok(OldJournals {
            schema_1,
            old_index,
            checks,
        })
    }
}
