//! Cold-start probes. Each runs in a fresh child process of the bench binary (the
//! hidden `--probe-open`, `--probe-baseline` and `--probe-write` modes), so nothing the
//! parent loaded or cached in memory helps it: it opens the file, reads the first
//! timeline page, reads its own memory from `/proc/self/status`, and prints one JSON
//! line. The operating system's page cache stays warm; that is the usual cold start of
//! an app whose file was used recently.

use crate::baseline::Baseline;
use crate::measure::{ms, timed, Memory};
use anyhow::{bail, Context, Result};
use chrono::Utc;
use onward_core::model::Mood;
use onward_core::{Filter, Journal};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Rows on the first timeline page.
pub const PAGE: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// `Journal::open` then the first timeline page.
    Open,
    /// The baseline: open, pragmas, then `SELECT ... ORDER BY ... LIMIT 50`.
    Baseline,
    /// Like `Open`, then two writes (acknowledged through the outbox), then what the
    /// apps' background tidy does with the Automerge document: load it and apply the
    /// writes, then a compaction (saving the whole document), the costliest moment for
    /// memory.
    Write,
}

impl Probe {
    fn flag(self) -> &'static str {
        match self {
            Probe::Open => "--probe-open",
            Probe::Baseline => "--probe-baseline",
            Probe::Write => "--probe-write",
        }
    }
}

/// What one probe measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Measured {
    pub open_ms: f64,
    pub page_ms: f64,
    pub rows: usize,
    /// After open and the first page.
    pub memory: Memory,
    /// The first write, then a second one.
    pub first_write_ms: Option<f64>,
    pub second_write_ms: Option<f64>,
    pub memory_after_write: Option<Memory>,
    /// After the document was loaded and the writes applied.
    pub memory_after_load: Option<Memory>,
    /// Then after a compaction saved it.
    pub memory_with_document: Option<Memory>,
}

impl Measured {
    pub fn open_and_page_ms(&self) -> f64 {
        self.open_ms + self.page_ms
    }
}

/// The child's side: measures and prints one JSON line on stdout.
pub fn child(probe: Probe, path: &Path) -> Result<()> {
    let measured = match probe {
        Probe::Baseline => {
            let (baseline, open) = timed(|| Baseline::open(path));
            let baseline = baseline?;
            let (page, page_time) = timed(|| baseline.first_page(PAGE));
            Measured {
                open_ms: ms(open),
                page_ms: ms(page_time),
                rows: page?.len(),
                memory: Memory::now(),
                ..Default::default()
            }
        }
        Probe::Open | Probe::Write => {
            let (journal, open) = timed(|| Journal::open(path));
            let mut journal = journal?;
            let filter = Filter {
                limit: PAGE,
                ..Default::default()
            };
            let (page, page_time) = timed(|| journal.timeline(&filter));
            let mut measured = Measured {
                open_ms: ms(open),
                page_ms: ms(page_time),
                rows: page?.len(),
                memory: Memory::now(),
                ..Default::default()
            };
            if probe == Probe::Write {
                let (first, t1) = timed(|| journal.create(Mood::new(3, Utc::now())));
                first?;
                let (second, t2) = timed(|| journal.create(Mood::new(4, Utc::now())));
                second?;
                measured.first_write_ms = Some(ms(t1));
                measured.second_write_ms = Some(ms(t2));
                measured.memory_after_write = Some(Memory::now());
                journal.apply_pending()?;
                measured.memory_after_load = Some(Memory::now());
                journal.compact()?;
                measured.memory_with_document = Some(Memory::now());
            }
            measured
        }
    };
    println!("{}", serde_json::to_string(&measured)?);
    Ok(())
}

/// The parent's side: runs a probe in a child process. Returns what it measured and how
/// long the whole child process took, from spawn to exit.
pub fn spawn(probe: Probe, path: &Path) -> Result<(Measured, Duration)> {
    let exe = std::env::current_exe().context("finding the bench binary to run a probe")?;
    let (output, wall) = timed(|| Command::new(&exe).arg(probe.flag()).arg(path).output());
    let output = output.with_context(|| format!("running {} {}", exe.display(), probe.flag()))?;
    if !output.status.success() {
        bail!(
            "the {} probe failed ({}): {}",
            probe.flag(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let measured = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("reading what the {} probe printed", probe.flag()))?;
    Ok((measured, wall))
}
