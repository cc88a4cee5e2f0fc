//! The relay's rules on stored state, shared by both backends so they cannot drift apart.

use onward_protocol::limits::{MAX_DEVICES, QUOTA_ROW_OVERHEAD_BYTES};

use onward_protocol::members::Invitation;

use super::{SnapshotPart, StoredInvitation, Writer};
use crate::error::Error;
use crate::ids::Id;

/// A snapshot already started or stored under the same id.
#[derive(Debug, Clone, Copy)]
pub struct KnownSnapshot {
    /// Its part count.
    pub parts: u32,
    /// The sequence number it covers.
    pub covers: u64,
    /// Every part arrived and it checked out: it never changes again.
    pub complete: bool,
}

/// Checks, under the journal's lock, that the writer is still an active member
/// (`removed`: its row's flag, `None` when it has none) writing under the journal's
/// `epoch`: a removal committed since the API's check wins.
pub fn check_writer(epoch: u32, removed: Option<bool>, writer: &Writer) -> Result<(), Error> {
    match removed {
        None => Err(Error::Forbidden(format!(
            "Device {} is not a member of this journal.",
            writer.device
        ))),
        Some(true) => Err(Error::DeviceRemoved),
        Some(false) if writer.epoch.is_some_and(|e| e != epoch) => {
            Err(Error::EpochOutdated { epoch })
        }
        Some(false) => Ok(()),
    }
}

/// What a stored row counts against the quota on top of its bytes (so 1-byte batches
/// cannot fill a database with rows), as the SQL parameter the backends add it with.
pub const ROW_OVERHEAD_SQL: i64 = QUOTA_ROW_OVERHEAD_BYTES as i64;

/// What a row of `len` bytes (a batch, a snapshot part, a device record) counts
/// against the quota. Journals stored before the overhead was counted are charged it
/// only for rows written since; what is freed never takes their count below 0.
pub fn stored_size(len: usize) -> u64 {
    (len as u64).saturating_add(QUOTA_ROW_OVERHEAD_BYTES)
}

/// Refuses a write that would take the journal's stored bytes over `quota`.
/// `freed` is what the write replaces (a part sent again).
pub fn check_quota(bytes_used: u64, freed: u64, added: u64, quota: u64) -> Result<(), Error> {
    if bytes_used.saturating_sub(freed).saturating_add(added) > quota {
        Err(Error::QuotaExceeded { quota })
    } else {
        Ok(())
    }
}

/// An invitation id may be stored once; the same invitation sent again (a retried
/// upload) is fine and changes nothing.
pub fn check_new_invitation(
    existing: Option<&StoredInvitation>,
    invitation: &Invitation,
) -> Result<(), Error> {
    match existing {
        Some(stored) if stored.invitation != *invitation => Err(Error::BadRequest(format!(
            "Invitation {} is already stored with other contents; make a new invitation.",
            invitation.id
        ))),
        _ => Ok(()),
    }
}

/// Refuses a pull from below the journal's snapshot.
pub fn check_pull(after: u64, pruned_through: u64) -> Result<(), Error> {
    if after < pruned_through {
        Err(Error::SnapshotRequired { pruned_through })
    } else {
        Ok(())
    }
}

/// Refuses a record of a new device when the journal already has the most devices.
/// A device that has a record may always replace it.
pub fn check_device_count(devices: u64, is_new: bool) -> Result<(), Error> {
    if is_new && devices >= MAX_DEVICES as u64 {
        Err(Error::TooManyDevices { max: MAX_DEVICES })
    } else {
        Ok(())
    }
}

/// The id a pull reports for the batch numbered `after`: the stored batch's, or, when a
/// snapshot replaced the batches through `pruned_through`, the id kept of that last one
/// (a device pulling from the snapshot's `covers` still gets it). None for `after = 0`.
pub fn after_id(
    after: u64,
    stored: Option<Id>,
    pruned_through: u64,
    pruned_through_id: Option<Id>,
) -> Option<Id> {
    if after == 0 {
        None
    } else if stored.is_some() {
        stored
    } else if after == pruned_through {
        pruned_through_id
    } else {
        None
    }
}

/// Checks a snapshot part against the journal and the parts already received.
pub fn check_snapshot_part(
    part: &SnapshotPart,
    known: Option<KnownSnapshot>,
    latest_seq: u64,
    pruned_through: u64,
) -> Result<(), Error> {
    if let Some(known) = known {
        if known.complete {
            return Err(Error::SnapshotComplete);
        }
        if known.parts != part.parts || known.covers != part.covers {
            return Err(Error::BadRequest(format!(
                "Snapshot {} was started with parts={} and covers={}; every part must repeat them.",
                part.snapshot, known.parts, known.covers
            )));
        }
    }
    if part.covers > latest_seq {
        return Err(Error::BadRequest(format!(
            "`covers` is {} but the journal's latest sequence number is {latest_seq}; \
             a snapshot can only cover batches the relay has.",
            part.covers
        )));
    }
    if part.covers < pruned_through {
        return Err(Error::SnapshotOutdated { pruned_through });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;

    fn part(parts: u32, covers: u64) -> SnapshotPart {
        SnapshotPart {
            snapshot: Id::parse("snapshot", "0123456789abcdef0123456789abcdef").unwrap(),
            index: 0,
            parts,
            covers,
            bytes: bytes::Bytes::from_static(b"x"),
        }
    }

    #[test]
    fn the_quota_counts_what_a_resent_part_replaces() {
        assert!(check_quota(90, 0, 10, 100).is_ok());
        assert!(matches!(
            check_quota(90, 0, 11, 100),
            Err(Error::QuotaExceeded { quota: 100 })
        ));
        assert!(check_quota(100, 10, 10, 100).is_ok());
    }

    #[test]
    fn a_writer_must_be_an_active_member_at_the_current_epoch() {
        let writer = |epoch| Writer {
            device: "d".into(),
            epoch,
        };
        assert!(check_writer(2, Some(false), &writer(Some(2))).is_ok());
        assert!(check_writer(2, Some(false), &writer(None)).is_ok());
        assert!(matches!(
            check_writer(2, Some(false), &writer(Some(1))),
            Err(Error::EpochOutdated { epoch: 2 })
        ));
        assert!(matches!(
            check_writer(2, Some(true), &writer(Some(2))),
            Err(Error::DeviceRemoved)
        ));
        assert!(matches!(
            check_writer(2, None, &writer(Some(2))),
            Err(Error::Forbidden(_))
        ));
    }

    #[test]
    fn only_a_new_device_is_counted_against_the_limit() {
        let max = MAX_DEVICES as u64;
        assert!(check_device_count(max - 1, true).is_ok());
        assert!(matches!(
            check_device_count(max, true),
            Err(Error::TooManyDevices { max: MAX_DEVICES })
        ));
        assert!(check_device_count(max, false).is_ok());
    }

    #[test]
    fn the_after_id_survives_the_snapshot_that_pruned_its_batch() {
        let id = |n: u8| Some(Id::parse("batch", &format!("{n:032x}")).unwrap());
        assert_eq!(after_id(0, None, 0, None), None);
        assert_eq!(after_id(3, id(3), 0, None), id(3));
        assert_eq!(after_id(4, None, 4, id(4)), id(4), "pruned: the kept id");
        assert_eq!(after_id(9, None, 4, id(4)), None, "above the latest");
        assert_eq!(after_id(5, id(5), 4, id(4)), id(5));
    }

    #[test]
    fn a_part_must_agree_with_its_snapshot_and_the_journal() {
        assert!(check_snapshot_part(&part(2, 5), None, 5, 0).is_ok());
        let known = Some(KnownSnapshot {
            parts: 2,
            covers: 5,
            complete: false,
        });
        assert!(check_snapshot_part(&part(3, 5), known, 5, 0).is_err());
        let complete = Some(KnownSnapshot {
            parts: 2,
            covers: 5,
            complete: true,
        });
        assert!(matches!(
            check_snapshot_part(&part(2, 5), complete, 5, 0),
            Err(Error::SnapshotComplete)
        ));
        assert!(matches!(
            check_snapshot_part(&part(2, 6), None, 5, 0),
            Err(Error::BadRequest(_))
        ));
        assert!(matches!(
            check_snapshot_part(&part(2, 3), None, 5, 4),
            Err(Error::SnapshotOutdated { pruned_through: 4 })
        ));
    }
}
