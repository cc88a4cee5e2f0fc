//! Snapshots (docs/SYNC.md, "Snapshots"): a new device starts from the relay's newest
//! snapshot instead of every batch, and a device that is fully caught up uploads one now
//! and then, so the relay can drop the batches it covers.

use super::client::SnapshotInfo;
use super::envelope::{self, Sealed};
use super::progress::Phase;
use super::session::Session;
use crate::journal::Merged;
use crate::{Error, Result};
use data_encoding::HEXLOWER;

/// A snapshot envelope travels in parts of at most this many bytes.
pub const PART_BYTES: usize = 1 << 20;
/// The largest snapshot a device downloads (a journal is a few MB; this is far above).
const MAX_SNAPSHOT_BYTES: u64 = 1 << 30;
/// Upload a new snapshot once this many batches came after the last one...
pub const AFTER_BATCHES: u64 = 200;
/// ...or once the batches after it hold this many bytes.
pub const AFTER_BYTES: u64 = 8 << 20;

/// Downloads the relay's newest snapshot and merges it; the cursor moves to what it
/// covers. Nothing is merged unless every part arrived and the whole opened.
pub(crate) async fn download(s: &Session<'_>) -> Result<Merged> {
    let info = s.client.info().await?;
    let snapshot = info.snapshot.ok_or_else(|| Error::RelayAnswer {
        detail: "it asked this device to start from a snapshot, but has none".into(),
    })?;
    fetch_and_merge(s, &snapshot).await
}

/// Downloads and merges `snapshot`.
pub(crate) async fn fetch_and_merge(s: &Session<'_>, snapshot: &SnapshotInfo) -> Result<Merged> {
    if snapshot.bytes > MAX_SNAPSHOT_BYTES || snapshot.parts == 0 {
        return Err(Error::RelayAnswer {
            detail: format!(
                "its snapshot claims {} bytes in {} parts",
                snapshot.bytes, snapshot.parts
            ),
        });
    }
    let mut envelope = Vec::with_capacity(snapshot.bytes as usize);
    s.report(Phase::DownloadingSnapshot, 0, snapshot.bytes);
    for index in 0..snapshot.parts {
        let room = (snapshot.bytes as usize).saturating_sub(envelope.len());
        let part = s
            .client
            .snapshot_part(&snapshot.id, index, room.min(PART_BYTES))
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
    let document = envelope::open(&s.keys, Sealed::Snapshot, &snapshot.id, &envelope)?;
    drop(envelope);
    s.with(|j| j.merge_snapshot(snapshot.covers, &document))
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
/// at the relay's latest batch. `force` skips the "worth it" part, not the "allowed".
pub(crate) async fn maybe_upload(s: &Session<'_>, force: bool) -> Result<Option<Uploaded>> {
    let info = s.client.info().await?;
    let since = info
        .latest_seq
        .saturating_sub(info.snapshot.as_ref().map_or(0, |x| x.covers));
    let bytes_since = info
        .bytes_used
        .saturating_sub(info.snapshot.as_ref().map_or(0, |x| x.bytes));
    let worth_it = since >= AFTER_BATCHES || (since > 0 && bytes_since >= AFTER_BYTES);
    let wanted = worth_it || (force && since > 0);
    if !wanted {
        return Ok(None);
    }
    // Decided under one lock, so no write slips in between the check and the save.
    let document = s.with(|j| {
        let settings = j.sync_enabled()?;
        let caught_up = settings.cursor == info.latest_seq
            && j.waiting_batches()? == 0
            && j.pending_changes()?.is_empty();
        if caught_up {
            Ok(Some((settings.cursor, j.document_bytes()?)))
        } else {
            Ok(None)
        }
    })?;
    let Some((covers, document)) = document else {
        return Ok(None);
    };
    let mut id = [0u8; 16];
    chacha20poly1305::aead::rand_core::RngCore::fill_bytes(
        &mut chacha20poly1305::aead::OsRng,
        &mut id,
    );
    let snapshot_id = HEXLOWER.encode(&id);
    let sealed = envelope::seal(&s.keys, Sealed::Snapshot, &snapshot_id, &document)?;
    drop(document);
    let total = sealed.len() as u64;
    let parts = sealed.chunks(PART_BYTES).len() as u32;
    s.report(Phase::UploadingSnapshot, 0, total);
    let mut sent = 0u64;
    for (index, part) in sealed.chunks(PART_BYTES).enumerate() {
        s.client
            .put_snapshot_part(&snapshot_id, index as u32, parts, covers, part.to_vec())
            .await?;
        sent += part.len() as u64;
        s.report(Phase::UploadingSnapshot, sent, total);
    }
    Ok(Some(Uploaded {
        snapshot_id,
        covers,
        bytes: total,
        parts,
    }))
}
