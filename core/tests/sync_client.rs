//! The relay client when the relay misbehaves: a server on 127.0.0.1 that answers with
//! errors, cuts its answer short or sends frames that lie about their length. Each gives
//! a clear error, never a panic or a hang.

use onward_core::sync::keys::{Keys, MemberSecrets};
use onward_core::sync::relay::{Batches, Relay};
use onward_core::sync::HttpRelay;
use onward_core::Error;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

/// A one-shot server: answers the first request with `response`, then closes.
fn serve_once(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        // Read the request head (these requests have no body worth waiting for).
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
        let _ = stream.write_all(&response);
    });
    format!("http://{addr}")
}

fn client(url: &str) -> HttpRelay {
    HttpRelay::new(url).unwrap()
}

fn keys() -> Keys {
    Keys::founding(
        &"ab".repeat(16),
        MemberSecrets::derived(b"test", &[5; 32], "device"),
        [5; 32],
    )
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(30), f)
                .await
                .expect("answered within 30 s")
        })
}

fn response(status: &str, headers: &[&str], body: &[u8], claimed_len: usize) -> Vec<u8> {
    let mut out =
        format!("HTTP/1.1 {status}\r\nContent-Length: {claimed_len}\r\nConnection: close\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn a_server_error_says_what_the_relay_said() {
    let body = br#"{"error":"storage_unavailable","message":"the database is down"}"#;
    let url = serve_once(response("503 Service Unavailable", &[], body, body.len()));
    let err = run(client(&url).info(&keys())).unwrap_err();
    assert!(matches!(err, Error::Relay { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("the database is down"), "{text}");
    assert!(text.contains("Nothing was lost"), "{text}");
}

#[test]
fn a_refused_credential_is_its_own_error() {
    let body = br#"{"error":"unauthorized","message":"no"}"#;
    let url = serve_once(response("401 Unauthorized", &[], body, body.len()));
    let err = run(client(&url).info(&keys())).unwrap_err();
    assert!(matches!(err, Error::RelayRefusedCredential { .. }), "{err}");
}

#[test]
fn an_answer_cut_short_is_an_error() {
    let body = br#"{"latest_seq": 3, "prun"#;
    let url = serve_once(response("200 OK", &[], body, 200));
    let err = run(client(&url).info(&keys())).unwrap_err();
    assert!(matches!(err, Error::RelayUnreachable { .. }), "{err}");
    assert!(err.to_string().contains("broke off"), "{err}");
}

#[test]
fn frames_that_lie_about_their_length_are_refused() {
    let mut frame = 1u64.to_be_bytes().to_vec();
    frame.extend_from_slice(&[0xAA; 16]);
    frame.extend_from_slice(&u32::MAX.to_be_bytes());
    frame.extend_from_slice(b"tiny");
    let headers = [
        "Content-Type: application/vnd.onward.batches",
        "Onward-Latest-Seq: 1",
        "Onward-Pruned-Through: 0",
    ];
    let url = serve_once(response("200 OK", &headers, &frame, frame.len()));
    let err = run(client(&url).batches(&keys(), 0, 100, Duration::ZERO)).unwrap_err();
    assert!(matches!(err, Error::RelayAnswer { .. }), "{err}");
}

#[test]
fn a_snapshot_request_is_understood() {
    let body = br#"{"error":"snapshot_required","message":"start from the snapshot"}"#;
    let url = serve_once(response("409 Conflict", &[], body, body.len()));
    let answer = run(client(&url).batches(&keys(), 0, 100, Duration::ZERO)).unwrap();
    assert_eq!(answer, Batches::SnapshotRequired);
}

#[test]
fn nobody_listening_is_unreachable() {
    // Bind and drop: the port is very likely free and closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = run(client(&format!("http://127.0.0.1:{port}")).info(&keys())).unwrap_err();
    assert!(matches!(err, Error::RelayUnreachable { .. }), "{err}");
    assert!(err.to_string().contains("keeps working offline"), "{err}");
}
