//! `--scale 1000,10000,100000`: the headline figures of issue 16 at each size, one
//! column per size, so how each cost grows with the journal is visible at a glance.

use crate::report::{InsightsFigures, MemoryFigures, Writes};
use crate::sync::Bootstrap;
use serde::Serialize;
use std::fmt::Write as _;

/// One size's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleRow {
    pub records: usize,
    pub build_seconds: f64,
    pub first_write_ms: f64,
    pub entry_p50_ms: f64,
    pub entry_p50_ratio: f64,
    pub entry_p99_ms: f64,
    pub entry_p99_ratio: f64,
    pub compactions_in_writes: usize,
    pub compaction_in_write_max_ms: f64,
    pub idle_compactions: usize,
    pub idle_compaction_max_ms: f64,
    pub rss_after_first_write_mb: f64,
    pub peak_rss_after_first_write_mb: f64,
    pub builder_peak_rss_mb: f64,
    pub document_loaded_peak_rss_mb: f64,
    pub document_load_peak_rss_mb: f64,
    pub bootstrap_records: usize,
    pub bootstrap_ms: f64,
    pub import_rows: usize,
    pub import_ms: f64,
    /// The import's writes applied to the document afterwards, off its path.
    pub import_applied_ms: f64,
    pub insights_p50_ms: f64,
}

impl ScaleRow {
    pub fn new(
        (records, build_seconds): (usize, f64),
        first_write_ms: f64,
        writes: &Writes,
        memory: &MemoryFigures,
        boot: &Bootstrap,
        (import_rows, import_ms, import_applied_ms): (usize, f64, f64),
        insights: &InsightsFigures,
    ) -> ScaleRow {
        let entry = &writes.add_entry;
        ScaleRow {
            records,
            build_seconds,
            first_write_ms,
            entry_p50_ms: entry.onward.p50_ms,
            entry_p50_ratio: entry.onward.p50_ms / entry.baseline.p50_ms,
            entry_p99_ms: entry.onward.p99_ms,
            entry_p99_ratio: entry.onward.p99_ms / entry.baseline.p99_ms,
            compactions_in_writes: writes.compactions.count,
            compaction_in_write_max_ms: writes.compactions.latency.max_ms,
            idle_compactions: writes.idle_compactions.count,
            idle_compaction_max_ms: writes.idle_compactions.latency.max_ms,
            rss_after_first_write_mb: memory.after_first_write_rss_mb,
            peak_rss_after_first_write_mb: memory.after_first_write_hwm_mb,
            builder_peak_rss_mb: memory.builder_hwm_mb,
            document_loaded_peak_rss_mb: memory.document_loaded_hwm_mb,
            document_load_peak_rss_mb: memory.document_load_hwm_mb,
            bootstrap_records: boot.records,
            bootstrap_ms: boot.ms,
            import_rows,
            import_ms,
            import_applied_ms,
            insights_p50_ms: insights.weeks_8.p50_ms,
        }
    }
}

/// The rows as a Markdown table: one line per figure, one column per size.
pub fn table(rows: &[ScaleRow]) -> String {
    let mut out = String::from("| figure |");
    for r in rows {
        let _ = write!(out, " {} records |", r.records);
    }
    out.push_str("\n| --- |");
    for _ in rows {
        out.push_str(" ---: |");
    }
    out.push('\n');
    let line = |out: &mut String, name: &str, cell: &dyn Fn(&ScaleRow) -> String| {
        let _ = write!(out, "| {name} |");
        for r in rows {
            let _ = write!(out, " {} |", cell(r));
        }
        out.push('\n');
    };
    line(&mut out, "first write after a cold open (p50)", &|r| {
        format!("{:.1} ms", r.first_write_ms)
    });
    line(&mut out, "entry write p50 (ratio to baseline)", &|r| {
        format!("{:.2} ms ({:.1}x)", r.entry_p50_ms, r.entry_p50_ratio)
    });
    line(&mut out, "entry write p99 (ratio to baseline)", &|r| {
        format!("{:.2} ms ({:.1}x)", r.entry_p99_ms, r.entry_p99_ratio)
    });
    line(&mut out, "compactions inside writes (max)", &|r| {
        format!(
            "{} ({:.0} ms)",
            r.compactions_in_writes, r.compaction_in_write_max_ms
        )
    });
    line(&mut out, "compactions at idle (max)", &|r| {
        format!(
            "{} ({:.0} ms)",
            r.idle_compactions, r.idle_compaction_max_ms
        )
    });
    line(&mut out, "RSS after the first write (peak)", &|r| {
        format!(
            "{:.1} MB ({:.1} MB)",
            r.rss_after_first_write_mb, r.peak_rss_after_first_write_mb
        )
    });
    line(
        &mut out,
        "peak RSS of an app with the document loaded (then compacted)",
        &|r| {
            format!(
                "{:.1} MB ({:.1} MB)",
                r.document_load_peak_rss_mb, r.document_loaded_peak_rss_mb
            )
        },
    );
    line(&mut out, "peak RSS of the builder", &|r| {
        format!("{:.1} MB", r.builder_peak_rss_mb)
    });
    line(&mut out, "new device bootstrapping every record", &|r| {
        format!("{:.0} ms", r.bootstrap_ms)
    });
    line(&mut out, "CSV import of as many rows", &|r| {
        format!("{:.2} s", r.import_ms / 1000.0)
    });
    line(&mut out, "  then its writes applied, off its path", &|r| {
        format!("{:.2} s", r.import_applied_ms / 1000.0)
    });
    line(&mut out, "insights p50 (8 weeks)", &|r| {
        format!("{:.1} ms", r.insights_p50_ms)
    });
    line(&mut out, "build (all actions, baseline too)", &|r| {
        format!("{:.0} s", r.build_seconds)
    });
    out
}
