//! onward-bench: builds a realistic journal through the core's public API, one user
//! action per write, and measures it side by side with a plain-rusqlite baseline built
//! in the same run: write latency, cold open to the first page, search, memory and
//! bytes on disk, each against the budgets in docs/ARCHITECTURE.md.
//!
//! ```text
//! cargo run --release -p onward-bench -- --entries 10000
//! cargo run --release -p onward-bench -- --entries 10000 --json > bench.json
//! cargo run --release -p onward-bench -- --entries 10000 --sync
//! cargo run --release -p onward-bench -- --limits     # sizes beyond the usual, peak memory
//! cargo run --release -p onward-bench -- --relay-load --load-devices 5000   # long-polls
//! ```

mod baseline;
mod import;
mod limits;
mod measure;
mod probe;
mod relay_load;
mod report;
mod scale;
mod sync;
mod workload;

use anyhow::{bail, Context, Result};
use baseline::{Baseline, Row};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use measure::{file_len, ms, timed, wal_path, Machine, Memory, Summary};
use onward_core::{Filter, Journal};
use probe::Probe;
use report::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use workload::Workload;

#[derive(Parser, Debug)]
#[command(
    name = "onward-bench",
    version,
    about = "Measures an Onward journal against a plain-rusqlite baseline",
    long_about = "Builds a realistic journal of --entries records in a temporary directory \
                  (one user action per write, from a fixed seed) and a plain SQLite table \
                  with the same rows, then prints write latency, cold open to the first \
                  page, search, memory and bytes on disk, each beside its goal."
)]
struct Args {
    /// How many records the journal holds when it is built.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    entries: usize,

    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    json: bool,

    /// Keep the built journal at PATH (it must not exist yet).
    #[arg(long, value_name = "PATH")]
    keep: Option<PathBuf>,

    /// Seed of the workload: the same seed builds the same journal.
    #[arg(long, default_value_t = 7)]
    seed: u64,

    /// Child processes per cold-open figure.
    #[arg(long, default_value_t = 9, value_name = "N")]
    runs: usize,

    /// Rows of the generated CSV for the import figures (0 leaves them out).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    import_rows: usize,

    /// Times each search query is run.
    #[arg(long, default_value_t = 20, value_name = "N")]
    search_repeats: usize,

    /// Instead of one size: the headline figures (first write, entry write, compactions,
    /// memory, bootstrap, a CSV import of as many rows, insights) at each of these
    /// sizes, one column each: `--scale 1000,10000,100000`.
    #[arg(long, value_delimiter = ',', value_name = "N,N,...")]
    scale: Vec<usize>,

    /// Measure sync instead (bytes and time for one entry between devices, a new
    /// device bootstrapping the built journal, relay throughput), through a loopback
    /// relay in this process.
    #[arg(long)]
    sync: bool,

    /// Times one entry is sent from one device to another (--sync).
    #[arg(long, default_value_t = 100, value_name = "N")]
    sync_repeats: usize,

    /// Instead of the comparison: the limits (a 200,000-row CSV, a 50 MB file, a 5 MB
    /// entry, 100,000 records), each with its outcome and peak memory.
    #[arg(long)]
    limits: bool,

    /// Rows of the limits' CSV.
    #[arg(long, default_value_t = 200_000, value_name = "N")]
    limit_rows: usize,

    /// Megabytes of the limits' big file.
    #[arg(long, default_value_t = 50, value_name = "MB")]
    limit_file_mb: usize,

    /// Megabytes of the limits' big entry.
    #[arg(long, default_value_t = 5, value_name = "MB")]
    limit_entry_mb: usize,

    /// Records of the limits' big journal.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    limit_records: usize,

    /// Instead of the comparison: many long-polling devices on one relay process on
    /// loopback, push→wake latency and storage queries per second, for the LISTEN/NOTIFY
    /// design and the polling one before it, in the same run.
    #[arg(long)]
    relay_load: bool,

    /// Long-polling devices (--relay-load).
    #[arg(long, default_value_t = 200, value_name = "N")]
    load_devices: usize,

    /// Journals the devices are spread over (--relay-load; 0: one per 10 devices).
    #[arg(long, default_value_t = 0, value_name = "N")]
    load_journals: usize,

    /// Pushes in the measured window (--relay-load).
    #[arg(long, default_value_t = 200, value_name = "N")]
    load_pushes: usize,

    /// Seconds of the measured window (--relay-load).
    #[arg(long, default_value_t = 10.0, value_name = "S")]
    load_seconds: f64,

    /// A PostgreSQL URL for --relay-load (a fresh SQLite file when not given).
    #[arg(long, value_name = "URL")]
    load_postgres: Option<String>,

    #[arg(long, hide = true, value_name = "NAME")]
    limit_child: Option<String>,

    #[arg(long, hide = true, value_name = "PATH")]
    limit_dir: Option<PathBuf>,

    #[arg(long, hide = true, value_name = "JSON")]
    limit_sizes: Option<String>,

    #[arg(long, hide = true, value_name = "PATH")]
    probe_open: Option<PathBuf>,

    #[arg(long, hide = true, value_name = "PATH")]
    probe_baseline: Option<PathBuf>,

    #[arg(long, hide = true, value_name = "PATH")]
    probe_write: Option<PathBuf>,

    /// Only a new device bootstrapping a copy of the journal at PATH (to profile it).
    #[arg(long, value_name = "PATH")]
    bootstrap_of: Option<PathBuf>,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(args) {
        eprintln!("onward-bench: {e:#}");
        std::process::exit(1);
    }
}

/// `--limits`: each scenario in a child process, then one line (or JSON) per outcome.
fn run_limits(args: &Args) -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("onward-limits-")
        .tempdir()
        .context("creating a temporary directory")?;
    let sizes = limits::Sizes {
        csv_rows: args.limit_rows,
        file_mb: args.limit_file_mb,
        entry_mb: args.limit_entry_mb,
        records: args.limit_records,
    };
    let outcomes = limits::run_all(dir.path(), sizes)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&outcomes)?);
        return Ok(());
    }
    for o in outcomes {
        println!(
            "{:<13} {:>8.1} s  peak {:>7.1} MB  journal {:>7.1} MB  {}",
            o.scenario,
            o.seconds,
            o.peak_rss_mb,
            o.journal_bytes as f64 / (1 << 20) as f64,
            o.result
        );
    }
    Ok(())
}

/// `--bootstrap-of`: a new device bootstrapping a copy of a kept journal. Sync is turned
/// on in the copy; the kept file is only opened and closed, so runs can be repeated.
fn run_bootstrap_of(path: &Path) -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("onward-bootstrap-")
        .tempdir()
        .context("creating a temporary directory")?;
    let copy = dir.path().join("journal.onward");
    // Opened and closed first, so that what its WAL held is in the file copied.
    drop(Journal::open(path).with_context(|| format!("opening {}", path.display()))?);
    std::fs::copy(path, &copy).with_context(|| format!("copying {}", path.display()))?;
    let boot = sync::bootstrap_only(dir.path(), &copy)?;
    println!(
        "a new device bootstrapping {} records: {:.0} ms, {} bytes on the wire (snapshot {} bytes)",
        boot.records, boot.ms, boot.bytes, boot.snapshot_bytes
    );
    Ok(())
}

/// `--relay-load`: both designs, then a table (or JSON).
fn run_relay_load(args: &Args) -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("onward-relay-load-")
        .tempdir()
        .context("creating a temporary directory")?;
    let plan = relay_load::LoadPlan {
        devices: args.load_devices,
        journals: if args.load_journals == 0 {
            args.load_devices.div_ceil(10)
        } else {
            args.load_journals
        },
        pushes: args.load_pushes,
        seconds: args.load_seconds,
        wait: Duration::from_secs(30),
        postgres: args.load_postgres.clone(),
    };
    let figures = relay_load::measure(dir.path(), &plan)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        print!("{}", relay_load::table(&figures));
    }
    Ok(())
}

fn run(args: Args) -> Result<()> {
    for (path, probe) in [
        (&args.probe_open, Probe::Open),
        (&args.probe_baseline, Probe::Baseline),
        (&args.probe_write, Probe::Write),
    ] {
        if let Some(path) = path {
            return probe::child(probe, path);
        }
    }
    if let Some(path) = &args.bootstrap_of {
        return run_bootstrap_of(path);
    }
    if let (Some(name), Some(dir), Some(sizes)) =
        (&args.limit_child, &args.limit_dir, &args.limit_sizes)
    {
        return limits::child(name, dir, sizes);
    }
    if args.limits {
        return run_limits(&args);
    }
    if args.relay_load {
        return run_relay_load(&args);
    }
    if !args.scale.is_empty() {
        return run_scale(&args);
    }
    if args.entries == 0 {
        bail!("--entries must be at least 1");
    }
    let runs = args.runs.max(1);
    let dir = tempfile::Builder::new()
        .prefix("onward-bench-")
        .tempdir()
        .context("creating a temporary directory")?;
    let journal_path = match &args.keep {
        Some(path) if path.exists() => bail!(
            "{} already exists; give --keep a new path so nothing is overwritten",
            path.display()
        ),
        Some(path) => path.clone(),
        None => dir.path().join("journal.onward"),
    };
    let baseline_path = dir.path().join("baseline.sqlite");

    let built = build(&journal_path, &baseline_path, args.entries, args.seed)?;
    if args.sync {
        let figures = sync::measure(dir.path(), &journal_path, args.sync_repeats)?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&figures)?);
        } else {
            print!("{}", sync::table(&figures));
        }
        return Ok(());
    }
    eprintln!("measuring search ...");
    let search = search(&journal_path, &baseline_path, args.search_repeats.max(1))?;
    eprintln!("measuring insights ...");
    let insights = insights(&journal_path, args.search_repeats.max(20))?;
    eprintln!("measuring cold opens ({runs} child processes each) ...");
    let (cold_open, memory) = cold_open(&journal_path, &baseline_path, dir.path(), runs)?;
    eprintln!("measuring a CSV import of {} rows ...", args.import_rows);
    let import = import::measure(dir.path(), args.import_rows, args.seed)?;

    let mut report = Report {
        setup: Setup {
            records: built.records,
            actions: built.samples.len(),
            seed: args.seed,
            probe_runs: runs,
            search_repeats: args.search_repeats.max(1),
            build_seconds: built.seconds,
            machine: Machine::this(),
        },
        writes: writes(&built.samples, args.entries),
        cold_open,
        search,
        insights,
        memory: MemoryFigures {
            builder_hwm_mb: mib(built.builder_memory.hwm_kb),
            ..memory
        },
        disk: built.disk,
        import,
        goals: Vec::new(),
    };
    report.judge();
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
    }
    if let Some(path) = &args.keep {
        eprintln!("the journal is kept at {}", path.display());
    }
    Ok(())
}

/// `--scale`: each size built and measured in a directory of its own, then one table.
fn run_scale(args: &Args) -> Result<()> {
    let mut rows = Vec::new();
    for &n in &args.scale {
        if n == 0 {
            bail!("--scale sizes must be at least 1");
        }
        eprintln!("--- {n} records ---");
        let dir = tempfile::Builder::new()
            .prefix("onward-scale-")
            .tempdir()
            .context("creating a temporary directory")?;
        let (journal_path, baseline_path) = (
            dir.path().join("journal.onward"),
            dir.path().join("baseline.sqlite"),
        );
        let built = build(&journal_path, &baseline_path, n, args.seed)?;
        let writes = writes(&built.samples, n);
        eprintln!("measuring insights ...");
        let insights = insights(&journal_path, args.search_repeats.max(20))?;
        eprintln!("measuring cold opens ...");
        let (cold, memory) =
            cold_open(&journal_path, &baseline_path, dir.path(), args.runs.max(1))?;
        let memory = MemoryFigures {
            builder_hwm_mb: mib(built.builder_memory.hwm_kb),
            ..memory
        };
        eprintln!("measuring a CSV import of {n} rows ...");
        let import = import::measure(dir.path(), n, args.seed)?;
        let boot = sync::bootstrap_only(dir.path(), &journal_path)?;
        rows.push(scale::ScaleRow::new(
            (n, built.seconds),
            cold.first_write.first_write.p50_ms,
            &writes,
            &memory,
            &boot,
            (n, import.total_ms, import.applied_ms),
            &insights,
        ));
        // Each size as it is done: a long run interrupted still leaves its figures.
        eprintln!(
            "{}",
            serde_json::to_string(rows.last().expect("just pushed"))?
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", scale::table(&rows));
    }
    Ok(())
}

/// One user action as measured.
struct Sample {
    action: &'static str,
    onward: Duration,
    baseline: Duration,
    /// Records in the journal after it.
    records: usize,
    /// A compaction happened inside the write (the core did so before issue 16).
    compacted: bool,
    /// `compact_if_due` after the write, as the apps call it at idle: how long it took
    /// when it compacted. Not part of the write's time.
    idle_compaction: Option<Duration>,
}

struct Built {
    samples: Vec<Sample>,
    records: usize,
    seconds: f64,
    disk: Disk,
    builder_memory: Memory,
}

/// The records an action wrote, read back as the baseline's rows.
fn rows_written(journal: &Journal, touched: &[String]) -> Result<Vec<Row>> {
    touched
        .iter()
        .map(|id| journal.record(id).map(|r| Row::from_record(&r)))
        .collect::<onward_core::Result<Vec<_>>>()
        .context("reading back the records an action wrote")
}

/// Journals of more records than this are built in bulk first (see [`build`]).
const BULK_ABOVE: usize = 20_000;
/// How many records' worth of actions are measured at the end of a bulk build.
const MEASURED_AT_SCALE: usize = 5_000;

/// Builds the journal and the baseline side by side: each action is timed on the
/// journal, then the same rows are written to the baseline in one transaction, timed.
fn build(journal_path: &Path, baseline_path: &Path, entries: usize, seed: u64) -> Result<Built> {
    let started = Instant::now();
    let mut journal = Journal::open(journal_path)
        .with_context(|| format!("opening {}", journal_path.display()))?;
    let mut baseline = Baseline::open(baseline_path)?;
    let mut work = Workload::new(seed);
    journal.set_clock(work.clock());

    let bar = ProgressBar::new(entries as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "building {bar:40} {pos}/{len} records, {elapsed} (eta {eta})",
        )
        .expect("the progress template is valid"),
    );
    let mut samples = Vec::with_capacity(entries.min(MEASURED_AT_SCALE) * 3 / 2);
    let mut chunks = 0;
    // Past BULK_ABOVE records, the journal is first written in bulk, as fast as the core
    // takes it: the same workload, but untimed, the outbox applied every 500 actions
    // rather than after each, no sizes read back. Only the actions of the last
    // MEASURED_AT_SCALE records are measured: the costs at that size, within the
    // machine's means (measuring every action of 100,000 records had not finished
    // after 15 minutes).
    let bulk_until = if entries > BULK_ABOVE {
        entries - MEASURED_AT_SCALE
    } else {
        0
    };
    let mut bulk_actions = 0usize;
    while work.records() < entries {
        let action = work.next();
        if work.records() < bulk_until {
            let done = workload::run(action.clone(), &mut journal)?;
            work.observe(&action, &done);
            let rows = rows_written(&journal, &done.touched)?;
            baseline.upsert(&rows).context("writing the baseline")?;
            bulk_actions += 1;
            if bulk_actions.is_multiple_of(500) {
                journal.tidy()?;
                bar.set_position(work.records() as u64);
            }
            continue;
        }
        if bulk_actions > 0 && samples.is_empty() {
            journal.tidy()?;
            chunks = journal.storage_sizes()?.chunks;
        }
        let (done, onward) = timed(|| workload::run(action.clone(), &mut journal));
        let done = done?;
        work.observe(&action, &done);

        let rows = rows_written(&journal, &done.touched)?;
        let (written, base) = timed(|| baseline.upsert(&rows));
        written.context("writing the baseline")?;

        let sizes = journal.storage_sizes()?;
        // A compaction folds every chunk into the snapshot, so the count drops.
        let compacted = sizes.chunks < chunks;
        // As the apps' tidy does in the background after a write returns: the outbox
        // applied (not timed here: the write was acknowledged without it), then a
        // compaction when due, timed apart from the write, then a WAL checkpoint.
        journal.apply_pending()?;
        let (due, idle) = timed(|| journal.compact_if_due());
        journal.checkpoint()?;
        samples.push(Sample {
            action: action.name(),
            onward,
            baseline: base,
            records: work.records(),
            compacted,
            idle_compaction: due?.then_some(idle),
        });
        chunks = journal.storage_sizes()?.chunks;
        bar.set_position(work.records() as u64);
    }
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "built {} records from {} actions ({bulk_actions} of them in bulk, untimed) in \
         {seconds:.1} s",
        work.records(),
        samples.len() + bulk_actions
    );

    let sizes = journal.storage_sizes()?;
    let counts = journal.counts()?;
    let journal_wal = wal_path(journal_path);
    let baseline_wal = wal_path(baseline_path);
    let (journal_db_bytes, journal_wal_bytes) = (file_len(journal_path), file_len(&journal_wal));
    let (baseline_db_bytes, baseline_wal_bytes) =
        (file_len(baseline_path), file_len(&baseline_wal));
    let (document, save_time) = timed(|| journal.document_bytes());
    let document_bytes = document?.len();
    let builder_memory = Memory::now();
    drop(journal);
    drop(baseline);

    Ok(Built {
        samples,
        records: work.records(),
        seconds,
        builder_memory,
        disk: Disk {
            journal_db_bytes,
            journal_wal_bytes,
            journal_db_bytes_closed: file_len(journal_path) + file_len(&journal_wal),
            baseline_db_bytes,
            baseline_wal_bytes,
            baseline_db_bytes_closed: file_len(baseline_path) + file_len(&baseline_wal),
            snapshot_bytes: sizes.snapshot_bytes,
            chunk_bytes: sizes.chunk_bytes,
            chunks: sizes.chunks,
            document_bytes,
            document_save_ms: ms(save_time),
            records_by_kind: counts
                .into_iter()
                .map(|(k, n)| (k.to_string(), n))
                .collect(),
        },
    })
}

fn writes(samples: &[Sample], entries: usize) -> Writes {
    let compare = |pick: &dyn Fn(&Sample) -> bool| {
        let part: Vec<&Sample> = samples.iter().filter(|s| pick(s)).collect();
        Compared::new(
            Summary::of(&part.iter().map(|s| s.onward).collect::<Vec<_>>()),
            Summary::of(&part.iter().map(|s| s.baseline).collect::<Vec<_>>()),
        )
    };

    let mut by_action: BTreeMap<&str, (Vec<Duration>, Vec<Duration>)> = BTreeMap::new();
    for s in samples {
        let e = by_action.entry(s.action).or_default();
        e.0.push(s.onward);
        e.1.push(s.baseline);
    }
    let mut by_action: Vec<ActionFigures> = by_action
        .into_iter()
        .map(|(action, (o, b))| ActionFigures {
            action: action.to_string(),
            onward: Summary::of(&o),
            baseline: Summary::of(&b),
        })
        .collect();
    by_action.sort_by_key(|a| std::cmp::Reverse(a.onward.count));

    let fifth = entries.div_ceil(5).max(1);
    let mut by_progress = Vec::new();
    for i in 0..5 {
        let (from, upto) = (i * fifth, ((i + 1) * fifth).min(entries));
        if from >= entries {
            break;
        }
        // The last part also takes the few records past `entries` (an action can make
        // more than one).
        let last = upto == entries;
        let part: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.records > from && (last || s.records <= upto))
            .collect();
        if part.is_empty() {
            continue;
        }
        by_progress.push(ProgressFigures {
            records_up_to: upto,
            onward: Summary::of(&part.iter().map(|s| s.onward).collect::<Vec<_>>()),
            baseline: Summary::of(&part.iter().map(|s| s.baseline).collect::<Vec<_>>()),
        });
    }

    let compacted: Vec<&Sample> = samples.iter().filter(|s| s.compacted).collect();
    let idle: Vec<(usize, Duration)> = samples
        .iter()
        .filter_map(|s| s.idle_compaction.map(|t| (s.records, t)))
        .collect();
    Writes {
        all_actions: compare(&|_| true),
        add_entry: compare(&|s| s.action == "add entry"),
        by_action,
        by_progress,
        compactions: Compactions {
            count: compacted.len(),
            latency: Summary::of(&compacted.iter().map(|s| s.onward).collect::<Vec<_>>()),
            each: compacted
                .iter()
                .map(|s| (s.records, ms(s.onward)))
                .collect(),
        },
        idle_compactions: Compactions {
            count: idle.len(),
            latency: Summary::of(&idle.iter().map(|(_, t)| *t).collect::<Vec<_>>()),
            each: idle.iter().map(|(n, t)| (*n, ms(*t))).collect(),
        },
    }
}

/// Search and the first page, warm, in this process (a fresh handle on each side).
fn search(journal_path: &Path, baseline_path: &Path, repeats: usize) -> Result<Search> {
    const LIMIT: usize = 20;
    let journal = Journal::open(journal_path)?;
    let baseline = Baseline::open(baseline_path)?;
    let mut all_onward = Vec::new();
    let mut all_baseline = Vec::new();
    let mut queries = Vec::new();
    for query in workload::QUERIES {
        let onward_hits = journal.search(query, LIMIT)?.len();
        let baseline_hits = baseline.search(query, LIMIT)?.len();
        let (mut o, mut b) = (Vec::new(), Vec::new());
        for _ in 0..repeats {
            let (hits, t) = timed(|| journal.search(query, LIMIT));
            hits?;
            o.push(t);
            let (hits, t) = timed(|| baseline.search(query, LIMIT));
            hits?;
            b.push(t);
        }
        queries.push(QueryFigures {
            query: query.to_string(),
            onward_hits,
            onward_p50_ms: Summary::of(&o).p50_ms,
            baseline_hits,
            baseline_p50_ms: Summary::of(&b).p50_ms,
        });
        all_onward.extend(o);
        all_baseline.extend(b);
    }

    let filter = Filter {
        limit: probe::PAGE,
        ..Default::default()
    };
    let (mut o, mut b) = (Vec::new(), Vec::new());
    for _ in 0..repeats.max(20) {
        let (page, t) = timed(|| journal.timeline(&filter));
        page?;
        o.push(t);
        let (page, t) = timed(|| baseline.first_page(probe::PAGE));
        page?;
        b.push(t);
    }
    Ok(Search {
        limit: LIMIT,
        onward: Summary::of(&all_onward),
        baseline: Summary::of(&all_baseline),
        queries,
        timeline_warm_onward: Summary::of(&o),
        timeline_warm_baseline: Summary::of(&b),
    })
}

/// The insights (`onward stats`) on the built journal, as of the end of its simulated
/// search so the recent weeks hold data: the first call on a fresh handle, then warm.
fn insights(journal_path: &Path, repeats: usize) -> Result<InsightsFigures> {
    use onward_core::insights::InsightsOptions;
    let mut journal = Journal::open(journal_path)?;
    let last: i64 = journal.connection().query_row(
        "SELECT max(occurred_at) FROM records WHERE deleted = 0 AND kind != 'activity'",
        [],
        |r| r.get(0),
    )?;
    let as_of = chrono::DateTime::from_timestamp_millis(last).context("a record time")?;
    journal.set_clock(move || as_of);
    let eight = InsightsOptions::default();
    let year = InsightsOptions {
        weeks: 52,
        ..Default::default()
    };
    let (first, first_t) = timed(|| journal.insights(&eight));
    let first = first?;
    let (mut o, mut y) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        let (i, t) = timed(|| journal.insights(&eight));
        i?;
        o.push(t);
        let (i, t) = timed(|| journal.insights(&year));
        i?;
        y.push(t);
    }
    Ok(InsightsFigures {
        repeats,
        first_call_ms: ms(first_t),
        weeks_8: Summary::of(&o),
        weeks_52: Summary::of(&y),
        applications: first.responses.applied,
        steps_in_8_weeks: first.effort.weeks.iter().map(|w| w.total).sum(),
        on_this_day: first.on_this_day.len(),
    })
}

/// Cold opens in child processes, alternating journal and baseline; then first writes,
/// each on a fresh copy of the journal so the kept file stays as built.
fn cold_open(
    journal_path: &Path,
    baseline_path: &Path,
    scratch: &Path,
    runs: usize,
) -> Result<(ColdOpen, MemoryFigures)> {
    let mut onward = Vec::new();
    let mut base = Vec::new();
    for _ in 0..runs {
        onward.push(probe::spawn(Probe::Open, journal_path)?);
        base.push(probe::spawn(Probe::Baseline, baseline_path)?);
    }
    let write_runs = runs.min(5);
    let mut writes = Vec::new();
    let copy = scratch.join("first-write.onward");
    for _ in 0..write_runs {
        for stale in [copy.clone(), wal_path(&copy)] {
            if stale.exists() {
                std::fs::remove_file(&stale)?;
            }
        }
        std::fs::copy(journal_path, &copy)
            .with_context(|| format!("copying {} for the write probe", journal_path.display()))?;
        writes.push(probe::spawn(Probe::Write, &copy)?.0);
    }

    let figures = |probes: &[(probe::Measured, Duration)]| OpenFigures {
        open_and_page: Summary::of_ms(
            &probes
                .iter()
                .map(|(m, _)| m.open_and_page_ms())
                .collect::<Vec<_>>(),
        ),
        open: Summary::of_ms(&probes.iter().map(|(m, _)| m.open_ms).collect::<Vec<_>>()),
        page: Summary::of_ms(&probes.iter().map(|(m, _)| m.page_ms).collect::<Vec<_>>()),
        process: Summary::of(&probes.iter().map(|(_, wall)| *wall).collect::<Vec<_>>()),
        rows: probes.first().map_or(0, |(m, _)| m.rows),
    };
    let median_mb =
        |values: Vec<u64>| Summary::of_ms(&values.into_iter().map(mib).collect::<Vec<_>>()).p50_ms;
    let after_write: Vec<Memory> = writes.iter().filter_map(|m| m.memory_after_write).collect();
    let with_document: Vec<Memory> = writes
        .iter()
        .filter_map(|m| m.memory_with_document)
        .collect();
    let memory = MemoryFigures {
        after_open_rss_mb: median_mb(onward.iter().map(|(m, _)| m.memory.rss_kb).collect()),
        after_open_hwm_mb: median_mb(onward.iter().map(|(m, _)| m.memory.hwm_kb).collect()),
        after_first_write_rss_mb: median_mb(after_write.iter().map(|m| m.rss_kb).collect()),
        after_first_write_hwm_mb: median_mb(after_write.iter().map(|m| m.hwm_kb).collect()),
        document_loaded_rss_mb: median_mb(with_document.iter().map(|m| m.rss_kb).collect()),
        document_loaded_hwm_mb: median_mb(with_document.iter().map(|m| m.hwm_kb).collect()),
        document_load_hwm_mb: median_mb(
            writes
                .iter()
                .filter_map(|m| m.memory_after_load.map(|m| m.hwm_kb))
                .collect(),
        ),
        baseline_after_open_rss_mb: median_mb(base.iter().map(|(m, _)| m.memory.rss_kb).collect()),
        builder_hwm_mb: 0.0,
    };
    let cold = ColdOpen {
        runs,
        onward: figures(&onward),
        baseline: figures(&base),
        first_write: FirstWrite {
            runs: write_runs,
            first_write: Summary::of_ms(
                &writes
                    .iter()
                    .filter_map(|m| m.first_write_ms)
                    .collect::<Vec<_>>(),
            ),
            second_write: Summary::of_ms(
                &writes
                    .iter()
                    .filter_map(|m| m.second_write_ms)
                    .collect::<Vec<_>>(),
            ),
        },
    };
    Ok((cold, memory))
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}
