//! Sync through a faulty network: a loopback TCP proxy between the `onward` binary and a
//! real relay drops connections, answers 503, cuts answers short and slows them down. The
//! device keeps working offline through all of it, loses nothing, says what went wrong,
//! and catches up once the network is good again.

mod sync_support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use sync_support::{Device, LoopbackRelay};

/// What the proxy does to each new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Fault {
    /// Passes bytes both ways.
    None = 0,
    /// Accepts and closes at once (a relay that crashed, a dropped connection).
    Drop = 1,
    /// Reads the request and answers 503 (a relay behind a failing load balancer).
    Unavailable = 2,
    /// Forwards the request and cuts the answer's body in half.
    Truncate = 3,
    /// Forwards both ways, two seconds late (a slow network).
    Slow = 4,
}

struct Proxy {
    addr: String,
    fault: Arc<AtomicU8>,
    /// Connections a fault was applied to.
    injected: Arc<AtomicUsize>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let fault = Arc::new(AtomicU8::new(Fault::None as u8));
        let injected = Arc::new(AtomicUsize::new(0));
        let (f, n) = (fault.clone(), injected.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let upstream = upstream.clone();
                let fault = match f.load(Ordering::SeqCst) {
                    1 => Fault::Drop,
                    2 => Fault::Unavailable,
                    3 => Fault::Truncate,
                    4 => Fault::Slow,
                    _ => Fault::None,
                };
                if fault != Fault::None {
                    n.fetch_add(1, Ordering::SeqCst);
                }
                std::thread::spawn(move || serve(client, &upstream, fault));
            }
        });
        Proxy {
            addr,
            fault,
            injected,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn set(&self, fault: Fault) {
        self.fault.store(fault as u8, Ordering::SeqCst);
    }
}

fn serve(mut client: TcpStream, upstream: &str, fault: Fault) {
    let timeout = Some(Duration::from_secs(30));
    let _ = client.set_read_timeout(timeout);
    match fault {
        Fault::Drop => {
            let _ = client.shutdown(Shutdown::Both);
        }
        Fault::Unavailable => {
            let _ = read_head(&mut client);
            let body = r#"{"error":"internal","message":"the relay is unavailable"}"#;
            let _ = write!(
                client,
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Fault::None | Fault::Slow | Fault::Truncate => {
            let Ok(mut relay) = TcpStream::connect(upstream) else {
                return;
            };
            let _ = relay.set_read_timeout(timeout);
            let delay = if fault == Fault::Slow {
                Duration::from_secs(2)
            } else {
                Duration::ZERO
            };
            let (mut c, mut r) = (client.try_clone().unwrap(), relay.try_clone().unwrap());
            let up = std::thread::spawn(move || pump(&mut c, &mut r, delay, false));
            pump(&mut relay, &mut client, delay, fault == Fault::Truncate);
            let _ = client.shutdown(Shutdown::Both);
            let _ = relay.shutdown(Shutdown::Both);
            let _ = up.join();
        }
    }
}

/// Reads up to the end of the request head (what a 503 needs before answering).
fn read_head(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") && seen.len() < 64 * 1024 {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        seen.push(byte[0]);
    }
    Ok(())
}

/// Copies `from` to `to`, late by `delay`. With `cut`, forwards the first answer's head
/// and half of its body, then stops (the caller closes both sides).
fn pump(from: &mut TcpStream, to: &mut TcpStream, delay: Duration, cut: bool) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut answer = Vec::new();
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        std::thread::sleep(delay);
        if !cut {
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
            continue;
        }
        answer.extend_from_slice(&buf[..n]);
        let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&answer[..end]).to_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let body = answer.len() - end - 4;
        if body * 2 >= length {
            let upto = end + 4 + length / 2;
            let _ = to.write_all(&answer[..upto.min(answer.len())]);
            break;
        }
    }
}

fn add_entry(d: &Device, text: &str) {
    d.run(&["entry", "add", "--kind", "free", "--text", text]);
}

#[test]
fn a_faulty_network_loses_nothing_and_sync_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let proxy = Proxy::start(relay.url().trim_start_matches("http://").to_string());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    add_entry(&laptop, "Before any trouble");
    laptop.run(&["sync", "init", "--relay", &proxy.url()]);
    phone.join(&laptop, &[]);
    assert_eq!(phone.titles(), laptop.titles());

    let mut written = 1;
    for fault in [Fault::Drop, Fault::Unavailable, Fault::Truncate] {
        proxy.set(fault);
        add_entry(&laptop, &format!("Written during {fault:?}"));
        written += 1;
        let ran = laptop.try_run(&["sync", "now"]);
        assert!(!ran.ok, "sync went through {fault:?}: {}", ran.stdout);
        assert!(
            !ran.stderr.contains("panicked"),
            "{fault:?}: {}",
            ran.stderr
        );
        assert!(
            ran.stderr.starts_with("error: "),
            "{fault:?}: {}",
            ran.stderr
        );
        assert!(
            ran.stderr.contains("onward sync"),
            "{fault:?}: says what to do next: {}",
            ran.stderr
        );
        // The journal keeps working, everything still there.
        add_entry(&laptop, &format!("And after {fault:?}"));
        written += 1;
        assert_eq!(laptop.titles().len(), written, "{fault:?}");
        let status = laptop.json(&["sync", "status"]);
        assert_eq!(status["in_sync"], false, "{fault:?}: {status}");
        // The other device, through the same faults, keeps what it has.
        let ran = phone.try_run(&["sync", "now"]);
        assert!(!ran.ok && !ran.stderr.contains("panicked"), "{fault:?}");
        assert_eq!(phone.titles().len(), 1, "{fault:?}");
    }

    // Slow, but it gets there.
    proxy.set(Fault::Slow);
    let slow = laptop.run(&["sync", "now"]);
    assert!(slow.contains("In sync."), "{slow}");

    proxy.set(Fault::None);
    laptop.run(&["sync", "now"]);
    phone.run(&["sync", "now"]);
    assert_eq!(phone.titles(), laptop.titles());
    assert_eq!(phone.titles().len(), written);
    assert!(laptop.run(&["sync", "status"]).contains("In sync."));
    for device in [&laptop, &phone] {
        let doctor = device.json(&["doctor"]);
        assert_eq!(doctor["ok"], true, "{doctor}");
    }
    println!(
        "sync faults: {} connections faulted, {written} entries, all on both devices",
        proxy.injected.load(Ordering::SeqCst)
    );
}
