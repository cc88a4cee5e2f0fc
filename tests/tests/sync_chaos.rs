//! Sync under chaos: three devices (the real `onward` binary) and a real `onward-relay`
//! process, with a fault proxy between them that drops requests, loses answers the relay
//! already acted on, sends pushes twice, reorders and duplicates pulled frames, cuts
//! answers short, and kills and restarts the relay in the middle of a push. Devices edit
//! offline at random, two of them the same entry's text every round. After one clean round
//! every device must hold the same heads and the same index, say "in sync", and keep every
//! text that no later edit replaced (both sides of a concurrent edit included).
//!
//! Seeded: the seed is printed; `ONWARD_SYNC_CHAOS_SEED=N` replays a run and
//! `ONWARD_SYNC_CHAOS_ROUNDS=N` makes it longer (default 4 rounds).

mod sync_support;

use onward_core::Journal;
use onward_tests::fault_proxy::{Fault, FaultProxy};
use rand::prelude::*;
use rand::rngs::StdRng;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use sync_support::postgres::PgServer;
use sync_support::relay_process::{RelayProcess, Store};
use sync_support::Device;

/// What the devices wrote, to check nothing was lost.
#[derive(Default)]
struct Written {
    /// entry id -> texts written into it that no later edit replaced.
    texts: BTreeMap<String, BTreeSet<String>>,
    companies: BTreeSet<String>,
    /// Texts written by two devices into one entry while both were offline.
    concurrent: usize,
    counter: usize,
}

impl Written {
    fn text(&mut self, device: usize, rng: &mut StdRng) -> String {
        self.counter += 1;
        let words = [
            "calm",
            "interview",
            "offer",
            "practice",
            "recruiter",
            "hopeful",
        ];
        format!(
            "[t{}d{device}] {} {}",
            self.counter,
            words.choose(rng).unwrap(),
            words.choose(rng).unwrap()
        )
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Writes `text` into entry `id` on `device`; the texts it showed there before are replaced.
fn edit(device: &Device, id: &str, text: &str, written: &mut Written) -> bool {
    let shown = device.try_run(&["--json", "show", id]);
    if !shown.ok {
        return false; // not on this device yet
    }
    let before: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    let before = before["fields"]["body"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    device.run(&["entry", "edit", id, "--text", text]);
    let texts = written.texts.get_mut(id).unwrap();
    texts.retain(|t| !before.contains(t.as_str()));
    texts.insert(text.to_string());
    true
}

fn add_entry(device: &Device, text: &str, written: &mut Written) {
    let id = device.json(&["entry", "add", "--kind", "free", "--text", text])["id"]
        .as_str()
        .unwrap()
        .to_string();
    written.texts.insert(id, BTreeSet::from([text.to_string()]));
}

fn random_edits(devices: &[Device], rng: &mut StdRng, written: &mut Written) {
    for (d, device) in devices.iter().enumerate() {
        for _ in 0..rng.random_range(1..=3) {
            match rng.random_range(0..4) {
                0 => {
                    let company = format!("Company{}", written.counter);
                    written.counter += 1;
                    device.run(&[
                        "application",
                        "add",
                        "--company",
                        &company,
                        "--role",
                        "Engineer",
                    ]);
                    written.companies.insert(company);
                }
                1 => {
                    let ids: Vec<String> = written.texts.keys().cloned().collect();
                    let text = written.text(d, rng);
                    let edited = match ids.choose(rng) {
                        Some(id) => edit(device, id, &text, written),
                        None => false,
                    };
                    if !edited {
                        add_entry(device, &text, written);
                    }
                }
                _ => {
                    let text = written.text(d, rng);
                    add_entry(device, &text, written);
                }
            }
        }
    }
    // Two devices write the same entry's text while offline from each other.
    let ids: Vec<String> = written.texts.keys().cloned().collect();
    let mut order: Vec<usize> = (0..devices.len()).collect();
    order.shuffle(rng);
    for id in ids.sample(rng, ids.len()) {
        let [a, b] = [order[0], order[1]];
        let (ta, tb) = (written.text(a, rng), written.text(b, rng));
        let shown_a = devices[a].try_run(&["show", id]).ok;
        let shown_b = devices[b].try_run(&["show", id]).ok;
        if shown_a && shown_b {
            edit(&devices[a], id, &ta, written);
            // b hasn't seen a's text: it replaces only what b had.
            edit(&devices[b], id, &tb, written);
            written.concurrent += 1;
            break;
        }
    }
}

/// Heads, every record (as JSON) and the index check of a journal file.
fn snapshot_of(path: &Path) -> (Vec<String>, Vec<String>) {
    let mut journal = Journal::open(path).unwrap();
    onward_tests::journal_state(&mut journal).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn chaos(store: Store, dir: &Path, backend: &str) {
    let seed = env_number("ONWARD_SYNC_CHAOS_SEED").unwrap_or_else(rand::random);
    let rounds = env_number("ONWARD_SYNC_CHAOS_ROUNDS").unwrap_or(4);
    eprintln!("sync chaos on {backend}: seed {seed} (ONWARD_SYNC_CHAOS_SEED), {rounds} rounds");
    let mut rng = StdRng::seed_from_u64(seed);

    let relay = Arc::new(Mutex::new(RelayProcess::start(
        store,
        &dir.join("relay.log"),
    )));
    let proxy = FaultProxy::start(relay.lock().unwrap().addr());
    let restarts = Arc::new(Mutex::new(0usize));
    {
        let (relay, restarts) = (relay.clone(), restarts.clone());
        proxy.set_hook(move || {
            relay.lock().unwrap().restart();
            *restarts.lock().unwrap() += 1;
        });
    }

    let devices: Vec<Device> = ["laptop", "phone", "tablet"]
        .iter()
        .map(|name| Device::new(dir, name))
        .collect();
    let mut written = Written::default();
    add_entry(&devices[0], "[t0] the first entry", &mut written);
    devices[0].run(&["sync", "init", "--relay", &proxy.url()]);
    for device in &devices[1..] {
        device.join(&devices[0], &[]);
    }

    let fault_rng = Arc::new(Mutex::new(StdRng::seed_from_u64(seed ^ 0x5eed)));
    let restart_due = Arc::new(Mutex::new(false));
    // (Some(true): a push, Some(false): a pull, None: any request; the fault it gets)
    let owed = Arc::new(Mutex::new(vec![
        (Some(true), Fault::LoseAnswer),
        (Some(true), Fault::SendTwice),
        (Some(false), Fault::ShuffleFrames),
        (None, Fault::DropRequest),
        (None, Fault::CutShort),
    ]));
    let mut failed_syncs = 0;
    for round in 0..rounds {
        random_edits(&devices, &mut rng, &mut written);
        // Once in the run, a push that the relay stores is followed by a kill and restart.
        if round == rounds / 2 {
            *restart_due.lock().unwrap() = true;
        }
        {
            let (fault_rng, restart_due, owed) =
                (fault_rng.clone(), restart_due.clone(), owed.clone());
            proxy.set_plan(move |request| {
                let push = request.method == "PUT" && request.path.contains("/batches/");
                let pull = request.method == "GET" && request.path.contains("/batches?");
                if push && std::mem::take(&mut *restart_due.lock().unwrap()) {
                    return Fault::Hook;
                }
                // Every kind of fault at least once per run, then at random.
                let mut owed = owed.lock().unwrap();
                if let Some(i) = owed.iter().position(|(p, _)| match p {
                    None => true,
                    Some(true) => push,
                    Some(false) => pull,
                }) {
                    return owed.remove(i).1;
                }
                let mut rng = fault_rng.lock().unwrap();
                if !rng.random_bool(0.3) {
                    return Fault::None;
                }
                match (push, pull, rng.random_range(0..3)) {
                    (true, _, 0) => Fault::LoseAnswer,
                    (true, _, 1) => Fault::SendTwice,
                    (_, true, 0 | 1) => Fault::ShuffleFrames,
                    (_, _, 0) => Fault::DropRequest,
                    _ => Fault::CutShort,
                }
            });
        }
        let mut order: Vec<usize> = (0..devices.len()).collect();
        order.shuffle(&mut rng);
        for d in order.into_iter().filter(|_| rng.random_bool(0.8)) {
            let started = std::time::Instant::now();
            let ran = devices[d].try_run(&["sync", "now"]);
            eprintln!(
                "sync now on device {d}: {:?} {}",
                started.elapsed(),
                ran.stderr.trim()
            );
            if !ran.ok {
                failed_syncs += 1;
            }
        }
    }

    if *restart_due.lock().unwrap() {
        // No push came after the restart was due: make one.
        let text = written.text(0, &mut rng);
        add_entry(&devices[0], &text, &mut written);
        let _ = devices[0].try_run(&["sync", "now"]);
    }
    proxy.set_plan(|_| Fault::None);
    // With the faults over, the devices sync in turn until every one says it is in sync.
    // One pass plus the first two again is usually enough; a device that pushes again in
    // its second sync (seen twice on a loaded machine, not explained yet: see the closing
    // note of 2026-12-07) needs another pass. Three passes at most: a device that keeps
    // pushing fails here, and "in sync" is still asserted of every device.
    let mut passes = 0;
    let statuses = loop {
        passes += 1;
        let order: &[usize] = if passes == 1 {
            &[0, 1, 2, 0, 1]
        } else {
            &[0, 1, 2]
        };
        for &d in order {
            devices[d].run(&["sync", "now"]);
        }
        let statuses: Vec<serde_json::Value> = devices
            .iter()
            .map(|device| device.json(&["sync", "status"]))
            .collect();
        if passes == 3 || statuses.iter().all(|s| s["in_sync"] == true) {
            break statuses;
        }
    };
    if passes > 1 {
        eprintln!("the devices settled after {passes} passes of syncs without faults");
    }
    for status in &statuses {
        assert_eq!(status["in_sync"], true, "after {passes} passes: {status}");
    }

    let (heads, records) = snapshot_of(&devices[0].journal);
    for device in &devices[1..] {
        let (other_heads, other_records) = snapshot_of(&device.journal);
        assert_eq!(
            other_heads,
            heads,
            "{} has other heads",
            device.journal.display()
        );
        assert_eq!(
            other_records,
            records,
            "{} has another index",
            device.journal.display()
        );
    }
    let everything = records.join("\n");
    let mut texts_checked = 0;
    for (id, texts) in &written.texts {
        assert!(everything.contains(id.as_str()), "entry {id} was lost");
        for text in texts {
            assert!(
                everything.contains(text.as_str()),
                "{text:?} in {id} was lost"
            );
            texts_checked += 1;
        }
    }
    for company in &written.companies {
        assert!(everything.contains(company.as_str()), "{company} was lost");
    }
    let counts = proxy.counts();
    eprintln!(
        "sync chaos on {backend}: {rounds} rounds, {} records and {texts_checked} texts checked \
         ({} written concurrently), {failed_syncs} syncs failed under faults, \
         {} relay restarts, faults {counts:?}",
        records.len(),
        written.concurrent,
        restarts.lock().unwrap(),
    );
    assert!(written.concurrent >= 1, "a concurrent edit happened");
    assert!(
        owed.lock().unwrap().is_empty(),
        "every kind of fault was injected"
    );
    assert_eq!(
        *restarts.lock().unwrap(),
        1,
        "the relay was restarted mid-push"
    );
}

#[test]
fn three_devices_converge_through_faults_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    chaos(
        Store::Sqlite(dir.path().join("relay.db")),
        dir.path(),
        "SQLite",
    );
}

#[test]
fn three_devices_converge_through_faults_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let pg = PgServer::start();
    chaos(Store::Postgres(pg.url()), dir.path(), "PostgreSQL");
}
