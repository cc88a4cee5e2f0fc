//! A deterministic simulation of sync, in the manner of FoundationDB's simulation tests:
//! real journals ([`onward_core::Journal`] on temporary files, each with a simulated
//! clock) sync through an in-memory relay ([`memory`]) behind a fault layer
//! ([`faulty`]) that a seeded RNG drives. One seed gives one schedule: which device
//! writes what when it is offline, who syncs, joins (by a one-time invitation from
//! device 0, made just before), pushes, pulls, uploads a snapshot
//! or asks for its status, and which call meets which fault. No wall clock, no threads,
//! no hash-map order: decisions come from the seed alone. (Ids, keys and nonces inside
//! the journals are still random, so bytes differ between replays, never the schedule.)
//!
//! After a schedule the faults stop and every device syncs a few clean rounds, and
//! [`Sim::check_end`] asserts:
//!
//! - (a) every change the relay acknowledged to a device (the answer reached it) is in
//!   every device's journal;
//! - (b) all devices have the same heads and the same records, every one says "in
//!   sync", and each index equals one rebuilt from its document (`check_index`).
//!
//! And while it runs, whenever a device reports "in sync" (a sync's report or
//! `sync::status`), [`Sim::check_in_sync`] asserts what the design promises
//! (core/src/sync/status.rs): that device has every change in the newest record (by
//! counter) of each other device that the relay served it so far. A relay may withhold
//! or serve older records, so "in sync" can't promise more than what this device heard;
//! records are sealed, so it can't be made to hear a record that was never written.

pub mod faulty;
pub mod memory;

use faulty::{Fault, Net, SimConnect};
use onward_core::model::{Entry, EntryKind};
use onward_core::sync::{self, progress, SyncStatus};
use onward_core::{Error, Journal};
use rand::prelude::*;
use rand::rngs::StdRng;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

thread_local! {
    /// The step the simulation on this thread is at, for a panic's report.
    pub static STEP: Cell<usize> = const { Cell::new(0) };
}

/// What one schedule is.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub seed: u64,
    pub steps: usize,
    pub devices: usize,
    /// The chance that a relay call meets a fault.
    pub fault_rate: f64,
}

/// What a schedule did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub counts: BTreeMap<Fault, u64>,
    pub syncs: usize,
    pub failed_syncs: usize,
    /// Times a device said "in sync" and the promise was checked.
    pub in_sync_checked: usize,
    pub acked_changes: usize,
}

struct Device {
    journal: Mutex<Journal>,
    connect: SimConnect,
    joined: bool,
}

/// One schedule's world.
pub struct Sim {
    _dir: tempfile::TempDir,
    opts: Options,
    rng: StdRng,
    pub net: Arc<Mutex<Net>>,
    devices: Vec<Device>,
    /// Simulated time, in milliseconds since the epoch; every clock reads it.
    clock: Arc<AtomicI64>,
    /// Every entry id written, in the order written.
    entries: Vec<String>,
    runtime: tokio::runtime::Runtime,
    texts: usize,
    pub outcome: Outcome,
}

pub type Checked = std::result::Result<(), String>;

fn acceptable(e: &Error) -> bool {
    matches!(
        e,
        Error::RelayUnreachable { .. }
            | Error::Relay { .. }
            | Error::RelayAnswer { .. }
            | Error::RelayWentBack { .. }
            | Error::Refused { .. }
            // An invitation lost with the relay's state (a restored backup, a re-created
            // database) before it was used: the next join makes another.
            | Error::InvitationGone
    )
}

impl Sim {
    pub fn new(opts: Options) -> Sim {
        let dir = tempfile::tempdir().expect("temp dir");
        let net = Arc::new(Mutex::new(Net::new(opts.seed, opts.fault_rate)));
        // 2026-01-01, then forward with every step; the relay's clock too.
        let clock = Arc::new(AtomicI64::new(1_767_225_600_000));
        net.lock().unwrap().clock = clock.clone();
        let devices = (0..opts.devices)
            .map(|i| {
                let mut journal =
                    Journal::open(dir.path().join(format!("device{i}.onward"))).expect("open");
                let clock = clock.clone();
                // Devices' clocks disagree a little, as real ones do.
                let skew = i as i64 * 1_337;
                journal.set_clock(move || {
                    chrono::DateTime::from_timestamp_millis(clock.load(Ordering::SeqCst) + skew)
                        .expect("a time")
                });
                Device {
                    journal: Mutex::new(journal),
                    connect: SimConnect::new(net.clone(), i),
                    joined: false,
                }
            })
            .collect();
        Sim {
            _dir: dir,
            opts,
            rng: StdRng::seed_from_u64(opts.seed),
            net,
            devices,
            clock,
            entries: Vec::new(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime"),
            texts: 0,
            outcome: Outcome::default(),
        }
    }

    fn log(&self, line: String) {
        self.net.lock().unwrap().log.push(line);
    }

    /// The failure, with the seed, the step and the last events.
    pub fn fail(&self, what: String) -> String {
        let net = self.net.lock().unwrap();
        let lines = std::env::var("ONWARD_SIM_LOG_LINES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(40);
        let tail: Vec<&String> = net.log.iter().rev().take(lines).collect();
        let tail: Vec<&str> = tail.into_iter().rev().map(String::as_str).collect();
        format!(
            "seed {} failed at step {}: {what}\nreplay: ONWARD_SIM_SEED={} ONWARD_SIM_STEPS={}\nlast events:\n{}",
            self.opts.seed,
            STEP.with(Cell::get),
            self.opts.seed,
            self.opts.steps,
            tail.join("\n")
        )
    }

    pub fn set_faults(&self, on: bool) {
        self.net.lock().unwrap().faults = on;
    }

    /// Runs the whole schedule: sync on, random steps, then the clean rounds and the
    /// end checks.
    pub fn run(mut self) -> std::result::Result<Outcome, String> {
        self.set_faults(true);
        self.enable()?;
        for step in 1..=self.opts.steps {
            STEP.with(|s| s.set(step));
            self.step()?;
        }
        STEP.with(|s| s.set(self.opts.steps + 1));
        self.settle()?;
        self.check_end()?;
        self.outcome.counts = self.net.lock().unwrap().counts.clone();
        self.outcome.acked_changes = self.net.lock().unwrap().acked.len();
        Ok(self.outcome)
    }

    /// Device 0 turns sync on (again until the relay is reached).
    pub fn enable(&mut self) -> Checked {
        for _ in 0..100 {
            let d = &self.devices[0];
            // The simulated relay's address is plain HTTP to another machine.
            let done = self.runtime.block_on(sync::enable(
                &d.journal,
                &d.connect,
                memory::URL,
                true,
                "device 0",
            ));
            match done {
                Ok(()) => {
                    let keys = d.journal.lock().unwrap().sync_keys().unwrap();
                    faulty::share_keys(&self.net, keys);
                    self.devices[0].joined = true;
                    self.log("device 0 enabled sync".into());
                    return Ok(());
                }
                Err(e) if acceptable(&e) => continue,
                Err(e) => return Err(self.fail(format!("enable: {e}"))),
            }
        }
        Err(self.fail("the relay was never reached to enable sync".into()))
    }

    fn step(&mut self) -> Checked {
        let dt = self.rng.random_range(1_000..600_000);
        self.clock.fetch_add(dt, Ordering::SeqCst);
        let d = self.rng.random_range(0..self.devices.len());
        match self.rng.random_range(0..100) {
            0..30 => self.edit(d),
            30..38 => self.concurrent_edit(),
            38..64 => self.sync(d),
            64..72 => self.join_or_sync(d),
            72..80 => self.snapshot(d),
            80..87 => self.status(d),
            87..93 => self.push_only(d),
            _ => self.pull_only(d),
        }
    }

    fn text(&mut self, d: usize) -> String {
        self.texts += 1;
        const WORDS: [&str; 8] = [
            "calm",
            "interview",
            "offer",
            "practice",
            "recruiter",
            "hopeful",
            "panel",
            "café",
        ];
        let a = WORDS[self.rng.random_range(0..WORDS.len())];
        let b = WORDS[self.rng.random_range(0..WORDS.len())];
        format!("[t{}d{d}] {a} {b}", self.texts)
    }

    /// An offline edit on device `d`: a new entry, an edit, a delete or a restore.
    fn edit(&mut self, d: usize) -> Checked {
        let roll = self.rng.random_range(0..100);
        if roll < 40 || self.entries.is_empty() {
            let text = self.text(d);
            let mut j = self.devices[d].journal.lock().unwrap();
            let now = j.now();
            let entry = j
                .add_entry(Entry::new(EntryKind::Free, text, now))
                .map_err(|e| format!("add entry: {e}"))?;
            drop(j);
            self.log(format!("device {d} adds entry {}", &entry.meta.id[..8]));
            self.entries.push(entry.meta.id);
            return Ok(());
        }
        let id = self.entries[self.rng.random_range(0..self.entries.len())].clone();
        if roll < 80 {
            let text = self.text(d);
            self.edit_text(d, &id, text);
        } else {
            let delete = self.rng.random_bool(0.5);
            let mut j = self.devices[d].journal.lock().unwrap();
            if j.get::<Entry>(&id).is_ok() {
                let done = if delete {
                    j.delete(&id)
                } else {
                    j.restore(&id)
                };
                drop(j);
                self.log(format!(
                    "device {d} {} {}: {}",
                    if delete { "deletes" } else { "restores" },
                    &id[..8],
                    if done.is_ok() { "done" } else { "refused" }
                ));
            }
        }
        Ok(())
    }

    fn edit_text(&mut self, d: usize, id: &str, text: String) -> bool {
        let mut j = self.devices[d].journal.lock().unwrap();
        let done = j
            .update::<Entry>(id, |e| {
                e.body = text;
                Ok(())
            })
            .is_ok();
        drop(j);
        if done {
            self.log(format!("device {d} edits {}", &id[..8]));
        }
        done
    }

    /// Two devices edit the same entry's text while apart.
    fn concurrent_edit(&mut self) -> Checked {
        if self.entries.is_empty() || self.devices.len() < 2 {
            return Ok(());
        }
        let id = self.entries[self.rng.random_range(0..self.entries.len())].clone();
        let a = self.rng.random_range(0..self.devices.len());
        let b = (a + self.rng.random_range(1..self.devices.len())) % self.devices.len();
        let (ta, tb) = (self.text(a), self.text(b));
        self.edit_text(a, &id, ta);
        self.edit_text(b, &id, tb);
        Ok(())
    }

    fn report_error(&mut self, d: usize, what: &str, e: Error) -> Checked {
        self.outcome.failed_syncs += 1;
        self.log(format!("device {d} {what}: error: {e}"));
        if acceptable(&e) {
            Ok(())
        } else {
            Err(self.fail(format!("device {d} {what}: an unexpected error: {e}")))
        }
    }

    pub fn sync(&mut self, d: usize) -> Checked {
        if !self.devices[d].joined {
            return Ok(());
        }
        self.outcome.syncs += 1;
        self.log(format!("device {d} syncs"));
        let dev = &self.devices[d];
        let done = self.runtime.block_on(sync::sync_now(
            &dev.journal,
            &dev.connect,
            &progress::ignore,
        ));
        match done {
            Ok(report) => {
                self.log(format!(
                    "device {d} synced: pushed {} pulled {} refused {} recovered {:?}: {}",
                    report.pushed.changes,
                    report.pulled.changes,
                    report.pulled.refused,
                    report.recovered.as_ref().map(|r| &r.reason),
                    report.status.summary()
                ));
                self.check_in_sync(d, &report.status)
            }
            Err(e) => self.report_error(d, "sync", e),
        }
    }

    fn join_or_sync(&mut self, d: usize) -> Checked {
        match self.devices.iter().position(|dev| !dev.joined) {
            Some(j) => self.join(j),
            None => self.sync(d),
        }
    }

    /// Device 0 invites device `d`, which joins with the invitation at once.
    pub fn join(&mut self, d: usize) -> Checked {
        self.log(format!("device 0 invites device {d}"));
        let inviter = &self.devices[0];
        let invited = self.runtime.block_on(sync::invite(
            &inviter.journal,
            &inviter.connect,
            std::time::Duration::from_secs(10 * 60),
        ));
        let code = match invited {
            Ok(invite) => invite.code,
            Err(e) => return self.report_error(0, &format!("invite for device {d}"), e),
        };
        self.log(format!("device {d} joins"));
        let dev = &self.devices[d];
        let done = self.runtime.block_on(sync::join(
            &dev.journal,
            &dev.connect,
            &code,
            &format!("device {d}"),
            &progress::ignore,
        ));
        // A join that failed after sync was turned on is finished by the next sync.
        let enabled = dev
            .journal
            .lock()
            .unwrap()
            .sync_settings()
            .unwrap()
            .is_some();
        self.devices[d].joined = enabled;
        match done {
            Ok(report) => {
                self.log(format!("device {d} joined: {}", report.status.summary()));
                self.check_in_sync(d, &report.status)
            }
            // An invitation the relay lost between reading it and accepting it (a
            // re-created database): the accept gets the 401 of an unknown invitation,
            // which `sync::join` passes on as it is (it says "invitation gone" only
            // when reading one). The next join makes another invitation.
            Err(e @ Error::RelayRefusedCredential { .. }) => {
                self.outcome.failed_syncs += 1;
                self.log(format!("device {d} join: error: {e}"));
                Ok(())
            }
            Err(e) => self.report_error(d, "join", e),
        }
    }

    /// A snapshot upload; half the time after a sync, as a device that wants one catches
    /// up first (with protocol v2's extra relay calls a round fails more often, and two
    /// snapshots in one schedule, which a foreign snapshot part needs, became rare).
    fn snapshot(&mut self, d: usize) -> Checked {
        if !self.devices[d].joined {
            return Ok(());
        }
        if self.rng.random_bool(0.5) {
            self.sync(d)?;
        }
        let dev = &self.devices[d];
        let done = self.runtime.block_on(sync::upload_snapshot(
            &dev.journal,
            &dev.connect,
            &progress::ignore,
        ));
        match done {
            Ok(up) => {
                self.log(format!(
                    "device {d} snapshot: {:?}",
                    up.map(|u| (u.covers, u.bytes))
                ));
                Ok(())
            }
            Err(e) => self.report_error(d, "snapshot", e),
        }
    }

    fn status(&mut self, d: usize) -> Checked {
        if !self.devices[d].joined {
            return Ok(());
        }
        let dev = &self.devices[d];
        let done = self
            .runtime
            .block_on(sync::status(&dev.journal, &dev.connect));
        match done {
            Ok(status) => {
                self.log(format!("device {d} status: {}", status.summary()));
                self.check_in_sync(d, &status)
            }
            Err(e) => self.report_error(d, "status", e),
        }
    }

    fn push_only(&mut self, d: usize) -> Checked {
        if !self.devices[d].joined {
            return Ok(());
        }
        let dev = &self.devices[d];
        let done = self
            .runtime
            .block_on(sync::push(&dev.journal, &dev.connect, &progress::ignore));
        match done {
            Ok(p) => {
                self.log(format!("device {d} pushed {} changes", p.changes));
                Ok(())
            }
            Err(e) => self.report_error(d, "push", e),
        }
    }

    fn pull_only(&mut self, d: usize) -> Checked {
        if !self.devices[d].joined {
            return Ok(());
        }
        let dev = &self.devices[d];
        let done = self
            .runtime
            .block_on(sync::pull(&dev.journal, &dev.connect, &progress::ignore));
        match done {
            Ok(p) => {
                self.log(format!(
                    "device {d} pulled {} changes, refused {}",
                    p.changes, p.refused
                ));
                Ok(())
            }
            Err(e) => self.report_error(d, "pull", e),
        }
    }

    /// (c): a device that says "in sync" has every change of the newest record of each
    /// other device that the relay served it.
    pub fn check_in_sync(&mut self, d: usize, status: &SyncStatus) -> Checked {
        if !status.in_sync {
            return Ok(());
        }
        self.outcome.in_sync_checked += 1;
        let heard: Vec<(String, (u64, Vec<automerge::ChangeHash>))> = {
            let net = self.net.lock().unwrap();
            net.heard
                .iter()
                .filter(|((to, id), _)| *to == d && *id != status.device_id)
                .map(|((_, id), r)| (id.clone(), r.clone()))
                .collect()
        };
        let mut j = self.devices[d].journal.lock().unwrap();
        for (id, (counter, heads)) in heard {
            let has = j.with_document(|doc| Ok(doc.has_all(&heads))).unwrap();
            if !has {
                drop(j);
                let who = self.net.lock().unwrap().device_index.get(&id).copied();
                return Err(self.fail(format!(
                    "device {d} said \"in sync\" without every change of device {who:?}'s record #{counter}, which the relay served it"
                )));
            }
        }
        Ok(())
    }

    /// Logs the relay's batches and each device's cursor.
    fn log_state(&self) {
        let mut lines = Vec::new();
        {
            let net = self.net.lock().unwrap();
            for (id, j) in &net.relay.journals {
                let batches: Vec<String> = j
                    .batches
                    .iter()
                    .map(|(seq, (b, _))| format!("{seq}:{}", &b[..8]))
                    .collect();
                lines.push(format!(
                    "relay journal {}: incarnation {} latest {} pruned {} batches {}",
                    &id[..8],
                    &j.incarnation[..8],
                    j.latest_seq,
                    j.pruned_through,
                    batches.join(" ")
                ));
            }
        }
        for (d, dev) in self.devices.iter().enumerate() {
            let j = dev.journal.lock().unwrap();
            if let Ok(Some(s)) = j.sync_settings() {
                lines.push(format!(
                    "device {d}: cursor {} {:?} incarnation {:?} waiting {}",
                    s.cursor,
                    s.cursor_id.as_deref().map(|c| &c[..8]),
                    s.incarnation.as_deref().map(|c| &c[..8]),
                    j.waiting_batches().unwrap_or(0)
                ));
            }
        }
        for (d, dev) in self.devices.iter().enumerate() {
            let mut j = dev.journal.lock().unwrap();
            let missing = j
                .with_document(|doc| Ok(doc.missing_deps()))
                .unwrap_or_default();
            let net = self.net.lock().unwrap();
            for h in missing {
                lines.push(format!(
                    "device {d} waits for {} (acknowledged to device, seq: {:?})",
                    &h.to_string()[..8],
                    net.acked.get(&h)
                ));
            }
        }
        for line in lines {
            self.log(line);
        }
    }

    /// Faults stop; every device joins and syncs clean rounds until nothing moves.
    pub fn settle(&mut self) -> Checked {
        self.set_faults(false);
        self.log("faults stop".into());
        self.log_state();
        for d in 0..self.devices.len() {
            if !self.devices[d].joined {
                self.join(d)?;
            }
            if !self.devices[d].joined {
                return Err(self.fail(format!("device {d} could not join without faults")));
            }
        }
        const ROUNDS: usize = 3;
        for round in 0..=ROUNDS {
            for d in 0..self.devices.len() {
                let dev = &self.devices[d];
                let report = self
                    .runtime
                    .block_on(sync::sync_now(
                        &dev.journal,
                        &dev.connect,
                        &progress::ignore,
                    ))
                    .map_err(|e| self.fail(format!("device {d}, clean round {round}: {e}")))?;
                self.log(format!(
                    "clean round {round}: device {d}: pushed {} pulled {} ({} batches) recovered {:?}: {}",
                    report.pushed.changes,
                    report.pulled.changes,
                    report.pulled.batches,
                    report.recovered.as_ref().map(|r| &r.reason),
                    report.status.summary()
                ));
                self.check_in_sync(d, &report.status)?;
                if round == ROUNDS && !report.status.in_sync {
                    self.log_state();
                    return Err(self.fail(format!(
                        "device {d} is not in sync after {ROUNDS} clean rounds: {}",
                        report.status.summary()
                    )));
                }
            }
        }
        Ok(())
    }

    /// (a) and (b), once everyone has synced without faults.
    pub fn check_end(&mut self) -> Checked {
        let acked = faulty::acked(&self.net.lock().unwrap());
        let acked: Vec<_> = acked.into_iter().collect();
        let mut first: Option<(Vec<String>, Vec<String>)> = None;
        for d in 0..self.devices.len() {
            let mut j = self.devices[d].journal.lock().unwrap();
            let missing = j
                .with_document(|doc| {
                    Ok(acked
                        .iter()
                        .filter(|h| !doc.has_all(std::slice::from_ref(h)))
                        .count())
                })
                .unwrap();
            let state = crate::journal_state(&mut j);
            drop(j);
            if missing > 0 {
                return Err(self.fail(format!(
                    "device {d} lacks {missing} of the {} changes the relay acknowledged",
                    acked.len()
                )));
            }
            let state = state.map_err(|e| self.fail(format!("device {d}: {e}")))?;
            match &first {
                None => first = Some(state),
                Some((heads, records)) => {
                    if *heads != state.0 {
                        return Err(self.fail(format!("device {d} has other heads than device 0")));
                    }
                    if *records != state.1 {
                        return Err(
                            self.fail(format!("device {d} has other records than device 0"))
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// Device `d`'s journal, for a schedule of its own.
    pub fn journal(&self, d: usize) -> std::sync::MutexGuard<'_, Journal> {
        self.devices[d].journal.lock().unwrap()
    }

    /// Adds an entry on device `d` (offline).
    pub fn add(&mut self, d: usize) -> Checked {
        let text = self.text(d);
        let mut j = self.devices[d].journal.lock().unwrap();
        let now = j.now();
        let entry = j
            .add_entry(Entry::new(EntryKind::Free, text, now))
            .map_err(|e| format!("add entry: {e}"))?;
        drop(j);
        self.entries.push(entry.meta.id);
        Ok(())
    }

    pub fn block_on<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(f)
    }

    pub fn connect(&self, d: usize) -> &SimConnect {
        &self.devices[d].connect
    }

    pub fn device_journal(&self, d: usize) -> &Mutex<Journal> {
        &self.devices[d].journal
    }

    pub fn devices(&self) -> usize {
        self.devices.len()
    }
}
