//! Compaction off the caller's time: the core never compacts inside a write, so each
//! change (a local write or a merge from sync) nudges this handle's tidy thread, which
//! takes the journal's lock once the write has returned and folds the change chunks
//! into the snapshot when they have outgrown it ([`onward_core::Journal::compact_if_due`]).

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Mutex, Weak};

/// Wakes the tidy thread; nudges while it is busy fold into one.
pub(crate) struct Tidy(SyncSender<()>);

impl Tidy {
    /// A nudge handle and the receiver [`start`] takes.
    pub(crate) fn channel() -> (Tidy, Receiver<()>) {
        let (wake, woken) = sync_channel(1);
        (Tidy(wake), woken)
    }

    /// Never blocks (observers call it under the journal's lock).
    pub(crate) fn nudge(&self) {
        let _ = self.0.try_send(());
    }
}

/// Starts the thread; it ends when the journal handle (and so every [`Tidy`]) is gone.
pub(crate) fn start(
    woken: Receiver<()>,
    journal: Weak<Mutex<onward_core::Journal>>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("onward-tidy".into())
        .spawn(move || {
            while woken.recv().is_ok() {
                let Some(journal) = journal.upgrade() else {
                    return;
                };
                let mut journal = journal
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                // A failure (a full disk) changes nothing: every chunk stays, and the
                // next change tries again.
                let _ = journal.compact_if_due();
            }
        })
        .map(|_| ())
}
