//! The document's work off the caller's time: a write only queues its change in the
//! outbox, so each change (a local write or a merge from sync) nudges this handle's
//! tidy thread, which applies the outbox and compacts when due
//! ([`onward_core::Journal::tidy`]) on a journal connection of its own: it never takes
//! the journal's lock, so a person's next write never waits for the document to load.

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
    path: std::path::PathBuf,
    alive: Weak<Mutex<onward_core::Journal>>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("onward-tidy".into())
        .spawn(move || {
            let mut own: Option<onward_core::Journal> = None;
            while woken.recv().is_ok() {
                if alive.upgrade().is_none() {
                    return;
                }
                // Opened on first use; a failure (a full disk, a busy file) changes
                // nothing: the outbox and every chunk stay, and the next change tries
                // again.
                if own.is_none() {
                    own = onward_core::Journal::open(&path).ok();
                }
                if let Some(journal) = own.as_mut() {
                    if journal.tidy().is_err() {
                        own = None;
                    }
                }
            }
        })
        .map(|_| ())
}
