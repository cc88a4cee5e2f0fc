//! The document tables: a compacted snapshot plus the change chunks appended since.

use crate::document::JournalDoc;
use crate::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// How far this process has read the document tables, so a writer can pick up what
/// another process (or connection) appended in the meantime.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub generation: i64,
    pub last_chunk: i64,
    /// Bytes of the snapshot and of the chunks read so far, kept as they change so a
    /// write can decide on compaction without scanning the chunks.
    pub snapshot_bytes: i64,
    pub chunk_bytes: i64,
}

impl Cursor {
    /// The chunks have outgrown the snapshot (and `floor` bytes): time to compact.
    pub fn wants_compaction(&self, floor: i64) -> bool {
        self.chunk_bytes > self.snapshot_bytes.max(floor)
    }
}

/// Sizes, for deciding when to compact and for `doctor`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sizes {
    pub snapshot_bytes: i64,
    pub chunk_bytes: i64,
    pub chunks: i64,
}

const ACTOR: &str = "actor";

/// This file's Automerge actor id, if it has one yet (read-only).
pub fn stored_actor(conn: &Connection) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row(
            "SELECT value FROM journal_meta WHERE key = ?1",
            [ACTOR],
            |r| r.get(0),
        )
        .optional()?)
}

/// This file's Automerge actor id, created on first use.
pub fn actor(conn: &Connection) -> Result<Vec<u8>> {
    if let Some(actor) = stored_actor(conn)? {
        return Ok(actor);
    }
    let actor = uuid::Uuid::new_v4().as_bytes().to_vec();
    conn.execute(
        "INSERT INTO journal_meta (key, value) VALUES (?1, ?2)",
        params![ACTOR, actor],
    )?;
    Ok(actor)
}

/// Writes the first snapshot of a new journal.
pub fn init(conn: &Connection, doc: &mut JournalDoc, now_ms: i64) -> Result<Cursor> {
    let bytes = doc.save();
    conn.execute(
        "INSERT INTO document_snapshot (id, bytes, generation, saved_at) VALUES (1, ?1, 1, ?2)",
        params![bytes, now_ms],
    )?;
    Ok(Cursor {
        generation: 1,
        last_chunk: 0,
        snapshot_bytes: bytes.len() as i64,
        chunk_bytes: 0,
    })
}

/// Reads the whole document. `None` when the journal has no snapshot yet.
pub fn load(conn: &Connection, actor: &[u8]) -> Result<Option<(JournalDoc, Cursor)>> {
    let snapshot: Option<(Vec<u8>, i64)> = conn
        .query_row(
            "SELECT bytes, generation FROM document_snapshot WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((snapshot, generation)) = snapshot else {
        return Ok(None);
    };
    let chunks = chunks_after(conn, 0)?;
    let last_chunk = chunks.last().map(|(seq, _)| *seq).unwrap_or(0);
    let doc = JournalDoc::load(&snapshot, chunks.iter().map(|(_, b)| b.as_slice()), actor)?;
    let cursor = Cursor {
        generation,
        last_chunk,
        snapshot_bytes: snapshot.len() as i64,
        chunk_bytes: chunks.iter().map(|(_, b)| b.len() as i64).sum(),
    };
    Ok(Some((doc, cursor)))
}

/// What was written since `cursor` (by another connection): bytes to merge, and the new
/// cursor. A compaction since then means the whole snapshot is new to us.
pub fn changes_since(conn: &Connection, cursor: Cursor) -> Result<(Vec<Vec<u8>>, Cursor)> {
    let (snapshot, generation): (Option<Vec<u8>>, i64) = {
        let generation: Option<i64> = conn
            .query_row(
                "SELECT generation FROM document_snapshot WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        // A journal that was opened but never written to has no document yet.
        let Some(generation) = generation else {
            return Ok((Vec::new(), cursor));
        };
        if generation == cursor.generation {
            (None, generation)
        } else {
            let bytes = conn.query_row(
                "SELECT bytes FROM document_snapshot WHERE id = 1",
                [],
                |r| r.get(0),
            )?;
            (Some(bytes), generation)
        }
    };
    let from = if snapshot.is_some() {
        0
    } else {
        cursor.last_chunk
    };
    let chunks = chunks_after(conn, from)?;
    let last_chunk = chunks.last().map(|(seq, _)| *seq).unwrap_or(from);
    let new_chunk_bytes: i64 = chunks.iter().map(|(_, b)| b.len() as i64).sum();
    let next = match &snapshot {
        Some(snapshot) => Cursor {
            generation,
            last_chunk,
            snapshot_bytes: snapshot.len() as i64,
            chunk_bytes: new_chunk_bytes,
        },
        None => Cursor {
            last_chunk,
            chunk_bytes: cursor.chunk_bytes + new_chunk_bytes,
            ..cursor
        },
    };
    let bytes = snapshot
        .into_iter()
        .chain(chunks.into_iter().map(|(_, b)| b))
        .collect();
    Ok((bytes, next))
}

fn chunks_after(conn: &Connection, seq: i64) -> Result<Vec<(i64, Vec<u8>)>> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, bytes FROM document_chunks WHERE seq > ?1 ORDER BY seq")?;
    let rows = stmt.query_map([seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Appends one chunk of changes and moves the cursor past it.
pub fn append(conn: &Connection, cursor: &mut Cursor, bytes: &[u8], now_ms: i64) -> Result<()> {
    conn.prepare_cached("INSERT INTO document_chunks (bytes, saved_at) VALUES (?1, ?2)")?
        .execute(params![bytes, now_ms])?;
    cursor.last_chunk = conn.last_insert_rowid();
    cursor.chunk_bytes += bytes.len() as i64;
    Ok(())
}

pub fn sizes(conn: &Connection) -> Result<Sizes> {
    let snapshot_bytes = conn.query_row(
        "SELECT coalesce(sum(length(bytes)), 0) FROM document_snapshot",
        [],
        |r| r.get(0),
    )?;
    let (chunk_bytes, chunks) = conn.query_row(
        "SELECT coalesce(sum(length(bytes)), 0), count(*) FROM document_chunks",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Sizes {
        snapshot_bytes,
        chunk_bytes,
        chunks,
    })
}

/// Replaces snapshot and chunks by one new snapshot. The caller holds the write lock
/// and has merged every chunk into `doc`, so nothing is dropped.
pub fn compact(
    conn: &Connection,
    doc: &mut JournalDoc,
    cursor: Cursor,
    now_ms: i64,
) -> Result<Cursor> {
    let generation = cursor.generation + 1;
    let bytes = doc.save();
    conn.execute(
        "UPDATE document_snapshot SET bytes = ?1, generation = ?2, saved_at = ?3 WHERE id = 1",
        params![bytes, generation, now_ms],
    )?;
    conn.execute(
        "DELETE FROM document_chunks WHERE seq <= ?1",
        [cursor.last_chunk],
    )?;
    Ok(Cursor {
        generation,
        last_chunk: cursor.last_chunk,
        snapshot_bytes: bytes.len() as i64,
        chunk_bytes: 0,
    })
}

/// Replaces snapshot and chunks by `snapshot` (a saved document, as a relay's snapshot
/// arrives) and `rest` (changes after it, if any), without saving the document again.
/// The caller holds the write lock and has merged every chunk into the document these
/// bytes make, so nothing is dropped.
pub fn replace(
    conn: &Connection,
    snapshot: &[u8],
    rest: &[u8],
    cursor: Cursor,
    now_ms: i64,
) -> Result<Cursor> {
    let generation = cursor.generation + 1;
    conn.execute(
        "INSERT OR REPLACE INTO document_snapshot (id, bytes, generation, saved_at)
         VALUES (1, ?1, ?2, ?3)",
        params![snapshot, generation, now_ms],
    )?;
    conn.execute("DELETE FROM document_chunks", [])?;
    let mut next = Cursor {
        generation,
        last_chunk: cursor.last_chunk,
        snapshot_bytes: snapshot.len() as i64,
        chunk_bytes: 0,
    };
    if !rest.is_empty() {
        append(conn, &mut next, rest, now_ms)?;
    }
    Ok(next)
}
