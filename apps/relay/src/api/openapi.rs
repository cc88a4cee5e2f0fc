//! `GET /v1/openapi.json`: the API's OpenAPI 3 description, generated from the handlers.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{batches, health, journals, snapshots};
use crate::error::ErrorBody;

/// Raw bytes in a request or response body (an envelope, a snapshot part, pull frames).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // only its schema is used
pub struct Octets(Vec<u8>);

/// The relay's API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "onward-relay",
        description = "Stores and forwards the end-to-end encrypted sync batches and snapshots of \
            Onward journals. The relay never sees plaintext: journal ids, batch ids, sequence numbers \
            and sizes only. Requests about a journal carry `Authorization: Bearer <credential hex>`; \
            an unknown journal and a wrong credential get the same 401. The protocol is docs/SYNC.md."
    ),
    paths(
        health::health,
        openapi,
        journals::create,
        journals::status,
        journals::delete,
        batches::push,
        batches::pull,
        snapshots::put_part,
        snapshots::get_part,
    ),
    components(schemas(
        ErrorBody,
        health::Health,
        journals::JournalStatus,
        journals::SnapshotInfo,
        batches::PushAnswer,
        snapshots::PartAnswer,
        Octets,
    )),
    modifiers(&CredentialScheme),
)]
pub struct ApiDoc;

/// Declares the `credential` Bearer scheme the journal operations refer to.
struct CredentialScheme;

impl Modify for CredentialScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "credential",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format(
                            "64 lowercase hex characters, derived from the journal's root secret",
                        )
                        .build(),
                ),
            );
        }
    }
}

/// Serves this description.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "relay",
    responses((status = 200, description = "This OpenAPI 3 description", content_type = "application/json")))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
