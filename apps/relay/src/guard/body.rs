//! A request body that is read only when the handler asks, after it has checked the
//! credential (and any signature in the headers): a stranger's upload is refused before
//! its bytes are taken in.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_LENGTH;
use http_body_util::LengthLimitError;

use crate::error::Error;

/// The body of a request, not yet read, and the length its `Content-Length` declares.
/// Extract it last.
pub struct UnreadBody {
    body: Body,
    declared: Option<u64>,
}

impl<S: Send + Sync> FromRequest<S> for UnreadBody {
    type Rejection = Infallible;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        Ok(UnreadBody {
            body: request.into_body(),
            declared,
        })
    }
}

impl UnreadBody {
    /// Reads the whole body, at most `limit` bytes: more is `413 payload_too_large` (a
    /// declared `Content-Length` over it is refused before a byte is read), a body that
    /// breaks off or stops arriving (the body read timeout) is `400`.
    pub async fn read(self, limit: usize) -> Result<Bytes, Error> {
        if self.declared.is_some_and(|n| n > limit as u64) {
            return Err(Error::PayloadTooLarge { limit });
        }
        axum::body::to_bytes(self.body, limit).await.map_err(|e| {
            let cause = e.into_inner();
            if cause.downcast_ref::<LengthLimitError>().is_some() {
                Error::PayloadTooLarge { limit }
            } else if is_timeout(cause.as_ref()) {
                Error::BadRequest(
                    "The body stopped arriving, so the relay stopped waiting for it. Please send it again."
                        .into(),
                )
            } else {
                Error::BadRequest(format!("The body could not be read ({cause})."))
            }
        })
    }
}

/// Whether the body read timeout is among the causes of `error`.
fn is_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = e.source();
    }
    false
}
