//! The figures of one run, as a readable table or as one JSON object. Each section is
//! its own struct, so later sections (insights, import, sync) slot in beside these.

use crate::measure::{Machine, Summary};
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub setup: Setup,
    pub writes: Writes,
    pub cold_open: ColdOpen,
    pub search: Search,
    pub insights: InsightsFigures,
    pub memory: MemoryFigures,
    pub disk: Disk,
    pub import: ImportFigures,
    /// Each budget of docs/ARCHITECTURE.md with this run's figure and whether it is met.
    pub goals: Vec<Goal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Setup {
    pub records: usize,
    pub actions: usize,
    pub seed: u64,
    pub probe_runs: usize,
    pub search_repeats: usize,
    pub build_seconds: f64,
    pub machine: Machine,
}

#[derive(Debug, Clone, Serialize)]
pub struct Writes {
    /// Every user action. Most are one journal write; logging an interview also writes
    /// each new interviewer as a contact, and a sent or answered feedback request also
    /// updates its rejection.
    pub all_actions: Compared,
    /// Adding a journal entry: the budget's "entry write".
    pub add_entry: Compared,
    pub by_action: Vec<ActionFigures>,
    /// The same figures per fifth of the build: does writing slow down as it grows?
    pub by_progress: Vec<ProgressFigures>,
    pub compactions: Compactions,
    /// `compact_if_due` after each action (the outbox applied first), outside the write,
    /// as the apps' background tidy does.
    pub idle_compactions: Compactions,
}

/// Onward and the baseline over the same actions.
#[derive(Debug, Clone, Serialize)]
pub struct Compared {
    pub onward: Summary,
    pub baseline: Summary,
    pub ratio_p50: f64,
    pub ratio_p99: f64,
}

impl Compared {
    pub fn new(onward: Summary, baseline: Summary) -> Compared {
        Compared {
            ratio_p50: onward.p50_ms / baseline.p50_ms,
            ratio_p99: onward.p99_ms / baseline.p99_ms,
            onward,
            baseline,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionFigures {
    pub action: String,
    pub onward: Summary,
    pub baseline: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgressFigures {
    pub records_up_to: usize,
    pub onward: Summary,
    pub baseline: Summary,
}

/// Writes that folded the change chunks into a new snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct Compactions {
    pub count: usize,
    pub latency: Summary,
    /// (records in the journal, milliseconds) of each.
    pub each: Vec<(usize, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColdOpen {
    pub runs: usize,
    pub onward: OpenFigures,
    pub baseline: OpenFigures,
    /// The first write after a cold open loads the Automerge document.
    pub first_write: FirstWrite,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenFigures {
    /// Open plus first page of 50 rows, in the child process.
    pub open_and_page: Summary,
    pub open: Summary,
    pub page: Summary,
    /// The whole child process, spawn to exit, as the parent saw it.
    pub process: Summary,
    pub rows: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FirstWrite {
    pub runs: usize,
    pub first_write: Summary,
    pub second_write: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct Search {
    pub limit: usize,
    pub onward: Summary,
    pub baseline: Summary,
    pub queries: Vec<QueryFigures>,
    /// The first timeline page again, warm, in the same process.
    pub timeline_warm_onward: Summary,
    pub timeline_warm_baseline: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryFigures {
    pub query: String,
    pub onward_hits: usize,
    pub onward_p50_ms: f64,
    pub baseline_hits: usize,
    pub baseline_p50_ms: f64,
}

/// The insights behind `onward stats` (funnel, answers, weekly effort, streak, mood,
/// on this day), computed with SQL from the index of the built journal.
#[derive(Debug, Clone, Serialize)]
pub struct InsightsFigures {
    pub repeats: usize,
    /// The first call on a freshly opened journal (statements not yet prepared).
    pub first_call_ms: f64,
    /// Warm, with the default 8 weeks of weekly figures.
    pub weeks_8: Summary,
    /// Warm, with a year of weekly figures.
    pub weeks_52: Summary,
    /// What the figures covered: applications sent, steps in the 8 weeks, on this day.
    pub applications: i64,
    pub steps_in_8_weeks: i64,
    pub on_this_day: usize,
}

/// Megabytes (MiB) resident, from the probes' `/proc/self/status` (median of runs).
#[derive(Debug, Clone, Serialize)]
pub struct MemoryFigures {
    pub after_open_rss_mb: f64,
    pub after_open_hwm_mb: f64,
    pub after_first_write_rss_mb: f64,
    pub after_first_write_hwm_mb: f64,
    /// A cold process once the document is loaded, the outbox applied and a
    /// compaction done (what the apps' background tidy does): resident, and peak.
    pub document_loaded_rss_mb: f64,
    pub document_loaded_hwm_mb: f64,
    /// The peak before the compaction: what loading the document and applying took.
    pub document_load_hwm_mb: f64,
    pub baseline_after_open_rss_mb: f64,
    /// The benchmark process itself after building (document loaded, all caches).
    pub builder_hwm_mb: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Disk {
    /// Right after the build, with the journal still open.
    pub journal_db_bytes: u64,
    pub journal_wal_bytes: u64,
    /// After closing (SQLite checkpoints the WAL into the file and removes it).
    pub journal_db_bytes_closed: u64,
    pub baseline_db_bytes: u64,
    pub baseline_wal_bytes: u64,
    pub baseline_db_bytes_closed: u64,
    /// `Journal::storage_sizes` after the build.
    pub snapshot_bytes: i64,
    pub chunk_bytes: i64,
    pub chunks: i64,
    /// `Journal::document_bytes`: the whole document saved compacted.
    pub document_bytes: usize,
    pub document_save_ms: f64,
    /// Records by kind (not deleted), from `Journal::counts`.
    pub records_by_kind: Vec<(String, i64)>,
}

/// Importing a CSV of applications (`onward import --format csv`) into a new journal:
/// a generated tracker export, read, mapped and stored in batches, then imported again.
#[derive(Debug, Clone, Serialize)]
pub struct ImportFigures {
    pub rows: usize,
    pub file_bytes: u64,
    pub valid_rows: usize,
    pub errors: usize,
    pub repeated_in_file: usize,
    pub added: usize,
    pub batches: usize,
    /// Reading the file and mapping every row (`import::csv::read`).
    pub parse_ms: f64,
    /// Storing them (`import::csv::import`, batches of 500).
    pub store_ms: f64,
    pub total_ms: f64,
    pub rows_per_second: f64,
    /// Applying the import's writes from the outbox to the document afterwards (the
    /// apps do it in the background; the import was acknowledged without it).
    pub applied_ms: f64,
    /// The same file again: everything already there, nothing written.
    pub second_import_ms: f64,
    pub second_import_skipped: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Goal {
    pub name: String,
    pub goal: String,
    pub value: String,
    pub met: bool,
}

impl Report {
    /// Checks this run's figures against the budgets.
    pub fn judge(&mut self) {
        let w = &self.writes;
        let open = self.cold_open.onward.open_and_page.p50_ms;
        let m = &self.memory;
        let ratio = |name: &str, r: f64| Goal {
            name: name.into(),
            goal: "≤ 2x".into(),
            value: format!("{r:.1}x"),
            met: r <= 2.0,
        };
        self.goals = vec![
            ratio("entry write p50 vs baseline", w.add_entry.ratio_p50),
            ratio("entry write p99 vs baseline", w.add_entry.ratio_p99),
            ratio(
                "write p50 vs baseline (all actions)",
                w.all_actions.ratio_p50,
            ),
            ratio(
                "write p99 vs baseline (all actions)",
                w.all_actions.ratio_p99,
            ),
            Goal {
                name: "cold open + first page p50".into(),
                goal: "< 20 ms".into(),
                value: format!("{} ms", num(open)),
                met: open < 20.0,
            },
            Goal {
                name: "search p50".into(),
                goal: "< 5 ms".into(),
                value: format!("{} ms", num(self.search.onward.p50_ms)),
                met: self.search.onward.p50_ms < 5.0,
            },
            Goal {
                name: "RSS after open + first page".into(),
                goal: "< 60 MB".into(),
                value: format!("{:.1} MB", m.after_open_rss_mb),
                met: m.after_open_rss_mb < 60.0,
            },
            Goal {
                name: "peak RSS with the document loaded".into(),
                goal: "< 60 MB".into(),
                value: format!("{:.1} MB", m.document_loaded_hwm_mb),
                met: m.document_loaded_hwm_mb < 60.0,
            },
        ];
        if self.import.rows > 0 {
            // "A few seconds for 10,000 rows": 5 s, in proportion for other sizes.
            let seconds = self.import.total_ms / 1000.0;
            let budget = 5.0 * self.import.rows as f64 / 10_000.0;
            self.goals.push(Goal {
                name: format!("CSV import of {} rows", self.import.rows),
                goal: format!("< {budget:.2} s"),
                value: format!("{seconds:.2} s"),
                met: seconds < budget,
            });
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises")
    }

    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let s = &self.setup;
        let _ = writeln!(
            out,
            "Onward benchmark: {} records from {} user actions (seed {}), built in {:.1} s",
            s.records, s.actions, s.seed, s.build_seconds
        );
        let _ = writeln!(
            out,
            "Machine: {} cores, {}, {} MB, Linux {}",
            s.machine.cores, s.machine.cpu, s.machine.memory_mb, s.machine.kernel
        );
        let _ = writeln!(
            out,
            "Baseline: plain rusqlite table, same fields, one transaction per action; both WAL + synchronous=FULL.\n"
        );

        let mut t = Table::new(&["figure", "onward", "baseline", "ratio", "goal", "met"]);
        let w = &self.writes;
        let ratio = |a: f64, b: f64| {
            if b > 0.0 {
                format!("{:.1}x", a / b)
            } else {
                "-".into()
            }
        };
        let goal = |name: &str| self.goals.iter().find(|g| g.name == name);
        let verdict = |name: &str| goal(name).map_or(String::new(), |g| yes_no(g.met).into());
        let goal_text = |name: &str| goal(name).map_or(String::new(), |g| g.goal.clone());
        for (label, c, goal_name) in [
            (
                "entry write p50 (add entry)",
                &w.add_entry,
                "entry write p50 vs baseline",
            ),
            (
                "entry write p99 (add entry)",
                &w.add_entry,
                "entry write p99 vs baseline",
            ),
            (
                "write p50 (all actions)",
                &w.all_actions,
                "write p50 vs baseline (all actions)",
            ),
            (
                "write p99 (all actions)",
                &w.all_actions,
                "write p99 vs baseline (all actions)",
            ),
        ] {
            let p99 = label.contains("p99");
            let (o, b, r) = if p99 {
                (c.onward.p99_ms, c.baseline.p99_ms, c.ratio_p99)
            } else {
                (c.onward.p50_ms, c.baseline.p50_ms, c.ratio_p50)
            };
            t.row(&[
                label.into(),
                ms(o),
                ms(b),
                format!("{r:.1}x"),
                goal_text(goal_name),
                verdict(goal_name),
            ]);
        }
        let c = &self.cold_open;
        t.row(&[
            format!(
                "cold open + first {} rows p50",
                c.onward.rows.max(c.baseline.rows)
            ),
            ms(c.onward.open_and_page.p50_ms),
            ms(c.baseline.open_and_page.p50_ms),
            ratio(
                c.onward.open_and_page.p50_ms,
                c.baseline.open_and_page.p50_ms,
            ),
            goal_text("cold open + first page p50"),
            verdict("cold open + first page p50"),
        ]);
        t.row(&[
            "  child process, spawn to exit p50".into(),
            ms(c.onward.process.p50_ms),
            ms(c.baseline.process.p50_ms),
            ratio(c.onward.process.p50_ms, c.baseline.process.p50_ms),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "first write after cold open p50".into(),
            ms(c.first_write.first_write.p50_ms),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "  second write p50".into(),
            ms(c.first_write.second_write.p50_ms),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        let q = &self.search;
        t.row(&[
            format!(
                "search p50 ({} queries, limit {})",
                q.queries.len(),
                q.limit
            ),
            ms(q.onward.p50_ms),
            ms(q.baseline.p50_ms),
            ratio(q.onward.p50_ms, q.baseline.p50_ms),
            goal_text("search p50"),
            verdict("search p50"),
        ]);
        t.row(&[
            "search p99".into(),
            ms(q.onward.p99_ms),
            ms(q.baseline.p99_ms),
            ratio(q.onward.p99_ms, q.baseline.p99_ms),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "first page, warm, p50".into(),
            ms(q.timeline_warm_onward.p50_ms),
            ms(q.timeline_warm_baseline.p50_ms),
            ratio(
                q.timeline_warm_onward.p50_ms,
                q.timeline_warm_baseline.p50_ms,
            ),
            String::new(),
            String::new(),
        ]);
        let ins = &self.insights;
        t.row(&[
            "insights (onward stats, 8 weeks) p50".into(),
            ms(ins.weeks_8.p50_ms),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "  52 weeks p50 / first call".into(),
            format!("{} / {}", ms(ins.weeks_52.p50_ms), ms(ins.first_call_ms)),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        let m = &self.memory;
        t.row(&[
            "RSS after open + first page".into(),
            mb(m.after_open_rss_mb),
            mb(m.baseline_after_open_rss_mb),
            ratio(m.after_open_rss_mb, m.baseline_after_open_rss_mb),
            goal_text("RSS after open + first page"),
            verdict("RSS after open + first page"),
        ]);
        t.row(&[
            "RSS after first write".into(),
            mb(m.after_first_write_rss_mb),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "  peak RSS (VmHWM) after first write".into(),
            mb(m.after_first_write_hwm_mb),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "RSS with the document loaded, applied, compacted".into(),
            mb(m.document_loaded_rss_mb),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "  peak RSS (VmHWM) with the document loaded".into(),
            mb(m.document_loaded_hwm_mb),
            String::new(),
            String::new(),
            goal_text("peak RSS with the document loaded"),
            verdict("peak RSS with the document loaded"),
        ]);
        let d = &self.disk;
        t.row(&[
            "disk: file + wal after build".into(),
            format!(
                "{} + {}",
                bytes(d.journal_db_bytes),
                bytes(d.journal_wal_bytes)
            ),
            format!(
                "{} + {}",
                bytes(d.baseline_db_bytes),
                bytes(d.baseline_wal_bytes)
            ),
            String::new(),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "disk: file after close".into(),
            bytes(d.journal_db_bytes_closed),
            bytes(d.baseline_db_bytes_closed),
            ratio(
                d.journal_db_bytes_closed as f64,
                d.baseline_db_bytes_closed as f64,
            ),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "document: snapshot + chunks".into(),
            format!(
                "{} + {} ({} chunks)",
                bytes(d.snapshot_bytes as u64),
                bytes(d.chunk_bytes as u64),
                d.chunks
            ),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        t.row(&[
            "document saved compacted".into(),
            format!(
                "{} in {}",
                bytes(d.document_bytes as u64),
                ms(d.document_save_ms)
            ),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        out.push_str(&t.render());

        let _ = writeln!(out, "\nWrites by action (milliseconds):");
        let mut t = Table::new(&[
            "action",
            "count",
            "onward p50",
            "onward p99",
            "baseline p50",
            "baseline p99",
            "p50 ratio",
        ]);
        for a in &w.by_action {
            t.row(&[
                a.action.clone(),
                a.onward.count.to_string(),
                num(a.onward.p50_ms),
                num(a.onward.p99_ms),
                num(a.baseline.p50_ms),
                num(a.baseline.p99_ms),
                ratio(a.onward.p50_ms, a.baseline.p50_ms),
            ]);
        }
        out.push_str(&t.render());

        let _ = writeln!(out, "\nWrites as the journal grows (milliseconds):");
        let mut t = Table::new(&[
            "records up to",
            "onward p50",
            "onward p99",
            "baseline p50",
            "baseline p99",
            "p50 ratio",
        ]);
        for p in &w.by_progress {
            t.row(&[
                p.records_up_to.to_string(),
                num(p.onward.p50_ms),
                num(p.onward.p99_ms),
                num(p.baseline.p50_ms),
                num(p.baseline.p99_ms),
                ratio(p.onward.p50_ms, p.baseline.p50_ms),
            ]);
        }
        out.push_str(&t.render());

        for (what, cs) in [
            ("inside writes", &w.compactions),
            (
                "at idle (compact_if_due after an action)",
                &w.idle_compactions,
            ),
        ] {
            let _ = writeln!(
                out,
                "\nCompactions {what}: {} (p50 {}, max {}): {}",
                cs.count,
                ms(cs.latency.p50_ms),
                ms(cs.latency.max_ms),
                cs.each
                    .iter()
                    .map(|(records, t)| format!("{} at {records}", ms(*t)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }

        let _ = writeln!(
            out,
            "\nSearch by query (p50 of {} runs, milliseconds):",
            s.search_repeats
        );
        let mut t = Table::new(&[
            "query",
            "onward hits",
            "onward p50",
            "baseline hits",
            "baseline p50",
        ]);
        for q in &q.queries {
            t.row(&[
                format!("\"{}\"", q.query),
                q.onward_hits.to_string(),
                num(q.onward_p50_ms),
                q.baseline_hits.to_string(),
                num(q.baseline_p50_ms),
            ]);
        }
        out.push_str(&t.render());

        let i = &self.import;
        if i.rows > 0 {
            let _ = writeln!(
                out,
                "\nCSV import (a generated tracker export, into a new journal):"
            );
            let mut t = Table::new(&["figure", "value"]);
            t.row(&[
                "rows, file size".into(),
                format!("{} rows, {}", i.rows, bytes(i.file_bytes)),
            ]);
            t.row(&[
                "added (valid rows, repeats, errors)".into(),
                format!(
                    "{} ({} valid, {} repeated, {} errors)",
                    i.added, i.valid_rows, i.repeated_in_file, i.errors
                ),
            ]);
            t.row(&["read and map every row".into(), ms(i.parse_ms)]);
            t.row(&[
                format!("store, {} batches of up to 500", i.batches),
                ms(i.store_ms),
            ]);
            t.row(&[
                "whole import".into(),
                format!("{} ({:.0} rows/s)", ms(i.total_ms), i.rows_per_second),
            ]);
            t.row(&[
                "then, off the import's path: its writes applied to the document".into(),
                ms(i.applied_ms),
            ]);
            t.row(&[
                "same file again (all already there)".into(),
                format!(
                    "{} ({} skipped)",
                    ms(i.second_import_ms),
                    i.second_import_skipped
                ),
            ]);
            out.push_str(&t.render());
        }

        let _ = writeln!(
            out,
            "\nRecords by kind: {}",
            d.records_by_kind
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            out,
            "Cold figures are medians of {} fresh child processes (page cache warm). Goals met: {} of {}.",
            c.runs,
            self.goals.iter().filter(|g| g.met).count(),
            self.goals.len()
        );
        out
    }
}

fn yes_no(met: bool) -> &'static str {
    if met {
        "yes"
    } else {
        "NO"
    }
}

/// A number of milliseconds with as many decimals as make sense.
fn num(v: f64) -> String {
    if v < 1.0 {
        format!("{v:.3}")
    } else if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

fn ms(v: f64) -> String {
    format!("{} ms", num(v))
}

fn mb(v: f64) -> String {
    format!("{v:.1} MB")
}

fn bytes(b: u64) -> String {
    if b >= 1 << 20 {
        format!("{:.2} MB", b as f64 / (1 << 20) as f64)
    } else if b >= 1 << 10 {
        format!("{:.1} KB", b as f64 / 1024.0)
    } else {
        format!("{b} B")
    }
}

/// A plain text table: the first column left-aligned, the others right-aligned.
struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(head: &[&str]) -> Table {
        Table {
            head: head.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, cells: &[String]) {
        self.rows.push(cells.to_vec());
    }

    fn render(&self) -> String {
        let width = |i: usize| {
            std::iter::once(&self.head)
                .chain(&self.rows)
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.head.len()).map(width).collect();
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, w) in widths.iter().enumerate() {
                let cell = cells.get(i).map_or("", String::as_str);
                let pad = w - cell.chars().count();
                if i == 0 {
                    s.push_str(cell);
                    s.push_str(&" ".repeat(pad));
                } else {
                    s.push_str("  ");
                    s.push_str(&" ".repeat(pad));
                    s.push_str(cell);
                }
            }
            s.trim_end().to_string() + "\n"
        };
        let mut out = line(&self.head);
        out.push_str(&line(
            &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
        ));
        for r in &self.rows {
            out.push_str(&line(r));
        }
        out
    }
}
