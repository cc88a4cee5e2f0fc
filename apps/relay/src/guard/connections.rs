//! Caps on what is held open at once: connections per process, requests in flight per
//! journal, and pulls waiting per process and per journal; and the accept loop that serves connections with read
//! timeouts (`axum::serve` has no timer).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower::ServiceBuilder;
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::Limits;
use crate::error::Error;
use crate::ids::Id;

/// How long a refused client is asked to wait (`Retry-After`) before trying again.
pub const BUSY_RETRY_SECS: u64 = 5;

/// Connections over the cap that are still answered `503 too_busy`; beyond these they
/// are closed at once.
const BUSY_ANSWERS: usize = 64;

/// How many of something each journal has now (requests in flight, waiting pulls),
/// each at most `max`.
struct PerJournal {
    counts: Arc<Mutex<HashMap<Id, usize>>>,
    max: usize,
}

/// A journal's place in a [`PerJournal`] count, given back when dropped.
struct Place {
    journal: Id,
    counts: Arc<Mutex<HashMap<Id, usize>>>,
}

impl PerJournal {
    fn new(max: usize) -> PerJournal {
        PerJournal {
            counts: Arc::default(),
            max,
        }
    }

    fn enter(&self, journal: &Id) -> Result<Place, Error> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let count = counts.entry(journal.clone()).or_insert(0);
        if *count >= self.max {
            return Err(busy());
        }
        *count += 1;
        Ok(Place {
            journal: journal.clone(),
            counts: self.counts.clone(),
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.journal) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.journal);
            }
        }
    }
}

fn busy() -> Error {
    Error::TooBusy {
        retry_after_secs: BUSY_RETRY_SECS,
    }
}

/// The requests about each journal in flight now. Connections are not tied to a
/// journal (a kept-alive one may ask about several), so what is capped per journal is
/// its requests being served at once.
pub struct InFlight(PerJournal);

/// A request's place among its journal's requests in flight; freed when dropped.
pub struct InFlightRequest {
    _place: Place,
}

impl InFlight {
    /// Room for `max_per_journal` requests in flight for any one journal.
    pub fn new(max_per_journal: usize) -> InFlight {
        InFlight(PerJournal::new(max_per_journal))
    }

    /// A place for one more request about `journal`, or `too_busy` when it has as many
    /// in flight as it may.
    pub fn enter(&self, journal: &Id) -> Result<InFlightRequest, Error> {
        self.0
            .enter(journal)
            .map(|place| InFlightRequest { _place: place })
    }
}

/// The pulls waiting now, per process and per journal.
pub struct LongPolls {
    total: Arc<Semaphore>,
    per_journal: PerJournal,
}

/// A waiting pull's place; the place is freed when it is dropped.
pub struct LongPoll {
    _total: OwnedSemaphorePermit,
    _journal: Place,
}

impl LongPolls {
    /// Room for `max` waiting pulls, `max_per_journal` of them for any one journal.
    pub fn new(max: usize, max_per_journal: usize) -> LongPolls {
        LongPolls {
            total: Arc::new(Semaphore::new(max)),
            per_journal: PerJournal::new(max_per_journal),
        }
    }

    /// A place for one more waiting pull of `journal`, or `too_busy` when the process or
    /// the journal has as many as it may.
    pub fn enter(&self, journal: &Id) -> Result<LongPoll, Error> {
        let total = self.total.clone().try_acquire_owned().map_err(|_| busy())?;
        Ok(LongPoll {
            _total: total,
            _journal: self.per_journal.enter(journal)?,
        })
    }
}

/// Serves `router` on `listener` until `stopping` turns true, then stops accepting and
/// waits for the connections to finish their requests (graceful shutdown).
///
/// Each connection gets its peer address (`ConnectInfo`), a header read timeout (which
/// also closes idle kept-alive connections) and a body read timeout; at most
/// `max_connections` are served at once, the next few are answered `503 too_busy`.
pub async fn serve_connections(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let busy_slots = Arc::new(Semaphore::new(BUSY_ANSWERS));
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopping.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a little, don't spin.
                tracing::warn!(error = %e, "could not accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if let Ok(slot) = slots.clone().try_acquire_owned() {
            let service = ServiceBuilder::new()
                .map_request(move |mut request: Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                })
                .layer(RequestBodyTimeoutLayer::new(limits.body_read_timeout))
                .service(router.clone());
            spawn_connection(
                &http,
                &graceful,
                stream,
                TowerToHyperService::new(service),
                slot,
            );
        } else if let Ok(slot) = busy_slots.clone().try_acquire_owned() {
            tracing::warn!(peer = %peer, "too many connections: answering 503 too_busy");
            let service = hyper::service::service_fn(|_request: Request<Incoming>| async {
                let mut answer = busy().into_response();
                answer
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                Ok::<_, Infallible>(answer)
            });
            spawn_connection(&http, &graceful, stream, service, slot);
        } else {
            drop(stream);
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Serves one connection in its own task, holding `slot` until it closes.
fn spawn_connection<S>(
    http: &http1::Builder,
    graceful: &GracefulShutdown,
    stream: TcpStream,
    service: S,
    slot: OwnedSemaphorePermit,
) where
    S: hyper::service::Service<Request<Incoming>, Response = axum::response::Response>
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
    tokio::spawn(async move {
        let _slot = slot;
        if let Err(e) = connection.await {
            // A client that went away or was too slow: nothing for the operator to do.
            tracing::debug!(error = %e, "a connection ended with an error");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_polls_are_capped_per_journal_and_per_process() {
        let j1 = Id::parse("journal", &"1".repeat(32)).unwrap();
        let j2 = Id::parse("journal", &"2".repeat(32)).unwrap();
        let j3 = Id::parse("journal", &"3".repeat(32)).unwrap();
        let polls = LongPolls::new(3, 2);
        let a = polls.enter(&j1).unwrap();
        let _b = polls.enter(&j1).unwrap();
        assert!(matches!(polls.enter(&j1), Err(Error::TooBusy { .. })));
        let _c = polls.enter(&j2).unwrap();
        assert!(
            matches!(polls.enter(&j3), Err(Error::TooBusy { .. })),
            "the process is full"
        );
        drop(a);
        let _d = polls.enter(&j1).expect("a place was freed");
    }

    #[test]
    fn requests_in_flight_are_capped_per_journal() {
        let j1 = Id::parse("journal", &"1".repeat(32)).unwrap();
        let j2 = Id::parse("journal", &"2".repeat(32)).unwrap();
        let in_flight = InFlight::new(2);
        let a = in_flight.enter(&j1).unwrap();
        let _b = in_flight.enter(&j1).unwrap();
        assert!(matches!(in_flight.enter(&j1), Err(Error::TooBusy { .. })));
        let _c = in_flight
            .enter(&j2)
            .expect("another journal has its own places");
        drop(a);
        let _d = in_flight.enter(&j1).expect("a place was freed");
    }
}
