//! The relay's HTTP API as the device uses it (docs/SYNC.md, "HTTP API"): the
//! [`Relay`] a device talks to. One client per relay address keeps its connections alive
//! across calls. Every request has a timeout, every answer is read with a size bound, and
//! every failure becomes an [`Error`] that says what happened: the caller decides what
//! to keep.

use super::keys::Keys;
use super::relay::{
    Access, Batches, Connect, CreateJournal, DeleteAnswer, InvitationAnswer, InvitationUpload,
    MembersChange, PullAnswer, Relay,
};
use crate::{Error, Result};
use async_trait::async_trait;
use onward_protocol::members::{LoggedOp, SignedOp, SignedWrap};
use onward_protocol::{
    frames, headers, limits, paths, AcceptInvitation, DeviceRecords, ErrorBody, ErrorCode,
    JournalInfo, MembersAnswer, PartAnswer, PushAnswer, WrapsAnswer,
};
use reqwest::{header, Method, RequestBuilder, Response, StatusCode};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take in all (a long poll adds its wait to this).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an idle kept-alive connection stays open: below the relay's own idle close
/// (its header read timeout, 10 s by default), so a device rarely sends on a connection
/// the relay is closing.
const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// The HTTP relays of one journal handle: one [`HttpRelay`] (and so one connection pool)
/// per address, made on first use.
#[derive(Default)]
pub struct HttpRelays {
    relays: Mutex<HashMap<String, Arc<HttpRelay>>>,
}

impl Connect for HttpRelays {
    fn relay(&self, url: &str) -> Result<Arc<dyn Relay>> {
        let mut relays = self.relays.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(relay) = relays.get(url) {
            return Ok(relay.clone());
        }
        let relay = Arc::new(HttpRelay::new(url)?);
        relays.insert(url.to_string(), relay.clone());
        Ok(relay)
    }
}

/// One relay's HTTP API.
pub struct HttpRelay {
    http: reqwest::Client,
    base: String,
}

/// " (it asks to wait N s)" for a refusal with `Retry-After`.
fn retry_hint(retry_after: Option<u64>) -> String {
    match retry_after {
        Some(secs) => format!(" and to wait {secs} s"),
        None => String::new(),
    }
}

impl HttpRelay {
    /// A client for the relay at `relay_url` (as checked by [`super::pairing::relay_url`]).
    pub fn new(relay_url: &str) -> Result<HttpRelay> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .pool_idle_timeout(IDLE_TIMEOUT)
            .user_agent(concat!("onward/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::RelayUnreachable {
                url: relay_url.to_string(),
                detail: format!("no HTTP client: {e}"),
            })?;
        Ok(HttpRelay {
            http,
            base: relay_url.trim_end_matches('/').to_string(),
        })
    }

    fn request(&self, keys: &Keys, method: Method, rest: &str) -> RequestBuilder {
        self.request_as(&Access::from(keys), method, rest)
    }

    fn request_as(&self, access: &Access, method: Method, rest: &str) -> RequestBuilder {
        let url = format!("{}{}{rest}", self.base, paths::journal(&access.journal_id));
        self.http.request(method, url).header(
            header::AUTHORIZATION,
            format!("Bearer {}", access.credential),
        )
    }

    async fn ops(&self, resp: Response) -> Result<Vec<LoggedOp>> {
        let answer: MembersAnswer = self.json(resp).await?;
        if answer.ops.len() > limits::MAX_OPS {
            return Err(Error::RelayAnswer {
                detail: format!("its device list has over {} entries", limits::MAX_OPS),
            });
        }
        Ok(answer.ops)
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
        let retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = self
            .body(resp, limits::MAX_JSON_BYTES)
            .await
            .unwrap_or_default();
        let problem: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
        Err(self.refusal(status, problem, retry_after))
    }

    /// The error an answer other than 2xx stands for (`retry_after`: its `Retry-After`
    /// in seconds, for `429` and `503`).
    fn refusal(&self, status: StatusCode, problem: ErrorBody, retry_after: Option<u64>) -> Error {
        let problem_code = problem.error.clone();
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
        match (status, ErrorCode::parse(&problem_code)) {
            (_, Some(ErrorCode::RegistrationRequired)) => relay(
                "it takes new journals only with a registration token from the people who run it"
                    .to_string(),
            ),
            (StatusCode::TOO_MANY_REQUESTS, _) => relay(format!(
                "it asked this device to slow down{}",
                retry_hint(retry_after)
            )),
            (_, Some(ErrorCode::TooBusy)) => {
                relay(format!("it is busy right now{}", retry_hint(retry_after)))
            }
            (_, Some(ErrorCode::DeviceRemoved)) => Error::DeviceRemoved,
            (_, Some(ErrorCode::InvitationGone)) => Error::InvitationGone,
            (_, Some(ErrorCode::JournalDeleted)) => Error::JournalDeleted,
            (StatusCode::UNAUTHORIZED, _) => Error::RelayRefusedCredential {
                url: self.base.clone(),
            },
            (StatusCode::FORBIDDEN, _) => {
                relay(format!("it refused what this device signed: {said}"))
            }
            (StatusCode::PAYLOAD_TOO_LARGE, _) => {
                relay(format!("the upload is larger than it accepts: {said}"))
            }
            (StatusCode::INSUFFICIENT_STORAGE, _) => {
                relay(format!("this journal has used up its space there: {said}"))
            }
            (s, _) if s.is_server_error() => relay(format!(
                "it had a problem of its own (HTTP {}): {said}",
                s.as_u16()
            )),
            (s, _) => relay(format!("HTTP {}: {said}", s.as_u16())),
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(&self, resp: Response) -> Result<T> {
        let body = self.body(resp, limits::MAX_JSON_BYTES).await?;
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

#[async_trait]
impl Relay for HttpRelay {
    fn url(&self) -> &str {
        &self.base
    }

    async fn create_journal(
        &self,
        keys: &Keys,
        body: &CreateJournal,
        registration: Option<&str>,
    ) -> Result<()> {
        let mut request = self.request(keys, Method::PUT, "").json(body);
        if let Some(token) = registration {
            request = request.header(headers::REGISTRATION, token);
        }
        self.send(request).await?;
        Ok(())
    }

    async fn delete_journal(&self, keys: &Keys, signature: &str) -> Result<DeleteAnswer> {
        let req = self
            .request(keys, Method::DELETE, "")
            .header(headers::SIGNATURE, signature);
        let resp = self.send(req).await?;
        self.json(resp).await
    }

    async fn restore_journal(&self, keys: &Keys, signature: &str) -> Result<()> {
        let req = self
            .request(keys, Method::POST, "/restore")
            .header(headers::SIGNATURE, signature);
        self.send(req).await?;
        Ok(())
    }

    async fn members(&self, keys: &Keys, held: Option<&str>) -> Result<Option<Vec<LoggedOp>>> {
        let mut req = self.request(keys, Method::GET, "/members");
        if let Some(tag) = held {
            req = req.header(header::IF_NONE_MATCH, tag);
        }
        let resp = req.send().await.map_err(|e| self.unreachable(&e))?;
        if resp.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        let resp = self.check(resp).await?;
        self.ops(resp).await.map(Some)
    }

    async fn change_members(&self, keys: &Keys, change: &MembersChange) -> Result<Vec<LoggedOp>> {
        let req = self.request(keys, Method::POST, "/members").json(change);
        let resp = self.send(req).await?;
        self.ops(resp).await
    }

    async fn wraps(&self, keys: &Keys) -> Result<Vec<SignedWrap>> {
        let resp = self.send(self.request(keys, Method::GET, "/wraps")).await?;
        Ok(self.json::<WrapsAnswer>(resp).await?.wraps)
    }

    async fn put_invitation(&self, keys: &Keys, id: &str, upload: &InvitationUpload) -> Result<()> {
        let req = self
            .request(keys, Method::PUT, &format!("/invitations/{id}"))
            .json(upload);
        self.send(req).await?;
        Ok(())
    }

    async fn invitation(&self, access: &Access, id: &str) -> Result<InvitationAnswer> {
        let req = self.request_as(access, Method::GET, &format!("/invitations/{id}"));
        let resp = self.send(req).await?;
        self.json(resp).await
    }

    async fn accept_invitation(
        &self,
        access: &Access,
        id: &str,
        op: &SignedOp,
    ) -> Result<Vec<LoggedOp>> {
        let req = self
            .request_as(access, Method::POST, &format!("/invitations/{id}/accept"))
            .json(&AcceptInvitation { op: op.clone() });
        let resp = self.send(req).await?;
        self.ops(resp).await
    }

    async fn info(&self, keys: &Keys) -> Result<JournalInfo> {
        let resp = self.send(self.request(keys, Method::GET, "")).await?;
        self.json(resp).await
    }

    async fn put_batch(
        &self,
        keys: &Keys,
        batch_id: &str,
        envelope: Vec<u8>,
    ) -> Result<PushAnswer> {
        let req = self
            .request(keys, Method::PUT, &format!("/batches/{batch_id}"))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(envelope);
        let resp = self.send(req).await?;
        self.json(resp).await
    }

    async fn batches(
        &self,
        keys: &Keys,
        after: u64,
        limit: u32,
        wait: Duration,
    ) -> Result<Batches> {
        // The relay's defaults are left out: one new entry should cross in under 2 KB.
        let mut query = vec![("after", after.to_string())];
        if limit != limits::DEFAULT_PULL_LIMIT {
            query.push(("limit", limit.to_string()));
        }
        if !wait.is_zero() {
            query.push(("wait", wait.as_secs().to_string()));
        }
        let req = self
            .request(keys, Method::GET, "/batches")
            .query(&query)
            .timeout(REQUEST_TIMEOUT + wait);
        let resp = req.send().await.map_err(|e| self.unreachable(&e))?;
        if resp.status() == StatusCode::CONFLICT {
            let body = self
                .body(resp, limits::MAX_JSON_BYTES)
                .await
                .unwrap_or_default();
            let problem: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
            if ErrorCode::parse(&problem.error) == Some(ErrorCode::SnapshotRequired) {
                return Ok(Batches::SnapshotRequired);
            }
            return Err(self.refusal(StatusCode::CONFLICT, problem, None));
        }
        let resp = self.check(resp).await?;
        let text = |name: &str| -> String {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let number = |name: &str| -> Result<u64> {
            text(name).parse().map_err(|_| Error::RelayAnswer {
                detail: format!("the {name} header is missing or not a number"),
            })
        };
        let latest_seq = number(headers::LATEST_SEQ)?;
        let pruned_through = number(headers::PRUNED_THROUGH)?;
        let incarnation = text(headers::INCARNATION);
        let after_id = text(headers::AFTER_ID);
        let body = self.body(resp, limits::MAX_PULL_ANSWER_BYTES).await?;
        let frames = frames::decode(&body).map_err(|e| Error::RelayAnswer {
            detail: e.to_string(),
        })?;
        Ok(Batches::Frames(PullAnswer {
            frames,
            latest_seq,
            pruned_through,
            incarnation,
            after_id,
        }))
    }

    async fn put_snapshot_part(
        &self,
        keys: &Keys,
        snapshot_id: &str,
        index: u32,
        parts: u32,
        covers: u64,
        bytes: Vec<u8>,
    ) -> Result<bool> {
        let req = self
            .request(
                keys,
                Method::PUT,
                &format!("/snapshots/{snapshot_id}/parts/{index}"),
            )
            .query(&[("parts", parts.to_string()), ("covers", covers.to_string())])
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        let resp = self.send(req).await?;
        Ok(self.json::<PartAnswer>(resp).await?.complete)
    }

    async fn snapshot_part(
        &self,
        keys: &Keys,
        snapshot_id: &str,
        index: u32,
        max: usize,
    ) -> Result<Vec<u8>> {
        let req = self.request(
            keys,
            Method::GET,
            &format!("/snapshots/{snapshot_id}/parts/{index}"),
        );
        let resp = self.send(req).await?;
        self.body(resp, max).await
    }

    async fn put_device_record(&self, keys: &Keys, device_id: &str, record: Vec<u8>) -> Result<()> {
        let req = self
            .request(keys, Method::PUT, &format!("/devices/{device_id}"))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(record);
        self.send(req).await?;
        Ok(())
    }

    async fn device_records(&self, keys: &Keys) -> Result<Vec<(String, Vec<u8>)>> {
        let resp = self
            .send(self.request(keys, Method::GET, "/devices"))
            .await?;
        let listed: DeviceRecords = self.json(resp).await?;
        if listed.devices.len() > limits::MAX_DEVICES {
            return Err(Error::RelayAnswer {
                detail: format!(
                    "it lists {} devices, more than the {} a journal can have",
                    listed.devices.len(),
                    limits::MAX_DEVICES
                ),
            });
        }
        listed
            .devices
            .into_iter()
            .map(|d| {
                let bytes = data_encoding::HEXLOWER
                    .decode(d.record.as_bytes())
                    .map_err(|_| Error::RelayAnswer {
                        detail: "a device record is not hex".into(),
                    })?;
                Ok((d.id, bytes))
            })
            .collect()
    }
}
