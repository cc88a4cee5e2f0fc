//! A loopback HTTP/1.1 proxy that sits between devices and the relay and breaks things on
//! purpose: it drops requests, loses answers after the relay acted on them, sends a push
//! twice, reorders and duplicates the frames of a pull (docs/SYNC.md, "Frames"), cuts
//! answers short, and can run a hook (a relay restart) in the middle of a push.
//!
//! One connection carries one exchange: the proxy asks the relay to close after its
//! answer and closes its own side after answering, so every request is seen whole.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// Pass it through untouched.
    None,
    /// Close the connection without forwarding anything.
    DropRequest,
    /// Forward it, then close without answering: the relay acted, the device can't know.
    LoseAnswer,
    /// Forward it twice and answer with the second answer.
    SendTwice,
    /// Answer a pull with its frames reordered and one of them twice.
    ShuffleFrames,
    /// Answer with only the first half of the answer's bytes.
    CutShort,
    /// Forward it, run the hook (e.g. kill and restart the relay), and lose the answer.
    Hook,
    /// Forward it and answer with what the rewrite (see [`FaultProxy::set_rewrite`])
    /// makes of the relay's answer: a relay that lies.
    Rewrite,
}

/// A relay's answer as a [`Fault::Rewrite`] sees it, to change at will. Its
/// `Content-Length` is set to the body's length afterwards.
pub struct Answer {
    /// The status line and headers, each line ending in CRLF, then the blank line.
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value (the first, names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// Sets header `name` to `value` (replacing it).
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.head = Message {
            head: std::mem::take(&mut self.head),
            body: Vec::new(),
        }
        .with_header(name, Some(value));
    }
}

/// One request as the plan sees it.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
}

type Plan = Box<dyn FnMut(&Request<'_>) -> Fault + Send>;
type HookFn = Box<dyn Fn() + Send + Sync>;
type RewriteFn = Box<dyn Fn(&Request<'_>, &mut Answer) + Send + Sync>;

struct Shared {
    upstream: Mutex<SocketAddr>,
    plan: Mutex<Plan>,
    hook: Mutex<Option<HookFn>>,
    rewrite: Mutex<Option<RewriteFn>>,
    counts: Mutex<BTreeMap<Fault, usize>>,
    stop: AtomicBool,
}

/// A running proxy; stops on drop.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

const IO_LIMIT: Duration = Duration::from_secs(90);

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream`, passing everything
    /// through until a plan is set.
    pub fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream),
            plan: Mutex::new(Box::new(|_| Fault::None)),
            hook: Mutex::new(None),
            rewrite: Mutex::new(None),
            counts: Mutex::new(BTreeMap::new()),
            stop: AtomicBool::new(false),
        });
        let accepting = shared.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let shared = accepting.clone();
                std::thread::spawn(move || {
                    let _ = handle(conn, &shared);
                });
            }
        });
        FaultProxy {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT` of the proxy.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Decides the fault of every request from now on.
    pub fn set_plan(&self, plan: impl FnMut(&Request<'_>) -> Fault + Send + 'static) {
        *self.shared.plan.lock().unwrap() = Box::new(plan);
    }

    /// What [`Fault::Hook`] runs, on the proxy's thread, before the answer is lost.
    pub fn set_hook(&self, hook: impl Fn() + Send + Sync + 'static) {
        *self.shared.hook.lock().unwrap() = Some(Box::new(hook));
    }

    /// What [`Fault::Rewrite`] does to the relay's answer before the device gets it.
    pub fn set_rewrite(&self, rewrite: impl Fn(&Request<'_>, &mut Answer) + Send + Sync + 'static) {
        *self.shared.rewrite.lock().unwrap() = Some(Box::new(rewrite));
    }

    /// How many requests got each fault (pass-throughs included as `None`).
    pub fn counts(&self) -> BTreeMap<Fault, usize> {
        self.shared.counts.lock().unwrap().clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// A request or answer split into its head (with the blank line) and body.
struct Message {
    head: String,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The head with `name` removed and, when given, set to `value`.
    fn with_header(&self, name: &str, value: Option<&str>) -> String {
        let mut lines: Vec<String> = self
            .head
            .trim_end_matches("\r\n")
            .split("\r\n")
            .filter(|line| {
                line.split_once(':')
                    .is_none_or(|(k, _)| !k.trim().eq_ignore_ascii_case(name))
            })
            .map(str::to_string)
            .collect();
        if let Some(value) = value {
            lines.push(format!("{name}: {value}"));
        }
        format!("{}\r\n\r\n", lines.join("\r\n"))
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = self.head.as_bytes().to_vec();
        out.extend_from_slice(&self.body);
        out
    }
}

/// Reads one message: the head, then `Content-Length` bytes, or everything until the
/// peer closes when there is no length (an answer with `Connection: close`).
fn read_message(stream: &mut TcpStream, until_close: bool) -> std::io::Result<Message> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut body = buf[head_end..].to_vec();
    let message = Message {
        head,
        body: Vec::new(),
    };
    match message
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        Some(len) => {
            while body.len() < len {
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                body.extend_from_slice(&chunk[..n]);
            }
            body.truncate(len);
        }
        None if until_close => {
            stream.read_to_end(&mut body)?;
        }
        None => {}
    }
    Ok(Message { body, ..message })
}

fn handle(mut client: TcpStream, shared: &Shared) -> std::io::Result<()> {
    client.set_read_timeout(Some(IO_LIMIT))?;
    client.set_write_timeout(Some(IO_LIMIT))?;
    let request = read_message(&mut client, false)?;
    let request_line = request.head.lines().next().unwrap_or_default().to_string();
    let mut words = request_line.split(' ');
    let method = words.next().unwrap_or_default().to_string();
    let path = words.next().unwrap_or_default().to_string();
    let fault = (shared.plan.lock().unwrap())(&Request {
        method: &method,
        path: &path,
    });
    *shared.counts.lock().unwrap().entry(fault).or_default() += 1;
    let forwarded = Message {
        head: request.with_header("connection", Some("close")),
        body: request.body,
    };
    let upstream = *shared.upstream.lock().unwrap();
    match fault {
        Fault::DropRequest => {}
        Fault::None | Fault::ShuffleFrames | Fault::CutShort => {
            let mut answer = exchange(upstream, &forwarded)?;
            if fault == Fault::ShuffleFrames {
                answer = shuffle_frames(answer);
            }
            let mut bytes = answer.bytes();
            if fault == Fault::CutShort {
                bytes.truncate(bytes.len() / 2);
            }
            client.write_all(&bytes)?;
        }
        Fault::LoseAnswer => {
            exchange(upstream, &forwarded)?;
        }
        Fault::Rewrite => {
            let answer = exchange(upstream, &forwarded)?;
            let mut answer = Answer {
                head: answer.head,
                body: answer.body,
            };
            if let Some(rewrite) = shared.rewrite.lock().unwrap().as_ref() {
                rewrite(
                    &Request {
                        method: &method,
                        path: &path,
                    },
                    &mut answer,
                );
            }
            let len = answer.body.len().to_string();
            answer.set_header("content-length", &len);
            let answer = Message {
                head: answer.head,
                body: answer.body,
            };
            client.write_all(&answer.bytes())?;
        }
        Fault::SendTwice => {
            exchange(upstream, &forwarded)?;
            client.write_all(&exchange(upstream, &forwarded)?.bytes())?;
        }
        Fault::Hook => {
            let _ = exchange(upstream, &forwarded);
            if let Some(hook) = shared.hook.lock().unwrap().as_ref() {
                hook();
            }
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// Sends one request to the relay and reads its whole answer.
fn exchange(upstream: SocketAddr, request: &Message) -> std::io::Result<Message> {
    let mut relay = TcpStream::connect_timeout(&upstream, Duration::from_secs(10))?;
    relay.set_read_timeout(Some(IO_LIMIT))?;
    relay.set_write_timeout(Some(IO_LIMIT))?;
    relay.write_all(&request.bytes())?;
    read_message(&mut relay, true)
}

/// A pull answer's frames, last first, with the first frame also sent again at the end.
/// Anything that isn't a whole frame stream with two or more frames is left alone.
fn shuffle_frames(answer: Message) -> Message {
    if !answer.head.starts_with("HTTP/1.1 200")
        || answer.header("content-type") != Some("application/vnd.onward.batches")
    {
        return answer;
    }
    let Some(mut frames) = split_frames(&answer.body) else {
        return answer;
    };
    if frames.is_empty() {
        return answer;
    }
    frames.reverse();
    let again = frames[frames.len() - 1].clone();
    frames.push(again);
    let body: Vec<u8> = frames.concat();
    Message {
        head: answer.with_header("content-length", Some(&body.len().to_string())),
        body,
    }
}

/// Splits `seq (8) || id (16) || length (4) || envelope` frames; None if malformed.
pub fn split_frames(mut body: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut frames = Vec::new();
    while !body.is_empty() {
        let len = u32::from_be_bytes(body.get(24..28)?.try_into().ok()?) as usize;
        let frame = body.get(..28 + len)?;
        frames.push(frame.to_vec());
        body = &body[28 + len..];
    }
    Some(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(seq: u64, envelope: &[u8]) -> Vec<u8> {
        let mut f = seq.to_be_bytes().to_vec();
        f.extend_from_slice(&[7u8; 16]);
        f.extend_from_slice(&(envelope.len() as u32).to_be_bytes());
        f.extend_from_slice(envelope);
        f
    }

    #[test]
    fn frames_are_reordered_and_one_is_sent_twice() {
        let body = [frame(1, b"one"), frame(2, b"second")].concat();
        let answer = Message {
            head: format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.onward.batches\r\ncontent-length: {}\r\n\r\n",
                body.len()
            ),
            body,
        };
        let shuffled = shuffle_frames(answer);
        let frames = split_frames(&shuffled.body).unwrap();
        assert_eq!(
            frames,
            vec![frame(2, b"second"), frame(1, b"one"), frame(1, b"one")]
        );
        assert_eq!(
            shuffled.header("content-length"),
            Some(shuffled.body.len().to_string().as_str())
        );
    }

    #[test]
    fn a_cut_frame_stream_is_not_a_frame_stream() {
        let body = frame(1, b"envelope");
        assert_eq!(split_frames(&body[..body.len() - 1]), None);
    }
}
