//! A minimal relay client for tests, written from docs/SYNC.md (not from the relay's code).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Random-enough lowercase hex of `chars` characters, unique within the test run.
pub fn random_hex(chars: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let seed = format!(
        "{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut hex = hex::encode(Sha256::digest(seed.as_bytes()));
    hex.truncate(chars);
    hex
}

/// The batch id of test batch `n` (32 lowercase hex characters).
pub fn batch_id(n: u64) -> String {
    format!("{n:032x}")
}

/// A stand-in envelope for batch `n`: version byte 1 and `len - 1` bytes that depend on `n`.
pub fn envelope(n: u64, len: usize) -> Vec<u8> {
    let mut bytes = vec![1u8];
    bytes.extend((0..len.saturating_sub(1)).map(|i| (n as usize * 31 + i * 7) as u8));
    bytes
}

/// One decoded pull frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub seq: u64,
    pub batch: String,
    pub envelope: Vec<u8>,
}

/// Decodes `seq (u64 BE) || id (16) || length (u32 BE) || envelope` frames; panics on a
/// malformed body, which is a relay bug.
pub fn decode_frames(mut body: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    while !body.is_empty() {
        assert!(
            body.len() >= 28,
            "truncated frame header: {} bytes left",
            body.len()
        );
        let seq = u64::from_be_bytes(body[..8].try_into().unwrap());
        let batch = hex::encode(&body[8..24]);
        let len = u32::from_be_bytes(body[24..28].try_into().unwrap()) as usize;
        assert!(body.len() >= 28 + len, "truncated envelope in frame {seq}");
        frames.push(Frame {
            seq,
            batch,
            envelope: body[28..28 + len].to_vec(),
        });
        body = &body[28 + len..];
    }
    frames
}

/// The answer to a pull.
#[derive(Debug)]
pub struct Pull {
    pub status: StatusCode,
    pub content_type: String,
    pub latest_seq: Option<u64>,
    pub pruned_through: Option<u64>,
    /// `Onward-Incarnation`, when sent.
    pub incarnation: Option<String>,
    /// `Onward-After-Id`, when sent (empty: no batch has that number).
    pub after_id: Option<String>,
    pub frames: Vec<Frame>,
    /// The error body, when the status is not 200.
    pub error: Option<Value>,
}

impl Pull {
    pub fn seqs(&self) -> Vec<u64> {
        self.frames.iter().map(|f| f.seq).collect()
    }
}

/// One journal on a relay, seen through one credential.
#[derive(Clone)]
pub struct Journal {
    pub id: String,
    pub credential: String,
    http: reqwest::Client,
    base: String,
}

fn json_of(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
    }
}

fn header_u64(response: &reqwest::Response, name: &str) -> Option<u64> {
    header_text(response, name)?.parse().ok()
}

fn header_text(response: &reqwest::Response, name: &str) -> Option<String> {
    Some(response.headers().get(name)?.to_str().ok()?.to_owned())
}

impl Journal {
    /// A journal with a random id and credential.
    pub fn random(http: reqwest::Client, base: String) -> Journal {
        Journal {
            id: random_hex(32),
            credential: random_hex(64),
            http,
            base,
        }
    }

    /// The same journal seen through another credential.
    pub fn with_credential(&self, credential: &str) -> Journal {
        Journal {
            credential: credential.to_owned(),
            ..self.clone()
        }
    }

    /// The same journal and credential, through another relay (base URL).
    pub fn via(&self, base: &str) -> Journal {
        Journal {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    /// Sends a request about this journal; `rest` follows `/v1/journals/{id}`.
    pub async fn send(
        &self,
        method: Method,
        rest: &str,
        body: Option<Vec<u8>>,
    ) -> (StatusCode, Vec<u8>) {
        let mut request = self
            .http
            .request(
                method,
                format!("{}/v1/journals/{}{rest}", self.base, self.id),
            )
            .bearer_auth(&self.credential);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/octet-stream")
                .body(body);
        }
        let response = request.send().await.expect("the relay answers");
        let status = response.status();
        let bytes = response.bytes().await.expect("a whole body").to_vec();
        (status, bytes)
    }

    pub async fn create(&self) -> StatusCode {
        self.send(Method::PUT, "", None).await.0
    }

    pub async fn status(&self) -> (StatusCode, Value) {
        let (status, body) = self.send(Method::GET, "", None).await;
        (status, json_of(&body))
    }

    pub async fn delete(&self) -> (StatusCode, Value) {
        let (status, body) = self.send(Method::DELETE, "", None).await;
        (status, json_of(&body))
    }

    pub async fn push(&self, batch: &str, envelope: &[u8]) -> (StatusCode, Value) {
        let (status, body) = self
            .send(
                Method::PUT,
                &format!("/batches/{batch}"),
                Some(envelope.to_vec()),
            )
            .await;
        (status, json_of(&body))
    }

    /// Pulls with the raw query string `query` (e.g. `after=0&limit=10`).
    pub async fn pull(&self, query: &str) -> Pull {
        let response = self
            .http
            .get(format!(
                "{}/v1/journals/{}/batches?{query}",
                self.base, self.id
            ))
            .bearer_auth(&self.credential)
            .send()
            .await
            .expect("the relay answers");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let latest_seq = header_u64(&response, "onward-latest-seq");
        let pruned_through = header_u64(&response, "onward-pruned-through");
        let incarnation = header_text(&response, "onward-incarnation");
        let after_id = header_text(&response, "onward-after-id");
        let body = response.bytes().await.expect("a whole body");
        let (frames, error) = if status == StatusCode::OK {
            (decode_frames(&body), None)
        } else {
            (Vec::new(), Some(json_of(&body)))
        };
        Pull {
            status,
            content_type,
            latest_seq,
            pruned_through,
            incarnation,
            after_id,
            frames,
            error,
        }
    }

    /// Pulls every batch after `after`, page by page, as a client would.
    pub async fn pull_all(&self, mut after: u64) -> Vec<Frame> {
        let mut all = Vec::new();
        for _ in 0..10_000 {
            let page = self.pull(&format!("after={after}&limit=1000")).await;
            assert_eq!(page.status, StatusCode::OK, "{:?}", page.error);
            let latest = page.latest_seq.expect("Onward-Latest-Seq");
            if let Some(last) = page.frames.last() {
                after = last.seq;
            }
            let done = page.frames.is_empty() || after >= latest;
            all.extend(page.frames);
            if done {
                return all;
            }
        }
        panic!("pulling never reached the latest sequence number");
    }

    pub async fn put_part(
        &self,
        snapshot: &str,
        index: u32,
        parts: u32,
        covers: u64,
        bytes: &[u8],
    ) -> (StatusCode, Value) {
        let (status, body) = self
            .send(
                Method::PUT,
                &format!("/snapshots/{snapshot}/parts/{index}?parts={parts}&covers={covers}"),
                Some(bytes.to_vec()),
            )
            .await;
        (status, json_of(&body))
    }

    /// Stores `record` as device `device`'s sealed record.
    pub async fn put_device(&self, device: &str, record: &[u8]) -> (StatusCode, Value) {
        let (status, body) = self
            .send(
                Method::PUT,
                &format!("/devices/{device}"),
                Some(record.to_vec()),
            )
            .await;
        (status, json_of(&body))
    }

    /// `GET .../devices`: the JSON answer.
    pub async fn devices(&self) -> (StatusCode, Value) {
        let (status, body) = self.send(Method::GET, "/devices", None).await;
        (status, json_of(&body))
    }

    /// The journal's incarnation from `GET` of the journal.
    pub async fn incarnation(&self) -> String {
        let (status, state) = self.status().await;
        assert_eq!(status, StatusCode::OK, "{state}");
        let incarnation = state["incarnation"]
            .as_str()
            .unwrap_or_else(|| panic!("no incarnation in {state}"))
            .to_owned();
        assert!(
            incarnation.len() == 32
                && incarnation
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "an incarnation is 32 lowercase hex characters: {incarnation:?}"
        );
        incarnation
    }

    pub async fn get_part(&self, snapshot: &str, index: u32) -> (StatusCode, Vec<u8>) {
        self.send(
            Method::GET,
            &format!("/snapshots/{snapshot}/parts/{index}"),
            None,
        )
        .await
    }
}
