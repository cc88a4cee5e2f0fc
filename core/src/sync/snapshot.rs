//! Snapshots (docs/SYNC.md, "Snapshots"): a new device starts from the relay's newest
//! snapshot instead of every batch, and a device that is fully caught up uploads one now
//! and then, so the relay can drop the batches it covers. What a snapshot covers and its
//! heads are sealed inside it: the relay's word for them is checked, not taken.

use super::answer_check::{self, Verdict};
use super::envelope::{self, Sealed};
use super::keys::Keys;
use super::progress::Phase;
use super::relay::{Batches, SnapshotInfo};
use super::sealed::{self, SnapshotHeader};
use super::session::Session;
use crate::journal::Merged;
use crate::{Error, Result};
use data_encoding::HEXLOWER;
use onward_protocol::limits::{MAX_SNAPSHOT_BYTES, MAX_SNAPSHOT_PARTS, MAX_SNAPSHOT_PART_BYTES};

/// A snapshot envelope travels in parts of at most this many bytes.
pub const PART_BYTES: usize = MAX_SNAPSHOT_PART_BYTES;
/// Upload a new snapshot once this many batches came after the last one...
pub const AFTER_BATCHES: u64 = 200;
/// ...or once the batches after it hold this many bytes.
pub const AFTER_BYTES: u64 = 8 << 20;

/// Downloads the relay's newest snapshot and merges it; the cursor moves to what it
/// covers. Nothing is merged unless every part arrived and the whole opened.
pub(crate) async fn download(s: &Session<'_>) -> Result<Merged> {
    let info = s.relay.info(&s.keys).await?;
    let snapshot = info.snapshot.ok_or_else(|| Error::RelayAnswer {
        detail: "it asked this device to start from a snapshot, but has none".into(),
    })?;
    fetch_and_merge(s, &snapshot).await
}

/// Downloads and merges `snapshot`. Sizes and counts come from the relay, so each is
/// bounded before anything is asked or allocated.
pub(crate) async fn fetch_and_merge(s: &Session<'_>, snapshot: &SnapshotInfo) -> Result<Merged> {
    let parts_needed = snapshot.bytes.div_ceil(PART_BYTES as u64);
    if snapshot.parts == 0
        || snapshot.parts > MAX_SNAPSHOT_PARTS
        || snapshot.bytes > MAX_SNAPSHOT_BYTES
        || u64::from(snapshot.parts) != parts_needed
        || !onward_protocol::is_id(&snapshot.id)
    {
        return Err(Error::RelayAnswer {
            detail: format!(
                "its snapshot claims {} bytes in {} parts",
                snapshot.bytes, snapshot.parts
            ),
        });
    }
    let mut envelope = Vec::new();
    s.report(Phase::DownloadingSnapshot, 0, snapshot.bytes);
    for index in 0..snapshot.parts {
        let room = (snapshot.bytes as usize).saturating_sub(envelope.len());
        let part = s
            .relay
            .snapshot_part(&s.keys, &snapshot.id, index, room.min(PART_BYTES))
            .await?;
        envelope.extend_from_slice(&part);
        s.report(
            Phase::DownloadingSnapshot,
            envelope.len() as u64,
            snapshot.bytes,
        );
    }
    if envelope.len() as u64 != snapshot.bytes {
        return Err(Error::RelayAnswer {
            detail: format!(
                "its snapshot has {} bytes, not the {} it announced",
                envelope.len(),
                snapshot.bytes
            ),
        });
    }
    open_and_merge(&s.keys, snapshot, envelope, |header, document| {
        let indexed = |done, total| s.report(Phase::Indexing, done, total);
        s.with(|j| j.merge_snapshot_reporting(header, document, &indexed))
    })
}

/// Opens a downloaded snapshot `envelope` and hands its header and document to `merge`,
/// once it checks out: signed by a device the verified list admitted when it sealed it
/// ([`envelope::Opened::check_signer_admitted`], at the batch it covers), and covering
/// what the relay said it covers.
fn open_and_merge(
    keys: &Keys,
    snapshot: &SnapshotInfo,
    envelope: Vec<u8>,
    merge: impl FnOnce(&SnapshotHeader, &[u8]) -> Result<Merged>,
) -> Result<Merged> {
    let opened = envelope::open(keys, Sealed::Snapshot, &snapshot.id, &envelope)?;
    drop(envelope);
    let (header, document) = sealed::read_snapshot(&opened.plaintext).map_err(refused)?;
    opened
        .check_signer_admitted(keys, header.covers)
        .map_err(|reason| refused(Error::Document(reason)))?;
    if header.covers != snapshot.covers {
        return Err(Error::RelayAnswer {
            detail: format!(
                "it says its snapshot covers its batches through {}, and the snapshot itself says {}",
                snapshot.covers, header.covers
            ),
        });
    }
    merge(&header, document).map_err(refused)
}

/// A snapshot that opened but doesn't hold what it should is refused, like a batch.
fn refused(e: Error) -> Error {
    match e {
        Error::Document(reason) => Error::Refused {
            what: "the relay's snapshot".into(),
            reason,
        },
        other => other,
    }
}

/// What an upload sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Uploaded {
    pub snapshot_id: String,
    pub covers: u64,
    pub bytes: u64,
    pub parts: u32,
}

/// Uploads the whole journal as a snapshot when it is worth it (enough batches or
/// bytes since the last one) and allowed: nothing pending, nothing waiting, the cursor
/// at the relay's latest batch. It never covers a batch this device refused: it stops
/// just before the first one. `force` skips the "worth it" part, not the "allowed".
pub(crate) async fn maybe_upload(s: &Session<'_>, force: bool) -> Result<Option<Uploaded>> {
    let info = s.relay.info(&s.keys).await?;
    let covered = info.snapshot.as_ref().map_or(0, |x| x.covers);
    let since = info.latest_seq.saturating_sub(covered);
    let bytes_since = info
        .bytes_used
        .saturating_sub(info.snapshot.as_ref().map_or(0, |x| x.bytes));
    let worth_it = since >= AFTER_BATCHES || (since > 0 && bytes_since >= AFTER_BYTES);
    let wanted = worth_it || (force && since > 0);
    if !wanted {
        return Ok(None);
    }
    // The relay's latest number alone doesn't show it is the copy this device pulled
    // from: re-created, or restored from a backup and numbered on, it may hold other
    // batches under the same numbers, which a snapshot covering them would drop unread.
    // So the relay must answer a pull after the cursor as this device expects.
    let expected = s.with(|j| j.pull_expectations())?;
    if expected.after != info.latest_seq {
        return Ok(None);
    }
    match s
        .relay
        .batches(&s.keys, expected.after, 1, std::time::Duration::ZERO)
        .await?
    {
        Batches::Frames(answer)
            if answer.frames.is_empty()
                && answer_check::check(&expected, &answer) == Verdict::Fine => {}
        _ => return Ok(None),
    }
    // Decided under one lock, so no write slips in between the check and the save.
    let decided = s.with(|j| {
        let settings = j.sync_enabled()?;
        let caught_up = settings.cursor == expected.after
            && settings.cursor == info.latest_seq
            && j.waiting_batches()? == 0
            && j.pending_changes()?.is_empty();
        if !caught_up {
            return Ok(None);
        }
        let (covers, covers_id) = match j.refused_batches()?.first() {
            None => (settings.cursor, settings.cursor_id.unwrap_or_default()),
            Some(first) => match &first.prev_id {
                Some(prev) => (first.seq - 1, prev.clone()),
                None => return Ok(None),
            },
        };
        if covers <= covered {
            return Ok(None);
        }
        let heads = j.with_document(|doc| Ok(doc.heads()))?;
        let header = SnapshotHeader {
            covers,
            covers_id,
            heads,
        };
        Ok(Some((header, j.document_bytes()?)))
    })?;
    let Some((header, document)) = decided else {
        return Ok(None);
    };
    let mut id = [0u8; 16];
    chacha20poly1305::aead::rand_core::RngCore::fill_bytes(
        &mut chacha20poly1305::aead::OsRng,
        &mut id,
    );
    let snapshot_id = HEXLOWER.encode(&id);
    let plaintext = sealed::snapshot_plaintext(&header, &document);
    drop(document);
    let sealed = envelope::seal(&s.keys, Sealed::Snapshot, &snapshot_id, &plaintext)?;
    drop(plaintext);
    let total = sealed.len() as u64;
    let parts = sealed.chunks(PART_BYTES).len() as u32;
    if parts > MAX_SNAPSHOT_PARTS {
        tracing::warn!("the journal is too large for a snapshot ({total} bytes)");
        return Ok(None);
    }
    s.report(Phase::UploadingSnapshot, 0, total);
    let mut sent = 0u64;
    for (index, part) in sealed.chunks(PART_BYTES).enumerate() {
        s.relay
            .put_snapshot_part(
                &s.keys,
                &snapshot_id,
                index as u32,
                parts,
                header.covers,
                part.to_vec(),
            )
            .await?;
        sent += part.len() as u64;
        s.report(Phase::UploadingSnapshot, sent, total);
    }
    Ok(Some(Uploaded {
        snapshot_id,
        covers: header.covers,
        bytes: total,
        parts,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mood;
    use crate::sync::device_list::laptop_and_removed_phone;
    use crate::Journal;

    /// Where the journal stands: its document's heads and its sync cursor.
    fn state(journal: &mut Journal) -> (Vec<automerge::ChangeHash>, u64) {
        let heads = journal.with_document(|d| Ok(d.heads())).unwrap();
        (heads, journal.sync_enabled().unwrap().cursor)
    }

    #[test]
    fn a_snapshot_signed_by_a_removed_device_after_its_removal_is_refused_and_changes_nothing() {
        // The relay stored the phone's removal when its latest batch was number 7.
        let (laptop_keys, phone_keys, log) = laptop_and_removed_phone(7);
        let dir = tempfile::tempdir().unwrap();
        let mut phone = Journal::open(dir.path().join("phone.onward")).unwrap();
        phone.create(Mood::new(4, chrono::Utc::now())).unwrap();
        let document = phone.document_bytes().unwrap();
        let heads = phone.with_document(|d| Ok(d.heads())).unwrap();
        let mut laptop = Journal::open(dir.path().join("laptop.onward")).unwrap();
        laptop
            .enable_sync("https://relay.example.org", &laptop_keys, &log, "laptop")
            .unwrap();
        let before = state(&mut laptop);
        let snapshot = |covers: u64| {
            let id = format!("{covers:032x}");
            let header = SnapshotHeader {
                covers,
                covers_id: id.clone(),
                heads: heads.clone(),
            };
            let plaintext = sealed::snapshot_plaintext(&header, &document);
            let envelope = envelope::seal(&phone_keys, Sealed::Snapshot, &id, &plaintext).unwrap();
            let info = SnapshotInfo {
                id,
                covers,
                parts: 1,
                bytes: envelope.len() as u64,
            };
            (info, envelope)
        };

        let (info, late) = snapshot(8);
        let err = open_and_merge(&laptop_keys, &info, late, |h, d| {
            laptop.merge_snapshot(h, d)
        })
        .unwrap_err();
        assert!(
            matches!(&err, Error::Refused { reason, .. } if reason.contains("after that device was removed")),
            "{err}"
        );
        assert_eq!(state(&mut laptop), before);

        // The same document, covering only what the relay held at the removal, merges.
        let (info, early) = snapshot(7);
        let merged = open_and_merge(&laptop_keys, &info, early, |h, d| {
            laptop.merge_snapshot(h, d)
        })
        .unwrap();
        assert!(merged.new_changes > 0);
        assert_eq!(state(&mut laptop), (heads, 7));
    }
}
