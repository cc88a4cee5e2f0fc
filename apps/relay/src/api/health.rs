//! `GET /v1/health`, and for operators `GET /livez` and `GET /readyz` (outside the API).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use onward_protocol::paths;
use serde::Serialize;

use crate::state::AppState;

/// The health answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always true when the relay answers.
    pub ok: bool,
    /// The relay's version.
    pub version: &'static str,
}

/// Says the relay is up and which version it runs.
#[utoipa::path(get, path = paths::HEALTH, tag = "relay",
    responses((status = 200, description = "The relay is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        ok: true,
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// The readiness answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ready {
    /// True when this process can serve: storage answers and, with PostgreSQL, the
    /// listener that brings other processes' pushes is connected.
    pub ready: bool,
    /// Storage answered a query.
    pub storage: bool,
    /// Pushes through every relay process wake this one's pulls.
    pub listener: bool,
}

/// `GET /livez`: the process is up (nothing else is asked).
#[utoipa::path(get, path = super::LIVEZ, tag = "operations",
    responses((status = 200, description = "`ok`: the process is up", content_type = "text/plain", body = String)))]
pub async fn livez() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: 200 when storage answers and (PostgreSQL) the listener is connected,
/// else 503 with what is missing.
#[utoipa::path(get, path = super::READYZ, tag = "operations",
    responses(
        (status = 200, description = "Ready: storage answers within 2 s and (PostgreSQL) the listener is connected", body = Ready),
        (status = 503, description = "Not ready; the fields say what is missing", body = Ready),
    ))]
pub async fn readyz(State(app): State<AppState>) -> (StatusCode, Json<Ready>) {
    let storage = matches!(
        tokio::time::timeout(READY_WITHIN, app.storage.totals()).await,
        Ok(Ok(_))
    );
    let listener = app.wakeups.listening();
    let ready = storage && listener;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Ready {
            ready,
            storage,
            listener,
        }),
    )
}

/// How long `/readyz` waits for storage.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);
