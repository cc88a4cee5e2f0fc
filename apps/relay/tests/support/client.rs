//! A minimal relay client for tests, written from docs/SYNC.md (not from the relay's code).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};
use onward_protocol::members::{
    self, envelope as env, Invitation, Member, MemberKind, Op, OpBody, SignedOp, SignedWrap,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
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

/// The content of test batch `n`: `len` bytes that depend on `n`. A journal seals it
/// (`Journal::sealed`) into a signed envelope of the same length (at least
/// [`env::MIN_LEN`]), keeping the bytes between the head and the signature.
pub fn envelope(n: u64, len: usize) -> Vec<u8> {
    (0..len).map(|i| (n as usize * 31 + i * 7) as u8).collect()
}

/// A test device: its own signing key, credential and member entry, as a real device
/// makes them (docs/SYNC.md, "Devices and keys"). The relay never opens wraps or
/// ciphertexts, so those are arbitrary bytes.
#[derive(Clone)]
pub struct Device {
    key: SigningKey,
    pub member: Member,
    pub credential: String,
}

impl Device {
    /// A device of `kind` with fresh random keys and credential.
    pub fn new(kind: MemberKind) -> Device {
        let seed: [u8; 32] = hex::decode(random_hex(64)).unwrap().try_into().unwrap();
        let key = SigningKey::from_bytes(&seed);
        let pk = key.verifying_key().to_bytes();
        let credential = random_hex(64);
        Device {
            member: Member {
                device: members::device_id(&pk),
                kind,
                sign_pk: hex::encode(pk),
                box_pk: hex::encode(Sha256::digest(seed)),
                credential_sha256: hex::encode(Sha256::digest(credential.as_bytes())),
                name_sealed: "00".repeat(24),
                name_epoch: 0,
                added_at_ms: 1,
            },
            key,
            credential,
        }
    }

    /// A device (kind `device`) with fresh keys.
    pub fn random() -> Device {
        Device::new(MemberKind::Device)
    }

    pub fn id(&self) -> &str {
        &self.member.device
    }

    /// Signs `op` of `journal` after the operation whose hash is `prev`.
    pub fn sign_op(&self, journal: &str, prev: &str, op: Op) -> SignedOp {
        sign_op(&self.key, &self.member.device, journal, prev, op)
    }

    /// A key of `epoch` "wrapped" for `to` (arbitrary bytes), signed by this device.
    pub fn wrap(&self, journal: &str, epoch: u32, to: &str) -> SignedWrap {
        let wrapped = hex::encode(Sha256::digest(format!("{to}-{epoch}")));
        let chain = if epoch == 0 {
            String::new()
        } else {
            "ab".repeat(40)
        };
        let message = SignedWrap::signing_message(journal, epoch, to, &wrapped, &chain);
        SignedWrap {
            epoch,
            device: to.to_owned(),
            wrapped,
            chain,
            signer: self.member.device.clone(),
            signature: hex::encode(self.key.sign(&message).to_bytes()),
        }
    }

    /// Seals `content` as an envelope of `kind` for `object` under `epoch`, signed by this
    /// device: the same length as `content` (at least `MIN_LEN`), deterministic.
    pub fn seal(
        &self,
        kind: u8,
        journal: &str,
        object: &str,
        epoch: u32,
        content: &[u8],
    ) -> Vec<u8> {
        let mut bytes = content.to_vec();
        bytes.resize(bytes.len().max(env::MIN_LEN), 0x5a);
        let unsigned_len = bytes.len() - env::SIGNATURE_LEN;
        bytes[0] = env::VERSION;
        bytes[1..5].copy_from_slice(&epoch.to_be_bytes());
        bytes[5..21].copy_from_slice(&hex::decode(&self.member.device).unwrap());
        let message = env::signing_message(kind, journal, object, &bytes[..unsigned_len]);
        let signature = self.key.sign(&message).to_bytes();
        bytes[unsigned_len..].copy_from_slice(&signature);
        bytes
    }

    /// This device's signature (hex) over a whole-journal request (delete, restore).
    pub fn sign_request(&self, action: &str, journal: &str, incarnation: &str) -> String {
        let message = members::request_message(action, journal, incarnation);
        hex::encode(self.key.sign(&message).to_bytes())
    }
}

fn sign_op(key: &SigningKey, signer: &str, journal: &str, prev: &str, op: Op) -> SignedOp {
    let body = serde_json::to_string(&OpBody {
        prev: prev.to_owned(),
        op,
    })
    .unwrap();
    let signature = hex::encode(
        key.sign(&SignedOp::signing_message(journal, &body))
            .to_bytes(),
    );
    SignedOp {
        body,
        signer: signer.to_owned(),
        signature,
    }
}

/// A one-time invitation made by a member: its own key, id and credential.
pub struct Invite {
    pub invitation: Invitation,
    pub key: SigningKey,
    pub credential: String,
}

impl Invite {
    /// The add of `device`, signed with the invitation's key, after `prev`.
    pub fn add(&self, journal: &str, prev: &str, device: &Device) -> SignedOp {
        sign_op(
            &self.key,
            &self.invitation.id,
            journal,
            prev,
            Op::Add {
                member: device.member.clone(),
                invitation: Some(self.invitation.clone()),
            },
        )
    }
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

/// One journal on a relay, seen through one device (and its credential).
#[derive(Clone)]
pub struct Journal {
    pub id: String,
    /// The Bearer credential sent (the device's own unless changed).
    pub credential: String,
    /// The device that signs what this handle writes.
    pub device: Device,
    /// The genesis that founded the journal.
    pub genesis: SignedOp,
    /// The epoch this handle seals under, shared by every handle of the journal.
    epoch: Arc<AtomicU32>,
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
    /// A new journal founded by a fresh device (id derived from its key), not yet created.
    pub fn random(http: reqwest::Client, base: String) -> Journal {
        let founder = Device::random();
        let nonce = hex::decode(random_hex(32)).unwrap();
        let pk = members::key_bytes(&founder.member.sign_pk).unwrap();
        let id = members::journal_id(&pk, &nonce);
        let genesis = founder.sign_op(
            &id,
            "",
            Op::Genesis {
                journal: id.clone(),
                nonce: hex::encode(&nonce),
                founder: founder.member.clone(),
            },
        );
        Journal {
            id,
            credential: founder.credential.clone(),
            device: founder,
            genesis,
            epoch: Arc::new(AtomicU32::new(0)),
            http,
            base,
        }
    }

    /// The same journal seen through another device (its credential and key).
    pub fn as_device(&self, device: &Device) -> Journal {
        Journal {
            credential: device.credential.clone(),
            device: device.clone(),
            ..self.clone()
        }
    }

    /// The epoch this handle seals under.
    pub fn epoch(&self) -> u32 {
        self.epoch.load(Ordering::Relaxed)
    }

    /// `content` sealed as this handle's device would seal batch (or snapshot) `object`.
    pub fn sealed(&self, kind: u8, object: &str, content: &[u8]) -> Vec<u8> {
        self.device
            .seal(kind, &self.id, object, self.epoch(), content)
    }

    /// `content` sealed as batch `batch` by this handle's device.
    pub fn sealed_batch(&self, batch: &str, content: &[u8]) -> Vec<u8> {
        self.sealed(env::BATCH, batch, content)
    }

    /// The same journal seen through another credential (the device stays the signer).
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

    /// Sends a body over the relay's limit: the relay answers 413 before reading it and
    /// closes, so the client may see its answer or only the connection cut while it was
    /// still sending (None). Anything else is a failure.
    pub async fn send_oversized(&self, rest: &str, body: Vec<u8>) -> Option<(StatusCode, Value)> {
        let request = self
            .http
            .request(
                Method::PUT,
                format!("{}/v1/journals/{}{rest}", self.base, self.id),
            )
            .bearer_auth(&self.credential)
            .header("content-type", "application/octet-stream")
            .body(body);
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                let bytes = response.bytes().await.expect("a whole body");
                Some((
                    status,
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                ))
            }
            Err(e) if e.is_request() && format!("{e:?}").contains("BodyWrite") => None,
            Err(e) => panic!("the relay answers: {e:?}"),
        }
    }

    /// Sends a JSON body (`PUT`/`POST`) and returns the status and JSON answer.
    pub async fn send_json(&self, method: Method, rest: &str, body: &Value) -> (StatusCode, Value) {
        let response = self
            .http
            .request(
                method,
                format!("{}/v1/journals/{}{rest}", self.base, self.id),
            )
            .bearer_auth(&self.credential)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(body).unwrap())
            .send()
            .await
            .expect("the relay answers");
        let status = response.status();
        let bytes = response.bytes().await.expect("a whole body");
        (status, json_of(&bytes))
    }

    /// `PUT` of the journal with its genesis.
    pub async fn create(&self) -> StatusCode {
        self.create_with(std::slice::from_ref(&self.genesis), &[])
            .await
            .0
    }

    /// `PUT` of the journal with a whole device list and wraps.
    pub async fn create_with(&self, ops: &[SignedOp], wraps: &[SignedWrap]) -> (StatusCode, Value) {
        self.send_json(Method::PUT, "", &json!({"ops": ops, "wraps": wraps}))
            .await
    }

    /// The device list's operations as the relay serves them.
    pub async fn member_ops(&self) -> Vec<SignedOp> {
        let (status, body) = self.send(Method::GET, "/members", None).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        let answer: onward_protocol::MembersAnswer = serde_json::from_slice(&body).unwrap();
        answer.ops.into_iter().map(|l| l.op).collect()
    }

    /// `GET .../members`, with `If-None-Match: if_none_match` when given: the status, the
    /// `ETag` and the body.
    pub async fn members_if(&self, if_none_match: Option<&str>) -> (StatusCode, String, Vec<u8>) {
        let mut request = self
            .http
            .get(format!("{}/v1/journals/{}/members", self.base, self.id))
            .bearer_auth(&self.credential);
        if let Some(tag) = if_none_match {
            request = request.header("if-none-match", tag);
        }
        let response = request.send().await.expect("the relay answers");
        let status = response.status();
        let etag = header_text(&response, "etag").expect("an ETag");
        let body = response.bytes().await.expect("a whole body").to_vec();
        (status, etag, body)
    }

    /// The hash of the last operation: the `prev` of the next.
    pub async fn head(&self) -> String {
        self.member_ops().await.last().unwrap().hash()
    }

    /// `POST .../members` with `op` and `wraps`.
    pub async fn change_members(&self, op: &SignedOp, wraps: &[SignedWrap]) -> (StatusCode, Value) {
        self.send_json(Method::POST, "/members", &json!({"op": op, "wraps": wraps}))
            .await
    }

    /// Adds `device` as a member, signed by this handle's device (no invitation).
    pub async fn add(&self, device: &Device) -> (StatusCode, Value) {
        let op = self.device.sign_op(
            &self.id,
            &self.head().await,
            Op::Add {
                member: device.member.clone(),
                invitation: None,
            },
        );
        self.change_members(&op, &[]).await
    }

    /// Removes `device`, wrapping the new epoch's key for each of `left`; on success
    /// every handle of the journal seals under the new epoch.
    pub async fn remove(&self, device: &str, left: &[&Device]) -> (StatusCode, Value) {
        let epoch = self.epoch() + 1;
        let op = self.device.sign_op(
            &self.id,
            &self.head().await,
            Op::Remove {
                device: device.to_owned(),
                epoch,
            },
        );
        let wraps: Vec<SignedWrap> = left
            .iter()
            .map(|d| self.device.wrap(&self.id, epoch, d.id()))
            .collect();
        let answer = self.change_members(&op, &wraps).await;
        if answer.0 == StatusCode::OK {
            self.epoch.store(epoch, Ordering::Relaxed);
        }
        answer
    }

    /// Makes an invitation signed by this handle's device, expiring at `expires_at_ms`.
    pub fn invite(&self, expires_at_ms: u64) -> Invite {
        let seed: [u8; 32] = hex::decode(random_hex(64)).unwrap().try_into().unwrap();
        let key = SigningKey::from_bytes(&seed);
        let id = random_hex(32);
        let sign_pk = hex::encode(key.verifying_key().to_bytes());
        let credential = random_hex(64);
        let credential_sha256 = hex::encode(Sha256::digest(credential.as_bytes()));
        let message =
            Invitation::signing_message(&self.id, &id, &sign_pk, &credential_sha256, expires_at_ms);
        Invite {
            invitation: Invitation {
                id,
                sign_pk,
                credential_sha256,
                expires_at_ms,
                inviter: self.device.member.device.clone(),
                signature: hex::encode(self.device.key.sign(&message).to_bytes()),
            },
            key,
            credential,
        }
    }

    /// Leaves `invite` with the relay, with a small payload.
    pub async fn put_invitation(&self, invite: &Invite) -> (StatusCode, Value) {
        let body = json!({"invitation": invite.invitation, "payload": "c0ffee"});
        self.send_json(
            Method::PUT,
            &format!("/invitations/{}", invite.invitation.id),
            &body,
        )
        .await
    }

    /// This journal seen through `invite`'s credential.
    pub fn with_invitation(&self, invite: &Invite) -> Journal {
        self.with_credential(&invite.credential)
    }

    /// `GET` of the invitation (with the invitation's credential).
    pub async fn get_invitation(&self, invite: &Invite) -> (StatusCode, Value) {
        let (status, body) = self
            .with_invitation(invite)
            .send(
                Method::GET,
                &format!("/invitations/{}", invite.invitation.id),
                None,
            )
            .await;
        (status, json_of(&body))
    }

    /// Accepts `invite` for `device` (its add after `prev`), with the invitation's credential.
    pub async fn accept(
        &self,
        invite: &Invite,
        prev: &str,
        device: &Device,
    ) -> (StatusCode, Value) {
        let op = invite.add(&self.id, prev, device);
        self.with_invitation(invite)
            .send_json(
                Method::POST,
                &format!("/invitations/{}/accept", invite.invitation.id),
                &json!({ "op": op }),
            )
            .await
    }

    /// `DELETE` with this handle's device's signature.
    pub async fn delete_signed(&self) -> (StatusCode, Value) {
        let signature = self
            .device
            .sign_request("delete", &self.id, &self.incarnation().await);
        self.send_signed(Method::DELETE, "", &signature).await
    }

    /// `POST .../restore` with this handle's device's signature over `incarnation`.
    pub async fn restore(&self, incarnation: &str) -> (StatusCode, Value) {
        let signature = self.device.sign_request("restore", &self.id, incarnation);
        self.send_signed(Method::POST, "/restore", &signature).await
    }

    /// A request with an `Onward-Signature` header.
    pub async fn send_signed(
        &self,
        method: Method,
        rest: &str,
        signature: &str,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .request(
                method,
                format!("{}/v1/journals/{}{rest}", self.base, self.id),
            )
            .bearer_auth(&self.credential)
            .header("onward-signature", signature)
            .send()
            .await
            .expect("the relay answers");
        let status = response.status();
        let bytes = response.bytes().await.expect("a whole body");
        (status, json_of(&bytes))
    }

    pub async fn status(&self) -> (StatusCode, Value) {
        let (status, body) = self.send(Method::GET, "", None).await;
        (status, json_of(&body))
    }

    pub async fn delete(&self) -> (StatusCode, Value) {
        let (status, body) = self.send(Method::DELETE, "", None).await;
        (status, json_of(&body))
    }

    /// Pushes `content` sealed as batch `batch` by this handle's device.
    pub async fn push(&self, batch: &str, content: &[u8]) -> (StatusCode, Value) {
        self.push_raw(batch, &self.sealed_batch(batch, content))
            .await
    }

    /// Pushes `envelope` as it is.
    pub async fn push_raw(&self, batch: &str, envelope: &[u8]) -> (StatusCode, Value) {
        let (status, body) = self
            .send(
                Method::PUT,
                &format!("/batches/{batch}"),
                Some(envelope.to_vec()),
            )
            .await;
        (status, json_of(&body))
    }

    /// The relay's answer to a pull with the raw query string `query`, unread (for its
    /// headers: `Retry-After`).
    pub async fn pull_response(&self, query: &str) -> reqwest::Response {
        self.http
            .get(format!(
                "{}/v1/journals/{}/batches?{query}",
                self.base, self.id
            ))
            .bearer_auth(&self.credential)
            .send()
            .await
            .expect("the relay answers")
    }

    /// Pulls with the raw query string `query` (e.g. `after=0&limit=10`).
    pub async fn pull(&self, query: &str) -> Pull {
        let response = self.pull_response(query).await;
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

    /// A snapshot envelope sealed from `content` by this handle's device.
    pub fn sealed_snapshot(&self, snapshot: &str, content: &[u8]) -> Vec<u8> {
        self.sealed(env::SNAPSHOT, snapshot, content)
    }

    /// Uploads the snapshot sealed from `content` in one part covering `covers`.
    pub async fn put_snapshot(
        &self,
        snapshot: &str,
        covers: u64,
        content: &[u8],
    ) -> (StatusCode, Value) {
        let whole = self.sealed_snapshot(snapshot, content);
        self.put_part(snapshot, 0, 1, covers, &whole).await
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

    /// Stores `content` sealed as this handle's device's record.
    pub async fn put_record(&self, content: &[u8]) -> (StatusCode, Value) {
        let device = self.device.id().to_owned();
        let record = self.sealed(env::DEVICE_RECORD, &device, content);
        self.put_device(&device, &record).await
    }

    /// This handle's device's record as sealed from `content`.
    pub fn sealed_record(&self, content: &[u8]) -> Vec<u8> {
        self.sealed(env::DEVICE_RECORD, self.device.id(), content)
    }

    /// Stores `record` as it is as device `device`'s record.
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
