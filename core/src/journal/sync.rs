//! The journal's side of sync: its settings, its pending changes, and merging what the
//! relay sends through the normal write path, so the index updates and a merge, the
//! cursor and the relay's heads are saved in one transaction.

use super::{Changed, Journal};
use crate::document::Touched;
use crate::store;
use crate::store::sync_state::{self as state, PeerRecord, RefusedBatch, SyncSettings};
use crate::sync::answer_check::Expected;
use crate::sync::batches::{heads_after, ChangeRef};
use crate::sync::keys::{DeviceSecrets, Keys};
use crate::sync::sealed::{DeviceRecord, SnapshotHeader};
use crate::sync::SecretStore;
use crate::{Error, Result};
use automerge::{Change, ChangeHash};
use onward_protocol::members::{verify_log, LoggedOp};
use rusqlite::TransactionBehavior;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The most bytes of merged changes kept waiting for a dependency. An honest relay
/// sends dependencies first; far more than this means the relay holds them back.
pub const MAX_WAITING_BYTES: u64 = 64 << 20;

/// What merging one pulled batch or snapshot did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// Records created or changed.
    pub changed: Changed,
    /// Changes this journal did not have before.
    pub new_changes: usize,
}

/// What the relay holds once it holds what was merged.
pub(super) enum OnRelay<'a> {
    /// A batch's changes.
    Changes(&'a [ChangeRef]),
    /// A snapshot's heads.
    Heads(&'a [ChangeHash]),
}

/// The changes of a pulled batch that the relay holds together with everything they
/// depend on: each dependency is in the batch before it or already known to be on the
/// relay (an ancestor of `relay_heads`). Only those may move the relay's heads, since
/// heads stand for all their ancestors. A device that pushed while the relay had gone
/// back unnoticed (a restored backup) sent a batch whose dependencies the relay lost;
/// taken as heads, its changes would make the lost ones look held, and no device would
/// send them again. Left out, they stay pending here and go out again.
fn held_whole(
    doc: &mut crate::document::JournalDoc,
    relay_heads: &[ChangeHash],
    refs: &[ChangeRef],
) -> Vec<ChangeRef> {
    let mut held: BTreeSet<ChangeHash> = relay_heads.iter().copied().collect();
    // The changes that are not ancestors of `relay_heads`, computed when first needed.
    let mut not_below: Option<BTreeSet<ChangeHash>> = None;
    let mut kept = Vec::with_capacity(refs.len());
    for r in refs {
        let mut whole = true;
        for dep in &r.deps {
            if held.contains(dep) {
                continue;
            }
            if not_below.is_none() {
                not_below = Some(
                    doc.changes_after(relay_heads)
                        .iter()
                        .map(|c| c.hash())
                        .collect(),
                );
            }
            let below = doc.has_all(std::slice::from_ref(dep))
                && !not_below.as_ref().is_some_and(|n| n.contains(dep));
            if !below {
                whole = false;
                break;
            }
        }
        if whole {
            held.insert(r.hash);
            kept.push(r.clone());
        }
    }
    kept
}

/// What a device keeps after deleting the relay's copy of its journal, so that it can
/// sign the copy's restore until the relay drops it for good (docs/SYNC.md, "Deleting
/// the relay's copy"): where and what the copy is, and where this device's sync stood.
/// Its keys stay where they were: in the secret store, or in the journal file when
/// there is none. `Debug` shows no key.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct DeletedRelayCopy {
    pub relay_url: String,
    pub journal_id: String,
    pub device_id: String,
    pub device_name: String,
    /// The incarnation the restore is signed for.
    pub incarnation: String,
    /// When the relay drops the copy for good (its clock, milliseconds since 1970).
    pub purge_after_ms: u64,
    /// The device list as last verified.
    pub members: Vec<LoggedOp>,
    cursor: u64,
    cursor_id: Option<String>,
    /// The relay's heads, hex.
    relay_heads: Vec<String>,
    /// This device's keys (hex of their JSON), when no secret store keeps them.
    secrets_in_file: Option<String>,
}

impl std::fmt::Debug for DeletedRelayCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeletedRelayCopy")
            .field("relay_url", &self.relay_url)
            .field("journal_id", &self.journal_id)
            .field("device_id", &self.device_id)
            .field("purge_after_ms", &self.purge_after_ms)
            .finish_non_exhaustive()
    }
}

impl Journal {
    /// The sync settings, or `None` when this journal does not sync.
    pub fn sync_settings(&self) -> Result<Option<SyncSettings>> {
        state::load(&self.conn)
    }

    /// The settings of a journal that syncs; [`Error::SyncNotEnabled`] otherwise.
    pub fn sync_enabled(&self) -> Result<SyncSettings> {
        self.sync_settings()?.ok_or(Error::SyncNotEnabled)
    }

    /// Keeps this device's sync keys in `store` (the apps' Keychain or Keystore, the
    /// command line's key file) instead of the journal file. Keys already in the file
    /// move to the store the next time they are saved.
    pub fn set_secret_store(&mut self, store: Arc<dyn SecretStore>) {
        self.secrets = Some(store);
    }

    /// The name of this device's keys in a secret store.
    fn secret_name(journal_id: &str, device_id: &str) -> String {
        format!("onward-sync-{journal_id}-{device_id}")
    }

    /// Starts syncing: the relay, the verified device list, this device's name and keys.
    pub fn enable_sync(
        &mut self,
        relay_url: &str,
        keys: &Keys,
        members: &[LoggedOp],
        device_name: &str,
    ) -> Result<()> {
        let now = self.now();
        let secrets = keys.secrets().to_bytes();
        let device_id = keys.device_id();
        // Sync turned on anew gives up restoring a deleted relay copy: its keys go.
        if let (Some(store), Some(kept)) = (&self.secrets, self.deleted_relay_copy()?) {
            if (kept.journal_id.as_str(), kept.device_id.as_str())
                != (keys.journal_id(), device_id.as_str())
            {
                store
                    .delete(&Self::secret_name(&kept.journal_id, &kept.device_id))
                    .map_err(|detail| Error::SecretStore { detail })?;
            }
        }
        let in_file = match &self.secrets {
            Some(store) => {
                store
                    .save(&Self::secret_name(keys.journal_id(), &device_id), &secrets)
                    .map_err(|detail| Error::SecretStore { detail })?;
                None
            }
            None => Some(secrets.as_slice()),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(settings) = state::load(&tx)? {
            return Err(Error::SyncAlreadyEnabled {
                url: settings.relay_url,
            });
        }
        let enable = state::Enable {
            relay_url,
            journal_id: keys.journal_id(),
            device_id: &device_id,
            device_name,
            members,
            secrets_in_file: in_file,
        };
        state::enable(&tx, &enable, now)?;
        state::forget_deleted_copy(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// The keys of a journal that syncs, with the device list as last verified.
    pub fn sync_keys(&self) -> Result<Keys> {
        let settings = self.sync_enabled()?;
        if settings.protocol < 2 {
            return Err(Error::OldSyncSetup);
        }
        let in_file = state::secrets_in_file(&self.conn)?;
        self.device_keys(
            &settings.journal_id,
            &settings.device_id,
            in_file,
            &settings.members,
        )
    }

    /// This device's keys from the journal file (`in_file`, older setups) or else its
    /// secret store, with the device list `members` verified again.
    fn device_keys(
        &self,
        journal_id: &str,
        device_id: &str,
        in_file: Option<Vec<u8>>,
        members: &[LoggedOp],
    ) -> Result<Keys> {
        let bytes = match (in_file, &self.secrets) {
            (Some(bytes), _) => bytes,
            (None, Some(store)) => store
                .load(&Self::secret_name(journal_id, device_id))
                .map_err(|detail| Error::SecretStore { detail })?
                .ok_or_else(|| Error::SecretStore {
                    detail: "this device's keys are not in its secret store".into(),
                })?,
            (None, None) => {
                return Err(Error::SecretStore {
                    detail: "this journal keeps its keys in a secret store, and none was given"
                        .into(),
                })
            }
        };
        let secrets = DeviceSecrets::from_bytes(&bytes)?;
        let roster = verify_log(journal_id, members)
            .map_err(|e| Error::Document(format!("the device list kept here: {e}")))?;
        Ok(Keys::new(journal_id, secrets, Some(roster)))
    }

    /// Saves what a sync learned about keys: the device list it verified and the epoch
    /// keys this device now has. Keys go to the secret store when there is one (moving
    /// them out of the journal file if they were there).
    pub fn save_sync_keys(&mut self, keys: &Keys, members: &[LoggedOp]) -> Result<()> {
        let settings = self.sync_enabled()?;
        let secrets = keys.secrets().to_bytes();
        if let Some(store) = &self.secrets {
            store
                .save(
                    &Self::secret_name(&settings.journal_id, &settings.device_id),
                    &secrets,
                )
                .map_err(|detail| Error::SecretStore { detail })?;
        }
        let tx = self.conn.transaction()?;
        state::set_members(&tx, members)?;
        match &self.secrets {
            Some(_) => state::clear_secrets_in_file(&tx)?,
            None => state::set_secrets_in_file(&tx, &secrets)?,
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets the relay; the journal and its records stay as they are. Says whether
    /// sync was on.
    pub fn disable_sync(&mut self) -> Result<bool> {
        if let (Some(store), Some(settings)) = (&self.secrets, self.sync_settings()?) {
            store
                .delete(&Self::secret_name(
                    &settings.journal_id,
                    &settings.device_id,
                ))
                .map_err(|detail| Error::SecretStore { detail })?;
        }
        let tx = self.conn.transaction()?;
        let was_on = state::disable(&tx)?;
        tx.commit()?;
        Ok(was_on)
    }

    /// Turns sync off after the relay's copy was deleted, keeping what its restore
    /// needs ([`DeletedRelayCopy`]) until [`Journal::resume_sync`] or
    /// [`Journal::forget_deleted_relay_copy`]. `incarnation` is the copy's,
    /// `purge_after_ms` when the relay drops it.
    pub fn keep_deleted_relay_copy(
        &mut self,
        incarnation: &str,
        purge_after_ms: u64,
    ) -> Result<()> {
        let settings = self.sync_enabled()?;
        let kept = DeletedRelayCopy {
            relay_url: settings.relay_url,
            journal_id: settings.journal_id,
            device_id: settings.device_id,
            device_name: settings.device_name,
            incarnation: incarnation.to_string(),
            purge_after_ms,
            members: settings.members,
            cursor: settings.cursor,
            cursor_id: settings.cursor_id,
            relay_heads: settings.relay_heads.iter().map(|h| h.to_string()).collect(),
            secrets_in_file: state::secrets_in_file(&self.conn)?.map(hex::encode),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        state::keep_deleted_copy(
            &tx,
            &serde_json::to_vec(&kept).expect("what is kept serializes"),
        )?;
        state::disable(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// What this device kept to restore the relay's deleted copy, if anything.
    pub fn deleted_relay_copy(&self) -> Result<Option<DeletedRelayCopy>> {
        state::deleted_copy(&self.conn)?
            .map(|bytes| {
                serde_json::from_slice(&bytes).map_err(|e| {
                    Error::Document(format!("what was kept of the relay's deleted copy: {e}"))
                })
            })
            .transpose()
    }

    /// This device's keys for the relay's deleted copy, with its device list.
    pub fn deleted_relay_copy_keys(&self, kept: &DeletedRelayCopy) -> Result<Keys> {
        let in_file = match &kept.secrets_in_file {
            Some(hex_bytes) => Some(hex::decode(hex_bytes).map_err(|_| Error::SecretStore {
                detail: "the keys kept in the journal file can't be read".into(),
            })?),
            None => None,
        };
        self.device_keys(&kept.journal_id, &kept.device_id, in_file, &kept.members)
    }

    /// Forgets what was kept to restore the relay's deleted copy, keys included.
    pub fn forget_deleted_relay_copy(&mut self) -> Result<()> {
        if let (Some(store), Some(kept)) = (&self.secrets, self.deleted_relay_copy()?) {
            store
                .delete(&Self::secret_name(&kept.journal_id, &kept.device_id))
                .map_err(|detail| Error::SecretStore { detail })?;
        }
        state::forget_deleted_copy(&self.conn)
    }

    /// Turns sync on again where it stopped, once the relay's copy is back.
    pub fn resume_sync(&mut self, kept: &DeletedRelayCopy, keys: &Keys) -> Result<()> {
        self.enable_sync(&kept.relay_url, keys, &kept.members, &kept.device_name)?;
        let heads = kept
            .relay_heads
            .iter()
            .map(|h| {
                h.parse::<ChangeHash>().map_err(|e| {
                    Error::Document(format!("the relay's heads kept for its restore: {e}"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        state::resume(
            &self.conn,
            kept.cursor,
            kept.cursor_id.as_deref(),
            &kept.incarnation,
            &heads,
        )
    }

    /// The changes the relay does not hold yet, dependencies first.
    pub fn pending_changes(&mut self) -> Result<Vec<Change>> {
        let heads = self.sync_enabled()?.relay_heads;
        self.with_document(|doc| Ok(doc.changes_after(&heads)))
    }

    /// What a pull answer must agree with.
    pub fn pull_expectations(&self) -> Result<Expected> {
        let settings = self.sync_enabled()?;
        Ok(Expected {
            after: settings.cursor,
            after_id: settings.cursor_id,
            incarnation: settings.incarnation,
            acked: state::acked(&self.conn)?,
        })
    }

    /// Remembers the journal's incarnation on the relay (from its first checked answer).
    pub fn note_incarnation(&mut self, incarnation: &str) -> Result<()> {
        state::set_incarnation(&self.conn, incarnation)
    }

    /// Notes that the relay acknowledged `changes` as batch `batch_id`, number `seq`;
    /// the next pull checks that it serves that batch there.
    pub fn record_pushed(&mut self, changes: &[ChangeRef], seq: u64, batch_id: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let settings = state::load(&tx)?.ok_or(Error::SyncNotEnabled)?;
        state::set_relay_heads(&tx, &heads_after(&settings.relay_heads, changes))?;
        if seq > settings.cursor {
            state::add_acked(&tx, seq, batch_id)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Merges pulled batch `seq` (its change bytes and what they are) and moves the
    /// cursor past it, in one transaction. Bytes that aren't this journal's changes give
    /// [`Error::Document`] and change nothing.
    pub fn merge_pulled(
        &mut self,
        seq: u64,
        batch_id: &str,
        changes: &[u8],
        refs: &[ChangeRef],
    ) -> Result<Merged> {
        self.merge_from_relay(
            "merge from relay",
            (seq, batch_id),
            changes,
            OnRelay::Changes(refs),
        )
    }

    /// Merges a batch refused earlier that opens now (the cursor is already past it)
    /// and resolves the refusal.
    pub fn merge_refused_again(
        &mut self,
        refused: &RefusedBatch,
        changes: &[u8],
        refs: &[ChangeRef],
    ) -> Result<Merged> {
        let merged = self.merge_from_relay(
            "merge from relay",
            (refused.seq, &refused.batch_id),
            changes,
            OnRelay::Changes(refs),
        )?;
        state::resolve_refused(&self.conn, refused.seq)?;
        Ok(merged)
    }

    /// Merges a snapshot (a whole saved document with its sealed header), checking that
    /// the document is the one the header describes, and moves the cursor to what it
    /// covers. Refusals it covers are resolved: the device that wrote it read them.
    pub fn merge_snapshot(&mut self, header: &SnapshotHeader, document: &[u8]) -> Result<Merged> {
        self.merge_snapshot_reporting(header, document, &|_, _| {})
    }

    /// [`Journal::merge_snapshot`]; a journal much smaller than the snapshot (a new
    /// device) takes it whole and builds its index in one pass, telling
    /// `indexed(done, total)` how far that got.
    pub fn merge_snapshot_reporting(
        &mut self,
        header: &SnapshotHeader,
        document: &[u8],
        indexed: &dyn Fn(u64, u64),
    ) -> Result<Merged> {
        // Loaded once: to check its heads, and as the document when it is taken whole.
        let mut loaded =
            crate::document::JournalDoc::load(document, [], &[0; 16]).map_err(|e| match e {
                Error::Document(detail) => {
                    Error::Document(format!("the snapshot could not be read: {detail}"))
                }
                other => other,
            })?;
        let mut heads = loaded.heads();
        let mut sealed = header.heads.clone();
        heads.sort();
        sealed.sort();
        if heads != sealed {
            return Err(Error::Document(
                "the snapshot is not the document it was sealed as".into(),
            ));
        }
        if self.takes_snapshot_whole(document.len())? {
            let result = self.start_from_snapshot(header, loaded, document, indexed);
            if result.is_err() {
                // The document may hold changes the database refused: read it afresh.
                self.doc = None;
            }
            return result.map_err(|e| store::open::name_damage(&self.path, e));
        }
        drop(loaded);
        let merged = self.merge_from_relay(
            "merge snapshot from relay",
            (header.covers, &header.covers_id),
            document,
            OnRelay::Heads(&heads),
        )?;
        resolve_covered(&self.conn, header.covers)?;
        Ok(merged)
    }

    /// Merges `bytes` from the relay's batch or snapshot `at` (number, id) and moves the
    /// cursor there (never back).
    fn merge_from_relay(
        &mut self,
        message: &str,
        at: (u64, &str),
        bytes: &[u8],
        on_relay: OnRelay<'_>,
    ) -> Result<Merged> {
        let ((new_changes, _), changed) = self.write_document(message, |doc, tx| {
            let settings = state::load(tx)?.ok_or(Error::SyncNotEnabled)?;
            let before = doc.heads();
            let mut touched = Touched::default();
            // Automerge keeps changes that wait for a dependency in memory only: a
            // document loaded afresh has lost them, so they come back from the table,
            // once per load (not with every batch: that would be quadratic).
            if doc.missing_deps().is_empty() {
                for (_, earlier) in state::waiting(tx)? {
                    touched.extend(doc.merge_bytes(&earlier)?);
                }
            }
            touched.extend(doc.merge_bytes(bytes)?);
            let added = doc.count_changes_after(&before);
            set_relay_state(tx, doc, &settings, at, bytes, on_relay)?;
            Ok(((added, ()), touched))
        })?;
        Ok(Merged {
            changed,
            new_changes,
        })
    }

    /// Records that pulled batch `refused.seq` was not applied, and moves the cursor past
    /// it so the batches after it still come in. It is tried again on later syncs, and
    /// no snapshot of this device covers it meanwhile.
    pub fn refuse_pulled(&mut self, refused: &RefusedBatch) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        state::refuse(&tx, refused)?;
        state::advance_cursor(&tx, refused.seq, &refused.batch_id)?;
        state::drop_acked_through(&tx, refused.seq)?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets what this device believed the relay holds, because the relay went back
    /// (`reason`); the next pull starts from the beginning, and what the relay lost is
    /// pending again.
    pub fn start_sync_over(&mut self, reason: &str) -> Result<()> {
        let now = self.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        state::start_over(&tx, reason, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Remembers how the last sync went: `None` for success, else the error's words.
    pub fn record_sync_outcome(&mut self, error: Option<&str>) -> Result<()> {
        let now = self.now();
        state::record_outcome(&self.conn, error, now)
    }

    /// Pulled batches that were not applied, oldest first.
    pub fn refused_batches(&self) -> Result<Vec<RefusedBatch>> {
        state::refused(&self.conn)
    }

    /// Pulled batches whose changes still wait for a change they depend on.
    pub fn waiting_batches(&self) -> Result<usize> {
        Ok(state::waiting_size(&self.conn)?.0)
    }

    /// This device's next record: a new counter and the heads of what it knows the
    /// relay holds (what it pushed and what it pulled). Not the journal's own heads: a
    /// change written here meanwhile is not on the relay yet, and another device that
    /// lacks it is not being kept from anything.
    pub fn next_device_record(&mut self) -> Result<DeviceRecord> {
        let settings = self.sync_enabled()?;
        let counter = state::next_record_counter(&self.conn)?;
        Ok(DeviceRecord {
            device_id: settings.device_id,
            name: settings.device_name,
            counter,
            heads: settings.relay_heads,
            at: self.now(),
        })
    }

    /// Keeps another device's record if it is newer than the one kept; says whether it
    /// is older (the relay served a stale one).
    pub fn hear_device(&mut self, record: &DeviceRecord) -> Result<bool> {
        let known = state::peers(&self.conn)?
            .into_iter()
            .find(|p| p.device_id == record.device_id);
        if known.as_ref().is_some_and(|k| k.counter > record.counter) {
            return Ok(true);
        }
        state::keep_peer(
            &self.conn,
            &PeerRecord {
                device_id: record.device_id.clone(),
                name: record.name.clone(),
                counter: record.counter,
                heads: record.heads.clone(),
                at: record.at,
                heard_at: self.now(),
            },
        )?;
        Ok(false)
    }

    /// The other devices' last records, and whether this journal has all each had.
    pub fn peers(&mut self) -> Result<Vec<(PeerRecord, bool)>> {
        let peers = state::peers(&self.conn)?;
        self.with_document(|doc| {
            Ok(peers
                .into_iter()
                .map(|p| {
                    let has = doc.has_all(&p.heads);
                    (p, has)
                })
                .collect())
        })
    }
}

/// Resolves the refusals a snapshot covering batches through `covers` covers: the
/// device that wrote it read them.
pub(super) fn resolve_covered(conn: &rusqlite::Connection, covers: u64) -> Result<()> {
    for refused in state::refused(conn)? {
        if refused.seq <= covers {
            state::resolve_refused(conn, refused.seq)?;
        }
    }
    Ok(())
}

/// After `bytes` from the relay's batch or snapshot `at` (number, id) were merged into
/// `doc`: what the relay now holds, what still waits for a dependency (these bytes,
/// when some are missing; none when they are already kept), and the cursor, moved
/// there (never back).
pub(super) fn set_relay_state(
    tx: &rusqlite::Connection,
    doc: &mut crate::document::JournalDoc,
    settings: &SyncSettings,
    at: (u64, &str),
    bytes: &[u8],
    on_relay: OnRelay<'_>,
) -> Result<()> {
    let heads = match on_relay {
        OnRelay::Changes(refs) => heads_after(
            &settings.relay_heads,
            &held_whole(doc, &settings.relay_heads, refs),
        ),
        // The relay dropped every batch the snapshot covers: what it holds
        // through `covers` is the snapshot, not what this device believed it
        // held. (A relay that went back before pruning lost changes that are in
        // neither; they are pending again. Own pushes after `covers` may go out
        // twice, which changes nothing.)
        OnRelay::Heads(heads) => heads_after(heads, &[]),
    };
    state::set_relay_heads(tx, &heads)?;
    if doc.missing_deps().is_empty() {
        state::clear_waiting(tx)?;
    } else if !bytes.is_empty() {
        let (_, waiting_bytes) = state::waiting_size(tx)?;
        if waiting_bytes + bytes.len() as u64 > MAX_WAITING_BYTES {
            return Err(Error::RelayAnswer {
                detail: format!(
                    "over {} MiB of its changes wait for changes it never sent",
                    MAX_WAITING_BYTES >> 20
                ),
            });
        }
        state::add_waiting(tx, at.0, bytes)?;
    }
    state::advance_cursor(tx, at.0, at.1)?;
    state::drop_acked_through(tx, at.0)?;
    Ok(())
}
