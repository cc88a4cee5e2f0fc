//! Reading the index: the timeline, search, a record with its links, id look-ups.
//! Reads never need the Automerge document, which keeps a cold start fast.

use crate::model::{Kind, Record};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params_from_iter, types::Value as Sql, Connection, OptionalExtension};
use serde_json::Value as Json;

/// What the timeline shows. Empty filters show everything that is not deleted.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kinds: Vec<Kind>,
    pub tag: Option<String>,
    pub application_id: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Show deleted records too (to find one to restore).
    pub include_deleted: bool,
    /// Only deleted records.
    pub only_deleted: bool,
    pub limit: usize,
    pub offset: usize,
}

/// A record as lists show it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub record: Record,
    /// The list title, with context the record alone lacks ("Round 2 · technical · Acme").
    pub title: String,
}

/// One search result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub record: Record,
    /// As in [`Listed::title`].
    pub title: String,
    /// The matching words in context, with `[` `]` around the matches.
    pub snippet: String,
}

/// A link between two records, seen from one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// What the link is: `application`, `contact`, `interviewer`, `origin`, ...
    pub rel: String,
    pub id: String,
    pub kind: Option<Kind>,
    pub title: Option<String>,
}

/// A record from its index row. The row was written from a checked record, so a row
/// that does not read is damage in the file.
pub fn record_from_row(kind: &str, json: &str) -> Result<Record> {
    let damaged =
        |e: &dyn std::fmt::Display| Error::Document(format!("an index row is damaged: {e}"));
    let kind: Kind = kind.parse().map_err(|e: Error| damaged(&e))?;
    let json: Json = serde_json::from_str(json).map_err(|e| damaged(&e))?;
    Record::from_json(kind, json).map_err(|e| damaged(&e))
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<Record>> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT kind, json FROM records WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(kind, json)| record_from_row(&kind, &json))
        .transpose()
}

/// The full id for an id or a unique prefix of one (as `git` takes short hashes).
pub fn resolve(conn: &Connection, id_or_prefix: &str) -> Result<String> {
    let wanted = id_or_prefix.trim().to_lowercase();
    if wanted.len() < 4 {
        return Err(Error::invalid("id", "give at least 4 characters of the id"));
    }
    let mut stmt = conn
        .prepare_cached("SELECT id FROM records WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 5")?;
    let upper = format!("{wanted}\u{7f}");
    let found: Vec<String> = stmt
        .query_map([&wanted, &upper], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match found.as_slice() {
        [] => Err(Error::NotFound { id: wanted }),
        [one] => Ok(one.clone()),
        many if many.contains(&wanted) => Ok(wanted),
        many => Err(Error::Ambiguous {
            prefix: wanted,
            candidates: many
                .iter()
                .map(|id| short(id))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// The first 8 characters of an id: enough to tell records apart in a journal.
pub fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

pub fn timeline(conn: &Connection, filter: &Filter) -> Result<Vec<Listed>> {
    let mut args: Vec<Sql> = Vec::new();
    // A filter that picks few records (an application, a tag) drives the query from
    // those ids; otherwise the time index walks the journal newest first.
    let mut picks: Vec<&str> = Vec::new();
    if let Some(app) = &filter.application_id {
        picks.push("SELECT id FROM records WHERE application_id = ? UNION SELECT from_id FROM links WHERE to_id = ?");
        args.push(Sql::Text(app.clone()));
        args.push(Sql::Text(app.clone()));
    }
    if let Some(tag) = &filter.tag {
        picks.push("SELECT record_id AS id FROM tags WHERE tag = ?");
        args.push(Sql::Text(tag.clone()));
    }
    let mut sql = if picks.is_empty() {
        String::from("SELECT r.kind, r.json, r.title FROM records r WHERE 1 = 1")
    } else {
        let picked = picks
            .iter()
            .map(|p| format!("SELECT * FROM ({p})"))
            .collect::<Vec<_>>()
            .join(" INTERSECT ");
        format!(
            "SELECT r.kind, r.json, r.title FROM ({picked}) AS picked
             JOIN records r ON r.id = picked.id WHERE 1 = 1"
        )
    };
    if filter.only_deleted {
        sql.push_str(" AND r.deleted = 1");
    } else if !filter.include_deleted {
        sql.push_str(" AND r.deleted = 0");
    }
    if !filter.kinds.is_empty() {
        let marks = vec!["?"; filter.kinds.len()].join(", ");
        sql.push_str(&format!(" AND r.kind IN ({marks})"));
        args.extend(filter.kinds.iter().map(|k| Sql::Text(k.as_str().into())));
    }
    if let Some(since) = filter.since {
        sql.push_str(" AND r.occurred_at >= ?");
        args.push(Sql::Integer(since.timestamp_millis()));
    }
    if let Some(until) = filter.until {
        sql.push_str(" AND r.occurred_at < ?");
        args.push(Sql::Integer(until.timestamp_millis()));
    }
    sql.push_str(" ORDER BY r.occurred_at DESC, r.id LIMIT ? OFFSET ?");
    args.push(Sql::Integer(
        if filter.limit == 0 { 50 } else { filter.limit } as i64,
    ));
    args.push(Sql::Integer(filter.offset as i64));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    rows.map(|row| {
        let (kind, json, title) = row?;
        Ok(Listed {
            record: record_from_row(&kind, &json)?,
            title,
        })
    })
    .collect()
}

/// Full-text search over everything written. Words are matched as prefixes, all of
/// them must appear; punctuation in the query is taken literally, never as syntax.
pub fn search(conn: &Connection, query: &str, limit: usize) -> Result<Vec<Hit>> {
    let terms: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{}\"*", t.to_lowercase()))
        .collect();
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT r.kind, r.json, r.title, snippet(search, 0, '[', ']', '…', 12)
         FROM search JOIN records r ON r.rowid = search.rowid
         WHERE search MATCH ?1 AND r.deleted = 0
         ORDER BY rank LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![terms.join(" "), limit as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    rows.map(|row| {
        let (kind, json, title, snippet) = row?;
        Ok(Hit {
            record: record_from_row(&kind, &json)?,
            title,
            snippet: snippet.replace('\n', " "),
        })
    })
    .collect()
}

/// Links from this record to others, and from others to it.
pub fn links(conn: &Connection, id: &str) -> Result<(Vec<Link>, Vec<Link>)> {
    let query = |sql: &str| -> Result<Vec<Link>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([id], |r| {
            Ok(Link {
                rel: r.get(0)?,
                id: r.get(1)?,
                kind: r.get::<_, Option<String>>(2)?.and_then(|k| k.parse().ok()),
                title: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let outgoing = query(
        "SELECT l.rel, l.to_id, r.kind, r.title FROM links l LEFT JOIN records r ON r.id = l.to_id
         WHERE l.from_id = ?1 ORDER BY l.rel, l.to_id",
    )?;
    let incoming = query(
        "SELECT l.rel, l.from_id, r.kind, r.title FROM links l JOIN records r ON r.id = l.from_id
         WHERE l.to_id = ?1 AND r.deleted = 0 ORDER BY r.occurred_at, l.from_id",
    )?;
    Ok((outgoing, incoming))
}

/// A contact with exactly this name (ignoring case), if there is one.
pub fn contact_named(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM contacts WHERE name = ?1 COLLATE NOCASE AND deleted = 0 LIMIT 1",
        )?
        .query_row([name.trim()], |r| r.get(0))
        .optional()?)
}

/// How many records of each kind there are (not deleted).
pub fn counts(conn: &Connection) -> Result<Vec<(Kind, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, count(*) FROM records WHERE deleted = 0 GROUP BY kind ORDER BY kind",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, n) = row?;
        if let Ok(kind) = kind.parse() {
            out.push((kind, n));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        crate::store::schema::create(&tx).unwrap();
        tx.commit().unwrap();
        for (rowid, id, text) in [
            (1, "abcd1111-0000", "Rust and C++ at Acme"),
            (2, "abcd2222-0000", "a talk about résumés"),
        ] {
            conn.execute(
                "INSERT INTO records VALUES (?1, ?2, 'mood', 0, 0, 0, 0, NULL, 't',
                 '{\"id\":\"x\",\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\",\"valence\":3,\"note\":\"\",\"felt_at\":\"2026-01-01T00:00:00Z\"}')",
                rusqlite::params![rowid, id],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO search (rowid, content) VALUES (?1, ?2)",
                rusqlite::params![rowid, text],
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn search_syntax_in_the_query_is_taken_literally() {
        let conn = db();
        for query in [
            "C++",
            "\"unbalanced",
            "rust OR",
            "NEAR(",
            "acme*",
            "-",
            "AND",
        ] {
            assert!(search(&conn, query, 10).is_ok(), "{query}");
        }
        assert_eq!(search(&conn, "C++", 10).unwrap().len(), 1);
        assert_eq!(
            search(&conn, "resume", 10).unwrap().len(),
            1,
            "accents folded"
        );
        assert_eq!(search(&conn, "ac", 10).unwrap().len(), 1, "prefixes match");
        assert!(search(&conn, "   ", 10).unwrap().is_empty());
    }

    #[test]
    fn ids_resolve_by_unique_prefix() {
        let conn = db();
        assert_eq!(resolve(&conn, "abcd1").unwrap(), "abcd1111-0000");
        assert!(matches!(
            resolve(&conn, "abcd"),
            Err(Error::Ambiguous { .. })
        ));
        assert!(matches!(
            resolve(&conn, "ffff"),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(resolve(&conn, "ab"), Err(Error::Invalid { .. })));
    }
}

/// A glance at the search: what is in play and how much was done lately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Pulse {
    /// Applications still open.
    pub active_applications: i64,
    /// Everything logged (any kind) that happened since the given time.
    pub actions_since: i64,
}

pub fn pulse(conn: &Connection, since: DateTime<Utc>) -> Result<Pulse> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM applications WHERE deleted = 0 AND outcome = 'open'),
                (SELECT count(*) FROM records WHERE deleted = 0 AND occurred_at >= ?1)",
        [since.timestamp_millis()],
        |r| {
            Ok(Pulse {
                active_applications: r.get(0)?,
                actions_since: r.get(1)?,
            })
        },
    )?)
}
