//! The document's work at idle: a write only queues its change in the outbox, and never
//! folds the change chunks into the snapshot (a whole-document save, up to 150 ms at
//! 10,000 records). After each change this server's pages or another process made, a
//! blocking thread applies the outbox and compacts when due ([`onward_core::Journal::tidy`])
//! on a journal connection of its own, so the pages' writes never wait for it.

use crate::state::Desk;
use tokio::sync::broadcast::error::RecvError;

/// Runs [`onward_core::Journal::tidy`] after each change until the server stops.
pub fn tidy_after_changes(desk: Desk) {
    tokio::spawn(async move {
        let mut changes = desk.changes();
        let mut stopped = desk.stopped();
        let path = desk.journal().path().to_path_buf();
        let own = std::sync::Arc::new(std::sync::Mutex::new(None::<onward_core::Journal>));
        loop {
            tokio::select! {
                heard = changes.recv() => match heard {
                    Ok(()) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
                _ = stopped.changed() => return,
            }
            let (path, own) = (path.clone(), own.clone());
            let done = tokio::task::spawn_blocking(move || {
                let mut own = own.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let journal = match own.as_mut() {
                    Some(journal) => journal,
                    None => {
                        own.insert(onward_core::Journal::open(&path).map_err(|e| e.to_string())?)
                    }
                };
                journal.tidy().map_err(|e| {
                    let why = format!("tidying {} failed: {e}", path.display());
                    *own = None;
                    why
                })
            })
            .await;
            if let Ok(Err(why)) = done {
                eprintln!("onward desktop: {why}; it is tried again after the next change");
            }
        }
    });
}
