//! Reading what can still be read from a damaged journal file, for recovery into a new
//! one. The damaged file is never opened for writing: SQLite reads a private copy of it,
//! and the raw bytes are only read.
//!
//! Three sources, from the best to the last resort:
//! - the document tables through SQL, row by row, so one unreadable row or page does not
//!   hide the others;
//! - Automerge chunks carved out of the raw bytes of the file and of its WAL (each chunk
//!   starts with Automerge's magic bytes and carries a checksum, so a damaged one is
//!   recognised and left out);
//! - the index rows (each record's latest fields as JSON), for records whose history is
//!   gone from the document;
//! - the writes waiting in the outbox (acknowledged, not yet in the document).

use crate::{Error, Result};
use automerge::{Automerge, AutomergeError, LoadOptions, OnPartialLoad};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// The bytes at the start of every Automerge chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// A chunk header is at least magic, checksum, type and a one-byte length.
const HEADER_MIN: usize = 4 + 4 + 1 + 1;

/// Chunk ids are tried one by one up to this far past the last readable one.
const MAX_SEQ_PROBES: i64 = 1_000_000;

/// What could be read from a damaged journal.
#[derive(Debug, Default)]
pub struct Salvage {
    /// The compacted snapshot, when its row still reads.
    pub snapshot: Option<Vec<u8>>,
    /// Change chunks read through SQL.
    pub chunks: Vec<Vec<u8>>,
    /// Automerge chunks found in the raw bytes of the file and its WAL.
    pub carved: Vec<Vec<u8>>,
    /// Index rows: (kind, the record's fields as JSON text).
    pub index_rows: Vec<(String, String)>,
    /// Records written by the outbox's waiting writes, oldest first: (kind, fields as
    /// JSON text).
    pub outbox_records: Vec<(String, String)>,
    /// What could not be read, in words.
    pub problems: Vec<String>,
}

/// Reads everything that still reads from the journal at `path` (and its `-wal` file),
/// without changing either.
pub fn salvage(path: &Path) -> Result<Salvage> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Io { path: p, source }
    };
    let bytes = std::fs::read(path).map_err(io(path))?;
    let wal_path = PathBuf::from(format!("{}-wal", path.display()));
    let wal = match std::fs::read(&wal_path) {
        Ok(wal) => Some(wal),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(&wal_path)(e)),
    };

    let mut found = Salvage::default();
    read_through_sql(&bytes, wal.as_deref(), &mut found)?;
    found.carved = carve(&bytes);
    if let Some(wal) = &wal {
        found.carved.extend(carve(wal));
    }
    Ok(found)
}

/// Copies the file (and WAL) into a scratch folder and reads the copy through SQLite.
fn read_through_sql(bytes: &[u8], wal: Option<&[u8]>, found: &mut Salvage) -> Result<()> {
    let scratch = tempfile::tempdir().map_err(|source| Error::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let copy = scratch.path().join("copy.onward");
    let write = |p: &Path, b: &[u8]| {
        std::fs::write(p, b).map_err(|source| Error::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    write(&copy, &padded(bytes))?;
    if let Some(wal) = wal {
        write(&scratch.path().join("copy.onward-wal"), wal)?;
    }
    let conn = match Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(conn) => conn,
        Err(e) => {
            found
                .problems
                .push(format!("SQLite could not open the file: {e}"));
            return Ok(());
        }
    };
    match conn.query_row(
        "SELECT bytes FROM document_snapshot WHERE id = 1",
        [],
        |r| r.get::<_, Vec<u8>>(0),
    ) {
        Ok(snapshot) => found.snapshot = Some(snapshot),
        Err(e) => found
            .problems
            .push(format!("the document's snapshot does not read: {e}")),
    }
    read_chunks(&conn, found);
    read_index_rows(&conn, found);
    read_outbox(&conn, found);
    Ok(())
}

/// The records the outbox's waiting writes hold (a file from before the outbox has
/// none).
fn read_outbox(conn: &Connection, found: &mut Salvage) {
    use crate::store::outbox::Put;
    let scan = (|| -> rusqlite::Result<()> {
        let mut stmt = conn.prepare("SELECT puts FROM outbox ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let json: String = row.get(0)?;
            let Ok(puts) = serde_json::from_str::<Vec<Put>>(&json) else {
                found
                    .problems
                    .push("a write waiting in the outbox does not read".into());
                continue;
            };
            for put in puts {
                if let Put::Record { kind, fields, .. } = put {
                    let fields = serde_json::Value::Object(fields).to_string();
                    found
                        .outbox_records
                        .push((kind.as_str().to_string(), fields));
                }
            }
        }
        Ok(())
    })();
    match scan {
        Err(rusqlite::Error::SqliteFailure(_, Some(m))) if m.contains("no such table") => {}
        Err(e) => found.problems.push(format!(
            "the outbox stops reading after {} records: {e}",
            found.outbox_records.len()
        )),
        Ok(()) => {}
    }
}

/// A file cut short, made as long as its header says with zeroed pages: SQLite then
/// reads the pages that are left, and only the lost ones fail.
fn padded(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let word = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let page_size = match bytes.get(16..18).map(|b| u16::from_be_bytes([b[0], b[1]])) {
        Some(1) => 65_536,
        Some(size) if size >= 512 && size.is_power_of_two() => usize::from(size),
        _ => return bytes.into(),
    };
    let Some(expected) = word(28).and_then(|pages| pages.checked_mul(page_size)) else {
        return bytes.into();
    };
    // A page count past 1 GiB is a damaged header, not a journal to rebuild.
    if expected <= bytes.len() || expected > 1 << 30 {
        return bytes.into();
    }
    let mut whole = bytes.to_vec();
    whole.resize(expected, 0);
    whole.into()
}

/// Every change chunk that reads: a scan first, then the ids after where it stopped
/// one at a time (a damaged page hides only its own rows from a lookup).
fn read_chunks(conn: &Connection, found: &mut Salvage) {
    let mut last = 0i64;
    let scan = (|| -> rusqlite::Result<()> {
        let mut stmt = conn.prepare("SELECT seq, bytes FROM document_chunks ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            last = row.get(0)?;
            found.chunks.push(row.get(1)?);
        }
        Ok(())
    })();
    let Err(e) = scan else { return };
    found
        .problems
        .push(format!("the change chunks stop reading after #{last}: {e}"));
    let highest: i64 = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'document_chunks'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(last + MAX_SEQ_PROBES);
    let mut unreadable = 0;
    let Ok(mut stmt) = conn.prepare("SELECT bytes FROM document_chunks WHERE seq = ?1") else {
        return;
    };
    for seq in last + 1..=highest.min(last + MAX_SEQ_PROBES) {
        match stmt.query_row([seq], |r| r.get::<_, Vec<u8>>(0)) {
            Ok(bytes) => found.chunks.push(bytes),
            Err(rusqlite::Error::QueryReturnedNoRows) => {}
            Err(_) => unreadable += 1,
        }
    }
    if unreadable > 0 {
        found
            .problems
            .push(format!("{unreadable} change chunks do not read"));
    }
}

fn read_index_rows(conn: &Connection, found: &mut Salvage) {
    let scan = (|| -> rusqlite::Result<()> {
        let mut stmt = conn.prepare("SELECT kind, json FROM records")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            found.index_rows.push((row.get(0)?, row.get(1)?));
        }
        Ok(())
    })();
    if let Err(e) = scan {
        found.problems.push(format!(
            "the index stops reading after {} records: {e}",
            found.index_rows.len()
        ));
    }
}

/// Every whole Automerge chunk (checksum right) found in `bytes`. Chunks that SQLite
/// split over several pages are not whole here; the SQL pass reads those.
pub fn carve(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    let mut at = 0;
    while let Some(offset) = find(&bytes[at..], &MAGIC) {
        let start = at + offset;
        match chunk_len(&bytes[start..]) {
            Some(len) if is_whole(&bytes[start..start + len]) => {
                chunks.push(bytes[start..start + len].to_vec());
                at = start + len;
            }
            _ => at = start + 1,
        }
    }
    chunks
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The length of the chunk starting at `bytes[0]` (header included), if it fits.
fn chunk_len(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < HEADER_MIN {
        return None;
    }
    // Magic (4), checksum (4), chunk type (1), then the body's length as a ULEB128.
    let mut len: u64 = 0;
    let mut shift = 0;
    let mut at = 9;
    loop {
        let byte = *bytes.get(at)?;
        at += 1;
        len |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let total = (at as u64).checked_add(len)?;
    (total <= bytes.len() as u64).then_some(total as usize)
}

/// Automerge reads the chunk strictly: whole and with its checksum right.
pub fn is_whole(chunk: &[u8]) -> bool {
    let strict = LoadOptions::new().on_partial_load(OnPartialLoad::Error);
    matches!(
        Automerge::load_with_options(chunk, strict),
        Ok(_) | Err(AutomergeError::MissingDeps)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carving_finds_whole_chunks_among_other_bytes_and_skips_damaged_ones() {
        let mut doc = automerge::AutoCommit::new();
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "a", 1).unwrap();
        let first = doc.save_incremental();
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "b", 2).unwrap();
        let second = doc.save_incremental();
        let mut damaged = second.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0x40;

        let mut file = b"page header ".to_vec();
        file.extend(&first);
        file.extend(b"\x85\x6f\x4a"); // a magic cut short
        file.extend(&damaged);
        file.extend(b" between rows ");
        file.extend(&second);
        file.extend(&MAGIC);

        assert_eq!(carve(&file), vec![first, second]);
    }
}
