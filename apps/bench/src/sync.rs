//! The sync section: devices (the core's sync functions) and a relay (onward-relay's
//! `serve`) in this process, on loopback, with a byte-counting TCP proxy between them so
//! the bytes reported are the bytes on the wire: requests and answers, headers included.

use anyhow::{ensure, Context, Result};
use onward_core::model::{Entry, EntryKind};
use onward_core::sync::envelope::{self, Sealed};
use onward_core::sync::keys::{random32, MemberSecrets};
use onward_core::sync::relay::{Batches, Connect, CreateJournal};
use onward_core::sync::{self, device_list, progress, HttpRelays};
use onward_core::{Filter, Journal};
use onward_relay::Config;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long the benchmark's invitations last.
const INVITATION_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The size of each envelope of the throughput figure, and of an empty one (a
/// signed envelope's header, nonce, tag and signature).
const BENCH_ENVELOPE_BYTES: usize = 1024;
const MIN_ENVELOPE_BYTES: usize = 1 + 4 + 16 + 24 + 16 + 64;

/// The figures of the sync section.
#[derive(Debug, serde::Serialize)]
pub struct SyncFigures {
    pub one_entry_repeats: usize,
    /// New connections for every push and pull.
    pub one_entry_bytes_p50: u64,
    pub one_entry_bytes_p99: u64,
    pub one_entry_ms_p50: f64,
    pub one_entry_ms_p99: f64,
    /// One kept-alive connection per device, as an app's journal handle has.
    pub kept_alive_bytes_p50: u64,
    pub kept_alive_bytes_p99: u64,
    pub kept_alive_ms_p50: f64,
    pub kept_alive_ms_p99: f64,
    pub bootstrap_records: usize,
    pub bootstrap_ms: f64,
    pub bootstrap_bytes: u64,
    pub snapshot_bytes: u64,
    pub journals: usize,
    pub batches_per_journal: usize,
    pub concurrent_batches_per_s: f64,
    pub sequential_batches_per_s: f64,
}

/// Counts every byte that passes through it, both ways.
struct WireCounter {
    addr: SocketAddr,
    bytes: Arc<AtomicU64>,
}

impl WireCounter {
    async fn start(upstream: SocketAddr) -> Result<WireCounter> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let bytes = Arc::new(AtomicU64::new(0));
        let counted = bytes.clone();
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let counted = counted.clone();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (ri, wi) = inbound.into_split();
                    let (ro, wo) = outbound.into_split();
                    tokio::join!(pipe(ri, wo, &counted), pipe(ro, wi, &counted));
                });
            }
        });
        Ok(WireCounter { addr, bytes })
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn total(&self) -> u64 {
        self.bytes.load(Ordering::SeqCst)
    }
}

/// Copies until either side closes, counting as it goes (pooled connections stay open,
/// so counting at the end of a connection would miss them).
async fn pipe(
    mut from: impl AsyncReadExt + Unpin,
    mut to: impl AsyncWriteExt + Unpin,
    counted: &AtomicU64,
) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 || to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        counted.fetch_add(n as u64, Ordering::SeqCst);
    }
    let _ = to.shutdown().await;
}

fn percentile<T: Copy + PartialOrd>(values: &mut [T], p: f64) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    values[((values.len() - 1) as f64 * p).round() as usize]
}

fn records(journal: &Mutex<Journal>) -> Result<usize> {
    let listed = journal.lock().unwrap().timeline(&Filter {
        limit: 1_000_000,
        ..Filter::default()
    })?;
    Ok(listed.len())
}

/// A new device bootstrapping a journal.
pub struct Bootstrap {
    pub records: usize,
    pub ms: f64,
    /// On the wire.
    pub bytes: u64,
    pub snapshot_bytes: u64,
}

/// Only the bootstrap of `built`, through a loopback relay in this process.
pub fn bootstrap_only(dir: &Path, built: &Path) -> Result<Bootstrap> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let relay = start_relay(dir).await?;
        let wire = WireCounter::start(relay.addr()).await?;
        let boot = bootstrap(dir, built, &HttpRelays::default(), &wire).await;
        relay.shutdown().await;
        boot
    })
}

/// A relay on loopback with its request rates off: the benchmark sends hundreds of
/// requests a second from one address to one journal, which would be answered 429.
async fn start_relay(dir: &Path) -> Result<onward_relay::Running> {
    let mut config = Config::sqlite(dir.join("relay.db"), "127.0.0.1:0".parse()?);
    config.limits = onward_relay::guard::Limits {
        ip_per_second: 0,
        journal_per_second: 0,
        ..Default::default()
    };
    onward_relay::serve(config)
        .await
        .context("starting the relay")
}

/// Turns sync on for `built`, uploads its snapshot and times a new device joining it.
async fn bootstrap(
    dir: &Path,
    built: &Path,
    relays: &HttpRelays,
    wire: &WireCounter,
) -> Result<Bootstrap> {
    eprintln!("measuring a new device bootstrapping the journal ...");
    let ignore: progress::OnProgress<'_> = &progress::ignore;
    let big = Mutex::new(Journal::open(built)?);
    let bootstrap_records = records(&big)?;
    sync::enable(&big, relays, &wire.url(), false, "big").await?;
    sync::sync_now(&big, relays, ignore).await?;
    // A first sync of a big journal may upload its snapshot itself (then there is
    // nothing after it to cover); the join below checks that it starts from one.
    sync::upload_snapshot(&big, relays, ignore).await?;
    let snapshot_bytes = big.lock().unwrap().document_bytes()?.len() as u64;
    // The invitation is made on the device that syncs, before the new device starts.
    let invite = sync::invite(&big, relays, INVITATION_LIFETIME).await?;
    let fresh = Mutex::new(Journal::open(dir.join("new-device.onward"))?);
    let before = wire.total();
    let started = Instant::now();
    let joined = sync::join(&fresh, &HttpRelays::default(), &invite.code, "new", ignore).await?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let bytes = wire.total() - before;
    ensure!(
        joined.pulled.from_snapshot,
        "the new device started from the snapshot"
    );
    ensure!(
        records(&fresh)? == bootstrap_records,
        "the new device holds every record"
    );
    Ok(Bootstrap {
        records: bootstrap_records,
        ms,
        bytes,
        snapshot_bytes,
    })
}

/// Runs the three sync measurements; `built` is a journal of `records` records.
pub fn measure(dir: &Path, built: &Path, repeats: usize) -> Result<SyncFigures> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(measure_async(dir, built, repeats))
}

async fn measure_async(dir: &Path, built: &Path, repeats: usize) -> Result<SyncFigures> {
    let relay = start_relay(dir).await?;
    let wire = WireCounter::start(relay.addr()).await?;
    let ignore: progress::OnProgress<'_> = &progress::ignore;

    // One new entry from device A to device B: one push, one pull; first with new
    // connections for every step, then over one kept-alive connection per device.
    eprintln!("measuring one entry from a device to another ...");
    let relays = HttpRelays::default();
    let a = Mutex::new(Journal::open(dir.join("a.onward"))?);
    let b = Mutex::new(Journal::open(dir.join("b.onward"))?);
    sync::enable(&a, &relays, &wire.url(), false, "a").await?;
    sync::sync_now(&a, &relays, ignore).await?;
    let invite = sync::invite(&a, &relays, INVITATION_LIFETIME).await?;
    sync::join(&b, &relays, &invite.code, "b", ignore).await?;
    let fresh = one_entry(&a, &b, &wire, repeats, None).await?;
    let (a_relays, b_relays) = (HttpRelays::default(), HttpRelays::default());
    let kept = one_entry(&a, &b, &wire, repeats, Some((&a_relays, &b_relays))).await?;
    let (mut bytes, mut times) = fresh;
    let (mut kept_bytes, mut kept_times) = kept;

    // A new device bootstrapping the built journal from its snapshot.
    let boot = bootstrap(dir, built, &relays, &wire).await?;

    // Relay throughput: many journals pushing at once, then every batch pulled back.
    eprintln!("measuring relay throughput ...");
    let (journals, per_journal) = (50, 20);
    let concurrent = push_many(&wire.url(), journals, per_journal).await?;
    let sequential = push_many(&wire.url(), 1, journals * per_journal).await?;

    relay.shutdown().await;
    Ok(SyncFigures {
        one_entry_repeats: bytes.len(),
        one_entry_bytes_p50: percentile(&mut bytes, 0.5),
        one_entry_bytes_p99: percentile(&mut bytes, 0.99),
        one_entry_ms_p50: percentile(&mut times, 0.5),
        one_entry_ms_p99: percentile(&mut times, 0.99),
        kept_alive_bytes_p50: percentile(&mut kept_bytes, 0.5),
        kept_alive_bytes_p99: percentile(&mut kept_bytes, 0.99),
        kept_alive_ms_p50: percentile(&mut kept_times, 0.5),
        kept_alive_ms_p99: percentile(&mut kept_times, 0.99),
        bootstrap_records: boot.records,
        bootstrap_ms: boot.ms,
        bootstrap_bytes: boot.bytes,
        snapshot_bytes: boot.snapshot_bytes,
        journals,
        batches_per_journal: per_journal,
        concurrent_batches_per_s: concurrent,
        sequential_batches_per_s: sequential,
    })
}

/// One new entry on `a`, pushed, then pulled by `b`, `repeats` times: the bytes on the
/// wire and the time of each. With `kept`, each device keeps its relay client (and so
/// its connection) across the steps; without, every step makes a new one.
async fn one_entry(
    a: &Mutex<Journal>,
    b: &Mutex<Journal>,
    wire: &WireCounter,
    repeats: usize,
    kept: Option<(&HttpRelays, &HttpRelays)>,
) -> Result<(Vec<u64>, Vec<f64>)> {
    let ignore: progress::OnProgress<'_> = &progress::ignore;
    let (mut bytes, mut times) = (Vec::new(), Vec::new());
    for i in 0..repeats.max(1) {
        let entry = a.lock().unwrap().create(Entry::new(
            EntryKind::Free,
            format!("Sent the thank-you note to the panel, number {i}"),
            chrono::Utc::now(),
        ))?;
        let (fresh_a, fresh_b) = (HttpRelays::default(), HttpRelays::default());
        let (ra, rb) = kept.unwrap_or((&fresh_a, &fresh_b));
        let before = wire.total();
        let started = Instant::now();
        let pushed = sync::push(a, ra, ignore).await?;
        let pulled = sync::pull(b, rb, ignore).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        bytes.push(wire.total() - before);
        ensure!(
            pushed.batches == 1,
            "one batch pushed, not {}",
            pushed.batches
        );
        ensure!(pulled.changes >= 1, "device B got the change");
        b.lock().unwrap().record(&entry.meta.id)?;
    }
    Ok((bytes, times))
}

/// `journals` journals each push `batches` 1 KiB envelopes (signed and sealed by the
/// journal's device, so the relay checks each as it does a device's), all journals at
/// once; returns batches per second, after checking every batch comes back as it was sent.
async fn push_many(url: &str, journals: usize, batches: usize) -> Result<f64> {
    let relay = HttpRelays::default().relay(url)?;
    let mut clients = Vec::new();
    let mut sealed = Vec::new();
    let now_ms = chrono::Utc::now().timestamp_millis() as u64;
    for j in 0..journals {
        let (keys, genesis) =
            device_list::genesis(&MemberSecrets::generate(), random32(), "bench", now_ms)?;
        let body = CreateJournal {
            ops: vec![genesis],
            wraps: Vec::new(),
        };
        relay.create_journal(&keys, &body, None).await?;
        // Sealed before the clock starts: the figure is the relay's, not the sealing's.
        let mut envelopes = Vec::new();
        for i in 0..batches {
            let id = format!("{j:016x}{i:016x}");
            let mut plaintext = vec![1u8; BENCH_ENVELOPE_BYTES - MIN_ENVELOPE_BYTES];
            plaintext[..8].copy_from_slice(&((j * 1_000_000 + i) as u64).to_be_bytes());
            envelopes.push((
                id.clone(),
                envelope::seal(&keys, Sealed::Batch, &id, &plaintext)?,
            ));
        }
        sealed.push(envelopes);
        clients.push(Arc::new(keys));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (keys, envelopes) in clients.iter().zip(&sealed) {
        let (keys, relay, envelopes) = (keys.clone(), relay.clone(), envelopes.clone());
        tasks.push(tokio::spawn(async move {
            for (id, envelope) in envelopes {
                relay.put_batch(&keys, &id, envelope).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let rate = (journals * batches) as f64 / started.elapsed().as_secs_f64();
    for (j, keys) in clients.iter().enumerate() {
        let mut after = 0;
        let mut got = Vec::new();
        loop {
            match relay.batches(keys, after, 1000, Duration::ZERO).await? {
                Batches::Frames(answer) => {
                    after = answer.frames.last().map_or(after, |f| f.seq);
                    got.extend(answer.frames.into_iter().map(|f| f.envelope));
                    if after >= answer.latest_seq {
                        break;
                    }
                }
                Batches::SnapshotRequired => anyhow::bail!("no snapshot was uploaded"),
            }
        }
        let sent: Vec<Vec<u8>> = sealed[j].iter().map(|(_, e)| e.clone()).collect();
        ensure!(got == sent, "journal {j}: every batch came back, in order");
    }
    Ok(rate)
}

/// The figures as a table, each beside its goal.
pub fn table(f: &SyncFigures) -> String {
    let kb = |b: u64| b as f64 / 1024.0;
    let met = |ok: bool| if ok { "met" } else { "NOT met" };
    let ratio = f.bootstrap_bytes as f64 / f.snapshot_bytes as f64;
    format!(
        "Sync (loopback relay in this process, bytes counted on the wire)\n\
         one entry A -> B, one push + one pull ({n} times):\n\
         \x20 bytes p50 {b50} ({kb50:.2} KiB), p99 {b99}   goal < 2 KB: {g1}\n\
         \x20 time  p50 {t50:.1} ms, p99 {t99:.1} ms\n\
         the same over one kept-alive connection per device:\n\
         \x20 bytes p50 {k50} ({kkb50:.2} KiB), p99 {k99}   goal < 2 KB: {g4}\n\
         \x20 time  p50 {kt50:.1} ms, p99 {kt99:.1} ms\n\
         new device bootstrapping {records} records:\n\
         \x20 time {bt:.0} ms   goal < 1 s: {g2}\n\
         \x20 bytes {bb} ({bkb:.0} KiB) vs compressed snapshot {sb} ({skb:.0} KiB): {ratio:.2}x   goal <= 1.2x: {g3}\n\
         relay throughput ({j} journals x {per} batches of 1 KiB, all pulled back):\n\
         \x20 concurrent {c:.0} batches/s; one journal pushing the same number in sequence {s:.0} batches/s\n",
        n = f.one_entry_repeats,
        b50 = f.one_entry_bytes_p50,
        kb50 = kb(f.one_entry_bytes_p50),
        b99 = f.one_entry_bytes_p99,
        g1 = met(f.one_entry_bytes_p99 < 2000),
        t50 = f.one_entry_ms_p50,
        t99 = f.one_entry_ms_p99,
        k50 = f.kept_alive_bytes_p50,
        kkb50 = kb(f.kept_alive_bytes_p50),
        k99 = f.kept_alive_bytes_p99,
        g4 = met(f.kept_alive_bytes_p99 < 2000),
        kt50 = f.kept_alive_ms_p50,
        kt99 = f.kept_alive_ms_p99,
        records = f.bootstrap_records,
        bt = f.bootstrap_ms,
        g2 = met(f.bootstrap_ms < 1000.0),
        bb = f.bootstrap_bytes,
        bkb = kb(f.bootstrap_bytes),
        sb = f.snapshot_bytes,
        skb = kb(f.snapshot_bytes),
        g3 = met(ratio <= 1.2),
        j = f.journals,
        per = f.batches_per_journal,
        c = f.concurrent_batches_per_s,
        s = f.sequential_batches_per_s,
    )
}
