//! Compaction at idle: writes never fold the journal's change chunks into its snapshot
//! (a whole-document save, up to 150 ms at 10,000 records), so after each change this
//! server's pages or another process made, a blocking thread does it when due.

use crate::state::Desk;
use tokio::sync::broadcast::error::RecvError;

/// Runs [`onward_core::Journal::compact_if_due`] after each change until the server stops.
pub fn compact_after_changes(desk: Desk) {
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
                    .compact_if_due()
                    .map_err(|e| format!("tidying {} failed: {e}", journal.path().display()))
            })
            .await;
            if let Ok(Err(why)) = done {
                eprintln!("onward desktop: {why}; it is tried again after the next change");
            }
        }
    });
}
