//! `crash-writer JOURNAL_PATH SEED [mix [ACTIONS]|compact|pull INVITATION]`: opens the
//! journal and writes to it until it is killed (or, given ACTIONS, until it has done that
//! many and exits with status 0), printing what each call wrote once the call has returned Ok (the
//! line protocol of `onward_tests::crash`). The crash test kills it at random moments
//! and checks that every acknowledged write is still there.
//!
//! `mix` (the default) is a person's random day: applications, stages, interviews with
//! new contacts, rejections, entries short and long, moods, edits, deletes and restores,
//! tags, reminder snoozes, notes, and now and then an explicit compaction or index
//! rebuild or an explicit apply of the outbox; every few actions, `tidy` (the outbox
//! applied, a compaction when due) as the apps run it in the background. `compact` adds
//! large entries and compacts explicitly after about every other one, so a kill is
//! likely to land in the middle of a compaction.
//!
//! `pull` joins the journal of the invitation (or, once joined, pulls from its relay)
//! and prints `pulled CURSOR ID...` after each batch merged (the cursor saved and the
//! record ids the journal then holds; `progress downloading DONE TOTAL` while it
//! downloads the relay's snapshot first), then `caught-up` and waits to be killed (or,
//! under the power-cut VFS, cuts the power).
//!
//! With `ONWARD_POWER_CUT_AT` (or `ONWARD_DISK_FULL_AFTER`, `ONWARD_DISK_FAILS_AFTER`)
//! set, every file goes through the power-cut VFS (`onward_tests::power_cut`): the
//! writer then ends itself at that I/O call, as a machine losing power would, or meets a
//! full or failing disk. `ONWARD_WRITER_SYNCHRONOUS=NORMAL` (or `OFF`) sets that SQLite
//! durability on the journal's connection after opening it: a broken writer, for
//! showing that the power-cut test notices.

use chrono::{DateTime, Duration, Utc};
use onward_core::model::*;
use onward_core::Journal;
use onward_tests::crash::{emit, emit_text, record_check, state_check, words, Line};
use rand::prelude::*;
use std::process::exit;

const COMPANIES: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Aperture",
];
const ROLES: &[&str] = &[
    "Data Engineer",
    "Backend Engineer",
    "SRE",
    "Product Designer",
    "Analyst",
    "Staff Engineer",
    "Engineering Manager",
    "QA Lead",
];
const FIRST: &[&str] = &[
    "Dana", "Sam", "Ana", "Jo", "Kim", "Lee", "Noor", "Ravi", "Zoë",
];
const TAGS: &[&str] = &["dream", "remote", "urgent", "referral", "later", "hard"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Mix,
    Compact,
}

struct Writer {
    j: Journal,
    rng: StdRng,
    mode: Mode,
    apps: Vec<String>,
    entries: Vec<String>,
    contacts: Vec<String>,
    /// Every record id, for deletes, restores and tags.
    all: Vec<String>,
}

fn main() {
    if let Err(e) = onward_tests::power_cut::install_from_env() {
        eprintln!("crash-writer: {e}");
        exit(2);
    }
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: crash-writer JOURNAL_PATH SEED [mix [ACTIONS]|compact|pull INVITATION]");
        exit(2);
    }
    let seed: u64 = args[2].parse().unwrap_or_else(|_| {
        eprintln!("crash-writer: SEED must be a number");
        exit(2)
    });
    let mode = match args.get(3).map(String::as_str) {
        None | Some("mix") => Mode::Mix,
        Some("compact") => Mode::Compact,
        Some("pull") => {
            let Some(code) = args.get(4) else {
                eprintln!("crash-writer: pull needs an invitation (ONWARD2-…)");
                exit(2)
            };
            pull_until_killed(open(&args[1]), code)
        }
        Some(other) => {
            eprintln!("crash-writer: unknown mode {other}");
            exit(2)
        }
    };
    let actions: Option<u64> = (mode == Mode::Mix).then(|| args.get(4)).flatten().map(|n| {
        n.parse().unwrap_or_else(|_| {
            eprintln!("crash-writer: ACTIONS must be a number");
            exit(2)
        })
    });
    emit(&Line::Opening);
    let j = open(&args[1]);
    emit(&Line::Open);
    let mut w = Writer {
        j,
        rng: StdRng::seed_from_u64(seed),
        mode,
        apps: Vec::new(),
        entries: Vec::new(),
        contacts: Vec::new(),
        all: Vec::new(),
    };
    w.load_ids();
    let mut done = 0;
    while actions.is_none_or(|n| done < n) {
        let op = w.step();
        if let Err(e) = op.1 {
            fail(op.0, e);
        }
        // As the apps do in the background once a write has returned (here every few
        // actions, so several writes wait): the outbox applied and a compaction when
        // due. Writes never do either, so kills also land in these.
        if w.mode == Mode::Mix && w.rng.random_range(0..6) == 0 {
            if let Err(e) = w.maintenance("tidy") {
                fail("tidy", e);
            }
        }
        done += 1;
    }
}

fn open(path: &str) -> Journal {
    let j = Journal::open(path).unwrap_or_else(|e| fail("open", e));
    if let Ok(level) = std::env::var("ONWARD_WRITER_SYNCHRONOUS") {
        j.connection()
            .pragma_update(None, "synchronous", &level)
            .unwrap_or_else(|e| fail("setting synchronous", e.into()));
    }
    j
}

fn fail(what: &str, e: onward_core::Error) -> ! {
    eprintln!("crash-writer: {what} failed: {e}");
    exit(1)
}

/// Pulls (joining first if this journal doesn't sync yet), acknowledging each batch
/// merged, then waits for the kill.
fn pull_until_killed(j: Journal, code: &str) -> ! {
    use onward_core::sync::{self, Phase, Progress, SyncRuntime};
    let journal = std::sync::Mutex::new(j);
    let rt = SyncRuntime::new().unwrap_or_else(|e| fail("starting sync", e));
    // Called between batches, when the sync holds no lock on the journal.
    let on_progress = |p: Progress| match p.phase {
        Phase::Pulling => ack_pulled(&journal),
        Phase::DownloadingSnapshot => emit(&Line::Progress {
            what: "downloading".into(),
            done: p.done,
            total: p.total,
        }),
        _ => {}
    };
    // Joins, as the app would with a new invitation: a device that joined already is
    // told so and pulls; one whose join a kill cut off before the relay took it joins
    // anew.
    let joined = rt.block_on(sync::join(
        &journal,
        rt.relays(),
        code,
        "crash-writer",
        &on_progress,
    ));
    let outcome = match joined {
        Err(onward_core::Error::SyncAlreadyEnabled { .. }) => rt
            .block_on(sync::pull(&journal, rt.relays(), &on_progress))
            .map(drop),
        other => other.map(drop),
    };
    outcome.unwrap_or_else(|e| fail("pull", e));
    ack_pulled(&journal);
    emit_text("caught-up\n");
    // Under the power-cut VFS, the power goes now if it didn't during the pull.
    onward_tests::power_cut::cut_now();
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

fn lock(journal: &std::sync::Mutex<Journal>) -> std::sync::MutexGuard<'_, Journal> {
    journal
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Prints the saved cursor and every record id the journal holds with it.
fn ack_pulled(journal: &std::sync::Mutex<Journal>) {
    let j = lock(journal);
    let cursor = j
        .sync_enabled()
        .unwrap_or_else(|e| fail("reading the cursor", e))
        .cursor;
    let ids: Vec<String> = j
        .connection()
        .prepare("SELECT id FROM records ORDER BY id")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .unwrap_or_else(|e| fail("listing ids", e.into()));
    emit_text(&format!("pulled {cursor} {}\n", ids.join(" ")));
}

fn must(id: &str) -> (String, bool) {
    (id.to_string(), true)
}

fn may(id: &str) -> (String, bool) {
    (id.to_string(), false)
}

type Step = (&'static str, onward_core::Result<()>);

impl Writer {
    /// The ids already in the journal, newest first (a few thousand are plenty to pick
    /// from).
    fn load_ids(&mut self) {
        let ids: Vec<(String, String)> = {
            let conn = self.j.connection();
            let mut stmt = conn
                .prepare("SELECT id, kind FROM records ORDER BY rowid DESC LIMIT 5000")
                .unwrap_or_else(|e| fail("listing ids", e.into()));
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
            rows.unwrap_or_else(|e| fail("listing ids", e.into()))
        };
        for (id, kind) in ids.into_iter().rev() {
            self.remember(&kind, &id);
        }
    }

    fn remember(&mut self, kind: &str, id: &str) {
        match kind {
            "application" => self.apps.push(id.to_string()),
            "entry" => self.entries.push(id.to_string()),
            "contact" => self.contacts.push(id.to_string()),
            _ => {}
        }
        self.all.push(id.to_string());
    }

    fn step(&mut self) -> Step {
        let roll = self.rng.random_range(0..100u32);
        if self.mode == Mode::Compact {
            // No edits: diffing long texts would take most of the time.
            return match roll {
                0..55 => ("add_entry", self.add_entry(Some(8_000..32_000))),
                _ => ("compact", self.maintenance("compact")),
            };
        }
        let no_apps = self.apps.is_empty();
        match roll {
            _ if no_apps && roll < 50 => ("add_application", self.add_application()),
            0..10 => ("add_application", self.add_application()),
            10..19 if !no_apps => ("move_stage", self.move_stage()),
            19..25 if !no_apps => ("log_interview", self.log_interview()),
            25..29 if !no_apps => ("log_rejection", self.log_rejection()),
            29..49 => ("add_entry", self.add_entry(None)),
            49..56 => ("add_mood", self.add_mood()),
            56..70 if !self.entries.is_empty() => ("edit_entry", self.edit_entry()),
            70..77 if !self.all.is_empty() => ("delete_restore", self.delete_restore()),
            77..81 if !self.all.is_empty() => ("retag", self.retag()),
            81..87 => ("reminder", self.reminder()),
            87..90 => ("draft_message", self.draft_message()),
            90..94 => ("add_activity", self.add_activity()),
            94..96 => ("compact", self.maintenance("compact")),
            96..98 => ("apply", self.maintenance("apply")),
            98..100 => ("rebuild_index", self.maintenance("rebuild_index")),
            _ => ("add_entry", self.add_entry(None)),
        }
    }

    // ----- random material -----

    fn text(&mut self, min_len: usize, max_len: usize) -> String {
        words(&mut self.rng, min_len, max_len)
    }

    fn pick<'a>(&mut self, from: &'a [String]) -> &'a str {
        from.choose(&mut self.rng)
            .expect("picked from a non-empty list")
    }

    fn some_app(&mut self) -> String {
        let apps = std::mem::take(&mut self.apps);
        let id = self.pick(&apps).to_string();
        self.apps = apps;
        id
    }

    fn any_record(&mut self) -> String {
        let all = std::mem::take(&mut self.all);
        let id = self.pick(&all).to_string();
        self.all = all;
        id
    }

    fn some_past(&mut self, max_days: i64) -> DateTime<Utc> {
        self.j.now() - Duration::minutes(self.rng.random_range(0..max_days * 24 * 60))
    }

    fn scale(&mut self) -> u8 {
        self.rng.random_range(1..=5)
    }

    // ----- acknowledging -----

    /// Acknowledges a record as the journal shows it right after the call returned (not
    /// as the call returned it: sets such as a mood's words come back sorted).
    fn ack_stored(&self, id: &str) -> onward_core::Result<()> {
        let record = self.j.record(id)?;
        emit(&Line::Ack {
            id: record.id().to_string(),
            check: record_check(&record),
        });
        Ok(())
    }

    fn begin(op: &str, creates: usize, ids: Vec<(String, bool)>) {
        emit(&Line::Try {
            op: op.to_string(),
            creates,
            ids,
        });
    }

    fn done(op: &str) {
        emit(&Line::Done { op: op.to_string() });
    }

    // ----- actions -----

    fn add_application(&mut self) -> onward_core::Result<()> {
        let company = *COMPANIES.choose(&mut self.rng).unwrap();
        let role = *ROLES.choose(&mut self.rng).unwrap();
        let mut app = Application::new(company, role);
        if self.rng.random_bool(0.7) {
            app.applied_at = Some(self.some_past(30));
        }
        if self.rng.random_bool(0.5) {
            app.excitement = Some(self.scale());
        }
        app.source = Source::ALL.choose(&mut self.rng).copied();
        app.work_mode = WorkMode::ALL.choose(&mut self.rng).copied();
        if self.rng.random_bool(0.3) {
            app.next_action_at =
                Some(self.j.now() + Duration::hours(self.rng.random_range(-48..240)));
        }
        app.notes = self.text(0, 300);
        Self::begin("add_application", 0, vec![must(&app.meta.id)]);
        let app = self.j.add_application(app)?;
        self.ack_stored(&app.meta.id)?;
        Self::done("add_application");
        self.remember("application", &app.meta.id);
        Ok(())
    }

    fn move_stage(&mut self) -> onward_core::Result<()> {
        let id = self.some_app();
        let stage = *Stage::ALL.choose(&mut self.rng).unwrap();
        let at = if self.rng.random_bool(0.5) {
            None
        } else {
            Some(self.some_past(10))
        };
        Self::begin("move_stage", 0, vec![must(&id)]);
        let app = self.j.move_stage(&id, stage, at)?;
        self.ack_stored(&app.meta.id)?;
        Self::done("move_stage");
        Ok(())
    }

    fn log_interview(&mut self) -> onward_core::Result<()> {
        let app = self.some_app();
        let kind = *InterviewKind::ALL.choose(&mut self.rng).unwrap();
        let when = self.j.now() + Duration::hours(self.rng.random_range(-240..72));
        let mut interview = Interview::new(&app, kind, when);
        interview.round = self.rng.random_range(1..4);
        interview.questions = (0..self.rng.random_range(0..3))
            .map(|_| self.text(10, 80))
            .collect();
        interview.self_rating = Some(self.scale());
        interview.notes = self.text(0, 600);
        let mut interviewers = Vec::new();
        let mut touched = vec![must(&interview.meta.id), may(&app)];
        let new_names = self.rng.random_range(0..3);
        for _ in 0..new_names {
            let first = FIRST.choose(&mut self.rng).unwrap();
            let n: u32 = self.rng.random();
            interviewers.push(format!("{first} Tester{n:08x}"));
        }
        if !self.contacts.is_empty() && self.rng.random_bool(0.4) {
            let contacts = std::mem::take(&mut self.contacts);
            let id = self.pick(&contacts).to_string();
            self.contacts = contacts;
            touched.push(may(&id));
            interviewers.push(id);
        }
        Self::begin("log_interview", new_names, touched);
        let interview = self.j.log_interview(interview, &interviewers)?;
        self.ack_stored(&interview.meta.id)?;
        self.ack_stored(&app)?;
        for id in &interview.interviewer_ids {
            self.ack_stored(id)?;
        }
        Self::done("log_interview");
        self.remember("interview", &interview.meta.id);
        for id in &interview.interviewer_ids {
            if !self.contacts.contains(id) {
                self.remember("contact", id);
            }
        }
        Ok(())
    }

    fn log_rejection(&mut self) -> onward_core::Result<()> {
        let app = self.some_app();
        let received = self.some_past(5);
        let mut rejection = Rejection::new(&app, received);
        rejection.reason = *Reason::ALL.choose(&mut self.rng).unwrap();
        rejection.channel = Channel::ALL.choose(&mut self.rng).copied();
        rejection.message_text = self.text(0, 400);
        Self::begin(
            "log_rejection",
            0,
            vec![must(&rejection.meta.id), must(&app)],
        );
        let logged = self.j.log_rejection(rejection, false)?;
        self.ack_stored(&logged.rejection.meta.id)?;
        self.ack_stored(&app)?;
        Self::done("log_rejection");
        self.remember("rejection", &logged.rejection.meta.id);
        Ok(())
    }

    fn add_entry(&mut self, size: Option<std::ops::Range<usize>>) -> onward_core::Result<()> {
        let size = size.unwrap_or_else(|| match self.rng.random_range(0..10) {
            0..6 => 1..200,
            6..9 => 1_000..3_000,
            _ => 4_000..16_000,
        });
        let kinds = [
            EntryKind::Free,
            EntryKind::Gratitude,
            EntryKind::Expressive,
            EntryKind::LearningLog,
            EntryKind::WeeklyReview,
        ];
        let kind = *kinds.choose(&mut self.rng).unwrap();
        let body = self.text(size.start, size.end);
        let at = self.some_past(3);
        let mut entry = Entry::new(kind, body, at);
        if self.rng.random_bool(0.3) {
            entry.perspective = Perspective::Third;
        }
        if !self.apps.is_empty() && self.rng.random_bool(0.3) {
            entry.application_id = Some(self.some_app());
        }
        Self::begin("add_entry", 0, vec![must(&entry.meta.id)]);
        let entry = self.j.add_entry(entry)?;
        self.ack_stored(&entry.meta.id)?;
        Self::done("add_entry");
        self.remember("entry", &entry.meta.id);
        Ok(())
    }

    fn add_mood(&mut self) -> onward_core::Result<()> {
        let valence = self.scale();
        let mut mood = Mood::new(valence, self.some_past(1));
        if self.rng.random_bool(0.6) {
            mood.energy = Some(self.scale());
        }
        mood.words = (0..self.rng.random_range(0..3))
            .map(|_| self.text(1, 1))
            .collect();
        mood.note = self.text(0, 120);
        Self::begin("add_mood", 0, vec![must(&mood.meta.id)]);
        let mood = self.j.create(mood)?;
        self.ack_stored(&mood.meta.id)?;
        Self::done("add_mood");
        self.remember("mood", &mood.meta.id);
        Ok(())
    }

    /// Appends to an entry, rewrites it, or replaces a stretch in its middle.
    fn edit_entry(&mut self) -> onward_core::Result<()> {
        let entries = std::mem::take(&mut self.entries);
        let id = self.pick(&entries).to_string();
        self.entries = entries;
        let how = self.rng.random_range(0..3);
        let new_text = self.text(5, 2_000);
        let (a, b): (f64, f64) = (self.rng.random(), self.rng.random());
        Self::begin("edit_entry", 0, vec![must(&id)]);
        let entry = self.j.update::<Entry>(&id, move |e| {
            match how {
                0 => {
                    e.body.push_str("\n\n");
                    e.body.push_str(&new_text);
                }
                1 => e.body = new_text,
                _ => {
                    let chars: Vec<char> = e.body.chars().collect();
                    let (x, y) = (
                        (a * chars.len() as f64) as usize,
                        (b * chars.len() as f64) as usize,
                    );
                    let (from, to) = (x.min(y), x.max(y));
                    let mut body: String = chars[..from].iter().collect();
                    body.push_str(&new_text);
                    body.extend(&chars[to..]);
                    e.body = body;
                }
            }
            Ok(())
        })?;
        self.ack_stored(&entry.meta.id)?;
        Self::done("edit_entry");
        Ok(())
    }

    fn delete_restore(&mut self) -> onward_core::Result<()> {
        let id = self.any_record();
        let deleted = self.j.record(&id)?.meta().deleted;
        Self::begin("delete_restore", 0, vec![must(&id)]);
        let record = if deleted {
            self.j.restore(&id)?
        } else {
            self.j.delete(&id)?
        };
        self.ack_stored(record.id())?;
        Self::done("delete_restore");
        Ok(())
    }

    fn retag(&mut self) -> onward_core::Result<()> {
        let id = self.any_record();
        let add: Vec<String> = TAGS
            .sample(&mut self.rng, 2)
            .map(|t| t.to_string())
            .collect();
        let remove: Vec<String> = TAGS
            .sample(&mut self.rng, 1)
            .map(|t| t.to_string())
            .collect();
        Self::begin("retag", 0, vec![must(&id)]);
        let record = self.j.retag(&id, &add, &remove)?;
        self.ack_stored(record.id())?;
        Self::done("retag");
        Ok(())
    }

    /// Snoozes (now and then completes) a pending reminder; with none pending, checks in
    /// a mood instead.
    fn reminder(&mut self) -> onward_core::Result<()> {
        let pending =
            onward_core::reminders::pending(self.j.connection(), self.j.now(), self.j.zone())?;
        let Some(key) = pending.choose(&mut self.rng).map(|r| r.key.clone()) else {
            return self.add_mood();
        };
        Self::begin("reminder", 0, vec![must(&key)]);
        if self.rng.random_bool(0.15) {
            self.j.complete_reminder(&key)?;
        } else {
            let until = self.j.now() + Duration::minutes(self.rng.random_range(60..96 * 60));
            self.j.snooze_reminder(&key, until)?;
        }
        let state = self
            .j
            .with_document(|doc| doc.reminder_state(&key))?
            .ok_or_else(|| onward_core::Error::NotFound { id: key.clone() })?;
        emit(&Line::Ack {
            id: key,
            check: state_check(&state),
        });
        Self::done("reminder");
        Ok(())
    }

    fn draft_message(&mut self) -> onward_core::Result<()> {
        let kind = *MessageKind::ALL.choose(&mut self.rng).unwrap();
        let app = if self.apps.is_empty() || self.rng.random_bool(0.2) {
            None
        } else {
            Some(self.some_app())
        };
        let body = if self.rng.random_bool(0.5) {
            None
        } else {
            Some(self.text(20, 500))
        };
        // The message's id is made inside the journal: one record the test can't name.
        Self::begin("draft_message", 1, vec![]);
        let message = self
            .j
            .draft_message(kind, app.as_deref(), None, None, body)?;
        self.ack_stored(&message.meta.id)?;
        Self::done("draft_message");
        self.remember("message", &message.meta.id);
        Ok(())
    }

    fn add_activity(&mut self) -> onward_core::Result<()> {
        let category = *ActivityCategory::ALL.choose(&mut self.rng).unwrap();
        let description = self.text(3, 80);
        let mut activity = Activity::new(category, description);
        if self.rng.random_bool(0.5) {
            activity.done_at = Some(self.some_past(2));
            activity.mood_before = Some(self.scale());
            activity.mood_after = Some(self.scale());
        } else {
            activity.planned_for =
                Some(self.j.now() + Duration::hours(self.rng.random_range(1..48)));
        }
        Self::begin("add_activity", 0, vec![must(&activity.meta.id)]);
        let activity = self.j.create(activity)?;
        self.ack_stored(&activity.meta.id)?;
        Self::done("add_activity");
        self.remember("activity", &activity.meta.id);
        Ok(())
    }

    fn maintenance(&mut self, op: &'static str) -> onward_core::Result<()> {
        Self::begin(op, 0, vec![]);
        onward_tests::power_cut::arm(op);
        match op {
            "compact" => self.j.compact()?,
            "apply" => {
                self.j.apply_pending()?;
            }
            "tidy" => self.j.tidy()?,
            _ => self.j.rebuild_index()?,
        }
        Self::done(op);
        Ok(())
    }
}
