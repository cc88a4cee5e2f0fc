//! Crash safety of sync, against a real relay on loopback:
//!
//! - a device killed while it pulls (joining a journal another device pushed in many
//!   batches, or catching up after an earlier kill) keeps every record merged before its
//!   last saved cursor, never moves the cursor back, holds only what the other device
//!   wrote, as written, and a later sync brings everything;
//! - a device killed while it pushes or uploads a snapshot keeps every acknowledged
//!   write, the relay keeps every batch it acknowledged (another device pulls them),
//!   and a later sync brings everything to the other device; a device killed while it
//!   joins from that snapshot (downloading it) is as after a killed pull.
//!
//! Knobs: `ONWARD_CRASH_PULL_KILLS` (12), `ONWARD_CRASH_PULL_BATCHES` (30 / 60 in an
//! optimised build), `ONWARD_CRASH_PULL_RECORDS` (8); `ONWARD_CRASH_PUSH_KILLS` (12);
//! `ONWARD_CRASH_SEED` replays a run.

mod crash_support;

use crash_support::*;
use onward_core::model::{Entry, EntryKind};
use onward_core::Journal;
use onward_tests::crash::words;
use rand::prelude::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// A real relay on loopback, over SQLite in `dir`: its runtime, itself, its URL.
fn start_relay(dir: &Path) -> (tokio::runtime::Runtime, onward_relay::Running, String) {
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
    (runtime, relay, url)
}

// ----- a sync pull -----

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

    let (_runtime, relay, url) = start_relay(&dir);

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

// ----- a push, a snapshot upload and download -----

/// Kills a device while it pushes its writes or uploads a snapshot of its journal
/// (over and over: a few writes, a push, every other time a snapshot): after each kill
/// its journal holds every acknowledged write (the write in flight all or nothing),
/// another device that syncs then holds every record of the last push that completed
/// (the relay kept what it acknowledged) and nothing the first device never wrote, and
/// now and then, once the first device has synced to the end, the other holds
/// exactly its records. Then a new device joins from the relay's snapshot and is
/// killed while it downloads it or pulls after it: it loses nothing, as after a killed
/// pull, and a later sync brings everything.
///
/// Knobs: `ONWARD_CRASH_PUSH_KILLS` (12); `ONWARD_CRASH_SEED` as above.
#[test]
fn a_push_or_snapshot_transfer_killed_midway_loses_nothing() {
    use onward_core::sync::{enable, invite, join, progress::ignore, sync_now, SyncRuntime};
    use std::collections::{HashMap, HashSet};
    use std::sync::Mutex;
    let rt = SyncRuntime::new().unwrap();
    let seed = seed_from_env("push crash test");
    let kills = env_number("ONWARD_CRASH_PUSH_KILLS", 12);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch();
    let started = Instant::now();
    let (_runtime, relay, url) = start_relay(&dir);

    // The writing device, syncing, with a few records pushed; the other device joined.
    let a_path = dir.join("device-a.onward");
    {
        let journal = Mutex::new(Journal::open(&a_path).unwrap());
        rt.block_on(enable(&journal, rt.relays(), &url, false, "writer"))
            .unwrap();
        {
            let mut j = journal.lock().unwrap();
            for _ in 0..40 {
                let (body, now) = (words(&mut rng, 200, 4_000), j.now());
                j.add_entry(Entry::new(EntryKind::Free, body, now)).unwrap();
            }
        }
        rt.block_on(sync_now(&journal, rt.relays(), &ignore))
            .unwrap();
    }
    let invitation = |rt: &SyncRuntime| {
        let journal = Mutex::new(Journal::open(&a_path).unwrap());
        rt.block_on(invite(&journal, rt.relays(), Duration::from_secs(3600)))
            .unwrap()
            .code
    };
    let b_path = dir.join("device-b.onward");
    let b = Mutex::new(Journal::open(&b_path).unwrap());
    rt.block_on(join(&b, rt.relays(), &invitation(&rt), "observer", &ignore))
        .unwrap();

    let mut model = inspect(&a_path).unwrap().checks;
    // Every version of every record the writing device acknowledged, and what it had
    // when its last push completed (all of which the relay acknowledged).
    let mut history: HashMap<String, HashSet<String>> = HashMap::new();
    let note = |model: &Model, history: &mut HashMap<String, HashSet<String>>| {
        for (id, check) in model {
            history.entry(id.clone()).or_default().insert(check.clone());
        }
    };
    note(&model, &mut history);
    let mut on_relay = model.clone();
    let (mut push_window_us, mut snapshot_window_us) = (10_000u64, 3_000u64);
    let (mut in_push, mut in_upload, mut in_download, mut joins) = (0, 0, 0, 0);
    let (mut finals, mut checked) = (0, 0);
    for round in 0..kills {
        // Aim into a push, or into a snapshot upload, in turn.
        let (aim, window) = if round % 2 == 0 {
            (Aim::after("try push"), &mut push_window_us)
        } else {
            (Aim::after("progress uploading"), &mut snapshot_window_us)
        };
        let delay = Duration::from_micros(rng.random_range(0..=*window));
        let killed = run_phase_and_kill(&a_path, rng.random(), &["push"], aim, delay)
            .unwrap_or_else(|e| fail(&dir, seed, round, e));
        // What the device had when its last push completed.
        let output = &killed.stdout;
        if let Some(end) = output.rfind("done push\n") {
            let mut then = model.clone();
            apply(&output[..end + "done push\n".len()], &mut then);
            on_relay = then;
        }
        let run = apply(output, &mut model);
        let op = run.pending.as_ref().map(|p| p.op.as_str());
        // Inside an upload: after it began sending (a snapshot is not always due).
        let uploading = op == Some("snapshot")
            && output
                .rfind("try snapshot")
                .is_some_and(|at| output[at..].contains("progress uploading"));
        let inside = match round % 2 {
            0 => op == Some("push"),
            _ => uploading,
        };
        in_push += usize::from(op == Some("push"));
        in_upload += usize::from(uploading);
        *window = if inside {
            *window * 5 / 4
        } else {
            (*window * 2 / 3).max(200)
        };
        let outcome =
            inspect(&a_path).and_then(|seen| verify(&seen, &mut model, run.pending.as_ref()));
        match outcome {
            Ok(n) => checked += n,
            Err(e) => fail(
                &dir,
                seed,
                round,
                format!("{e}\n(killed after {:?}, in flight: {op:?})", killed.ran),
            ),
        }
        note(&model, &mut history);

        // The other device syncs: it has all the last complete push sent, and only
        // versions the writing device acknowledged.
        rt.block_on(sync_now(&b, rt.relays(), &ignore))
            .unwrap_or_else(|e| fail(&dir, seed, round, format!("the other device's sync: {e}")));
        let seen_b = inspect(&b_path).unwrap_or_else(|e| fail(&dir, seed, round, e));
        for id in on_relay.keys() {
            if !seen_b.checks.contains_key(id) {
                fail(
                    &dir,
                    seed,
                    round,
                    format!(
                        "{id} was pushed (the push completed) but the other device does not get it"
                    ),
                );
            }
        }
        for (id, check) in &seen_b.checks {
            if !history.get(id).is_some_and(|h| h.contains(check)) {
                fail(&dir, seed, round, format!("the other device holds {id} at a version the writing device never acknowledged"));
            }
        }
        checked += seen_b.checks.len();

        if round % 3 == 2 || round + 1 == kills {
            // The writing device syncs to the end: the other then has exactly its records.
            {
                let a = Mutex::new(Journal::open(&a_path).unwrap());
                rt.block_on(sync_now(&a, rt.relays(), &ignore))
                    .unwrap_or_else(|e| {
                        fail(
                            &dir,
                            seed,
                            round,
                            format!("the writing device's final sync: {e}"),
                        )
                    });
            }
            rt.block_on(sync_now(&b, rt.relays(), &ignore)).unwrap();
            let seen_b = inspect(&b_path).unwrap_or_else(|e| fail(&dir, seed, round, e));
            if seen_b.checks != model {
                fail(&dir, seed, round, format!(
                    "after both synced, the other device holds {} records and states, the writing one {}",
                    seen_b.checks.len(), model.len()
                ));
            }
            on_relay = model.clone();
            finals += 1;
            checked += model.len();

            // A new device joins from the relay's snapshot and is killed on the way: soon
            // after its download began.
            let c_path = dir.join(format!("device-c-{round}.onward"));
            let delay = Duration::from_micros(rng.random_range(0..=5_000));
            let code = invitation(&rt);
            let aim = Aim::After {
                marker: "progress downloading",
                loaded: false,
                give_up: Duration::from_secs(5),
            };
            let killed = run_and_kill(&c_path, rng.random(), &["pull", &code], aim, delay)
                .unwrap_or_else(|e| fail(&dir, seed, round, e));
            let pulled = parse_pull(&killed.stdout);
            joins += 1;
            in_download += usize::from(pulled.downloading && !pulled.caught_up);
            let outcome = verify_pulled(&c_path, &model, &pulled)
                .and_then(|n| Ok(n + finish_sync(&c_path, &model)?));
            match outcome {
                Ok(n) => checked += n,
                Err(e) => fail(
                    &dir,
                    seed,
                    round,
                    format!("{e}\n(a device joining, killed after {:?})", killed.ran),
                ),
            }
        }
    }
    println!(
        "push crash test: {kills} kills of the writing device ({in_push} inside a push, \
         {in_upload} inside a snapshot upload), {joins} of a device joining ({in_download} \
         after its snapshot download began, before it caught up), {finals} final syncs \
         complete, {} records, {checked} record checks, in {:.1?}",
        model.len(),
        started.elapsed()
    );
    let aimed = kills as usize / 2;
    assert!(
        in_push * 2 >= aimed.max(1),
        "only {in_push} of {kills} kills landed inside a push: the aim is off"
    );
    assert!(
        in_upload * 2 >= aimed.max(1),
        "only {in_upload} of {kills} kills landed inside a snapshot upload: the aim is off"
    );
    assert!(
        in_download * 2 >= joins,
        "only {in_download} of {joins} kills of a joining device came after its snapshot \
         download began: the aim is off"
    );
    drop(b);
    drop(relay);
    let _ = std::fs::remove_dir_all(&dir);
}
