//! Abuse limits on loopback, on both backends: request rates answered `429` with
//! `Retry-After` while others are still served, caps on connections and waiting pulls,
//! requests in flight per journal, header and body read timeouts and the body deadline
//! (a long-poll is not cut by them), the credential and the registration token checked
//! before a body is read (and a new journal's genesis before more than it is read),
//! registration modes, and the per-row overhead of the quota. Every wait is bounded; a hang fails by timeout.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use onward_protocol::limits::QUOTA_ROW_OVERHEAD_BYTES;
use onward_protocol::members::envelope as env;
use onward_relay::guard::Registration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::client::{batch_id, random_hex, Journal};
use support::relay::{Backend, Fixture};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

on_both_backends!(
    a_burst_over_the_address_rate_is_429_and_others_are_still_served,
    a_burst_over_a_journals_rate_is_429_and_other_journals_are_served,
    a_connection_over_the_cap_is_answered_too_busy,
    waiting_pulls_are_capped_per_journal,
    waiting_pulls_are_capped_per_process,
    requests_in_flight_are_capped_per_journal,
    a_slow_loris_is_cut_off_by_the_read_timeouts_and_a_long_poll_is_not,
    a_bad_credential_is_refused_before_the_body_is_read,
    a_pull_with_a_bad_credential_is_401_whatever_its_query_says,
    a_new_journals_body_is_read_past_its_genesis_only_once_the_genesis_checks_out,
    a_forged_genesis_for_a_new_journal_is_refused_and_stores_nothing,
    a_token_relay_creates_journals_only_with_its_token,
    many_one_byte_batches_reach_the_quota_at_the_right_count,
);

/// An HTTP client whose connections come from `ip` (any 127.x address is loopback).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("an HTTP client")
}

/// Status, `Retry-After` and JSON body of a `GET` of the journal's status.
async fn status_of(
    http: &reqwest::Client,
    base: &str,
    journal: &Journal,
) -> (StatusCode, Option<u64>, Value) {
    let response = http
        .get(format!("{base}/v1/journals/{}", journal.id))
        .bearer_auth(&journal.credential)
        .send()
        .await
        .expect("the relay answers");
    answer(response).await
}

async fn answer(response: reqwest::Response) -> (StatusCode, Option<u64>, Value) {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let bytes = response.bytes().await.expect("a whole body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, retry_after, body)
}

/// The relay's address (host:port) from its base URL.
fn addr(fixture: &Fixture) -> SocketAddr {
    fixture.base.trim_start_matches("http://").parse().unwrap()
}

/// Everything the relay sends on `stream` until it closes it (at most 30 s).
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .expect("the relay closes the connection in time")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

/// The first answer the relay sends on `stream` (its head and a little body), read
/// without writing anything more (at most 30 s).
async fn read_answer(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            let n = stream.read(&mut buf).await.unwrap_or(0);
            answer.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&answer);
            if n == 0 || text.contains("\r\n\r\n") && text.contains('}') {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("the relay answers in time, without the body");
    String::from_utf8_lossy(&answer).into_owned()
}

async fn a_burst_over_the_address_rate_is_429_and_others_are_still_served(backend: Backend) {
    let fixture = Fixture::start_with(backend, |c| {
        c.limits.ip_per_second = 1;
        c.limits.ip_burst = 5;
    })
    .await;
    let other = client_from("127.0.0.2");
    let journal = Journal::random(other.clone(), fixture.base.clone());
    assert_eq!(journal.create().await, StatusCode::CREATED);

    let noisy = client_from("127.0.0.1");
    let mut refused = None;
    for i in 0..30 {
        let (status, retry_after, body) = status_of(&noisy, &fixture.base, &journal).await;
        if i < 5 {
            assert_eq!(status, StatusCode::OK, "the burst is allowed: {body}");
        } else if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((retry_after, body));
            break;
        }
    }
    let (retry_after, body) = refused.expect("a burst over the rate is refused");
    assert_eq!(body["error"], "rate_limited", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("try again"),
        "{body}"
    );
    assert!(
        matches!(retry_after, Some(1..=2)),
        "Retry-After: {retry_after:?}"
    );

    // Another address is served as ever, also for the same journal.
    let (status, _, body) = status_of(&other, &fixture.base, &journal).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let health = other
        .get(format!("{}/v1/health", fixture.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

async fn a_burst_over_a_journals_rate_is_429_and_other_journals_are_served(backend: Backend) {
    let fixture = Fixture::start_with(backend, |c| {
        c.limits.journal_per_second = 1;
        c.limits.journal_burst = 4;
    })
    .await;
    let busy = fixture.journal();
    let quiet = fixture.journal();
    assert_eq!(busy.create().await, StatusCode::CREATED);
    assert_eq!(quiet.create().await, StatusCode::CREATED);
    let mut refused = None;
    for _ in 0..30 {
        let (status, retry_after, body) = status_of(&fixture.http, &fixture.base, &busy).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((retry_after, body));
            break;
        }
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (retry_after, body) = refused.expect("a burst over the journal's rate is refused");
    assert_eq!(body["error"], "rate_limited");
    assert!(retry_after.is_some_and(|s| s >= 1));
    let (status, _, body) = status_of(&fixture.http, &fixture.base, &quiet).await;
    assert_eq!(status, StatusCode::OK, "another journal is served: {body}");
}

async fn a_connection_over_the_cap_is_answered_too_busy(backend: Backend) {
    let fixture = Fixture::start_with(backend, |c| c.limits.max_connections = 2).await;
    let held = [
        TcpStream::connect(addr(&fixture)).await.unwrap(),
        TcpStream::connect(addr(&fixture)).await.unwrap(),
    ];
    // Accepted in order: the two held connections take the places.
    let response = support::relay::client()
        .get(format!("{}/v1/health", fixture.base))
        .send()
        .await
        .expect("the relay answers");
    let (status, retry_after, body) = answer(response).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "too_busy");
    assert!(retry_after.is_some_and(|s| s >= 1));

    drop(held);
    let mut served = false;
    for _ in 0..100 {
        let response = support::relay::client()
            .get(format!("{}/v1/health", fixture.base))
            .send()
            .await
            .expect("the relay answers");
        if response.status() == StatusCode::OK {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "once the held connections close, others are served");
}

async fn waiting_pulls_are_capped_per_journal(backend: Backend) {
    let fixture = Fixture::start_with(backend, |c| c.limits.max_long_polls_per_journal = 1).await;
    let journal = fixture.journal();
    assert_eq!(journal.create().await, StatusCode::CREATED);
    let other = fixture.journal();
    assert_eq!(other.create().await, StatusCode::CREATED);

    let wait_long = |journal: &Journal| {
        let journal = journal.clone();
        tokio::spawn(async move { journal.pull("after=0&wait=30").await })
    };
    let mut waiting = wait_long(&journal);
    // Short probes until one finds the journal's only place taken by the long wait (a
    // probe may take it first: the long wait is then refused and sent again).
    let mut refused = None;
    for _ in 0..50 {
        if waiting.is_finished() {
            let lost = waiting.await.unwrap();
            assert_eq!(lost.status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(lost.error.unwrap()["error"], "too_busy");
            waiting = wait_long(&journal);
        }
        let response = journal.pull_response("after=0&wait=1").await;
        let (status, retry_after, body) = answer(response).await;
        if status == StatusCode::SERVICE_UNAVAILABLE && !waiting.is_finished() {
            refused = Some((retry_after, body));
            break;
        }
        assert!(
            status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE,
            "{body}"
        );
    }
    let (retry_after, body) = refused.expect("a second waiting pull of the journal is refused");
    assert_eq!(body["error"], "too_busy", "{body}");
    assert!(retry_after.is_some_and(|s| s >= 1));
    // A pull that does not wait, and another journal's waiting pull, are served.
    assert_eq!(journal.pull("after=0").await.status, StatusCode::OK);
    assert_eq!(other.pull("after=0&wait=1").await.status, StatusCode::OK);

    // A push answers the waiting pull, and its place is free again.
    assert_eq!(
        journal.push(&batch_id(1), b"hello").await.0,
        StatusCode::CREATED
    );
    let pulled = tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("the waiting pull answers")
        .unwrap();
    assert_eq!(pulled.status, StatusCode::OK);
    assert_eq!(pulled.seqs(), vec![1]);
    assert_eq!(journal.pull("after=1&wait=1").await.status, StatusCode::OK);
}

/// The relay's `onward_relay_waiting_pulls` gauge.
async fn waiting_pulls(fixture: &Fixture) -> f64 {
    let text = fixture.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("onward_relay_waiting_pulls "))
        .expect("the gauge is reported")
        .parse()
        .unwrap()
}

async fn waiting_pulls_are_capped_per_process(backend: Backend) {
    let fixture = Fixture::start_with(backend, |c| c.limits.max_long_polls = 2).await;
    let journals = [fixture.journal(), fixture.journal(), fixture.journal()];
    for journal in &journals {
        assert_eq!(journal.create().await, StatusCode::CREATED);
    }
    let waiting: Vec<_> = journals[..2]
        .iter()
        .map(|journal| {
            let journal = journal.clone();
            tokio::spawn(async move { journal.pull("after=0&wait=30").await })
        })
        .collect();
    let started = Instant::now();
    while waiting_pulls(&fixture).await < 2.0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the pulls wait"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A third journal's waiting pull finds the relay's places taken.
    let third = &journals[2];
    let refused = third.pull("after=0&wait=1").await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.error.unwrap()["error"], "too_busy");
    let response = third.pull_response("after=0&wait=1").await;
    let (status, retry_after, _) = answer(response).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry_after.is_some_and(|s| s >= 1));
    assert_eq!(
        third.pull("after=0").await.status,
        StatusCode::OK,
        "a pull that does not wait is served"
    );

    // Pushes answer the waiting pulls, and their places are free again.
    for (journal, waiting) in journals.iter().zip(waiting) {
        assert_eq!(
            journal.push(&batch_id(1), b"hi").await.0,
            StatusCode::CREATED
        );
        let pulled = tokio::time::timeout(Duration::from_secs(30), waiting)
            .await
            .expect("the waiting pull answers")
            .unwrap();
        assert_eq!(pulled.seqs(), vec![1]);
    }
    assert_eq!(third.pull("after=0&wait=1").await.status, StatusCode::OK);
}

/// A raw connection that sent a push's head declaring `len` body bytes, and no body.
async fn push_without_body(fixture: &Fixture, journal: &Journal, len: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr(fixture)).await.unwrap();
    let head = format!(
        "PUT /v1/journals/{}/batches/{} HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {len}\r\n\r\n",
        journal.id,
        batch_id(1),
        journal.credential
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

async fn requests_in_flight_are_capped_per_journal(backend: Backend) {
    let fixture = Fixture::start_with(backend, |c| c.limits.max_requests_per_journal = 2).await;
    let journal = fixture.journal();
    assert_eq!(journal.create().await, StatusCode::CREATED);
    let other = fixture.journal();
    assert_eq!(other.create().await, StatusCode::CREATED);

    // Two pushes whose bodies don't come hold the journal's two places.
    let held = [
        push_without_body(&fixture, &journal, 100).await,
        push_without_body(&fixture, &journal, 100).await,
    ];
    // The held heads are read by the relay's tasks as the machine allows: wait for the
    // refusal up to a generous deadline (a loaded CI machine took over 2 s).
    let mut refused = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let (status, retry_after, body) = status_of(&fixture.http, &fixture.base, &journal).await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            refused = Some((retry_after, body));
            break;
        }
        assert_eq!(
            status,
            StatusCode::OK,
            "before the held pushes arrive: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (retry_after, body) = refused.expect("a third request of the journal is refused");
    assert_eq!(body["error"], "too_busy", "{body}");
    assert!(retry_after.is_some_and(|s| s >= 1));
    // Another journal, and a waiting pull of this one (it has its own cap), are served.
    let (status, _, body) = status_of(&fixture.http, &fixture.base, &other).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(journal.pull("after=0&wait=1").await.status, StatusCode::OK);

    // Once the held pushes are gone, so is the refusal.
    drop(held);
    let started = Instant::now();
    loop {
        let (status, _, body) = status_of(&fixture.http, &fixture.base, &journal).await;
        if status == StatusCode::OK {
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the places are freed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_slow_loris_is_cut_off_by_the_read_timeouts_and_a_long_poll_is_not(backend: Backend) {
    let fixture = Fixture::start_with(backend, |c| {
        c.limits.header_read_timeout = Duration::from_secs(1);
        c.limits.body_read_timeout = Duration::from_secs(1);
        c.limits.body_read_deadline = Duration::from_secs(2);
    })
    .await;
    let journal = fixture.journal();
    assert_eq!(journal.create().await, StatusCode::CREATED);

    // Headers that never end: the connection is closed.
    let mut slow = TcpStream::connect(addr(&fixture)).await.unwrap();
    slow.write_all(b"GET /v1/health HTTP/1.1\r\nHost: relay\r\nX-Slow: 1\r\n")
        .await
        .unwrap();
    // A connection that says nothing at all is closed too.
    let mut silent = TcpStream::connect(addr(&fixture)).await.unwrap();
    let health = fixture.get("/v1/health").await;
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "others are served meanwhile"
    );
    let said = read_until_closed(&mut slow).await;
    assert!(!said.contains("200 OK"), "{said}");
    read_until_closed(&mut silent).await;

    // A body that stops arriving: answered 400 and closed.
    let mut slow_body = TcpStream::connect(addr(&fixture)).await.unwrap();
    let head = format!(
        "PUT /v1/journals/{}/batches/{} HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n",
        journal.id,
        batch_id(1),
        journal.credential
    );
    slow_body.write_all(head.as_bytes()).await.unwrap();
    slow_body.write_all(&[7u8; 10]).await.unwrap();
    let said = read_until_closed(&mut slow_body).await;
    assert!(said.starts_with("HTTP/1.1 400"), "{said}");
    assert!(said.contains("stopped arriving"), "{said}");
    assert_eq!(
        journal.pull("after=0").await.latest_seq,
        Some(0),
        "nothing was stored"
    );

    // Headers trickled a byte at a time, each well within the timeout: it bounds the
    // whole head, so the connection is closed about when it runs out.
    let (cut, said) = trickle(&fixture, b"GET /v1/health HTTP/1.1\r\nX-Slow: ").await;
    assert!(!said.contains("200 OK"), "{said}");
    assert!(
        (Duration::from_millis(500)..=Duration::from_secs(4)).contains(&cut),
        "a trickled head was cut after {cut:?}, the timeout is 1 s"
    );
    // A body trickled the same way is cut by the deadline on the whole body.
    let head = format!(
        "PUT /v1/journals/{}/batches/{} HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n",
        journal.id,
        batch_id(1),
        journal.credential
    );
    let (cut, said) = trickle(&fixture, head.as_bytes()).await;
    assert!(said.starts_with("HTTP/1.1 400"), "{said}");
    assert!(said.contains("longer than 2 s"), "{said}");
    assert!(
        (Duration::from_millis(1500)..=Duration::from_secs(5)).contains(&cut),
        "a trickled body was cut after {cut:?}, the deadline is 2 s"
    );
    assert_eq!(
        journal.pull("after=0").await.latest_seq,
        Some(0),
        "nothing was stored"
    );

    // A long-poll waits longer than both timeouts and answers as ever.
    let started = Instant::now();
    let pulled = journal.pull("after=0&wait=3").await;
    assert_eq!(pulled.status, StatusCode::OK);
    assert!(pulled.frames.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(2500),
        "it waited"
    );
}

/// Sends `head` on a new connection, then one more byte every 200 ms (never pausing as
/// long as the timeouts) until the relay closes it: what the relay said, and when it
/// closed, from the first byte sent (at most 30 s).
async fn trickle(fixture: &Fixture, head: &[u8]) -> (Duration, String) {
    let (mut from, mut to) = TcpStream::connect(addr(fixture))
        .await
        .unwrap()
        .into_split();
    let started = Instant::now();
    to.write_all(head).await.unwrap();
    let writer = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if to.write_all(b"x").await.is_err() {
                break;
            }
        }
    });
    let mut said = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), from.read_to_end(&mut said))
        .await
        .expect("the relay closes the connection in time")
        .ok();
    let cut = started.elapsed();
    writer.abort();
    (cut, String::from_utf8_lossy(&said).into_owned())
}

async fn a_bad_credential_is_refused_before_the_body_is_read(backend: Backend) {
    let fixture = Fixture::start_with(backend, |c| {
        c.registration = Registration::Token("letmein".into());
    })
    .await;
    let journal = fixture.journal();
    let created = create_with_token(&fixture, &journal, Some("letmein")).await;
    assert_eq!(created, StatusCode::CREATED);

    let big = 4 * 1024 * 1024;
    let wrong = random_hex(64);
    for (what, head) in [
        (
            "a push with a wrong credential",
            format!(
                "PUT /v1/journals/{}/batches/{} HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {wrong}\r\n\
                 Content-Type: application/octet-stream\r\nContent-Length: {big}\r\n\r\n",
                journal.id,
                batch_id(1)
            ),
        ),
        (
            "a push with no credential",
            format!(
                "PUT /v1/journals/{}/batches/{} HTTP/1.1\r\nHost: relay\r\n\
                 Content-Type: application/octet-stream\r\nContent-Length: {big}\r\n\r\n",
                journal.id,
                batch_id(1)
            ),
        ),
        (
            "a device-list change with a wrong credential",
            format!(
                "POST /v1/journals/{}/members HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {wrong}\r\n\
                 Content-Type: application/json\r\nContent-Length: {big}\r\n\r\n",
                journal.id
            ),
        ),
    ] {
        let mut stream = TcpStream::connect(addr(&fixture)).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        eprintln!("sending {what}");
        let said = read_answer(&mut stream).await;
        assert!(said.starts_with("HTTP/1.1 401"), "{what}: {said}");
        assert!(said.contains("\"unauthorized\""), "{what}: {said}");
    }

    // A new journal without the registration token: refused before its body too.
    let stranger = fixture.journal();
    let mut stream = TcpStream::connect(addr(&fixture)).await.unwrap();
    let head = format!(
        "PUT /v1/journals/{} HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {big}\r\n\r\n",
        stranger.id, stranger.credential
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let said = read_answer(&mut stream).await;
    assert!(said.starts_with("HTTP/1.1 403"), "{said}");
    assert!(said.contains("\"registration_required\""), "{said}");

    // A member's credential with a declared body over the limit: 413, unread.
    let mut stream = TcpStream::connect(addr(&fixture)).await.unwrap();
    let head = format!(
        "PUT /v1/journals/{}/batches/{} HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        journal.id,
        batch_id(1),
        journal.credential,
        big + 1
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let said = read_answer(&mut stream).await;
    assert!(said.starts_with("HTTP/1.1 413"), "{said}");
}

/// `PUT` of `journal` with its genesis and, when given, the registration token.
async fn create_with_token(
    fixture: &Fixture,
    journal: &Journal,
    token: Option<&str>,
) -> StatusCode {
    create_answer(fixture, journal, token).await.0
}

async fn create_answer(
    fixture: &Fixture,
    journal: &Journal,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = fixture
        .http
        .request(
            Method::PUT,
            format!("{}/v1/journals/{}", fixture.base, journal.id),
        )
        .bearer_auth(&journal.credential)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&json!({"ops": [journal.genesis], "wraps": []})).unwrap());
    if let Some(token) = token {
        request = request.header(onward_protocol::headers::REGISTRATION, token);
    }
    let (status, _, body) = answer(request.send().await.expect("the relay answers")).await;
    (status, body)
}

async fn a_token_relay_creates_journals_only_with_its_token(backend: Backend) {
    let fixture = Fixture::start_with(backend, |c| {
        c.registration = Registration::Token("letmein".into());
    })
    .await;
    let journal = fixture.journal();
    let (status, body) = create_answer(&fixture, &journal, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "registration_required");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("onward-registration"),
        "{body}"
    );
    let (status, body) = create_answer(&fixture, &journal, Some("letme")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a wrong token: {body}");
    assert_eq!(
        status_of(&fixture.http, &fixture.base, &journal).await.0,
        StatusCode::UNAUTHORIZED,
        "nothing was created"
    );

    assert_eq!(
        create_with_token(&fixture, &journal, Some("letmein")).await,
        StatusCode::CREATED
    );
    // Its devices go on without the token: registering again, pushing, reading.
    assert_eq!(
        create_with_token(&fixture, &journal, None).await,
        StatusCode::OK
    );
    assert_eq!(
        journal.push(&batch_id(1), b"x").await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        status_of(&fixture.http, &fixture.base, &journal).await.0,
        StatusCode::OK
    );
    // An open relay (the default) takes a journal without any token.
    let open = Fixture::start(backend).await;
    assert_eq!(open.journal().create().await, StatusCode::CREATED);
}

async fn many_one_byte_batches_reach_the_quota_at_the_right_count(backend: Backend) {
    // Each 1-byte batch is sealed into the smallest envelope and costs its bytes and the
    // per-row overhead: the quota has room for exactly `fits` of them.
    let per_batch = env::MIN_LEN as u64 + QUOTA_ROW_OVERHEAD_BYTES;
    let fits = 40;
    let quota = fits * per_batch + per_batch - 1;
    let fixture = Fixture::start_with(backend, |c| c.quota_bytes = quota).await;
    let journal = fixture.journal();
    assert_eq!(journal.create().await, StatusCode::CREATED);
    for n in 1..=fits {
        let (status, body) = journal.push(&batch_id(n), &[n as u8]).await;
        assert_eq!(status, StatusCode::CREATED, "batch {n}: {body}");
    }
    let (status, body) = journal.push(&batch_id(fits + 1), &[0]).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    assert_eq!(body["error"], "quota_exceeded");
    let (status, _, info) = status_of(&fixture.http, &fixture.base, &journal).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["bytes_used"], fits * per_batch, "{info}");
}

async fn a_pull_with_a_bad_credential_is_401_whatever_its_query_says(backend: Backend) {
    let fixture = Fixture::start(backend).await;
    let journal = fixture.journal();
    assert_eq!(journal.create().await, StatusCode::CREATED);
    let wrong = random_hex(64);
    for query in ["limit=0", "limit=5000", "wait=999", "after=x"] {
        assert_eq!(
            journal.pull(query).await.status,
            StatusCode::BAD_REQUEST,
            "a member's pull with {query} is judged by its query"
        );
        for credential in [Some(wrong.as_str()), None] {
            let mut request = fixture.http.get(format!(
                "{}/v1/journals/{}/batches?{query}",
                fixture.base, journal.id
            ));
            if let Some(credential) = credential {
                request = request.bearer_auth(credential);
            }
            let (status, _, body) = answer(request.send().await.unwrap()).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{query}, {credential:?}: {body}"
            );
            assert_eq!(body["error"], "unauthorized");
        }
    }
}

/// The bytes of a creation body that hold its genesis, as the relay counts them.
const GENESIS_WITHIN: usize = onward_relay::storage::members::GENESIS_WITHIN;

async fn a_new_journals_body_is_read_past_its_genesis_only_once_the_genesis_checks_out(
    backend: Backend,
) {
    let fixture = Fixture::start(backend).await;
    let journal = fixture.journal();
    // Another journal's genesis, signed by its founder, opening a body that declares
    // 4 MiB: of which only what holds the genesis is sent.
    let other = fixture.journal();
    let mut start = format!(
        "{{\"ops\": [{}, ",
        serde_json::to_string(&other.genesis).unwrap()
    );
    start.push_str(&" ".repeat(GENESIS_WITHIN + 1 - start.len()));
    let head = format!(
        "PUT /v1/journals/{} HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        journal.id,
        journal.credential,
        4 * 1024 * 1024
    );
    let mut stream = TcpStream::connect(addr(&fixture)).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(start.as_bytes()).await.unwrap();
    // Were the rest awaited, this would be the body timeout's 400 after 30 s.
    let said = read_answer(&mut stream).await;
    assert!(said.starts_with("HTTP/1.1 403"), "{said}");
    assert!(said.contains("not this journal's"), "{said}");
    assert_eq!(
        status_of(&fixture.http, &fixture.base, &journal).await.0,
        StatusCode::UNAUTHORIZED,
        "nothing was created"
    );

    // The journal's own genesis in a body as long: read on, and created.
    let body = format!(
        "{{\"ops\": [{}]{}, \"wraps\": []}}",
        serde_json::to_string(&journal.genesis).unwrap(),
        " ".repeat(GENESIS_WITHIN)
    );
    let response = fixture
        .http
        .put(format!("{}/v1/journals/{}", fixture.base, journal.id))
        .bearer_auth(&journal.credential)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let (status, _, answer) = answer(response).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

async fn a_forged_genesis_for_a_new_journal_is_refused_and_stores_nothing(backend: Backend) {
    let fixture = Fixture::start(backend).await;
    let journal = fixture.journal();
    let other = fixture.journal();
    let mut bad_signature = journal.genesis.clone();
    let flipped = if bad_signature.signature.starts_with('0') {
        "1"
    } else {
        "0"
    };
    bad_signature.signature.replace_range(..1, flipped);
    for (what, genesis) in [
        ("another journal's genesis", other.genesis.clone()),
        ("a genesis with a broken signature", bad_signature),
    ] {
        let (status, body) = journal.create_with(&[genesis], &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
        assert_eq!(body["error"], "forbidden", "{what}: {body}");
        assert_eq!(
            status_of(&fixture.http, &fixture.base, &journal).await.0,
            StatusCode::UNAUTHORIZED,
            "{what}: nothing was stored"
        );
    }
    assert_eq!(
        status_of(&fixture.http, &fixture.base, &other).await.0,
        StatusCode::UNAUTHORIZED,
        "nor the other journal"
    );
    assert_eq!(
        journal.create().await,
        StatusCode::CREATED,
        "the id was free all along"
    );
}
