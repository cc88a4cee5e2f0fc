//! `GET /v1/openapi.json`: the API's OpenAPI 3 description, generated from the handlers.

use axum::Json;
use onward_protocol::limits::{MAX_BODY_BYTES, MAX_DEVICE_RECORD_BYTES, MAX_SNAPSHOT_PART_BYTES};
use onward_protocol::members::{Invitation, LoggedOp, SignedOp, SignedWrap};
use onward_protocol::{
    headers, paths, AcceptInvitation, CreateJournal, DeleteAnswer, DeviceRecord, DeviceRecords,
    ErrorBody, InvitationAnswer, InvitationUpload, JournalInfo, MembersAnswer, MembersChange,
    PartAnswer, PushAnswer, SnapshotInfo, WrapsAnswer,
};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, RefOr, Type};
use utoipa::{Modify, OpenApi};

use super::{batches, devices, health, invitations, journals, members, snapshots};

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
            and sizes only. Requests about a journal carry `Authorization: Bearer <credential hex>`, \
            a member's own (the invitation's for the invitation routes). A missing, malformed or wrong \
            credential, or an unknown journal, is the same 401 on every operation, before anything else \
            of the request but its path is judged; a removed device's credential is 403 `device_removed`. \
            Every write is signed by the writing device's key and checked against the journal's signed \
            device list. Ids are 32 lowercase hex characters (400 otherwise). A request body is at most \
            4 MiB (the relay's default `--max-body-bytes`; 413 beyond, unread when `Content-Length` \
            says so), and is read only after the credential checks out; a body that pauses too long \
            or is not all there by the relay's body deadline is 400. Operators also have `/livez`, \
            `/readyz` and `/metrics`, outside `/v1`. The protocol is docs/SYNC.md."
    ),
    paths(
        health::health,
        health::livez,
        health::readyz,
        crate::metrics::metrics,
        openapi,
        journals::create,
        journals::status,
        journals::delete,
        journals::restore,
        members::list,
        members::change,
        members::wraps,
        invitations::put,
        invitations::get,
        invitations::accept,
        batches::push,
        batches::pull,
        snapshots::put_part,
        snapshots::get_part,
        devices::put_device,
        devices::list_devices,
    ),
    components(schemas(
        ErrorBody,
        health::Health,
        health::Ready,
        JournalInfo,
        SnapshotInfo,
        PushAnswer,
        PartAnswer,
        DeviceRecords,
        DeviceRecord,
        Octets,
        CreateJournal,
        DeleteAnswer,
        MembersAnswer,
        MembersChange,
        WrapsAnswer,
        InvitationUpload,
        InvitationAnswer,
        AcceptInvitation,
        SignedOp,
        LoggedOp,
        SignedWrap,
        Invitation,
    )),
    modifiers(&CredentialScheme, &PullHeaders, &BodySizes, &AbuseLimits),
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
                            "64 lowercase hex characters: a member's (or an invitation's) own relay credential",
                        )
                        .build(),
                ),
            );
        }
    }
}

/// Describes the pull answer's headers under the protocol's own names (utoipa's
/// `headers(...)` takes only literals, which could drift from `onward_protocol::headers`).
struct PullHeaders;

impl Modify for PullHeaders {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(RefOr::T(ok)) = openapi
            .paths
            .paths
            .get_mut(paths::BATCHES)
            .and_then(|item| item.get.as_mut())
            .and_then(|pull| pull.responses.responses.get_mut("200"))
        else {
            return;
        };
        let described = [
            (headers::LATEST_SEQ, Type::Integer, "The journal's highest sequence number"),
            (
                headers::PRUNED_THROUGH,
                Type::Integer,
                "Batches through this number were replaced by a snapshot",
            ),
            (
                headers::INCARNATION,
                Type::String,
                "The journal's incarnation (32 lowercase hex characters), random per creation",
            ),
            (
                headers::AFTER_ID,
                Type::String,
                "The id of the batch numbered `after`, also when a snapshot replaced it; empty for \
                 `after=0` or a number above the latest",
            ),
        ];
        for (name, kind, description) in described {
            let header = HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(kind)))
                .description(Some(description))
                .build();
            ok.headers.insert(name.to_owned(), RefOr::T(header));
        }
    }
}

/// The bounds of the binary request bodies, from the protocol's numbers (utoipa's
/// attributes take only literals): an envelope up to the default body limit, a snapshot
/// part, a device record; none may be empty.
struct BodySizes;

impl BodySizes {
    const BOUNDS: [(&'static str, usize); 3] = [
        (paths::BATCH, MAX_BODY_BYTES),
        (paths::SNAPSHOT_PART, MAX_SNAPSHOT_PART_BYTES),
        (paths::DEVICE, MAX_DEVICE_RECORD_BYTES),
    ];
}

impl Modify for BodySizes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
        for (path, max) in Self::BOUNDS {
            let Some(RefOr::T(body)) = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.put.as_mut())
                .and_then(|put| put.request_body.as_mut())
            else {
                continue;
            };
            for content in body.content.values_mut() {
                if let RefOr::T(content) = content {
                    let bytes = ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                        .content_media_type("application/octet-stream")
                        .min_length(Some(1))
                        .max_length(Some(max))
                        .build();
                    content.schema = Some(RefOr::T(bytes.into()));
                }
            }
        }
    }
}

/// Every route can meet the abuse limits (`guard`): too many requests from one address or
/// for one journal (429 with `Retry-After`), or a relay at its connection or waiting-pull
/// cap or a journal at its cap of requests in flight (503 `too_busy`). Stated on each operation so clients and fuzzers expect them.
struct AbuseLimits;

impl Modify for AbuseLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let answer = |description: &str| {
            let retry_after = HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some("Seconds to wait before trying again"))
                .build();
            ResponseBuilder::new()
                .description(description)
                .header("Retry-After", retry_after)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses.entry("429".into()).or_insert_with(|| {
                    RefOr::T(answer(
                        "`rate_limited`: too many requests from this address or for this journal",
                    ))
                });
                responses.entry("503".into()).or_insert_with(|| {
                    RefOr::T(answer(
                        "`too_busy`: the relay is at its cap of connections or of waiting pulls, \
                         or this journal at its cap of requests in flight",
                    ))
                });
            }
        }
    }
}

/// Serves this description.
#[utoipa::path(get, path = paths::OPENAPI, tag = "relay",
    responses((status = 200, description = "This OpenAPI 3 description", content_type = "application/json")))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;
    use onward_protocol::limits::{MAX_PULL_LIMIT, MAX_SNAPSHOT_PARTS, MAX_WAIT_SECONDS};

    #[test]
    fn the_pull_parameters_state_the_protocol_limits() {
        // utoipa's `#[param(maximum = ...)]` takes only literals: they must be the constants.
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let params = doc["paths"][paths::BATCHES]["get"]["parameters"]
            .as_array()
            .unwrap();
        let maximum = |name: &str| -> Option<f64> {
            params.iter().find(|p| p["name"] == name).unwrap()["schema"]["maximum"].as_f64()
        };
        assert_eq!(maximum("limit"), Some(f64::from(MAX_PULL_LIMIT)));
        assert_eq!(maximum("wait"), Some(MAX_WAIT_SECONDS as f64));
        let part_params = doc["paths"][paths::SNAPSHOT_PART]["put"]["parameters"]
            .as_array()
            .unwrap();
        let parts = part_params.iter().find(|p| p["name"] == "parts").unwrap();
        assert_eq!(
            parts["schema"]["maximum"].as_f64(),
            Some(f64::from(MAX_SNAPSHOT_PARTS))
        );
        let ok_headers = doc["paths"][paths::BATCHES]["get"]["responses"]["200"]["headers"]
            .as_object()
            .unwrap();
        for name in [
            headers::LATEST_SEQ,
            headers::PRUNED_THROUGH,
            headers::INCARNATION,
            headers::AFTER_ID,
        ] {
            assert!(ok_headers.contains_key(name), "{name} is described");
        }
    }

    #[test]
    fn the_bodies_and_the_part_index_state_the_protocol_limits() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        for (path, max) in BodySizes::BOUNDS {
            let schema = &doc["paths"][path]["put"]["requestBody"]["content"]
                ["application/octet-stream"]["schema"];
            assert_eq!(schema["minLength"], 1, "{path}: {schema}");
            assert_eq!(schema["maxLength"], max, "{path}: {schema}");
        }
        assert_eq!(
            MAX_BODY_BYTES,
            4 * 1024 * 1024,
            "the description says 4 MiB"
        );
        for method in ["put", "get"] {
            let params = doc["paths"][paths::SNAPSHOT_PART][method]["parameters"]
                .as_array()
                .unwrap();
            let index = params.iter().find(|p| p["name"] == "index").unwrap();
            assert_eq!(
                index["schema"]["maximum"].as_f64(),
                Some(f64::from(MAX_SNAPSHOT_PARTS - 1)),
                "{method}"
            );
        }
        let create = doc["paths"][paths::JOURNAL]["put"]["requestBody"]["description"]
            .as_str()
            .unwrap();
        let genesis_kib = crate::storage::members::GENESIS_WITHIN / 1024;
        assert!(
            create.contains(&format!("over {genesis_kib} KiB")),
            "{create}"
        );
        for path in [
            super::super::LIVEZ,
            super::super::READYZ,
            super::super::METRICS,
        ] {
            assert!(doc["paths"][path]["get"].is_object(), "{path} is described");
        }
    }
}
