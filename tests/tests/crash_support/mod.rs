//! What the crash tests (`crash.rs`: SIGKILL) and the power-cut tests (`power.rs`)
//! share: reading the crash writer's output into the acknowledged state, checking a
//! journal after a crash against it, and the journals they start from.

#![allow(dead_code)]

use onward_core::model::{Kind, Record};
use onward_core::Journal;
use onward_tests::crash::{is_reminder_key, record_check, state_check, Line};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

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
}

/// One writer run, read from its output.
#[derive(Debug, Default)]
pub struct Run {
    pub opened: bool,
    pub pending: Option<Pending>,
    pub ops_done: usize,
    pub acks: usize,
    /// Ids acknowledged in this run (their last ack is checked next).
    pub acked_ids: BTreeSet<String>,
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
    let conn = rusqlite::Connection::open(path).unwrap();
    let schema = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    (
        schema,
        onward_core::store::index::stored_version(&conn).unwrap(),
    )
}

/// A journal as an older Onward left it, built from `fresh` (a current journal): the
/// schema of `version` with every table it had copied over. Version 1 had no
/// `reminder_states` index table: upgrading adds it and rebuilds the index.
pub fn as_older_version(fresh: &Path, old: &Path, version: i64) {
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

// ----- a sync pull -----

/// What a pulling writer said before its kill: the last cursor it saw saved and the
/// record ids the journal held with it, and whether it caught up.
#[derive(Default)]
pub struct PullRun {
    pub acked: Option<(u64, Vec<String>)>,
    pub acks: usize,
    pub caught_up: bool,
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
        rusqlite::Connection::open(&old_index)
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
