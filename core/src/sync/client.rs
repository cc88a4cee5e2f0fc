//! The relay's HTTP API as the device uses it (docs/SYNC.md, "HTTP API"). Every request
//! has a timeout, every answer is read with a size bound, and every failure becomes an
//! [`Error`] that says what happened: the caller decides what to keep.

use super::frames::{self, Frame, MAX_ENVELOPE};
use super::keys::Keys;
use crate::{Error, Result};
use reqwest::{header, Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use std::time::Duration;

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take in all (a long poll adds its wait to this).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest JSON answer read.
const MAX_JSON: usize = 64 * 1024;
/// The largest pull answer read: 4 MiB of envelopes and the frame headers around them.
const MAX_PULL: usize = MAX_ENVELOPE + 1024 * 28 + 64 * 1024;

/// The relay's view of a journal (`GET /v1/journals/{journal}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JournalInfo {
    pub latest_seq: u64,
    pub pruned_through: u64,
    pub bytes_used: u64,
    pub quota_bytes: u64,
    pub snapshot: Option<SnapshotInfo>,
}

/// The newest complete snapshot on the relay.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SnapshotInfo {
    pub id: String,
    pub covers: u64,
    pub parts: u32,
    pub bytes: u64,
}

/// The relay's answer to a pushed batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct StoredBatch {
    pub seq: u64,
    pub duplicate: bool,
}

/// The relay's answer to a pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batches {
    Frames {
        frames: Vec<Frame>,
        latest_seq: u64,
        pruned_through: u64,
    },
    /// The batches after the cursor were dropped: start from the snapshot.
    SnapshotRequired,
}

#[derive(Deserialize)]
struct Complete {
    complete: bool,
}

#[derive(Deserialize, Default)]
struct Problem {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

/// One journal's client for one relay.
#[derive(Clone)]
pub struct RelayClient {
    http: reqwest::Client,
    base: String,
    journal: String,
    bearer: String,
}

impl RelayClient {
    /// A client for the journal of `keys` at `relay_url` (as checked by
    /// [`super::pairing::relay_url`]).
    pub fn new(relay_url: &str, keys: &Keys) -> Result<RelayClient> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("onward/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::RelayUnreachable {
                url: relay_url.to_string(),
                detail: format!("no HTTP client: {e}"),
            })?;
        Ok(RelayClient {
            http,
            base: relay_url.trim_end_matches('/').to_string(),
            journal: keys.journal_id().to_string(),
            bearer: format!("Bearer {}", keys.credential()),
        })
    }

    /// Registers the journal with its credential (`PUT /v1/journals/{journal}`).
    pub async fn create_journal(&self) -> Result<()> {
        self.send(self.request(Method::PUT, "")).await?;
        Ok(())
    }

    /// What the relay holds for the journal.
    pub async fn info(&self) -> Result<JournalInfo> {
        let resp = self.send(self.request(Method::GET, "")).await?;
        self.json(resp).await
    }

    /// Pushes one sealed batch.
    pub async fn put_batch(&self, batch_id: &str, envelope: Vec<u8>) -> Result<StoredBatch> {
        let req = self
            .request(Method::PUT, &format!("/batches/{batch_id}"))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(envelope);
        let resp = self.send(req).await?;
        self.json(resp).await
    }

    /// The batches after `after` (at most `limit`); with a `wait`, the relay holds the
    /// request until one arrives or the time is up.
    pub async fn batches(&self, after: u64, limit: u32, wait: Duration) -> Result<Batches> {
        let req = self
            .request(Method::GET, "/batches")
            .query(&[
                ("after", after.to_string()),
                ("limit", limit.to_string()),
                ("wait", wait.as_secs().to_string()),
            ])
            .timeout(REQUEST_TIMEOUT + wait);
        let resp = req.send().await.map_err(|e| self.unreachable(&e))?;
        if resp.status() == StatusCode::CONFLICT {
            let body = self.body(resp, MAX_JSON).await.unwrap_or_default();
            let problem: Problem = serde_json::from_slice(&body).unwrap_or_default();
            if problem.error == "snapshot_required" {
                return Ok(Batches::SnapshotRequired);
            }
            return Err(self.refusal(StatusCode::CONFLICT, problem));
        }
        let resp = self.check(resp).await?;
        let header_number = |name: &str| -> Result<u64> {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| Error::RelayAnswer {
                    detail: format!("the {name} header is missing or not a number"),
                })
        };
        let latest_seq = header_number("onward-latest-seq")?;
        let pruned_through = header_number("onward-pruned-through")?;
        let body = self.body(resp, MAX_PULL).await?;
        let frames = frames::decode(&body, after)?;
        Ok(Batches::Frames {
            frames,
            latest_seq,
            pruned_through,
        })
    }

    /// Uploads part `index` of `parts` of a snapshot envelope covering `covers`; says
    /// whether the snapshot is now complete.
    pub async fn put_snapshot_part(
        &self,
        snapshot_id: &str,
        index: u32,
        parts: u32,
        covers: u64,
        bytes: Vec<u8>,
    ) -> Result<bool> {
        let req = self
            .request(
                Method::PUT,
                &format!("/snapshots/{snapshot_id}/parts/{index}"),
            )
            .query(&[("parts", parts.to_string()), ("covers", covers.to_string())])
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        let resp = self.send(req).await?;
        Ok(self.json::<Complete>(resp).await?.complete)
    }

    /// Downloads part `index` of a snapshot (at most `max` bytes).
    pub async fn snapshot_part(
        &self,
        snapshot_id: &str,
        index: u32,
        max: usize,
    ) -> Result<Vec<u8>> {
        let req = self.request(
            Method::GET,
            &format!("/snapshots/{snapshot_id}/parts/{index}"),
        );
        let resp = self.send(req).await?;
        self.body(resp, max).await
    }

    fn request(&self, method: Method, rest: &str) -> RequestBuilder {
        let url = format!("{}/v1/journals/{}{rest}", self.base, self.journal);
        self.http
            .request(method, url)
            .header(header::AUTHORIZATION, &self.bearer)
    }

    /// Sends a request; an answer other than 2xx becomes the error it stands for.
    async fn send(&self, req: RequestBuilder) -> Result<Response> {
        let resp = req.send().await.map_err(|e| self.unreachable(&e))?;
        self.check(resp).await
    }

    async fn check(&self, resp: Response) -> Result<Response> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let body = self.body(resp, MAX_JSON).await.unwrap_or_default();
        let problem: Problem = serde_json::from_slice(&body).unwrap_or_default();
        Err(self.refusal(status, problem))
    }

    /// The error an answer other than 2xx stands for.
    fn refusal(&self, status: StatusCode, problem: Problem) -> Error {
        let said = match (problem.error.is_empty(), problem.message.is_empty()) {
            (false, false) => format!("{} ({})", problem.message, problem.error),
            (true, false) => problem.message,
            (false, true) => problem.error,
            (true, true) => status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_string(),
        };
        let relay = |detail: String| Error::Relay {
            url: self.base.clone(),
            detail,
        };
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::RelayRefusedCredential {
                url: self.base.clone(),
            },
            StatusCode::PAYLOAD_TOO_LARGE => {
                relay(format!("the upload is larger than it accepts: {said}"))
            }
            StatusCode::INSUFFICIENT_STORAGE => {
                relay(format!("this journal has used up its space there: {said}"))
            }
            s if s.is_server_error() => relay(format!(
                "it had a problem of its own (HTTP {}): {said}",
                s.as_u16()
            )),
            s => relay(format!("HTTP {}: {said}", s.as_u16())),
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(&self, resp: Response) -> Result<T> {
        let body = self.body(resp, MAX_JSON).await?;
        serde_json::from_slice(&body).map_err(|e| Error::RelayAnswer {
            detail: format!("its JSON didn't have the expected fields: {e}"),
        })
    }

    /// Reads a body of at most `max` bytes; a longer one or a broken connection is an
    /// error, never a huge allocation.
    async fn body(&self, mut resp: Response, max: usize) -> Result<Vec<u8>> {
        if resp.content_length().is_some_and(|n| n > max as u64) {
            return Err(Error::RelayAnswer {
                detail: format!("it is over {max} bytes"),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.unreachable(&e))? {
            if body.len() + chunk.len() > max {
                return Err(Error::RelayAnswer {
                    detail: format!("it is over {max} bytes"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn unreachable(&self, e: &reqwest::Error) -> Error {
        let detail = if e.is_timeout() {
            "it didn't answer in time".to_string()
        } else if e.is_connect() {
            "no connection".to_string()
        } else if e.is_body() || e.is_decode() {
            "the connection broke off mid-answer".to_string()
        } else {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text = s.to_string();
                source = s.source();
            }
            text
        };
        Error::RelayUnreachable {
            url: self.base.clone(),
            detail,
        }
    }
}
