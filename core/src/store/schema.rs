//! The database schema and its stepwise upgrades. `PRAGMA user_version` holds the
//! version; each step upgrades from the one before, and a test checks that an upgraded
//! database equals a freshly created one.
//!
//! Two kinds of table: the document tables hold the truth (the Automerge document as a
//! compacted snapshot plus the change chunks saved since), and the index tables are
//! derived from the document and can be rebuilt from it at any time.

use rusqlite::Transaction;

/// The schema this build writes.
pub const VERSION: i64 = 6;

/// `PRAGMA application_id` of an Onward journal ("ONWD"), so another program's SQLite
/// file is recognised and left alone.
pub const APPLICATION_ID: i64 = 0x4F4E_5744;

/// Version 1: the document tables and the record index.
const V1: &str = r#"
CREATE TABLE document_snapshot (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    bytes       BLOB NOT NULL,
    generation  INTEGER NOT NULL,
    saved_at    INTEGER NOT NULL
);
CREATE TABLE document_chunks (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    bytes       BLOB NOT NULL,
    saved_at    INTEGER NOT NULL
);
CREATE TABLE journal_meta (
    key         TEXT PRIMARY KEY,
    value       BLOB NOT NULL
);

CREATE TABLE records (
    rowid           INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    occurred_at     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted         INTEGER NOT NULL,
    application_id  TEXT,
    title           TEXT NOT NULL,
    json            TEXT NOT NULL
);
CREATE INDEX records_by_time ON records (deleted, occurred_at DESC, id);
CREATE INDEX records_by_kind ON records (kind, deleted, occurred_at DESC);
CREATE INDEX records_by_application ON records (application_id, occurred_at);

CREATE TABLE tags (
    tag         TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    PRIMARY KEY (tag, record_id)
) WITHOUT ROWID;
CREATE INDEX tags_by_record ON tags (record_id);

CREATE TABLE links (
    to_id       TEXT NOT NULL,
    from_id     TEXT NOT NULL,
    rel         TEXT NOT NULL,
    PRIMARY KEY (to_id, from_id, rel)
) WITHOUT ROWID;
CREATE INDEX links_by_from ON links (from_id);

CREATE TABLE applications (
    id TEXT PRIMARY KEY, deleted INTEGER NOT NULL,
    company TEXT, role TEXT, source TEXT, location TEXT, work_mode TEXT,
    excitement INTEGER, stage TEXT, outcome TEXT,
    applied_at INTEGER, next_action_at INTEGER
);
CREATE INDEX applications_by_stage ON applications (outcome, stage);
CREATE TABLE interviews (
    id TEXT PRIMARY KEY, deleted INTEGER NOT NULL,
    application_id TEXT, round INTEGER, kind TEXT, scheduled_at INTEGER, self_rating INTEGER
);
CREATE TABLE contacts (
    id TEXT PRIMARY KEY, deleted INTEGER NOT NULL,
    name TEXT, company TEXT, role TEXT, email TEXT, last_interaction_at INTEGER
);
CREATE INDEX contacts_by_name ON contacts (name COLLATE NOCASE);
CREATE TABLE rejections (
    id TEXT PRIMARY KEY, deleted INTEGER NOT NULL,
    application_id TEXT, received_at INTEGER, channel TEXT, stage_reached TEXT,
    reason TEXT, feedback_status TEXT
);
CREATE TABLE messages (
    id TEXT PRIMARY KEY, deleted INTEGER NOT NULL,
    kind TEXT, application_id TEXT, contact_id TEXT, status TEXT,
    drafted_at INTEGER, sent_at INTEGER, reply_at INTEGER
);
CREATE TABLE entries (
    id TEXT PRIMARY KEY, deleted INTEGER NOT NULL,
    kind TEXT, perspective TEXT, written_at INTEGER,
    application_id TEXT, interview_id TEXT, rejection_id TEXT
);
CREATE TABLE moods (
    id TEXT PRIMARY KEY, deleted INTEGER NOT NULL,
    valence INTEGER, energy INTEGER, felt_at INTEGER, application_id TEXT, rejection_id TEXT
);
CREATE TABLE activities (
    id TEXT PRIMARY KEY, deleted INTEGER NOT NULL,
    category TEXT, contact_id TEXT, planned_for INTEGER, done_at INTEGER,
    mood_before INTEGER, mood_after INTEGER
);
CREATE TABLE goals (
    id TEXT PRIMARY KEY, deleted INTEGER NOT NULL,
    kind TEXT, title TEXT, status TEXT, due INTEGER, progress INTEGER, origin_id TEXT
);

CREATE VIRTUAL TABLE search USING fts5 (
    content,
    tokenize = 'unicode61 remove_diacritics 2'
);
"#;

/// Version 2: done and snoozed reminders get an index table of their own.
const V2: &str = r#"
CREATE TABLE reminder_states (
    key         TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    until       INTEGER,
    at          INTEGER NOT NULL
);
"#;

/// Version 3: what a device remembers about syncing (see docs/SYNC.md). Not derived from
/// the document: these rows are this device's own and are never rebuilt.
const V3: &str = r#"
CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    relay_url       TEXT NOT NULL,
    root_secret     BLOB NOT NULL,
    cursor          INTEGER NOT NULL DEFAULT 0,
    relay_heads     BLOB NOT NULL DEFAULT x'',
    enabled_at      INTEGER NOT NULL,
    last_success_at INTEGER,
    last_error      TEXT,
    last_error_at   INTEGER
);
CREATE TABLE sync_refused (
    seq         INTEGER PRIMARY KEY,
    batch_id    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE TABLE sync_waiting (
    seq         INTEGER PRIMARY KEY,
    changes     BLOB NOT NULL
);
"#;

/// Version 4: what a device needs to check the relay instead of trusting it (see
/// docs/SYNC.md, "What a device checks"): the id of the batch at the cursor, the
/// journal's incarnation on the relay, pushes acknowledged but not pulled back yet, this
/// device's id for its sealed records, and the last record heard from each other device.
const V4: &str = r#"
ALTER TABLE sync_state ADD COLUMN cursor_id TEXT;
ALTER TABLE sync_state ADD COLUMN incarnation TEXT;
ALTER TABLE sync_state ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_state ADD COLUMN device_name TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_state ADD COLUMN record_counter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN recovered_reason TEXT;
ALTER TABLE sync_state ADD COLUMN recovered_at INTEGER;
UPDATE sync_state SET device_id = lower(hex(randomblob(16))) WHERE device_id = '';
ALTER TABLE sync_refused ADD COLUMN prev_id TEXT;
CREATE TABLE sync_acked (
    seq         INTEGER PRIMARY KEY,
    batch_id    TEXT NOT NULL
);
CREATE TABLE sync_devices (
    device_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    counter     INTEGER NOT NULL,
    heads       BLOB NOT NULL,
    at          INTEGER NOT NULL,
    heard_at    INTEGER NOT NULL
);
"#;

/// Sync protocol v2: devices with their own keys. `protocol` 1 marks a device set up
/// with a shared root secret (it must join again); the device list is kept as verified;
/// `secrets` holds this device's keys only when no secret store was given.
const V5: &str = r#"
ALTER TABLE sync_state ADD COLUMN protocol INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sync_state ADD COLUMN journal_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_state ADD COLUMN members TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sync_state ADD COLUMN secrets BLOB;
"#;

/// Version 6: the outbox, where a user's write waits (acknowledged and durable) until it
/// is turned into an Automerge change off the write path (see `store::outbox`).
const V6: &str = r#"
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    message     TEXT NOT NULL,
    time        INTEGER NOT NULL,
    puts        TEXT NOT NULL
);
"#;

/// Each version's step, in order: `STEPS[n]` upgrades version n to n + 1.
const STEPS: [&str; VERSION as usize] = [V1, V2, V3, V4, V5, V6];

/// What an upgrade asks of the caller once the schema is in place.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Upgrade {
    /// A step added index tables that must be filled from the document.
    pub rebuild_index: bool,
}

/// Creates the schema of a new database.
pub fn create(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    upgrade_from(tx, 0).map(|_| ())
}

/// Upgrades step by step from `version` to [`VERSION`].
pub fn upgrade_from(tx: &Transaction<'_>, version: i64) -> rusqlite::Result<Upgrade> {
    apply_steps(tx, version, VERSION)?;
    Ok(Upgrade {
        // Version 2's reminder states were in the document only before it.
        rebuild_index: (1..2).contains(&version),
    })
}

/// The SQL of the step that upgrades `version - 1` to `version`. For the test that a
/// released step is never changed in place (a journal of that version would not get the
/// change: only a new step reaches it).
#[doc(hidden)]
pub fn step_sql(version: i64) -> Option<&'static str> {
    let index = usize::try_from(version.checked_sub(1)?).ok()?;
    STEPS.get(index).copied()
}

/// Builds the schema as the build of `version` left it. For the upgrade tests.
#[doc(hidden)]
pub fn create_at_version(tx: &Transaction<'_>, version: i64) -> rusqlite::Result<()> {
    apply_steps(tx, 0, version)
}

fn apply_steps(tx: &Transaction<'_>, from: i64, to: i64) -> rusqlite::Result<()> {
    for (step, sql) in STEPS.iter().enumerate() {
        let reaches = step as i64 + 1;
        if reaches > from && reaches <= to {
            tx.execute_batch(sql)?;
        }
    }
    tx.pragma_update(None, "user_version", to)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    Ok(())
}
