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
//!   as before or all changed, and the records it creates without the writer knowing
//!   their ids (an interview's new contacts) all there with them or none;
//! - every change chunk left beside the snapshot adds something the snapshot lacks, so
//!   no compaction stopped halfway.
//!
//! Whatever the check finds becomes the baseline for the next round. The rounds aim at
//! one phase each in turn (`Journal::open`, an action in flight, an explicit
//! compaction, anywhere): the kill comes a random short time after the writer's marker
//! of that phase, and the test asserts a minimum of kills inside each.
//!
//! Other tests here kill the writer during a compaction of a big journal, and while
//! `Journal::open` upgrades a journal an older Onward wrote (schema 1, or an index built
//! by an older version): the next open must finish the upgrade with nothing lost. The
//! other phases have files of their own: `crash_sync.rs` (pull, push, snapshot upload
//! and download), `crash_import.rs`, `crash_merge.rs`, `crash_recover.rs`; what they
//! share is in `crash_support/`.
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
//! - `ONWARD_CRASH_SEED`: replays a run's random choices (each test prints its seed).
//! - `ONWARD_CRASH_VERBOSE`: one line per round.
//!
//! A long run:
//! `ONWARD_CRASH_KILLS=1000 cargo test -p onward-tests --release --test crash -- --nocapture`

use onward_core::model::{Entry, EntryKind, Kind};
use onward_core::Journal;
use onward_tests::crash::{record_check, words};
use rand::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod crash_support;

use crash_support::*;

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
    let (mut survived, mut comparisons, mut hot_journals) = (0, 0, 0);
    let (mut inside_open_kills, mut never_started, mut compaction_kills) = (0, 0, 0);
    let mut applying_kills = 0;
    // Microseconds after a phase's marker within which that phase's kills land.
    let (mut open_window_us, mut action_window_us, mut compact_window_us) =
        (5_000u64, 20_000u64, 50_000u64);
    for round in 0..kills {
        if round % rotate == 0 {
            path = dir.join(format!("journal-{}.onward", round / rotate));
            model.clear();
            generation = 0;
        }
        let fresh = model.is_empty();
        // Each round aims at one phase, in turn: `Journal::open`, an action in flight, an
        // explicit compaction. The delay counts from the writer's marker of that phase,
        // within a window that follows how long the phase takes here.
        let ms = Duration::from_millis;
        let phase = Phase::ALL[round as usize % Phase::ALL.len()];
        let (aim, delay) = if fresh && (round % rotate == 0 || rng.random_bool(0.3)) {
            // The first kills of a journal come early: while it is created, in its first
            // write. (A new file is switched to WAL within the first few milliseconds:
            // half of these kills are aimed there.)
            let within = if rng.random_bool(0.5) { 4_000 } else { 30_000 };
            (
                Aim::Start,
                Duration::from_micros(rng.random_range(0..within)),
            )
        } else {
            match phase {
                Phase::Open => (
                    Aim::OPEN,
                    Duration::from_micros(rng.random_range(0..=open_window_us)),
                ),
                Phase::Action => (
                    Aim::After {
                        marker: "try ",
                        loaded: true,
                        give_up: Duration::from_secs(30),
                    },
                    Duration::from_micros(rng.random_range(0..=action_window_us)),
                ),
                Phase::Compaction => (
                    Aim::COMPACTION,
                    Duration::from_micros(rng.random_range(0..=compact_window_us)),
                ),
                // Past the document's loading, which grows with the journal, into the writes.
                Phase::Anywhere if rng.random_bool(0.5) => {
                    (Aim::Start, ms(rng.random_range(3..=max_ms)))
                }
                Phase::Anywhere => (Aim::FIRST_ACTION, ms(rng.random_range(0..=max_ms))),
            }
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
                "round {round}: {} aimed at {phase:?} ({aim:?}), ran {:?} (asked {delay:?}), {} actions, {} acks, in flight {:?}, generation {generation}, {} KiB stored, checked in {:?}",
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
        let inside_open = run.opening && !run.opened;
        inside_open_kills += usize::from(inside_open);
        never_started += usize::from(!run.opening);
        let compacting = run.pending.as_ref().is_some_and(|p| p.op == "compact");
        compaction_kills += usize::from(compacting);
        applying_kills += usize::from(
            run.pending
                .as_ref()
                .is_some_and(|p| p.op == "apply" || p.op == "tidy"),
        );
        // The windows follow what the kills find: one that came after its phase shrinks
        // the window, one inside it grows it, so most aimed kills land inside.
        let aimed_at = match phase {
            Phase::Open => Some((&mut open_window_us, inside_open)),
            Phase::Action => Some((&mut action_window_us, run.pending.is_some())),
            Phase::Compaction => Some((&mut compact_window_us, compacting)),
            Phase::Anywhere => None,
        };
        if let (Some((window, inside)), Some(_)) = (aimed_at, killed.marked) {
            *window = if inside {
                *window * 5 / 4
            } else {
                (*window * 2 / 3).max(200)
            };
        }
        survived += 1;
    }
    println!(
        "crash test: {survived} kills survived, {records_checked} acknowledged records checked \
         ({acks} acks over {ops} actions, {comparisons} record comparisons; \
         {in_flight_kills} kills with an action in flight, {inside_open_kills} inside \
         Journal::open, {compaction_kills} inside an explicit compaction, {applying_kills} \
         while the outbox was applied (explicitly or by a tidy), {never_started} \
         before the writer reached the open, {hot_journals} leaving a hot rollback journal, \
         {fresh_kills} before the first ack of a fresh journal; {copies} checks on a copy \
         of the killed files, {compactions_seen} rounds with a compaction) in {:.1?}",
        started.elapsed()
    );
    assert!(
        acks > 0,
        "the writer never acknowledged anything: is it too slow for ONWARD_CRASH_MAX_MS?"
    );
    // A quarter of the kills are aimed at each phase; the minimums leave room for a
    // busy machine, where a kill comes late now and then.
    let aimed = kills as usize / Phase::ALL.len();
    for (what, landed, least) in [
        ("with an action in flight", in_flight_kills, aimed),
        ("inside Journal::open", inside_open_kills, aimed / 3),
        ("inside an explicit compaction", compaction_kills, aimed / 3),
    ] {
        assert!(
            landed >= least.max(1),
            "only {landed} of {kills} kills landed {what} (at least {} wanted): the aim is off",
            least.max(1)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The phases the main test aims its kills at, in turn.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Open,
    Action,
    Compaction,
    /// Anywhere past the writer's start, as the test did before it aimed.
    Anywhere,
}

impl Phase {
    const ALL: [Phase; 4] = [
        Phase::Open,
        Phase::Action,
        Phase::Compaction,
        Phase::Anywhere,
    ];
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
        let killed = run_and_kill(&path, writer_seed, &["compact"], Aim::COMPACTION, delay)
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
    onward_core::store::page_checksums::connect_default(&template_index)
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
    // The kills count from the writer's `opening` line; the window then follows what
    // the kills find: it shrinks after a kill that came after the upgrade, and grows
    // after one inside it, so about half land inside.
    let mut window_us = (took.as_micros() as u64) * 3 / 2 + 1_000;

    let (mut in_migration, mut between_steps, mut after, mut not_started, mut checked) =
        (0, 0, 0, 0, 0);
    let mut in_rewrite = 0;
    for round in 0..kills {
        let (template, what) = if round % 3 == 2 {
            (&template_index, "an older index")
        } else {
            (&template_v1, "schema 1")
        };
        let path = dir.join(format!("round-{round}.onward"));
        std::fs::copy(template, &path).unwrap();
        let old_versions = versions(&path);
        let delay = Duration::from_micros(rng.random_range(0..=window_us));
        let writer_seed: u64 = rng.random();
        let killed = run_and_kill(&path, writer_seed, &["mix"], Aim::OPEN, delay)
            .unwrap_or_else(|e| fail(&dir, seed, round, e));
        let mut model = baseline.clone();
        let run = apply(&killed.stdout, &mut model);
        // Where the kill landed, from the file itself before anything reopens it: the
        // upgrade not yet committed, half done (the schema step without its index
        // rebuild), or done.
        // A hot rollback journal beside it: the kill cut off the rewrite that gives
        // an older journal its page checksums (the only write in rollback mode). Left
        // for the reopen to roll back, as it would be.
        let rewriting =
            std::fs::metadata(format!("{}-journal", path.display())).is_ok_and(|m| m.len() > 0);
        let left_at = if rewriting {
            old_versions
        } else {
            versions(&path)
        };
        let landed = if !run.opening {
            not_started += 1;
            "before the writer reached the open"
        } else if rewriting {
            in_migration += 1;
            in_rewrite += 1;
            window_us = window_us * 5 / 4;
            "inside the upgrading open, while its pages gained checksums"
        } else if left_at == CURRENT {
            after += 1;
            window_us = (window_us * 2 / 3).max(500);
            "after the upgrade committed"
        } else {
            in_migration += 1;
            window_us = window_us * 5 / 4;
            if left_at == old_versions {
                "inside the upgrading open, nothing committed"
            } else {
                between_steps += 1;
                "inside the upgrading open, between its steps"
            }
        };
        let outcome = inspect(&path).and_then(|seen| {
            if versions(&path) != CURRENT {
                return Err(format!(
                    "after reopening, the journal is at {:?}, not {CURRENT:?}",
                    versions(&path)
                ));
            }
            if !has_page_checksums(&path) {
                return Err("after reopening, its pages have no checksums".into());
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
                    "{e}\n(upgrading {what}, writer seed {writer_seed}, killed after {:?}, \
                     {landed}: the file was at {left_at:?})",
                    killed.ran,
                ),
            ),
        }
        let _ = std::fs::remove_file(&path);
    }
    println!(
        "migration crash test: {kills} kills survived ({in_migration} inside the upgrading open, \
         {between_steps} of them between its steps, {in_rewrite} while its pages gained checksums; \
         {after} after the upgrade committed, \
         {not_started} before the writer reached the open), journals of {} records, an upgrading open takes {took:.1?}, \
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

/// The check behind "an interview and its new contacts, all there or none": the writer
/// can't name the contacts before the write, so `verify` counts them. Half of them
/// with the interview, or one without it, is a failure; all with it, or none without
/// it, is not.
#[test]
fn verify_holds_an_interview_and_its_new_contacts_to_all_or_nothing() {
    let pending = |before: Option<&str>| Pending {
        op: "log_interview".into(),
        creates: 2,
        ids: vec![("interview".into(), true, before.map(str::to_string))],
        committed: false,
        created_acked: 0,
    };
    let seen = |ids: &[&str]| Seen {
        checks: ids
            .iter()
            .map(|id| (id.to_string(), "c".to_string()))
            .collect(),
        kinds: Default::default(),
        generation: 0,
        bytes: 0,
    };
    let check = |ids: &[&str]| verify(&seen(ids), &mut Model::new(), Some(&pending(None)));
    assert!(check(&["interview", "contact-1", "contact-2"]).is_ok());
    assert!(check(&[]).is_ok());
    assert!(check(&["interview", "contact-1"]).is_err());
    assert!(check(&["contact-1"]).is_err());
    assert!(check(&["contact-1", "contact-2"]).is_err());
}
