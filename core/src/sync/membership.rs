//! Keeping up with the device list (docs/SYNC.md, "Devices and keys"): before each sync
//! a device reads the list from the relay, checks it from the genesis on, checks that it
//! extends the list it verified before (a relay can't drop an entry unnoticed), learns
//! whether it was removed, and takes the key of any new epoch from its wrap.

use super::device_list;
use super::session::Session;
use crate::{Error, Result};
use onward_protocol::members::{list_tag, verify_log, LoggedOp, Roster};

/// Reads and checks the device list and new epoch keys, and keeps them.
pub(crate) async fn refresh(s: &mut Session<'_>) -> Result<()> {
    let known = s.with(|j| Ok(j.sync_enabled()?.members))?;
    // A relay answering "unchanged" gains nothing: it could as well serve the list this
    // device verified (docs/SYNC.md, "Devices and keys"). That list goes through the same
    // checks below.
    let ops = match s.relay.members(&s.keys, Some(&list_tag(&known))).await? {
        Some(ops) => ops,
        None => known.clone(),
    };
    let roster = check_list(s.keys.journal_id(), &known, &ops)?;
    let me = s.keys.device_id();
    match roster.members.get(&me) {
        Some(standing) if standing.removed.is_some() => return Err(Error::DeviceRemoved),
        Some(_) => {}
        None => {
            return Err(Error::RelayAnswer {
                detail: "its device list doesn't have this device".into(),
            })
        }
    }
    let had = s.keys.epochs().clone();
    if roster.epoch > s.keys.epoch() {
        for wrap in s.relay.wraps(&s.keys).await? {
            if s.keys.epoch_key(wrap.epoch).is_some() && wrap.chain.is_empty() {
                continue;
            }
            // A wrap that doesn't check out is left aside: only the relay could have
            // made it, and the epoch key is missed below if it mattered.
            match device_list::unwrap(&s.keys, &roster, &wrap) {
                Ok((key, prev)) => {
                    s.keys.add_epoch(wrap.epoch, key);
                    if let Some(prev) = prev {
                        s.keys.add_epoch(wrap.epoch - 1, prev);
                    }
                }
                Err(e) => tracing::warn!("a wrapped key from the relay was refused: {e}"),
            }
        }
        if s.keys.epoch() < roster.epoch {
            return Err(Error::RelayAnswer {
                detail: format!(
                    "the journal is at key epoch {}, and the relay has no key of it for this device",
                    roster.epoch
                ),
            });
        }
    }
    let changed = known.len() != ops.len() || had != *s.keys.epochs();
    s.keys.set_roster(roster);
    if changed {
        let keys = s.keys.clone();
        s.with(|j| j.save_sync_keys(&keys, &ops))?;
    }
    Ok(())
}

/// Checks a device list from the relay: it verifies from the genesis of `journal` and
/// holds every entry of the list verified before, in the same order.
pub fn check_list(journal: &str, known: &[LoggedOp], ops: &[LoggedOp]) -> Result<Roster> {
    let roster = verify_log(journal, ops).map_err(|e| Error::RelayAnswer {
        detail: format!("its device list doesn't check out: {e}"),
    })?;
    let extends = ops.len() >= known.len() && known.iter().zip(ops).all(|(k, o)| k.op == o.op);
    if !extends {
        return Err(Error::RelayAnswer {
            detail: "its device list lacks entries this device has seen".into(),
        });
    }
    Ok(roster)
}
