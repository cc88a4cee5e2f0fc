//! The HTTP API: one module per resource, assembled into one router.

pub mod batches;
pub mod health;
pub mod journals;
pub mod openapi;
pub mod snapshots;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, put};
use axum::Router;

use crate::error::Error;
use crate::logging;
use crate::state::AppState;

/// The relay's routes with body limit and request logging.
pub fn router(state: AppState) -> Router {
    let max_body = state.max_body_bytes;
    Router::new()
        .route("/v1/health", get(health::health))
        .route("/v1/openapi.json", get(openapi::openapi))
        .route(
            "/v1/journals/{journal}",
            put(journals::create)
                .get(journals::status)
                .delete(journals::delete),
        )
        .route("/v1/journals/{journal}/batches", get(batches::pull))
        .route("/v1/journals/{journal}/batches/{batch}", put(batches::push))
        .route(
            "/v1/journals/{journal}/snapshots/{snapshot}/parts/{index}",
            put(snapshots::put_part).get(snapshots::get_part),
        )
        .fallback(no_such_route)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(logging::trace_layer())
        .with_state(state)
}

async fn no_such_route() -> Error {
    Error::NotFound("There is no such route. GET /v1/openapi.json lists the relay's API.".into())
}
