//! The relay's Prometheus metrics, served as text at `GET /metrics`. Requests are labelled
//! by route template (`/v1/journals/{journal}/batches`), never by the raw path, so no
//! journal id ends up in a label.

use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

use crate::error::Error;
use crate::state::AppState;
use crate::storage::Totals;
use crate::wakeups::Wakeups;

/// Seconds; long-polls run up to a minute.
const LATENCY_BUCKETS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// One relay's metrics (a registry of its own: several relays may run in one process).
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    waiting_pulls: IntGauge,
    wait_lookups: IntCounterVec,
    wakes: IntCounterVec,
    listen_connected: IntGauge,
    listen_reconnects: IntCounter,
    journals: IntGauge,
    stored_bytes: IntGauge,
    pruned_batches: IntGauge,
    /// Scrapes copy the wake-ups' atomics into the counters one at a time.
    scrape: Mutex<()>,
}

fn counter_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("a valid metric");
    registry
        .register(Box::new(c.clone()))
        .expect("registered once");
    c
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    let g = IntGauge::new(name, help).expect("a valid metric");
    registry
        .register(Box::new(g.clone()))
        .expect("registered once");
    g
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Every metric, registered and at zero.
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "onward_relay_http_request_duration_seconds",
                "Time to answer a request, by route template and method (long-polls included)",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["route", "method"],
        )
        .expect("a valid metric");
        registry
            .register(Box::new(latency.clone()))
            .expect("registered once");
        let listen_reconnects = IntCounter::new(
            "onward_relay_listen_reconnects_total",
            "Times the PostgreSQL listener connected again after losing its connection",
        )
        .expect("a valid metric");
        registry
            .register(Box::new(listen_reconnects.clone()))
            .expect("registered once");
        Metrics {
            requests: counter_vec(
                &registry,
                "onward_relay_http_requests_total",
                "Requests answered, by route template, method and status",
                &["route", "method", "status"],
            ),
            latency,
            waiting_pulls: gauge(
                &registry,
                "onward_relay_waiting_pulls",
                "Pulls waiting (long-polling) now",
            ),
            wait_lookups: counter_vec(
                &registry,
                "onward_relay_wait_storage_queries_total",
                "Storage pulls made by waiting pulls, by why: first, woken (a push), recheck \
                 (the timer), resync (the listener's state changed)",
                &["reason"],
            ),
            wakes: counter_vec(
                &registry,
                "onward_relay_wakeups_total",
                "Wake-ups of a journal's waiting pulls, by source: local (a push through this \
                 process) or notify (PostgreSQL NOTIFY from any process)",
                &["source"],
            ),
            listen_connected: gauge(
                &registry,
                "onward_relay_listen_connected",
                "1 while pushes through every process wake this one's pulls (PostgreSQL \
                 LISTEN connected, or SQLite), else 0",
            ),
            listen_reconnects,
            journals: gauge(&registry, "onward_relay_journals", "Journals stored"),
            stored_bytes: gauge(
                &registry,
                "onward_relay_stored_bytes",
                "Bytes of batches, snapshot parts and device records stored, over all journals",
            ),
            pruned_batches: gauge(
                &registry,
                "onward_relay_batches_pruned",
                "Batches dropped in favour of snapshots, over the journals stored now",
            ),
            registry,
            scrape: Mutex::new(()),
        }
    }

    /// Counts one answered request.
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route, method])
            .observe(seconds);
    }

    /// The text exposition, with the wake-up counts and storage totals of now.
    pub fn render(&self, wakeups: &Wakeups, totals: Totals) -> String {
        let _one = self.scrape.lock().unwrap_or_else(|e| e.into_inner());
        let c = &wakeups.counts;
        let catch_up = |counter: &IntCounter, now: u64| {
            counter.inc_by(now.saturating_sub(counter.get()));
        };
        for (reason, atomic) in [
            ("first", &c.first),
            ("woken", &c.woken),
            ("recheck", &c.recheck),
            ("resync", &c.resync),
        ] {
            catch_up(
                &self.wait_lookups.with_label_values(&[reason]),
                atomic.load(Ordering::Relaxed),
            );
        }
        for (source, atomic) in [("local", &c.local_wakes), ("notify", &c.notified_wakes)] {
            catch_up(
                &self.wakes.with_label_values(&[source]),
                atomic.load(Ordering::Relaxed),
            );
        }
        catch_up(
            &self.listen_reconnects,
            c.listen_reconnects.load(Ordering::Relaxed),
        );
        let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.waiting_pulls
            .set(clamp(c.waiting.load(Ordering::Relaxed)));
        self.listen_connected.set(i64::from(wakeups.listening()));
        self.journals.set(clamp(totals.journals));
        self.stored_bytes.set(clamp(totals.stored_bytes));
        self.pruned_batches.set(clamp(totals.pruned_batches));
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding into memory");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// The middleware that counts every request by route template and status.
pub async fn track(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    // Known methods only: a label never takes what a client made up.
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    app.metrics.observe(
        &route,
        method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::PUT => "PUT",
        Method::POST => "POST",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// `GET /metrics`.
#[utoipa::path(get, path = crate::api::METRICS, tag = "operations",
    description = "The relay's metrics in the Prometheus text format (apps/relay/README.md, Operations).",
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain; version=0.0.4; charset=utf-8", body = String),
        (status = 500, description = "Storage did not answer", body = onward_protocol::ErrorBody),
    ))]
pub async fn metrics(State(app): State<AppState>) -> Result<Response, Error> {
    let totals = app.storage.totals().await?;
    let body = app.metrics.render(&app.wakeups, totals);
    Ok(Response::builder()
        .header(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )
        .body(body.into())
        .expect("a valid response"))
}
