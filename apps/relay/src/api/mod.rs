//! The HTTP API: one module per resource, assembled into one router.

pub mod batches;
pub mod devices;
pub mod health;
pub mod invitations;
pub mod journals;
pub mod members;
pub mod openapi;
pub mod snapshots;

use std::any::Any;

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::Response;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::Router;
use onward_protocol::paths;
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::Error;
use crate::guard;
use crate::guard::body::UnreadBody;
use crate::logging;
use crate::metrics;
use crate::state::AppState;

/// Liveness: the process is up.
pub const LIVEZ: &str = "/livez";
/// Readiness: storage answers and (PostgreSQL) the listener is connected.
pub const READYZ: &str = "/readyz";
/// Prometheus metrics, text format.
pub const METRICS: &str = "/metrics";

/// The relay's routes with body limit, request logging and metrics.
pub fn router(state: AppState) -> Router {
    let max_body = state.max_body_bytes;
    Router::new()
        .route(paths::HEALTH, get(health::health))
        .route(LIVEZ, get(health::livez))
        .route(READYZ, get(health::readyz))
        .route(METRICS, get(metrics::metrics))
        .route(paths::OPENAPI, get(openapi::openapi))
        .route(
            paths::JOURNAL,
            put(journals::create)
                .get(journals::status)
                .delete(journals::delete),
        )
        .route(paths::BATCHES, get(batches::pull))
        .route(paths::BATCH, put(batches::push))
        .route(
            paths::SNAPSHOT_PART,
            put(snapshots::put_part).get(snapshots::get_part),
        )
        .route(paths::DEVICES, get(devices::list_devices))
        .route(paths::DEVICE, put(devices::put_device))
        .route(paths::RESTORE, post(journals::restore))
        .route(paths::MEMBERS, get(members::list).post(members::change))
        .route(paths::WRAPS, get(members::wraps))
        .route(
            paths::INVITATION,
            put(invitations::put).get(invitations::get),
        )
        .route(paths::INVITATION_ACCEPT, post(invitations::accept))
        .fallback(no_such_route)
        .method_not_allowed_fallback(no_such_method)
        // Inside the logging, so refused requests are logged too.
        .layer(axum::middleware::from_fn_with_state(
            state.guard.clone(),
            guard::limit_requests,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(CatchPanicLayer::custom(panic_answer))
        .layer(logging::trace_layer())
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
}

/// Reads a JSON request body (after the credential was checked): over the limit is 413,
/// anything that is not the expected JSON 400.
pub(crate) async fn json_body<T: serde::de::DeserializeOwned>(
    body: UnreadBody,
    limit: usize,
    what: &str,
) -> Result<T, Error> {
    parse_json(&body.read(limit).await?, what)
}

/// Parses a JSON request body already read: anything but the expected JSON is 400.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| {
        Error::BadRequest(format!(
            "The body is not {what} as JSON ({e}); see docs/SYNC.md, HTTP API."
        ))
    })
}

async fn no_such_route() -> Error {
    Error::NotFound("There is no such route. GET /v1/openapi.json lists the relay's API.".into())
}

async fn no_such_method() -> Error {
    Error::MethodNotAllowed
}

/// A bug that panics in a handler becomes a logged 500, never a dropped connection.
fn panic_answer(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    Error::Internal(format!("a handler panicked: {detail}")).into_response()
}
