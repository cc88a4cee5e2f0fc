//! The relay's one error type and its JSON answer `{"error", "message"}`.

use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use onward_protocol::limits::{MAX_PULL_LIMIT, MAX_WAIT_SECONDS};
use onward_protocol::{ErrorBody, ErrorCode};

/// Everything a request can fail with; each variant maps to one HTTP status and code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A malformed id, parameter or body (400 `bad_request`).
    #[error("{0}")]
    BadRequest(String),
    /// An unknown journal or a wrong credential; deliberately the same answer (401).
    #[error("this journal is unknown here or the credential does not match")]
    Unauthorized,
    /// A snapshot part that is not stored, or an unknown route (404 `not_found`).
    #[error("{0}")]
    NotFound(String),
    /// A route that exists, asked with another method (405 `method_not_allowed`).
    #[error("this route does not take that method")]
    MethodNotAllowed,
    /// A pull from below `pruned_through` (409 `snapshot_required`).
    #[error("batches through {pruned_through} were replaced by a snapshot")]
    SnapshotRequired {
        /// The journal's `pruned_through`.
        pruned_through: u64,
    },
    /// A snapshot that covers less than the journal's newest snapshot (409 `snapshot_outdated`).
    #[error("a newer snapshot (covering through {pruned_through}) is already complete")]
    SnapshotOutdated {
        /// The journal's `pruned_through`.
        pruned_through: u64,
    },
    /// A request body over the relay's limit (413 `payload_too_large`).
    #[error("the body is larger than this relay accepts ({limit} bytes)")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A device record for one more device than a journal may have (409 `too_many_devices`).
    #[error("the journal already has records of {max} devices")]
    TooManyDevices {
        /// The most devices a journal may have.
        max: usize,
    },
    /// A write that would take the journal over its quota (507 `quota_exceeded`).
    #[error("the journal would use more than its {quota} bytes")]
    QuotaExceeded {
        /// The journal's quota in bytes.
        quota: u64,
    },
    /// A fault of the relay itself (storage unreachable, a bug): 500, details only in the log.
    #[error("internal: {0}")]
    Internal(String),
    /// A signature that doesn't check out, or a write signed by another device (403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The credential of a member removed from the journal's device list (403).
    #[error("this device was removed from the journal")]
    DeviceRemoved,
    /// An invitation used or expired (410 `invitation_gone`).
    #[error("the invitation was used or has expired")]
    InvitationGone,
    /// A journal deleted and not (yet) purged (410 `journal_deleted`).
    #[error("the journal was deleted")]
    JournalDeleted {
        /// When the relay drops it for good (milliseconds since 1970).
        purge_after_ms: u64,
    },
    /// A write under an epoch other than the journal's current one (409 `epoch_outdated`).
    #[error("the journal is at key epoch {epoch}")]
    EpochOutdated {
        /// The journal's epoch now.
        epoch: u32,
    },
    /// A device-list operation that doesn't follow the last one (409 `members_changed`).
    #[error("the device list changed meanwhile")]
    MembersChanged,
    /// A credential that isn't 64 lowercase hex characters, on creation (401, as any bad
    /// credential: an API client treats them alike).
    #[error("the credential is malformed")]
    MalformedCredential,
    /// A part of a snapshot that is already complete (409 `snapshot_complete`).
    #[error("the snapshot is complete")]
    SnapshotComplete,
    /// Too many requests from one address or for one journal (429 `rate_limited`).
    #[error("too many requests; retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a request would be taken again (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// Too many connections or waiting pulls at once (503 `too_busy`).
    #[error("too busy; retry after {retry_after_secs} s")]
    TooBusy {
        /// Seconds to wait before trying again (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// A new journal on a relay that takes them only with its registration token (403).
    #[error("a new journal needs this relay's registration token")]
    RegistrationRequired,
}

impl Error {
    /// The stable code of this error (its `error` field and HTTP status).
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Error::BadRequest(_) => ErrorCode::BadRequest,
            Error::Unauthorized | Error::MalformedCredential => ErrorCode::Unauthorized,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Error::SnapshotRequired { .. } => ErrorCode::SnapshotRequired,
            Error::SnapshotOutdated { .. } => ErrorCode::SnapshotOutdated,
            Error::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Error::TooManyDevices { .. } => ErrorCode::TooManyDevices,
            Error::QuotaExceeded { .. } => ErrorCode::QuotaExceeded,
            Error::Internal(_) => ErrorCode::Internal,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::DeviceRemoved => ErrorCode::DeviceRemoved,
            Error::InvitationGone => ErrorCode::InvitationGone,
            Error::JournalDeleted { .. } => ErrorCode::JournalDeleted,
            Error::EpochOutdated { .. } => ErrorCode::EpochOutdated,
            Error::MembersChanged => ErrorCode::MembersChanged,
            Error::SnapshotComplete => ErrorCode::SnapshotComplete,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::TooBusy { .. } => ErrorCode::TooBusy,
            Error::RegistrationRequired => ErrorCode::RegistrationRequired,
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        // Every status in ErrorCode is a valid one; 500 guards a future typo there.
        StatusCode::from_u16(self.error_code().status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The stable code in the `error` field.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The `message` field: what happened and what to do next.
    fn message(&self) -> String {
        match self {
            Error::BadRequest(why) | Error::NotFound(why) => why.clone(),
            Error::MethodNotAllowed => {
                "This route does not take that method. GET /v1/openapi.json lists what each route takes."
                    .to_owned()
            }
            Error::Unauthorized => "This journal is not known here, or the credential does not match. \
                 Check the device's credential, or create the journal with PUT first."
                .to_owned(),
            Error::MalformedCredential => "The credential must be 64 lowercase hex characters \
                 (see docs/SYNC.md, Devices and keys)."
                .to_owned(),
            Error::SnapshotRequired { pruned_through } => format!(
                "Batches through {pruned_through} were folded into a snapshot. \
                 Download the newest snapshot (GET the journal), then pull after its `covers`."
            ),
            Error::SnapshotOutdated { pruned_through } => format!(
                "A newer snapshot already covers through {pruned_through}. \
                 Pull and merge it before uploading another."
            ),
            Error::PayloadTooLarge { limit } => format!(
                "The body is over this relay's limit of {limit} bytes. Send smaller batches or parts."
            ),
            Error::TooManyDevices { max } => format!(
                "This journal already has records of {max} devices, the most it may have. \
                 Replace an existing device's record instead of adding another."
            ),
            Error::QuotaExceeded { quota } => format!(
                "This journal would go over its quota of {quota} bytes. \
                 Upload a snapshot so older batches can be dropped, or ask the relay's operator for more room."
            ),
            Error::Internal(_) => {
                "Something went wrong inside the relay. Try again shortly; the operator's log has the details."
                    .to_owned()
            }
            Error::Forbidden(why) => format!(
                "{why} Every write must be signed by the device whose credential the request carries."
            ),
            Error::DeviceRemoved => "This device was removed from the journal's devices. \
                 Pair it again with an invitation from a device still in the journal."
                .to_owned(),
            Error::InvitationGone => "This invitation was used or has expired. \
                 Ask a device in the journal for a new one."
                .to_owned(),
            Error::JournalDeleted { purge_after_ms } => format!(
                "This journal was deleted; the relay drops it for good at {purge_after_ms} \
                 (milliseconds since 1970). A member can restore it before then (POST .../restore)."
            ),
            Error::EpochOutdated { epoch } => format!(
                "The journal is at key epoch {epoch}: a device was removed. \
                 Read the device list and your wrapped key (GET .../members, .../wraps), then seal again."
            ),
            Error::MembersChanged => "The device list changed since this operation was made: \
                 its `prev` is not the last operation. Read the list again (GET .../members) and retry."
                .to_owned(),
            Error::SnapshotComplete => "This snapshot is already complete and never changes. \
                 Upload a new snapshot under a new id instead."
                .to_owned(),
            Error::RateLimited { retry_after_secs } => format!(
                "That was a lot of requests in a short time. Please wait {retry_after_secs} s \
                 (the Retry-After header) and try again."
            ),
            Error::TooBusy { retry_after_secs } => format!(
                "The relay is busy with many connections or waiting pulls right now. \
                 Please try again in {retry_after_secs} s (the Retry-After header)."
            ),
            Error::RegistrationRequired => format!(
                "This relay takes new journals only with its operator's registration token, \
                 sent in the `{}` header. Ask the operator for one.",
                onward_protocol::headers::REGISTRATION
            ),
        }
    }

    /// Seconds for the `Retry-After` header, for the answers that have one.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Error::RateLimited { retry_after_secs } | Error::TooBusy { retry_after_secs } => {
                Some((*retry_after_secs).max(1))
            }
            _ => None,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(detail) = &self {
            tracing::error!(detail = %detail, "internal error");
        }
        let body = ErrorBody {
            error: self.code().to_owned(),
            message: self.message(),
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs() {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        if matches!(self, Error::PayloadTooLarge { .. }) {
            // The body was left unread, so the connection can't carry another request:
            // say so, or a client may reuse it and lose its next request mid-flight.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        response
    }
}

impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Self {
        Error::BadRequest(format!(
            "The query parameters are not valid ({}). `after` and `covers` are whole numbers, \
             `limit` 1 to {MAX_PULL_LIMIT}, `wait` 0 to {MAX_WAIT_SECONDS}, `parts` at least 1.",
            rejection.body_text()
        ))
    }
}

impl From<PathRejection> for Error {
    fn from(rejection: PathRejection) -> Self {
        Error::BadRequest(format!(
            "The path is not valid ({}).",
            rejection.body_text()
        ))
    }
}

impl Error {
    /// Maps a failed body read: over the limit is 413, anything else 400.
    pub fn from_body(rejection: BytesRejection, limit: usize) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge { limit }
        } else {
            Error::BadRequest(format!(
                "The body could not be read ({}).",
                rejection.body_text()
            ))
        }
    }
}

/// `error` followed by its causes, so a log line says what really happened
/// ("error connecting to server: Connection refused (os error 111)").
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl From<onward_protocol::members::MembersError> for Error {
    /// A device-list operation, wrap or signature refused: a bad or foreign signature is
    /// 403, anything else (malformed, broken chain) 400.
    fn from(error: onward_protocol::members::MembersError) -> Self {
        use onward_protocol::members::MembersError;
        match error {
            MembersError::BadSignature(_) | MembersError::NotAMember(_) => {
                Error::Forbidden(format!("{error}."))
            }
            MembersError::Empty | MembersError::Malformed(_) | MembersError::Broken(_) => {
                Error::BadRequest(format!("{error}."))
            }
        }
    }
}

/// Results of the relay.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_answers_its_protocol_code_and_status() {
        let errors = [
            Error::BadRequest("x".into()),
            Error::Unauthorized,
            Error::NotFound("x".into()),
            Error::MethodNotAllowed,
            Error::SnapshotRequired { pruned_through: 1 },
            Error::SnapshotOutdated { pruned_through: 1 },
            Error::PayloadTooLarge { limit: 1 },
            Error::TooManyDevices { max: 1 },
            Error::QuotaExceeded { quota: 1 },
            Error::Internal("x".into()),
            Error::Forbidden("x".into()),
            Error::DeviceRemoved,
            Error::InvitationGone,
            Error::JournalDeleted { purge_after_ms: 1 },
            Error::EpochOutdated { epoch: 1 },
            Error::MembersChanged,
            Error::SnapshotComplete,
            Error::RateLimited {
                retry_after_secs: 1,
            },
            Error::TooBusy {
                retry_after_secs: 1,
            },
            Error::RegistrationRequired,
        ];
        let codes: Vec<ErrorCode> = errors.iter().map(Error::error_code).collect();
        assert_eq!(codes, ErrorCode::ALL, "one relay error per protocol code");
        for error in &errors {
            assert_eq!(error.status().as_u16(), error.error_code().status());
        }
        assert_eq!(
            Error::TooManyDevices { max: 64 }.status(),
            StatusCode::CONFLICT
        );
    }
}
