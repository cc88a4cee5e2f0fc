//! A request body that is read only when the handler asks, after it has checked the
//! credential (and any signature in the headers): a stranger's upload is refused before
//! its bytes are taken in. The whole read has a deadline: the body read timeout of the
//! connection only bounds each pause, so a body trickled a byte at a time would never
//! end without one.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_LENGTH;
use http_body_util::BodyExt;

use crate::error::Error;
use crate::state::AppState;

/// The body of a request, not yet read, and the length its `Content-Length` declares.
/// Extract it last.
pub struct UnreadBody {
    body: Body,
    declared: Option<u64>,
    deadline: Duration,
}

impl FromRequest<AppState> for UnreadBody {
    type Rejection = Infallible;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        Ok(UnreadBody {
            body: request.into_body(),
            declared,
            deadline: state.guard.limits.body_read_deadline,
        })
    }
}

impl UnreadBody {
    /// Reads the whole body, at most `limit` bytes: more is `413 payload_too_large` (a
    /// declared `Content-Length` over it is refused before a byte is read); a body that
    /// breaks off, pauses longer than the body read timeout or is not all there by the
    /// deadline is `400`.
    pub async fn read(self, limit: usize) -> Result<Bytes, Error> {
        self.read_judging_first(limit, limit, |_| Ok(())).await
    }

    /// As [`UnreadBody::read`], but a body longer than `first` bytes is read on only
    /// once `judge` has passed what came so far (its first `first` bytes, or a few more).
    pub async fn read_judging_first(
        self,
        first: usize,
        limit: usize,
        judge: impl FnOnce(&[u8]) -> Result<(), Error>,
    ) -> Result<Bytes, Error> {
        if self.declared.is_some_and(|n| n > limit as u64) {
            return Err(Error::PayloadTooLarge { limit });
        }
        let capacity = self.declared.map_or(0, |n| n.min(first as u64) as usize);
        let reading = collect(self.body, capacity, first, limit, judge);
        tokio::time::timeout(self.deadline, reading)
            .await
            .unwrap_or_else(|_| {
                Err(Error::BadRequest(format!(
                    "The body took longer than {} s to arrive, so the relay stopped waiting \
                     for it. Please send it again.",
                    self.deadline.as_secs_f64()
                )))
            })
    }
}

async fn collect(
    mut body: Body,
    capacity: usize,
    first: usize,
    limit: usize,
    judge: impl FnOnce(&[u8]) -> Result<(), Error>,
) -> Result<Bytes, Error> {
    let mut judge = Some(judge);
    let mut bytes = Vec::with_capacity(capacity);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            let cause = e.into_inner();
            if is_timeout(cause.as_ref()) {
                Error::BadRequest(
                    "The body stopped arriving, so the relay stopped waiting for it. Please send it again."
                        .into(),
                )
            } else {
                Error::BadRequest(format!("The body could not be read ({cause})."))
            }
        })?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if bytes.len() + data.len() > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(&data);
        if bytes.len() > first {
            if let Some(judge) = judge.take() {
                judge(&bytes)?;
            }
        }
    }
    Ok(Bytes::from(bytes))
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
