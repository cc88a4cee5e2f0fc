//! The fuzzing entry point for the relay's HTTP API: one arbitrary request through the
//! real router over a real SQLite store, in-process (no socket). Called by the cargo-fuzz
//! target `relay_http` and by the stable corpus replay in `tests/tests/fuzz_corpus.rs`.
//!
//! Input: `METHOD\nTARGET\nAUTHORIZATION\nBODY`: the request line's method, its path
//! and query, the `Authorization` header's value (empty: none), then the body bytes.
//! Lines that are missing count as empty.

use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header::AUTHORIZATION, HeaderValue, Method, Request, StatusCode, Uri};
use axum::Router;
use tokio::runtime::Runtime;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::state::AppState;
use crate::storage::sqlite::SqliteStorage;
use crate::wakeups::Wakeups;

/// Small limits, so that inputs reach them.
const MAX_BODY_BYTES: usize = 64 * 1024;
const QUOTA_BYTES: u64 = 1 << 20;
/// Far longer than any answer takes: reaching it means a request hung.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

struct Harness {
    runtime: Runtime,
    router: Router,
}

/// One router for the whole run: journals created by one input are there for the next,
/// as on a real relay.
fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime for the fuzz target");
        // One store per process, left in the temp directory for a look after a finding.
        let path =
            std::env::temp_dir().join(format!("onward-relay-fuzz-{}.db", std::process::id()));
        let storage = SqliteStorage::open(&path).expect("a SQLite store in the temp directory");
        // Shutting down from the start: a long-poll (`wait=`) answers at once instead of
        // holding each input for up to a minute. Nothing else looks at it.
        let (stop, shutdown) = watch::channel(true);
        std::mem::forget(stop);
        let router = crate::api::router(AppState {
            storage: std::sync::Arc::new(storage),
            quota_bytes: QUOTA_BYTES,
            max_body_bytes: MAX_BODY_BYTES,
            wakeups: std::sync::Arc::new(Wakeups::default()),
            shutdown,
            clock: crate::clock::Clock::default(),
            delete_grace: Duration::from_secs(
                onward_protocol::limits::DEFAULT_DELETE_GRACE_SECONDS,
            ),
            metrics: Default::default(),
            // No request rates: a fuzzer sends far more than any device.
            guard: std::sync::Arc::new(crate::guard::Guard::new(
                crate::guard::Limits {
                    ip_per_second: 0,
                    journal_per_second: 0,
                    ..Default::default()
                },
                crate::guard::Registration::Open,
            )),
        });
        Harness { runtime, router }
    })
}

/// Sends one request made of `data` through the router. Panics (the fuzzer's finding)
/// when the relay answers 5xx (a handler's panic becomes a 500 too) or takes longer
/// than [`ANSWER_WITHIN`]. Inputs that are no HTTP request at all (a method or target
/// a server would refuse before routing) are skipped.
pub fn http_request(data: &[u8]) {
    answer(data);
}

/// What [`http_request`] does, returning the status of the answer (`None`: skipped).
pub fn answer(data: &[u8]) -> Option<StatusCode> {
    let mut parts = data.splitn(4, |b| *b == b'\n');
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or_default();
    let authorization = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default().to_vec();
    let method = Method::from_bytes(method).ok()?;
    let uri = Uri::try_from(target).ok()?;
    let mut request = Request::builder().method(method.clone()).uri(uri.clone());
    if !authorization.is_empty() {
        let value = HeaderValue::from_bytes(authorization).ok()?;
        request = request.header(AUTHORIZATION, value);
    }
    let request = request.body(Body::from(body)).ok()?;
    let h = harness();
    let answer = h.runtime.block_on(async {
        tokio::time::timeout(ANSWER_WITHIN, h.router.clone().oneshot(request)).await
    });
    match answer {
        Err(_) => panic!("{method} {uri} got no answer within {ANSWER_WITHIN:?}"),
        Ok(Err(never)) => match never {},
        Ok(Ok(response)) => {
            let status = response.status();
            assert!(
                !status.is_server_error(),
                "{method} {uri} was answered {status}"
            );
            Some(status)
        }
    }
}
