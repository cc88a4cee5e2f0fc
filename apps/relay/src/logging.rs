//! Structured logs on stderr: one line per request with method, path, status, journal id
//! and latency. Bodies, headers and credentials are never logged.

use std::time::Duration;

use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnRequest, MakeSpan, OnResponse, TraceLayer};
use tracing::Span;
use tracing_subscriber::EnvFilter;

use crate::ids::Id;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Readable lines for a terminal.
    #[default]
    Human,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Installs the global subscriber writing to stderr; `RUST_LOG` overrides the level (info).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init(),
    }
}

/// The request span: method, path and the journal id when the path names one.
#[derive(Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let path = request.uri().path();
        let journal = journal_in(path)
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!("request", method = %request.method(), path = %path, journal = %journal)
    }
}

/// Logs the status and latency of every answer.
#[derive(Clone, Copy)]
pub struct ResponseLine;

impl<B> OnResponse<B> for ResponseLine {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        tracing::info!(
            status = response.status().as_u16(),
            latency_ms = latency.as_secs_f64() * 1000.0,
            "answered"
        );
    }
}

/// The request-logging layer of the router.
pub type RequestTrace = TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    RequestSpan,
    DefaultOnRequest,
    ResponseLine,
    (),
    (),
    (),
>;

/// Builds the request-logging layer.
pub fn trace_layer() -> RequestTrace {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_response(ResponseLine)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// The journal id in `/v1/journals/{journal}/...`, if well-formed.
fn journal_in(path: &str) -> Option<Id> {
    let rest = path.strip_prefix("/v1/journals/")?;
    Id::parse("journal", rest.split('/').next()?).ok()
}
