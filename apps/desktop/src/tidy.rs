//! The document's work at idle: a write only queues its change in the outbox, and never
//! folds the change chunks into the snapshot (a whole-document save, up to 150 ms at
//! 10,000 records). After each change this server's pages or another process made, a
//! blocking thread applies the outbox and compacts when due ([`onward_core::Journal::tidy`])
//! on the server's own journal handle: a second connection's commits would look to the
//! page watcher (`live.rs`, SQLite's `data_version`) like another process's changes, and
//! redraw open pages after every write. The document stays loaded there after the first
//! tidy, so later ones take a moment.

use crate::state::Desk;
use tokio::sync::broadcast::error::RecvError;

/// Runs [`onward_core::Journal::tidy`] after each change until the server stops.
pub fn tidy_after_changes(desk: Desk) {
    tokio::spawn(async move {
        let mut changes = desk.changes();
        let mut stopped = desk.stopped();
        loop {
            tokio::select! {
                heard = changes.recv() => match heard {
                    Ok(()) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
                _ = stopped.changed() => return,
            }
            let tidy = desk.clone();
            let done = tokio::task::spawn_blocking(move || {
                let mut journal = tidy.journal();
                journal
                    .tidy()
                    .map_err(|e| format!("tidying {} failed: {e}", journal.path().display()))
            })
            .await;
            if let Ok(Err(why)) = done {
                eprintln!("onward desktop: {why}; it is tried again after the next change");
            }
        }
    });
}
