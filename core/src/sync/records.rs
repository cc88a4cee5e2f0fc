//! Device records (docs/SYNC.md, "Device records"): after each sync a device seals what
//! it knows the relay holds (the heads of what it pushed and pulled, and a rising
//! counter) and leaves it with the relay; the others read them. So "in sync" can mean more than the relay's word: this device has
//! every change each other device had when it was last heard from. A relay that
//! withholds a batch, or serves an old record, can't make a device say "in sync".

use super::envelope::{self, Sealed};
use super::sealed;
use super::session::Session;
use crate::Result;

/// What reading the other devices' records found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heard {
    /// Records that didn't open with the journal's key, or didn't read.
    pub unreadable: usize,
    /// Records older than one this device already had (the relay served a stale one).
    pub stale: usize,
}

/// Seals this device's record of where its journal stands and leaves it with the relay.
pub(crate) async fn publish(s: &Session<'_>) -> Result<()> {
    let record = s.with(|j| j.next_device_record())?;
    let sealed = envelope::seal(
        &s.keys,
        Sealed::DeviceRecord,
        &record.device_id,
        &sealed::record_plaintext(&record),
    )?;
    s.relay
        .put_device_record(&s.keys, &record.device_id, sealed)
        .await
}

/// Reads the other devices' records and keeps each that is newer than the one kept.
pub(crate) async fn hear(s: &Session<'_>) -> Result<Heard> {
    let own = s.with(|j| Ok(j.sync_enabled()?.device_id))?;
    let mut heard = Heard::default();
    for (device_id, envelope) in s.relay.device_records(&s.keys).await? {
        if device_id == own {
            continue;
        }
        // A record counts only when the device it speaks for signed it.
        let record = envelope::open(&s.keys, Sealed::DeviceRecord, &device_id, &envelope).and_then(
            |opened| {
                if opened.signer != device_id {
                    return Err(crate::Error::Document(
                        "a record signed by another device".into(),
                    ));
                }
                sealed::read_record(&device_id, &opened.plaintext)
            },
        );
        match record {
            Ok(record) => {
                if s.with(|j| j.hear_device(&record))? {
                    heard.stale += 1;
                }
            }
            Err(_) => heard.unreadable += 1,
        }
    }
    Ok(heard)
}
