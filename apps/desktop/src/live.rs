//! Live pages: `/events` streams a server-sent event whenever the journal changes, from
//! this server's own writes (the core's observer) or another process's, such as the CLI
//! (noticed by polling SQLite's `data_version`, which moves only on others' commits).

use crate::state::Desk;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How often the file is checked for other processes' writes: cheap (one pragma).
const POLL: Duration = Duration::from_secs(1);

/// Polls the journal file for writes by other processes until the server stops.
pub fn watch_file(desk: Desk) {
    tokio::spawn(async move {
        let mut stopped = desk.stopped();
        let mut last = None;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = stopped.changed() => return,
            }
            let probe = desk.clone();
            let version = tokio::task::spawn_blocking(move || data_version(&probe))
                .await
                .ok()
                .flatten();
            if let Some(version) = version {
                if last.is_some_and(|seen| seen != version) {
                    desk.changed();
                }
                last = Some(version);
            }
        }
    });
}

fn data_version(desk: &Desk) -> Option<i64> {
    desk.journal()
        .connection()
        .query_row("PRAGMA data_version", [], |row| row.get(0))
        .ok()
}

/// `GET /events`: one `change` event per change, until the page goes or the server stops.
pub async fn events(
    State(desk): State<Desk>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let start = (desk.changes(), desk.stopped());
    let stream = futures_util::stream::unfold(start, |(mut changes, mut stopped)| async move {
        if *stopped.borrow() {
            return None;
        }
        tokio::select! {
            heard = changes.recv() => match heard {
                Ok(()) | Err(RecvError::Lagged(_)) => {
                    let event = Event::default().event("change").data("journal");
                    Some((Ok(event), (changes, stopped)))
                }
                Err(RecvError::Closed) => None,
            },
            _ = stopped.changed() => None,
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
