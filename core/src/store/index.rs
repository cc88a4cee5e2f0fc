//! The derived index: one row per record in `records` (what the timeline shows), a row
//! in the kind's own table (what lists filter by), tags, links and the full-text
//! `search` table. Everything here is rebuilt from the document on demand, and updated
//! for just the touched records after each write or merge.

use crate::document::{JournalDoc, Touched};
use crate::model::{Kind, Record};
use crate::Result;
use chrono::DateTime;
use rusqlite::{params, Connection, OptionalExtension, ToSql};
use serde_json::{Map, Value as Json};

/// The version of what the index derives from the document. Raise it when a derived
/// value changes (a title, a searchable field): journals rebuild their index on open.
pub const VERSION: i64 = 2;

const VERSION_KEY: &str = "index_version";

/// The version the index was last built with (0 when never).
pub fn stored_version(conn: &Connection) -> Result<i64> {
    Ok(conn
        .query_row(
            "SELECT value FROM journal_meta WHERE key = ?1",
            [VERSION_KEY],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Marks the index as built by no version, so the next open rebuilds it. A schema step
/// that needs a rebuild calls this in its own transaction: a process killed between the
/// step and the rebuild leaves a journal that rebuilds on the next open, not one whose
/// index silently lacks what the step added.
pub fn mark_stale(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM journal_meta WHERE key = ?1", [VERSION_KEY])?;
    Ok(())
}

/// How a kind-table column is read from the record's JSON.
#[derive(Clone, Copy)]
enum Col {
    /// A string or number, stored as it is.
    Plain(&'static str),
    /// An RFC 3339 timestamp, stored as epoch milliseconds so it sorts and compares.
    Time(&'static str),
}

use Col::{Plain, Time};

/// The columns of each kind's table after `id` and `deleted` (see `schema.rs`).
fn columns(kind: Kind) -> &'static [Col] {
    match kind {
        Kind::Application => &[
            Plain("company"),
            Plain("role"),
            Plain("source"),
            Plain("location"),
            Plain("work_mode"),
            Plain("excitement"),
            Plain("stage"),
            Plain("outcome"),
            Time("applied_at"),
            Time("next_action_at"),
        ],
        Kind::Interview => &[
            Plain("application_id"),
            Plain("round"),
            Plain("kind"),
            Time("scheduled_at"),
            Plain("self_rating"),
        ],
        Kind::Contact => &[
            Plain("name"),
            Plain("company"),
            Plain("role"),
            Plain("email"),
            Time("last_interaction_at"),
        ],
        Kind::Rejection => &[
            Plain("application_id"),
            Time("received_at"),
            Plain("channel"),
            Plain("stage_reached"),
            Plain("reason"),
            Plain("feedback_status"),
        ],
        Kind::Message => &[
            Plain("kind"),
            Plain("application_id"),
            Plain("contact_id"),
            Plain("status"),
            Time("drafted_at"),
            Time("sent_at"),
            Time("reply_at"),
        ],
        Kind::Entry => &[
            Plain("kind"),
            Plain("perspective"),
            Time("written_at"),
            Plain("application_id"),
            Plain("interview_id"),
            Plain("rejection_id"),
        ],
        Kind::Mood => &[
            Plain("valence"),
            Plain("energy"),
            Time("felt_at"),
            Plain("application_id"),
            Plain("rejection_id"),
        ],
        Kind::Activity => &[
            Plain("category"),
            Plain("contact_id"),
            Time("planned_for"),
            Time("done_at"),
            Plain("mood_before"),
            Plain("mood_after"),
        ],
        Kind::Goal => &[
            Plain("kind"),
            Plain("title"),
            Plain("status"),
            Time("due"),
            Plain("progress"),
            Plain("origin_id"),
        ],
    }
}

impl Col {
    fn name(self) -> &'static str {
        match self {
            Plain(n) | Time(n) => n,
        }
    }

    fn value(self, json: &Map<String, Json>) -> rusqlite::types::Value {
        use rusqlite::types::Value as Sql;
        match (self, json.get(self.name())) {
            (Time(_), Some(Json::String(s))) => parse_millis(s).map_or(Sql::Null, Sql::Integer),
            (Plain(_), Some(Json::String(s))) => Sql::Text(s.clone()),
            (Plain(_), Some(Json::Number(n))) => n.as_i64().map_or(Sql::Null, Sql::Integer),
            _ => Sql::Null,
        }
    }
}

/// Epoch milliseconds of an RFC 3339 timestamp.
pub fn parse_millis(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Where the index takes a record's fields from: the document, or a pending write's
/// draft (see `journal::draft`).
pub trait Source {
    /// A record's fields, or `None` when there is no such record.
    fn record(&self, kind: Kind, id: &str) -> Result<Option<Map<String, Json>>>;
    /// A reminder's state, or `None` when it has none.
    fn reminder(&self, key: &str) -> Result<Option<Map<String, Json>>>;
}

impl Source for JournalDoc {
    fn record(&self, kind: Kind, id: &str) -> Result<Option<Map<String, Json>>> {
        self.read(kind, id)
    }
    fn reminder(&self, key: &str) -> Result<Option<Map<String, Json>>> {
        self.reminder_state(key)
    }
}

/// A record's fields as the index holds them (what the document held when it was
/// last indexed, or what a pending write left), or `None` when it has no such record.
pub fn indexed(conn: &Connection, kind: Kind, id: &str) -> Result<Option<Map<String, Json>>> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT kind, json FROM records WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((k, json)) if k == kind.as_str() => match serde_json::from_str(&json) {
            Ok(Json::Object(fields)) => Ok(Some(fields)),
            _ => Err(crate::Error::Document(format!(
                "the index row of {kind} {id} does not read"
            ))),
        },
        _ => Ok(None),
    }
}

/// Brings the index rows of everything `touched` in line with `source` (the document,
/// or a pending write).
pub fn update(conn: &Connection, source: &dyn Source, touched: &Touched) -> Result<()> {
    // Applications come first (Kind order), so the records titled after them see them.
    let mut dependents = std::collections::BTreeSet::new();
    for (kind, id) in &touched.records {
        reindex(conn, source, *kind, id)?;
        if *kind == Kind::Application {
            dependents.extend(titled_after(conn, id)?);
        }
    }
    for (kind, id) in dependents.difference(&touched.records) {
        reindex(conn, source, *kind, id)?;
    }
    for key in &touched.reminders {
        match source.reminder(key)? {
            Some(state) => put_reminder_state(conn, key, &state)?,
            None => {
                conn.execute("DELETE FROM reminder_states WHERE key = ?1", [key])?;
            }
        }
    }
    Ok(())
}

/// Empties the index and fills it again from the document.
pub fn rebuild(conn: &Connection, doc: &JournalDoc) -> Result<()> {
    rebuild_reporting(conn, doc, &|_, _| {})
}

/// How often [`rebuild_reporting`] reports, in records.
const REPORT_EVERY: usize = 500;

/// [`rebuild`], telling `indexed(done, total)` how far it got every few hundred records.
/// Every record is written once, kind by kind (applications first, so the records
/// titled after them find their company), with the cached statements of [`update`]:
/// no per-record lookups of what else a change touched.
pub fn rebuild_reporting(
    conn: &Connection,
    doc: &JournalDoc,
    indexed: &dyn Fn(u64, u64),
) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM records; DELETE FROM tags; DELETE FROM links; DELETE FROM search;
         DELETE FROM reminder_states;",
    )?;
    for kind in Kind::ALL {
        conn.execute(&format!("DELETE FROM {}", kind.collection()), [])?;
    }
    // How many records there are (for the progress), and whether an id is under two
    // kinds (a document no version of Onward writes): then it is indexed as before, each
    // record in place of the one before it.
    let mut ids = std::collections::HashSet::new();
    let mut total = 0;
    for kind in Kind::ALL {
        for id in doc.ids(*kind)? {
            total += 1;
            ids.insert(id);
        }
    }
    let mut rows = if ids.len() == total {
        Rows::Fresh {
            search: Default::default(),
        }
    } else {
        Rows::Replaced
    };
    drop(ids);
    let total = total as u64;
    indexed(0, total);
    // Reading the records out of the document and writing their rows cost about the
    // same, so one thread reads while this one writes.
    std::thread::scope(|scope| -> Result<()> {
        let (send, read) = std::sync::mpsc::sync_channel(256);
        let reader = scope.spawn(move || -> Result<()> {
            for kind in Kind::ALL {
                let mut open = true;
                doc.each_record(*kind, |id, fields| {
                    // The writer stopped (an error): nothing more to read.
                    open = send.send((*kind, id, fields)).is_ok();
                    open
                })?;
                if !open {
                    break;
                }
            }
            Ok(())
        });
        let written = (|| -> Result<()> {
            for (done, (kind, id, fields)) in read.iter().enumerate() {
                put_record(conn, kind, &id, fields, &mut rows)?;
                if (done + 1) % REPORT_EVERY == 0 {
                    indexed(done as u64 + 1, total);
                }
            }
            Ok(())
        })();
        // Dropping the receiver first lets a reader blocked on a full channel finish.
        drop(read);
        let joined = reader.join();
        written?;
        joined.map_err(|_| {
            crate::Error::Document("reading the records for the index failed".into())
        })?
    })?;
    if let Rows::Fresh { search } = rows {
        let mut insert =
            conn.prepare_cached("INSERT INTO search (rowid, content) VALUES (?1, ?2)")?;
        for (rowid, text) in search {
            insert.execute(params![rowid, text])?;
        }
    }
    for (key, state) in doc.reminder_states()? {
        put_reminder_state(conn, &key, &state)?;
    }
    conn.execute(
        "INSERT OR REPLACE INTO journal_meta (key, value) VALUES (?1, ?2)",
        rusqlite::params![VERSION_KEY, VERSION],
    )?;
    indexed(total, total);
    Ok(())
}

fn reindex(conn: &Connection, source: &dyn Source, kind: Kind, id: &str) -> Result<()> {
    match source.record(kind, id)? {
        Some(fields) => put_record(conn, kind, id, fields, &mut Rows::Replaced),
        None => remove_record(conn, kind, id),
    }
}

/// How a record's rows go in.
enum Rows {
    /// In place of the rows it had (a write or a merge).
    Replaced,
    /// Into an emptied index (a rebuild): nothing to delete first, and the full-text
    /// rows gathered here and inserted together at the end. FTS5 turns what it holds
    /// into a segment of its own at every statement that opens a savepoint (the
    /// records upsert does), so full-text rows inserted between them made one segment
    /// per record and the merges of thousands of segments: a third of a bootstrap.
    /// Keyed by rowid, so they go in in rowid order.
    Fresh {
        search: std::collections::BTreeMap<i64, String>,
    },
}

/// Kinds whose list title names the company of their application.
fn titled_with_company(kind: Kind) -> bool {
    matches!(kind, Kind::Interview | Kind::Rejection | Kind::Message)
}

/// The records whose title names this application's company.
fn titled_after(conn: &Connection, application_id: &str) -> Result<Vec<(Kind, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, id FROM records WHERE application_id = ?1 AND kind != 'application'",
    )?;
    let rows = stmt.query_map([application_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, id) = row?;
        if let Some(kind) = kind.parse().ok().filter(|k| titled_with_company(*k)) {
            out.push((kind, id));
        }
    }
    Ok(out)
}

/// "Round 2 · technical · Acme": a list title with the company, when it is known.
fn title_in_context(conn: &Connection, record: &Record) -> Result<String> {
    let title = record.title();
    let app = record
        .application_id()
        .filter(|_| titled_with_company(record.kind()));
    let Some(app) = app else { return Ok(title) };
    let company: Option<String> = conn
        .prepare_cached("SELECT company FROM applications WHERE id = ?1")?
        .query_row([app], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(match company.filter(|c| !c.trim().is_empty()) {
        Some(company) => format!("{title} · {company}"),
        None => title,
    })
}

fn put_record(
    conn: &Connection,
    kind: Kind,
    id: &str,
    mut fields: Map<String, Json>,
    rows: &mut Rows,
) -> Result<()> {
    // A record another version wrote without an id field is still keyed by its map key.
    fields
        .entry("id")
        .or_insert_with(|| Json::String(id.to_string()));
    let record = match Record::from_json(kind, Json::Object(fields.clone())) {
        Ok(record) => record,
        // A record this version cannot read (a newer writer's shape) stays out of the
        // index but stays in the document, untouched.
        Err(_) => return remove_record(conn, kind, id),
    };
    let meta = record.meta();
    let json = serde_json::to_string(&fields).expect("JSON maps serialise");
    let rowid: Option<i64> = conn
        .prepare_cached(
            "INSERT INTO records (id, kind, occurred_at, created_at, updated_at, deleted,
                                  application_id, title, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET kind = ?2, occurred_at = ?3, created_at = ?4,
                updated_at = ?5, deleted = ?6, application_id = ?7, title = ?8, json = ?9
             RETURNING rowid",
        )?
        .query_row(
            params![
                id,
                kind.as_str(),
                record.occurred_at().timestamp_millis(),
                meta.created_at.timestamp_millis(),
                meta.updated_at.timestamp_millis(),
                meta.deleted,
                record.application_id(),
                title_in_context(conn, &record)?,
                json,
            ],
            |r| r.get(0),
        )
        .optional()?;

    // The kind's own table.
    let cols = columns(kind);
    let names: Vec<&str> = cols.iter().map(|c| c.name()).collect();
    let placeholders: Vec<String> = (3..cols.len() + 3).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT OR REPLACE INTO {} (id, deleted, {}) VALUES (?1, ?2, {})",
        kind.collection(),
        names.join(", "),
        placeholders.join(", ")
    );
    let values: Vec<rusqlite::types::Value> = cols.iter().map(|c| c.value(&fields)).collect();
    let mut args: Vec<&dyn ToSql> = vec![&id, &meta.deleted];
    args.extend(values.iter().map(|v| v as &dyn ToSql));
    conn.prepare_cached(&sql)?.execute(args.as_slice())?;

    // Tags and links.
    if matches!(rows, Rows::Replaced) {
        conn.prepare_cached("DELETE FROM tags WHERE record_id = ?1")?
            .execute([id])?;
        conn.prepare_cached("DELETE FROM links WHERE from_id = ?1")?
            .execute([id])?;
    }
    for tag in &meta.tags {
        conn.prepare_cached("INSERT OR IGNORE INTO tags (tag, record_id) VALUES (?1, ?2)")?
            .execute([tag, id])?;
    }
    for (rel, to) in links_of(&fields) {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO links (to_id, from_id, rel) VALUES (?1, ?2, ?3)",
        )?
        .execute([to.as_str(), id, rel.as_str()])?;
    }

    // Full-text search over everything the person wrote.
    if let Some(rowid) = rowid {
        let text = searchable_text(&fields);
        match rows {
            Rows::Fresh { search } => {
                search.insert(rowid, text);
            }
            Rows::Replaced => {
                conn.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
                    .execute([rowid])?;
                conn.prepare_cached("INSERT INTO search (rowid, content) VALUES (?1, ?2)")?
                    .execute(params![rowid, text])?;
            }
        }
    }
    Ok(())
}

fn remove_record(conn: &Connection, kind: Kind, id: &str) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM search WHERE rowid = (SELECT rowid FROM records WHERE id = ?1)",
    )?
    .execute([id])?;
    conn.prepare_cached("DELETE FROM records WHERE id = ?1")?
        .execute([id])?;
    conn.execute(
        &format!("DELETE FROM {} WHERE id = ?1", kind.collection()),
        [id],
    )?;
    conn.prepare_cached("DELETE FROM tags WHERE record_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM links WHERE from_id = ?1")?
        .execute([id])?;
    Ok(())
}

fn put_reminder_state(conn: &Connection, key: &str, state: &Map<String, Json>) -> Result<()> {
    let text = |k: &str| state.get(k).and_then(Json::as_str);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO reminder_states (key, status, until, at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        key,
        text("status").unwrap_or("done"),
        text("until").and_then(parse_millis),
        text("at").and_then(parse_millis).unwrap_or(0),
    ])?;
    Ok(())
}

/// Fields named `<rel>_id` or `<rel>_ids` point at other records.
fn links_of(fields: &Map<String, Json>) -> Vec<(String, String)> {
    let mut links = Vec::new();
    for (key, value) in fields {
        if let Some(rel) = key.strip_suffix("_ids") {
            for id in value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
            {
                links.push((rel.to_string(), id.to_string()));
            }
        } else if let (Some(rel), Some(id)) = (key.strip_suffix("_id"), value.as_str()) {
            links.push((rel.to_string(), id.to_string()));
        }
    }
    links
}

/// Fields holding a value picked from a fixed list (a stage, a kind): searching for
/// "first" or "open" should not find every record that has them.
const CHOICES: &[&str] = &[
    "kind",
    "perspective",
    "stage",
    "outcome",
    "status",
    "source",
    "work_mode",
    "channel",
    "reason",
    "feedback_status",
    "stage_reached",
    "category",
    "context_factors",
];

/// The words of a record worth finding: every string a person typed or chose, but not
/// ids and timestamps.
pub fn searchable_text(fields: &Map<String, Json>) -> String {
    fn walk(key: &str, value: &Json, out: &mut String) {
        let machine = key == "id"
            || key.ends_with("_id")
            || key.ends_with("_ids")
            || key.ends_with("_at")
            || CHOICES.contains(&key)
            || ["due", "planned_for", "prompt_set"].contains(&key);
        match value {
            Json::String(s) if !machine => {
                out.push_str(&s.replace('_', " "));
                out.push('\n');
            }
            Json::Array(items) if !machine => items.iter().for_each(|v| walk(key, v, out)),
            Json::Object(map) if key != "history" => map.iter().for_each(|(k, v)| walk(k, v, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    for (key, value) in fields {
        walk(key, value, &mut out);
    }
    out
}

/// Every index row as text, in a fixed order: equal dumps mean equal indexes. Row ids
/// are left out (they depend on insertion order), search rows are keyed by record id.
pub fn dump(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut tables: Vec<(String, String)> = vec![
        ("records".into(), "SELECT id, kind, occurred_at, created_at, updated_at, deleted, application_id, title, json FROM records ORDER BY id".into()),
        ("tags".into(), "SELECT * FROM tags ORDER BY tag, record_id".into()),
        ("links".into(), "SELECT * FROM links ORDER BY to_id, from_id, rel".into()),
        ("search".into(), "SELECT r.id, s.content FROM search s JOIN records r ON r.rowid = s.rowid ORDER BY r.id".into()),
        ("reminder_states".into(), "SELECT * FROM reminder_states ORDER BY key".into()),
    ];
    for kind in Kind::ALL {
        let t = kind.collection();
        tables.push((t.into(), format!("SELECT * FROM {t} ORDER BY id")));
    }
    for (table, sql) in tables {
        let mut stmt = conn.prepare(&sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let cells: Vec<String> = (0..width).map(|i| cell(row, i)).collect();
            out.push(format!("{table}: {}", cells.join(" | ")));
        }
    }
    Ok(out)
}

fn cell(row: &rusqlite::Row<'_>, i: usize) -> String {
    use rusqlite::types::ValueRef;
    match row.get_ref(i) {
        Ok(ValueRef::Null) => "NULL".into(),
        Ok(ValueRef::Integer(v)) => v.to_string(),
        Ok(ValueRef::Real(v)) => v.to_string(),
        Ok(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
        Ok(ValueRef::Blob(b)) => format!("{b:?}"),
        Err(e) => e.to_string(),
    }
}
