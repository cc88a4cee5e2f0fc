//! PostgreSQL `LISTEN/NOTIFY`: every push of a new batch runs `pg_notify('onward_batches',
//! journal)` inside its transaction, which PostgreSQL delivers on commit to every session
//! listening, so each relay process keeps one connection that `LISTEN`s and wakes its own
//! waiting pulls of that journal.
//!
//! When the connection drops (or stops answering the heartbeat), [`Wakeups`] is told: the
//! waiting pulls look at storage once and fall back to the periodic re-check until the
//! listener is back; once back, they look once more (a push may have landed in between)
//! and wait for notifications again.

use std::future::poll_fn;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_postgres::AsyncMessage;

use super::pg_connect::PgTarget;
use crate::error::with_causes;
use crate::ids::Id;
use crate::wakeups::Wakeups;

/// The channel pushes notify on; the payload is the journal id.
pub const CHANNEL: &str = "onward_batches";

/// The listener's `application_name` (how an operator or a test finds its session).
pub const APPLICATION_NAME: &str = "onward-relay-listen";

/// How often the listener checks its connection still answers.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// How long the heartbeat (and the connection) may take.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);
/// The first and the longest wait before connecting again.
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// Starts the listener of this process; it runs until `stopping` turns true.
pub fn spawn(
    target: &PgTarget,
    wakeups: Arc<Wakeups>,
    stopping: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let mut config = target.config.clone();
    config.application_name(APPLICATION_NAME);
    config.connect_timeout(ANSWER_WITHIN);
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(30));
    let tls = target.tls.clone();
    tokio::spawn(async move {
        let mut stopping = stopping;
        let mut retry = RETRY_FIRST;
        let mut connected_before = false;
        loop {
            let listened = tokio::select! {
                result = listen_once(&config, tls.clone(), &wakeups, connected_before) => result,
                _ = stopping.wait_for(|stop| *stop) => return,
            };
            match listened {
                Ok(()) => {
                    retry = RETRY_FIRST;
                    connected_before = true;
                    tracing::warn!("the PostgreSQL listener's connection ended; connecting again");
                }
                Err(e) => tracing::warn!(error = %e, "the PostgreSQL listener cannot connect"),
            }
            wakeups.set_listening(false);
            tokio::select! {
                _ = tokio::time::sleep(retry) => {}
                _ = stopping.wait_for(|stop| *stop) => return,
            }
            retry = (retry * 2).min(RETRY_MAX);
        }
    })
}

/// Connects, `LISTEN`s and wakes pulls until the connection ends. `Err` when it could not
/// start listening; `Ok` when it did and the connection ended later.
async fn listen_once(
    config: &tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    wakeups: &Arc<Wakeups>,
    connected_before: bool,
) -> Result<(), String> {
    let (client, mut connection) = tokio::time::timeout(ANSWER_WITHIN, config.connect(tls))
        .await
        .map_err(|_| "no answer in time".to_owned())?
        .map_err(|e| with_causes(&e))?;
    // The connection is driven here: notifications are taken as they come.
    let driver_wakeups = wakeups.clone();
    let mut driver = tokio::spawn(async move {
        loop {
            match poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if n.channel() == CHANNEL {
                        if let Ok(journal) = Id::parse("journal", n.payload()) {
                            driver_wakeups.wake_notified(&journal);
                        }
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return with_causes(&e),
                None => return "closed".to_owned(),
            }
        }
    });
    let listen = tokio::time::timeout(
        ANSWER_WITHIN,
        client.batch_execute(&format!("LISTEN {CHANNEL}")),
    )
    .await;
    match listen {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            driver.abort();
            return Err(with_causes(&e));
        }
        Err(_) => {
            driver.abort();
            return Err("LISTEN got no answer in time".into());
        }
    }
    if connected_before {
        wakeups
            .counts
            .listen_reconnects
            .fetch_add(1, Ordering::Relaxed);
    }
    tracing::info!(
        channel = CHANNEL,
        "listening for batches pushed through any relay process"
    );
    wakeups.set_listening(true);
    loop {
        tokio::select! {
            ended = &mut driver => {
                let why = ended.unwrap_or_else(|e| e.to_string());
                tracing::warn!(reason = %why, "the PostgreSQL listener's connection ended");
                return Ok(());
            }
            _ = tokio::time::sleep(HEARTBEAT) => {
                let beat = tokio::time::timeout(ANSWER_WITHIN, client.simple_query("SELECT 1")).await;
                if !matches!(beat, Ok(Ok(_))) {
                    driver.abort();
                    tracing::warn!("the PostgreSQL listener's connection stopped answering");
                    return Ok(());
                }
            }
        }
    }
}
