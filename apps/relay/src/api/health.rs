//! `GET /v1/health`.

use axum::Json;
use onward_protocol::paths;
use serde::Serialize;

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
