//! Recovery of a damaged journal into a new file: everything that can still be read is
//! merged into a fresh journal, and the damaged file is left exactly as it was.

use super::Journal;
use crate::model::{Kind, Record};
use crate::store::salvage::{self, Salvage};
use crate::{Error, Result};
use automerge::{Automerge, ReadDoc};
use std::collections::BTreeSet;
use std::path::Path;

/// What [`Journal::recover`] found and saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Recovered {
    /// The snapshot (the compacted history) read whole, its checksum right.
    pub snapshot: bool,
    /// Change chunks read through SQLite.
    pub chunks: usize,
    /// Change chunks found in the raw bytes of the file and its WAL.
    pub carved: usize,
    /// Pieces that were readable bytes but not part of this journal's document.
    pub refused: usize,
    /// Changes left out because earlier history they build on is gone.
    pub history_gaps: usize,
    /// Records in the new journal, from the document (with their history).
    pub from_document: usize,
    /// Records taken from the damaged file's index alone (their latest version, without
    /// history), because the document had lost them.
    pub from_index: usize,
    /// Records taken from the writes waiting in the damaged file's outbox alone.
    pub from_outbox: usize,
    /// What could not be read, in words.
    pub problems: Vec<String>,
}

impl Recovered {
    /// Records in the new journal.
    pub fn records(&self) -> usize {
        self.from_document + self.from_index + self.from_outbox
    }
}

impl Journal {
    /// Reads whatever can still be read from the damaged journal at `damaged` (its
    /// document's snapshot and change chunks, Automerge chunks left in the raw bytes, the
    /// index rows) and merges it into a new journal at `into`, which must not exist yet.
    /// The damaged file is never written to.
    pub fn recover(damaged: &Path, into: &Path) -> Result<(Journal, Recovered)> {
        if into.exists() {
            return Err(Error::invalid(
                "the new journal",
                format!(
                    "{} already exists; recovery writes to a new file only, so give a path that is not taken yet",
                    into.display()
                ),
            ));
        }
        if !damaged.is_file() {
            return Err(Error::Io {
                path: damaged.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "there is no journal file here to recover from",
                ),
            });
        }
        let found = salvage::salvage(damaged)?;
        let (document, mut recovered) = assemble(&found);

        // The new journal is built under another name and takes its own only when whole,
        // so a recovery cut off (a kill, a power cut) leaves no file at `into` that looks
        // like a recovery. A leftover of an earlier cut-off recovery goes first.
        let partial = partial_path(into);
        remove_database(&partial);
        let built = (|| {
            let mut journal = Journal::open(&partial)?;
            journal.merge_bytes(&document)?;
            let in_document: BTreeSet<String> = journal.with_document(|doc| {
                let mut ids = BTreeSet::new();
                for kind in Kind::ALL {
                    ids.extend(doc.ids(*kind)?);
                }
                Ok(ids)
            })?;
            recovered.from_document = in_document.len();

            let only_indexed = index_records(&found, &in_document, &mut recovered.problems);
            recovered.from_index = only_indexed.len();
            let mut known = in_document;
            known.extend(only_indexed.iter().map(|r| r.id().to_string()));
            if !only_indexed.is_empty() {
                journal.put_records(only_indexed, true, &mut |_, _| {})?;
            }
            // The writes acknowledged but not yet in the document are the latest
            // versions of their records: they go on top, oldest first.
            let waiting = readable_records(&found.outbox_records, &mut recovered.problems);
            recovered.from_outbox = waiting
                .iter()
                .map(|r| r.id())
                .filter(|id| !known.contains(*id))
                .collect::<BTreeSet<_>>()
                .len();
            if !waiting.is_empty() {
                journal.put_records(waiting, false, &mut |_, _| {})?;
            }
            // Everything into the database file itself: only that file is renamed.
            journal
                .connection()
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
            Ok(())
        })();
        recovered.problems.extend(found.problems);
        if let Err(e) = built {
            remove_database(&partial);
            return Err(e);
        }
        if recovered.records() == 0 {
            // Nothing to keep: no new file, so that the person is not left with one that
            // looks like a recovery.
            remove_database(&partial);
            return Err(Error::Corrupt {
                path: damaged.to_path_buf(),
                detail: format!(
                    "no record could be read from it ({}), so no new journal was made",
                    recovered.problems.join("; ")
                ),
            });
        }
        publish(&partial, into)?;
        Ok((Journal::open(into)?, recovered))
    }
}

/// Where a recovery into `into` builds the new journal until it is whole.
pub fn partial_path(into: &Path) -> std::path::PathBuf {
    let mut name = into.file_name().unwrap_or_default().to_os_string();
    name.push(".recovering");
    into.with_file_name(name)
}

/// Removes a database file and the files SQLite keeps beside it, if there.
fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Gives the whole new journal at `partial` its name `into` in one step, never over a
/// file that appeared there meanwhile.
fn publish(partial: &Path, into: &Path) -> Result<()> {
    let io = |source: std::io::Error| Error::Io {
        path: into.to_path_buf(),
        source,
    };
    std::fs::File::open(partial)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    for suffix in ["-wal", "-journal"] {
        let beside = format!("{}{suffix}", partial.display());
        if std::fs::metadata(&beside).is_ok_and(|m| m.len() > 0) {
            return Err(io(std::io::Error::other(format!(
                "the recovered journal was not written through ({beside} is left); nothing was \
                 put at the new path, try again"
            ))));
        }
    }
    match std::fs::hard_link(partial, into) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(io(e)),
        // A file system without hard links: a rename, checked just before.
        Err(_) if into.exists() => {
            return Err(io(std::io::Error::from(std::io::ErrorKind::AlreadyExists)))
        }
        Err(_) => std::fs::rename(partial, into).map_err(io)?,
    }
    remove_database(partial);
    if let Some(dir) = into.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The new name made durable; a directory that can't be opened for it is no error.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Loads every piece into one document, leaving out pieces that do not read or that
/// belong to another document. Returns the document saved whole.
fn assemble(found: &Salvage) -> (Vec<u8>, Recovered) {
    let mut recovered = Recovered {
        snapshot: found.snapshot.as_deref().is_some_and(salvage::is_whole),
        chunks: found.chunks.len(),
        carved: found.carved.len(),
        ..Recovered::default()
    };
    // The shared first change of every journal, so history that builds on it places.
    let mut doc = Automerge::load(&crate::document::layout::genesis().save())
        .expect("the genesis document loads");
    let pieces = found
        .snapshot
        .iter()
        .chain(&found.chunks)
        .chain(&found.carved);
    for piece in pieces {
        if piece_fits(&doc, piece) {
            // Damaged bytes were found out by `piece_fits`; what remains loads.
            let _ = doc.load_incremental(piece);
        } else {
            recovered.refused += 1;
        }
    }
    recovered.history_gaps = doc.get_missing_deps(&[]).len();
    if recovered.history_gaps > 0 {
        recovered.problems.push(format!(
            "{} changes build on history that could not be read, and were left out",
            recovered.history_gaps
        ));
    }
    (doc.save(), recovered)
}

/// Whether `piece` is whole (every chunk's checksum right) and loads on top of `doc`
/// without replacing the journal's collections (which a piece of another journal would
/// do).
fn piece_fits(doc: &Automerge, piece: &[u8]) -> bool {
    if !salvage::is_whole(piece) {
        return false;
    }
    let mut trial = doc.clone();
    let collections = |d: &Automerge| -> Vec<Vec<automerge::ObjId>> {
        Kind::ALL
            .iter()
            .map(|k| {
                d.get_all(automerge::ROOT, k.collection())
                    .map(|all| all.into_iter().map(|(_, id)| id).collect())
                    .unwrap_or_default()
            })
            .collect()
    };
    let before = collections(&trial);
    trial.load_incremental(piece).is_ok() && collections(&trial) == before
}

/// The records of the damaged index that the recovered document lacks.
fn index_records(
    found: &Salvage,
    in_document: &BTreeSet<String>,
    problems: &mut Vec<String>,
) -> Vec<Record> {
    let mut records = readable_records(&found.index_rows, problems);
    records.retain(|r| !in_document.contains(r.id()));
    records
}

/// The rows (kind, fields as JSON) that read as valid records, in their order.
fn readable_records(rows: &[(String, String)], problems: &mut Vec<String>) -> Vec<Record> {
    let mut records = Vec::new();
    let mut unreadable = 0;
    for (kind, json) in rows {
        let record = kind
            .parse::<Kind>()
            .ok()
            .and_then(|kind| Some((kind, serde_json::from_str(json).ok()?)))
            .and_then(|(kind, json)| Record::from_json(kind, json).ok())
            .filter(|r| r.validate().is_ok());
        match record {
            Some(r) => records.push(r),
            None => unreadable += 1,
        }
    }
    if unreadable > 0 {
        problems.push(format!("{unreadable} stored rows do not read as records"));
    }
    records
}
