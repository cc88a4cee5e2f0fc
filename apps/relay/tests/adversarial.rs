//! Hostile and malformed requests: wrong types, huge and negative parameters, bad ids,
//! bad credentials, odd methods, bodies cut short, broken HTTP. The relay answers each
//! with a 4xx (never a 5xx, never a hang) and keeps serving a real journal throughout.
//!
//! `ONWARD_RELAY_ADVERSARIAL` (default 600) sets the number of generated requests;
//! `ONWARD_RELAY_ADVERSARIAL_SEED` replays another set.

mod support;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use support::client::{batch_id, envelope, random_hex};
use support::relay::{Backend, Fixture};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A small deterministic generator (xorshift64*), so a failure replays by its seed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "100",
    "1000",
    "1001",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "99999999999999999999999999",
    "1e3",
    "0x10",
    "",
    "abc",
    "%00",
    "1.5",
    " 1",
    "NaN",
];

fn id(d: &mut Dice, good: &str) -> String {
    match d.below(9) {
        0 => good.to_string(),
        1 => good.to_uppercase(),
        2 => good[..31].to_string(),
        3 => format!("{good}0"),
        4 => "g".repeat(32),
        5 => "%2e%2e".to_string(),
        6 => "é".repeat(16),
        7 => "0".repeat(5000),
        _ => random_hex(32),
    }
}

fn query(d: &mut Dice) -> String {
    let mut parts = Vec::new();
    for _ in 0..d.below(4) {
        let key = d.pick(&["after", "limit", "wait", "parts", "covers", "x", "after"]);
        let value = if key == "wait" {
            // Long-polls would only make the run slow: at most a second.
            d.pick(&["0", "1", "-1", "61", "abc", "", "99999999999999999999"])
        } else {
            d.pick(NUMBERS)
        };
        parts.push(format!("{key}={value}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn path(d: &mut Dice, journal: &str) -> String {
    let j = id(d, journal);
    let b = id(d, &batch_id(7));
    let index = d.pick(NUMBERS);
    match d.below(9) {
        0 => format!("/v1/journals/{j}"),
        1 => format!("/v1/journals/{j}/batches{}", query(d)),
        2 => format!("/v1/journals/{j}/batches/{b}"),
        3 => format!("/v1/journals/{j}/snapshots/{b}/parts/{index}{}", query(d)),
        4 => "/v1/health".to_string(),
        5 => "/v1/openapi.json".to_string(),
        6 => format!("/v1/journals/{j}/../../v1/health"),
        7 => format!("/v2/journals/{j}"),
        _ => format!("/v1/journals/{j}/batches/{b}/extra{}", query(d)),
    }
}

fn credential(d: &mut Dice, good: &str) -> Option<String> {
    match d.below(8) {
        0 => None,
        1 => Some(format!("Bearer {good}")),
        2 => Some(format!("Bearer {}", random_hex(64))),
        3 => Some(format!("Basic {good}")),
        4 => Some("Bearer ".to_string()),
        5 => Some(format!("Bearer {}", &good[..63])),
        6 => Some(format!("Bearer {}", "Z".repeat(64))),
        _ => Some(format!("Bearer {}", "a".repeat(10_000))),
    }
}

fn body(d: &mut Dice, limit: usize) -> Vec<u8> {
    match d.below(6) {
        0 => Vec::new(),
        1 => envelope(d.next() % 1000, 1 + d.below(2000)),
        2 => b"{\"seq\": -1, \"json\": [1, 2, 3]}".to_vec(),
        3 => vec![0u8; limit],
        4 => vec![0xffu8; limit + 1],
        _ => (0..d.below(300)).map(|_| d.next() as u8).collect(),
    }
}

/// How long the relay under test may take to send a request's headers or pause in a
/// body before it must give up on the connection (short, so a hang shows quickly).
const READ_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a raw exchange may take before it counts as a hang: the relay's own read
/// timeouts and plenty of room for a busy machine.
const HANG_LIMIT: Duration = Duration::from_secs(15);

/// Sends raw bytes on a new connection and returns what came back once the relay
/// closed it; panics when the relay neither answers-and-closes nor closes within
/// [`HANG_LIMIT`]. Unless `close_write`, the connection stays open from this side, so
/// only the relay's own timeouts can end it.
async fn raw(what: &str, addr: &str, bytes: &[u8], close_write: bool) -> String {
    let mut stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
        .await
        .expect("connect in time")
        .expect("connect");
    // The relay may answer and close before reading everything: that is fine.
    let _ = stream.write_all(bytes).await;
    if close_write {
        let _ = stream.shutdown().await;
    }
    let mut answer = Vec::new();
    let read = tokio::time::timeout(HANG_LIMIT, stream.read_to_end(&mut answer)).await;
    // Ok(Ok(_)): the relay closed the connection; Ok(Err(_)): it reset it. Both end it.
    assert!(
        read.is_ok(),
        "{what}: the relay neither answered and closed nor closed the connection within \
         {HANG_LIMIT:?} (so far it sent {:?})",
        String::from_utf8_lossy(&answer)
    );
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status line's code, if the relay answered with HTTP at all.
fn status_of(answer: &str) -> Option<u16> {
    answer.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_4xx_and_the_relay_keeps_serving() {
    let requests: usize = std::env::var("ONWARD_RELAY_ADVERSARIAL")
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(600);
    let seed: u64 = std::env::var("ONWARD_RELAY_ADVERSARIAL_SEED")
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(0x0DD_BA11);
    let limit = 64 * 1024;
    let relay = Fixture::start_with(Backend::Sqlite, |c| {
        c.max_body_bytes = limit;
        c.limits.header_read_timeout = READ_TIMEOUT;
        c.limits.body_read_timeout = READ_TIMEOUT;
    })
    .await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // A witness journal with a batch, which must come through everything unharmed, and
    // a target journal whose real id and credential the requests use now and then.
    let journal = relay.journal();
    assert_eq!(journal.create().await, StatusCode::CREATED);
    let (status, _) = journal.push(&batch_id(1), &envelope(1, 500)).await;
    assert_eq!(status, StatusCode::CREATED);
    let target = relay.journal();
    assert_eq!(target.create().await, StatusCode::CREATED);
    let (good_journal, good_credential) = (target.id.clone(), target.credential.clone());

    let mut d = Dice(seed | 1);
    let methods = [
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::DELETE,
        Method::PATCH,
        Method::HEAD,
        Method::OPTIONS,
    ];
    let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
    let mut closed_early = 0;
    for n in 0..requests {
        let method = methods[d.below(methods.len())].clone();
        let path = path(&mut d, &good_journal);
        let mut request = http.request(method.clone(), format!("{}{path}", relay.base));
        if let Some(auth) = credential(&mut d, &good_credential) {
            request = request.header("Authorization", auth);
        }
        if d.below(3) == 0 {
            request = request.header(
                "Content-Type",
                d.pick(&[
                    "application/json",
                    "text/plain",
                    "application/octet-stream",
                    "x/\u{0}",
                ]),
            );
        }
        let response = match request.body(body(&mut d, limit)).send().await {
            Ok(response) => response,
            // A header value the HTTP client itself refuses to send.
            Err(e) if e.is_builder() => continue,
            Err(e) if e.is_timeout() => {
                panic!("request {n} ({method} {path:.200}, seed {seed}) hung: {e}")
            }
            // The relay may answer (405, 413) and close before reading a big body: the
            // client sees the connection go. It must still be serving.
            Err(_) => {
                closed_early += 1;
                let health = relay.get("/v1/health").await;
                assert_eq!(
                    health.status(),
                    StatusCode::OK,
                    "after request {n} ({method} {path:.200}, seed {seed})"
                );
                continue;
            }
        };
        let status = response.status();
        *by_status.entry(status.as_u16()).or_default() += 1;
        assert!(
            !status.is_server_error(),
            "request {n} ({method} {path:.200}, seed {seed}) got {status}: {}",
            response.text().await.unwrap_or_default()
        );
    }

    // Broken HTTP on raw connections.
    let addr = relay.base.trim_start_matches("http://").to_string();
    let auth = format!("Authorization: Bearer {}\r\n", journal.credential);
    let cut_short = format!(
        "PUT /v1/journals/{}/batches/{} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 5000\r\n\r\nonly a few bytes",
        journal.id,
        batch_id(2)
    );
    let cut_short_open = format!(
        "PUT /v1/journals/{}/batches/{} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 5000\r\n\r\nsome",
        journal.id,
        batch_id(4)
    );
    let chunked_broken = format!(
        "PUT /v1/journals/{}/batches/{} HTTP/1.1\r\nHost: x\r\n{auth}Transfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n",
        journal.id,
        batch_id(3)
    );
    let huge_header = format!(
        "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    let raws: Vec<(&str, Vec<u8>, bool)> = vec![
        ("a body cut short", cut_short.into_bytes(), true),
        ("broken chunked encoding", chunked_broken.into_bytes(), true),
        ("a huge header", huge_header.into_bytes(), false),
        (
            "not HTTP",
            b"\x16\x03\x01\x02\x00hello relay\r\n\r\n".to_vec(),
            true,
        ),
        ("an empty connection", Vec::new(), true),
        // Held open from this side: only the relay's read timeouts can end these.
        ("a silent connection", Vec::new(), false),
        (
            "headers that never end",
            b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: a".to_vec(),
            false,
        ),
        (
            "a body that stops coming",
            cut_short_open.into_bytes(),
            false,
        ),
    ];
    for (what, bytes, close) in raws {
        let answer = raw(what, &addr, &bytes, close).await;
        if let Some(code) = status_of(&answer) {
            assert!(code < 500, "{what}: {answer:.300}");
        }
    }

    // Still serving: health, and the real journal holds exactly its one batch.
    let health = relay.get("/v1/health").await;
    assert_eq!(health.status(), StatusCode::OK);
    let frames = journal.pull_all(0).await;
    assert_eq!(frames.len(), 1, "the witness journal: {frames:?}");
    assert_eq!(
        frames[0].envelope,
        journal.sealed_batch(&batch_id(1), &envelope(1, 500))
    );
    let (status, _) = journal.push(&batch_id(9), &envelope(9, 100)).await;
    assert_eq!(status, StatusCode::CREATED);
    println!(
        "{requests} generated requests (seed {seed}), answers by status: {by_status:?}, \
         {closed_early} closed before the body was sent"
    );
}
