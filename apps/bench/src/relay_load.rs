//! `--relay-load`: many long-polling devices on one relay process (in this process, on
//! loopback), pushes landing at a steady rate, measured for both ways a waiting pull can
//! learn of a batch, in the same run: `notify` (woken by pushes; PostgreSQL LISTEN/NOTIFY
//! across processes) and `poll` (the design before it: every waiting pull re-checks
//! storage every 500 ms).
//!
//! Figures per design: push→wake latency (from sending the push to each waiting device of
//! that journal receiving the batch) and storage queries per second, counted by the relay:
//! each pull request authenticates (one query) and looks at storage once, then once per
//! wake-up and once per re-check.

use anyhow::{ensure, Context, Result};
use onward_core::sync::envelope::{self, Sealed};
use onward_core::sync::keys::{random32, MemberSecrets};
use onward_core::sync::relay::{Batches, Connect, CreateJournal, Relay};
use onward_core::sync::{device_list, HttpRelays};
use onward_relay::{Config, Store, WakeMode};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Long-polling devices.
    pub devices: usize,
    /// Journals they are spread over (device `d` polls journal `d % journals`).
    pub journals: usize,
    /// Pushes during the measured window, evenly spaced.
    pub pushes: usize,
    /// The measured window.
    pub seconds: f64,
    /// The pulls' `wait`.
    pub wait: Duration,
    /// A PostgreSQL URL; SQLite in the temporary directory when `None`.
    pub postgres: Option<String>,
}

/// The figures of one design.
#[derive(Debug, serde::Serialize)]
pub struct LoadFigures {
    pub design: &'static str,
    pub devices: usize,
    pub journals: usize,
    pub pushes: usize,
    pub seconds: f64,
    /// Deliveries measured (a push reaches every device of its journal).
    pub wakes: usize,
    pub wake_ms_p50: f64,
    pub wake_ms_p99: f64,
    pub wake_ms_max: f64,
    /// Storage queries per second made by pull requests during the window.
    pub storage_queries_per_s: f64,
    /// Of which re-checks on a timer.
    pub rechecks_per_s: f64,
    /// Time for every device to be waiting before the window.
    pub settle_s: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Storage queries of pull requests so far: one authentication and one first look per
/// request, plus each further look (woken, re-check, resync).
fn pull_queries(relay: &onward_relay::Running) -> (u64, u64) {
    let c = &relay.wakeups().counts;
    let first = c.first.load(Ordering::Relaxed);
    let recheck = c.recheck.load(Ordering::Relaxed);
    let total =
        2 * first + c.woken.load(Ordering::Relaxed) + recheck + c.resync.load(Ordering::Relaxed);
    (total, recheck)
}

/// Runs both designs, `notify` first, each on a fresh relay and fresh journals.
pub fn measure(dir: &Path, plan: &LoadPlan) -> Result<Vec<LoadFigures>> {
    ensure!(
        plan.devices >= 1 && plan.journals >= 1 && plan.journals <= plan.devices,
        "--load-devices must be at least 1 and at least --load-journals"
    );
    ensure!(
        plan.pushes >= 1 && plan.seconds > 0.0,
        "pushes and seconds must be positive"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("a tokio runtime")?;
    let mut out = Vec::new();
    for (i, mode) in [WakeMode::Notify, WakeMode::Poll].into_iter().enumerate() {
        let store = match &plan.postgres {
            Some(url) => Store::Postgres(url.clone()),
            None => Store::Sqlite(dir.join(format!("relay-load-{i}.db"))),
        };
        let figures = runtime.block_on(one_design(store, mode, plan))?;
        out.push(figures);
    }
    Ok(out)
}

async fn one_design(store: Store, mode: WakeMode, plan: &LoadPlan) -> Result<LoadFigures> {
    let design = match mode {
        WakeMode::Notify => "notify",
        WakeMode::Poll => "poll",
    };
    eprintln!(
        "relay load ({design}): {} devices over {} journals ...",
        plan.devices, plan.journals
    );
    let mut config = Config::sqlite("unused.db".into(), "127.0.0.1:0".parse()?);
    config.store = store;
    config.wake = mode;
    // Every simulated device shares 127.0.0.1, and thousands wait at once: the abuse
    // limits would measure themselves, not the wake-ups.
    config.limits = onward_relay::guard::Limits {
        ip_per_second: 0,
        journal_per_second: 0,
        max_connections: plan.devices * 2 + 256,
        max_long_polls: plan.devices * 2,
        max_long_polls_per_journal: plan.devices * 2,
        max_requests_per_journal: plan.devices * 2,
        ..Default::default()
    };
    let relay = onward_relay::serve(config).await?;
    let url = format!("http://{}", relay.addr());
    let http: Arc<dyn Relay> = HttpRelays::default().relay(&url)?;
    let now_ms = chrono::Utc::now().timestamp_millis() as u64;
    let mut journals = Vec::new();
    for _ in 0..plan.journals {
        let (keys, genesis) =
            device_list::genesis(&MemberSecrets::generate(), random32(), "bench", now_ms)?;
        let body = CreateJournal {
            ops: vec![genesis],
            wraps: Vec::new(),
        };
        http.create_journal(&keys, &body, None).await?;
        journals.push(Arc::new(keys));
    }
    // Sealed before the clock starts: push `p` goes to journal `p % journals`.
    let mut sealed = Vec::new();
    for p in 0..plan.pushes {
        let keys = &journals[p % plan.journals];
        let id = format!("{:032x}", p as u128 + 1);
        sealed.push((
            p % plan.journals,
            id.clone(),
            envelope::seal(keys, Sealed::Batch, &id, &[7u8; 64])?,
        ));
    }

    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let delays: Arc<Mutex<Vec<f64>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut pollers = Vec::new();
    for d in 0..plan.devices {
        let keys = journals[d % plan.journals].clone();
        let (http, sent, delays, stop) = (http.clone(), sent.clone(), delays.clone(), stop.clone());
        let wait = plan.wait;
        pollers.push(tokio::spawn(async move {
            let mut after = 0;
            while !stop.load(Ordering::Relaxed) {
                match http.batches(&keys, after, 100, wait).await? {
                    Batches::Frames(answer) => {
                        let at = Instant::now();
                        let sent = sent.lock().unwrap_or_else(|e| e.into_inner());
                        let mut delays = delays.lock().unwrap_or_else(|e| e.into_inner());
                        for frame in &answer.frames {
                            if let Some(t) = sent.get(&frame.batch_id) {
                                delays.push(at.saturating_duration_since(*t).as_secs_f64() * 1e3);
                            }
                            after = after.max(frame.seq);
                        }
                    }
                    Batches::SnapshotRequired => anyhow::bail!("no snapshot was uploaded"),
                }
            }
            anyhow::Ok(())
        }));
    }
    // Every device waiting before the window opens (bounded).
    let settle = Instant::now();
    while relay.wakeups().counts.waiting.load(Ordering::Relaxed) < plan.devices as u64 {
        ensure!(
            settle.elapsed() < Duration::from_secs(120),
            "only {} of {} devices were waiting after 120 s",
            relay.wakeups().counts.waiting.load(Ordering::Relaxed),
            plan.devices
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let settle_s = settle.elapsed().as_secs_f64();

    let (queries_before, rechecks_before) = pull_queries(&relay);
    let window = Instant::now();
    let every = Duration::from_secs_f64(plan.seconds / plan.pushes as f64);
    let mut pushes = Vec::new();
    for (p, (j, id, envelope)) in sealed.into_iter().enumerate() {
        tokio::time::sleep_until((window + every * p as u32).into()).await;
        let keys = journals[j].clone();
        let (http, sent) = (http.clone(), sent.clone());
        pushes.push(tokio::spawn(async move {
            sent.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id.clone(), Instant::now());
            http.put_batch(&keys, &id, envelope).await
        }));
    }
    for push in pushes {
        tokio::time::timeout(Duration::from_secs(60), push)
            .await
            .context("a push took over 60 s")???;
    }
    // The window runs its full length, then the last deliveries may take a moment.
    tokio::time::sleep_until((window + Duration::from_secs_f64(plan.seconds)).into()).await;
    let elapsed = window.elapsed().as_secs_f64();
    let (queries_after, rechecks_after) = pull_queries(&relay);
    let per_journal = plan.devices / plan.journals;
    let expected = (0..plan.pushes)
        .map(|p| per_journal + usize::from(p % plan.journals < plan.devices % plan.journals))
        .sum::<usize>();
    let deadline = Instant::now() + Duration::from_secs(30);
    while delays.lock().unwrap_or_else(|e| e.into_inner()).len() < expected
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    relay.shutdown().await;
    for poller in pollers {
        // The shutdown answers every waiting pull; a poller then sees `stop`.
        let _ = tokio::time::timeout(Duration::from_secs(60), poller).await;
    }
    let mut delays = std::mem::take(&mut *delays.lock().unwrap_or_else(|e| e.into_inner()));
    ensure!(
        delays.len() == expected,
        "{design}: {} of {expected} deliveries arrived",
        delays.len()
    );
    delays.sort_by(f64::total_cmp);
    Ok(LoadFigures {
        design,
        devices: plan.devices,
        journals: plan.journals,
        pushes: plan.pushes,
        seconds: elapsed,
        wakes: delays.len(),
        wake_ms_p50: percentile(&delays, 0.50),
        wake_ms_p99: percentile(&delays, 0.99),
        wake_ms_max: percentile(&delays, 1.0),
        storage_queries_per_s: (queries_after - queries_before) as f64 / elapsed,
        rechecks_per_s: (rechecks_after - rechecks_before) as f64 / elapsed,
        settle_s,
    })
}

/// The figures side by side.
pub fn table(figures: &[LoadFigures]) -> String {
    let mut out = String::new();
    if let Some(f) = figures.first() {
        out.push_str(&format!(
            "relay load: {} long-polling devices over {} journals, {} pushes in {:.0} s, one relay process\n",
            f.devices, f.journals, f.pushes, f.seconds
        ));
    }
    out.push_str(&format!(
        "{:<8} {:>8} {:>12} {:>12} {:>12} {:>16} {:>12}\n",
        "design", "wakes", "p50 ms", "p99 ms", "max ms", "storage q/s", "rechecks/s"
    ));
    for f in figures {
        out.push_str(&format!(
            "{:<8} {:>8} {:>12.1} {:>12.1} {:>12.1} {:>16.1} {:>12.1}\n",
            f.design,
            f.wakes,
            f.wake_ms_p50,
            f.wake_ms_p99,
            f.wake_ms_max,
            f.storage_queries_per_s,
            f.rechecks_per_s
        ));
    }
    out
}
