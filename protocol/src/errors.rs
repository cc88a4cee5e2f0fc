//! The stable error codes of the relay's JSON errors (`{"error": code, "message"}`).

/// Every code the relay answers with, and its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    NotFound,
    MethodNotAllowed,
    SnapshotRequired,
    SnapshotOutdated,
    PayloadTooLarge,
    TooManyDevices,
    QuotaExceeded,
    Internal,
    Forbidden,
    DeviceRemoved,
    InvitationGone,
    JournalDeleted,
    EpochOutdated,
    MembersChanged,
    SnapshotComplete,
    RateLimited,
    TooBusy,
    RegistrationRequired,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 20] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::SnapshotRequired,
        ErrorCode::SnapshotOutdated,
        ErrorCode::PayloadTooLarge,
        ErrorCode::TooManyDevices,
        ErrorCode::QuotaExceeded,
        ErrorCode::Internal,
        ErrorCode::Forbidden,
        ErrorCode::DeviceRemoved,
        ErrorCode::InvitationGone,
        ErrorCode::JournalDeleted,
        ErrorCode::EpochOutdated,
        ErrorCode::MembersChanged,
        ErrorCode::SnapshotComplete,
        ErrorCode::RateLimited,
        ErrorCode::TooBusy,
        ErrorCode::RegistrationRequired,
    ];

    /// The code as it appears in the `error` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::SnapshotRequired => "snapshot_required",
            ErrorCode::SnapshotOutdated => "snapshot_outdated",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::TooManyDevices => "too_many_devices",
            ErrorCode::QuotaExceeded => "quota_exceeded",
            ErrorCode::Internal => "internal",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::DeviceRemoved => "device_removed",
            ErrorCode::InvitationGone => "invitation_gone",
            ErrorCode::JournalDeleted => "journal_deleted",
            ErrorCode::EpochOutdated => "epoch_outdated",
            ErrorCode::MembersChanged => "members_changed",
            ErrorCode::SnapshotComplete => "snapshot_complete",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooBusy => "too_busy",
            ErrorCode::RegistrationRequired => "registration_required",
        }
    }

    /// The HTTP status answered with this code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::SnapshotRequired | ErrorCode::SnapshotOutdated => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::TooManyDevices => 409,
            ErrorCode::QuotaExceeded => 507,
            ErrorCode::Internal => 500,
            ErrorCode::Forbidden | ErrorCode::DeviceRemoved => 403,
            ErrorCode::InvitationGone | ErrorCode::JournalDeleted => 410,
            ErrorCode::EpochOutdated | ErrorCode::MembersChanged | ErrorCode::SnapshotComplete => {
                409
            }
            ErrorCode::RateLimited => 429,
            ErrorCode::TooBusy => 503,
            ErrorCode::RegistrationRequired => 403,
        }
    }

    /// The code of an `error` field, if it is one of ours.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
    }
}
